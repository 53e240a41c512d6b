// kdump-compressed dumps (makedumpfile, QEMU, diskdump) and split sets of
// them. Layout: ARM64-REFERENCE.md section 2.8 (from makedumpfile
// diskdump_mod.h). Page descriptors are found by rank over the 2nd bitmap;
// both bitmaps are read on demand (kdump_bitmap.c), so memory does not
// grow with the size of the machine the dump claims.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/dump.h"
#include "dump/kdump_bitmap.h"
#include "dump/page_cache.h"

#define EM_AARCH64_VALUE 183

// disk_dump_header (64-bit targets)
#define DH_SIG 0
#define DH_VERSION 8
#define DH_UTSNAME 12
#define UTS_LEN 65
#define DH_TIMESTAMP 408
#define DH_STATUS 424
#define DH_BLOCK_SIZE 428
#define DH_SUB_HDR_SIZE 432
#define DH_BITMAP_BLOCKS 436
#define DH_MAX_MAPNR 440
#define DH_NR_CPUS 460
#define DH_SIZE 464
// The 32-bit layouts put block_size here (2 bytes of padding, 32-bit
// timeval); recognised only to refuse them clearly.
#define DH32_BLOCK_SIZE 416

// kdump_sub_header
#define SH_DUMP_LEVEL 8
#define SH_SPLIT 12
#define SH_START_PFN 16
#define SH_END_PFN 24
#define SH_OFFSET_VMCOREINFO 32
#define SH_SIZE_VMCOREINFO 40
#define SH_OFFSET_NOTE 48
#define SH_SIZE_NOTE 56
#define SH_START_PFN_64 80
#define SH_END_PFN_64 88
#define SH_MAX_MAPNR_64 96
#define SH_SIZE 104

// Flags of the header status and of page_desc.flags.
#define DUMP_DH_COMPRESSED_ZLIB 0x1
#define DUMP_DH_COMPRESSED_LZO 0x2
#define DUMP_DH_COMPRESSED_SNAPPY 0x4
#define DUMP_DH_COMPRESSED_INCOMPLETE 0x8
#define DUMP_DH_COMPRESSED_ZSTD 0x20
#define PAGE_FLAGS_KNOWN                                                      \
	(DUMP_DH_COMPRESSED_ZLIB | DUMP_DH_COMPRESSED_LZO |                   \
	 DUMP_DH_COMPRESSED_SNAPPY | DUMP_DH_COMPRESSED_ZSTD)

// struct page_desc { i64 offset; u32 size; u32 flags; u64 page_flags; }
#define PD_SIZE 24
// Descriptors read at once: sequential reads then cost one pread per ~170
// pages for descriptors. Windows are aligned, and 64 of them are kept per
// file (255 KiB): random reads over a working set of up to ~10^4 pages
// find their descriptors without reading the file again.
#define PD_WINDOW 170
#define PD_WINDOWS 64
// Descriptors sampled at open to learn the compressions used.
#define PD_SAMPLE 4096

#define MAX_VMCOREINFO_SIZE (1u << 20)
#define MAX_NOTE_SIZE (64u << 20)
// What is cached is what the kernel reads: its pages, at least 4 KiB on
// arm64 (the smallest granule), while a block may be bigger (QEMU writes
// 64 KiB blocks for a 4 KiB-page kernel). Blocks bigger than that are cut
// into 4 KiB granules, cached by granule: a working set of up to 2048
// pages spread over as many blocks then hits on its second pass, where a
// cache of whole blocks would hold only 128 of them and decompress a
// 64 KiB block for nearly every small read.
#define GRANULE_SHIFT 12
// Budget of that cache: 8 MiB (2048 granules, or blocks of up to 4 KiB).
#define CACHE_BYTES (8u << 20)
// Blocks bigger than a granule also keep the last few blocks decompressed
// (1 MiB, at least 2 blocks: at most 2 MiB for 1 MiB blocks), so reads
// of neighbouring pages of one block decompress it once.
#define BLOCK_CACHE_BYTES (1u << 20)
#define BLOCK_CACHE_MIN 2
// arm64 physical addresses have at most 52 bits: no PFN beyond that.
#define MAX_PA_BITS 52

struct kdump_header {
	int version;
	bool be;
	char uts[6][UTS_LEN];
	int64_t ts_sec, ts_usec;
	uint32_t status;
	uint32_t block_size;
	uint32_t sub_hdr_size;
	uint32_t bitmap_blocks;
	uint32_t nr_cpus;
	uint64_t max_mapnr;
	int dump_level;
	int split;
	uint64_t start_pfn, end_pfn;
	uint64_t off_vmcoreinfo, size_vmcoreinfo;
	uint64_t off_note, size_note;
};

struct kdump_part {
	struct source *src;
	// Position in the caller's list (dump->files); parts get sorted.
	size_t file_index;
	uint64_t start_pfn, end_pfn;
	// This file's 2nd bitmap (split files each have their own).
	struct kdump_bitmap bitmap2;
	uint64_t desc_off;
	// Descriptor index of start_pfn in this file's bitmap numbering.
	uint64_t rank_base;
	// Descriptors of this file readable before its end.
	uint64_t nr_desc_in_file;
	struct desc_window {
		unsigned char *buf;
		uint64_t first; // descriptor index of buf[0]
		size_t count;   // 0 = empty
	} win[PD_WINDOWS];
	// Descriptors of this part (set bits of bitmap 2 in its PFN range).
	uint64_t nr_desc;
	// The file ends before its last descriptor or page data (cut short):
	// what is missing is lost, as in a dump marked incomplete.
	bool truncated;
};

struct kdump_priv {
	struct kdump_part *parts;
	size_t nr_parts;
	// The 1st bitmap (RAM), of the first part.
	struct kdump_bitmap bitmap1;
	uint64_t max_mapnr;
	uint32_t block_size;
	unsigned int shift;
	bool be;
	bool incomplete;
	unsigned char *cbuf;
	// Decompressed blocks (the only cache when a block is a granule).
	struct page_cache cache;
	// log2 of the granule: the block size, or 4 KiB for bigger blocks.
	unsigned int gshift;
	// Granules copied out of blocks; empty (nr 0) when a block is one.
	struct page_cache granules;
	// Bytes of each cache slot that are decompressed: a small read
	// decompresses only as far as it needs (decompress_prefix).
	uint32_t *valid;
	struct decompress_ctx *dctx;
};

struct page_desc {
	uint64_t offset;
	uint32_t size;
	uint32_t flags;
};

static bool kdump_probe(struct source *src)
{
	char sig[8];

	if (!vmt_error_ok(source_read(src, sig, sizeof(sig), 0)))
		return false;
	return !memcmp(sig, "KDUMP   ", 8) || !memcmp(sig, "DISKDUMP", 8);
}

static bool is_block_size(uint32_t bs)
{
	// Pages of 1 KiB (some arches) to 1 MiB; arm64 uses 4K/16K/64K.
	return bs >= 1024 && bs <= (1u << 20) && !(bs & (bs - 1));
}

static struct vmt_error *parse_header(struct source *src,
				      struct kdump_header *h)
{
	unsigned char dh[DH_SIZE], sh[SH_SIZE] = { 0 };
	int32_t v_le, v_be;
	uint64_t sh_bytes;
	struct vmt_error *err;
	bool be;

	memset(h, 0, sizeof(*h));
	err = source_read(src, dh, sizeof(dh), 0);
	if (err)
		return vmt_error_wrap(err, "kdump header");
	v_le = (int32_t)load_le32(dh + DH_VERSION);
	v_be = (int32_t)load_be32(dh + DH_VERSION);
	// The header is in the dumped machine's byte order; the version
	// (1..6) tells which.
	if (v_le >= 1 && v_le <= 6)
		be = false;
	else if (v_be >= 1 && v_be <= 6)
		be = true;
	else
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"%s: kdump header version %d at offset 8 (versions 1 to 6 are known)",
					src->name, v_le);
	h->be = be;
	h->version = be ? v_be : v_le;
	for (int i = 0; i < 6; i++) {
		memcpy(h->uts[i], dh + DH_UTSNAME + i * UTS_LEN, UTS_LEN);
		h->uts[i][UTS_LEN - 1] = '\0';
	}
	h->ts_sec = (int64_t)load64(dh + DH_TIMESTAMP, be);
	h->ts_usec = (int64_t)load64(dh + DH_TIMESTAMP + 8, be);
	h->status = load32(dh + DH_STATUS, be);
	h->block_size = load32(dh + DH_BLOCK_SIZE, be);
	h->sub_hdr_size = load32(dh + DH_SUB_HDR_SIZE, be);
	h->bitmap_blocks = load32(dh + DH_BITMAP_BLOCKS, be);
	h->max_mapnr = load32(dh + DH_MAX_MAPNR, be);
	h->nr_cpus = load32(dh + DH_NR_CPUS, be);
	if (!is_block_size(h->block_size)) {
		if (is_block_size(load32(dh + DH32_BLOCK_SIZE, be)))
			return vmt_error_format(VMT_ERROR_UNSUPPORTED,
						"%s: kdump header of a 32-bit machine (block size at offset %#x): only 64-bit targets are supported",
						src->name, DH32_BLOCK_SIZE);
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: kdump block size %u at offset %#x is not a power of two between 1 KiB and 1 MiB",
					src->name, h->block_size, DH_BLOCK_SIZE);
	}
	sh_bytes = (uint64_t)h->sub_hdr_size * h->block_size;
	if (h->version >= 1) {
		size_t need = h->version >= 6 ? SH_SIZE :
			      h->version >= 4 ? SH_SIZE_NOTE + 8 :
			      h->version >= 3 ? SH_SIZE_VMCOREINFO + 8 :
			      h->version >= 2 ? SH_END_PFN + 8 : SH_DUMP_LEVEL + 4;

		if (sh_bytes < need)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: kdump sub-header of %u blocks is too small for header version %d",
						src->name, h->sub_hdr_size, h->version);
		err = source_read(src, sh, need, h->block_size);
		if (err)
			return vmt_error_wrap(err, "kdump sub-header");
		h->dump_level = (int32_t)load32(sh + SH_DUMP_LEVEL, be);
	}
	if (h->version >= 2) {
		h->split = (int32_t)load32(sh + SH_SPLIT, be);
		h->start_pfn = load64(sh + SH_START_PFN, be);
		h->end_pfn = load64(sh + SH_END_PFN, be);
	}
	if (h->version >= 3) {
		h->off_vmcoreinfo = load64(sh + SH_OFFSET_VMCOREINFO, be);
		h->size_vmcoreinfo = load64(sh + SH_SIZE_VMCOREINFO, be);
	}
	if (h->version >= 4) {
		h->off_note = load64(sh + SH_OFFSET_NOTE, be);
		h->size_note = load64(sh + SH_SIZE_NOTE, be);
	}
	if (h->version >= 6) {
		h->start_pfn = load64(sh + SH_START_PFN_64, be);
		h->end_pfn = load64(sh + SH_END_PFN_64, be);
		h->max_mapnr = load64(sh + SH_MAX_MAPNR_64, be);
	}
	return NULL;
}

static void decode_desc(const unsigned char *p, bool be, struct page_desc *pd)
{
	pd->offset = load64(p, be);
	pd->size = load32(p + 8, be);
	pd->flags = load32(p + 12, be);
}

// Whether @p flags name exactly one compression (or none).
static bool compression_of(uint32_t flags, enum compression *ret)
{
	switch (flags) {
	case 0:
		*ret = COMPRESSION_NONE;
		return true;
	case DUMP_DH_COMPRESSED_ZLIB:
		*ret = COMPRESSION_ZLIB;
		return true;
	case DUMP_DH_COMPRESSED_LZO:
		*ret = COMPRESSION_LZO;
		return true;
	case DUMP_DH_COMPRESSED_SNAPPY:
		*ret = COMPRESSION_SNAPPY;
		return true;
	case DUMP_DH_COMPRESSED_ZSTD:
		*ret = COMPRESSION_ZSTD;
		return true;
	default:
		return false;
	}
}

static void part_deinit(struct kdump_part *part)
{
	kdump_bitmap_deinit(&part->bitmap2);
	source_destroy(part->src);
	for (int i = 0; i < PD_WINDOWS; i++)
		free(part->win[i].buf);
}

static void kdump_close(struct dump *dump)
{
	struct kdump_priv *kp = dump->priv;

	kdump_bitmap_deinit(&kp->bitmap1);
	for (size_t i = 0; i < kp->nr_parts; i++)
		part_deinit(&kp->parts[i]);
	free(kp->parts);
	free(kp->cbuf);
	free(kp->valid);
	decompress_ctx_destroy(kp->dctx);
	page_cache_deinit(&kp->cache);
	page_cache_deinit(&kp->granules);
	free(kp);
	dump->priv = NULL;
}

static struct vmt_error *read_blob(struct source *src, uint64_t off,
				   uint64_t size, uint64_t max, const char *what,
				   void **ret)
{
	struct vmt_error *err;
	void *buf;

	if (size > max)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: kdump %s of %" PRIu64 " bytes at offset %#" PRIx64
					" (more than %" PRIu64 ": corrupt sub-header)",
					src->name, what, size, off, max);
	buf = malloc(size ? size : 1);
	if (!buf)
		return &vmt_enomem;
	err = source_read(src, buf, size, off);
	if (err) {
		free(buf);
		return vmt_error_wrap(err, "kdump %s", what);
	}
	*ret = buf;
	return NULL;
}

static struct vmt_error *read_notes_and_info(struct dump *dump,
					     struct source *src,
					     const struct kdump_header *h)
{
	struct vmt_error *err;
	void *buf;

	if (h->version >= 3 && h->size_vmcoreinfo) {
		err = read_blob(src, h->off_vmcoreinfo, h->size_vmcoreinfo,
				MAX_VMCOREINFO_SIZE, "VMCOREINFO", &buf);
		if (err)
			return err;
		dump->vmcoreinfo = buf;
		dump->vmcoreinfo_len = h->size_vmcoreinfo;
		dump->vmcoreinfo_origin = "kdump sub-header";
		dump->vmcoreinfo_offset = h->off_vmcoreinfo;
	}
	if (h->version >= 4 && h->size_note) {
		bool had_vmcoreinfo = dump->vmcoreinfo != NULL;

		err = read_blob(src, h->off_note, h->size_note, MAX_NOTE_SIZE,
				"ELF notes", &buf);
		if (err)
			return err;
		err = dump_parse_notes(dump, buf, h->size_note, h->be);
		free(buf);
		if (err)
			return vmt_error_wrap(err, "%s: kdump notes at offset %#" PRIx64,
					      src->name, h->off_note);
		if (!had_vmcoreinfo && dump->vmcoreinfo)
			dump->vmcoreinfo_offset += h->off_note;
	}
	return NULL;
}

// Whether @p part's file was cut short: its descriptor table, or the data
// of its last pages (written last, at the end), run past the end of the
// file. Then it opens as incomplete.
static struct vmt_error *check_truncated(struct kdump_priv *kp,
					 struct kdump_part *part)
{
	uint64_t n = part->nr_desc < PD_WINDOW ? part->nr_desc : PD_WINDOW;
	struct source *src = part->src;
	unsigned char *buf;
	struct vmt_error *err;

	if (part->nr_desc_in_file < part->nr_desc) {
		part->truncated = true;
		return NULL;
	}
	if (!n)
		return NULL;
	buf = malloc(n * PD_SIZE);
	if (!buf)
		return &vmt_enomem;
	err = source_read(src, buf, n * PD_SIZE,
			  part->desc_off + (part->nr_desc - n) * PD_SIZE);
	for (uint64_t i = 0; !err && i < n; i++) {
		struct page_desc pd;

		decode_desc(buf + i * PD_SIZE, kp->be, &pd);
		// Offset 0: never written (an incomplete dump says so).
		if (pd.offset && pd.size <= kp->block_size &&
		    (pd.offset > src->size || pd.size > src->size - pd.offset))
			part->truncated = true;
	}
	free(buf);
	return err;
}

// Set up @p part from its header: bitmap 2 (read on demand), where its
// descriptors start, how many, and whether the file holds them all.
static struct vmt_error *part_init(struct kdump_priv *kp,
				   struct kdump_part *part,
				   const struct kdump_header *h)
{
	struct source *src = part->src;
	uint64_t bs = h->block_size, half, bm_off, bits;
	struct vmt_error *err;

	// Bitmaps start at block 1 + sub_hdr_size, descriptors follow them.
	bm_off = (1 + (uint64_t)h->sub_hdr_size) * bs;
	half = (uint64_t)h->bitmap_blocks * bs / 2;
	bits = half * 8;
	if (h->max_mapnr > bits)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: max_mapnr %#" PRIx64 " needs more bitmap than the %u bitmap blocks hold",
					src->name, h->max_mapnr, h->bitmap_blocks);
	if (bm_off + 2 * half > src->size)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: kdump bitmaps at [%#" PRIx64 ", %#" PRIx64
					") run past the end of the file (%#" PRIx64 " bytes)",
					src->name, bm_off, bm_off + 2 * half, src->size);
	part->desc_off = bm_off + 2 * half;
	err = kdump_bitmap_init(&part->bitmap2, src, bm_off + half,
				kp->max_mapnr, true, "2nd");
	if (err)
		return err;
	if (part->end_pfn > kp->max_mapnr)
		part->end_pfn = kp->max_mapnr;
	if (part->start_pfn > part->end_pfn)
		part->start_pfn = part->end_pfn;
	// Descriptors of a split file start with its own first PFN.
	err = kdump_bitmap_rank(&part->bitmap2, part->start_pfn,
				&part->rank_base);
	if (err)
		return err;
	part->nr_desc_in_file = (src->size - part->desc_off) / PD_SIZE;
	err = kdump_bitmap_rank(&part->bitmap2, part->end_pfn, &part->nr_desc);
	if (err)
		return err;
	part->nr_desc -= part->rank_base;
	return check_truncated(kp, part);
}

// Descriptor @p idx of @p part, through its window cache.
static struct vmt_error *get_desc(struct kdump_priv *kp,
				  struct kdump_part *part, uint64_t idx,
				  struct page_desc *pd)
{
	uint64_t first = idx - idx % PD_WINDOW;
	struct desc_window *w = &part->win[(idx / PD_WINDOW) % PD_WINDOWS];

	if (!w->count || w->first != first) {
		// Descriptors past this file's last one are page data: read
		// into the window, never used (idx only names real ones).
		uint64_t n = part->nr_desc_in_file - first;
		struct vmt_error *err;

		if (n > PD_WINDOW)
			n = PD_WINDOW;
		if (!w->buf) {
			w->buf = malloc(PD_WINDOW * PD_SIZE);
			if (!w->buf)
				return &vmt_enomem;
		}
		w->count = 0;
		err = source_read(part->src, w->buf, n * PD_SIZE,
				  part->desc_off + first * PD_SIZE);
		if (err)
			return err;
		w->first = first;
		w->count = n;
	}
	decode_desc(w->buf + (idx - first) * PD_SIZE, kp->be, pd);
	return NULL;
}

static struct kdump_part *part_of(struct kdump_priv *kp, uint64_t pfn)
{
	size_t lo = 0, hi = kp->nr_parts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (kp->parts[mid].end_pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < kp->nr_parts && kp->parts[lo].start_pfn <= pfn ?
		       &kp->parts[lo] : NULL;
}

// Find where page @p pfn is. Fills @p pd and returns the part for a
// present page; a FAULT for a missing one; BAD_DATA for a bad descriptor.
static struct vmt_error *find_page(struct dump *dump, uint64_t paddr,
				   struct kdump_part **part_ret,
				   struct page_desc *pd)
{
	struct kdump_priv *kp = dump->priv;
	uint64_t pfn = paddr >> kp->shift, idx;
	struct kdump_part *part;
	struct vmt_error *err;
	bool dumped = false, ram;

	if (pfn >= kp->max_mapnr)
		return vmt_error_fault(VMT_FAULT_NOT_IN_DUMP, paddr,
				       "not in dump: physical address %#" PRIx64
				       " is beyond the dump's last PFN %#" PRIx64 " (max_mapnr)",
				       paddr, kp->max_mapnr - 1);
	part = part_of(kp, pfn);
	if (part) {
		err = kdump_bitmap_test(&part->bitmap2, pfn, &dumped);
		if (err)
			return err;
	}
	if (!dumped) {
		err = kdump_bitmap_test(&kp->bitmap1, pfn, &ram);
		if (err)
			return err;
		if (ram)
			return vmt_error_fault(VMT_FAULT_EXCLUDED, paddr,
					       "physical address %#" PRIx64
					       " is excluded from the dump (PFN %#" PRIx64
					       ", kdump bitmap 2)",
					       paddr, pfn);
		return vmt_error_fault(VMT_FAULT_NOT_IN_DUMP, paddr,
				       "not in dump: physical address %#" PRIx64
				       " is not RAM (PFN %#" PRIx64 ", kdump bitmap 1)",
				       paddr, pfn);
	}
	err = kdump_bitmap_rank(&part->bitmap2, pfn, &idx);
	if (err)
		return err;
	idx -= part->rank_base;
	if (idx >= part->nr_desc_in_file) {
		if (kp->incomplete)
			goto lost;
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: page descriptor %" PRIu64 " of PFN %#" PRIx64
					" is past the end of the file",
					part->src->name, idx, pfn);
	}
	err = get_desc(kp, part, idx, pd);
	if (err)
		return vmt_error_wrap(err, "page descriptor of PFN %#" PRIx64, pfn);
	if (pd->offset == 0 && kp->incomplete)
		goto lost;
	if (pd->flags & ~(uint32_t)PAGE_FLAGS_KNOWN)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: page descriptor of PFN %#" PRIx64
					" has unknown flags %#x",
					part->src->name, pfn, pd->flags);
	if (pd->size == 0 || pd->size > kp->block_size ||
	    pd->offset > part->src->size ||
	    pd->size > part->src->size - pd->offset) {
		if (kp->incomplete && pd->size && pd->size <= kp->block_size &&
		    pd->offset <= UINT64_MAX - pd->size)
			goto lost;
		return vmt_error_set_file(
			vmt_error_format(VMT_ERROR_BAD_DATA,
					 "%s: bad page descriptor of PFN %#" PRIx64
					 ": %u bytes at offset %#" PRIx64
					 " (block size %u, file size %#" PRIx64 ")",
					 part->src->name, pfn, pd->size, pd->offset,
					 kp->block_size, part->src->size),
			part->src->name, pd->offset);
	}
	*part_ret = part;
	return NULL;

lost:
	if (part->truncated)
		return vmt_error_fault(VMT_FAULT_LOST, paddr,
				       "physical address %#" PRIx64
				       " was lost: the dump ends at offset %#" PRIx64
				       " of %s, before the data of PFN %#" PRIx64,
				       paddr, part->src->size, part->src->name,
				       pfn);
	return vmt_error_fault(VMT_FAULT_LOST, paddr,
			       "physical address %#" PRIx64
			       " was lost: the dump is incomplete (PFN %#" PRIx64
			       " has no data)",
			       paddr, pfn);
}

// Decompress the page described by @p pd into @p out: at least @p want
// bytes (the whole block when @p want is the block size); the number
// decompressed.
static struct vmt_error *load_page(struct dump *dump, struct kdump_part *part,
				   const struct page_desc *pd,
				   enum compression c, uint64_t paddr,
				   void *out, size_t want, size_t *produced_ret)
{
	struct kdump_priv *kp = dump->priv;
	uint64_t pfn = paddr >> kp->shift;
	struct vmt_error *err;

	err = source_read(part->src, kp->cbuf, pd->size, pd->offset);
	if (!err && want >= kp->block_size) {
		err = decompress_with(kp->dctx, c, kp->cbuf, pd->size, out,
				      kp->block_size);
		*produced_ret = kp->block_size;
	} else if (!err) {
		err = decompress_prefix(kp->dctx, c, kp->cbuf, pd->size, out,
					kp->block_size, want, produced_ret);
	}
	if (err)
		return vmt_error_wrap(err, "%s: PFN %#" PRIx64 " (physical address %#" PRIx64
				      ", %u bytes at offset %#" PRIx64 ")",
				      part->src->name, pfn, paddr, pd->size,
				      pd->offset);
	dump->compressions |= 1u << c;
	dump->nr_page_loads++;
	return NULL;
}

// Read @p len bytes at @p paddr from the page's data: uncompressed pages
// straight from the file (the OS caches those); compressed ones through
// the cache, decompressed only as far as the read needs; a whole block
// straight into the caller's buffer (who asks for whole blocks keeps
// them: a sequential reader, the table cache).
static struct vmt_error *read_from_file(struct dump *dump, uint64_t paddr,
					void *buf, size_t len)
{
	struct kdump_priv *kp = dump->priv;
	uint64_t pfn = paddr >> kp->shift, in_page = paddr & (kp->block_size - 1);
	struct kdump_part *part;
	struct page_desc pd;
	enum compression c;
	struct vmt_error *err;
	size_t slot, produced;
	void *page;

	err = find_page(dump, paddr, &part, &pd);
	if (err)
		return err;
	if (!compression_of(pd.flags, &c))
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: page descriptor of PFN %#" PRIx64
					" has several compression flags (%#x)",
					part->src->name, pfn, pd.flags);
	if (c == COMPRESSION_NONE) {
		if (pd.size != kp->block_size)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: uncompressed page of PFN %#" PRIx64
						" has %u bytes, expected the block size %u",
						part->src->name, pfn, pd.size,
						kp->block_size);
		dump->compressions |= 1u << c;
		err = source_read(part->src, buf, len, pd.offset + in_page);
		if (err)
			return vmt_error_wrap(err, "PFN %#" PRIx64 " (physical address %#" PRIx64 ")",
					      pfn, paddr);
		return NULL;
	}
	if (len == kp->block_size)
		return load_page(dump, part, &pd, c, paddr, buf, len, &produced);
	page = page_cache_reserve(&kp->cache, &slot);
	err = load_page(dump, part, &pd, c, paddr, page, in_page + len,
			&produced);
	if (err)
		return err;
	kp->valid[slot] = (uint32_t)produced;
	page_cache_insert(&kp->cache, slot, pfn);
	memcpy(buf, (const unsigned char *)page + in_page, len);
	return NULL;
}

// Read @p len bytes at @p paddr inside one block, through the block cache.
static struct vmt_error *read_block(struct dump *dump, uint64_t paddr,
				    void *buf, size_t len)
{
	struct kdump_priv *kp = dump->priv;
	uint64_t in_page = paddr & (kp->block_size - 1);
	unsigned char *page = (unsigned char *)page_cache_lookup(
		&kp->cache, paddr >> kp->shift);
	size_t slot;

	if (!page)
		return read_from_file(dump, paddr, buf, len);
	slot = (size_t)(page - kp->cache.data) / kp->cache.page_size;
	if (in_page + len > kp->valid[slot]) {
		// Only the start of the page was decompressed: now all of it.
		struct kdump_part *part;
		struct page_desc pd;
		enum compression c = COMPRESSION_NONE;
		size_t produced;
		struct vmt_error *err = find_page(dump, paddr, &part, &pd);

		if (!err && !compression_of(pd.flags, &c))
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "page descriptor of PFN %#" PRIx64
					       " changed", paddr >> kp->shift);
		if (!err)
			err = load_page(dump, part, &pd, c, paddr, page,
					kp->block_size, &produced);
		if (err) {
			kp->valid[slot] = 0;
			return err;
		}
		kp->valid[slot] = kp->block_size;
	}
	memcpy(buf, page + in_page, len);
	return NULL;
}

// Reads inside one granule go through the granule cache (when blocks are
// bigger than granules), filled from the block: the whole granule, so any
// later read of that page hits. Others read the block.
static struct vmt_error *kdump_read_page(struct dump *dump, uint64_t paddr,
					 void *buf, size_t len)
{
	struct kdump_priv *kp = dump->priv;
	uint64_t granule = UINT64_C(1) << kp->gshift;
	uint64_t in_granule = paddr & (granule - 1);
	const unsigned char *hit;
	unsigned char *fill;
	struct vmt_error *err;
	size_t slot;

	if (!kp->granules.nr || in_granule + len > granule)
		return read_block(dump, paddr, buf, len);
	hit = page_cache_lookup(&kp->granules, paddr >> kp->gshift);
	if (hit) {
		memcpy(buf, hit + in_granule, len);
		return NULL;
	}
	fill = page_cache_reserve(&kp->granules, &slot);
	err = read_block(dump, paddr - in_granule, fill, granule);
	if (err) {
		// Read what was asked for alone: its error names that address,
		// not the granule's start.
		vmt_error_destroy(err);
		return read_block(dump, paddr, buf, len);
	}
	page_cache_insert(&kp->granules, slot, paddr >> kp->gshift);
	memcpy(buf, fill + in_granule, len);
	return NULL;
}

static struct vmt_error *kdump_locate(struct dump *dump, uint64_t paddr,
				      struct dump_location *ret)
{
	struct kdump_part *part = NULL;
	struct page_desc pd;
	struct dump_location loc = { 0 };
	struct vmt_error *err = find_page(dump, paddr, &part, &pd);
	struct kdump_priv *kp = dump->priv;
	enum compression c;

	if (err) {
		if (err->code != VMT_ERROR_FAULT)
			return err;
		loc.state = err->fault == VMT_FAULT_EXCLUDED ? DUMP_PAGE_EXCLUDED :
			    err->fault == VMT_FAULT_LOST     ? DUMP_PAGE_LOST :
							       DUMP_PAGE_NOT_IN_DUMP;
		vmt_error_destroy(err);
		*ret = loc;
		return NULL;
	}
	if (!compression_of(pd.flags, &c))
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: page descriptor of PFN %#" PRIx64
					" has several compression flags (%#x)",
					part->src->name, paddr >> kp->shift, pd.flags);
	loc.state = DUMP_PAGE_PRESENT;
	loc.file_index = part->file_index;
	loc.file_offset = pd.offset;
	loc.compressed = c != COMPRESSION_NONE;
	loc.compression = c;
	loc.stored_size = pd.size;
	*ret = loc;
	return NULL;
}

// The RAM ranges: runs of set bits of bitmap 1, found chunk by chunk (holes
// skipped), only when asked for.
static struct vmt_error *kdump_load_ranges(struct dump *dump)
{
	struct kdump_priv *kp = dump->priv;
	size_t cap = 0;
	uint64_t pfn = 0;

	while (pfn < kp->max_mapnr) {
		uint64_t start, end;
		struct vmt_error *err = kdump_bitmap_next_run(&kp->bitmap1, pfn,
							      &start, &end);

		if (err)
			return err;
		if (start >= kp->max_mapnr)
			break;
		if (dump->nr_ram_ranges == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct vmt_phys_range *n =
				realloc(dump->ram_ranges, ncap * sizeof(*n));

			if (!n)
				return &vmt_enomem;
			dump->ram_ranges = n;
			cap = ncap;
		}
		dump->ram_ranges[dump->nr_ram_ranges].start = start << kp->shift;
		dump->ram_ranges[dump->nr_ram_ranges].end = end << kp->shift;
		dump->nr_ram_ranges++;
		pfn = end;
	}
	return NULL;
}

// Learn the compressions from the header and the first descriptors;
// load_page() adds any other as pages are read.
static void sample_compressions(struct dump *dump, const struct kdump_header *h)
{
	struct kdump_priv *kp = dump->priv;
	unsigned char *buf = malloc(PD_SAMPLE * PD_SIZE);

	if (h->status & DUMP_DH_COMPRESSED_ZLIB)
		dump->compressions |= 1u << COMPRESSION_ZLIB;
	if (h->status & DUMP_DH_COMPRESSED_LZO)
		dump->compressions |= 1u << COMPRESSION_LZO;
	if (h->status & DUMP_DH_COMPRESSED_SNAPPY)
		dump->compressions |= 1u << COMPRESSION_SNAPPY;
	if (h->status & DUMP_DH_COMPRESSED_ZSTD)
		dump->compressions |= 1u << COMPRESSION_ZSTD;
	if (!buf)
		return;
	for (size_t i = 0; i < kp->nr_parts; i++) {
		struct kdump_part *part = &kp->parts[i];
		uint64_t first_chunk_end = part->start_pfn +
					   part->bitmap2.chunk_bits;
		uint64_t n = 0;

		// Only descriptors known to exist: those of the PFNs in the
		// part's first bitmap chunk (one chunk read, whatever the
		// dump's size). Other compressions are learnt as pages are read.
		if (first_chunk_end > part->end_pfn)
			first_chunk_end = part->end_pfn;
		if (kdump_bitmap_rank(&part->bitmap2, first_chunk_end, &n) ||
		    n < part->rank_base)
			continue;
		n -= part->rank_base;
		if (n > part->nr_desc_in_file)
			n = part->nr_desc_in_file;
		if (n > PD_SAMPLE)
			n = PD_SAMPLE;
		if (source_read(part->src, buf, n * PD_SIZE, part->desc_off))
			continue;
		for (uint64_t j = 0; j < n; j++) {
			struct page_desc pd;
			enum compression c;

			decode_desc(buf + j * PD_SIZE, kp->be, &pd);
			if (pd.offset && compression_of(pd.flags, &c))
				dump->compressions |= 1u << c;
		}
	}
	free(buf);
}

static int cmp_part(const void *a, const void *b)
{
	const struct kdump_part *x = a, *y = b;

	return x->start_pfn < y->start_pfn ? -1 : x->start_pfn > y->start_pfn;
}

static struct vmt_error *check_same_set(const struct kdump_header *h0,
					const char *name0,
					const struct kdump_header *h,
					const char *name)
{
	const char *what = NULL;

	if (h->block_size != h0->block_size)
		what = "block size";
	else if (h->max_mapnr != h0->max_mapnr)
		what = "max_mapnr";
	else if (h->ts_sec != h0->ts_sec || h->ts_usec != h0->ts_usec)
		what = "timestamp";
	else if (memcmp(h->uts, h0->uts, sizeof(h->uts)))
		what = "utsname";
	else if (h->be != h0->be)
		what = "byte order";
	else if (h->bitmap_blocks != h0->bitmap_blocks)
		what = "bitmap size";
	else if (h->sub_hdr_size != h0->sub_hdr_size)
		what = "sub-header size";
	if (!what)
		return NULL;
	return vmt_error_format(VMT_ERROR_BAD_DATA,
				"%s is not part of the same split dump as %s: its header has a different %s",
				name, name0, what);
}

// Check that the parts (sorted) cover [0, max_mapnr) once each.
static struct vmt_error *check_coverage(const struct kdump_priv *kp)
{
	uint64_t next = 0;

	for (size_t i = 0; i < kp->nr_parts; i++) {
		const struct kdump_part *p = &kp->parts[i];

		if (p->start_pfn > next)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"split dump: a part is missing: no file covers PFNs [%#" PRIx64
						", %#" PRIx64 ") (%s starts at %#" PRIx64 ")",
						next, p->start_pfn,
						p->src->name, p->start_pfn);
		if (p->start_pfn < next)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"split dump: %s (PFNs [%#" PRIx64 ", %#" PRIx64
						")) overlaps %s: a part is given twice",
						p->src->name, p->start_pfn, p->end_pfn,
						kp->parts[i - 1].src->name);
		next = p->end_pfn;
	}
	if (next < kp->max_mapnr)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"split dump: a part is missing: no file covers PFNs [%#" PRIx64
					", %#" PRIx64 ") (%s ends at %#" PRIx64 ")",
					next, kp->max_mapnr,
					kp->parts[kp->nr_parts - 1].src->name,
					next);
	return NULL;
}

static struct vmt_error *kdump_setup(struct dump *dump, struct kdump_priv *kp,
				     struct kdump_header *hdrs)
{
	const struct kdump_header *h = &hdrs[0];
	struct vmt_error *err;
	size_t nr_cache;

	kp->block_size = h->block_size;
	kp->shift = (unsigned int)__builtin_ctz(h->block_size);
	kp->be = h->be;
	kp->max_mapnr = h->max_mapnr;
	kp->incomplete = h->status & DUMP_DH_COMPRESSED_INCOMPLETE;
	if (kp->shift >= MAX_PA_BITS ||
	    h->max_mapnr > (UINT64_C(1) << (MAX_PA_BITS - kp->shift)))
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: max_mapnr %#" PRIx64 " at offset %#x: %u-byte pages beyond 2^%d bytes, more than an arm64 physical address reaches",
					kp->parts[0].src->name, h->max_mapnr,
					h->version >= 6 ? (unsigned)(h->block_size + SH_MAX_MAPNR_64) :
							  (unsigned)DH_MAX_MAPNR,
					h->block_size, MAX_PA_BITS);

	for (size_t i = 0; i < kp->nr_parts; i++) {
		struct kdump_part *p = &kp->parts[i];

		if (i) {
			err = check_same_set(h, kp->parts[0].src->name,
					     &hdrs[i], p->src->name);
			if (err)
				return err;
		}
		if (kp->nr_parts > 1 && !hdrs[i].split)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s is not part of a split dump (its sub-header has split = 0), but %zu files were given",
						p->src->name, kp->nr_parts);
		if (hdrs[i].split) {
			p->start_pfn = hdrs[i].start_pfn;
			p->end_pfn = hdrs[i].end_pfn;
		} else {
			p->start_pfn = 0;
			p->end_pfn = h->max_mapnr;
		}
		if (p->end_pfn > h->max_mapnr)
			p->end_pfn = h->max_mapnr;
	}
	// One file whose sub-header says it is a part of a split set that
	// does not cover all PFNs: a part given alone, or a corrupt field.
	if (kp->nr_parts == 1 && h->split &&
	    (h->start_pfn || h->end_pfn < h->max_mapnr))
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: its kdump sub-header (offset %#x) says it is one part of a split dump (split = %d, PFNs [%#" PRIx64
					", %#" PRIx64 ") of %#" PRIx64
					"): give every part of the set together",
					kp->parts[0].src->name, h->block_size,
					h->split, h->start_pfn, h->end_pfn,
					h->max_mapnr);
	if (h->split || kp->nr_parts > 1) {
		qsort(kp->parts, kp->nr_parts, sizeof(*kp->parts), cmp_part);
		err = check_coverage(kp);
		if (err)
			return err;
	}
	for (size_t i = 0; i < kp->nr_parts; i++) {
		// Headers were checked equal, so any one describes the layout.
		err = part_init(kp, &kp->parts[i], h);
		if (err)
			return err;
		if (kp->parts[i].truncated)
			kp->incomplete = true;
	}
	{
		struct kdump_part *p0 = &kp->parts[0];
		uint64_t half = (uint64_t)h->bitmap_blocks * h->block_size / 2;

		err = kdump_bitmap_init(&kp->bitmap1, p0->src,
					p0->desc_off - 2 * half, kp->max_mapnr,
					false, "1st");
		if (err)
			return err;
	}

	kp->gshift = kp->shift < GRANULE_SHIFT ? kp->shift : GRANULE_SHIFT;
	if (kp->gshift == kp->shift) {
		nr_cache = CACHE_BYTES / kp->block_size;
	} else {
		nr_cache = BLOCK_CACHE_BYTES / kp->block_size;
		if (nr_cache < BLOCK_CACHE_MIN)
			nr_cache = BLOCK_CACHE_MIN;
		err = page_cache_init(&kp->granules,
				      CACHE_BYTES >> GRANULE_SHIFT,
				      (size_t)1 << GRANULE_SHIFT);
		if (err)
			return err;
	}
	err = page_cache_init(&kp->cache, nr_cache, kp->block_size);
	if (err)
		return err;
	kp->cbuf = malloc(kp->block_size);
	kp->valid = calloc(kp->cache.nr, sizeof(*kp->valid));
	if (!kp->cbuf || !kp->valid)
		return &vmt_enomem;
	err = decompress_ctx_create(&kp->dctx);
	if (err)
		return err;

	dump->format_name = kp->nr_parts > 1 || h->split ? "split" : "kdump";
	dump->block_size = h->block_size;
	dump->header_version = h->version;
	dump->dump_level = h->dump_level;
	dump->big_endian = h->be;
	dump->incomplete = kp->incomplete;
	// The header's utsname may be blank or "Unknown" (QEMU): assume arm64.
	dump->machine = EM_AARCH64_VALUE;
	memcpy(dump->uts_machine, h->uts[4], sizeof(dump->uts_machine));
	dump->uts_machine[sizeof(dump->uts_machine) - 1] = '\0';
	dump->has_timestamp = h->ts_sec || h->ts_usec;
	dump->timestamp = (uint64_t)h->ts_sec;
	dump->header_nr_cpus = h->nr_cpus;

	for (size_t i = 0; i < kp->nr_parts; i++) {
		// hdrs[0] is the first file given; parts are sorted by PFN.
		if (kp->parts[i].file_index == 0)
			err = read_notes_and_info(dump, kp->parts[i].src, h);
	}
	if (err)
		return err;
	sample_compressions(dump, h);
	return NULL;
}

static struct vmt_error *kdump_open(struct dump *dump, struct source **srcs,
				    size_t nr_srcs)
{
	struct kdump_header *hdrs = NULL;
	struct kdump_priv *kp;
	struct vmt_error *err = NULL;

	kp = calloc(1, sizeof(*kp));
	if (kp)
		kp->parts = calloc(nr_srcs, sizeof(*kp->parts));
	hdrs = calloc(nr_srcs, sizeof(*hdrs));
	if (!kp || !kp->parts || !hdrs) {
		for (size_t i = 0; i < nr_srcs; i++)
			source_destroy(srcs[i]);
		if (kp)
			free(kp->parts);
		free(kp);
		free(hdrs);
		return &vmt_enomem;
	}
	for (size_t i = 0; i < nr_srcs; i++) {
		kp->parts[i].src = srcs[i];
		kp->parts[i].file_index = i;
	}
	kp->nr_parts = nr_srcs;
	dump->priv = kp;
	for (size_t i = 0; i < nr_srcs && !err; i++)
		err = parse_header(srcs[i], &hdrs[i]);
	if (!err)
		err = kdump_setup(dump, kp, hdrs);
	free(hdrs);
	if (err)
		kdump_close(dump);
	return err;
}

const struct dump_format dump_format_kdump = {
	.name = "kdump",
	.probe = kdump_probe,
	.open = kdump_open,
	.locate = kdump_locate,
	.read_page = kdump_read_page,
	.load_ranges = kdump_load_ranges,
	.close = kdump_close,
};
