// The public page API: struct pages, page classes over all of RAM, and
// memory use (`kmem -i`, `kmem -p`, `save --mem-usage`).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/memmap_stat.h"
#include "program_internal.h"
#include "vmtool/page.h"

// PFNs classified per call while walking all of RAM.
#define CHUNK_PFNS 4096

uint64_t program_page_size(struct vmt_program *prog)
{
	if (prog->vi.page_size)
		return prog->vi.page_size;
	if (!prog->layout_err && prog->layout.page_size)
		return prog->layout.page_size;
	return 4096;
}

void program_free_nodes(struct vmt_program *prog,
			struct memmap_free_nodes *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!vmcoreinfo_symbol(&prog->vi, "contig_page_data",
			       &ret->contig_page_data) &&
	    !vmt_error_ok(kernel_symbol(&prog->kernel, "contig_page_data",
					&ret->contig_page_data)))
		ret->contig_page_data = 0;
	if (!vmt_error_ok(kernel_symbol(&prog->kernel, "node_data",
					&ret->node_data)))
		ret->node_data = 0;
	if (!vmcoreinfo_symbol(&prog->vi, "node_online_map",
			       &ret->node_online_map))
		ret->node_online_map = 0;
}

struct free_collect {
	struct memmap_free_block *blocks;
	size_t nr, cap;
};

static struct vmt_error *collect_free(void *arg, uint64_t pfn,
				      unsigned int order)
{
	struct free_collect *c = arg;

	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 1024;
		struct memmap_free_block *b = realloc(c->blocks, cap * sizeof(*b));

		if (!b)
			return &vmt_enomem;
		c->blocks = b;
		c->cap = cap;
	}
	c->blocks[c->nr].pfn = pfn;
	c->blocks[c->nr++].order = order;
	return NULL;
}

static int cmp_block(const void *a, const void *b)
{
	const struct memmap_free_block *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

// A kernel without buddy marks in VMCOREINFO: its free pages come from
// the free lists, read once (one entry per free block).
static void free_blocks_from_lists(struct vmt_program *prog)
{
	// The RAM ranges come through the dump info, which warns once when
	// they cannot be read (then the lists are walked for PFN 0 only).
	const struct vmt_dump_info *di = vmt_program_dump_info(prog);
	struct free_collect c = { 0 };
	struct memmap_free_nodes nodes;
	struct vmt_error *err;
	uint64_t max_pfn = 0;

	for (size_t r = 0; r < di->nr_phys_ranges; r++) {
		uint64_t e = di->phys_ranges[r].end >> prog->memmap.page_shift;

		if (e > max_pfn)
			max_pfn = e;
	}
	program_free_nodes(prog, &nodes);
	err = memmap_free_lists(&prog->vi, &prog->memmap, &nodes, kernel_kread,
				&prog->kernel, max_pfn + 1, collect_free, &c);
	if (err) {
		warnings_add(&prog->warnings,
			     "free pages unknown: VMCOREINFO has no PAGE_BUDDY_MAPCOUNT_VALUE and the free lists cannot be read: %s",
			     err->message);
		vmt_error_destroy(err);
		free(c.blocks);
		return;
	}
	qsort(c.blocks, c.nr, sizeof(*c.blocks), cmp_block);
	prog->free_blocks = c.blocks;
	prog->nr_free_blocks = c.nr;
	memmap_walk_set_free_blocks(&prog->memmap_walk, c.blocks, c.nr);
	warnings_add(&prog->warnings,
		     "VMCOREINFO has no PAGE_BUDDY_MAPCOUNT_VALUE: free pages come from the zones' free lists (%zu blocks)",
		     c.nr);
}

static struct vmt_error *build_memmap(struct vmt_program *prog)
{
	char note[MEMMAP_NOTE_SIZE];
	struct vmt_error *err;

	if (prog->layout_err)
		return vmt_error_format(prog->layout_err->code,
					"no memmap: no arm64 layout: %s",
					prog->layout_err->message);
	err = memmap_layout_init(&prog->memmap, &prog->vi, &prog->layout,
				 prog->dump->big_endian);
	if (err)
		return err;
	memmap_layout_add_types(&prog->memmap, &prog->kernel);
	err = memmap_check_vmemmap(&prog->memmap, kernel_kread, &prog->kernel,
				   note);
	if (err)
		return err;
	if (note[0])
		warnings_add(&prog->warnings, "%s", note);
	err = memmap_walk_init(&prog->memmap_walk, &prog->memmap, kernel_kread,
			       &prog->kernel);
	if (!err && !prog->memmap.buddy.known)
		free_blocks_from_lists(prog);
	return err;
}

struct vmt_error *program_memmap(struct vmt_program *prog,
				 struct memmap_walk **ret)
{
	if (!prog->memmap_tried) {
		prog->memmap_tried = true;
		prog->memmap_err = build_memmap(prog);
	}
	if (prog->memmap_err)
		return vmt_error_format(prog->memmap_err->code, "%s",
					prog->memmap_err->message);
	*ret = &prog->memmap_walk;
	return NULL;
}

void program_page_deinit(struct vmt_program *prog)
{
	memmap_walk_deinit(&prog->memmap_walk);
	memmap_layout_deinit(&prog->memmap);
	free(prog->free_blocks);
	prog->free_blocks = NULL;
	vmt_error_destroy(prog->memmap_err);
	prog->memmap_err = NULL;
}

struct vmt_error *vmt_program_page(struct vmt_program *prog, uint64_t pfn,
				   struct vmt_page *ret)
{
	struct memmap_walk *w;
	struct vmt_error *err = program_memmap(prog, &w);

	if (err)
		return err;
	return memmap_read_page(w, pfn, ret);
}

void vmt_program_page_flag_names(struct vmt_program *prog, uint64_t flags,
				 char *buf, size_t size)
{
	static const char *const fallback[] = { "lru", "private", "swapbacked",
						"slab", "hwpoison" };
	const struct memmap_layout *ml = &prog->memmap;
	struct memmap_walk *w;
	size_t len = 0;

	if (!size)
		return;
	buf[0] = '\0';
	if (!vmt_error_ok(program_memmap(prog, &w)))
		return;
	for (int bit = 0; bit < 64; bit++) {
		const char *name = ml->flag_names[bit];
		const int known[] = { ml->pg_lru, ml->pg_private,
				      ml->pg_swapbacked, ml->pg_slab,
				      ml->pg_hwpoison };

		if (!(flags >> bit & 1))
			continue;
		// Without types, VMCOREINFO names a few bits.
		for (size_t i = 0; !name && i < sizeof(known) / sizeof(known[0]); i++)
			if (known[i] == bit)
				name = fallback[i];
		if (!name && ml->pg_head_mask == UINT64_C(1) << bit)
			name = "head";
		if (!name)
			continue;
		len += (size_t)snprintf(buf + (len < size ? len : size - 1),
					len < size ? size - len : 1, "%s%s",
					len ? "," : "", name);
	}
}

// Classify every page frame of the dump's RAM, calling @p each per chunk;
// @p classes NULL for a run of pages without struct pages (all unknown).
typedef struct vmt_error *chunk_fn(struct vmt_program *prog, void *arg,
				   uint64_t pfn, uint64_t nr,
				   const uint8_t *classes);

static struct vmt_error *walk_ram(struct vmt_program *prog, chunk_fn *each,
				  void *arg)
{
	const struct vmt_phys_range *ranges;
	struct memmap_walk *w;
	struct vmt_error *err = program_memmap(prog, &w);
	unsigned int shift;
	size_t nr_ranges;
	uint8_t *classes;

	if (!err)
		err = dump_ranges(prog->dump, &ranges, &nr_ranges);
	if (err)
		return err;
	shift = w->ml->page_shift;
	classes = malloc(CHUNK_PFNS);
	if (!classes)
		return &vmt_enomem;
	memmap_walk_reset(w);
	for (size_t r = 0; r < nr_ranges && !err; r++) {
		const struct vmt_phys_range *rg = &ranges[r];
		uint64_t pfn = rg->start >> shift;
		uint64_t end = (rg->end + (UINT64_C(1) << shift) - 1) >> shift;

		while (pfn < end && !err) {
			uint64_t n = memmap_walk_memmapless(w, pfn, end);

			// A run without struct pages at once (classes NULL:
			// every page unknown): a claimed terabyte without a
			// memmap is a few steps.
			if (n > CHUNK_PFNS) {
				err = each(prog, arg, pfn, n, NULL);
				pfn += n;
				continue;
			}
			n = end - pfn < CHUNK_PFNS ? end - pfn : CHUNK_PFNS;
			err = memmap_walk_classify(w, pfn, n, classes);
			if (!err)
				err = each(prog, arg, pfn, n, classes);
			pfn += n;
		}
	}
	free(classes);
	return err;
}

struct usage_ctx {
	struct vmt_mem_usage *u;
	bool count_zero;
	unsigned char *page;
	// The last location and where it started: it holds up to its
	// run_end (a claimed terabyte of zero fill is one lookup).
	struct dump_location loc;
	uint64_t loc_start;
};

static bool all_zero(const unsigned char *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)p;

	for (size_t i = 0; i < len / 8; i++)
		if (w[i])
			return false;
	return true;
}

// Where @p paddr is in the dump, from the last answer while it holds.
static struct vmt_error *locate_cached(struct vmt_program *prog,
				       struct usage_ctx *c, uint64_t paddr,
				       struct dump_location *ret)
{
	struct vmt_error *err;

	if (paddr >= c->loc_start && paddr < c->loc.run_end) {
		*ret = c->loc;
		return NULL;
	}
	err = dump_locate(prog->dump, paddr, ret);
	if (err)
		return err;
	c->loc = *ret;
	c->loc_start = paddr;
	return NULL;
}

static struct vmt_error *count_zero_page(struct vmt_program *prog,
					 struct usage_ctx *c, uint64_t paddr)
{
	struct vmt_error *err = dump_read_phys(prog->dump, paddr, c->page,
					       c->u->page_size);

	if (!err && all_zero(c->page, c->u->page_size))
		c->u->zero_pages++;
	return err;
}

// [@p pfn, +@p nr) without struct pages: all unknown, counted a location
// run at a time (only pages whose data is in the file are read).
static struct vmt_error *count_unknown_run(struct vmt_program *prog,
					   struct usage_ctx *c, uint64_t pfn,
					   uint64_t nr)
{
	struct vmt_mem_usage *u = c->u;
	bool check_zero = c->count_zero &&
			  !memmap_excluded(VMT_PAGE_UNKNOWN, 31 & ~1u);
	uint64_t p = pfn, end = pfn + nr;

	u->ram_pages += nr;
	u->pages[VMT_PAGE_UNKNOWN] += nr;
	while (p < end) {
		struct dump_location loc;
		struct vmt_error *err = locate_cached(prog, c, p * u->page_size,
						      &loc);
		uint64_t q;

		if (err)
			return err;
		q = dump_location_pages_end(&loc, p, u->page_size, end);
		if (loc.state != DUMP_PAGE_PRESENT) {
			u->not_in_dump_pages += q - p;
		} else if (check_zero && loc.zero_fill) {
			u->zero_pages += q - p;
		} else if (check_zero) {
			for (uint64_t i = p; i < q; i++) {
				err = count_zero_page(prog, c, i * u->page_size);
				if (err)
					return err;
			}
		}
		p = q;
	}
	return NULL;
}

static struct vmt_error *count_chunk(struct vmt_program *prog, void *arg,
				     uint64_t pfn, uint64_t nr,
				     const uint8_t *classes)
{
	struct usage_ctx *c = arg;
	struct vmt_mem_usage *u = c->u;

	if (!classes)
		return count_unknown_run(prog, c, pfn, nr);
	for (uint64_t i = 0; i < nr; i++) {
		uint8_t b = classes[i];
		enum vmt_page_class cls = MEMMAP_CLASS(b);
		uint64_t paddr = (pfn + i) * u->page_size;
		struct dump_location loc;
		struct vmt_error *err;

		u->ram_pages++;
		u->pages[cls]++;
		if (b & MEMMAP_HWPOISON)
			u->hwpoison_pages++;
		if (b & MEMMAP_SHARED)
			u->shared_pages++;
		err = locate_cached(prog, c, paddr, &loc);
		if (err)
			return err;
		if (loc.state != DUMP_PAGE_PRESENT) {
			u->not_in_dump_pages++;
			continue;
		}
		if (!c->count_zero || memmap_excluded(b, 31 & ~1u))
			continue;
		// Past p_filesz: zeros by definition, and not in the file.
		if (loc.zero_fill) {
			u->zero_pages++;
			continue;
		}
		err = count_zero_page(prog, c, paddr);
		if (err)
			return err;
	}
	return NULL;
}

struct vmt_error *vmt_program_mem_usage(struct vmt_program *prog,
					bool count_zero,
					struct vmt_mem_usage *ret)
{
	struct vmt_mem_usage u = { 0 };
	struct usage_ctx c = { .u = &u, .count_zero = count_zero };
	struct vmt_error *err;

	u.page_size = program_page_size(prog);
	u.zero_counted = count_zero;
	if (count_zero) {
		c.page = malloc(u.page_size);
		if (!c.page)
			return &vmt_enomem;
	}
	err = walk_ram(prog, count_chunk, &c);
	free(c.page);
	if (err)
		return err;
	*ret = u;
	return NULL;
}

static void figure(struct vmt_mem_figure *f, uint64_t pages,
		   const char *source)
{
	f->known = true;
	f->pages = pages;
	f->source = source;
}

static void copy_counter(struct vmt_mem_figure *dst,
			 const struct vmt_mem_figure *src)
{
	*dst = *src;
}

struct vmt_error *vmt_program_meminfo(struct vmt_program *prog,
				      struct vmt_meminfo *ret)
{
	struct vmt_meminfo mi = { 0 };
	struct memmap_counters c = { 0 };
	const struct vmt_mem_usage *u = &mi.usage;
	struct vmt_error *err;
	uint64_t buffers;

	err = vmt_program_mem_usage(prog, false, &mi.usage);
	if (err)
		return err;
	mi.page_size = u->page_size;
	memmap_read_counters(&prog->kernel, &prog->vi, &c);
	copy_counter(&mi.counter_total, &c.total);
	copy_counter(&mi.counter_free, &c.free);
	copy_counter(&mi.counter_file, &c.file);
	copy_counter(&mi.counter_swapcache, &c.swapcache);
	copy_counter(&mi.counter_shmem, &c.shmem);
	copy_counter(&mi.counter_anon, &c.anon);
	copy_counter(&mi.counter_slab, &c.slab);

	if (c.total.known)
		mi.total = c.total;
	else
		figure(&mi.total,
		       u->ram_pages - u->pages[VMT_PAGE_UNKNOWN] -
			       u->pages[VMT_PAGE_RESERVED],
		       prog->memmap.pg_reserved >= 0 ?
			       "memmap: RAM pages with a struct page, not PG_reserved" :
			       "memmap: RAM pages with a struct page (PG_reserved unknown)");
	if (c.free.known)
		mi.free = c.free;
	else
		figure(&mi.free, u->pages[VMT_PAGE_FREE],
		       "memmap: pages in the buddy allocator");
	figure(&mi.used, mi.total.pages > mi.free.pages ?
				 mi.total.pages - mi.free.pages : 0,
	       "total - free");
	figure(&mi.shared, u->shared_pages,
	       "memmap: pages not PG_reserved with _refcount > 1");
	buffers = u->pages[VMT_PAGE_CACHE_PRIVATE];
	figure(&mi.buffers, buffers,
	       "memmap: page cache with PG_private (buffer heads)");
	if (c.file.known) {
		uint64_t cached = c.file.pages;
		uint64_t minus = buffers + (c.swapcache.known ? c.swapcache.pages : 0);

		figure(&mi.cached, cached > minus ? cached - minus : 0,
		       c.swapcache.known ?
			       "vm_node_stat: NR_FILE_PAGES - NR_SWAPCACHE - buffers" :
			       "vm_node_stat: NR_FILE_PAGES - buffers");
	} else {
		figure(&mi.cached, u->pages[VMT_PAGE_CACHE],
		       "memmap: page cache (file and shmem) without PG_private");
	}
	if (c.slab.known)
		mi.slab = c.slab;
	else
		figure(&mi.slab, u->pages[VMT_PAGE_SLAB], "memmap: slab pages");
	if (c.anon.known)
		mi.anon = c.anon;
	else
		figure(&mi.anon, u->pages[VMT_PAGE_USER],
		       "memmap: anonymous pages");
	mi.swap_total = c.swap_total;
	mi.swap_free = c.swap_free;
	*ret = mi;
	return NULL;
}
