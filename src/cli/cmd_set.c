// `set [PID|TASK] | set -c CPU | set -p`: crash's context, the task that
// bt, task, files and vm show when given none, for the rest of a batch or
// session; without an argument, the context now.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

const struct vmt_task *context_task(struct cmd_ctx *ctx)
{
	const struct vmt_task *tasks;
	struct vmt_error *err;
	size_t n;

	if (!ctx->context_task)
		return NULL;
	err = vmt_program_tasks(ctx->prog, &tasks, &n);
	if (err) {
		vmt_error_destroy(err);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (tasks[i].task == ctx->context_task)
			return &tasks[i];
	return NULL;
}

bool use_context_task(struct cmd_ctx *ctx, int *argc, char ***argv,
		      struct context_args *buf, bool by_address)
{
	const struct vmt_task *t;

	if (optind != *argc || !(t = context_task(ctx)))
		return false;
	if (by_address)
		snprintf(buf->word, sizeof(buf->word), "%#" PRIx64, t->task);
	else
		snprintf(buf->word, sizeof(buf->word), "%d", t->pid);
	buf->argv[0] = (*argv)[0];
	buf->argv[1] = buf->word;
	buf->argv[2] = NULL;
	*argv = buf->argv;
	*argc = 2;
	optind = 1;
	return true;
}

// The state as crash names it (the /proc letter's task state).
static const char *state_name(char state)
{
	switch (state) {
	case 'R':
		return "TASK_RUNNING";
	case 'S':
		return "TASK_INTERRUPTIBLE";
	case 'D':
		return "TASK_UNINTERRUPTIBLE";
	case 'T':
		return "TASK_STOPPED";
	case 't':
		return "TASK_TRACED";
	case 'Z':
		return "EXIT_ZOMBIE";
	case 'X':
		return "EXIT_DEAD";
	case 'I':
		return "TASK_IDLE";
	default:
		return "?";
	}
}

static void context_json(struct json *j, const struct vmt_task *t, bool set)
{
	char state[2] = { t->state, '\0' };

	json_begin_object(j);
	json_key(j, "pid");
	json_int(j, t->pid);
	json_key(j, "comm");
	json_string(j, t->comm);
	json_key(j, "task");
	json_addr(j, t->task);
	json_key(j, "cpu");
	json_int(j, t->cpu);
	json_key(j, "state");
	json_string(j, state);
	json_key(j, "state_name");
	json_string(j, state_name(t->state));
	json_key(j, "set");
	json_bool(j, set);
	json_end_object(j);
}

int cmd_set(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_task *t = NULL;
	struct vmt_error *err = NULL;
	bool panic = false, have_cpu = false;
	uint64_t cpu = 0;
	int opt, rc;
	struct json j;

	while ((opt = cmd_getopt(ctx, argc, argv, "c:p", NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (!parse_number(optarg, &cpu) || cpu > UINT32_MAX)
				return cmd_usage(ctx, "-c %s: not a CPU number",
						 optarg);
			have_cpu = true;
			break;
		case 'p':
			panic = true;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind + have_cpu + panic > 1)
		return cmd_usage(ctx, "give one of PID, TASK, -c CPU and -p");
	if (have_cpu) {
		err = vmt_program_cpu_task(ctx->prog, (unsigned int)cpu, &t,
					   NULL);
	} else if (panic) {
		err = task_default(ctx, &t);
	} else if (optind < argc) {
		// task_lookup() reports its failure as the command's.
		rc = task_lookup(ctx, NULL, argv[optind], &t);
		if (rc != EXIT_OK)
			return rc;
	} else {
		// No argument: the context now (crash's current task when
		// none was set).
		t = context_task(ctx);
		if (!t)
			err = task_default(ctx, &t);
	}
	if (err) {
		rc = cmd_fail(ctx, err, "set");
		vmt_error_destroy(err);
		return rc;
	}
	if (have_cpu || panic || optind < argc)
		ctx->context_task = t->task;
	if (ctx->json) {
		json_init(&j, ctx->out);
		context_json(&j, t, ctx->context_task == t->task);
		json_finish(&j);
	} else {
		fprintf(ctx->out,
			"    PID: %d\nCOMMAND: \"%s\"\n   TASK: %" PRIx64 "\n    CPU: %d\n  STATE: %s\n",
			t->pid, t->comm, t->task, t->cpu, state_name(t->state));
	}
	return EXIT_OK;
}
