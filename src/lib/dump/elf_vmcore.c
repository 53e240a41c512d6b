// ELF64 vmcores (QEMU dump-guest-memory, /proc/vmcore, makedumpfile -E):
// PT_LOAD segments by physical address, PT_NOTE for VMCOREINFO and
// registers. Parsed by hand with bounds checks, either byte order.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/dump.h"
#include "dump/page_cache.h"
#include "source/extents.h"

// The end of the largest arm64 physical address space (52 bits).
#define ARM64_MAX_PHYS_END (UINT64_C(1) << 52)

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define ET_CORE_VALUE 4
#define PT_LOAD_VALUE 1
#define PT_NOTE_VALUE 4
#define PN_XNUM_VALUE 0xffff
#define EM_AARCH64_VALUE 183
// makedumpfile's DUMP_ELF_INCOMPLETE.
#define ELF_FLAG_INCOMPLETE 0x1
// Notes are small (a few KiB per CPU); refuse absurd sizes from bad headers.
#define MAX_NOTE_SIZE (64u << 20)
// Blocks of file data cached for small reads: 8 MiB, whatever the dump's
// size, so that a page read twice (page tables, structures) costs one
// pread. Runs of blocks read in one request go straight to the caller.
#define ELF_BLOCK_SHIFT 12
#define ELF_BLOCK_SIZE (1u << ELF_BLOCK_SHIFT)
#define ELF_CACHE_BLOCKS 2048
// Read-ahead for small reads that walk forward block by block (a list of
// structures, a table): up to this many blocks in one pread.
#define ELF_READAHEAD_MAX 8
// Scan resistance: over each window of this many small reads, a hit rate
// below 1/8 means the reads go all over the dump (a walk over distinct
// pages). Then a missed block is cached only when it was missed recently
// already (it came back); the others are read as they are, a pread of the
// few bytes asked for, which costs less than filling a block that would
// be evicted before its next use.
#define ELF_MODE_WINDOW 256
#define ELF_GHOSTS 4096

enum elf_extent_kind {
	ELF_DATA,
	ELF_ZERO,   // p_filesz < p_memsz
	ELF_LOST,   // incomplete dump: the file ends inside the segment
};

struct elf_priv {
	struct source *src;
	struct extent *ext;
	size_t nr_ext;
	// The extent the last read used: reads cluster.
	size_t last_ext;
	struct page_cache cache;
	// Read-ahead state: the block a forward walk would read next, and
	// how many blocks the next miss reads.
	uint64_t next_block;
	unsigned int readahead;
	unsigned char *ra_buf;
	// Scan resistance (see ELF_MODE_WINDOW): small reads and hits in the
	// current window, the mode the last window chose, and the blocks
	// missed lately (block + 1, direct-mapped).
	unsigned int window_reads, window_hits;
	bool scattered;
	uint64_t ghosts[ELF_GHOSTS];
};

static bool elf_probe(struct source *src)
{
	unsigned char id[5];

	// A file too short for the magic is not this format (the read error
	// is not news).
	if (!vmt_error_ok(source_read(src, id, sizeof(id), 0)))
		return false;
	return !memcmp(id, "\177ELF", 4);
}

static void elf_close(struct dump *dump)
{
	struct elf_priv *ep = dump->priv;

	source_destroy(ep->src);
	free(ep->ext);
	page_cache_deinit(&ep->cache);
	free(ep->ra_buf);
	free(ep);
	dump->priv = NULL;
}

static struct vmt_error *read_notes(struct dump *dump, struct source *src,
				    uint64_t off, uint64_t size, bool be)
{
	bool had_vmcoreinfo = dump->vmcoreinfo != NULL;
	struct vmt_error *err;
	void *buf;

	if (size > MAX_NOTE_SIZE)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: PT_NOTE at offset %#" PRIx64 " has %" PRIu64
					" bytes (more than %u: not a note segment)",
					src->name, off, size, MAX_NOTE_SIZE);
	buf = malloc(size ? size : 1);
	if (!buf)
		return vmt_error_wrap(&vmt_enomem, "%s: PT_NOTE at offset %#" PRIx64
				      " (%" PRIu64 " bytes)", src->name, off, size);
	err = source_read(src, buf, size, off);
	if (!err)
		err = dump_parse_notes(dump, buf, size, be);
	free(buf);
	if (err)
		return vmt_error_wrap(err, "%s: PT_NOTE at offset %#" PRIx64,
				      src->name, off);
	// dump_parse_notes() placed it in the note area; name the file's.
	if (!had_vmcoreinfo && dump->vmcoreinfo)
		dump->vmcoreinfo_offset += off;
	return NULL;
}

// Names of the machines a vmcore of the wrong kind is most likely from.
static const char *machine_name(unsigned int machine)
{
	switch (machine) {
	case 0: return "none";
	case 3: return "i386";
	case 8: return "MIPS";
	case 20: return "PowerPC";
	case 21: return "PowerPC64";
	case 22: return "S/390";
	case 40: return "ARM (32-bit)";
	case 62: return "x86-64";
	case 243: return "RISC-V";
	case 258: return "LoongArch";
	default: return "not AArch64";
	}
}

// Each note area is read and parsed: their sizes together must fit in the
// file, or a few headers could have us read the same bytes without end.
static struct vmt_error *check_note_total(struct source *src,
					  const unsigned char *ph,
					  uint64_t phnum, uint64_t phentsize,
					  bool be)
{
	uint64_t total = 0;

	for (uint64_t i = 0; i < phnum; i++) {
		const unsigned char *p = ph + i * phentsize;

		if (load32(p, be) != PT_NOTE_VALUE)
			continue;
		total += load64(p + 32, be) < src->size ? load64(p + 32, be) :
							  src->size + 1;
		if (total > src->size)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"%s: the PT_NOTE headers up to program header %" PRIu64
						" claim more note bytes than the file's %" PRIu64,
						src->name, i, src->size);
	}
	return NULL;
}

static struct vmt_error *build_ranges(struct dump *dump, const struct extent *ext,
				      size_t nr)
{
	dump->ram_ranges = calloc(nr ? nr : 1, sizeof(*dump->ram_ranges));
	if (!dump->ram_ranges)
		return &vmt_enomem;
	for (size_t i = 0; i < nr; i++) {
		if (dump->nr_ram_ranges &&
		    dump->ram_ranges[dump->nr_ram_ranges - 1].end == ext[i].start) {
			dump->ram_ranges[dump->nr_ram_ranges - 1].end = ext[i].end;
			continue;
		}
		dump->ram_ranges[dump->nr_ram_ranges].start = ext[i].start;
		dump->ram_ranges[dump->nr_ram_ranges].end = ext[i].end;
		dump->nr_ram_ranges++;
	}
	return NULL;
}

static struct vmt_error *parse_elf(struct dump *dump, struct elf_priv *ep)
{
	struct source *src = ep->src;
	unsigned char eh[EHDR_SIZE], *ph = NULL;
	struct extent *loads = NULL;
	size_t nr_loads = 0;
	uint64_t phoff, phnum, phentsize;
	struct vmt_error *err = NULL;
	bool be;

	err = source_read(src, eh, sizeof(eh), 0);
	if (err)
		return vmt_error_wrap(err, "ELF header");
	if (eh[4] != 2)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"%s: ELF class %u: only 64-bit (ELFCLASS64) vmcores are supported",
					src->name, eh[4]);
	if (eh[5] != 1 && eh[5] != 2)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: ELF data encoding %u at offset 5 (expected 1 or 2)",
					src->name, eh[5]);
	be = eh[5] == 2;
	dump->big_endian = be;
	if (load16(eh + 16, be) != ET_CORE_VALUE)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: ELF type %u, expected ET_CORE (4): not a vmcore",
					src->name, load16(eh + 16, be));
	dump->machine = load16(eh + 18, be);
	if (dump->machine != EM_AARCH64_VALUE)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"%s: ELF machine %u (%s) at offset 18: only AArch64 (EM_AARCH64, 183) dumps are supported",
					src->name, dump->machine,
					machine_name(dump->machine));
	dump->incomplete = load32(eh + 48, be) & ELF_FLAG_INCOMPLETE;
	phoff = load64(eh + 32, be);
	phentsize = load16(eh + 54, be);
	phnum = load16(eh + 56, be);
	if (phentsize < PHDR_SIZE)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: e_phentsize %" PRIu64 " at offset 54, expected >= %d",
					src->name, phentsize, PHDR_SIZE);
	if (phnum == PN_XNUM_VALUE) {
		// More than 65534 headers: the count is section 0's sh_info.
		unsigned char sh[SHDR_SIZE];
		uint64_t shoff = load64(eh + 40, be);

		err = source_read(src, sh, sizeof(sh), shoff);
		if (err)
			return vmt_error_wrap(err, "section header 0 (PN_XNUM)");
		phnum = load32(sh + 44, be);
	}
	if (phoff > src->size || phnum * phentsize > src->size - phoff)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"%s: %" PRIu64 " program headers at offset %#" PRIx64
					" run past the end of the file (%" PRIu64 " bytes)",
					src->name, phnum, phoff, src->size);
	ph = malloc(phnum ? phnum * phentsize : 1);
	loads = calloc(phnum ? 3 * phnum : 1, sizeof(*loads));
	if (!ph || !loads) {
		err = vmt_error_wrap(&vmt_enomem, "%s: %" PRIu64 " program headers",
				     src->name, phnum);
		goto out;
	}
	err = source_read(src, ph, phnum * phentsize, phoff);
	if (!err)
		err = check_note_total(src, ph, phnum, phentsize, be);
	if (err)
		goto out;
	for (uint64_t i = 0; i < phnum; i++) {
		const unsigned char *p = ph + i * phentsize;
		uint32_t type = load32(p, be);
		uint64_t offset = load64(p + 8, be);
		uint64_t paddr = load64(p + 24, be);
		uint64_t filesz = load64(p + 32, be);
		uint64_t memsz = load64(p + 40, be);
		uint64_t in_file;

		if (type == PT_NOTE_VALUE) {
			err = read_notes(dump, src, offset, filesz, be);
			if (err)
				goto out;
			continue;
		}
		if (type != PT_LOAD_VALUE)
			continue;
		if (memsz < filesz)
			memsz = filesz;
		if (paddr > UINT64_MAX - memsz) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "%s: PT_LOAD %" PRIu64 ": p_paddr %#" PRIx64
					       " + p_memsz %#" PRIx64 " overflows",
					       src->name, i, paddr, memsz);
			goto out;
		}
		// arm64 physical addresses have at most 52 bits (FEAT_LPA,
		// LPA2): a segment past them claims memory no machine has,
		// and walks over RAM would never end.
		if (paddr + memsz > ARM64_MAX_PHYS_END) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "%s: PT_LOAD %" PRIu64 ": p_paddr %#" PRIx64
					       " + p_memsz %#" PRIx64
					       " ends past 2^52, beyond any arm64 physical address",
					       src->name, i, paddr, memsz);
			goto out;
		}
		in_file = filesz;
		if (offset > src->size || filesz > src->size - offset) {
			// The file ends inside this segment: an incomplete
			// dump, or one cut short in transfer. What is there
			// stays readable; the rest reads as lost.
			dump->incomplete = true;
			in_file = offset > src->size ? 0 : src->size - offset;
		}
		// Where segments overlap, file data beats zero fill, and the
		// earlier header wins among equals.
		loads[nr_loads++] = (struct extent){
			.start = paddr, .end = paddr + in_file, .off = offset,
			.prio = (2ull << 40) + (phnum - i), .kind = ELF_DATA,
		};
		loads[nr_loads++] = (struct extent){
			.start = paddr + in_file, .end = paddr + filesz,
			.prio = (1ull << 40) + (phnum - i), .kind = ELF_LOST,
		};
		loads[nr_loads++] = (struct extent){
			.start = paddr + filesz, .end = paddr + memsz,
			.prio = phnum - i, .kind = ELF_ZERO,
		};
	}
	err = extents_overlay(loads, nr_loads, &ep->ext, &ep->nr_ext);
	if (!err)
		err = build_ranges(dump, ep->ext, ep->nr_ext);
out:
	free(ph);
	free(loads);
	return err;
}

static struct vmt_error *elf_open(struct dump *dump, struct source **srcs,
				  size_t nr_srcs)
{
	struct elf_priv *ep;
	struct vmt_error *err;

	if (nr_srcs != 1) {
		err = vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
				       "%s: an ELF vmcore is one file, but %zu files were given",
				       srcs[0]->name, nr_srcs);
		for (size_t i = 0; i < nr_srcs; i++)
			source_destroy(srcs[i]);
		return err;
	}
	ep = calloc(1, sizeof(*ep));
	if (!ep) {
		source_destroy(srcs[0]);
		return &vmt_enomem;
	}
	ep->src = srcs[0];
	dump->priv = ep;
	dump->format_name = "elf";
	dump->block_size = ELF_BLOCK_SIZE;
	dump->uts_machine[0] = '\0';
	err = parse_elf(dump, ep);
	if (!err)
		err = page_cache_init(&ep->cache, ELF_CACHE_BLOCKS,
				      ELF_BLOCK_SIZE);
	if (!err) {
		ep->ra_buf = malloc((size_t)ELF_READAHEAD_MAX * ELF_BLOCK_SIZE);
		if (!ep->ra_buf)
			err = &vmt_enomem;
	}
	if (err)
		elf_close(dump);
	return err;
}

static struct vmt_error *elf_locate(struct dump *dump, uint64_t paddr,
				    struct dump_location *ret)
{
	struct elf_priv *ep = dump->priv;
	struct dump_location loc = { .state = DUMP_PAGE_NOT_IN_DUMP };
	int found;
	size_t i = extents_find(ep->ext, ep->nr_ext, paddr, &found);

	// A hole runs to the next extent.
	loc.run_end = found ? ep->ext[i].end :
		      i < ep->nr_ext ? ep->ext[i].start : UINT64_MAX;
	if (found) {
		const struct extent *e = &ep->ext[i];

		switch (e->kind) {
		case ELF_DATA:
			loc.state = DUMP_PAGE_PRESENT;
			loc.file_offset = e->off + (paddr - e->start);
			break;
		case ELF_ZERO:
			loc.state = DUMP_PAGE_PRESENT;
			loc.zero_fill = true;
			break;
		default:
			loc.state = DUMP_PAGE_LOST;
			break;
		}
	}
	*ret = loc;
	return NULL;
}

// The extent holding @p paddr, or the first after it; the last one used
// is tried first.
static size_t find_extent(struct elf_priv *ep, uint64_t paddr)
{
	int found;

	if (ep->last_ext < ep->nr_ext && ep->ext[ep->last_ext].start <= paddr &&
	    paddr < ep->ext[ep->last_ext].end)
		return ep->last_ext;
	return extents_find(ep->ext, ep->nr_ext, paddr, &found);
}

// Read [@p paddr, +@p len) piece by piece from the file, straight into
// @p buf: no cache. Any length.
static struct vmt_error *read_uncached(struct elf_priv *ep, uint64_t paddr,
				       void *buf, size_t len)
{
	unsigned char *p = buf;
	size_t i = find_extent(ep, paddr);

	while (len) {
		const struct extent *e;
		uint64_t n;
		struct vmt_error *err;

		if (i >= ep->nr_ext || ep->ext[i].start > paddr)
			return vmt_error_fault(VMT_FAULT_NOT_IN_DUMP, paddr,
					       "not in dump: no PT_LOAD covers physical address %#" PRIx64,
					       paddr);
		e = &ep->ext[i];
		ep->last_ext = i;
		n = e->end - paddr;
		if (n > len)
			n = len;
		switch (e->kind) {
		case ELF_DATA:
			err = source_read(ep->src, p, n, e->off + (paddr - e->start));
			if (err)
				return vmt_error_wrap(err, "physical address %#" PRIx64,
						      paddr);
			break;
		case ELF_ZERO:
			memset(p, 0, n);
			break;
		default:
			return vmt_error_fault(VMT_FAULT_LOST, paddr,
					       "physical address %#" PRIx64
					       " was lost: the dump is incomplete (its file ends before this part of the PT_LOAD)",
					       paddr);
		}
		p += n;
		paddr += n;
		len -= n;
		i++;
	}
	return NULL;
}

// Bring block @p block (wholly file data of extent @p e) into the cache,
// with the blocks after it when reads walk forward; the cached copy, or
// NULL if the file cannot be read there.
static const unsigned char *fill_block(struct dump *dump, struct elf_priv *ep,
				       const struct extent *e, uint64_t block)
{
	uint64_t start = block << ELF_BLOCK_SHIFT;
	uint64_t in_ext = (e->end - start) >> ELF_BLOCK_SHIFT;
	unsigned char *first, *from;
	unsigned int n;
	struct vmt_error *err;
	size_t slot;

	ep->readahead = block == ep->next_block ?
				(ep->readahead * 2 > ELF_READAHEAD_MAX ?
					 ELF_READAHEAD_MAX : ep->readahead * 2) :
				1;
	n = ep->readahead;
	if (n > in_ext)
		n = (unsigned int)in_ext;
	first = page_cache_reserve(&ep->cache, &slot);
	// One block goes straight into its slot; more through the buffer.
	from = n == 1 ? first : ep->ra_buf;
	err = source_read(ep->src, from, (size_t)n << ELF_BLOCK_SHIFT,
			  e->off + (start - e->start));
	if (err) {
		// Leave the error to the uncached path, which names it.
		vmt_error_destroy(err);
		return NULL;
	}
	if (n > 1)
		memcpy(first, from, ELF_BLOCK_SIZE);
	page_cache_insert(&ep->cache, slot, block);
	dump->nr_page_loads++;
	for (unsigned int k = 1; k < n; k++) {
		unsigned char *data;

		if (page_cache_peek(&ep->cache, block + k))
			continue;
		data = page_cache_reserve(&ep->cache, &slot);
		memcpy(data, from + ((size_t)k << ELF_BLOCK_SHIFT),
		       ELF_BLOCK_SIZE);
		page_cache_insert(&ep->cache, slot, block + k);
		dump->nr_page_loads++;
	}
	ep->next_block = block + n;
	return first;
}

// Count a small read for the mode; true if it hit.
static bool count_read(struct elf_priv *ep, bool hit)
{
	ep->window_hits += hit;
	if (++ep->window_reads == ELF_MODE_WINDOW) {
		ep->scattered = ep->window_hits < ELF_MODE_WINDOW / 8;
		ep->window_reads = ep->window_hits = 0;
	}
	return hit;
}

// In scattered mode: whether @p block came back since it was last missed
// (then it is worth caching); notes it as missed.
static bool came_back(struct elf_priv *ep, uint64_t block)
{
	uint64_t *g = &ep->ghosts[((block * UINT64_C(0x9E3779B97F4A7C15)) >> 32) &
				   (ELF_GHOSTS - 1)];

	if (*g == block + 1)
		return true;
	*g = block + 1;
	return false;
}

static struct vmt_error *elf_read_page(struct dump *dump, uint64_t paddr,
				       void *buf, size_t len)
{
	struct elf_priv *ep = dump->priv;
	uint64_t block = paddr >> ELF_BLOCK_SHIFT;
	uint64_t start = block << ELF_BLOCK_SHIFT;
	const unsigned char *data = page_cache_lookup(&ep->cache, block);
	const struct extent *e;
	size_t i;

	if (len < ELF_BLOCK_SIZE && count_read(ep, data != NULL)) {
		memcpy(buf, data + (paddr - start), len);
		return NULL;
	}
	if (data) {
		memcpy(buf, data + (paddr - start), len);
		return NULL;
	}
	i = find_extent(ep, paddr);
	if (i >= ep->nr_ext)
		return read_uncached(ep, paddr, buf, len);
	e = &ep->ext[i];
	// Only blocks that are file data from end to end are cached; the
	// rare block across a segment boundary is read as it is each time.
	if (e->kind != ELF_DATA || e->start > start ||
	    e->end - start < ELF_BLOCK_SIZE)
		return read_uncached(ep, paddr, buf, len);
	ep->last_ext = i;
	// A whole block goes to the caller, who keeps it (the table cache
	// above, a reader of big structures): copying it here too would only
	// evict what small reads come back for.
	if (len == ELF_BLOCK_SIZE)
		return read_uncached(ep, paddr, buf, len);
	if (ep->scattered && block != ep->next_block && !came_back(ep, block))
		return read_uncached(ep, paddr, buf, len);
	data = fill_block(dump, ep, e, block);
	if (!data)
		return read_uncached(ep, paddr, buf, len);
	memcpy(buf, data + (paddr - start), len);
	return NULL;
}

// Several blocks at once: straight from the file (the data never changes,
// so a cached copy of some of them needs no coherence) in as few preads as
// the segments allow.
static struct vmt_error *elf_read_range(struct dump *dump, uint64_t paddr,
					void *buf, size_t len)
{
	return read_uncached(dump->priv, paddr, buf, len);
}

// File data lies in the file as it is: in place, when the file is mapped
// and the range is within one segment's file data.
static const void *elf_map_phys(struct dump *dump, uint64_t paddr,
				size_t len)
{
	struct elf_priv *ep = dump->priv;
	const unsigned char *base = source_map(ep->src);
	const struct extent *e;
	size_t i;

	if (!base)
		return NULL;
	i = find_extent(ep, paddr);
	if (i >= ep->nr_ext)
		return NULL;
	e = &ep->ext[i];
	// ELF_DATA extents end where the file does (see the PT_LOAD loop).
	if (e->kind != ELF_DATA || e->start > paddr || e->end - paddr < len)
		return NULL;
	ep->last_ext = i;
	return base + e->off + (paddr - e->start);
}

const struct dump_format dump_format_elf = {
	.name = "elf",
	.probe = elf_probe,
	.open = elf_open,
	.locate = elf_locate,
	.read_page = elf_read_page,
	.read_range = elf_read_range,
	.map_phys = elf_map_phys,
	.close = elf_close,
};
