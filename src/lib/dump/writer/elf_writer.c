// ELF64 core output (makedumpfile -E): a PT_NOTE, then one PT_LOAD per run
// of kept pages (p_filesz = p_memsz, so a page left out reads as not in
// the dump, never as zeros). The first pass counts the runs (their
// headers come first in the file); with dump level bit 1 it reads every
// kept page to leave out the zero-filled ones, as makedumpfile does for
// ELF output. More than 65534 headers use PN_XNUM (the count in section
// header 0).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump/writer/writer.h"

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define PT_LOAD_TYPE 1
#define PT_NOTE_TYPE 4
#define ET_CORE_TYPE 4
#define PN_XNUM_COUNT 0xffff

struct ewriter {
	const struct writer_source *src;
	const struct vmt_save_options *opts;
	uint32_t ps;
	bool be;
	uint64_t *ram, *keep;
	struct writer_cache cache;
	unsigned char *page;
	struct sink *sink;
	unsigned char *notes;
	size_t notes_len, vi_off, vi_len;
	uint64_t nr_runs, nr_pages;
	uint64_t phoff, shoff, notes_off, data_off;
	// The run being written.
	bool in_run;
	uint64_t run_start, run_next, run_off, run_index;
	uint64_t pos;
	struct writer_stats st;
};

static uint64_t chunk_words(uint64_t nr)
{
	return (nr + 63) / 64;
}

static struct vmt_error *classify(struct ewriter *ew, int pass, uint64_t pfn,
				  uint64_t nr)
{
	if (pass == 2 && writer_cache_get(&ew->cache, pfn / WRITER_CHUNK_PFNS,
					  ew->ram, ew->keep, chunk_words(nr)))
		return NULL;
	memset(ew->ram, 0, chunk_words(nr) * 8);
	memset(ew->keep, 0, chunk_words(nr) * 8);
	return ew->src->classify(ew->src->arg, pfn, nr, ew->ram, ew->keep);
}

// Read kept page @p pfn; *@p keep_ret false for a zero page left out.
static struct vmt_error *read_kept(struct ewriter *ew, uint64_t pfn,
				   bool *keep_ret)
{
	struct vmt_error *err = ew->src->read_page(ew->src->arg, pfn, ew->page);

	if (err)
		return vmt_error_wrap(err, "page of PFN %#" PRIx64, pfn);
	*keep_ret = !(ew->src->exclude_zero &&
		      writer_all_zero(ew->page, ew->ps));
	return NULL;
}

static struct vmt_error *count_pass(struct ewriter *ew)
{
	const struct writer_source *src = ew->src;
	struct vmt_error *err = src->begin_pass(src->arg);
	uint64_t last = UINT64_MAX;

	for (uint64_t pfn = 0; !err && pfn < src->max_mapnr;
	     pfn += WRITER_CHUNK_PFNS) {
		uint64_t nr = src->max_mapnr - pfn < WRITER_CHUNK_PFNS ?
				      src->max_mapnr - pfn : WRITER_CHUNK_PFNS;

		err = classify(ew, 1, pfn, nr);
		for (uint64_t w = 0; !err && w < chunk_words(nr); w++) {
			uint64_t bits = ew->keep[w];

			ew->st.ram_pages += (uint64_t)__builtin_popcountll(ew->ram[w]);
			while (bits && !err) {
				uint64_t p = pfn + w * 64 + (uint64_t)__builtin_ctzll(bits);
				bool keep = true;

				bits &= bits - 1;
				if (src->exclude_zero)
					err = read_kept(ew, p, &keep);
				if (err)
					continue;
				if (!keep) {
					// Left out: the cached bits say so.
					ew->keep[w] &= ~(UINT64_C(1) << (p - pfn - w * 64));
					ew->st.zero_pages++;
					continue;
				}
				if (last == UINT64_MAX || p != last + 1)
					ew->nr_runs++;
				ew->nr_pages++;
				last = p;
			}
		}
		if (!err)
			writer_cache_put(&ew->cache, pfn / WRITER_CHUNK_PFNS,
					 ew->ram, ew->keep, chunk_words(nr));
		if (!err)
			err = writer_progress(ew->opts, 1, 2, pfn + nr,
					      src->max_mapnr, 0, 0);
	}
	return err;
}

static void put_phdr(struct ewriter *ew, unsigned char *ph, uint32_t type,
		     uint32_t flags, uint64_t off, uint64_t vaddr,
		     uint64_t paddr, uint64_t size)
{
	memset(ph, 0, PHDR_SIZE);
	writer_put32(ph, type, ew->be);
	writer_put32(ph + 4, flags, ew->be);
	writer_put64(ph + 8, off, ew->be);
	writer_put64(ph + 16, vaddr, ew->be);
	writer_put64(ph + 24, paddr, ew->be);
	writer_put64(ph + 32, size, ew->be);
	writer_put64(ph + 40, size, ew->be);
}

static struct vmt_error *end_run(struct ewriter *ew)
{
	unsigned char ph[PHDR_SIZE];
	uint64_t paddr = ew->run_start * ew->ps;
	uint64_t vaddr = ew->src->phys_to_virt ?
				 ew->src->phys_to_virt(ew->src->arg, paddr) :
				 paddr;

	if (!ew->in_run)
		return NULL;
	ew->in_run = false;
	if (ew->run_index >= ew->nr_runs)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"the pages to keep changed between passes (more than %" PRIu64
					" runs)",
					ew->nr_runs);
	// PF_R | PF_W | PF_X, as /proc/vmcore and QEMU mark RAM.
	put_phdr(ew, ph, PT_LOAD_TYPE, 7, ew->run_off, vaddr, paddr,
		 (ew->run_next - ew->run_start) * ew->ps);
	return sink_write(ew->sink, ew->phoff + (1 + ew->run_index++) * PHDR_SIZE,
			  ph, PHDR_SIZE);
}

static struct vmt_error *write_page(struct ewriter *ew, uint64_t pfn)
{
	struct vmt_error *err;
	bool keep;

	err = read_kept(ew, pfn, &keep);
	if (err || !keep)
		return err;
	if (ew->in_run && pfn != ew->run_next) {
		err = end_run(ew);
		if (err)
			return err;
	}
	if (!ew->in_run) {
		ew->in_run = true;
		ew->run_start = ew->run_next = pfn;
		ew->run_off = ew->pos;
	}
	err = sink_write(ew->sink, ew->pos, ew->page, ew->ps);
	ew->pos += ew->ps;
	ew->run_next = pfn + 1;
	ew->st.kept_pages++;
	ew->st.raw_pages++;
	return err;
}

static struct vmt_error *write_pass(struct ewriter *ew)
{
	const struct writer_source *src = ew->src;
	struct vmt_error *err = src->begin_pass(src->arg);

	ew->pos = ew->data_off;
	for (uint64_t pfn = 0; !err && pfn < src->max_mapnr;
	     pfn += WRITER_CHUNK_PFNS) {
		uint64_t nr = src->max_mapnr - pfn < WRITER_CHUNK_PFNS ?
				      src->max_mapnr - pfn : WRITER_CHUNK_PFNS;

		err = classify(ew, 2, pfn, nr);
		for (uint64_t w = 0; !err && w < chunk_words(nr); w++) {
			uint64_t bits = ew->keep[w];

			while (bits && !err) {
				uint64_t p = pfn + w * 64 + (uint64_t)__builtin_ctzll(bits);

				bits &= bits - 1;
				err = write_page(ew, p);
			}
		}
		if (!err)
			err = writer_progress(ew->opts, 2, 2, pfn + nr,
					      src->max_mapnr, ew->st.kept_pages,
					      sink_bytes(ew->sink));
	}
	if (!err)
		err = end_run(ew);
	if (!err && (ew->run_index != ew->nr_runs ||
		     ew->st.kept_pages != ew->nr_pages))
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "the pages to keep changed between passes (%" PRIu64
				       " pages, then %" PRIu64 ")",
				       ew->nr_pages, ew->st.kept_pages);
	return err;
}

static struct vmt_error *write_headers(struct ewriter *ew)
{
	uint64_t phnum = 1 + ew->nr_runs;
	bool xnum = phnum >= PN_XNUM_COUNT;
	unsigned char eh[EHDR_SIZE] = { 0 }, ph[PHDR_SIZE], sh[SHDR_SIZE] = { 0 };
	struct vmt_error *err;

	memcpy(eh, "\177ELF", 4);
	eh[4] = 2; // ELFCLASS64
	eh[5] = ew->be ? 2 : 1;
	eh[6] = 1; // EV_CURRENT
	writer_put16(eh + 16, ET_CORE_TYPE, ew->be);
	writer_put16(eh + 18, ew->src->e_machine, ew->be);
	writer_put32(eh + 20, 1, ew->be);
	writer_put64(eh + 32, ew->phoff, ew->be);
	writer_put64(eh + 40, ew->shoff, ew->be);
	writer_put16(eh + 52, EHDR_SIZE, ew->be);
	writer_put16(eh + 54, PHDR_SIZE, ew->be);
	writer_put16(eh + 56, xnum ? PN_XNUM_COUNT : (uint16_t)phnum, ew->be);
	writer_put16(eh + 58, xnum ? SHDR_SIZE : 0, ew->be);
	writer_put16(eh + 60, xnum ? 1 : 0, ew->be);
	err = sink_write(ew->sink, 0, eh, sizeof(eh));
	if (err)
		return err;
	put_phdr(ew, ph, PT_NOTE_TYPE, 0, ew->notes_off, 0, 0, ew->notes_len);
	err = sink_write(ew->sink, ew->phoff, ph, sizeof(ph));
	if (!err && xnum) {
		// sh_info of section 0 holds the real e_phnum.
		writer_put32(sh + 44, (uint32_t)phnum, ew->be);
		err = sink_write(ew->sink, ew->shoff, sh, sizeof(sh));
	}
	if (!err && ew->notes_len)
		err = sink_write(ew->sink, ew->notes_off, ew->notes,
				 ew->notes_len);
	return err;
}

struct vmt_error *elf_write(const struct writer_source *src,
			    const struct vmt_save_options *opts,
			    struct writer_stats *ret)
{
	struct ewriter ew = {
		.src = src,
		.opts = opts,
		.ps = src->page_size,
		.be = src->big_endian,
	};
	uint64_t words = chunk_words(WRITER_CHUNK_PFNS), phnum;
	struct vmt_error *err;

	if (opts->compression != VMT_SAVE_NONE)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"ELF output has no page compression (-E excludes -c, -l, -p, -z)");
	if (!opts->flattened && opts->nr_paths != 1)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"ELF output is one file (--split is for the kdump format)");
	ew.ram = calloc(words, 8);
	ew.keep = calloc(words, 8);
	ew.page = malloc(ew.ps);
	if (!ew.ram || !ew.keep || !ew.page) {
		err = &vmt_enomem;
		goto out;
	}
	err = writer_cache_init(&ew.cache, src->max_mapnr);
	if (err)
		goto out;
	err = writer_notes(src, &ew.notes, &ew.notes_len, &ew.vi_off,
			   &ew.vi_len);
	if (!err)
		err = opts->flattened ? sink_open_flat(opts->fd, &ew.sink) :
					sink_open_file(opts->paths[0], opts->force,
						       &ew.sink);
	if (!err)
		err = count_pass(&ew);
	if (err)
		goto out;
	phnum = 1 + ew.nr_runs;
	ew.phoff = EHDR_SIZE;
	ew.shoff = phnum >= PN_XNUM_COUNT ? ew.phoff + phnum * PHDR_SIZE : 0;
	ew.notes_off = ew.phoff + phnum * PHDR_SIZE + (ew.shoff ? SHDR_SIZE : 0);
	// Page data aligned to the page size, so the file can be mapped.
	ew.data_off = (ew.notes_off + ew.notes_len + ew.ps - 1) / ew.ps * ew.ps;
	err = write_pass(&ew);
	if (!err)
		err = write_headers(&ew);
	if (!err) {
		ew.st.bytes = sink_bytes(ew.sink);
		err = sink_finish(ew.sink, ew.pos);
		ew.sink = NULL;
		if (!err && opts->flattened)
			ew.st.bytes += 16;
	}
out:
	sink_abort(ew.sink);
	free(ew.ram);
	free(ew.keep);
	free(ew.page);
	free(ew.notes);
	writer_cache_deinit(&ew.cache);
	if (err)
		return err;
	*ret = ew.st;
	return NULL;
}
