// Running one command line: words, --json and --help among them, the
// command's own run, and the guarantee of one JSON document.
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool is_quit_word(const char *word)
{
	return !strcmp(word, "q") || !strcmp(word, "quit") ||
	       !strcmp(word, "exit");
}

int split_words(char *line, char **argv, int max, bool *too_many)
{
	int argc = 0;
	char *p = line;

	*too_many = false;
	for (;;) {
		char *out;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (argc >= max - 1) {
			*too_many = true;
			break;
		}
		argv[argc++] = out = p;
		while (*p && !isspace((unsigned char)*p)) {
			if (*p == '\'' || *p == '"') {
				char q = *p++;

				while (*p && *p != q)
					*out++ = *p++;
				if (*p)
					p++;
			} else {
				*out++ = *p++;
			}
		}
		if (*p)
			p++;
		*out = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

char *next_command(char **text)
{
	char *start = *text, *p = start, *end;
	char quote = 0;

	if (!*start)
		return NULL;
	// A comment runs to the end of its line, ';' included.
	for (; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '#' &&
			   (p == start || isspace((unsigned char)p[-1]))) {
			while (*p && *p != '\n')
				p++;
			break;
		} else if (*p == ';' || *p == '\n') {
			break;
		}
	}
	*text = *p ? p + 1 : p;
	*p = '\0';
	while (isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return start;
}

bool is_blank_command(const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	return !*line || *line == '#';
}

// The command named in argv[0], run on its arguments.
static int run_words(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct command *cmd = find_command(argv[0]);

	if (!cmd) {
		ctx->cmd = NULL;
		if (ctx->json) {
			char message[300];
			struct json j;

			snprintf(message, sizeof(message),
				 "unknown command '%.200s' (try help)", argv[0]);
			json_init(&j, ctx->out);
			json_usage_error(&j, message);
			json_finish(&j);
			ctx->failed = true;
		}
		return usage_error(NULL, "unknown command '%s' (try help)",
				   argv[0]);
	}
	ctx->cmd = cmd;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help"))
			return print_command_help(ctx, cmd);
	optind = 0; // a fresh getopt scan for the command's own options
	return cmd->fn(ctx, argc, argv);
}

// Counts what a command writes on its way to @p to.
struct counter {
	FILE *to;
	size_t written;
};

static ssize_t counter_write(void *cookie, const char *buf, size_t size)
{
	struct counter *c = cookie;
	size_t n = fwrite(buf, 1, size, c->to);

	c->written += n;
	return n ? (ssize_t)n : -1;
}

// A command that wrote no JSON broke the contract; still give a document.
static void ensure_document(struct cmd_ctx *ctx, int rc, FILE *out,
			    const char *text, size_t len)
{
	static const char *const kinds[] = { "", "not_found", "usage",
					     "corrupt" };
	struct json j;

	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	if (len)
		return;
	json_init(&j, out);
	if (rc == EXIT_OK) {
		json_null(&j);
	} else {
		json_begin_object(&j);
		json_key(&j, "error");
		json_begin_object(&j);
		json_key(&j, "code");
		json_int(&j, rc);
		json_key(&j, "kind");
		json_string(&j, rc > 0 && rc < 4 ? kinds[rc] : "fault");
		json_key(&j, "message");
		json_string(&j, "the command failed without saying why");
		json_end_object(&j);
		json_end_object(&j);
		ctx->failed = true;
	}
	json_finish(&j);
}

// Run with ctx->out redirected into memory; the caller frees cap->text.
static int run_into(struct cmd_ctx *ctx, int argc, char **argv,
		    struct captured *cap)
{
	FILE *saved = ctx->out, *mem;
	int rc;

	memset(cap, 0, sizeof(*cap));
	mem = open_memstream(&cap->text, &cap->len);
	if (!mem) {
		fprintf(stderr, "vmtool: out of memory\n");
		return EXIT_BAD_DUMP;
	}
	ctx->out = mem;
	ctx->failed = false;
	rc = run_words(ctx, argc, argv);
	fflush(mem);
	if (ctx->json)
		ensure_document(ctx, rc, mem, cap->text, cap->len);
	fclose(mem);
	ctx->out = saved;
	cap->failed = ctx->failed;
	return rc;
}

int run_command(struct cmd_ctx *ctx, int argc, char **argv)
{
	bool json = ctx->json;
	FILE *saved = ctx->out;
	int rc;

	if (!argc)
		return EXIT_OK;
	if (!ctx->out)
		ctx->out = stdout;
	argc = take_json_option(ctx, argc, argv);
	if (ctx->json) {
		// Streamed through a counter, so a command that wrote nothing
		// still gives a document without holding big ones in memory.
		struct counter counter = { .to = ctx->out };
		static const cookie_io_functions_t counting = {
			.write = counter_write,
		};
		FILE *counted = fopencookie(&counter, "w", counting);

		if (!counted) {
			fprintf(stderr, "vmtool: out of memory\n");
			return EXIT_BAD_DUMP;
		}
		ctx->out = counted;
		ctx->failed = false;
		rc = run_words(ctx, argc, argv);
		fclose(counted);
		ctx->out = counter.to;
		if (!counter.written)
			ensure_document(ctx, rc, ctx->out, "", 0);
	} else {
		ctx->failed = false;
		rc = run_words(ctx, argc, argv);
	}
	fflush(ctx->out);
	ctx->cmd = NULL;
	ctx->json = json;
	ctx->out = saved;
	return rc;
}

int run_command_captured(struct cmd_ctx *ctx, const char *line,
			 struct captured *cap)
{
	char *copy = strdup(line), *argv[MAX_WORDS];
	bool json = ctx->json, too_many;
	int argc, rc;

	memset(cap, 0, sizeof(*cap));
	if (!copy) {
		fprintf(stderr, "vmtool: out of memory\n");
		return EXIT_BAD_DUMP;
	}
	argc = split_words(copy, argv, MAX_WORDS, &too_many);
	argc = take_json_option(ctx, argc, argv);
	if (too_many || !argc) {
		// Nothing to run: still one document, a usage error.
		FILE *mem = open_memstream(&cap->text, &cap->len);
		const char *why = too_many ? "too many words in the command" :
					     "no command";

		rc = usage_error(NULL, "%s", why);
		if (mem) {
			struct json j;

			json_init(&j, mem);
			json_usage_error(&j, why);
			json_finish(&j);
			fclose(mem);
			cap->failed = true;
		}
	} else {
		rc = run_into(ctx, argc, argv, cap);
	}
	free(copy);
	ctx->cmd = NULL;
	ctx->json = json;
	return rc;
}
