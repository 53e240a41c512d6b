// Opening a dump: the format comes from the content only (never the file
// name); flattened files are reassembled first.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dump/dump.h"

static const struct dump_format *const dump_formats[] = {
	&dump_format_elf,
	&dump_format_kdump,
};

#define NR_FORMATS (sizeof(dump_formats) / sizeof(dump_formats[0]))

static const struct dump_format *probe_format(struct source *src)
{
	for (size_t i = 0; i < NR_FORMATS; i++) {
		if (dump_formats[i]->probe(src))
			return dump_formats[i];
	}
	return NULL;
}

static void destroy_sources(struct source **srcs, size_t from, size_t nr)
{
	for (size_t i = from; i < nr; i++) {
		source_destroy(srcs[i]);
		srcs[i] = NULL;
	}
}

struct vmt_error *dump_open_sources(struct source **srcs, size_t nr_srcs,
				    struct dump **ret)
{
	const struct dump_format *format = NULL;
	bool flattened = false;
	struct vmt_error *err;
	struct dump *dump;

	if (!nr_srcs)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"no dump file given");
	dump = calloc(1, sizeof(*dump));
	if (dump)
		dump->files = calloc(nr_srcs, sizeof(*dump->files));
	if (!dump || !dump->files) {
		free(dump);
		destroy_sources(srcs, 0, nr_srcs);
		return &vmt_enomem;
	}
	for (size_t i = 0; i < nr_srcs; i++) {
		dump->files[i] = strdup(srcs[i]->name);
		if (!dump->files[i]) {
			err = &vmt_enomem;
			goto fail_sources;
		}
		dump->nr_files++;
		dump->input_bytes += srcs[i]->size;
	}
	for (size_t i = 0; i < nr_srcs; i++) {
		if (!flattened_probe(srcs[i]))
			continue;
		// flattened_source_open() owns srcs[i] from here, even on failure.
		err = flattened_source_open(srcs[i], &srcs[i]);
		if (err) {
			srcs[i] = NULL;
			goto fail_sources;
		}
		flattened = true;
	}
	for (size_t i = 0; i < nr_srcs; i++) {
		const struct dump_format *f = probe_format(srcs[i]);

		if (!f) {
			unsigned char magic[8] = { 0 };

			vmt_error_destroy(source_read(srcs[i], magic,
						      srcs[i]->size < 8 ? srcs[i]->size : 8,
						      0));
			err = vmt_error_format(VMT_ERROR_UNSUPPORTED,
					       "%s: unknown dump format (first bytes %02x %02x %02x %02x %02x %02x %02x %02x): expected an ELF vmcore, a kdump-compressed file (\"KDUMP   \") or a flattened one (\"makedumpfile\")",
					       srcs[i]->name, magic[0], magic[1],
					       magic[2], magic[3], magic[4],
					       magic[5], magic[6], magic[7]);
			goto fail_sources;
		}
		if (!i) {
			format = f;
		} else if (f != format) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "%s is a %s dump but %s is a %s dump: files of one dump must have the same format",
					       srcs[0]->name, format->name,
					       srcs[i]->name, f->name);
			goto fail_sources;
		}
	}
	if (!format) {
		err = vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
				       "no dump file given");
		goto fail_sources;
	}
	dump->format = format;
	err = format->open(dump, srcs, nr_srcs);
	if (err) {
		dump->format = NULL;
		dump_destroy(dump);
		return err;
	}
	if (flattened && !strcmp(dump->format_name, "kdump"))
		dump->format_name = "flattened";
	*ret = dump;
	return NULL;

fail_sources:
	destroy_sources(srcs, 0, nr_srcs);
	dump_destroy(dump);
	return err;
}

struct vmt_error *dump_open(const char *const *paths, size_t nr_paths,
			    struct dump **ret)
{
	struct source **srcs;
	struct vmt_error *err;

	if (!nr_paths)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"no dump file given");
	srcs = calloc(nr_paths, sizeof(*srcs));
	if (!srcs)
		return &vmt_enomem;
	for (size_t i = 0; i < nr_paths; i++) {
		err = source_open_file(paths[i], &srcs[i]);
		if (err) {
			destroy_sources(srcs, 0, i);
			free(srcs);
			return err;
		}
	}
	err = dump_open_sources(srcs, nr_paths, ret);
	free(srcs);
	return err;
}

void dump_set_page_size(struct dump *dump, uint64_t page_size)
{
	if (page_size && !(page_size & (page_size - 1)))
		dump->pfn_shift = (unsigned int)__builtin_ctzll(page_size);
}

static unsigned int dump_pfn_shift(const struct dump *dump)
{
	if (dump->pfn_shift)
		return dump->pfn_shift;
	return dump->block_size ? (unsigned int)__builtin_ctz(dump->block_size) :
				  12;
}

const void *dump_map_phys(struct dump *dump, uint64_t paddr, size_t len)
{
	if (!dump->format->map_phys || !len || paddr + (len - 1) < paddr)
		return NULL;
	return dump->format->map_phys(dump, paddr, len);
}

struct vmt_error *dump_read_phys(struct dump *dump, uint64_t paddr, void *buf,
				 size_t len)
{
	unsigned char *p = buf;
	uint64_t mask = (uint64_t)dump->block_size - 1;

	if (len && paddr + (len - 1) < paddr)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"read of %zu bytes at physical address %#" PRIx64
					" wraps around the address space",
					len, paddr);
	// A failed range read is read again block by block, so that the
	// error names the PFN that failed.
	if (dump->format->read_range && len > mask + 1) {
		struct vmt_error *err = dump->format->read_range(dump, paddr,
								 buf, len);

		if (!err)
			return NULL;
		vmt_error_destroy(err);
	}
	// Readers see one block at a time.
	while (len) {
		size_t n = (size_t)(mask + 1 - (paddr & mask));
		struct vmt_error *err;

		if (n > len)
			n = len;
		err = dump->format->read_page(dump, paddr, p, n);
		if (err)
			return vmt_error_set_pfn(err, paddr >> dump_pfn_shift(dump));
		p += n;
		paddr += n;
		len -= n;
	}
	return NULL;
}

struct vmt_error *dump_ranges(struct dump *dump,
			      const struct vmt_phys_range **ret,
			      size_t *nr_ret)
{
	if (!dump->ranges_loaded && dump->format->load_ranges) {
		struct vmt_error *err;

		free(dump->ram_ranges);
		dump->ram_ranges = NULL;
		dump->nr_ram_ranges = 0;
		// Tried once: after a failure the ranges stay empty.
		dump->ranges_loaded = true;
		err = dump->format->load_ranges(dump);
		if (err) {
			free(dump->ram_ranges);
			dump->ram_ranges = NULL;
			dump->nr_ram_ranges = 0;
			return vmt_error_wrap(err, "RAM ranges of %s",
					      dump->files[0]);
		}
	}
	dump->ranges_loaded = true;
	*ret = dump->ram_ranges;
	*nr_ret = dump->nr_ram_ranges;
	return NULL;
}

struct vmt_error *dump_locate(struct dump *dump, uint64_t paddr,
			      struct dump_location *ret)
{
	return dump->format->locate(dump, paddr, ret);
}

void dump_destroy(struct dump *dump)
{
	if (!dump)
		return;
	if (dump->format && dump->priv)
		dump->format->close(dump);
	free(dump->vmcoreinfo);
	free(dump->notes);
	free(dump->cpus);
	free(dump->ram_ranges);
	for (size_t i = 0; i < dump->nr_files; i++)
		free(dump->files[i]);
	free(dump->files);
	free(dump);
}
