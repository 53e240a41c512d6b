// Batches: -c 'CMD; CMD', -f FILE, and standard input when no session
// runs. With --json, JSON Lines: one envelope per command, each written
// as soon as its command ends. The batch exits with the highest code.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

// {"schema", "command", "ok", "exit", "result" | "error"} on one line.
static void write_envelope(const char *command, int rc,
			   const struct captured *cap)
{
	static const char prefix[] = "{\"error\":";
	const char *text = cap->text ? cap->text : "null";
	size_t len = cap->text ? cap->len : 4;
	struct json j;

	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		len--;
	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "schema");
	json_string(&j, VMTOOL_SCHEMA);
	json_key(&j, "command");
	json_string(&j, command);
	json_key(&j, "ok");
	json_bool(&j, rc == EXIT_OK);
	json_key(&j, "exit");
	json_int(&j, rc);
	// An error document is {"error":{...}} as json_error() writes it:
	// the envelope carries the inner object.
	if (cap->failed && len > sizeof(prefix) &&
	    !strncmp(text, prefix, sizeof(prefix) - 1) &&
	    text[len - 1] == '}') {
		json_key(&j, "error");
		json_raw(&j, text + sizeof(prefix) - 1,
			 len - (sizeof(prefix) - 1) - 1);
	} else {
		json_key(&j, "result");
		json_raw(&j, text, len);
	}
	json_end_object(&j);
	json_finish(&j);
	fflush(stdout);
}

// Whether the command @p line starts with q, quit or exit.
static bool quits(const char *line)
{
	char *copy = strdup(line), *argv[3];
	bool too_many, quit;

	if (!copy)
		return false;
	quit = split_words(copy, argv, 3, &too_many) > 0 &&
	       is_quit_word(argv[0]);
	free(copy);
	return quit;
}

static int run_json(struct cmd_ctx *ctx, const char *line)
{
	struct captured cap;
	int rc = run_command_captured(ctx, line, &cap);

	write_envelope(line, rc, &cap);
	free(cap.text);
	return rc;
}

static int run_text(struct cmd_ctx *ctx, char *line, bool separator)
{
	char *argv[MAX_WORDS];
	bool too_many;
	int argc;

	if (separator)
		printf("--- %s\n", line);
	fflush(stdout);
	argc = split_words(line, argv, MAX_WORDS, &too_many);
	if (too_many)
		return usage_error(NULL, "too many words in the command");
	return run_command(ctx, argc, argv);
}

int run_batch_text(struct cmd_ctx *ctx, char *text)
{
	char **cmds = NULL, *cmd;
	size_t n = 0, cap = 0;
	int worst = EXIT_OK;

	while ((cmd = next_command(&text))) {
		if (is_blank_command(cmd))
			continue;
		if (quits(cmd))
			break;
		if (n == cap) {
			char **more = realloc(cmds, (cap ? 2 * cap : 16) *
							    sizeof(*cmds));

			if (!more) {
				free(cmds);
				fprintf(stderr, "vmtool: out of memory\n");
				return EXIT_BAD_DUMP;
			}
			cmds = more;
			cap = cap ? 2 * cap : 16;
		}
		cmds[n++] = cmd;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = ctx->json ? run_json(ctx, cmds[i]) :
				     run_text(ctx, cmds[i], n > 1);

		if (rc > worst)
			worst = rc;
	}
	free(cmds);
	return worst;
}

char *read_whole_file(const char *path, int *exit_ret)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;
	char buf[65536];
	size_t n;

	if (!f) {
		*exit_ret = usage_error(NULL, "%s: %s", path, strerror(errno));
		return NULL;
	}
	mem = open_memstream(&text, &len);
	if (!mem) {
		if (f != stdin)
			fclose(f);
		*exit_ret = usage_error(NULL, "out of memory");
		return NULL;
	}
	// A short count is the end (or an error): on a terminal another
	// read would wait for a second ^D.
	do {
		n = fread(buf, 1, sizeof(buf), f);
		fwrite(buf, 1, n, mem);
	} while (n == sizeof(buf));
	if (ferror(f)) {
		*exit_ret = usage_error(NULL, "%s: %s", path, strerror(errno));
		fclose(mem);
		free(text);
		text = NULL;
	} else {
		fclose(mem);
	}
	if (f != stdin)
		fclose(f);
	return text;
}

int run_batch_stdin(struct cmd_ctx *ctx)
{
	int worst = EXIT_OK, rc = EXIT_OK;
	char *line = NULL, *text;
	size_t cap = 0;

	if (!ctx->json) {
		// Text: separators need the number of commands first.
		text = read_whole_file("-", &rc);
		if (!text)
			return rc;
		rc = run_batch_text(ctx, text);
		free(text);
		return rc;
	}
	// JSON Lines: each envelope as its command ends (a pipeline may talk
	// to vmtool one command at a time).
	while (getline(&line, &cap, stdin) > 0) {
		char *rest = line, *cmd;
		bool stop = false;

		while ((cmd = next_command(&rest))) {
			if (is_blank_command(cmd))
				continue;
			if (quits(cmd)) {
				stop = true;
				break;
			}
			rc = run_json(ctx, cmd);
			if (rc > worst)
				worst = rc;
		}
		if (stop)
			break;
	}
	free(line);
	return worst;
}
