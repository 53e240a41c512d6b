// What the format writers share: dispatch, progress, the note area, byte
// order helpers.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/writer/writer.h"

void writer_put16(unsigned char *p, uint16_t v, bool be)
{
	for (int i = 0; i < 2; i++)
		p[be ? 1 - i : i] = (unsigned char)(v >> (8 * i));
}

void writer_put32(unsigned char *p, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

void writer_put64(unsigned char *p, uint64_t v, bool be)
{
	for (int i = 0; i < 8; i++)
		p[be ? 7 - i : i] = (unsigned char)(v >> (8 * i));
}

bool writer_all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	// Pages are 8-byte aligned buffers of a multiple of 8 bytes.
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, 8);
		if (w)
			return false;
	}
	for (size_t i = len & ~(size_t)7; i < len; i++)
		if (b[i])
			return false;
	return true;
}

struct vmt_error *writer_progress(const struct vmt_save_options *opts,
				  unsigned int pass, unsigned int nr_passes,
				  uint64_t pfn_done, uint64_t pfn_total,
				  uint64_t pages, uint64_t bytes)
{
	struct vmt_save_progress p = {
		.pass = pass,
		.nr_passes = nr_passes,
		.pfn_done = pfn_done,
		.pfn_total = pfn_total,
		.pages_written = pages,
		.bytes_written = bytes,
	};

	if (opts->progress && opts->progress(opts->progress_arg, &p))
		return vmt_error_os(EINTR, "save", "interrupted: no output written");
	return NULL;
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

struct vmt_error *writer_notes(const struct writer_source *src,
			       unsigned char **ret, size_t *len_ret,
			       size_t *vmcoreinfo_off_ret,
			       size_t *vmcoreinfo_len_ret)
{
	const unsigned char *p = src->notes;
	size_t len = src->notes ? src->notes_len : 0, off = 0, extra = 0;
	unsigned char *out;

	*vmcoreinfo_off_ret = *vmcoreinfo_len_ret = 0;
	// Find the VMCOREINFO note, as makedumpfile points the kdump
	// sub-header at the one inside the notes.
	while (len - off >= 12) {
		uint32_t namesz = load32(p + off, src->big_endian);
		uint32_t descsz = load32(p + off + 4, src->big_endian);
		size_t desc_off = off + 12 + align4(namesz);

		if (!namesz && !descsz)
			break;
		if (namesz > len || desc_off > len || descsz > len - desc_off)
			break;
		if (namesz >= 10 && !memcmp(p + off + 12, "VMCOREINFO", 10)) {
			*vmcoreinfo_off_ret = desc_off;
			*vmcoreinfo_len_ret = descsz;
		}
		off = align4(desc_off + descsz);
	}
	if (!*vmcoreinfo_len_ret && src->vmcoreinfo_len) {
		extra = 12 + align4(sizeof("VMCOREINFO")) +
			align4(src->vmcoreinfo_len);
		// Readers stop at a zero note: the new one goes before any
		// padding the area had.
		len = off < len ? off : len;
	}
	out = calloc(1, len + extra ? len + extra : 1);
	if (!out)
		return &vmt_enomem;
	if (len)
		memcpy(out, p, len);
	if (extra) {
		unsigned char *n = out + len;

		writer_put32(n, sizeof("VMCOREINFO"), src->big_endian);
		writer_put32(n + 4, (uint32_t)src->vmcoreinfo_len,
			     src->big_endian);
		writer_put32(n + 8, 0, src->big_endian);
		memcpy(n + 12, "VMCOREINFO", sizeof("VMCOREINFO"));
		memcpy(n + 12 + align4(sizeof("VMCOREINFO")), src->vmcoreinfo,
		       src->vmcoreinfo_len);
		*vmcoreinfo_off_ret = len + 12 + align4(sizeof("VMCOREINFO"));
		*vmcoreinfo_len_ret = src->vmcoreinfo_len;
	}
	*ret = out;
	*len_ret = len + extra;
	return NULL;
}

// Bitmap bytes the first pass may keep for the second (both bitmaps):
// 16 MiB is 64 Mi pages of RAM, 256 GiB at 4 KiB.
#define CACHE_BUDGET (16u << 20)

struct vmt_error *writer_cache_init(struct writer_cache *c, uint64_t max_mapnr)
{
	memset(c, 0, sizeof(*c));
	c->nr_chunks = (max_mapnr + WRITER_CHUNK_PFNS - 1) / WRITER_CHUNK_PFNS;
	c->ram = calloc(c->nr_chunks ? c->nr_chunks : 1, sizeof(*c->ram));
	c->keep = calloc(c->nr_chunks ? c->nr_chunks : 1, sizeof(*c->keep));
	if (!c->ram || !c->keep) {
		writer_cache_deinit(c);
		return &vmt_enomem;
	}
	c->complete = true;
	return NULL;
}

static void cache_drop(struct writer_cache *c)
{
	for (uint64_t i = 0; c->ram && i < c->nr_chunks; i++) {
		free(c->ram[i]);
		free(c->keep[i]);
		c->ram[i] = c->keep[i] = NULL;
	}
	c->bytes = 0;
	c->complete = false;
}

void writer_cache_deinit(struct writer_cache *c)
{
	cache_drop(c);
	free(c->ram);
	free(c->keep);
	memset(c, 0, sizeof(*c));
}

void writer_cache_put(struct writer_cache *c, uint64_t index,
		      const uint64_t *ram, const uint64_t *keep, uint64_t words)
{
	size_t size = (size_t)words * 8;
	bool any = false;

	if (!c->complete || index >= c->nr_chunks)
		return;
	for (uint64_t w = 0; w < words && !any; w++)
		any = ram[w] || keep[w];
	if (!any)
		return;
	if (c->bytes + 2 * size > CACHE_BUDGET) {
		cache_drop(c);
		return;
	}
	c->ram[index] = malloc(size);
	c->keep[index] = malloc(size);
	if (!c->ram[index] || !c->keep[index]) {
		cache_drop(c);
		return;
	}
	memcpy(c->ram[index], ram, size);
	memcpy(c->keep[index], keep, size);
	c->bytes += 2 * size;
}

bool writer_cache_get(const struct writer_cache *c, uint64_t index,
		      uint64_t *ram, uint64_t *keep, uint64_t words)
{
	size_t size = (size_t)words * 8;

	if (!c->complete || index >= c->nr_chunks)
		return false;
	if (c->ram[index]) {
		memcpy(ram, c->ram[index], size);
		memcpy(keep, c->keep[index], size);
	} else {
		memset(ram, 0, size);
		memset(keep, 0, size);
	}
	return true;
}

struct vmt_error *dump_write(const struct writer_source *src,
			     const struct vmt_save_options *opts,
			     struct writer_stats *ret)
{
	if (opts->format == VMT_SAVE_ELF)
		return elf_write(src, opts, ret);
	return kdump_write(src, opts, ret);
}
