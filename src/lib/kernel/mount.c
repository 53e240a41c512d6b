// The mounts of a task's namespace, as /proc/PID/mounts lists them
// (show_vfsmnt() of fs/proc_namespace.c): task->nsproxy->mnt_ns, whose
// mounts are on the rb-tree ns->mounts (keyed by mnt_id_unique, read in
// order by m_start()/m_next() of fs/namespace.c) in 6.8 and later, and on
// the list ns->list (through mount.mnt_list) before. Which one is decided
// from the types present, not the release.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/fs.h"
#include "kernel/list.h"
#include "kernel/rbtree.h"

// A namespace holds at most sysctl_mount_max (100000 by default) mounts.
#define MAX_MOUNTS (1U << 20)
// include/linux/mount.h, include/linux/fs.h
#define MNT_READONLY 0x40
#define SB_RDONLY 0x1
// A device name is a path or a word; longer is corrupt or irrelevant.
#define DEVNAME_MAX 4096

struct mount_layout {
	struct fs_layout fs;
	uint64_t task_nsproxy, nsproxy_mnt_ns;
	bool rbtree;
	uint64_t ns_mounts, mnt_node; // 6.8+
	uint64_t ns_list, mnt_list;   // before
	uint64_t mnt_devname, mnt_sb, mnt_flags;
};

struct mounts {
	struct kernel *k;
	const struct mount_layout *l;
	uint64_t root_mnt, root_dentry;
	struct vmt_mount *items;
	size_t nr, cap;
};

static struct vmt_error *off(struct kernel *k, const char *type,
			     const char *name, uint64_t *ret)
{
	struct vmt_error *err = kernel_member_offset(k, type, name, ret);

	if (err)
		return vmt_error_wrap(err, "%s.%s", type, name);
	return NULL;
}

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

static struct vmt_error *mount_layout_init(struct kernel *k,
					   struct mount_layout *l)
{
	struct vmt_error *err;

	memset(l, 0, sizeof(*l));
	if ((err = fs_layout_init(k, &l->fs)) ||
	    (err = off(k, "task_struct", "nsproxy", &l->task_nsproxy)) ||
	    (err = off(k, "nsproxy", "mnt_ns", &l->nsproxy_mnt_ns)) ||
	    (err = off(k, "mount", "mnt_devname", &l->mnt_devname)) ||
	    (err = off(k, "vfsmount", "mnt_sb", &l->mnt_sb)) ||
	    (err = off(k, "vfsmount", "mnt_flags", &l->mnt_flags)))
		return err;
	// Before 6.8 mnt_namespace.mounts was the count of mounts: the tree
	// shows in mount.mnt_node.
	l->rbtree = kernel_has_member(k, "mount", "mnt_node");
	if (l->rbtree)
		err = off(k, "mnt_namespace", "mounts", &l->ns_mounts);
	if (!err && l->rbtree)
		err = off(k, "mount", "mnt_node", &l->mnt_node);
	if (!err && !l->rbtree)
		err = off(k, "mnt_namespace", "list", &l->ns_list);
	if (!err && !l->rbtree)
		err = off(k, "mount", "mnt_list", &l->mnt_list);
	return err;
}

static struct vmt_error *read_string_alloc(struct kernel *k, uint64_t addr,
					   char **ret)
{
	char *s = malloc(DEVNAME_MAX);
	struct vmt_error *err;

	if (!s)
		return &vmt_enomem;
	err = kernel_read_string(k, addr, s, DEVNAME_MAX);
	if (err) {
		free(s);
		return err;
	}
	*ret = s;
	return NULL;
}

static void free_mount(struct vmt_mount *m)
{
	free(m->devname);
	free(m->fstype);
	free(m->path);
}

void vmt_mounts_free(struct vmt_mount *mounts, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free_mount(&mounts[i]);
	free(mounts);
}

static struct vmt_error *read_mount(struct mounts *c, uint64_t mount,
				    struct vmt_mount *m)
{
	const struct mount_layout *l = c->l;
	const struct fs_layout *fl = &l->fs;
	struct kernel *k = c->k;
	uint64_t vfsmount = mount + fl->dp.mount_mnt, devname, root, type,
		 name, s_flags;
	struct vmt_error *err;

	memset(m, 0, sizeof(*m));
	m->mount = mount;
	if ((err = kernel_read_u64(k, mount + l->mnt_devname, &devname)) ||
	    (err = kernel_read_u64(k, vfsmount + fl->dp.vfsmount_mnt_root,
				   &root)) ||
	    (err = kernel_read_u64(k, vfsmount + l->mnt_sb, &m->super_block)) ||
	    (err = kernel_read_u32(k, vfsmount + l->mnt_flags, &m->mnt_flags)) ||
	    (err = kernel_read_u64(k, m->super_block + fl->s_flags, &s_flags)) ||
	    (err = kernel_read_u64(k, m->super_block + fl->s_type, &type)) ||
	    (err = kernel_read_u64(k, type + fl->fst_name, &name)))
		goto fail;
	// show_vfsmnt(): "none" when the mount has no device name.
	if (devname)
		err = read_string_alloc(k, devname, &m->devname);
	else if (!(m->devname = strdup("none")))
		err = &vmt_enomem;
	if (!err)
		err = read_string_alloc(k, name, &m->fstype);
	if (!err)
		err = d_path(&fl->dp, kread, k, vfsmount, root, c->root_mnt,
			     c->root_dentry, &m->path);
	if (err)
		goto fail;
	// __mnt_is_readonly(): the mount's flag or the super block's.
	m->readonly = (m->mnt_flags & MNT_READONLY) ||
		      ((uint32_t)s_flags & SB_RDONLY);
	return NULL;
fail:
	free_mount(m);
	return vmt_error_wrap(err, "struct mount at %#" PRIx64, mount);
}

static struct vmt_error *add_mount(struct mounts *c, uint64_t mount)
{
	struct vmt_error *err;

	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 32;
		struct vmt_mount *n = realloc(c->items, cap * sizeof(*n));

		if (!n)
			return &vmt_enomem;
		c->items = n;
		c->cap = cap;
	}
	err = read_mount(c, mount, &c->items[c->nr]);
	if (err)
		return err;
	c->nr++;
	return NULL;
}

static struct vmt_error *visit_rb(void *arg, uint64_t node)
{
	struct mounts *c = arg;

	return add_mount(c, node - c->l->mnt_node);
}

static struct vmt_error *visit_list(void *arg, uint64_t node)
{
	struct mounts *c = arg;

	return add_mount(c, node - c->l->mnt_list);
}

struct vmt_error *fs_task_mounts(struct kernel *k, const struct vmt_task *task,
				 struct vmt_mount **ret, size_t *nr_ret)
{
	struct mount_layout l;
	struct mounts c = { .k = k, .l = &l };
	struct vmt_error *err;
	uint64_t nsproxy, ns, rb_root;
	char what[80];

	err = mount_layout_init(k, &l);
	if (err)
		return vmt_error_wrap(err, "mounts");
	if ((err = kernel_read_u64(k, task->task + l.task_nsproxy, &nsproxy)))
		return vmt_error_wrap(err, "task %#" PRIx64 " (pid %d): nsproxy",
				      task->task, task->pid);
	if (!nsproxy)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"pid %d (%s) has no namespaces (it is exiting)",
					task->pid, task->comm);
	if ((err = kernel_read_u64(k, nsproxy + l.nsproxy_mnt_ns, &ns)))
		return vmt_error_wrap(err, "nsproxy %#" PRIx64 " of pid %d",
				      nsproxy, task->pid);
	fs_task_root(k, &l.fs, task->task, &c.root_mnt, &c.root_dentry);
	snprintf(what, sizeof(what), "mounts of mnt_namespace %#" PRIx64, ns);
	if (l.rbtree) {
		err = kernel_read_u64(k, ns + l.ns_mounts, &rb_root);
		if (!err)
			err = rbtree_walk(kread, k, rb_root, MAX_MOUNTS, what,
					  visit_rb, &c);
	} else {
		err = list_walk(kread, k, ns + l.ns_list, false, MAX_MOUNTS,
				what, visit_list, &c);
	}
	if (err) {
		vmt_mounts_free(c.items, c.nr);
		return err;
	}
	*ret = c.items;
	*nr_ret = c.nr;
	return NULL;
}
