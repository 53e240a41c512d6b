// The name of a (mount, dentry) pair as the kernel's d_path() prints it
// (fs/d_path.c), read through a callback so tests can build dentries in a
// buffer.
#ifndef VMT_KERNEL_D_PATH_H
#define VMT_KERNEL_D_PATH_H

#include <stdint.h>

#include "kernel/kread.h"

/** Byte offsets of the members d_path() reads, and helper addresses. */
struct d_path_layout {
	/** struct dentry: d_parent, d_name.name, d_hash.pprev, d_op, d_inode. */
	uint64_t dentry_d_parent;
	uint64_t dentry_d_name_name;
	uint64_t dentry_d_hash_pprev;
	uint64_t dentry_d_op;
	uint64_t dentry_d_inode;
	/** struct dentry_operations.d_dname. */
	uint64_t dop_d_dname;
	/** struct inode.i_ino. */
	uint64_t inode_i_ino;
	/** struct mount: mnt (the embedded vfsmount), mnt_parent, mnt_mountpoint. */
	uint64_t mount_mnt;
	uint64_t mount_mnt_parent;
	uint64_t mount_mnt_mountpoint;
	/** struct vfsmount.mnt_root. */
	uint64_t vfsmount_mnt_root;
	/**
	 * Addresses of the d_dname functions understood (0 if unknown):
	 * simple_dname ("/name (deleted)"), anon_inodefs_dname
	 * ("anon_inode:name"), pipefs_dname ("pipe:[ino]"), sockfs_dname
	 * ("socket:[ino]").
	 */
	uint64_t simple_dname;
	uint64_t anon_inodefs_dname;
	uint64_t pipefs_dname;
	uint64_t sockfs_dname;
};

/**
 * The path of @p dentry on vfsmount @p mnt relative to the root
 * (@p root_mnt, @p root_dentry), like d_path(): " (deleted)" appended for
 * an unlinked dentry, d_op->d_dname honoured, "/" for the root itself.
 * A parent chain longer than any real path gives BAD_DATA.
 *
 * @param[out] ret The path (free()); written only on success.
 */
struct vmt_error *d_path(const struct d_path_layout *l, kread_fn *read,
			 void *arg, uint64_t mnt, uint64_t dentry,
			 uint64_t root_mnt, uint64_t root_dentry, char **ret);

#endif
