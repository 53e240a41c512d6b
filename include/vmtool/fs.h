/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fs.h
 * Files and mounts as a task saw them: its open file descriptors
 * (/proc/PID/fd) and the mounts of its namespace (/proc/PID/mounts).
 */
#ifndef VMTOOL_FS_H
#define VMTOOL_FS_H

#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmt_program;

/** One open file descriptor. */
struct vmt_open_file {
	/** The descriptor number. */
	int fd;
	/** Address of the struct file (fdt->fd[fd]). */
	uint64_t file;
	/** Address of its struct dentry (file->f_path.dentry). */
	uint64_t dentry;
	/** Address of its struct inode (file->f_inode). */
	uint64_t inode;
	/** The inode number (inode->i_ino). */
	uint64_t ino;
	/** The file type and permission bits (inode->i_mode, as st_mode). */
	uint32_t mode;
	/** "REG", "DIR", "CHR", "BLK", "FIFO", "SOCK", "LNK" or "?". */
	const char *type;
	/** The device's major number (of inode->i_sb->s_dev). */
	unsigned int dev_major;
	/** The device's minor number (of inode->i_sb->s_dev). */
	unsigned int dev_minor;
	/**
	 * What /proc/PID/fd/N links to: a path relative to the task's root,
	 * or "pipe:[ino]", "socket:[ino]", "anon_inode:name". Owned by the list.
	 */
	char *path;
};

/**
 * The open files of task @p pid in descriptor order. Free with
 * vmt_open_files_free(). A task without a file table (a kernel thread that
 * dropped it, a zombie) has none.
 */
struct vmt_error *vmt_program_task_files(struct vmt_program *prog, int pid,
					 struct vmt_open_file **ret,
					 size_t *nr_ret);

/** Free a list returned by vmt_program_task_files(). */
void vmt_open_files_free(struct vmt_open_file *files, size_t nr);

/** One mount. */
struct vmt_mount {
	/** Address of the struct mount. */
	uint64_t mount;
	/** Address of its struct super_block (mnt.mnt_sb). */
	uint64_t super_block;
	/** mnt_devname ("none" when the kernel has none). Owned by the list. */
	char *devname;
	/** The file system type (sb->s_type->name). Owned by the list. */
	char *fstype;
	/** Mount point, relative to the task's root. Owned by the list. */
	char *path;
	/** Read-only (SB_RDONLY or MNT_READONLY). */
	int readonly;
	/** The mount's flags (vfsmount.mnt_flags). */
	uint32_t mnt_flags;
};

/**
 * The mounts of task @p pid's mount namespace, in the order
 * /proc/PID/mounts lists them; mounts outside the task's root are left out
 * as the kernel does. Free with vmt_mounts_free().
 */
struct vmt_error *vmt_program_mounts(struct vmt_program *prog, int pid,
				     struct vmt_mount **ret, size_t *nr_ret);

/** Free a list returned by vmt_program_mounts(). */
void vmt_mounts_free(struct vmt_mount *mounts, size_t nr);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_FS_H */
