// `ps`: the task list, crash style.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static bool selected(const struct vmt_task *t, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++) {
		uint64_t pid;

		if (parse_number(argv[i], &pid) ? (uint64_t)t->pid == pid :
						 !strcmp(t->comm, argv[i]))
			return true;
	}
	return false;
}

static void ps_json_task(struct json *j, const struct vmt_task *t)
{
	char state[2] = { t->state, '\0' };

	json_begin_object(j);
	json_key(j, "pid");
	json_int(j, t->pid);
	json_key(j, "tgid");
	json_int(j, t->tgid);
	json_key(j, "ppid");
	json_int(j, t->ppid);
	json_key(j, "comm");
	json_string(j, t->comm);
	json_key(j, "state");
	json_string(j, state);
	json_key(j, "task");
	json_addr(j, t->task);
	json_key(j, "mm");
	if (t->mm)
		json_addr(j, t->mm);
	else
		json_null(j);
	json_key(j, "cpu");
	json_int(j, t->cpu);
	json_key(j, "oncpu");
	json_bool(j, t->oncpu);
	json_key(j, "kthread");
	json_bool(j, t->kthread);
	json_end_object(j);
}

int cmd_ps(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_task *tasks;
	struct vmt_error *err;
	size_t n, shown = 0;
	struct json j;

	err = vmt_program_tasks(ctx->prog, &tasks, &n);
	if (err) {
		int rc = report_error(err, "ps");

		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json) {
		json_init(&j, stdout);
		json_begin_array(&j);
	} else {
		printf("   PID    PPID   TGID  CPU        TASK          ST  COMM\n");
	}
	for (size_t i = 0; i < n; i++) {
		const struct vmt_task *t = &tasks[i];

		if (!selected(t, argc, argv))
			continue;
		shown++;
		if (ctx->json) {
			ps_json_task(&j, t);
			continue;
		}
		// '>' marks a task running on a CPU; [brackets] a kernel thread.
		printf("%c%6d  %6d %6d  %3d  %016" PRIx64 "  %c   %s%s%s\n",
		       t->oncpu ? '>' : ' ', t->pid, t->ppid, t->tgid, t->cpu,
		       t->task, t->state, t->kthread ? "[" : "", t->comm,
		       t->kthread ? "]" : "");
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	// A list cut short was printed as far as it goes: say where it broke.
	if (vmt_program_tasks_broken(ctx->prog)) {
		report_error(vmt_program_tasks_broken(ctx->prog),
			     "ps: the task list is incomplete");
		return EXIT_NOT_FOUND;
	}
	return argc > 1 && !shown ? EXIT_NOT_FOUND : EXIT_OK;
}
