// kdump-compressed output (header version 6, ARM64-REFERENCE.md 2.8) and
// split sets. Two passes over the PFNs: the first counts the pages to
// keep (the descriptors, one per kept page, come before the data, so their
// number fixes where data starts); the second writes the bitmaps, the
// descriptors and the pages, and last the headers. Only a chunk of bitmap
// and a batch of pages are in memory at a time.
//
// Split sets: part k holds the kept pages of ordinals [total * k / N,
// total * (k + 1) / N) (equal page counts, as makedumpfile splits); its
// PFN range starts at its first page; every part has the whole bitmap 1
// and the bits of its own range in bitmap 2.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump/kdump_format.h"
#include "dump/writer/writer.h"

// Bytes of pages read per batch (then compressed on the workers).
#define BATCH_BYTES (256u << 10)
#define BATCH_MIN 16
#define BATCH_MAX 512
// Descriptors gathered per part before they are written.
#define DESC_BUFFER 4096

struct kwriter;

struct job {
	uint64_t pfn;
	size_t part;
	unsigned char *in;
	unsigned char *out;
	size_t out_len;
	bool zero;
	struct vmt_error *err;
};

struct batch {
	struct kwriter *kw;
	struct job *jobs;
	size_t n;
	unsigned char *in_mem;
	unsigned char *out_mem;
};

struct part {
	struct sink *sink;
	uint64_t first_ord, end_ord;
	bool has_pages;
	uint64_t start_pfn, end_pfn;
	uint64_t data_off, zero_off, data_pos;
	unsigned char *descs;
	size_t nr_descs;
	uint64_t descs_first;
	uint64_t *bm2;
	bool bm2_any;
};

struct kwriter {
	const struct writer_source *src;
	const struct vmt_save_options *opts;
	enum compression comp;
	uint32_t ps;
	bool be;
	uint64_t bm_len, bm1_off, bm2_off, desc_off;
	unsigned char *notes;
	size_t notes_len, vi_off, vi_len;
	uint32_t sub_hdr_blocks;
	struct part *parts;
	size_t nr_parts;
	uint64_t total;
	uint64_t ord;
	size_t cur_part;
	struct compressor **comps;
	unsigned int nr_comps;
	struct pool *pool;
	struct batch batches[2];
	int cur;
	bool in_flight;
	size_t batch_cap;
	uint64_t *ram, *keep;
	struct writer_cache cache;
	struct writer_stats st;
};

static enum compression compression_of(enum vmt_save_compression c)
{
	switch (c) {
	case VMT_SAVE_ZLIB:
		return COMPRESSION_ZLIB;
	case VMT_SAVE_LZO:
		return COMPRESSION_LZO;
	case VMT_SAVE_SNAPPY:
		return COMPRESSION_SNAPPY;
	case VMT_SAVE_ZSTD:
		return COMPRESSION_ZSTD;
	default:
		return COMPRESSION_NONE;
	}
}

static void compress_job(void *arg, unsigned int worker, size_t index)
{
	struct batch *b = arg;
	struct kwriter *kw = b->kw;
	struct job *j = &b->jobs[index];

	j->out_len = 0;
	j->zero = kw->src->exclude_zero && writer_all_zero(j->in, kw->ps);
	if (j->zero || kw->comp == COMPRESSION_NONE)
		return;
	j->err = compressor_page(kw->comps[worker], j->in, j->out, &j->out_len);
}

static struct vmt_error *flush_descs(struct kwriter *kw, struct part *p)
{
	struct vmt_error *err;

	if (!p->nr_descs)
		return NULL;
	err = sink_write(p->sink, kw->desc_off + p->descs_first * KDUMP_PD_SIZE,
			 p->descs, p->nr_descs * KDUMP_PD_SIZE);
	p->descs_first += p->nr_descs;
	p->nr_descs = 0;
	return err;
}

static struct vmt_error *write_batch(struct kwriter *kw, struct batch *b)
{
	struct vmt_error *err = NULL;

	for (size_t i = 0; i < b->n; i++) {
		struct job *j = &b->jobs[i];
		struct part *p = &kw->parts[j->part];
		unsigned char *d;
		uint64_t off;
		uint32_t size, flags = 0;

		if (j->err) {
			err = vmt_error_wrap(j->err, "PFN %#" PRIx64, j->pfn);
			j->err = NULL;
			for (size_t k = i + 1; k < b->n; k++) {
				vmt_error_destroy(b->jobs[k].err);
				b->jobs[k].err = NULL;
			}
			return err;
		}
		if (j->zero) {
			off = p->zero_off;
			size = kw->ps;
			kw->st.zero_pages++;
		} else {
			const void *data = j->out_len ? j->out : j->in;

			off = p->data_pos;
			size = j->out_len ? (uint32_t)j->out_len : kw->ps;
			if (j->out_len) {
				flags = compression_kdump_flag(kw->comp);
				kw->st.compressed_pages++;
			} else {
				kw->st.raw_pages++;
			}
			err = sink_write(p->sink, off, data, size);
			if (err)
				return err;
			p->data_pos += size;
		}
		d = p->descs + p->nr_descs * KDUMP_PD_SIZE;
		writer_put64(d + KDUMP_PD_OFFSET, off, kw->be);
		writer_put32(d + KDUMP_PD_SIZE_FIELD, size, kw->be);
		writer_put32(d + KDUMP_PD_FLAGS, flags, kw->be);
		writer_put64(d + KDUMP_PD_PAGE_FLAGS, 0, kw->be);
		kw->st.kept_pages++;
		if (++p->nr_descs == DESC_BUFFER) {
			err = flush_descs(kw, p);
			if (err)
				return err;
		}
	}
	b->n = 0;
	return NULL;
}

// Compress and write the current batch; with workers, the previous one
// is written while this one is compressed.
static struct vmt_error *dispatch(struct kwriter *kw)
{
	struct batch *b = &kw->batches[kw->cur];
	struct vmt_error *err = NULL;

	if (!kw->pool) {
		for (size_t i = 0; i < b->n; i++)
			compress_job(b, 0, i);
		return write_batch(kw, b);
	}
	if (kw->in_flight) {
		pool_wait(kw->pool);
		kw->in_flight = false;
		err = write_batch(kw, &kw->batches[kw->cur ^ 1]);
		if (err)
			return err;
	}
	if (b->n) {
		pool_start(kw->pool, compress_job, b, b->n);
		kw->in_flight = true;
		kw->cur ^= 1;
	}
	return NULL;
}

static struct vmt_error *add_page(struct kwriter *kw, uint64_t pfn,
				  size_t part)
{
	struct batch *b = &kw->batches[kw->cur];
	struct job *j = &b->jobs[b->n];
	struct vmt_error *err;

	err = kw->src->read_page(kw->src->arg, pfn, j->in);
	if (err)
		return vmt_error_wrap(err, "page of PFN %#" PRIx64, pfn);
	j->pfn = pfn;
	j->part = part;
	j->err = NULL;
	if (++b->n == kw->batch_cap)
		return dispatch(kw);
	return NULL;
}

static struct vmt_error *drain(struct kwriter *kw)
{
	struct vmt_error *err = dispatch(kw);

	if (!err && kw->pool && kw->in_flight) {
		pool_wait(kw->pool);
		kw->in_flight = false;
		err = write_batch(kw, &kw->batches[kw->cur ^ 1]);
	}
	return err;
}

static uint64_t chunk_words(uint64_t nr)
{
	return (nr + 63) / 64;
}

// The bits of a chunk: classified in pass 1 (and cached), from the cache
// in pass 2 where it holds them.
static struct vmt_error *classify(struct kwriter *kw, int pass, uint64_t pfn,
				  uint64_t nr)
{
	uint64_t words = chunk_words(nr), index = pfn / WRITER_CHUNK_PFNS;
	struct vmt_error *err;

	if (pass == 2 && writer_cache_get(&kw->cache, index, kw->ram, kw->keep,
					  words))
		return NULL;
	memset(kw->ram, 0, words * 8);
	memset(kw->keep, 0, words * 8);
	err = kw->src->classify(kw->src->arg, pfn, nr, kw->ram, kw->keep);
	if (!err && pass == 1)
		writer_cache_put(&kw->cache, index, kw->ram, kw->keep, words);
	return err;
}

static struct vmt_error *count_pass(struct kwriter *kw)
{
	const struct writer_source *src = kw->src;
	struct vmt_error *err = src->begin_pass(src->arg);

	for (uint64_t pfn = 0; !err && pfn < src->max_mapnr;
	     pfn += WRITER_CHUNK_PFNS) {
		uint64_t nr = src->max_mapnr - pfn < WRITER_CHUNK_PFNS ?
				      src->max_mapnr - pfn : WRITER_CHUNK_PFNS;

		err = classify(kw, 1, pfn, nr);
		for (uint64_t w = 0; !err && w < chunk_words(nr); w++) {
			kw->total += (uint64_t)__builtin_popcountll(kw->keep[w]);
			kw->st.ram_pages += (uint64_t)__builtin_popcountll(kw->ram[w]);
		}
		if (!err)
			err = writer_progress(kw->opts, 1, 2, pfn + nr,
					      src->max_mapnr, 0, 0);
	}
	return err;
}

// Write @p nbits bits of @p words as bitmap bytes (LSB first) at @p off,
// unless all are zero (the output reads as zeros there already).
static struct vmt_error *write_bits(struct sink *s, uint64_t off,
				    const uint64_t *words, uint64_t nbits)
{
	size_t nbytes = (size_t)((nbits + 7) / 8);
	unsigned char *buf;
	struct vmt_error *err;
	bool any = false;

	for (uint64_t w = 0; w < chunk_words(nbits) && !any; w++)
		any = words[w] != 0;
	if (!any)
		return NULL;
	buf = malloc(nbytes);
	if (!buf)
		return &vmt_enomem;
	for (size_t i = 0; i < nbytes; i++)
		buf[i] = (unsigned char)(words[i / 8] >> (8 * (i % 8)));
	err = sink_write(s, off, buf, nbytes);
	free(buf);
	return err;
}

static struct vmt_error *write_chunk(struct kwriter *kw, uint64_t pfn,
				     uint64_t nr)
{
	struct vmt_error *err = NULL;
	uint64_t words = chunk_words(nr);

	for (size_t i = 0; i < kw->nr_parts; i++)
		memset(kw->parts[i].bm2, 0, words * 8);
	// Kept pages go to the part their ordinal falls in, in PFN order.
	for (uint64_t w = 0; w < words && !err; w++) {
		uint64_t bits = kw->keep[w];

		while (bits && !err) {
			unsigned int b = (unsigned int)__builtin_ctzll(bits);
			uint64_t p = pfn + w * 64 + b;
			struct part *pt;

			bits &= bits - 1;
			while (kw->ord >= kw->parts[kw->cur_part].end_ord &&
			       kw->cur_part + 1 < kw->nr_parts)
				kw->cur_part++;
			pt = &kw->parts[kw->cur_part];
			pt->bm2[w] |= UINT64_C(1) << b;
			if (!pt->has_pages) {
				pt->has_pages = true;
				pt->start_pfn = p;
			}
			kw->ord++;
			err = add_page(kw, p, kw->cur_part);
		}
	}
	for (size_t i = 0; i < kw->nr_parts && !err; i++) {
		struct part *pt = &kw->parts[i];

		err = write_bits(pt->sink, kw->bm1_off + pfn / 8, kw->ram, nr);
		if (!err)
			err = write_bits(pt->sink, kw->bm2_off + pfn / 8, pt->bm2,
					 nr);
	}
	return err;
}

static uint64_t written(struct kwriter *kw)
{
	uint64_t n = 0;

	for (size_t i = 0; i < kw->nr_parts; i++)
		n += sink_bytes(kw->parts[i].sink);
	return n;
}

static struct vmt_error *write_pass(struct kwriter *kw)
{
	const struct writer_source *src = kw->src;
	struct vmt_error *err = src->begin_pass(src->arg);

	kw->ord = 0;
	kw->cur_part = 0;
	for (uint64_t pfn = 0; !err && pfn < src->max_mapnr;
	     pfn += WRITER_CHUNK_PFNS) {
		uint64_t nr = src->max_mapnr - pfn < WRITER_CHUNK_PFNS ?
				      src->max_mapnr - pfn : WRITER_CHUNK_PFNS;

		err = classify(kw, 2, pfn, nr);
		if (!err)
			err = write_chunk(kw, pfn, nr);
		if (!err)
			err = writer_progress(kw->opts, 2, 2, pfn + nr,
					      src->max_mapnr, kw->st.kept_pages,
					      written(kw));
	}
	if (!err)
		err = drain(kw);
	for (size_t i = 0; i < kw->nr_parts && !err; i++)
		err = flush_descs(kw, &kw->parts[i]);
	if (!err && kw->ord != kw->total)
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "the pages to keep changed between passes (%" PRIu64
				       " then %" PRIu64 ")",
				       kw->total, kw->ord);
	return err;
}

static struct vmt_error *write_headers(struct kwriter *kw, struct part *p)
{
	const struct writer_source *src = kw->src;
	size_t len = (size_t)kw->ps * (1 + kw->sub_hdr_blocks);
	unsigned char *h = calloc(1, len), *sh;
	bool split = kw->nr_parts > 1;
	struct vmt_error *err;

	if (!h)
		return &vmt_enomem;
	memcpy(h + KDUMP_DH_SIGNATURE, "KDUMP   ", 8);
	writer_put32(h + KDUMP_DH_VERSION, KDUMP_HEADER_VERSION, kw->be);
	for (int i = 0; i < 6; i++)
		memcpy(h + KDUMP_DH_UTSNAME + i * KDUMP_UTS_LEN, src->utsname[i],
		       KDUMP_UTS_LEN);
	writer_put64(h + KDUMP_DH_TIMESTAMP, (uint64_t)src->ts_sec, kw->be);
	writer_put64(h + KDUMP_DH_TIMESTAMP + 8, (uint64_t)src->ts_usec, kw->be);
	writer_put32(h + KDUMP_DH_STATUS, compression_kdump_flag(kw->comp),
		     kw->be);
	writer_put32(h + KDUMP_DH_BLOCK_SIZE, kw->ps, kw->be);
	writer_put32(h + KDUMP_DH_SUB_HDR_SIZE, kw->sub_hdr_blocks, kw->be);
	writer_put32(h + KDUMP_DH_BITMAP_BLOCKS,
		     (uint32_t)(2 * kw->bm_len / kw->ps), kw->be);
	writer_put32(h + KDUMP_DH_MAX_MAPNR,
		     src->max_mapnr > UINT32_MAX ? UINT32_MAX :
						   (uint32_t)src->max_mapnr,
		     kw->be);
	writer_put32(h + KDUMP_DH_NR_CPUS, src->nr_cpus, kw->be);

	sh = h + kw->ps;
	writer_put64(sh + KDUMP_SH_PHYS_BASE, src->phys_base, kw->be);
	writer_put32(sh + KDUMP_SH_DUMP_LEVEL, (uint32_t)src->dump_level, kw->be);
	if (split) {
		writer_put32(sh + KDUMP_SH_SPLIT, 1, kw->be);
		writer_put64(sh + KDUMP_SH_START_PFN, p->start_pfn, kw->be);
		writer_put64(sh + KDUMP_SH_END_PFN, p->end_pfn, kw->be);
		writer_put64(sh + KDUMP_SH_START_PFN_64, p->start_pfn, kw->be);
		writer_put64(sh + KDUMP_SH_END_PFN_64, p->end_pfn, kw->be);
	}
	if (kw->vi_len) {
		writer_put64(sh + KDUMP_SH_OFFSET_VMCOREINFO,
			     kw->ps + KDUMP_SH_SIZE + kw->vi_off, kw->be);
		writer_put64(sh + KDUMP_SH_SIZE_VMCOREINFO, kw->vi_len, kw->be);
	}
	if (kw->notes_len) {
		writer_put64(sh + KDUMP_SH_OFFSET_NOTE, kw->ps + KDUMP_SH_SIZE,
			     kw->be);
		writer_put64(sh + KDUMP_SH_SIZE_NOTE, kw->notes_len, kw->be);
	}
	writer_put64(sh + KDUMP_SH_MAX_MAPNR_64, src->max_mapnr, kw->be);
	memcpy(sh + KDUMP_SH_SIZE, kw->notes, kw->notes_len);
	// The header is written last: a file cut short has none.
	err = sink_write(p->sink, 0, h,
			 (size_t)kw->ps + KDUMP_SH_SIZE + kw->notes_len);
	free(h);
	return err;
}

static struct vmt_error *setup(struct kwriter *kw)
{
	const struct writer_source *src = kw->src;
	const struct vmt_save_options *opts = kw->opts;
	size_t nr_parts = opts->flattened ? 1 : opts->nr_paths;
	size_t bound = compressor_bound(kw->comp, kw->ps);
	struct vmt_error *err;
	uint64_t words = chunk_words(WRITER_CHUNK_PFNS);

	err = writer_notes(src, &kw->notes, &kw->notes_len, &kw->vi_off,
			   &kw->vi_len);
	if (!err)
		err = writer_cache_init(&kw->cache, src->max_mapnr);
	if (err)
		return err;
	kw->sub_hdr_blocks = (uint32_t)((KDUMP_SH_SIZE + kw->notes_len +
					 kw->ps - 1) / kw->ps);
	kw->bm_len = (src->max_mapnr + 8ull * kw->ps - 1) / (8ull * kw->ps) *
		     kw->ps;
	if (!kw->bm_len)
		kw->bm_len = kw->ps;
	kw->bm1_off = (1 + (uint64_t)kw->sub_hdr_blocks) * kw->ps;
	kw->bm2_off = kw->bm1_off + kw->bm_len;
	kw->desc_off = kw->bm2_off + kw->bm_len;

	kw->ram = calloc(words, 8);
	kw->keep = calloc(words, 8);
	kw->parts = calloc(nr_parts, sizeof(*kw->parts));
	if (!kw->ram || !kw->keep || !kw->parts)
		return &vmt_enomem;
	kw->nr_parts = nr_parts;
	for (size_t i = 0; i < nr_parts; i++) {
		struct part *p = &kw->parts[i];

		p->bm2 = calloc(words, 8);
		p->descs = malloc(DESC_BUFFER * KDUMP_PD_SIZE);
		if (!p->bm2 || !p->descs)
			return &vmt_enomem;
		err = opts->flattened ? sink_open_flat(opts->fd, &p->sink) :
					sink_open_file(opts->paths[i], opts->force,
						       &p->sink);
		if (err)
			return err;
	}

	kw->nr_comps = opts->nr_threads ? opts->nr_threads : 1;
	kw->comps = calloc(kw->nr_comps, sizeof(*kw->comps));
	if (!kw->comps)
		return &vmt_enomem;
	if (kw->comp != COMPRESSION_NONE) {
		for (unsigned int i = 0; i < kw->nr_comps; i++) {
			err = compressor_create(kw->comp, kw->ps, &kw->comps[i]);
			if (err)
				return err;
		}
	}
	kw->batch_cap = BATCH_BYTES / kw->ps;
	if (kw->batch_cap < BATCH_MIN)
		kw->batch_cap = BATCH_MIN;
	if (kw->batch_cap > BATCH_MAX)
		kw->batch_cap = BATCH_MAX;
	for (int i = 0; i < 2; i++) {
		struct batch *b = &kw->batches[i];

		b->kw = kw;
		b->jobs = calloc(kw->batch_cap, sizeof(*b->jobs));
		b->in_mem = malloc(kw->batch_cap * kw->ps);
		b->out_mem = malloc(kw->batch_cap * bound);
		if (!b->jobs || !b->in_mem || !b->out_mem)
			return &vmt_enomem;
		for (size_t j = 0; j < kw->batch_cap; j++) {
			b->jobs[j].in = b->in_mem + j * kw->ps;
			b->jobs[j].out = b->out_mem + j * bound;
		}
	}
	if (opts->nr_threads)
		return pool_create(opts->nr_threads, &kw->pool);
	return NULL;
}

// Part k keeps ordinals [total * k / N, total * (k + 1) / N).
static void assign_parts(struct kwriter *kw)
{
	for (size_t i = 0; i < kw->nr_parts; i++) {
		struct part *p = &kw->parts[i];
		uint64_t n;

		p->first_ord = kw->total * i / kw->nr_parts;
		p->end_ord = kw->total * (i + 1) / kw->nr_parts;
		n = p->end_ord - p->first_ord;
		p->data_off = kw->desc_off + n * KDUMP_PD_SIZE;
		p->zero_off = p->data_off;
		// One zero-filled block that every zero page's descriptor
		// shares, first in the data, as makedumpfile lays it out.
		p->data_pos = p->data_off + (kw->src->exclude_zero ? kw->ps : 0);
	}
}

// A part's PFN range starts at its first page and ends where the next
// begins; the first starts at 0, the last ends at max_mapnr.
static void assign_ranges(struct kwriter *kw)
{
	uint64_t next = kw->src->max_mapnr;

	for (size_t i = kw->nr_parts; i-- > 0;) {
		struct part *p = &kw->parts[i];

		p->end_pfn = next;
		p->start_pfn = i == 0 ? 0 : p->has_pages ? p->start_pfn : next;
		next = p->start_pfn;
	}
}

static void teardown(struct kwriter *kw, bool ok)
{
	pool_destroy(kw->pool);
	for (int i = 0; i < 2; i++) {
		struct batch *b = &kw->batches[i];

		for (size_t j = 0; b->jobs && j < b->n; j++)
			vmt_error_destroy(b->jobs[j].err);
		free(b->jobs);
		free(b->in_mem);
		free(b->out_mem);
	}
	for (unsigned int i = 0; kw->comps && i < kw->nr_comps; i++)
		compressor_destroy(kw->comps[i]);
	free(kw->comps);
	for (size_t i = 0; kw->parts && i < kw->nr_parts; i++) {
		if (!ok)
			sink_abort(kw->parts[i].sink);
		free(kw->parts[i].bm2);
		free(kw->parts[i].descs);
	}
	free(kw->parts);
	free(kw->ram);
	free(kw->keep);
	free(kw->notes);
	writer_cache_deinit(&kw->cache);
}

struct vmt_error *kdump_write(const struct writer_source *src,
			      const struct vmt_save_options *opts,
			      struct writer_stats *ret)
{
	struct kwriter kw = {
		.src = src,
		.opts = opts,
		.comp = compression_of(opts->compression),
		.ps = src->page_size,
		.be = src->big_endian,
	};
	struct vmt_error *err;

	if (!opts->flattened && !opts->nr_paths)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"no output file given");
	err = setup(&kw);
	if (!err)
		err = count_pass(&kw);
	if (!err) {
		assign_parts(&kw);
		err = write_pass(&kw);
	}
	if (!err)
		assign_ranges(&kw);
	for (size_t i = 0; !err && i < kw.nr_parts; i++)
		err = write_headers(&kw, &kw.parts[i]);
	kw.st.bytes = 0;
	for (size_t i = 0; !err && i < kw.nr_parts; i++) {
		struct part *p = &kw.parts[i];

		kw.st.bytes += sink_bytes(p->sink);
		err = sink_finish(p->sink, p->data_pos);
		p->sink = NULL;
		if (!err && opts->flattened)
			// The end marker.
			kw.st.bytes += KDUMP_FLAT_RECORD_HEADER;
	}
	teardown(&kw, !err);
	if (err)
		return err;
	*ret = kw.st;
	return NULL;
}
