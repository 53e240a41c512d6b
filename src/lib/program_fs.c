// vmt_program_task_files() and vmt_program_mounts(): the public face of
// kernel/fs.c and kernel/mount.c.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "kernel/fs.h"
#include "program_internal.h"

struct vmt_error *vmt_program_task_files(struct vmt_program *prog, int pid,
					 struct vmt_open_file **ret,
					 size_t *nr_ret)
{
	const struct vmt_task *task;
	struct vmt_error *err;

	err = vmt_program_task_by_pid(prog, pid, &task);
	if (err)
		return err;
	return fs_task_files(&prog->kernel, task, ret, nr_ret);
}

struct vmt_error *vmt_program_mounts(struct vmt_program *prog, int pid,
				     struct vmt_mount **ret, size_t *nr_ret)
{
	const struct vmt_task *task;
	struct vmt_error *err;

	err = vmt_program_task_by_pid(prog, pid, &task);
	if (err)
		return err;
	return fs_task_mounts(&prog->kernel, task, ret, nr_ret);
}
