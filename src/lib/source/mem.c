// A source over a caller's buffer (tests and fuzzers).
#include <stdlib.h>
#include <string.h>

#include "source/source.h"

struct mem_source {
	struct source src;
	const unsigned char *data;
};

static struct vmt_error *mem_read(struct source *src, void *buf, size_t len,
				  uint64_t off)
{
	const struct mem_source *ms = (const struct mem_source *)src;

	// source_read() has checked the bounds.
	memcpy(buf, ms->data + off, len);
	return NULL;
}

static const void *mem_map(struct source *src)
{
	return ((const struct mem_source *)src)->data;
}

static void mem_destroy(struct source *src)
{
	free(src->name);
	free(src);
}

static const struct source_ops mem_ops = {
	.read = mem_read,
	.map = mem_map,
	.destroy = mem_destroy,
};

struct vmt_error *source_open_mem(const void *data, size_t size,
				  const char *name, struct source **ret)
{
	struct mem_source *ms = calloc(1, sizeof(*ms));

	if (!ms)
		return &vmt_enomem;
	ms->src.ops = &mem_ops;
	ms->src.name = strdup(name ? name : "<memory>");
	if (!ms->src.name) {
		free(ms);
		return &vmt_enomem;
	}
	ms->src.size = size;
	ms->data = data;
	*ret = &ms->src;
	return NULL;
}
