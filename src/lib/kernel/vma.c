// The VMAs of a task as /proc/PID/maps shows them (show_map_vma() of
// fs/proc/task_mmu.c), from mm->mm_mt (maple tree, 6.1+) or the mm->mmap
// list (older), chosen from the types present.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/fs.h"
#include "kernel/layout.h"
#include "kernel/maple_tree.h"
#include "kernel/task.h"

// Bound on VMAs of one mm: vm.max_map_count defaults to 65530.
#define MAX_VMAS (1U << 20)
// Reads made resolving the paths of one mm's VMAs: a real one needs a few
// per path component (65530 VMAs, paths a dozen deep), while each d_path
// may take 32K steps through a corrupt parent chain.
#define MAX_PATH_READS (16U << 20)
// include/linux/mm_types_task.h: MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS,
// MM_SHMEMPAGES; get_mm_rss() adds all but MM_SWAPENTS.
#define NR_MM_COUNTERS 4
#define MM_SWAPENTS 2

struct vma_layout {
	// vm_area_struct
	uint64_t vm_start, vm_end, vm_flags, vm_flags_size, vm_pgoff, vm_file;
	uint64_t vm_ops, vm_private_data, vm_next;
	bool has_anon_name, anon_name_in_union;
	uint64_t anon_name, anon_vma_name_name;
	// vm_operations_struct.name; vm_special_mapping.name
	uint64_t vmops_name, special_name;
	uint64_t special_mapping_name; // function address, 0 if unknown
	// file, inode, super_block
	uint64_t f_path, f_inode, path_mnt, path_dentry, i_sb, i_ino, s_dev;
	// mm_struct
	bool maple;
	uint64_t mm_mt, ma_root, mmap;
	uint64_t brk, start_brk, start_stack, pgd, total_vm;
	// task_struct.fs, fs_struct.root
	uint64_t task_fs, fs_root;
	bool strict_heap;
	unsigned int page_shift;
	struct d_path_layout dp;
	struct maple_layout ml;
};

// The heap test became strict in 6.6; nothing in the types shows it, so
// this one behaviour follows the release.
static bool release_has_strict_heap(const char *rel)
{
	unsigned int major = 0, minor = 0;

	if (!rel || sscanf(rel, "%u.%u", &major, &minor) != 2)
		return true;
	return major > 6 || (major == 6 && minor >= 6);
}

static struct vmt_error *vma_layout_init(struct kernel *k,
					 struct vma_layout *l)
{
	struct vmt_error *err;
	uint64_t shared, size, ps;

	memset(l, 0, sizeof(*l));
	if ((err = layout_offset(k, "vm_area_struct", "vm_start",
				 &l->vm_start)) ||
	    (err = layout_offset(k, "vm_area_struct", "vm_end", &l->vm_end)) ||
	    (err = layout_offset(k, "vm_area_struct", "vm_pgoff",
				 &l->vm_pgoff)) ||
	    (err = layout_offset(k, "vm_area_struct", "vm_file",
				 &l->vm_file)) ||
	    (err = layout_offset(k, "vm_area_struct", "vm_ops", &l->vm_ops)) ||
	    (err = layout_offset(k, "vm_area_struct", "vm_private_data",
				 &l->vm_private_data)) ||
	    (err = layout_offset(k, "vm_operations_struct", "name",
				 &l->vmops_name)) ||
	    (err = layout_offset(k, "file", "f_path", &l->f_path)) ||
	    (err = layout_offset(k, "file", "f_inode", &l->f_inode)) ||
	    (err = layout_offset(k, "path", "mnt", &l->path_mnt)) ||
	    (err = layout_offset(k, "path", "dentry", &l->path_dentry)) ||
	    (err = layout_offset(k, "inode", "i_sb", &l->i_sb)) ||
	    (err = layout_offset(k, "inode", "i_ino", &l->i_ino)) ||
	    (err = layout_offset(k, "super_block", "s_dev", &l->s_dev)) ||
	    (err = layout_offset(k, "mm_struct", "brk", &l->brk)) ||
	    (err = layout_offset(k, "mm_struct", "start_brk", &l->start_brk)) ||
	    (err = layout_offset(k, "mm_struct", "start_stack",
				 &l->start_stack)) ||
	    (err = layout_offset(k, "mm_struct", "pgd", &l->pgd)) ||
	    (err = layout_offset(k, "mm_struct", "total_vm", &l->total_vm)) ||
	    (err = layout_offset(k, "task_struct", "fs", &l->task_fs)) ||
	    (err = layout_offset(k, "fs_struct", "root", &l->fs_root)))
		return err;
	// 6.3 wrapped vm_flags in a union with __vm_flags.
	err = kernel_member(k, "vm_area_struct", "vm_flags", &l->vm_flags,
			    &l->vm_flags_size);
	if (err) {
		vmt_error_destroy(err);
		err = kernel_member(k, "vm_area_struct", "__vm_flags",
				    &l->vm_flags, &l->vm_flags_size);
		if (err)
			return vmt_error_wrap(err, "vm_area_struct.vm_flags");
	}
	if (kernel_has_member(k, "vm_area_struct", "anon_name")) {
		if ((err = layout_offset(k, "vm_area_struct", "anon_name",
					 &l->anon_name)) ||
		    (err = layout_offset(k, "anon_vma_name", "name",
					 &l->anon_vma_name_name)))
			return err;
		l->has_anon_name = true;
		// Before 6.2 anon_name shared a union with vma->shared and was
		// valid only without vm_file.
		l->anon_name_in_union =
			vmt_error_ok(kernel_member_offset(k, "vm_area_struct", "shared",
					      &shared)) &&
			shared == l->anon_name;
	}
	err = layout_offset(k, "vm_special_mapping", "name", &l->special_name);
	if (err) {
		vmt_error_destroy(err);
		l->special_name = 0;
	}
	l->special_mapping_name =
		layout_symbol_or_zero(k, "special_mapping_name");
	if (kernel_has_member(k, "mm_struct", "mm_mt")) {
		l->maple = true;
		if ((err = layout_offset(k, "mm_struct", "mm_mt", &l->mm_mt)) ||
		    (err = layout_offset(k, "maple_tree", "ma_root",
					 &l->ma_root)))
			return err;
		maple_layout_default(&l->ml);
		if (vmt_error_ok(kernel_type_size(k, "maple_node", &size)))
			l->ml.node_size = (uint32_t)size;
	} else {
		if ((err = layout_offset(k, "mm_struct", "mmap", &l->mmap)) ||
		    (err = layout_offset(k, "vm_area_struct", "vm_next",
					 &l->vm_next)))
			return err;
	}
	err = fs_d_path_layout_init(k, &l->dp);
	if (err)
		return err;
	l->strict_heap = release_has_strict_heap(kernel_osrelease(k));
	ps = kernel_page_size(k);
	for (l->page_shift = 0; ps > 1; ps >>= 1)
		l->page_shift++;
	return NULL;
}

struct ctx {
	struct kernel *k;
	const struct vma_layout *l;
	uint64_t mm, brk, start_brk, start_stack;
	uint64_t root_mnt, root_dentry;
	uint64_t *addrs;
	size_t nr, cap;
	bool warned_name;
	size_t path_reads;
};

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

// kread for d_path, counting against the mm's budget.
static struct vmt_error *kread_path(void *arg, uint64_t addr, void *buf,
				    size_t len)
{
	struct ctx *c = arg;

	if (++c->path_reads > MAX_PATH_READS)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"mm %#" PRIx64 ": more than %u reads resolving the paths of its VMAs (corrupt dentry or mount chains)",
					c->mm, MAX_PATH_READS);
	return kernel_read(c->k, addr, buf, len);
}

static struct vmt_error *push_vma(struct ctx *c, uint64_t vma)
{
	if (c->nr >= MAX_VMAS)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"mm %#" PRIx64 ": more than %u VMAs",
					c->mm, MAX_VMAS);
	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		uint64_t *n = realloc(c->addrs, cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		c->addrs = n;
		c->cap = cap;
	}
	c->addrs[c->nr++] = vma;
	return NULL;
}

static struct vmt_error *visit(void *arg, uint64_t first, uint64_t last,
			       uint64_t entry)
{
	struct ctx *c = arg;

	// XA_ZERO_ENTRY and other reserved values are not VMAs (a failed
	// fork leaves XA_ZERO_ENTRY in the tree).
	if (maple_entry_is_internal(entry))
		return NULL;
	return push_vma(c, entry);
}

static struct vmt_error *collect_list(struct ctx *c)
{
	const struct vma_layout *l = c->l;
	struct vmt_error *err;
	uint64_t vma, prev_end = 0;

	err = kernel_read_u64(c->k, c->mm + l->mmap, &vma);
	while (!err && vma) {
		uint64_t start;

		// The list is sorted: a VMA not above the previous one means
		// a cycle or garbage.
		err = kernel_read_u64(c->k, vma + l->vm_start, &start);
		if (err)
			break;
		if (c->nr && start < prev_end)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"mm %#" PRIx64 ": VMA list out of order at %#" PRIx64,
						c->mm, vma);
		err = kernel_read_u64(c->k, vma + l->vm_end, &prev_end);
		if (!err)
			err = push_vma(c, vma);
		if (!err)
			err = kernel_read_u64(c->k, vma + l->vm_next, &vma);
	}
	if (err)
		return vmt_error_wrap(err, "mm %#" PRIx64 ": VMA list", c->mm);
	return NULL;
}

static struct vmt_error *read_string_alloc(struct kernel *k, uint64_t addr,
					   char **ret)
{
	char buf[256];
	struct vmt_error *err = kernel_read_string(k, addr, buf, sizeof(buf));
	char *s;

	if (err)
		return err;
	s = strdup(buf);
	if (!s)
		return &vmt_enomem;
	*ret = s;
	return NULL;
}

// vm_ops->name(): special mappings ([vdso], [vvar], ...) keep their name
// in the vm_special_mapping that vm_private_data points to. *ret stays
// NULL when there is no such name; a name that cannot be read is warned
// about, not fatal.
static struct vmt_error *vm_ops_name(struct ctx *c, uint64_t vma,
				     uint64_t vm_ops, char **ret)
{
	const struct vma_layout *l = c->l;
	struct vmt_error *err;
	uint64_t fn, priv, name;
	char *s = NULL;

	err = kernel_read_u64(c->k, vm_ops + l->vmops_name, &fn);
	if (!err && !fn)
		return NULL;
	if (!err && l->special_mapping_name && fn != l->special_mapping_name) {
		if (!c->warned_name)
			kernel_warn(c->k, "VMA %#" PRIx64 ": vm_ops->name %#" PRIx64 " is not special_mapping_name; name not shown",
				    vma, fn);
		c->warned_name = true;
		return NULL;
	}
	if (!err)
		err = kernel_read_u64(c->k, vma + l->vm_private_data, &priv);
	if (!err && !priv)
		return NULL;
	if (!err)
		err = kernel_read_u64(c->k, priv + l->special_name, &name);
	if (!err && name)
		err = read_string_alloc(c->k, name, &s);
	if (err) {
		kernel_warn(c->k, "VMA %#" PRIx64 ": name of special mapping: %s",
			    vma, err->message);
		vmt_error_destroy(err);
		return NULL;
	}
	// Without the symbol special_mapping_name to compare with, accept
	// only what special mappings are called: "[vdso]", "[vvar]", ...
	if (s && !l->special_mapping_name && s[0] != '[') {
		free(s);
		s = NULL;
	}
	*ret = s;
	return NULL;
}

static struct vmt_error *file_info(struct ctx *c, uint64_t file,
				   struct vmt_vma *v, char **path)
{
	const struct vma_layout *l = c->l;
	struct kernel *k = c->k;
	struct vmt_error *err;
	uint64_t inode, sb, mnt, dentry;
	uint32_t dev;

	if ((err = kernel_read_u64(k, file + l->f_inode, &inode)) ||
	    (err = kernel_read_u64(k, inode + l->i_sb, &sb)) ||
	    (err = kernel_read_u32(k, sb + l->s_dev, &dev)) ||
	    (err = kernel_read_u64(k, inode + l->i_ino, &v->inode)) ||
	    (err = kernel_read_u64(k, file + l->f_path + l->path_mnt, &mnt)) ||
	    (err = kernel_read_u64(k, file + l->f_path + l->path_dentry,
				   &dentry)))
		return vmt_error_wrap(err, "file %#" PRIx64, file);
	// The kernel's dev_t: MAJOR = dev >> 20, MINOR = dev & 0xfffff.
	v->dev_major = dev >> 20;
	v->dev_minor = dev & 0xfffff;
	return d_path(&l->dp, kread_path, c, mnt, dentry, c->root_mnt,
		      c->root_dentry, path);
}

static struct vmt_error *anon_name(struct ctx *c, uint64_t vma, char **ret)
{
	const struct vma_layout *l = c->l;
	uint64_t p;
	struct vmt_error *err;

	err = kernel_read_u64(c->k, vma + l->anon_name, &p);
	if (err || !p)
		return err;
	return read_string_alloc(c->k, p + l->anon_vma_name_name, ret);
}

static struct vmt_error *read_vma(struct ctx *c, uint64_t vma,
				  struct vmt_vma *v)
{
	const struct vma_layout *l = c->l;
	struct kernel *k = c->k;
	struct vmt_error *err;
	uint64_t pgoff, file, vm_ops, flags;
	char *name = NULL, *raw = NULL;
	const char *fixed = NULL;
	uint32_t f32;

	memset(v, 0, sizeof(*v));
	v->vma = vma;
	if ((err = kernel_read_u64(k, vma + l->vm_start, &v->start)) ||
	    (err = kernel_read_u64(k, vma + l->vm_end, &v->end)) ||
	    (err = kernel_read_u64(k, vma + l->vm_pgoff, &pgoff)) ||
	    (err = kernel_read_u64(k, vma + l->vm_file, &file)) ||
	    (err = kernel_read_u64(k, vma + l->vm_ops, &vm_ops)))
		return vmt_error_wrap(err, "VMA %#" PRIx64, vma);
	if (l->vm_flags_size == 4) {
		err = kernel_read_u32(k, vma + l->vm_flags, &f32);
		flags = f32;
	} else {
		err = kernel_read_u64(k, vma + l->vm_flags, &flags);
	}
	if (err)
		return vmt_error_wrap(err, "VMA %#" PRIx64, vma);
	v->flags = flags;
	vma_perms(flags, v->perms);

	// get_vma_name()
	if (file) {
		v->offset = pgoff << l->page_shift;
		if (l->has_anon_name && !l->anon_name_in_union) {
			err = anon_name(c, vma, &raw);
			if (!err && raw && asprintf(&name, "[anon_shmem:%s]", raw) < 0)
				err = &vmt_enomem;
			free(raw);
			raw = NULL;
		}
		if (!err && !name) {
			err = file_info(c, file, v, &raw);
			if (!err) {
				err = vma_escape_path(raw, &name);
				free(raw);
			}
		} else if (!err) {
			char *ignored = NULL;

			// dev and inode still come from the file.
			err = file_info(c, file, v, &ignored);
			free(ignored);
		}
	} else {
		if (vm_ops)
			err = vm_ops_name(c, vma, vm_ops, &name);
		if (!err && !name)
			fixed = vma_heap_or_stack(v->start, v->end, c->brk,
						  c->start_brk, c->start_stack,
						  l->strict_heap);
		if (!err && !name && !fixed && l->has_anon_name) {
			err = anon_name(c, vma, &raw);
			if (!err && raw && asprintf(&name, "[anon:%s]", raw) < 0)
				err = &vmt_enomem;
			free(raw);
		}
	}
	if (err) {
		free(name);
		return vmt_error_wrap(err, "VMA %#" PRIx64 " [%#" PRIx64 "-%#" PRIx64 "]",
				      vma, v->start, v->end);
	}
	if (!name) {
		name = strdup(fixed ? fixed : "");
		if (!name)
			return &vmt_enomem;
	}
	v->path = name;
	return NULL;
}

static struct vmt_error *read_rss(struct kernel *k, uint64_t mm,
				  uint64_t *ret)
{
	uint64_t off, size, count_off, elem, counters_off, percpu_offsets;
	uint64_t total = 0;
	size_t nr_cpus;
	const struct vmt_cpu_regs *regs;
	struct vmt_error *err;
	int i;

	err = kernel_member(k, "mm_struct", "rss_stat", &off, &size);
	if (err)
		return err;
	if (vmt_error_ok(kernel_member_offset(k, "mm_struct", "rss_stat.count",
				  &count_off))) {
		// Up to 6.1: struct mm_rss_stat { atomic_long_t count[]; }.
		for (i = 0; i < NR_MM_COUNTERS; i++) {
			uint64_t v;

			if (i == MM_SWAPENTS)
				continue;
			err = kernel_read_u64(k, mm + count_off + 8 * i, &v);
			if (err)
				return err;
			total += v;
		}
		*ret = (int64_t)total < 0 ? 0 : total;
		return NULL;
	}
	// 6.2+: struct percpu_counter rss_stat[NR_MM_COUNTERS]: the central
	// count plus each CPU's not yet folded delta.
	err = kernel_member_offset(k, "percpu_counter", "count", &count_off);
	if (err)
		return err;
	elem = size / NR_MM_COUNTERS;
	if (!vmt_error_ok(kernel_member_offset(k, "percpu_counter", "counters",
				 &counters_off)) ||
	    !vmt_error_ok(kernel_symbol(k, "__per_cpu_offset", &percpu_offsets)))
		percpu_offsets = 0;
	kernel_cpu_regs(k, &regs, &nr_cpus);
	for (i = 0; i < NR_MM_COUNTERS; i++) {
		uint64_t base = mm + off + elem * i, v, counters, cpu, pco;
		uint32_t d;

		if (i == MM_SWAPENTS)
			continue;
		err = kernel_read_u64(k, base + count_off, &v);
		if (err)
			return err;
		total += v;
		if (!percpu_offsets ||
		    !vmt_error_ok(kernel_read_u64(k, base + counters_off, &counters)))
			continue;
		for (cpu = 0; cpu < nr_cpus; cpu++) {
			if (!vmt_error_ok(kernel_read_u64(k, percpu_offsets + 8 * cpu, &pco)) ||
			    !vmt_error_ok(kernel_read_u32(k, counters + pco, &d)))
				continue;
			total += (uint64_t)(int64_t)(int32_t)d;
		}
	}
	*ret = (int64_t)total < 0 ? 0 : total;
	return NULL;
}

static void free_vmas(struct vmt_vma *v, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(v[i].path);
	free(v);
}

struct vmt_error *task_vmas(struct kernel *k, const struct vmt_task *task,
			    struct vmt_mm_info *mm_ret, struct vmt_vma **ret,
			    size_t *nr_ret)
{
	struct vma_layout l;
	struct ctx c = { .k = k, .l = &l, .mm = task->mm };
	struct vmt_mm_info info = { .mm = task->mm };
	struct vmt_vma *vmas = NULL;
	struct vmt_error *err;
	uint64_t fs, root;
	size_t i;

	if (!task->mm) {
		*mm_ret = info;
		*ret = NULL;
		*nr_ret = 0;
		return NULL;
	}
	err = vma_layout_init(k, &l);
	if (err)
		return vmt_error_wrap(err, "VMAs");
	if ((err = kernel_read_u64(k, c.mm + l.pgd, &info.pgd)) ||
	    (err = kernel_read_u64(k, c.mm + l.total_vm,
				   &info.total_vm_pages)) ||
	    (err = kernel_read_u64(k, c.mm + l.brk, &c.brk)) ||
	    (err = kernel_read_u64(k, c.mm + l.start_brk, &c.start_brk)) ||
	    (err = kernel_read_u64(k, c.mm + l.start_stack, &c.start_stack)))
		return vmt_error_wrap(err, "mm_struct at %#" PRIx64 " of pid %d",
				      c.mm, task->pid);
	err = read_rss(k, c.mm, &info.rss_pages);
	if (err) {
		kernel_warn(k, "mm %#" PRIx64 ": rss unknown: %s", c.mm,
			    err->message);
		vmt_error_destroy(err);
	}

	// Paths are relative to the task's root, as the reader of
	// /proc/PID/maps in the same namespace sees them. Without one, the
	// walk ends at the global root.
	err = kernel_read_u64(k, task->task + l.task_fs, &fs);
	if (!err && fs) {
		root = fs + l.fs_root;
		if (!vmt_error_ok(kernel_read_u64(k, root + l.path_mnt, &c.root_mnt)) ||
		    !vmt_error_ok(kernel_read_u64(k, root + l.path_dentry, &c.root_dentry)))
			c.root_mnt = c.root_dentry = 0;
	}
	vmt_error_destroy(err);

	if (l.maple) {
		uint64_t ma_root;

		err = kernel_read_u64(k, c.mm + l.mm_mt + l.ma_root, &ma_root);
		if (!err)
			err = maple_tree_walk(&l.ml, kread, k, ma_root, visit,
					      &c);
		if (err)
			err = vmt_error_wrap(err, "mm %#" PRIx64 " of pid %d: mm_mt",
					     c.mm, task->pid);
	} else {
		err = collect_list(&c);
	}
	// A tree or list broken part-way still gives the VMAs before the
	// break; the caller is told what broke.
	if (err && err->code != VMT_ERROR_NO_MEMORY) {
		snprintf(info.broken, sizeof(info.broken), "%s", err->message);
		vmt_error_destroy(err);
		err = NULL;
	}
	if (err)
		goto out;

	vmas = calloc(c.nr ? c.nr : 1, sizeof(*vmas));
	if (!vmas) {
		err = &vmt_enomem;
		goto out;
	}
	for (i = 0; i < c.nr; i++) {
		err = read_vma(&c, c.addrs[i], &vmas[i]);
		if (err && err->code != VMT_ERROR_NO_MEMORY) {
			if (!info.broken[0])
				snprintf(info.broken, sizeof(info.broken),
					 "mm %#" PRIx64 " of pid %d: %s", c.mm,
					 task->pid, err->message);
			vmt_error_destroy(err);
			err = NULL;
			break;
		}
		if (err) {
			free_vmas(vmas, i);
			goto out;
		}
	}
	*mm_ret = info;
	*ret = vmas;
	*nr_ret = i;
out:
	free(c.addrs);
	return err;
}
