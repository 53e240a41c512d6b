// The interactive session on a terminal, with libedit: a prompt, line
// editing, history in ~/.vmtool_history, and completion of commands,
// symbols and PIDs.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#include <editline/readline.h>

bool session_possible(void)
{
	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
}

#define HISTORY_FILE ".vmtool_history"
#define HISTORY_SIZE 2000

// The program completion asks about (one session per process).
static struct vmt_program *session_prog;

// Candidates of the completion in progress, sorted and unique.
struct candidates {
	char **names;
	size_t nr, cap;
	size_t next; // the generator's position
};

static struct candidates cands;

static void cands_clear(void)
{
	for (size_t i = 0; i < cands.nr; i++)
		free(cands.names[i]);
	free(cands.names);
	memset(&cands, 0, sizeof(cands));
}

static bool cands_add(const char *name, void *arg)
{
	(void)arg;
	if (cands.nr == cands.cap) {
		size_t cap = cands.cap ? 2 * cands.cap : 64;
		char **names = realloc(cands.names, cap * sizeof(*names));

		if (!names)
			return false;
		cands.names = names;
		cands.cap = cap;
	}
	cands.names[cands.nr] = strdup(name);
	if (cands.names[cands.nr])
		cands.nr++;
	// A prefix of one letter can match most symbols: stop somewhere.
	return cands.nr < 20000;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void cands_sort_unique(void)
{
	size_t out = 0;

	if (!cands.nr)
		return;
	qsort(cands.names, cands.nr, sizeof(*cands.names), compare_names);
	for (size_t i = 0; i < cands.nr; i++) {
		if (out && !strcmp(cands.names[out - 1], cands.names[i]))
			free(cands.names[i]);
		else
			cands.names[out++] = cands.names[i];
	}
	cands.nr = out;
}

static void add_commands(const char *prefix)
{
	static const char *const session_words[] = { "quit", "exit" };
	size_t n, len = strlen(prefix);
	const struct command *table = command_table(&n);

	for (size_t i = 0; i < n; i++)
		if (!strncmp(table[i].name, prefix, len))
			cands_add(table[i].name, NULL);
	for (size_t i = 0; i < 2; i++)
		if (!strncmp(session_words[i], prefix, len))
			cands_add(session_words[i], NULL);
}

static void add_pids(const char *prefix)
{
	const struct vmt_task *tasks;
	struct vmt_error *err;
	size_t n, len = strlen(prefix);

	err = vmt_program_tasks(session_prog, &tasks, &n);
	if (err) {
		vmt_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", tasks[i].pid);
		if (!strncmp(pid, prefix, len))
			cands_add(pid, NULL);
	}
}

// What the words of a command take, read from its usage line: "PID" for
// tasks, "ADDR", "NAME" or "SYMBOL" for symbols (new commands need
// nothing more than an honest usage line).
static void add_arguments(const struct command *cmd, const char *prev,
			  const char *prefix)
{
	bool pids = strstr(cmd->usage, "PID") != NULL;
	bool syms = strstr(cmd->usage, "ADDR") || strstr(cmd->usage, "NAME") ||
		    strstr(cmd->usage, "SYMBOL");

	if (prefix[0] == '-')
		return;
	if (prev && !strcmp(prev, "-u")) {
		add_pids(prefix);
		return;
	}
	if (pids && (!syms || (prefix[0] >= '0' && prefix[0] <= '9')))
		add_pids(prefix);
	// Symbols need a first letter: the whole table is too long to show.
	if (syms && prefix[0] && !(prefix[0] >= '0' && prefix[0] <= '9'))
		vmt_program_symbol_names(session_prog, prefix, cands_add, NULL);
}

static char *generate(const char *text, int state)
{
	(void)text;
	if (!state)
		cands.next = 0;
	if (cands.next >= cands.nr)
		return NULL;
	return strdup(cands.names[cands.next++]);
}

static char **complete(const char *text, int start, int end)
{
	char *before = strndup(rl_line_buffer, (size_t)start);
	char *argv[MAX_WORDS], *p, *cmd_start;
	bool too_many;
	int argc;

	(void)end;
	rl_attempted_completion_over = 1; // never file names
	cands_clear();
	if (!before)
		return NULL;
	// Only the command the cursor is in counts (after the last ';').
	cmd_start = before;
	for (p = before; *p; p++)
		if (*p == ';')
			cmd_start = p + 1;
	argc = split_words(cmd_start, argv, MAX_WORDS, &too_many);
	if (!argc) {
		add_commands(text);
	} else if (!strcmp(argv[0], "help")) {
		add_commands(text);
	} else {
		const struct command *cmd = find_command(argv[0]);

		if (cmd)
			add_arguments(cmd, argv[argc - 1], text);
	}
	free(before);
	cands_sort_unique();
	if (!cands.nr)
		return NULL;
	return rl_completion_matches(text, generate);
}

static char *history_path(void)
{
	const char *home = getenv("HOME");
	char *path;

	if (!home || !*home)
		return NULL;
	if (asprintf(&path, "%s/%s", home, HISTORY_FILE) < 0)
		return NULL;
	return path;
}

static int run_line(struct cmd_ctx *ctx, char *line, bool *quit)
{
	char *rest = line, *cmd;

	while ((cmd = next_command(&rest))) {
		char *argv[MAX_WORDS];
		bool too_many;
		int argc;

		if (is_blank_command(cmd))
			continue;
		argc = split_words(cmd, argv, MAX_WORDS, &too_many);
		if (too_many) {
			usage_error(NULL, "too many words in the command");
			continue;
		}
		if (is_quit_word(argv[0])) {
			*quit = true;
			return EXIT_OK;
		}
		run_command(ctx, argc, argv);
	}
	return EXIT_OK;
}

int run_session(struct cmd_ctx *ctx)
{
	char *history = history_path();
	bool quit = false;
	char *line;

	session_prog = ctx->prog;
	rl_readline_name = "vmtool";
	rl_attempted_completion_function = complete;
	using_history();
	stifle_history(HISTORY_SIZE);
	if (history)
		read_history(history);
	printf("vmtool %s on %s: type help for commands, quit to leave.\n",
	       vmt_version(), ctx->dump_name);
	while (!quit && (line = readline("vmtool> "))) {
		char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			add_history(p);
		run_line(ctx, p, &quit);
		free(line);
	}
	if (!quit)
		putchar('\n'); // after ^D, leave the shell's prompt on its line
	if (history)
		write_history(history);
	free(history);
	cands_clear();
	return EXIT_OK;
}

