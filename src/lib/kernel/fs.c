// The VFS objects behind `files`: a struct file's path (through d_path.c),
// inode and device, a task's root, and its fd table (files_struct ->
// fdtable).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/fs.h"

// NR_OPEN_DEFAULT grows to at most sysctl_nr_open (1 << 20 by default,
// INT_MAX at most): a larger max_fds is corrupt.
#define MAX_FDS (1U << 20)
// The file types of S_IFMT (include/uapi/linux/stat.h).
#define S_IFMT_ 0170000

static struct vmt_error *off(struct kernel *k, const char *type,
			     const char *name, uint64_t *ret)
{
	struct vmt_error *err = kernel_member_offset(k, type, name, ret);

	if (err)
		return vmt_error_wrap(err, "%s.%s", type, name);
	return NULL;
}

static uint64_t sym_or_zero(struct kernel *k, const char *name)
{
	uint64_t a = 0;

	return vmt_error_ok(kernel_symbol(k, name, &a)) ? a : 0;
}

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

struct vmt_error *fs_d_path_layout_init(struct kernel *k,
					struct d_path_layout *dp)
{
	struct vmt_error *err;

	memset(dp, 0, sizeof(*dp));
	if ((err = off(k, "dentry", "d_parent", &dp->dentry_d_parent)) ||
	    (err = off(k, "dentry", "d_name.name", &dp->dentry_d_name_name)) ||
	    (err = off(k, "dentry", "d_hash.pprev",
		       &dp->dentry_d_hash_pprev)) ||
	    (err = off(k, "dentry", "d_op", &dp->dentry_d_op)) ||
	    (err = off(k, "dentry", "d_inode", &dp->dentry_d_inode)) ||
	    (err = off(k, "dentry_operations", "d_dname", &dp->dop_d_dname)) ||
	    (err = off(k, "inode", "i_ino", &dp->inode_i_ino)) ||
	    (err = off(k, "mount", "mnt", &dp->mount_mnt)) ||
	    (err = off(k, "mount", "mnt_parent", &dp->mount_mnt_parent)) ||
	    (err = off(k, "mount", "mnt_mountpoint",
		       &dp->mount_mnt_mountpoint)) ||
	    (err = off(k, "vfsmount", "mnt_root", &dp->vfsmount_mnt_root)))
		return err;
	dp->simple_dname = sym_or_zero(k, "simple_dname");
	dp->anon_inodefs_dname = sym_or_zero(k, "anon_inodefs_dname");
	dp->pipefs_dname = sym_or_zero(k, "pipefs_dname");
	dp->sockfs_dname = sym_or_zero(k, "sockfs_dname");
	return NULL;
}

struct vmt_error *fs_layout_init(struct kernel *k, struct fs_layout *l)
{
	struct vmt_error *err;

	memset(l, 0, sizeof(*l));
	if ((err = off(k, "file", "f_path", &l->f_path)) ||
	    (err = off(k, "file", "f_inode", &l->f_inode)) ||
	    (err = off(k, "path", "mnt", &l->path_mnt)) ||
	    (err = off(k, "path", "dentry", &l->path_dentry)) ||
	    (err = off(k, "inode", "i_mode", &l->i_mode)) ||
	    (err = off(k, "inode", "i_ino", &l->i_ino)) ||
	    (err = off(k, "inode", "i_sb", &l->i_sb)) ||
	    (err = off(k, "super_block", "s_dev", &l->s_dev)) ||
	    (err = off(k, "super_block", "s_type", &l->s_type)) ||
	    (err = off(k, "super_block", "s_flags", &l->s_flags)) ||
	    (err = off(k, "file_system_type", "name", &l->fst_name)) ||
	    (err = off(k, "task_struct", "fs", &l->task_fs)) ||
	    (err = off(k, "fs_struct", "root", &l->fs_root)) ||
	    (err = off(k, "task_struct", "files", &l->task_files)) ||
	    (err = off(k, "files_struct", "fdt", &l->files_fdt)) ||
	    (err = off(k, "fdtable", "max_fds", &l->fdt_max_fds)) ||
	    (err = off(k, "fdtable", "fd", &l->fdt_fd)))
		return err;
	return fs_d_path_layout_init(k, &l->dp);
}

void fs_task_root(struct kernel *k, const struct fs_layout *l, uint64_t task,
		  uint64_t *mnt_ret, uint64_t *dentry_ret)
{
	uint64_t fs = 0, mnt = 0, dentry = 0;

	if (vmt_error_ok(kernel_read_u64(k, task + l->task_fs, &fs)) && fs &&
	    (!vmt_error_ok(kernel_read_u64(k, fs + l->fs_root + l->path_mnt,
					   &mnt)) ||
	     !vmt_error_ok(kernel_read_u64(k, fs + l->fs_root + l->path_dentry,
					   &dentry))))
		mnt = dentry = 0;
	*mnt_ret = mnt;
	*dentry_ret = dentry;
}

const char *fs_mode_type(uint32_t mode)
{
	switch (mode & S_IFMT_) {
	case 0100000:
		return "REG";
	case 0040000:
		return "DIR";
	case 0020000:
		return "CHR";
	case 0060000:
		return "BLK";
	case 0010000:
		return "FIFO";
	case 0140000:
		return "SOCK";
	case 0120000:
		return "LNK";
	default:
		return "?";
	}
}

struct vmt_error *fs_file_info(struct kernel *k, const struct fs_layout *l,
			       uint64_t file, uint64_t root_mnt,
			       uint64_t root_dentry, struct vmt_open_file *ret)
{
	struct vmt_open_file f = { .file = file };
	struct vmt_error *err;
	uint64_t mnt, sb;
	uint32_t mode = 0, dev;

	if ((err = kernel_read_u64(k, file + l->f_path + l->path_mnt, &mnt)) ||
	    (err = kernel_read_u64(k, file + l->f_path + l->path_dentry,
				   &f.dentry)) ||
	    (err = kernel_read_u64(k, file + l->f_inode, &f.inode)) ||
	    (err = kernel_read(k, f.inode + l->i_mode, &mode, 2)) ||
	    (err = kernel_read_u64(k, f.inode + l->i_ino, &f.ino)) ||
	    (err = kernel_read_u64(k, f.inode + l->i_sb, &sb)) ||
	    (err = kernel_read_u32(k, sb + l->s_dev, &dev)))
		return vmt_error_wrap(err, "struct file at %#" PRIx64, file);
	f.mode = le32toh(mode) & 0xffff;
	f.type = fs_mode_type(f.mode);
	// The kernel's dev_t: MAJOR = dev >> 20, MINOR = dev & 0xfffff.
	f.dev_major = dev >> 20;
	f.dev_minor = dev & 0xfffff;
	err = d_path(&l->dp, kread, k, mnt, f.dentry, root_mnt, root_dentry,
		     &f.path);
	if (err)
		return vmt_error_wrap(err, "path of file %#" PRIx64, file);
	*ret = f;
	return NULL;
}

void vmt_open_files_free(struct vmt_open_file *files, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(files[i].path);
	free(files);
}

struct vmt_error *fs_task_files(struct kernel *k, const struct vmt_task *task,
				struct vmt_open_file **ret, size_t *nr_ret)
{
	struct vmt_open_file *files = NULL;
	uint64_t files_struct, fdt, fd_array, root_mnt, root_dentry;
	struct fs_layout l;
	struct vmt_error *err;
	uint32_t max_fds;
	size_t nr = 0, cap = 0;

	err = fs_layout_init(k, &l);
	if (err)
		return vmt_error_wrap(err, "files");
	err = kernel_read_u64(k, task->task + l.task_files, &files_struct);
	if (err || !files_struct) {
		// An exiting task or a kernel thread may have no table.
		*ret = NULL;
		*nr_ret = 0;
		return err ? vmt_error_wrap(err, "task %#" PRIx64 " (pid %d): files",
					    task->task, task->pid) :
			     NULL;
	}
	if ((err = kernel_read_u64(k, files_struct + l.files_fdt, &fdt)) ||
	    (err = kernel_read_u32(k, fdt + l.fdt_max_fds, &max_fds)) ||
	    (err = kernel_read_u64(k, fdt + l.fdt_fd, &fd_array)))
		return vmt_error_wrap(err, "files_struct %#" PRIx64 " of pid %d",
				      files_struct, task->pid);
	if (max_fds > MAX_FDS)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"fdtable %#" PRIx64 " of pid %d: max_fds %u is more than the kernel allows (%u)",
					fdt, task->pid, max_fds, MAX_FDS);
	fs_task_root(k, &l, task->task, &root_mnt, &root_dentry);
	for (uint32_t fd = 0; fd < max_fds; fd++) {
		struct vmt_open_file f;
		uint64_t file;

		err = kernel_read_u64(k, fd_array + 8 * (uint64_t)fd, &file);
		if (err) {
			err = vmt_error_wrap(err, "fd %u of pid %d (fd array %#" PRIx64 ")",
					     fd, task->pid, fd_array);
			goto fail;
		}
		if (!file)
			continue;
		err = fs_file_info(k, &l, file, root_mnt, root_dentry, &f);
		if (err) {
			err = vmt_error_wrap(err, "fd %u of pid %d", fd,
					     task->pid);
			goto fail;
		}
		f.fd = (int)fd;
		if (nr == cap) {
			struct vmt_open_file *n;

			cap = cap ? 2 * cap : 16;
			n = realloc(files, cap * sizeof(*n));
			if (!n) {
				free(f.path);
				err = &vmt_enomem;
				goto fail;
			}
			files = n;
		}
		files[nr++] = f;
	}
	*ret = files;
	*nr_ret = nr;
	return NULL;
fail:
	vmt_open_files_free(files, nr);
	return err;
}
