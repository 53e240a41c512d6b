// Where the module list is. The list head `modules` is a data symbol:
// kallsyms has it only with CONFIG_KALLSYMS_ALL, which Debian's kernel
// lacks. Then the dump alone leads there: module memory is vmalloc memory
// (module_alloc() / execmem), VMCOREINFO's vmap_area_list (or 6.9+'s
// vmap_nodes) lists the vmalloc areas, one struct module lies in each
// module's data, recognizable by mkobj.mod pointing at itself, and its
// list ring passes through the head: the one node outside any module.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_ctx.h"
#include "kernel/module.h"
#include "kernel/vmalloc.h"

#define MAX_MODULES 65536
// Scan no more than this much vmalloc memory looking for a module.
#define SCAN_MAX_BYTES (512ull << 20)

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

struct areas {
	struct vmalloc_area *v;
	size_t nr;
};

// Module memory is allocated vmalloc memory; the kernel image, which
// arm64 also registers as vmalloc areas (VM_MAP, from paging_init()), is
// not.
static bool in_vmalloc_area(void *arg, uint64_t addr)
{
	const struct areas *a = arg;
	const struct vmalloc_area *v = vmalloc_find(a->v, a->nr, addr);

	return v && v->vm && (v->flags & VMALLOC_VM_ALLOC);
}

static uint64_t distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static const struct vmalloc_area *sort_base_areas;
static uint64_t sort_anchor;

static int cmp_nearest(const void *x, const void *y)
{
	const struct vmalloc_area *a = &sort_base_areas[*(const size_t *)x];
	const struct vmalloc_area *b = &sort_base_areas[*(const size_t *)y];
	uint64_t da = distance(a->va_start, sort_anchor);
	uint64_t db = distance(b->va_start, sort_anchor);

	return da < db ? -1 : da > db;
}

// Find one struct module in the vmalloc areas that hold allocated pages
// (VM_ALLOC): arm64 places modules near the kernel image (module_alloc()
// keeps them within branch range of it), so the areas nearest _stext go
// first.
static struct vmt_error *scan_areas(struct kernel *k,
				    const struct module_layout *l,
				    const struct areas *a, bool *found_ret,
				    uint64_t *mod_ret, size_t *scanned_ret)
{
	uint64_t anchor = k->layout->kimage_start.value, bytes = 0;
	size_t *order, n = 0;

	order = malloc((a->nr ? a->nr : 1) * sizeof(*order));
	if (!order)
		return &vmt_enomem;
	for (size_t i = 0; i < a->nr; i++)
		if (a->v[i].vm && (a->v[i].flags & VMALLOC_VM_ALLOC))
			order[n++] = i;
	sort_base_areas = a->v;
	sort_anchor = anchor;
	qsort(order, n, sizeof(*order), cmp_nearest);
	sort_base_areas = NULL;
	*scanned_ret = 0;
	*found_ret = false;
	for (size_t i = 0; i < n && bytes < SCAN_MAX_BYTES && !*found_ret;
	     i++) {
		const struct vmalloc_area *v = &a->v[order[i]];

		bytes += v->va_end - v->va_start;
		++*scanned_ret;
		*found_ret = module_scan(l, kread, k, v->va_start, v->va_end,
					 mod_ret);
	}
	free(order);
	return NULL;
}

// A kernel built without CONFIG_MODULES has no module loader in its text
// symbols (asked only where text symbols are known: `schedule` is there).
static bool kernel_lacks_modules(struct kernel *k)
{
	// Not the syscalls: without modules, __arm64_sys_init_module is
	// still there, a weak alias of sys_ni_syscall (COND_SYSCALL).
	static const char *const loader[] = { "load_module",
					      "do_init_module" };
	struct vmt_symbol sym;

	if (!vmt_error_ok(debuginfo_symbol_by_name(k->di, "schedule", &sym)))
		return false;
	for (size_t i = 0; i < sizeof(loader) / sizeof(loader[0]); i++)
		if (vmt_error_ok(debuginfo_symbol_by_name(k->di, loader[i],
							  &sym)))
			return false;
	return true;
}

// Without the symbol: a struct module in the vmalloc areas, and the one
// node of its list ring outside module memory. *head_ret = 0 when no
// module is found (none loaded); @p how says what was done.
static struct vmt_error *scan_for_head(struct kernel *k,
				       const struct module_layout *l,
				       uint64_t *head_ret, char *how,
				       size_t how_size)
{
	struct areas a = { NULL, 0 };
	struct vmt_module m;
	uint64_t mod = 0, head = 0;
	size_t scanned = 0;
	struct vmt_error *err;
	char vhow[160];
	bool found;

	err = vmalloc_areas(k, &a.v, &a.nr, vhow, sizeof(vhow), NULL);
	if (err)
		return vmt_error_wrap(err,
				      "no modules symbol (no CONFIG_KALLSYMS_ALL, no vmlinux), and no vmalloc areas to search");
	err = scan_areas(k, l, &a, &found, &mod, &scanned);
	if (!err && found)
		err = module_find_head(l, kread, k, mod, in_vmalloc_area, &a,
				       &head);
	free(a.v);
	if (err)
		return err;
	*head_ret = head;
	if (!found) {
		snprintf(how, how_size,
			 "none: no symbol modules, no struct module in %zu vmalloc areas (%s)",
			 scanned, vhow);
		return NULL;
	}
	if (!vmt_error_ok(module_read(l, kread, k, mod, &m)))
		snprintf(m.name, sizeof(m.name), "?");
	snprintf(how, how_size,
		 "derived: list head of struct module %s (%#" PRIx64
		 ") found in vmalloc areas (%s)",
		 m.name, mod, vhow);
	kernel_add_derived_object(k, "modules", head, "list_head", how);
	return NULL;
}

// The list head, from its symbol or found by scanning. *head_ret = 0 means
// there is no module list to read (@p how says why).
static struct vmt_error *find_head(struct kernel *k,
				   const struct module_layout *l,
				   uint64_t *head_ret, char *how,
				   size_t how_size)
{
	if (vmt_error_ok(kernel_symbol(k, "modules", head_ret))) {
		snprintf(how, how_size, "symbol modules at %#" PRIx64,
			 *head_ret);
		return NULL;
	}
	if (kernel_lacks_modules(k)) {
		*head_ret = 0;
		snprintf(how, how_size,
			 "none: the kernel has no module support (no modules symbol, no load_module)");
		return NULL;
	}
	return scan_for_head(k, l, head_ret, how, how_size);
}

static void add_symbols(struct kernel *k, const struct module_layout *l,
			const struct vmt_module *m)
{
	struct debuginfo_module_range ranges[DEBUGINFO_MODULE_RANGES];
	struct symtab tab;
	struct vmt_error *err;
	size_t n = 0;

	for (int i = 0; i < VMT_MODULE_MEM_COUNT && n < DEBUGINFO_MODULE_RANGES;
	     i++) {
		if (!m->mem[i].size || m->mem[i].base + m->mem[i].size <
					       m->mem[i].base)
			continue;
		ranges[n].start = m->mem[i].base;
		ranges[n].end = m->mem[i].base + m->mem[i].size;
		n++;
	}
	symtab_init(&tab, "kallsyms");
	err = module_symbols(l, kread, k, m, &tab);
	if (!err)
		err = debuginfo_add_module(k->di, m->name, ranges, n, &tab);
	symtab_deinit(&tab);
	if (err) {
		kernel_warn(k, "module %s: symbols: %s", m->name, err->message);
		vmt_error_destroy(err);
	}
}

struct vmt_error *kernel_modules(struct kernel *k, struct vmt_module **ret,
				 size_t *nr_ret, char *how_ret,
				 size_t how_size)
{
	struct vmt_module *mods = NULL;
	struct module_layout l;
	struct vmt_error *err;
	uint64_t head;
	size_t nr = 0;

	*ret = NULL;
	*nr_ret = 0;
	how_ret[0] = '\0';
	err = module_layout_init(k, &l);
	if (err) {
		// Without CONFIG_MODULES struct module is only declared.
		if (kernel_lacks_modules(k)) {
			vmt_error_destroy(err);
			snprintf(how_ret, how_size,
				 "none: the kernel has no module support (no load_module, struct module only declared)");
			return NULL;
		}
		return vmt_error_wrap(err, "struct module");
	}
	err = find_head(k, &l, &head, how_ret, how_size);
	if (err || !head)
		return err;
	err = module_list(&l, kread, k, head, MAX_MODULES, &mods, &nr);
	for (size_t i = 0; i < nr; i++)
		add_symbols(k, &l, &mods[i]);
	*ret = mods;
	*nr_ret = nr;
	return err;
}
