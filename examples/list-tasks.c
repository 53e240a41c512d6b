/**
 * @file list-tasks.c
 * A small program on libvmtool: open a dump, print its kernel release and
 * every task. Build it against an installed libvmtool with
 *
 *     cc list-tasks.c $(pkg-config --cflags --libs vmtool) -o list-tasks
 *
 * and run it as `./list-tasks DUMP [DUMP...]` (several files for a split
 * dump).
 */
#include <stdio.h>

#include <vmtool/vmtool.h>

/** Open the dump named by the arguments; print its release and tasks. */
int main(int argc, char **argv)
{
	const struct vmt_dump_info *info;
	const struct vmt_task *tasks;
	struct vmt_program *prog;
	struct vmt_error *err;
	size_t nr;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DUMP [DUMP...]\n", argv[0]);
		return 2;
	}
	// NULL options: the dump's own VMCOREINFO, kallsyms and BTF.
	err = vmt_program_open((const char *const *)&argv[1],
			       (size_t)(argc - 1), NULL, &prog);
	if (err) {
		fprintf(stderr, "%s: %s\n", argv[1], err->message);
		vmt_error_destroy(err);
		return 3;
	}
	info = vmt_program_dump_info(prog);
	printf("%s, Linux %s, %u CPUs\n", info->format, info->osrelease,
	       info->nr_cpus);
	err = vmt_program_tasks(prog, &tasks, &nr);
	if (err) {
		fprintf(stderr, "tasks: %s\n", err->message);
		vmt_error_destroy(err);
		vmt_program_destroy(prog);
		return 1;
	}
	for (size_t i = 0; i < nr; i++)
		printf("%6d %c %s\n", tasks[i].pid, tasks[i].state,
		       tasks[i].comm);
	vmt_program_destroy(prog);
	return 0;
}
