// Byte sources: a file read with pread, a buffer in memory, or a view
// that reassembles a flattened stream. Dump readers read only through these.
#ifndef VMT_SOURCE_H
#define VMT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct source;

struct source_ops {
	/** Read exactly @p len bytes at @p off; BAD_DATA naming the file if short. */
	struct vmt_error *(*read)(struct source *src, void *buf, size_t len,
				  uint64_t off);
	/**
	 * Optional: the first offset at or after @p off that may hold a
	 * nonzero byte (everything before it reads as zeros), or the size.
	 * Sparse files and flattened views skip their holes with it.
	 */
	uint64_t (*next_data)(struct source *src, uint64_t off);
	/** Optional: the whole source as bytes in memory (see source_map). */
	const void *(*map)(struct source *src);
	void (*destroy)(struct source *src);
};

struct source {
	const struct source_ops *ops;
	/** File name used in messages. */
	char *name;
	/** Logical size in bytes. */
	uint64_t size;
};

/** Open @p path read-only. */
struct vmt_error *source_open_file(const char *path, struct source **ret);

/** A source over @p data (not copied; must outlive the source). */
struct vmt_error *source_open_mem(const void *data, size_t size,
				  const char *name, struct source **ret);

/**
 * Read exactly @p len bytes at @p off. Errors name the file, the offset
 * and the size expected.
 */
struct vmt_error *source_read(struct source *src, void *buf, size_t len,
			      uint64_t off);

/**
 * The first offset at or after @p off that may hold a nonzero byte: @p off
 * itself unless the source knows of a hole there (an unwritten part of a
 * sparse file, a range of a flattened file no record writes). Never
 * beyond the size.
 */
uint64_t source_next_data(struct source *src, uint64_t off);

/**
 * The whole of @p src as bytes in memory (source->size of them), or NULL:
 * then read it. A regular file is mapped read-only on the first call
 * (unless the environment sets VMTOOL_NO_MMAP); its pages are read when
 * first touched, with the kernel's read-around, and cost no copy. Valid
 * until @p src is destroyed. A file truncated while mapped makes a touch
 * beyond its new end raise SIGBUS: the CLI reports that and exits.
 */
const void *source_map(struct source *src);

/** Free @p src; accepts NULL. */
void source_destroy(struct source *src);

/** Whether @p src starts with makedumpfile's flattened header. */
bool flattened_probe(struct source *src);

/**
 * A view of the unflattened file that @p raw's records describe. Takes
 * ownership of @p raw. The record index is built once, here.
 */
struct vmt_error *flattened_source_open(struct source *raw,
					struct source **ret);

#endif
