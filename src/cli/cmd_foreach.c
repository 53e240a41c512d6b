// `foreach [PID|TASK|COMM|-k|-u]... bt|vm|files|task [OPTIONS]`: run a
// command for each selected task, as crash's foreach: the command runs
// once over all of them, so --json gives one array with an entry per task
// and text gives each task's header and output in turn.
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

struct subcommand {
	const char *name;
	cmd_fn *fn;
	/** Names tasks by address (bt, task), so each idle task is its own. */
	bool by_address;
	/** Without a selection: user tasks only (kernel threads have no mm). */
	bool user_default;
	/** Its options that take an argument. */
	const char *with_argument;
};

static const struct subcommand subcommands[] = {
	{ "bt", cmd_bt, true, false, "c" },
	{ "task", cmd_task, true, false, "R" },
	{ "files", cmd_files, false, false, "" },
	{ "vm", cmd_vm, false, true, "" },
};

static const struct subcommand *find_subcommand(const char *name)
{
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]);
	     i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

struct selection {
	bool kernel, user;
	// PIDs and task addresses named, and COMMs.
	uint64_t *numbers;
	bool *number_is_address;
	char **words;
	size_t nr_numbers;
	const char **comms;
	size_t nr_comms;
};

static bool is_address_word(const char *s, uint64_t v)
{
	return !strncmp(s, "0x", 2) || !strncmp(s, "0X", 2) || v > INT32_MAX;
}

// Whether number @p i of the selection names task @p t.
static bool names(const struct selection *sel, size_t i,
		  const struct vmt_task *t)
{
	return sel->number_is_address[i] ? t->task == sel->numbers[i] :
					   (uint64_t)t->pid == sel->numbers[i];
}

static bool selected(const struct selection *sel, const struct vmt_task *t,
		     const struct subcommand *sub)
{
	bool any = sel->kernel || sel->user || sel->nr_numbers ||
		   sel->nr_comms;

	if (!any)
		return !sub->user_default || !t->kthread;
	if ((sel->kernel && t->kthread) || (sel->user && !t->kthread))
		return true;
	for (size_t i = 0; i < sel->nr_numbers; i++)
		if (names(sel, i, t))
			return true;
	for (size_t i = 0; i < sel->nr_comms; i++)
		if (!strcmp(t->comm, sel->comms[i]))
			return true;
	return false;
}

int cmd_foreach(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct subcommand *sub = NULL;
	struct selection sel = { 0 };
	const struct vmt_task *tasks;
	char **sub_argv = NULL, (*words)[24] = NULL;
	int sub_argc = 0, rc;
	struct vmt_error *err;
	size_t n;

	sel.numbers = calloc((size_t)argc, sizeof(*sel.numbers));
	sel.number_is_address = calloc((size_t)argc,
				       sizeof(*sel.number_is_address));
	sel.words = calloc((size_t)argc, sizeof(*sel.words));
	sel.comms = calloc((size_t)argc, sizeof(*sel.comms));
	if (!sel.numbers || !sel.number_is_address || !sel.words ||
	    !sel.comms) {
		rc = cmd_fail(ctx, &vmt_enomem, NULL);
		goto out;
	}
	err = vmt_program_tasks(ctx->prog, &tasks, &n);
	if (err) {
		rc = cmd_fail(ctx, err, "tasks");
		vmt_error_destroy(err);
		goto out;
	}
	// The command's name, its options and the task arguments; at most
	// every word and every task.
	sub_argv = calloc((size_t)argc + n + 1, sizeof(*sub_argv));
	words = calloc(n ? n : 1, sizeof(*words));
	if (!sub_argv || !words) {
		rc = cmd_fail(ctx, &vmt_enomem, NULL);
		goto out;
	}
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		uint64_t v;

		if (!sub && find_subcommand(w)) {
			sub = find_subcommand(w);
			sub_argv[sub_argc++] = argv[i];
		} else if (!strcmp(w, "-k") || !strcmp(w, "kernel")) {
			sel.kernel = true;
		} else if (!strcmp(w, "-u") || !strcmp(w, "user")) {
			sel.user = true;
		} else if (parse_number(w, &v)) {
			sel.number_is_address[sel.nr_numbers] =
				is_address_word(w, v);
			sel.words[sel.nr_numbers] = argv[i];
			sel.numbers[sel.nr_numbers++] = v;
		} else if (w[0] == '-' && sub) {
			// The command's own option, with its argument.
			sub_argv[sub_argc++] = argv[i];
			if (w[1] && !w[2] && strchr(sub->with_argument, w[1]) &&
			    i + 1 < argc)
				sub_argv[sub_argc++] = argv[++i];
		} else if (w[0] != '-' && !sub) {
			sel.comms[sel.nr_comms++] = w;
		} else {
			rc = cmd_usage(ctx, "'%s': not a PID, task address, command name, -k or -u",
				       w);
			goto out;
		}
	}
	if (!sub) {
		rc = cmd_usage(ctx, "which command? bt, vm, files or task");
		goto out;
	}
	for (size_t i = 0; i < sel.nr_comms; i++) {
		bool found = false;

		for (size_t k = 0; k < n && !found; k++)
			found = !strcmp(tasks[k].comm, sel.comms[i]);
		if (!found) {
			struct vmt_error missing = {
				.code = VMT_ERROR_NOT_FOUND,
				.message = (char *)"no task has that name",
			};

			rc = cmd_fail(ctx, &missing, "%s", sel.comms[i]);
			goto out;
		}
	}
	{
		int first_task = sub_argc;
		size_t w = 0;

		for (size_t k = 0; k < n; k++) {
			bool dup = false;

			if (!selected(&sel, &tasks[k], sub))
				continue;
			// Commands that take PIDs see each PID once (the idle
			// tasks of all CPUs are pid 0).
			for (int a = first_task;
			     !sub->by_address && a < sub_argc; a++)
				dup = dup || strtol(sub_argv[a], NULL, 10) ==
						     tasks[k].pid;
			if (dup)
				continue;
			if (sub->by_address)
				snprintf(words[w], sizeof(words[w]),
					 "%#" PRIx64, tasks[k].task);
			else
				snprintf(words[w], sizeof(words[w]), "%d",
					 tasks[k].pid);
			sub_argv[sub_argc++] = words[w++];
		}
		// A PID or address that no task has still goes to the
		// command, whose entry for it says so.
		for (size_t i = 0; i < sel.nr_numbers; i++) {
			bool found = false;

			for (size_t k = 0; k < n && !found; k++)
				found = names(&sel, i, &tasks[k]);
			if (!found)
				sub_argv[sub_argc++] = sel.words[i];
		}
		if (sub_argc == first_task) {
			// Nothing selected: an empty result.
			if (ctx->json)
				fputs("[]\n", ctx->out);
			rc = EXIT_OK;
			goto out;
		}
	}
	sub_argv[sub_argc] = NULL;
	optind = 0;
	rc = sub->fn(ctx, sub_argc, sub_argv);
out:
	free(sel.numbers);
	free(sel.number_is_address);
	free(sel.words);
	free(sel.comms);
	free(sub_argv);
	free(words);
	return rc;
}
