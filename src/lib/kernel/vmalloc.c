// vmalloc areas. Up to Linux 6.8 every busy vmap_area is on one list,
// vmap_area_list, which VMCOREINFO names. Since Linux kernel commit
// 55c49fee57af ("mm/vmalloc: remove vmap_area_list") (in v6.9) the busy
// areas are spread over the vmap_nodes array (nr_vmap_nodes entries), each
// with its own busy list (vmap_node.busy.head); those two are static data
// symbols, known only with CONFIG_KALLSYMS_ALL or a vmlinux.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "kernel/layout.h"
#include "kernel/list.h"
#include "kernel/vmalloc.h"

// Bounds: a machine has thousands of areas (a stack per task), not millions.
#define MAX_AREAS (4u << 20)
#define MAX_VMAP_NODES 4096

struct walk {
	const struct vmalloc_layout *l;
	kread_fn *read;
	void *arg;
	bool unpurged;
	struct vmalloc_area **areas;
	size_t *nr, *cap;
};

static struct vmt_error *read_area(const struct vmalloc_layout *l,
				   kread_fn *read, void *arg, uint64_t va,
				   bool unpurged, struct vmalloc_area *ret)
{
	uint8_t buf[8];
	struct vmt_error *err;
	uint64_t *fields[] = { &ret->va_start, &ret->va_end, &ret->vm };
	const uint64_t offs[] = { l->va_start, l->va_end, l->va_vm };

	memset(ret, 0, sizeof(*ret));
	ret->vmap_area = va;
	for (size_t i = 0; i < 3; i++) {
		err = read(arg, va + offs[i], buf, 8);
		if (err)
			return vmt_error_wrap(err, "vmap_area at %#" PRIx64, va);
		*fields[i] = load_le64(buf);
	}
	if (ret->va_end < ret->va_start)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"vmap_area at %#" PRIx64
					": va_end %#" PRIx64
					" below va_start %#" PRIx64,
					va, ret->va_end, ret->va_start);
	if (unpurged) {
		ret->vm = 0;
		ret->unpurged = true;
		ret->size = ret->va_end - ret->va_start;
		return NULL;
	}
	if (!ret->vm)
		return NULL;
	uint64_t *vfields[] = { &ret->addr, &ret->size, &ret->flags,
				&ret->phys_addr, &ret->caller };
	const uint64_t voffs[] = { l->vm_addr, l->vm_size, l->vm_flags,
				   l->vm_phys_addr, l->vm_caller };
	for (size_t i = 0; i < 5; i++) {
		err = read(arg, ret->vm + voffs[i], buf, 8);
		if (err)
			return vmt_error_wrap(err,
					      "vm_struct at %#" PRIx64
					      " of vmap_area %#" PRIx64,
					      ret->vm, va);
		*vfields[i] = load_le64(buf);
	}
	err = read(arg, ret->vm + l->vm_nr_pages, buf, 4);
	if (err)
		return vmt_error_wrap(err, "vm_struct at %#" PRIx64, ret->vm);
	ret->nr_pages = load_le32(buf);
	return NULL;
}

static struct vmt_error *visit_area(void *arg, uint64_t node)
{
	struct walk *w = arg;
	struct vmalloc_area a;
	struct vmt_error *err;

	err = read_area(w->l, w->read, w->arg, node - w->l->va_list,
			w->unpurged, &a);
	if (err)
		return err;
	if (*w->nr == *w->cap) {
		size_t cap = *w->cap ? *w->cap * 2 : 256;
		struct vmalloc_area *n = realloc(*w->areas, cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		*w->areas = n;
		*w->cap = cap;
	}
	(*w->areas)[(*w->nr)++] = a;
	return NULL;
}

struct vmt_error *vmalloc_walk_list(const struct vmalloc_layout *l,
				    kread_fn *read, void *arg, uint64_t head,
				    size_t max, bool unpurged,
				    struct vmalloc_area **areas, size_t *nr,
				    size_t *cap)
{
	struct walk w = { l, read, arg, unpurged, areas, nr, cap };

	return list_walk(read, arg, head, false, max,
			 unpurged ? "lazy vmap_area list" : "vmap_area list",
			 visit_area, &w);
}

static int cmp_area(const void *a, const void *b)
{
	const struct vmalloc_area *x = a, *y = b;

	return x->va_start < y->va_start ? -1 : x->va_start > y->va_start;
}

void vmalloc_sort(struct vmalloc_area *areas, size_t nr)
{
	// No areas (a broken list) may be no array at all: qsort() must
	// not get NULL.
	if (nr)
		qsort(areas, nr, sizeof(*areas), cmp_area);
}

const struct vmalloc_area *vmalloc_find(const struct vmalloc_area *areas,
					size_t nr, uint64_t addr)
{
	size_t lo = 0, hi = nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (areas[mid].va_start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && addr < areas[lo - 1].va_end)
		return &areas[lo - 1];
	return NULL;
}

const char *vmalloc_kind(uint64_t flags)
{
	if (flags & VMALLOC_VM_IOREMAP)
		return "ioremap";
	if (flags & VMALLOC_VM_ALLOC)
		return "vmalloc";
	if (flags & VMALLOC_VM_MAP)
		return "vmap";
	if (flags & VMALLOC_VM_USERMAP)
		return "user";
	return "";
}

static struct vmt_error *layout_init(struct kernel *k,
				     struct vmalloc_layout *l)
{
	static const struct layout_field members[] = {
		{ "vmap_area", "va_start",
		  offsetof(struct vmalloc_layout, va_start) },
		{ "vmap_area", "va_end",
		  offsetof(struct vmalloc_layout, va_end) },
		{ "vmap_area", "list",
		  offsetof(struct vmalloc_layout, va_list) },
		{ "vmap_area", "vm", offsetof(struct vmalloc_layout, va_vm) },
		{ "vm_struct", "addr",
		  offsetof(struct vmalloc_layout, vm_addr) },
		{ "vm_struct", "size",
		  offsetof(struct vmalloc_layout, vm_size) },
		{ "vm_struct", "flags",
		  offsetof(struct vmalloc_layout, vm_flags) },
		{ "vm_struct", "nr_pages",
		  offsetof(struct vmalloc_layout, vm_nr_pages) },
		{ "vm_struct", "phys_addr",
		  offsetof(struct vmalloc_layout, vm_phys_addr) },
		{ "vm_struct", "caller",
		  offsetof(struct vmalloc_layout, vm_caller) },
	};

	return layout_offsets(k, l, members,
			      sizeof(members) / sizeof(members[0]));
}

// Keep what a broken list gave, and say where it broke.
static void warn_broken(struct kernel *k, struct vmt_error *err,
			const char *what, size_t nr)
{
	kernel_warn(k, "vmalloc areas: %s: %s; %zu areas kept", what,
		    err->message, nr);
	vmt_error_destroy(err);
}

struct vmt_error *vmalloc_areas(struct kernel *k, struct vmalloc_area **ret,
				size_t *nr_ret, char *how_ret,
				size_t how_size, bool *lazy_known_ret)
{
	bool lazy_known = false;
	struct vmalloc_area *areas = NULL;
	size_t nr = 0, cap = 0;
	struct vmalloc_layout l;
	struct vmt_error *err;
	uint64_t head, nodes, node_size, busy_head, lazy_head;
	uint32_t nr_nodes;
	char how[160];

	err = layout_init(k, &l);
	if (err)
		return err;
	if (vmt_error_ok(kernel_symbol(k, "vmap_area_list", &head))) {
		snprintf(how, sizeof(how), "vmap_area_list");
		err = vmalloc_walk_list(&l, kernel_kread, k, head, MAX_AREAS,
					false, &areas, &nr, &cap);
		if (err)
			warn_broken(k, err, "vmap_area_list", nr);
		// Freed areas awaiting purge: a static list, known only with
		// data symbols.
		if (vmt_error_ok(kernel_symbol(k, "purge_vmap_area_list",
					       &head))) {
			lazy_known = true;
			err = vmalloc_walk_list(&l, kernel_kread, k, head,
						MAX_AREAS, true, &areas, &nr,
						&cap);
			if (err)
				warn_broken(k, err, "purge_vmap_area_list", nr);
		}
	} else if (vmt_error_ok(kernel_symbol(k, "vmap_nodes", &nodes)) &&
		   vmt_error_ok(kernel_symbol(k, "nr_vmap_nodes", &head)) &&
		   vmt_error_ok(kernel_read_u32(k, head, &nr_nodes)) &&
		   vmt_error_ok(kernel_read_u64(k, nodes, &nodes)) &&
		   vmt_error_ok(kernel_type_size(k, "vmap_node", &node_size)) &&
		   vmt_error_ok(kernel_member_offset(k, "vmap_node",
						     "busy.head", &busy_head)) &&
		   vmt_error_ok(kernel_member_offset(k, "vmap_node",
						     "lazy.head", &lazy_head))) {
		if (nr_nodes == 0 || nr_nodes > MAX_VMAP_NODES)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"nr_vmap_nodes at %#" PRIx64
						": implausible %" PRIu32,
						head, nr_nodes);
		snprintf(how, sizeof(how), "%" PRIu32 " vmap_nodes",
			 nr_nodes);
		lazy_known = true;
		for (uint32_t i = 0; i < nr_nodes; i++) {
			char what[64];

			err = vmalloc_walk_list(
				&l, kernel_kread, k,
				nodes + i * node_size + busy_head, MAX_AREAS,
				false, &areas, &nr, &cap);
			if (err) {
				snprintf(what, sizeof(what),
					 "vmap_nodes[%" PRIu32 "].busy", i);
				warn_broken(k, err, what, nr);
			}
			err = vmalloc_walk_list(
				&l, kernel_kread, k,
				nodes + i * node_size + lazy_head, MAX_AREAS,
				true, &areas, &nr, &cap);
			if (err) {
				snprintf(what, sizeof(what),
					 "vmap_nodes[%" PRIu32 "].lazy", i);
				warn_broken(k, err, what, nr);
			}
		}
	} else {
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
			"no vmalloc area list: neither vmap_area_list (VMCOREINFO, up to 6.8) nor vmap_nodes and nr_vmap_nodes (6.9+; data symbols need CONFIG_KALLSYMS_ALL or a vmlinux) are known");
	}
	vmalloc_sort(areas, nr);
	if (how_ret)
		snprintf(how_ret, how_size, "%s", how);
	if (lazy_known_ret)
		*lazy_known_ret = lazy_known;
	*ret = areas;
	*nr_ret = nr;
	return NULL;
}
