// `kmem`: memory use (-i), struct pages (-p), slab caches (-s) and what
// addresses are (no option). One function per mode; cmd_kmem() only picks
// the mode, so a new mode is one function and one option.
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "vmtool/kmem.h"
#include "vmtool/page.h"

// Flag names of one page as text ("locked,lru,head").
#define FLAG_NAMES_SIZE 512

static void json_figure(struct json *j, const char *key,
			const struct vmt_mem_figure *f, uint64_t page_size)
{
	json_key(j, key);
	if (!f->known) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_key(j, "pages");
	json_uint(j, f->pages);
	json_key(j, "bytes");
	json_uint(j, f->pages * page_size);
	json_key(j, "source");
	json_string(j, f->source);
	json_end_object(j);
}

static void json_counter(struct json *j, const char *key,
			 const struct vmt_mem_figure *f)
{
	json_key(j, key);
	if (f->known)
		json_uint(j, f->pages);
	else
		json_null(j);
}

static void kmem_info_json(struct cmd_ctx *ctx, const struct vmt_meminfo *mi)
{
	const struct vmt_mem_usage *u = &mi->usage;
	struct json j;

	json_init(&j, ctx->out);
	json_begin_object(&j);
	json_key(&j, "page_size");
	json_uint(&j, mi->page_size);
	json_figure(&j, "total", &mi->total, mi->page_size);
	json_figure(&j, "free", &mi->free, mi->page_size);
	json_figure(&j, "used", &mi->used, mi->page_size);
	json_figure(&j, "shared", &mi->shared, mi->page_size);
	json_figure(&j, "buffers", &mi->buffers, mi->page_size);
	json_figure(&j, "cached", &mi->cached, mi->page_size);
	json_figure(&j, "slab", &mi->slab, mi->page_size);
	json_figure(&j, "anon", &mi->anon, mi->page_size);
	json_figure(&j, "swap_total", &mi->swap_total, mi->page_size);
	json_figure(&j, "swap_free", &mi->swap_free, mi->page_size);
	json_key(&j, "memmap");
	json_begin_object(&j);
	json_key(&j, "ram_pages");
	json_uint(&j, u->ram_pages);
	for (int c = 0; c < VMT_PAGE_CLASS_COUNT; c++) {
		json_key(&j, vmt_page_class_name(c));
		json_uint(&j, u->pages[c]);
	}
	json_key(&j, "hwpoison");
	json_uint(&j, u->hwpoison_pages);
	json_key(&j, "shared");
	json_uint(&j, u->shared_pages);
	json_key(&j, "not_in_dump");
	json_uint(&j, u->not_in_dump_pages);
	json_end_object(&j);
	json_key(&j, "counters");
	json_begin_object(&j);
	json_counter(&j, "totalram", &mi->counter_total);
	json_counter(&j, "free", &mi->counter_free);
	json_counter(&j, "file", &mi->counter_file);
	json_counter(&j, "swapcache", &mi->counter_swapcache);
	json_counter(&j, "shmem", &mi->counter_shmem);
	json_counter(&j, "anon", &mi->counter_anon);
	json_counter(&j, "slab", &mi->counter_slab);
	json_end_object(&j);
	json_end_object(&j);
	json_finish(&j);
}

// "224.5 MB" as crash prints sizes.
static void human(char *buf, size_t size, uint64_t bytes)
{
	if (bytes >= (UINT64_C(1) << 30))
		snprintf(buf, size, "%.1f GB", (double)bytes / (1 << 30));
	else if (bytes >= (UINT64_C(1) << 20))
		snprintf(buf, size, "%.1f MB", (double)bytes / (1 << 20));
	else
		snprintf(buf, size, "%.1f KB", (double)bytes / 1024);
}

static void text_line(struct cmd_ctx *ctx, const char *name,
		      const struct vmt_mem_figure *f, uint64_t page_size,
		      const struct vmt_mem_figure *of, const char *of_name)
{
	char size[32];

	if (!f->known) {
		fprintf(ctx->out, "%13s  %10s  %11s  (unknown)\n", name, "-", "-");
		return;
	}
	human(size, sizeof(size), f->pages * page_size);
	fprintf(ctx->out, "%13s  %10" PRIu64 "  %11s  ", name, f->pages, size);
	if (of && of->known && of->pages)
		fprintf(ctx->out, "%3" PRIu64 "%% of %s\n",
			f->pages * 100 / of->pages, of_name);
	else
		fprintf(ctx->out, "%14s\n", "----");
}

static void kmem_info_text(struct cmd_ctx *ctx, const struct vmt_meminfo *mi)
{
	const struct vmt_mem_figure *figs[] = {
		&mi->total, &mi->free, &mi->used, &mi->shared, &mi->buffers,
		&mi->cached, &mi->slab, &mi->anon,
	};
	static const char *const names[] = {
		"TOTAL MEM", "FREE", "USED", "SHARED", "BUFFERS", "CACHED",
		"SLAB", "ANON",
	};
	struct vmt_mem_figure swap_used = { 0 };
	uint64_t ps = mi->page_size;

	fprintf(ctx->out, "%13s  %10s  %11s  %s\n", "", "PAGES", "TOTAL",
		"PERCENTAGE");
	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++)
		text_line(ctx, names[i], figs[i], ps, i ? &mi->total : NULL,
			  "TOTAL MEM");
	fputc('\n', ctx->out);
	if (mi->swap_total.known && mi->swap_free.known) {
		swap_used.known = true;
		swap_used.pages = mi->swap_total.pages > mi->swap_free.pages ?
					  mi->swap_total.pages - mi->swap_free.pages :
					  0;
	}
	text_line(ctx, "TOTAL SWAP", &mi->swap_total, ps, NULL, NULL);
	text_line(ctx, "SWAP USED", &swap_used, ps, &mi->swap_total,
		  "TOTAL SWAP");
	text_line(ctx, "SWAP FREE", &mi->swap_free, ps, &mi->swap_total,
		  "TOTAL SWAP");
	fprintf(ctx->out, "\nSources:\n");
	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++)
		if (figs[i]->known)
			fprintf(ctx->out, "%13s  %s\n", names[i], figs[i]->source);
	if (!mi->swap_total.known)
		fprintf(ctx->out, "%13s  %s\n", "SWAP",
			"unknown: no total_swap_pages/nr_swap_pages symbols");
}

// kmem -i
static int kmem_info(struct cmd_ctx *ctx)
{
	struct vmt_meminfo mi;
	struct vmt_error *err = vmt_program_meminfo(ctx->prog, &mi);
	int rc;

	if (err) {
		rc = cmd_fail(ctx, err, "memory use");
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json)
		kmem_info_json(ctx, &mi);
	else
		kmem_info_text(ctx, &mi);
	return EXIT_OK;
}

static void page_json(struct cmd_ctx *ctx, struct json *j,
		      const struct vmt_page *pg)
{
	char names[FLAG_NAMES_SIZE];
	char *save = NULL, *tok;

	vmt_program_page_flag_names(ctx->prog, pg->flags, names, sizeof(names));
	json_begin_object(j);
	json_key(j, "page");
	json_addr(j, pg->page);
	json_key(j, "paddr");
	json_addr(j, pg->paddr);
	json_key(j, "pfn");
	json_uint(j, pg->pfn);
	json_key(j, "flags");
	json_uint(j, pg->flags);
	json_key(j, "flag_names");
	json_begin_array(j);
	for (tok = strtok_r(names, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		json_string(j, tok);
	json_end_array(j);
	json_key(j, "mapping");
	json_addr(j, pg->mapping);
	json_key(j, "index");
	json_uint(j, pg->index);
	json_key(j, "count");
	json_int(j, pg->refcount);
	json_key(j, "mapcount");
	json_int(j, pg->mapcount);
	json_key(j, "private");
	json_uint(j, pg->private);
	json_key(j, "class");
	json_string(j, vmt_page_class_name(pg->cls));
	json_key(j, "head");
	json_bool(j, pg->head);
	json_key(j, "tail");
	json_bool(j, pg->tail);
	json_key(j, "head_page");
	if (pg->tail)
		json_addr(j, pg->head_page);
	else
		json_null(j);
	json_key(j, "order");
	json_uint(j, pg->order);
	json_key(j, "hwpoison");
	json_bool(j, pg->hwpoison);
	json_end_object(j);
}

static void page_text(struct cmd_ctx *ctx, const struct vmt_page *pg)
{
	char names[FLAG_NAMES_SIZE];

	vmt_program_page_flag_names(ctx->prog, pg->flags, names, sizeof(names));
	fprintf(ctx->out,
		"%016" PRIx64 "  %10" PRIx64 "  %16" PRIx64 "  %8" PRIu64
		"  %3d  %-13s %" PRIx64 " %s\n",
		pg->page, pg->paddr, pg->mapping, pg->index, pg->refcount,
		vmt_page_class_name(pg->cls), pg->flags, names);
}

static const char page_header[] =
	"      PAGE          PHYSICAL       MAPPING          INDEX  CNT  CLASS         FLAGS\n";

// One page of kmem -p; returns the exit code of a failure, or EXIT_OK.
static int kmem_page_one(struct cmd_ctx *ctx, struct json *j, uint64_t paddr,
			 uint64_t page_size, const char *arg)
{
	struct vmt_page pg;
	struct vmt_error *err;
	int rc;

	err = vmt_program_page(ctx->prog, paddr / page_size, &pg);
	if (err) {
		rc = cmd_entry_error(ctx, j, err, "%s", arg ? arg : "page");
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json)
		page_json(ctx, j, &pg);
	else
		page_text(ctx, &pg);
	return EXIT_OK;
}

// kmem -p [PADDR...]: the struct page of each address, or of every page.
static int kmem_pages(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_dump_info *info = vmt_program_dump_info(ctx->prog);
	uint64_t ps = info->page_size;
	int rc = EXIT_OK;
	struct json j;

	for (int i = 0; i < argc; i++) {
		uint64_t v;

		if (!parse_hex(argv[i], &v))
			return cmd_usage(ctx, "kmem -p: '%s' is not a physical address",
					 argv[i]);
	}
	json_init(&j, ctx->out);
	if (ctx->json)
		json_begin_array(&j);
	else
		fputs(page_header, ctx->out);
	for (int i = 0; i < argc; i++) {
		uint64_t paddr;
		int r;

		parse_hex(argv[i], &paddr);
		r = kmem_page_one(ctx, &j, paddr, ps, argv[i]);
		if (r > rc)
			rc = r;
	}
	if (!argc) {
		// Every page frame of RAM, as crash's bare kmem -p.
		for (size_t r = 0; r < info->nr_phys_ranges; r++) {
			const struct vmt_phys_range *rg = &info->phys_ranges[r];

			for (uint64_t a = rg->start / ps * ps; a < rg->end; a += ps) {
				int e = kmem_page_one(ctx, &j, a, ps, NULL);

				if (e > rc)
					rc = e;
			}
		}
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}

// "key": an address, a string or a number, or null (output.h's helpers
// with the key in front).
static void key_addr_or_null(struct json *j, const char *key, bool has,
			     uint64_t v)
{
	json_key(j, key);
	json_addr_or_null(j, has, v);
}

static void key_string_or_null(struct json *j, const char *key,
			       const char *s)
{
	json_key(j, key);
	if (s && s[0])
		json_string(j, s);
	else
		json_null(j);
}

static void key_uint_or_null(struct json *j, const char *key, bool has,
			     uint64_t v)
{
	json_key(j, key);
	json_uint_or_null(j, has, v);
}

static void kmem_vmalloc_json(struct json *j, const struct vmt_kmem *k)
{
	json_key(j, "vmalloc");
	if (!k->has_vmalloc) {
		json_null(j);
		return;
	}
	json_begin_object(j);
	json_key(j, "start");
	json_addr(j, k->vm_start);
	json_key(j, "end");
	json_addr(j, k->vm_end);
	json_key(j, "size");
	json_uint(j, k->vm_size);
	key_string_or_null(j, "kind", k->vm_kind);
	json_key(j, "nr_pages");
	json_uint(j, k->vm_nr_pages);
	key_addr_or_null(j, "phys_addr", k->vm_phys_addr != 0,
			  k->vm_phys_addr);
	key_addr_or_null(j, "caller", k->vm_caller != 0, k->vm_caller);
	json_key(j, "caller_symbol");
	if (k->has_vm_caller_symbol) {
		char buf[300];

		snprintf(buf, sizeof(buf), "%s+%#" PRIx64,
			 k->vm_caller_symbol.name, k->vm_caller_offset);
		json_string(j, buf);
	} else {
		json_null(j);
	}
	json_end_object(j);
}

static void kmem_addr_json(struct cmd_ctx *ctx, struct json *j,
			   const struct vmt_kmem *k)
{
	bool stack = k->kind == VMT_KMEM_STACK, slab = k->kind == VMT_KMEM_SLAB;
	bool free_page = k->kind == VMT_KMEM_FREE;

	json_begin_object(j);
	json_key(j, "address");
	json_addr(j, k->address);
	json_key(j, "kind");
	json_string(j, vmt_kmem_kind_name(k->kind));
	json_key(j, "region");
	json_string(j, k->region);
	key_addr_or_null(j, "paddr", k->has_paddr, k->paddr);
	key_addr_or_null(j, "page", k->has_page, k->page.page);
	key_string_or_null(j, "symbol", k->has_symbol ? k->symbol.name : NULL);
	key_addr_or_null(j, "symbol_address", k->has_symbol,
			  k->symbol.address);
	key_uint_or_null(j, "symbol_offset", k->has_symbol, k->symbol_offset);
	key_string_or_null(j, "module",
			    k->module ? k->module :
			    k->has_symbol ? k->symbol.module : NULL);
	key_string_or_null(j, "module_mem", k->module_mem);
	kmem_vmalloc_json(j, k);
	json_key(j, "pid");
	if (stack)
		json_int(j, k->pid);
	else
		json_null(j);
	key_string_or_null(j, "comm", stack ? k->comm : NULL);
	key_addr_or_null(j, "task", stack, k->task);
	key_addr_or_null(j, "stack_base", stack, k->stack_base);
	key_uint_or_null(j, "stack_size", stack, k->stack_size);
	key_string_or_null(j, "cache", slab ? k->cache : NULL);
	key_addr_or_null(j, "kmem_cache", slab, k->kmem_cache);
	key_addr_or_null(j, "slab", slab, k->slab);
	key_addr_or_null(j, "object", slab && k->object, k->object);
	key_uint_or_null(j, "object_offset", slab && k->object,
			  k->object_offset);
	key_uint_or_null(j, "object_size", slab, k->object_size);
	key_uint_or_null(j, "slot_size", slab, k->slot_size);
	json_key(j, "allocated");
	if (slab && k->allocated_known)
		json_bool(j, k->allocated);
	else
		json_null(j);
	key_string_or_null(j, "free_list", slab ? k->free_list : NULL);
	key_addr_or_null(j, "free_block", free_page, k->free_block_page);
	key_uint_or_null(j, "free_order", free_page, k->free_order);
	json_key(j, "page_info");
	if (k->has_page)
		page_json(ctx, j, &k->page);
	else
		json_null(j);
	key_string_or_null(j, "note", k->note);
	json_end_object(j);
}

static void kmem_addr_text(struct cmd_ctx *ctx, const struct vmt_kmem *k)
{
	FILE *o = ctx->out;

	fprintf(o, "%016" PRIx64 "  %s (%s)\n", k->address,
		vmt_kmem_kind_name(k->kind), k->region);
	if (k->has_symbol) {
		fprintf(o, "  SYMBOL    %s", k->symbol.name);
		if (k->symbol_offset)
			fprintf(o, "+%#" PRIx64, k->symbol_offset);
		if (k->symbol.module)
			fprintf(o, " [%s]", k->symbol.module);
		fputc('\n', o);
	}
	if (k->module)
		fprintf(o, "  MODULE    %s (%s)\n", k->module, k->module_mem);
	if (k->kind == VMT_KMEM_STACK)
		fprintf(o, "  STACK     pid %d (%s), task %016" PRIx64
			   ", stack %016" PRIx64 "-%016" PRIx64 "\n",
			k->pid, k->comm, k->task, k->stack_base,
			k->stack_base + k->stack_size);
	if (k->has_vmalloc) {
		fprintf(o, "  VMALLOC   %016" PRIx64 "-%016" PRIx64
			   "  %" PRIu64 " bytes  %s",
			k->vm_start, k->vm_end, k->vm_size, k->vm_kind);
		if (k->has_vm_caller_symbol)
			fprintf(o, "  caller %s+%#" PRIx64,
				k->vm_caller_symbol.name, k->vm_caller_offset);
		else if (k->vm_caller)
			fprintf(o, "  caller %016" PRIx64, k->vm_caller);
		fputc('\n', o);
	}
	if (k->kind == VMT_KMEM_SLAB) {
		fprintf(o, "  CACHE     %016" PRIx64 "  %s  object size %" PRIu32
			   ", slot %" PRIu32 "\n",
			k->kmem_cache, k->cache, k->object_size, k->slot_size);
		if (k->object)
			fprintf(o, "  OBJECT    %016" PRIx64 "+%#" PRIx64
				   "  %s%s%s  (slab %016" PRIx64 ")\n",
				k->object, k->object_offset,
				!k->allocated_known ? "allocated or free: unknown" :
				k->allocated	    ? "allocated" : "free",
				k->free_list[0] ? ", on the " : "", k->free_list,
				k->slab);
	}
	if (k->kind == VMT_KMEM_FREE)
		fprintf(o, "  FREE      in a free block of order %u starting at page %016" PRIx64 "\n",
			k->free_order, k->free_block_page);
	if (k->has_page) {
		fputs("  ", o);
		fputs(page_header + 2, o);
		fputs("  ", o);
		page_text(ctx, &k->page);
	} else if (k->has_paddr) {
		fprintf(o, "  PHYSICAL  %" PRIx64 "\n", k->paddr);
	}
	if (k->note[0])
		fprintf(o, "  NOTE      %s\n", k->note);
}

// kmem ADDR...: what each address is.
static int kmem_addresses(struct cmd_ctx *ctx, int argc, char **argv)
{
	int rc = EXIT_OK;
	struct json j;

	// A malformed address is a usage error, before any output.
	for (int i = 0; i < argc; i++)
		if (!address_syntax_ok(argv[i]))
			return cmd_usage(ctx, "'%s' is not an address or SYMBOL[+OFF]",
					 argv[i]);
	json_init(&j, ctx->out);
	if (ctx->json)
		json_begin_array(&j);
	for (int i = 0; i < argc; i++) {
		struct vmt_error *err;
		struct vmt_kmem k;
		uint64_t addr;

		// An address, or SYMBOL[+OFF] (crash reads bare numbers as hex).
		err = resolve_address(ctx, argv[i], &addr);
		if (!err)
			err = vmt_program_kmem(ctx->prog, addr, &k);
		if (err) {
			int r = cmd_entry_error(ctx, &j, err, "%s", argv[i]);

			vmt_error_destroy(err);
			if (r > rc)
				rc = r;
			continue;
		}
		if (ctx->json)
			kmem_addr_json(ctx, &j, &k);
		else
			kmem_addr_text(ctx, &k);
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}

static void slab_json(struct json *j, const struct vmt_slab_cache *c,
		      uint64_t page_size)
{
	json_begin_object(j);
	json_key(j, "name");
	json_string(j, c->name);
	json_key(j, "kmem_cache");
	json_addr(j, c->kmem_cache);
	json_key(j, "object_size");
	json_uint(j, c->object_size);
	json_key(j, "slot_size");
	json_uint(j, c->slot_size);
	json_key(j, "objects_per_slab");
	json_uint(j, c->objects_per_slab);
	json_key(j, "slab_size");
	json_uint(j, page_size << c->order);
	key_uint_or_null(j, "allocated", c->counts_known, c->active_objects);
	key_uint_or_null(j, "total", c->counts_known, c->total_objects);
	key_uint_or_null(j, "slabs", c->counts_known, c->slabs);
	json_end_object(j);
}

static void slab_text(struct cmd_ctx *ctx, const struct vmt_slab_cache *c,
		      uint64_t page_size)
{
	fprintf(ctx->out, "%016" PRIx64 "  %7" PRIu32, c->kmem_cache,
		c->object_size);
	if (c->counts_known)
		fprintf(ctx->out, "  %9" PRIu64 "  %9" PRIu64 "  %6" PRIu64,
			c->active_objects, c->total_objects, c->slabs);
	else
		fprintf(ctx->out, "  %9s  %9s  %6s", "?", "?", "?");
	fprintf(ctx->out, "  %4" PRIu64 "k  %s\n", (page_size << c->order) >> 10,
		c->name);
}

// kmem -s [NAME...]: the slab caches, as /proc/slabinfo counts them.
static int kmem_slabs(struct cmd_ctx *ctx, int argc, char **argv)
{
	uint64_t ps = vmt_program_dump_info(ctx->prog)->page_size;
	const struct vmt_slab_cache *caches;
	struct vmt_error *err;
	int rc = EXIT_OK;
	struct json j;
	size_t n;

	err = vmt_program_slab_caches(ctx->prog, &caches, &n);
	if (err) {
		rc = cmd_fail(ctx, err, "slab caches");
		vmt_error_destroy(err);
		return rc;
	}
	json_init(&j, ctx->out);
	if (ctx->json)
		json_begin_array(&j);
	else
		fprintf(ctx->out, "CACHE             OBJSIZE  ALLOCATED      TOTAL   SLABS  SSIZE  NAME\n");
	for (size_t i = 0; !argc && i < n; i++) {
		if (ctx->json)
			slab_json(&j, &caches[i], ps);
		else
			slab_text(ctx, &caches[i], ps);
	}
	for (int a = 0; a < argc; a++) {
		const struct vmt_slab_cache *c;

		err = vmt_program_slab_cache_by_name(ctx->prog, argv[a], &c);
		if (err) {
			rc = cmd_entry_error(ctx, &j, err, NULL);
			vmt_error_destroy(err);
		} else if (ctx->json) {
			slab_json(&j, c, ps);
		} else {
			slab_text(ctx, c, ps);
		}
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}

int cmd_kmem(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "info", no_argument, NULL, 'i' },
		{ "pages", no_argument, NULL, 'p' },
		{ "slab", no_argument, NULL, 's' },
		{ 0 },
	};
	char mode = 0;
	int opt;

	opterr = 0; // cmd_usage() reports unknown options
	while ((opt = getopt_long(argc, argv, "ips", longopts, NULL)) != -1) {
		switch (opt) {
		case 'i':
		case 'p':
		case 's':
			if (mode && mode != opt)
				return cmd_usage(ctx, "-%c and -%c cannot be combined",
						 mode, opt);
			mode = (char)opt;
			break;
		default:
			return cmd_usage(ctx, "unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	switch (mode) {
	case 'i':
		if (argc)
			return cmd_usage(ctx, "kmem -i takes no argument");
		return kmem_info(ctx);
	case 'p':
		return kmem_pages(ctx, argc, argv);
	case 's':
		return kmem_slabs(ctx, argc, argv);
	default:
		if (!argc)
			return cmd_usage(ctx,
					 "say what to show: ADDR..., -i, -p or -s");
		return kmem_addresses(ctx, argc, argv);
	}
}
