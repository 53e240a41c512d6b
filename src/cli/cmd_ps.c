// `ps`: the task list, crash style: every task, or those each PID, COMM
// or task address names, filtered by -k/-u/-G; -S counts states.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct ps_filter {
	bool kthreads, user, leaders;
};

static bool passes(const struct ps_filter *f, const struct vmt_task *t)
{
	if (f->kthreads && !t->kthread)
		return false;
	if (f->user && t->kthread)
		return false;
	return !f->leaders || t->pid == t->tgid;
}

// Whether @p arg (PID, 0x task address, or COMM) names @p t.
static bool names(const char *arg, const struct vmt_task *t)
{
	uint64_t addr;
	int pid;

	if (parse_pid(arg, &pid))
		return t->pid == pid;
	if ((!strncmp(arg, "0x", 2) || !strncmp(arg, "0X", 2)) &&
	    parse_hex(arg, &addr))
		return t->task == addr;
	return !strcmp(t->comm, arg);
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
	json_addr_or_null(j, t->mm != 0, t->mm);
	json_key(j, "cpu");
	json_int(j, t->cpu);
	json_key(j, "oncpu");
	json_bool(j, t->oncpu);
	json_key(j, "kthread");
	json_bool(j, t->kthread);
	json_end_object(j);
}

static void ps_text_task(FILE *out, const struct vmt_task *t)
{
	// '>' marks a task running on a CPU; [brackets] a kernel thread.
	fprintf(out, "%c%6d  %6d %6d  %3d  %016" PRIx64 "  %c   %s%s%s\n",
		t->oncpu ? '>' : ' ', t->pid, t->ppid, t->tgid, t->cpu, t->task,
		t->state, t->kthread ? "[" : "", t->comm, t->kthread ? "]" : "");
}

static void show(struct cmd_ctx *ctx, struct json *j, const struct vmt_task *t)
{
	if (ctx->json)
		ps_json_task(j, t);
	else
		ps_text_task(ctx->out, t);
}

// -S: how many tasks are in each state (after the filters).
static int ps_states(struct cmd_ctx *ctx, const struct ps_filter *f,
		     const struct vmt_task *tasks, size_t n)
{
	static const char order[] = "RSDTtZXIP";
	size_t count[256] = { 0 }, total = 0;
	struct json j;

	for (size_t i = 0; i < n; i++) {
		if (!passes(f, &tasks[i]))
			continue;
		count[(unsigned char)tasks[i].state]++;
		total++;
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_object(&j);
		json_key(&j, "total");
		json_uint(&j, total);
		json_key(&j, "states");
		json_begin_object(&j);
	}
	// The usual letters in /proc's order, then any other.
	for (int c, k = 0; k < 256 + (int)sizeof(order) - 1; k++) {
		char key[2];

		c = k < (int)sizeof(order) - 1 ? (unsigned char)order[k] :
						  k - ((int)sizeof(order) - 1);
		if (!c || !count[c] ||
		    (k >= (int)sizeof(order) - 1 && strchr(order, c)))
			continue;
		key[0] = (char)c;
		key[1] = '\0';
		if (ctx->json) {
			json_key(&j, key);
			json_uint(&j, count[c]);
		} else {
			fprintf(ctx->out, "  %s: %zu", key, count[c]);
		}
	}
	if (ctx->json) {
		json_end_object(&j);
		json_end_object(&j);
		json_finish(&j);
	} else {
		fprintf(ctx->out, "  total: %zu\n", total);
	}
	return EXIT_OK;
}

int cmd_ps(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct ps_filter f = { 0 };
	const struct vmt_task *tasks;
	bool states = false;
	struct vmt_error *err;
	int rc = EXIT_OK, opt;
	struct json j;
	size_t n;

	while ((opt = cmd_getopt(ctx, argc, argv, "kuGS", NULL)) != -1) {
		switch (opt) {
		case 'k':
			f.kthreads = true;
			break;
		case 'u':
			f.user = true;
			break;
		case 'G':
			f.leaders = true;
			break;
		case 'S':
			states = true;
			break;
		case CMD_BAD_OPTION:
			return EXIT_USAGE;
		}
	}
	if (f.kthreads && f.user)
		return cmd_usage(ctx, "-k and -u exclude each other");
	if (states && optind < argc)
		return cmd_usage(ctx, "-S counts every task: no PID or COMM");
	err = vmt_program_tasks(ctx->prog, &tasks, &n);
	if (err) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
		return rc;
	}
	if (states)
		return ps_states(ctx, &f, tasks, n);
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	} else {
		fprintf(ctx->out,
			"   PID    PPID   TGID  CPU        TASK          ST  COMM\n");
	}
	if (optind >= argc) {
		for (size_t i = 0; i < n; i++)
			if (passes(&f, &tasks[i]))
				show(ctx, &j, &tasks[i]);
	}
	// Each argument in turn: its tasks (a COMM or the PID of the idle
	// tasks can name several), or an error entry when it names none.
	for (int a = optind; a < argc; a++) {
		bool found = false;

		for (size_t i = 0; i < n; i++) {
			if (!names(argv[a], &tasks[i]))
				continue;
			found = true;
			if (passes(&f, &tasks[i]))
				show(ctx, &j, &tasks[i]);
		}
		if (!found) {
			cmd_entry_fail(ctx, &j, VMT_ERROR_NOT_FOUND,
				       "no such task: %s", argv[a]);
			rc = EXIT_NOT_FOUND;
		}
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
	return rc;
}
