// The symbol that covers an address. A nearest-symbol answer that nothing
// bounds misleads (a module function named "mem_section+0xd09...", a slab
// object named after the last data symbol), so every answer is bounded: by
// the symbol's size where known, else by the next symbol, within the
// kernel image or the module range the symbol lies in.
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "debuginfo/combined.h"

// Linker symbols that end a section: they cover no bytes. Names that look
// alike are not all markers (__stop_tty is a function), hence a list.
static const char *const section_ends[] = {
	"_etext",	  "_einittext",	    "__init_end",     "__initdata_end",
	"__inittext_end", "__exittext_end", "__end_rodata",   "_edata",
	"__bss_stop",	  "_end",	    "__end_ro_after_init",
};

static bool is_section_end(const char *name)
{
	for (size_t i = 0; i < sizeof(section_ends) / sizeof(section_ends[0]);
	     i++)
		if (!strcmp(name, section_ends[i]))
			return true;
	return false;
}

// Linker labels that start a section: a function or object at the same
// address names it better.
static bool is_section_start(const char *name)
{
	static const char *const starts[] = {
		"_text",	"_stext",	   "_sinittext", "__init_begin",
		"_sdata",	"__bss_start",	   "__start_rodata",
		"_sinitdata",	"__inittext_begin",
	};
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
		if (!strcmp(name, starts[i]))
			return true;
	// __irqentry_text_start, __entry_text_start, __start___ex_table...
	return !strncmp(name, "__start_", 8) ||
	       (!strncmp(name, "__", 2) && len > 8 &&
		!strcmp(name + len - 6, "_start"));
}

// Which of several symbols at one address answers: a real symbol before
// a section label, a global before a local.
static int symbol_rank(const struct symtab_entry *e)
{
	if (is_section_end(e->name))
		return 0;
	if (is_section_start(e->name))
		return 1;
	return e->type >= 'A' && e->type <= 'Z' ? 3 : 2;
}

// Sizes of the objects VMCOREINFO names, which its SYMBOL() lines do not
// give: from its own SIZE() lines where it has them, else from the type
// the kernel declares (kernel/vmcore_info.c, kernel/printk/printk.c,
// kernel/kallsyms_internal.h).
static uint64_t vmcoreinfo_symbol_size(struct debuginfo *di, const char *name,
				       bool use_types)
{
	static const struct {
		const char *symbol;
		const char *size_of; // VMCOREINFO SIZE(x)
		uint64_t bytes;      // fixed size when no SIZE() line
		const char *type;    // else this type's size
	} known[] = {
		{ "node_online_map", "nodemask_t", 0, NULL },
		{ "vmap_area_list", "list_head", 16, NULL },
		{ "printk_rb_static", "printk_ringbuffer", 0, NULL },
		{ "clear_seq", "latched_seq", 0, NULL },
		{ "contig_page_data", "pglist_data", 0, NULL },
		{ "prb", NULL, 8, NULL },
		{ "mem_map", NULL, 8, NULL },
		{ "init_uts_ns", NULL, 0, "struct uts_namespace" },
		{ "kallsyms_num_syms", NULL, 4, NULL },
		{ "kallsyms_relative_base", NULL, 8, NULL },
		{ "kallsyms_token_index", NULL, 512, NULL },
	};
	uint64_t size;

	if (!strcmp(name, "swapper_pg_dir"))
		return di->vi->page_size;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct vmt_type *t;

		if (strcmp(name, known[i].symbol))
			continue;
		if (known[i].size_of &&
		    vmcoreinfo_size(di->vi, known[i].size_of, &size))
			return size;
		if (known[i].type && use_types &&
		    vmt_error_ok(debuginfo_find_type(di, known[i].type, &t)) &&
		    type_strip(t))
			return type_strip(t)->size;
		return known[i].bytes;
	}
	return 0;
}

static bool in_kimage(struct debuginfo *di, uint64_t addr, uint64_t *end_ret)
{
	uint64_t start, end;

	if (!di->ops || !di->ops->kimage ||
	    !di->ops->kimage(di->ops_arg, &start, &end)) {
		*end_ret = UINT64_MAX;
		return true; // nothing to bound by
	}
	*end_ret = end;
	return addr >= start && addr < end;
}

// Why no symbol covers an address, for the error message.
struct miss {
	const char *name;
	uint64_t address;
	uint64_t end;
};

static struct vmt_error *no_symbol(uint64_t addr, const struct miss *m,
				   const char *where)
{
	if (!m->name)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"no symbol covers %#" PRIx64 "%s", addr,
					where);
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"no symbol covers %#" PRIx64
				"%s: the nearest below, %s at %#" PRIx64
				", ends at %#" PRIx64,
				addr, where, m->name, m->address, m->end);
}

// A symbol of one module's table; false if none covers @p addr.
static bool module_symbol(const struct debuginfo_module *m, uint64_t addr,
			  struct vmt_symbol *ret, uint64_t *offset_ret,
			  struct miss *miss)
{
	const struct debuginfo_module_range *r = NULL;
	const struct symtab_entry *e, *next;
	uint64_t end;

	for (size_t i = 0; i < m->nr_ranges; i++)
		if (addr >= m->ranges[i].start && addr < m->ranges[i].end)
			r = &m->ranges[i];
	// The table is the module's own: the const is on the module record.
	e = symtab_lookup_nearest((struct symtab *)&m->syms, addr,
				  symbol_rank);
	if (!r || !e || e->address < r->start)
		return false;
	end = r->end;
	if (e->size) {
		end = e->address + e->size;
	} else {
		next = symtab_lookup_next((struct symtab *)&m->syms,
					  e->address);
		if (next && next->address < end)
			end = next->address;
	}
	if (addr >= end) {
		*miss = (struct miss){ e->name, e->address, end };
		return false;
	}
	debuginfo_fill_symbol(&m->syms, e, ret);
	ret->module = m->name;
	ret->size = end - e->address;
	*offset_ret = addr - e->address;
	return true;
}

// Where core symbol @p e of @p tab ends (exclusive), and its size known or
// inferred (0 if neither).
static uint64_t core_symbol_end(struct debuginfo *di, struct symtab **tabs,
				size_t n, const struct symtab *tab,
				const struct symtab_entry *e,
				uint64_t image_end, bool use_types,
				uint64_t *size_ret)
{
	uint64_t size = e->size, end;

	if (!size && tab == &di->vmcoreinfo_syms)
		size = vmcoreinfo_symbol_size(di, e->name, use_types);
	if (is_section_end(e->name) && !size) {
		*size_ret = 0;
		return e->address + 1; // covers its own address only
	}
	if (size) {
		*size_ret = size;
		return e->address + size;
	}
	// kallsyms keeps no sizes: a symbol ends where the next one starts
	// (kallsyms is sorted, and section ends are symbols too).
	end = image_end;
	for (size_t i = 0; i < n; i++) {
		const struct symtab_entry *next =
			symtab_lookup_next(tabs[i], e->address);

		if (next && next->address < end)
			end = next->address;
	}
	*size_ret = end != image_end ? end - e->address : 0;
	return end;
}

void debuginfo_infer_size(struct debuginfo *di, struct vmt_symbol *sym)
{
	struct symtab *tabs[4];
	size_t n;
	uint64_t image_end;

	if (sym->size || sym->module || !in_kimage(di, sym->address, &image_end))
		return;
	n = debuginfo_symbol_tables(di, tabs);
	for (size_t i = 0; i < n; i++) {
		const struct symtab_entry *e =
			symtab_lookup_name(tabs[i], sym->name);

		if (e && e->address == sym->address &&
		    !strcmp(tabs[i]->source, sym->source)) {
			// Loading types to size a symbol asked by name would
			// slow the answer down: sizes from types are left out.
			core_symbol_end(di, tabs, n, tabs[i], e, image_end,
					false, &sym->size);
			return;
		}
	}
}

// The nearest core-kernel symbol, bounded; false if none covers @p addr.
static bool core_symbol(struct debuginfo *di, uint64_t addr,
			struct vmt_symbol *ret, uint64_t *offset_ret,
			struct miss *miss)
{
	struct symtab *tabs[4];
	size_t n = debuginfo_symbol_tables(di, tabs);
	const struct symtab_entry *best = NULL;
	const struct symtab *best_tab = NULL;
	uint64_t image_end, end, size;

	// Kernel symbols name kernel-image bytes only: VMCOREINFO's
	// SYMBOL(mem_section) and SYMBOL(vmemmap) are values (linear-map and
	// vmemmap addresses), not objects of the image.
	if (!in_kimage(di, addr, &image_end))
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct symtab_entry *e = symtab_lookup_nearest(
			tabs[i], addr, symbol_rank);
		uint64_t unused;

		if (!e || !in_kimage(di, e->address, &unused))
			continue;
		// Earlier (better) sources win ties, unless a label loses to
		// a symbol at the same address.
		if (!best || e->address > best->address ||
		    (e->address == best->address &&
		     symbol_rank(e) > symbol_rank(best))) {
			best = e;
			best_tab = tabs[i];
		}
	}
	if (!best)
		return false;
	end = core_symbol_end(di, tabs, n, best_tab, best, image_end, true,
			      &size);
	if (addr >= end) {
		*miss = (struct miss){ best->name, best->address, end };
		return false;
	}
	debuginfo_fill_symbol(best_tab, best, ret);
	ret->size = size;
	*offset_ret = addr - best->address;
	return true;
}

// Module symbols come from the dump (each module's kallsyms).
static bool allowed_module_symbols(const struct debuginfo *di)
{
	return di->only == VMT_SYM_SOURCE_ANY ||
	       di->only == VMT_SYM_SOURCE_KALLSYMS;
}

static bool covering_symbol(struct debuginfo *di, uint64_t addr,
			    struct vmt_symbol *ret, uint64_t *offset_ret,
			    struct miss *miss, const char **where_ret)
{
	const struct debuginfo_module *m = debuginfo_module_at(di, addr);

	if (m) {
		*where_ret = m->name;
		return allowed_module_symbols(di) &&
		       module_symbol(m, addr, ret, offset_ret, miss);
	}
	*where_ret = NULL;
	return core_symbol(di, addr, ret, offset_ret, miss);
}

struct vmt_error *debuginfo_symbol_by_addr(struct debuginfo *di,
					   uint64_t addr,
					   struct vmt_symbol *ret,
					   uint64_t *offset_ret)
{
	struct miss miss = { 0 };
	const char *module;
	char where[96] = "";

	if (di->ops && di->ops->untag)
		addr = di->ops->untag(di->ops_arg, addr);
	if (covering_symbol(di, addr, ret, offset_ret, &miss, &module))
		return NULL;
	// Derived symbols (init_task on a kernel without KALLSYMS_ALL) and
	// modules are found on demand: ask again once they are.
	if (!di->load_more_state) {
		debuginfo_load_more(di);
		miss = (struct miss){ 0 };
		if (covering_symbol(di, addr, ret, offset_ret, &miss, &module))
			return NULL;
	}
	if (module)
		snprintf(where, sizeof(where), " (in module %s)", module);
	return no_symbol(addr, &miss, where);
}
