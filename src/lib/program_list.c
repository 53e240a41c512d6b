// vmt_program_list(): crash's `list` over kernel/list.c.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/list.h"
#include "program_internal.h"
#include "vmtool/list.h"

#define DEFAULT_MAX (1U << 24)

struct collect {
	uint64_t offset;
	uint64_t *items;
	size_t nr, cap;
};

static struct vmt_error *collect(void *arg, uint64_t node)
{
	struct collect *c = arg;

	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		uint64_t *n = realloc(c->items, cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		c->items = n;
		c->cap = cap;
	}
	c->items[c->nr++] = node - c->offset;
	return NULL;
}

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return vmt_program_read_virt(arg, addr, buf, len);
}

struct vmt_error *vmt_program_list(struct vmt_program *prog, uint64_t start,
				   const struct vmt_list_options *opts,
				   uint64_t **ret, size_t *nr_ret)
{
	static const struct vmt_list_options defaults;
	struct collect c = { 0 };
	struct vmt_error *err;
	char what[64];

	if (!opts)
		opts = &defaults;
	c.offset = opts->offset;
	snprintf(what, sizeof(what), "list at %#" PRIx64, start);
	// The head is a list_head; a first entry is a struct whose next
	// pointer is at the offset.
	err = list_walk(kread, prog,
			opts->head ? start : start + opts->offset,
			!opts->head, opts->max ? opts->max : DEFAULT_MAX,
			what, collect, &c);
	*ret = c.items;
	*nr_ret = c.nr;
	return err;
}
