// Generic part of byte sources: bounds checks shared by every kind.
#include <inttypes.h>
#include <stdlib.h>

#include "source/source.h"

struct vmt_error *source_read(struct source *src, void *buf, size_t len,
			      uint64_t off)
{
	// Check here once so that each kind only sees in-bounds requests.
	if (off > src->size || len > src->size - off)
		return vmt_error_set_file(
			vmt_error_format(VMT_ERROR_BAD_DATA,
					 "%s: truncated: %zu bytes expected at offset %#" PRIx64
					 ", but the file has %" PRIu64 " bytes",
					 src->name, len, off, src->size),
			src->name, off);
	if (!len)
		return NULL;
	return vmt_error_set_file(src->ops->read(src, buf, len, off), src->name,
				  off);
}

uint64_t source_next_data(struct source *src, uint64_t off)
{
	uint64_t next;

	if (off >= src->size)
		return src->size;
	if (!src->ops->next_data)
		return off;
	next = src->ops->next_data(src, off);
	return next < off ? off : next > src->size ? src->size : next;
}

const void *source_map(struct source *src)
{
	return src->ops->map && src->size ? src->ops->map(src) : NULL;
}

void source_destroy(struct source *src)
{
	if (src)
		src->ops->destroy(src);
}
