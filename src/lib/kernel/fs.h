// Files as the VFS sees them: a struct file's path, inode and device, a
// task's root, its open files and the mounts of its namespace.
#ifndef VMT_KERNEL_FS_H
#define VMT_KERNEL_FS_H

#include <stdint.h>

#include "kernel/d_path.h"
#include "kernel/kernel.h"
#include "vmtool/fs.h"

/** Offsets the VFS readers need, resolved once from the types. */
struct fs_layout {
	uint64_t f_path, f_inode, path_mnt, path_dentry;
	uint64_t i_mode, i_ino, i_sb, s_dev, s_type, s_flags, fst_name;
	uint64_t task_fs, fs_root, task_files, files_fdt, fdt_max_fds, fdt_fd;
	struct d_path_layout dp;
};

/** Resolve @p l from the kernel's types (BTF or DWARF). */
struct vmt_error *fs_layout_init(struct kernel *k, struct fs_layout *l);

/**
 * The d_path() offsets and d_dname functions, from the kernel's types and
 * symbols.
 */
struct vmt_error *fs_d_path_layout_init(struct kernel *k,
					struct d_path_layout *dp);

/**
 * The root (task->fs->root) that paths of @p task are relative to; both
 * 0 when the task has none (an exiting task): d_path() then ends at the
 * global root.
 */
void fs_task_root(struct kernel *k, const struct fs_layout *l, uint64_t task,
		  uint64_t *mnt_ret, uint64_t *dentry_ret);

/**
 * The path of @p file (d_path() relative to @p root_mnt/@p root_dentry),
 * its dentry, inode, inode number, mode and device.
 * @param[out] ret Written only on success; ret->path must be freed.
 */
struct vmt_error *fs_file_info(struct kernel *k, const struct fs_layout *l,
			       uint64_t file, uint64_t root_mnt,
			       uint64_t root_dentry, struct vmt_open_file *ret);

/** "REG", "DIR", "CHR", "BLK", "FIFO", "SOCK", "LNK" or "?" of i_mode. */
const char *fs_mode_type(uint32_t mode);

/** The open files of @p task (its fd table). Free with vmt_open_files_free. */
struct vmt_error *fs_task_files(struct kernel *k, const struct vmt_task *task,
				struct vmt_open_file **ret, size_t *nr_ret);

/**
 * The mounts of @p task's mount namespace in the order /proc/PID/mounts
 * lists them, paths relative to the task's root. Free with
 * vmt_mounts_free().
 */
struct vmt_error *fs_task_mounts(struct kernel *k, const struct vmt_task *task,
				 struct vmt_mount **ret, size_t *nr_ret);

#endif
