// kmem: what an address is, and the slab caches. What the questions need
// (tasks' stacks, vmalloc areas, the slab layout, per-CPU bases) is
// gathered once per program.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kmem.h"
#include "kernel/percpu_start.h"
#include "program_internal.h"

struct program_kmem {
	struct kmem_ctx ctx;
	uint64_t *stacks;
	struct vmalloc_area *areas;
	char areas_note[200];
	struct slab_layout slab;
	char slab_note[200];
	char memmap_note[200];
	char percpu_note[200];
	/** kmem -s. */
	bool caches_loaded;
	struct vmt_error *caches_err;
	struct vmt_slab_cache *caches;
	size_t nr_caches;
	char caches_how[200];
};

void program_kmem_destroy(struct vmt_program *prog)
{
	struct program_kmem *pk = prog->kmem;

	if (!pk)
		return;
	free(pk->stacks);
	free(pk->areas);
	free(pk->caches);
	vmt_error_destroy(pk->caches_err);
	free(pk);
	prog->kmem = NULL;
}

static void set_note(char *buf, size_t size, struct vmt_error *err)
{
	snprintf(buf, size, "%s", err->message);
	vmt_error_destroy(err);
}

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

static void load_stacks(struct vmt_program *prog, struct program_kmem *pk)
{
	struct kmem_ctx *c = &pk->ctx;
	const struct vmt_task *tasks;
	uint64_t stack_off;
	size_t n;

	if (!vmt_error_ok(vmt_program_tasks(prog, &tasks, &n)) ||
	    !vmt_error_ok(kernel_member_offset(&prog->kernel, "task_struct",
					       "stack", &stack_off)))
		return;
	pk->stacks = calloc(n ? n : 1, sizeof(*pk->stacks));
	if (!pk->stacks)
		return;
	for (size_t i = 0; i < n; i++)
		if (!vmt_error_ok(kernel_read_u64(&prog->kernel,
						  tasks[i].task + stack_off,
						  &pk->stacks[i])))
			pk->stacks[i] = 0;
	c->tasks = tasks;
	c->stacks = pk->stacks;
	c->nr_tasks = n;
}

// THREAD_SIZE (arch/arm64/include/asm/memory.h): 1 << MIN_THREAD_SHIFT
// (14, one more with KASAN), or a page where CONFIG_VMAP_STACK and pages
// are larger. A vmalloc'd stack's area says it: use the first one's
// pages; else the 16K of a kernel without KASAN.
static uint64_t thread_size(struct vmt_program *prog,
			    const struct kmem_ctx *c)
{
	for (size_t i = 0; i < c->nr_tasks; i++) {
		const struct vmalloc_area *a =
			c->stacks[i] ? vmalloc_find(c->areas, c->nr_areas,
						    c->stacks[i]) :
				       NULL;

		if (a && a->vm && a->va_start == c->stacks[i] && a->nr_pages)
			return (uint64_t)a->nr_pages * prog->layout.page_size;
	}
	return 16384;
}

static struct vmt_error *load_ctx(struct vmt_program *prog,
				  struct program_kmem **ret)
{
	struct program_kmem *pk = prog->kmem;
	const struct vmt_module *mods;
	const struct percpu *pc;
	struct memmap_walk *w;
	struct kmem_ctx *c;
	struct vmt_error *err;
	bool lazy_known;
	size_t n;

	if (pk) {
		*ret = pk;
		return NULL;
	}
	if (prog->layout_err)
		return vmt_error_format(prog->layout_err->code,
					"no arm64 layout: %s",
					prog->layout_err->message);
	pk = calloc(1, sizeof(*pk));
	if (!pk)
		return &vmt_enomem;
	prog->kmem = pk;
	c = &pk->ctx;
	c->k = &prog->kernel;
	c->read = kread;
	c->read_arg = &prog->kernel;
	load_stacks(prog, pk);
	err = vmt_program_modules(prog, &mods, &n);
	vmt_error_destroy(err);
	c->mods = mods;
	c->nr_mods = n;
	err = vmalloc_areas(&prog->kernel, &pk->areas, &c->nr_areas, NULL, 0,
			    &lazy_known);
	if (err)
		set_note(pk->areas_note, sizeof(pk->areas_note), err);
	else if (!lazy_known)
		snprintf(pk->areas_note, sizeof(pk->areas_note),
			 "freed areas awaiting purge are not known (purge_vmap_area_list is a data symbol: kallsyms without CONFIG_KALLSYMS_ALL lacks it; -k vmlinux gives it)");
	c->areas = pk->areas;
	c->areas_note = pk->areas_note;
	c->thread_size = thread_size(prog, c);
	err = program_memmap(prog, &w);
	if (err)
		set_note(pk->memmap_note, sizeof(pk->memmap_note), err);
	else
		c->memmap = w;
	c->memmap_note = pk->memmap_note;
	err = slab_layout_init(&prog->kernel, &pk->slab);
	if (err)
		set_note(pk->slab_note, sizeof(pk->slab_note), err);
	else
		c->slab = &pk->slab;
	c->slab_note = pk->slab_note;
	err = program_percpu(prog, &pc);
	if (!err) {
		c->percpu = pc;
		err = percpu_find_start(&prog->kernel, pc, &c->per_cpu_start);
		c->has_per_cpu_start = !err;
	}
	if (err)
		set_note(pk->percpu_note, sizeof(pk->percpu_note), err);
	c->percpu_note = pk->percpu_note;
	*ret = pk;
	return NULL;
}

struct vmt_error *vmt_program_kmem(struct vmt_program *prog, uint64_t addr,
				   struct vmt_kmem *ret)
{
	struct program_kmem *pk;
	struct vmt_error *err = load_ctx(prog, &pk);

	if (err)
		return err;
	program_refine_layout(prog);
	return kmem_identify(&pk->ctx, arm64_untag(&prog->layout, addr), ret);
}

// The list head of slab_caches is in the kernel's data, every cache is a
// slab object (SLUB's bootstrap() moves the boot caches into slabs).
static bool in_kimage(void *arg, uint64_t node)
{
	struct vmt_program *prog = arg;

	return node >= prog->layout.kimage_start.value &&
	       node < prog->layout.kimage_end.value;
}

// A cache to start the walk from: the one of a task_struct (every task
// but init_task is a slab object).
static struct vmt_error *some_cache(struct vmt_program *prog,
				    struct program_kmem *pk, uint64_t *ret,
				    char *name, size_t name_size)
{
	const struct kmem_ctx *c = &pk->ctx;

	for (size_t i = 0; i < c->nr_tasks; i++) {
		struct vmt_kmem info;

		if (c->tasks[i].pid == 0)
			continue;
		if (vmt_error_ok(kmem_identify(c, c->tasks[i].task, &info)) &&
		    info.kind == VMT_KMEM_SLAB) {
			*ret = info.kmem_cache;
			snprintf(name, name_size, "%s of pid %d", info.cache,
				 c->tasks[i].pid);
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"slab caches: no slab_caches symbol, and no task_struct found in a slab to start from");
}

static struct vmt_error *load_caches(struct vmt_program *prog,
				     struct program_kmem *pk)
{
	const struct slab_layout *l = pk->ctx.slab;
	uint64_t head, start = 0, *caches = NULL;
	struct vmt_error *err;
	char from[100];
	size_t nr = 0;

	if (!l)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED, "slab caches: %s",
					pk->slab_note);
	if (vmt_error_ok(kernel_symbol(&prog->kernel, "slab_caches", &head))) {
		snprintf(pk->caches_how, sizeof(pk->caches_how),
			 "symbol slab_caches at %#" PRIx64, head);
		err = slab_cache_list(l, kread, &prog->kernel, head, NULL, NULL,
				      &caches, &nr, NULL);
	} else {
		err = some_cache(prog, pk, &start, from, sizeof(from));
		if (err)
			return err;
		err = slab_cache_list(l, kread, &prog->kernel,
				      start + l->kc_list, in_kimage, prog,
				      &caches, &nr, &head);
		if (!err) {
			snprintf(pk->caches_how, sizeof(pk->caches_how),
				 "derived: list head of kmem_cache %.60s, in the kernel's data",
				 from);
			kernel_add_derived_object(&prog->kernel, "slab_caches",
						  head, "list_head",
						  pk->caches_how);
		}
	}
	if (err)
		return err;
	pk->caches = calloc(nr ? nr : 1, sizeof(*pk->caches));
	if (!pk->caches) {
		free(caches);
		return &vmt_enomem;
	}
	for (size_t i = 0; i < nr; i++) {
		struct vmt_slab_cache *out = &pk->caches[pk->nr_caches];
		struct slab_counts counts;
		struct slab_cache sc;

		err = slab_read_cache(l, kread, &prog->kernel, caches[i], &sc);
		if (err) {
			warnings_add(&prog->warnings, "slab caches: %s",
				     err->message);
			vmt_error_destroy(err);
			continue;
		}
		out->kmem_cache = sc.cache;
		memcpy(out->name, sc.name, sizeof(out->name));
		out->object_size = sc.object_size;
		out->slot_size = sc.size;
		out->objects_per_slab = sc.oo_objects;
		out->order = sc.oo_order;
		err = slab_cache_counts(l, kread, &prog->kernel, sc.cache,
					&counts);
		if (err) {
			warnings_add(&prog->warnings, "slab cache %s: %s",
				     sc.name, err->message);
			vmt_error_destroy(err);
		} else if (counts.known) {
			out->counts_known = true;
			out->slabs = counts.slabs;
			out->total_objects = counts.total_objects;
			out->active_objects =
				counts.total_objects > counts.free_objects ?
					counts.total_objects - counts.free_objects :
					0;
		}
		pk->nr_caches++;
	}
	free(caches);
	return NULL;
}

struct vmt_error *vmt_program_slab_caches(struct vmt_program *prog,
					  const struct vmt_slab_cache **ret,
					  size_t *nr_ret)
{
	struct program_kmem *pk;
	struct vmt_error *err = load_ctx(prog, &pk);

	if (err)
		return err;
	if (!pk->caches_loaded) {
		pk->caches_loaded = true;
		pk->caches_err = load_caches(prog, pk);
	}
	if (pk->caches_err)
		return vmt_error_format(pk->caches_err->code, "%s",
					pk->caches_err->message);
	*ret = pk->caches;
	*nr_ret = pk->nr_caches;
	return NULL;
}

const char *vmt_program_slab_caches_how(struct vmt_program *prog)
{
	return prog->kmem ? prog->kmem->caches_how : "";
}

struct vmt_error *
vmt_program_slab_cache_by_name(struct vmt_program *prog, const char *name,
			       const struct vmt_slab_cache **ret)
{
	const struct vmt_slab_cache *caches;
	struct vmt_error *err;
	size_t n;

	err = vmt_program_slab_caches(prog, &caches, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(caches[i].name, name)) {
			*ret = &caches[i];
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no slab cache named %s",
				name);
}
