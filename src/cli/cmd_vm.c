// `vm`: a task's memory map, crash style, as /proc/PID/maps, or JSON.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum vm_mode { VM_CRASH, VM_MAPS };

static void vm_json(struct json *j, const struct vmt_task *t,
		    const struct vmt_mm_info *mm, const struct vmt_vma *vmas,
		    size_t n)
{
	json_begin_object(j);
	json_key(j, "pid");
	json_int(j, t->pid);
	json_key(j, "comm");
	json_string(j, t->comm);
	json_key(j, "task");
	json_addr(j, t->task);
	json_key(j, "mm");
	json_addr(j, mm->mm);
	json_key(j, "pgd");
	json_addr(j, mm->pgd);
	json_key(j, "rss_pages");
	json_uint(j, mm->rss_pages);
	json_key(j, "total_vm_pages");
	json_uint(j, mm->total_vm_pages);
	json_key(j, "vmas");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		char dev[32];

		snprintf(dev, sizeof(dev), "%02x:%02x", vmas[i].dev_major,
			 vmas[i].dev_minor);
		json_begin_object(j);
		json_key(j, "vma");
		json_addr(j, vmas[i].vma);
		json_key(j, "start");
		json_addr(j, vmas[i].start);
		json_key(j, "end");
		json_addr(j, vmas[i].end);
		json_key(j, "perms");
		json_string(j, vmas[i].perms);
		json_key(j, "flags");
		json_addr(j, vmas[i].flags);
		json_key(j, "offset");
		json_addr(j, vmas[i].offset);
		json_key(j, "dev");
		json_string(j, dev);
		json_key(j, "inode");
		json_uint(j, vmas[i].inode);
		json_key(j, "path");
		json_string(j, vmas[i].path ? vmas[i].path : "");
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void vm_text(const struct vmt_task *t, const struct vmt_mm_info *mm,
		    const struct vmt_vma *vmas, size_t n, uint64_t page_size)
{
	printf("PID: %-6d TASK: %016" PRIx64 "  CPU: %-2d COMMAND: \"%s\"\n",
	       t->pid, t->task, t->cpu, t->comm);
	printf("       MM               PGD          RSS    TOTAL_VM\n");
	printf("%016" PRIx64 "  %016" PRIx64 "  %" PRIu64 "k  %" PRIu64 "k\n",
	       mm->mm, mm->pgd, mm->rss_pages * page_size >> 10,
	       mm->total_vm_pages * page_size >> 10);
	printf("      VMA                START             END       FLAGS  FILE\n");
	for (size_t i = 0; i < n; i++)
		printf("%016" PRIx64 "  %14" PRIx64 "  %14" PRIx64 "  %8" PRIx64
		       "  %s\n",
		       vmas[i].vma, vmas[i].start, vmas[i].end, vmas[i].flags,
		       vmas[i].path ? vmas[i].path : "");
}

static int vm_maps(const struct vmt_vma *vmas, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vmt_error *err;
		char *line;

		err = vmt_vma_format_maps_line(&vmas[i], &line);
		if (err) {
			int rc = report_error(err, "vm");

			vmt_error_destroy(err);
			return rc;
		}
		fputs(line, stdout);
		free(line);
	}
	return EXIT_OK;
}

// One task; returns an exit code.
static int vm_task(struct cmd_ctx *ctx, const struct vmt_task *t,
		   enum vm_mode mode, struct json *j)
{
	const struct vmt_dump_info *info = vmt_program_dump_info(ctx->prog);
	struct vmt_mm_info mm;
	struct vmt_vma *vmas;
	struct vmt_error *err;
	int rc = EXIT_OK;
	size_t n;

	err = vmt_program_task_vmas(ctx->prog, t->pid, &mm, &vmas, &n);
	if (err) {
		rc = report_error(err, "vm");
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json)
		vm_json(j, t, &mm, vmas, n);
	else if (mode == VM_MAPS)
		rc = vm_maps(vmas, n);
	else
		vm_text(t, &mm, vmas, n, info->page_size);
	vmt_vmas_free(vmas, n);
	// The VMAs before a break were printed: name what broke.
	if (mm.broken[0]) {
		fprintf(stderr, "vmtool: vm: pid %d: the VMA list is incomplete: %s\n",
			t->pid, mm.broken);
		if (rc < EXIT_NOT_FOUND)
			rc = EXIT_NOT_FOUND;
	}
	return rc;
}

int cmd_vm(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum vm_mode mode = VM_CRASH;
	const struct vmt_task *tasks;
	bool all = false, array;
	struct vmt_error *err;
	int rc = EXIT_OK, first = 1, nr_pids;
	struct json j;
	size_t n;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--maps") || !strcmp(argv[first], "-m"))
			mode = VM_MAPS;
		else if (!strcmp(argv[first], "--all") || !strcmp(argv[first], "-a"))
			all = true;
		else
			return usage_error("vm", "unknown option %s", argv[first]);
	}
	nr_pids = argc - first;
	if (!all && nr_pids < 1)
		return usage_error("vm", "usage: vm [--maps] PID... | vm [--maps] --all");
	err = vmt_program_tasks(ctx->prog, &tasks, &n);
	if (err) {
		rc = report_error(err, "vm");
		vmt_error_destroy(err);
		return rc;
	}
	array = all || nr_pids > 1;
	if (ctx->json) {
		json_init(&j, stdout);
		if (array)
			json_begin_array(&j);
	}
	if (all) {
		bool first_task = true;

		// One entry per process with an mm (threads share it).
		for (size_t i = 0; i < n; i++) {
			int trc;

			if (!tasks[i].mm || tasks[i].pid != tasks[i].tgid)
				continue;
			if (!ctx->json && !first_task)
				printf("\n");
			first_task = false;
			trc = vm_task(ctx, &tasks[i], mode, &j);
			if (trc > rc)
				rc = trc;
		}
	}
	for (int i = first; i < argc; i++) {
		const struct vmt_task *t;
		uint64_t pid;
		int trc;

		if (!parse_number(argv[i], &pid) || pid > 0x7fffffff)
			return usage_error("vm", "'%s' is not a PID", argv[i]);
		err = vmt_program_task_by_pid(ctx->prog, (int)pid, &t);
		if (err) {
			trc = report_error(err, "vm");
			vmt_error_destroy(err);
		} else if (!t->mm) {
			fprintf(stderr, "vmtool: vm: pid %d (%s) is a kernel thread: no mm\n",
				t->pid, t->comm);
			trc = EXIT_NOT_FOUND;
		} else {
			if (!ctx->json && mode == VM_CRASH && i > first)
				printf("\n");
			trc = vm_task(ctx, t, mode, &j);
		}
		if (trc > rc)
			rc = trc;
	}
	if (ctx->json) {
		if (array)
			json_end_array(&j);
		json_finish(&j);
	}
	if (all && vmt_program_tasks_broken(ctx->prog)) {
		report_error(vmt_program_tasks_broken(ctx->prog),
			     "vm: the task list is incomplete");
		if (rc < EXIT_NOT_FOUND)
			rc = EXIT_NOT_FOUND;
	}
	return rc;
}
