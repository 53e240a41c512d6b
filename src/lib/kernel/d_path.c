// d_path() of fs/d_path.c (6.12), read-only:
// - a dentry whose d_op->d_dname is set names itself, unless it is the
//   root of the mount it is seen through;
// - otherwise names are prepended walking d_parent up to the root, hopping
//   from a mount's root to its mountpoint in the parent mount
//   (__prepend_path); the global root ends the walk, and a dentry that is
//   its own parent before reaching a mount root ("escaped") leaves just "/";
// - d_unlinked() (d_hash unhashed and not IS_ROOT) appends " (deleted)".
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "kernel/d_path.h"

// PATH_MAX is 4096, but a path found through mounts is not bounded by it;
// the kernel's seq_file retries with bigger buffers. This bounds a corrupt
// parent chain.
#define D_PATH_BUF (64 * 1024)
#define NAME_MAX_ 255

struct prepend_buf {
	char *buf;
	size_t len; // free bytes before pos
};

static int prepend(struct prepend_buf *p, const char *s, size_t n)
{
	if (n > p->len)
		return -1;
	p->len -= n;
	memcpy(p->buf + p->len, s, n);
	return 0;
}

// A NUL-terminated name of at most NAME_MAX bytes, read a small piece at a
// time so that a name near the end of a page does not fault on the next.
static struct vmt_error *read_name(kread_fn *read, void *arg, uint64_t addr,
				   char *buf, size_t size)
{
	size_t got = 0;

	while (got < size - 1) {
		size_t chunk = 64 - ((addr + got) & 63);
		struct vmt_error *err;
		char *nul;

		if (chunk > size - 1 - got)
			chunk = size - 1 - got;
		err = read(arg, addr + got, buf + got, chunk);
		if (err)
			return err;
		nul = memchr(buf + got, '\0', chunk);
		got += chunk;
		if (nul)
			return NULL;
	}
	buf[size - 1] = '\0';
	return NULL;
}

static struct vmt_error *dentry_name(const struct d_path_layout *l,
				     kread_fn *read, void *arg,
				     uint64_t dentry, char *buf, size_t size)
{
	uint64_t name;
	struct vmt_error *err;

	err = kread_u64(read, arg, dentry + l->dentry_d_name_name, &name);
	if (!err)
		err = read_name(read, arg, name, buf, size);
	if (err)
		return vmt_error_wrap(err, "name of dentry %#" PRIx64, dentry);
	return NULL;
}

static struct vmt_error *dentry_ino(const struct d_path_layout *l,
				    kread_fn *read, void *arg, uint64_t dentry,
				    uint64_t *ret)
{
	uint64_t inode;
	struct vmt_error *err;

	err = kread_u64(read, arg, dentry + l->dentry_d_inode, &inode);
	if (!err)
		err = kread_u64(read, arg, inode + l->inode_i_ino, ret);
	if (err)
		return vmt_error_wrap(err, "inode of dentry %#" PRIx64, dentry);
	return NULL;
}

// d_op->d_dname(): the functions we know by address. *ret stays NULL for
// another function.
static struct vmt_error *dname(const struct d_path_layout *l, kread_fn *read,
			       void *arg, uint64_t dentry, uint64_t fn,
			       char **ret)
{
	char name[NAME_MAX_ + 1];
	struct vmt_error *err;
	uint64_t ino;
	int n;

	if (fn == l->simple_dname || fn == l->anon_inodefs_dname) {
		err = dentry_name(l, read, arg, dentry, name, sizeof(name));
		if (err)
			return err;
		if (fn == l->simple_dname)
			n = asprintf(ret, "/%s (deleted)", name);
		else
			n = asprintf(ret, "anon_inode:%s", name);
	} else if (fn == l->pipefs_dname || fn == l->sockfs_dname) {
		err = dentry_ino(l, read, arg, dentry, &ino);
		if (err)
			return err;
		n = asprintf(ret, "%s:[%" PRIu64 "]",
			     fn == l->pipefs_dname ? "pipe" : "socket", ino);
	} else {
		return NULL;
	}
	if (n < 0) {
		*ret = NULL;
		return &vmt_enomem;
	}
	return NULL;
}

struct vmt_error *d_path(const struct d_path_layout *l, kread_fn *read,
			 void *arg, uint64_t mnt, uint64_t dentry,
			 uint64_t root_mnt, uint64_t root_dentry, char **ret)
{
	struct prepend_buf p;
	struct vmt_error *err;
	uint64_t parent, d_op, fn, mnt_root, pprev, mount, m;
	char name[NAME_MAX_ + 1];
	char *buf, *out;
	size_t start_len;
	unsigned int steps;

	err = kread_u64(read, arg, dentry + l->dentry_d_parent, &parent);
	if (!err)
		err = kread_u64(read, arg, dentry + l->dentry_d_op, &d_op);
	if (!err)
		err = kread_u64(read, arg, mnt + l->vfsmount_mnt_root,
				&mnt_root);
	if (err)
		return vmt_error_wrap(err, "d_path of dentry %#" PRIx64
				      " on vfsmount %#" PRIx64, dentry, mnt);
	if (d_op) {
		err = kread_u64(read, arg, d_op + l->dop_d_dname, &fn);
		if (err)
			return vmt_error_wrap(err, "d_op of dentry %#" PRIx64,
					      dentry);
		// Pseudo files name themselves unless mounted and seen as
		// the mount's root.
		if (fn && (parent != dentry || dentry != mnt_root)) {
			out = NULL;
			err = dname(l, read, arg, dentry, fn, &out);
			if (err)
				return err;
			if (out) {
				*ret = out;
				return NULL;
			}
		}
	}

	buf = malloc(D_PATH_BUF);
	if (!buf)
		return &vmt_enomem;
	p.buf = buf;
	p.len = D_PATH_BUF - 1;
	buf[D_PATH_BUF - 1] = '\0';
	err = kread_u64(read, arg, dentry + l->dentry_d_hash_pprev, &pprev);
	if (err) {
		free(buf);
		return vmt_error_wrap(err, "d_hash of dentry %#" PRIx64, dentry);
	}
	if (!pprev && parent != dentry)
		prepend(&p, " (deleted)", 10);
	start_len = p.len;

	mount = mnt - l->mount_mnt;
	for (steps = 0; dentry != root_dentry || mnt != root_mnt; steps++) {
		if (steps > D_PATH_BUF / 2) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "d_path: dentry %#" PRIx64
					       ": parent chain does not end",
					       dentry);
			break;
		}
		err = kread_u64(read, arg, dentry + l->dentry_d_parent,
				&parent);
		if (!err)
			err = kread_u64(read, arg, mnt + l->vfsmount_mnt_root,
					&mnt_root);
		if (err) {
			err = vmt_error_wrap(err, "d_path: dentry %#" PRIx64,
					     dentry);
			break;
		}
		if (dentry == mnt_root) {
			err = kread_u64(read, arg, mount + l->mount_mnt_parent,
					&m);
			if (err) {
				err = vmt_error_wrap(err, "d_path: mount %#" PRIx64,
						     mount);
				break;
			}
			if (m == mount)
				break; // the global root
			err = kread_u64(read, arg,
					mount + l->mount_mnt_mountpoint,
					&dentry);
			if (err) {
				err = vmt_error_wrap(err, "d_path: mount %#" PRIx64,
						     mount);
				break;
			}
			mount = m;
			mnt = m + l->mount_mnt;
			continue;
		}
		if (dentry == parent) {
			// Escaped the root: prepend_path() drops the names.
			p.len = start_len;
			break;
		}
		err = dentry_name(l, read, arg, dentry, name, sizeof(name));
		if (err)
			break;
		if (prepend(&p, name, strlen(name)) || prepend(&p, "/", 1)) {
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "d_path: dentry %#" PRIx64
					       ": path longer than %d bytes",
					       dentry, D_PATH_BUF);
			break;
		}
		dentry = parent;
	}
	if (err) {
		free(buf);
		return err;
	}
	if (p.len == start_len)
		prepend(&p, "/", 1);
	out = strdup(buf + p.len);
	free(buf);
	if (!out)
		return &vmt_enomem;
	*ret = out;
	return NULL;
}
