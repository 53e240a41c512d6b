// kmem ADDR: what an address is. A stack is asked first (stacks are
// vmalloc areas, or the kernel image's init_stack), then the kernel image,
// modules, vmalloc areas, and for RAM its struct page: a slab page names
// the object, a free page its buddy block.
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "base/bytes.h"
#include "kernel/kernel_ctx.h"
#include "kernel/kmem.h"

const char *vmt_kmem_kind_name(enum vmt_kmem_kind kind)
{
	static const char *const names[] = {
		[VMT_KMEM_UNKNOWN] = "unknown",	 [VMT_KMEM_SYMBOL] = "symbol",
		[VMT_KMEM_MODULE] = "module",	 [VMT_KMEM_VMALLOC] = "vmalloc",
		[VMT_KMEM_STACK] = "stack",	 [VMT_KMEM_SLAB] = "slab",
		[VMT_KMEM_PAGE] = "page",	 [VMT_KMEM_FREE] = "free",
		[VMT_KMEM_PAGE_TABLE] = "page_table",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ?
		       names[kind] : "unknown";
}

static const char *region_name(enum arm64_region r)
{
	switch (r) {
	case ARM64_REGION_USER:
		return "user";
	case ARM64_REGION_LINEAR:
		return "linear map";
	case ARM64_REGION_KIMAGE:
		return "kernel image";
	case ARM64_REGION_MODULES:
		return "modules";
	case ARM64_REGION_VMALLOC:
		return "vmalloc";
	case ARM64_REGION_VMEMMAP:
		return "vmemmap";
	default:
		return "other";
	}
}

static void note(struct vmt_kmem *ret, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct vmt_kmem *ret, const char *fmt, ...)
{
	size_t len = strlen(ret->note);
	va_list ap;

	if (len && len + 2 < sizeof(ret->note)) {
		memcpy(ret->note + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(ret->note + len, sizeof(ret->note) - len, fmt, ap);
	va_end(ap);
}

static void fill_vmalloc(const struct kmem_ctx *c,
			 const struct vmalloc_area *a, struct vmt_kmem *ret)
{
	ret->has_vmalloc = true;
	ret->vm_start = a->va_start;
	ret->vm_end = a->va_end;
	ret->vm_size = a->size;
	ret->vm_flags = a->flags;
	ret->vm_phys_addr = a->phys_addr;
	ret->vm_caller = a->caller;
	ret->vm_nr_pages = a->nr_pages;
	ret->vm_kind = a->unpurged ? "unpurged" :
		       a->vm	   ? vmalloc_kind(a->flags) :
				     "vm_map_ram";
	if (a->caller &&
	    vmt_error_ok(debuginfo_symbol_by_addr(c->k->di, a->caller,
						  &ret->vm_caller_symbol,
						  &ret->vm_caller_offset)))
		ret->has_vm_caller_symbol = true;
}

// A task's kernel stack: THREAD_SIZE bytes from task->stack; for a
// vmalloc'd stack (CONFIG_VMAP_STACK) its area's pages say how many.
static bool find_stack(const struct kmem_ctx *c, uint64_t addr,
		       struct vmt_kmem *ret)
{
	for (size_t i = 0; i < c->nr_tasks; i++) {
		uint64_t base = c->stacks ? c->stacks[i] : 0, size;
		const struct vmalloc_area *a;

		if (!base || addr < base)
			continue;
		size = c->thread_size;
		a = vmalloc_find(c->areas, c->nr_areas, base);
		if (a && a->vm && a->va_start == base && a->nr_pages)
			size = (uint64_t)a->nr_pages * kernel_page_size(c->k);
		if (addr - base >= size)
			continue;
		ret->kind = VMT_KMEM_STACK;
		ret->pid = c->tasks[i].pid;
		ret->task = c->tasks[i].task;
		memcpy(ret->comm, c->tasks[i].comm, sizeof(ret->comm));
		ret->stack_base = base;
		ret->stack_size = size;
		if (a)
			fill_vmalloc(c, a, ret);
		return true;
	}
	return false;
}

static bool find_module(const struct kmem_ctx *c, uint64_t addr,
			struct vmt_kmem *ret)
{
	for (size_t i = 0; i < c->nr_mods; i++) {
		for (int m = 0; m < VMT_MODULE_MEM_COUNT; m++) {
			const struct vmt_module_mem *mem = &c->mods[i].mem[m];

			if (!mem->size || addr - mem->base >= mem->size)
				continue;
			ret->kind = VMT_KMEM_MODULE;
			ret->module = c->mods[i].name;
			ret->module_mem = mem->name;
			return true;
		}
	}
	return false;
}

static struct vmt_error *read_u64(const struct kmem_ctx *c, uint64_t addr,
				  uint64_t *ret)
{
	uint8_t b[8];
	struct vmt_error *err = c->read(c->read_arg, addr, b, 8);

	if (!err)
		*ret = load_le64(b);
	return err;
}

static bool walk_cpu_freelist(const struct kmem_ctx *c,
			      const struct slab_cache *cache,
			      const struct slab_info *s, uint64_t start,
			      uint64_t end, uint64_t object,
			      struct vmt_kmem *ret)
{
	const struct slab_layout *l = c->slab;
	unsigned int unknown = 0;

	for (unsigned int cpu = 0; cpu < c->percpu->nr_cpus; cpu++) {
		uint64_t cc, owner, head;
		unsigned int n;
		bool found;
		struct vmt_error *err;

		if (!c->percpu->base[cpu]) {
			unknown++;
			continue;
		}
		// per_cpu_ptr(cpu_slab, cpu)
		cc = cache->cpu_slab - c->per_cpu_start + c->percpu->base[cpu];
		if (!vmt_error_ok(read_u64(c, cc + l->cc_slab, &owner)) ||
		    owner != s->slab)
			continue;
		if (!vmt_error_ok(read_u64(c, cc + l->cc_freelist, &head))) {
			note(ret, "cpu %u's freelist unreadable", cpu);
			return false;
		}
		err = slab_freelist_walk(cache, c->read, c->read_arg, head,
					 start, end, s->objects, object, &found,
					 &n);
		if (err) {
			note(ret, "cpu %u freelist: %s", cpu, err->message);
			vmt_error_destroy(err);
			return false;
		}
		ret->allocated_known = true;
		ret->allocated = !found;
		if (found)
			snprintf(ret->free_list, sizeof(ret->free_list),
				 "cpu %u freelist", cpu);
		return true;
	}
	// A frozen slab belongs to a CPU: maybe one whose base is unknown.
	if (unknown && s->frozen) {
		note(ret, "the slab belongs to a CPU, and %u CPUs' per-CPU data is unknown",
		     unknown);
		return false;
	}
	return true; // no CPU owns the slab
}

void kmem_slab_object_state(const struct kmem_ctx *c,
			    const struct slab_cache *cache,
			    const struct slab_info *s, uint64_t start,
			    uint64_t object, struct vmt_kmem *ret)
{
	uint64_t end = start + (uint64_t)s->objects * cache->size;
	struct vmt_error *err;
	unsigned int n;
	bool found;

	err = slab_freelist_walk(cache, c->read, c->read_arg, s->freelist,
				 start, end, s->objects, object, &found, &n);
	if (err) {
		note(ret, "%s", err->message);
		vmt_error_destroy(err);
		return;
	}
	if (found) {
		ret->allocated_known = true;
		ret->allocated = false;
		snprintf(ret->free_list, sizeof(ret->free_list),
			 "slab freelist");
		return;
	}
	// Not on the slab's own list: free only if on the lockless freelist
	// of the CPU that owns the slab.
	if (c->percpu && c->has_per_cpu_start) {
		if (!walk_cpu_freelist(c, cache, s, start, end, object, ret))
			return;
		if (!ret->allocated_known) {
			ret->allocated_known = true;
			ret->allocated = true;
		}
		return;
	}
	if (!s->frozen) {
		// No CPU owns a slab that is not frozen.
		ret->allocated_known = true;
		ret->allocated = true;
		return;
	}
	note(ret, "the slab belongs to a CPU whose freelist is unknown (%s)",
	     c->percpu_note ? c->percpu_note : "no per-CPU bases");
}

static void identify_slab(const struct kmem_ctx *c, uint64_t addr,
			  struct vmt_kmem *ret)
{
	const struct memmap_layout *ml = c->memmap->ml;
	uint64_t slab = ret->page.tail ? ret->page.head_page : ret->page.page;
	uint64_t head_pfn, start;
	struct slab_cache cache;
	struct slab_object obj;
	struct slab_info s;
	struct vmt_error *err;

	if (!c->slab) {
		note(ret, "a slab page; slab objects unknown (%s)",
		     c->slab_note ? c->slab_note : "no slab layout");
		return;
	}
	err = slab_read(c->slab, c->read, c->read_arg, slab, &s);
	if (!err)
		err = slab_read_cache(c->slab, c->read, c->read_arg, s.cache,
				      &cache);
	if (err) {
		note(ret, "slab %#" PRIx64 ": %s", slab, err->message);
		vmt_error_destroy(err);
		return;
	}
	ret->kind = VMT_KMEM_SLAB;
	ret->slab = slab;
	ret->kmem_cache = cache.cache;
	snprintf(ret->cache, sizeof(ret->cache), "%s", cache.name);
	ret->object_size = cache.object_size;
	ret->slot_size = cache.size;
	// The slab's memory starts at its head page: the address minus its
	// distance from that page's first byte.
	head_pfn = (slab - ml->vmemmap) / ml->struct_size;
	start = addr - (ret->paddr - (head_pfn << ml->page_shift));
	if (!slab_object_at(&cache, start, s.objects, addr, &obj)) {
		note(ret, "past the last of the slab's %u objects", s.objects);
		return;
	}
	ret->object = obj.object;
	ret->object_offset = obj.offset;
	kmem_slab_object_state(c, &cache, &s, start, obj.object, ret);
}

// A page inside a free buddy block: only the block's first page says so
// (PageBuddy, order in page.private); look back for it.
static bool find_buddy_head(const struct kmem_ctx *c, uint64_t pfn,
			    struct vmt_kmem *ret)
{
	const struct memmap_layout *ml = c->memmap->ml;

	for (unsigned int order = 1; order < ml->max_buddy_order; order++) {
		uint64_t head = pfn & ~((UINT64_C(1) << order) - 1);
		struct vmt_page pg;

		if (head == pfn)
			continue;
		if (!vmt_error_ok(memmap_read_page(c->memmap, head, &pg)))
			return false;
		if (pg.cls == VMT_PAGE_FREE && pg.order >= order &&
		    pfn - head < (UINT64_C(1) << pg.order)) {
			ret->free_block_page = pg.page;
			ret->free_order = pg.order;
			return true;
		}
	}
	return false;
}

static void identify_page(const struct kmem_ctx *c, uint64_t addr,
			  struct vmt_kmem *ret)
{
	struct vmt_error *err;

	if (!c->memmap) {
		note(ret, "no memmap (%s)",
		     c->memmap_note ? c->memmap_note : "unknown");
		return;
	}
	err = memmap_read_page(c->memmap,
			       ret->paddr >> c->memmap->ml->page_shift,
			       &ret->page);
	if (err) {
		note(ret, "struct page: %s", err->message);
		vmt_error_destroy(err);
		return;
	}
	ret->has_page = true;
	// Only the linear map says what the page is used for; elsewhere
	// (image, vmalloc) the mapping says it already.
	if (ret->kind != VMT_KMEM_UNKNOWN)
		return;
	switch (ret->page.cls) {
	case VMT_PAGE_SLAB:
		identify_slab(c, addr, ret);
		return;
	case VMT_PAGE_FREE:
		ret->kind = VMT_KMEM_FREE;
		ret->free_block_page = ret->page.page;
		ret->free_order = ret->page.order;
		return;
	case VMT_PAGE_PAGE_TABLE:
		ret->kind = VMT_KMEM_PAGE_TABLE;
		return;
	case VMT_PAGE_UNKNOWN:
		return;
	default:
		break;
	}
	if (!ret->page.tail && ret->page.refcount == 0 &&
	    find_buddy_head(c, ret->page.pfn, ret)) {
		ret->kind = VMT_KMEM_FREE;
		return;
	}
	ret->kind = VMT_KMEM_PAGE;
}

struct vmt_error *kmem_identify(const struct kmem_ctx *c, uint64_t addr,
				struct vmt_kmem *ret)
{
	struct kernel *k = c->k;
	enum arm64_region region = arm64_classify(k->layout, addr);
	const struct vmalloc_area *a;
	struct vmt_error *err;

	memset(ret, 0, sizeof(*ret));
	ret->address = addr;
	ret->region = region_name(region);
	if (region == ARM64_REGION_USER) {
		note(ret, "a user address: kmem looks at kernel addresses");
		return NULL;
	}
	if (vmt_error_ok(kernel_virt_to_phys(k, addr, &ret->paddr)))
		ret->has_paddr = true;
	err = debuginfo_symbol_by_addr(k->di, addr, &ret->symbol,
				       &ret->symbol_offset);
	if (!err)
		ret->has_symbol = true;
	vmt_error_destroy(err);

	if (find_stack(c, addr, ret)) {
		// an image stack (init_stack) is named by its symbol too
	} else if (region == ARM64_REGION_KIMAGE) {
		if (ret->has_symbol)
			ret->kind = VMT_KMEM_SYMBOL;
		else
			note(ret, "kernel image; no symbol covers it");
	} else if (find_module(c, addr, ret)) {
		// ret->has_symbol says whether a module symbol covers it
		if ((a = vmalloc_find(c->areas, c->nr_areas, addr)))
			fill_vmalloc(c, a, ret);
	} else if ((a = vmalloc_find(c->areas, c->nr_areas, addr))) {
		fill_vmalloc(c, a, ret);
		if (a->unpurged)
			note(ret, "a freed vmalloc area awaiting purge");
		else
			ret->kind = VMT_KMEM_VMALLOC;
	} else if (region == ARM64_REGION_VMALLOC ||
		   region == ARM64_REGION_MODULES) {
		note(ret, "%s range, in no vmalloc area%s%s", ret->region,
		     c->areas_note && c->areas_note[0] ? ": " : "",
		     c->areas_note ? c->areas_note : "");
	} else if (region == ARM64_REGION_VMEMMAP && c->memmap) {
		const struct memmap_layout *ml = c->memmap->ml;

		if (addr >= ml->vmemmap)
			note(ret, "inside the struct page of PFN %#" PRIx64,
			     (addr - ml->vmemmap) / ml->struct_size);
	}
	if (ret->has_paddr && region != ARM64_REGION_VMEMMAP)
		identify_page(c, addr, ret);
	return NULL;
}
