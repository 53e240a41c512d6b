// `task [-R MEMBER[,MEMBER...]] [-x|-d] [PID|TASK]...`: a task's
// task_struct (and thread_info where it is separate) with values, as
// crash's task prints them.
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "value_out.h"

// Member paths of -R at most.
#define MAX_MEMBERS 64

struct task_opts {
	struct vmt_format_options fmt;
	char *members[MAX_MEMBERS];
	size_t nr_members;
};

struct vmt_error *task_default(struct cmd_ctx *ctx,
			       const struct vmt_task **ret)
{
	const struct vmt_sysinfo *sys;
	struct vmt_error *err;
	unsigned int cpu = 0;

	// crash's context on a dump: the task that panicked, else the one
	// on the first CPU.
	err = vmt_program_sysinfo(ctx->prog, &sys);
	if (!err && sys->panic[0] && sys->panic_cpu >= 0)
		cpu = (unsigned int)sys->panic_cpu;
	vmt_error_destroy(err);
	return vmt_program_cpu_task(ctx->prog, cpu, ret, NULL);
}

int task_lookup(struct cmd_ctx *ctx, struct json *j, const char *arg,
		const struct vmt_task **ret)
{
	const struct vmt_task *tasks;
	struct vmt_error *err;
	uint64_t v;
	size_t n;
	int rc;

	if (!parse_number(arg, &v))
		return cmd_usage(ctx, "'%s' is not a PID or task address",
				 arg);
	// A PID, or a task_struct address (hex with 0x, or beyond any pid).
	if (strncmp(arg, "0x", 2) && strncmp(arg, "0X", 2) && v <= INT_MAX)
		err = vmt_program_task_by_pid(ctx->prog, (int)v, ret);
	else
		err = vmt_program_tasks(ctx->prog, &tasks, &n);
	if (err) {
		rc = j ? cmd_entry_error(ctx, j, err, "%s", arg) :
			 cmd_fail(ctx, err, "%s", arg);
		vmt_error_destroy(err);
		return rc;
	}
	if (strncmp(arg, "0x", 2) && strncmp(arg, "0X", 2) && v <= INT_MAX)
		return EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		if (tasks[i].task == v) {
			*ret = &tasks[i];
			return EXIT_OK;
		}
	}
	{
		char msg[80];
		struct vmt_error missing = { .code = VMT_ERROR_NOT_FOUND,
					     .message = msg };

		snprintf(msg, sizeof(msg), "no task at %#" PRIx64, v);
		return j ? cmd_entry_error(ctx, j, &missing, "%s", arg) :
			   cmd_fail(ctx, &missing, "%s", arg);
	}
}

void task_header(FILE *out, const struct vmt_task *t)
{
	fprintf(out, "PID: %-6d TASK: %016" PRIx64 "  CPU: %-3d COMMAND: \"%s\"\n",
		t->pid, t->task, t->cpu, t->comm);
}

// thread_info's address when it is not inside task_struct (kernels
// without CONFIG_THREAD_INFO_IN_TASK keep it at the stack's base), else 0.
static uint64_t separate_thread_info(struct cmd_ctx *ctx,
				     const struct vmt_task *t)
{
	const struct vmt_type *ti;
	struct vmt_error *err;
	uint64_t off;

	err = vmt_program_member_offset(ctx->prog, "task_struct",
					"thread_info", &off);
	if (!err)
		return 0;
	vmt_error_destroy(err);
	err = vmt_program_find_type(ctx->prog, "struct thread_info", &ti);
	if (err) {
		vmt_error_destroy(err);
		return 0;
	}
	return t->stack;
}

static void task_entry_json(struct json *j, const struct vmt_task *t)
{
	json_key(j, "pid");
	json_int(j, t->pid);
	json_key(j, "comm");
	json_string(j, t->comm);
	json_key(j, "task");
	json_addr(j, t->task);
	json_key(j, "cpu");
	json_int(j, t->cpu);
}

// -R: each member's value, "  name = value," as crash prints it.
static int task_members(struct cmd_ctx *ctx, struct json *j,
			const struct vmt_task *t, const struct task_opts *o,
			const struct vmt_value *obj)
{
	int rc = EXIT_OK;

	if (ctx->json) {
		json_key(j, "members");
		json_begin_array(j);
	}
	for (size_t i = 0; i < o->nr_members; i++) {
		struct vmt_value_node *tree = NULL;
		struct vmt_value m;
		struct vmt_error *err;
		char *text = NULL;

		err = vmt_program_value_member(ctx->prog, obj, o->members[i],
					       &m);
		if (!err)
			err = value_text(ctx->prog, &m, &o->fmt, 2, true,
					 &text, &tree);
		if (err) {
			int r = cmd_entry_error(ctx, j, err, "pid %d: %s",
						t->pid, o->members[i]);

			rc = r > rc ? r : rc;
			vmt_error_destroy(err);
			continue;
		}
		if (ctx->json) {
			bool truncated = false;

			json_begin_object(j);
			json_key(j, "name");
			json_string(j, o->members[i]);
			json_key(j, "address");
			json_addr(j, m.address);
			json_key(j, "value");
			value_json(j, tree, &truncated);
			json_key(j, "text");
			json_string(j, text);
			json_end_object(j);
		} else {
			fprintf(ctx->out, "  %s = %s,\n", o->members[i], text);
		}
		free(text);
		vmt_value_node_destroy(tree);
	}
	if (ctx->json)
		json_end_array(j);
	return rc;
}

// One struct's value: "struct NAME {...}" or its JSON value.
static int task_struct_value(struct cmd_ctx *ctx, struct json *j,
			     const char *type_name, uint64_t addr,
			     const struct task_opts *o)
{
	struct vmt_value_node *tree = NULL;
	struct vmt_value v;
	struct vmt_error *err;
	char *text = NULL;
	int rc;

	err = vmt_program_object(ctx->prog, type_name, addr, &v);
	if (!err)
		err = value_text(ctx->prog, &v, &o->fmt, 0, true, &text, &tree);
	if (err) {
		if (ctx->json)
			json_null(j);
		rc = error_exit_code(err);
		fprintf(stderr, "vmtool: task: %s at %#" PRIx64 ": %s\n",
			type_name, addr, err->message);
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json) {
		bool truncated = false;

		value_json(j, tree, &truncated);
	} else {
		fprintf(ctx->out, "%s %s\n", type_name, text);
	}
	free(text);
	vmt_value_node_destroy(tree);
	return EXIT_OK;
}

static int task_one(struct cmd_ctx *ctx, struct json *j,
		    const struct vmt_task *t, const struct task_opts *o)
{
	uint64_t ti = separate_thread_info(ctx, t);
	struct vmt_value obj;
	struct vmt_error *err;
	int rc = EXIT_OK, r;

	err = vmt_program_object(ctx->prog, "struct task_struct", t->task,
				 &obj);
	if (err) {
		rc = cmd_entry_error(ctx, j, err, "pid %d", t->pid);
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json) {
		json_begin_object(j);
		task_entry_json(j, t);
	} else {
		task_header(ctx->out, t);
	}
	if (o->nr_members) {
		rc = task_members(ctx, j, t, o, &obj);
		if (ctx->json) {
			json_key(j, "task_struct");
			json_null(j);
			json_key(j, "thread_info");
			json_null(j);
		}
	} else {
		if (ctx->json) {
			json_key(j, "members");
			json_null(j);
			json_key(j, "task_struct");
		}
		rc = task_struct_value(ctx, j, "struct task_struct", t->task,
				       o);
		if (ctx->json)
			json_key(j, "thread_info");
		if (ti) {
			if (!ctx->json)
				fputc('\n', ctx->out);
			r = task_struct_value(ctx, j, "struct thread_info", ti,
					      o);
			rc = r > rc ? r : rc;
		} else if (ctx->json) {
			json_null(j);
		}
	}
	if (ctx->json)
		json_end_object(j);
	else
		fputc('\n', ctx->out);
	return rc;
}

// "a,b.c,d[2]" into o->members (pointers into @p list, which is modified).
static bool split_members(char *list, struct task_opts *o)
{
	for (char *m = strtok(list, ","); m; m = strtok(NULL, ",")) {
		if (o->nr_members == MAX_MEMBERS)
			return false;
		o->members[o->nr_members++] = m;
	}
	return o->nr_members > 0;
}

int cmd_task(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task_opts o = { 0 };
	const struct vmt_task *t;
	struct vmt_error *err;
	char *lists[MAX_MEMBERS];
	size_t nr_lists = 0;
	int opt, rc = EXIT_OK, r, nargs;
	struct json j = { 0 };

	while ((opt = cmd_getopt(ctx, argc, argv, "R:xd", NULL)) != -1) {
		switch (opt) {
		case 'R':
			if (nr_lists == MAX_MEMBERS)
				return cmd_usage(ctx, "too many -R");
			lists[nr_lists++] = optarg;
			break;
		case 'x':
			o.fmt.hex = true;
			break;
		case 'd':
			o.fmt.hex = false;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < nr_lists; i++) {
		char *copy = strdup(lists[i]);

		// The copies stay until the command ends (o.members point
		// into them).
		if (!copy || !split_members(copy, &o)) {
			free(copy);
			rc = cmd_usage(ctx, "-R %s: not a list of members",
				       lists[i]);
			nr_lists = i;
			goto out;
		}
		lists[i] = copy;
	}
	nargs = argc - optind;
	for (int i = optind; i < argc; i++) {
		uint64_t v;

		if (!parse_number(argv[i], &v)) {
			rc = cmd_usage(ctx, "'%s' is not a PID or task address",
				       argv[i]);
			goto out;
		}
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	if (!nargs) {
		// No task named: the one `set` chose, else crash's default.
		t = context_task(ctx);
		err = t ? NULL : task_default(ctx, &t);
		if (err) {
			rc = cmd_entry_error(ctx, &j, err, "current task");
			vmt_error_destroy(err);
		} else {
			rc = task_one(ctx, &j, t, &o);
		}
	}
	for (int i = optind; i < argc; i++) {
		r = task_lookup(ctx, &j, argv[i], &t);
		if (r == EXIT_OK)
			r = task_one(ctx, &j, t, &o);
		rc = r > rc ? r : rc;
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
out:
	for (size_t i = 0; i < nr_lists; i++)
		free(lists[i]);
	return rc;
}
