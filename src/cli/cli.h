// The CLI's plumbing around the commands: running one, batches (-c, -f,
// standard input), the interactive session, and help.
#ifndef VMT_CLI_CLI_H
#define VMT_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd.h"

/** The version of the JSON output contract (vmtool-json(7)). */
#define VMTOOL_SCHEMA "vmtool/1"

/** Most words a command line may have. */
#define MAX_WORDS 4096

/** What one command wrote, when captured (batch envelopes). */
struct captured {
	char *text;
	size_t len;
	/** The text is an error document ({"error": ...}), not a result. */
	bool failed;
};

/**
 * Run one command line already split into words (argv[0] is the command),
 * writing to ctx->out (stdout when NULL). With --json it guarantees one
 * JSON document even if the command wrote none. Returns its exit code.
 */
int run_command(struct cmd_ctx *ctx, int argc, char **argv);

/**
 * Run a command line (a string, one command) with its output captured
 * into @p cap (free cap->text). Returns the exit code; with --json
 * cap->text holds exactly one JSON document.
 */
int run_command_captured(struct cmd_ctx *ctx, const char *line,
			 struct captured *cap);

/**
 * Split @p line into words in place: blanks separate, single and double
 * quotes group, # starts a comment. Returns the number of words, at most
 * @p max - 1; argv[argc] is NULL. Sets *too_many when words were left out.
 */
int split_words(char *line, char **argv, int max, bool *too_many);

/**
 * The next command of @p *text (commands are separated by ';' or a
 * newline outside quotes): NUL-terminates it in place, advances *text
 * past it and returns it with surrounding blanks removed; NULL at the end.
 * The command may be empty or a comment.
 */
char *next_command(char **text);

/** Whether @p line (a command) is blank or a comment. */
bool is_blank_command(const char *line);

/** Whether @p word ends a session or a batch (q, quit, exit). */
bool is_quit_word(const char *word);

/**
 * Run the commands of @p text (-c, or the contents of -f FILE): text
 * output separated by "--- CMD" lines when there are several, JSON Lines
 * envelopes with --json. Returns the highest exit code.
 */
int run_batch_text(struct cmd_ctx *ctx, char *text);

/**
 * Run the commands of standard input when it is not an interactive
 * session: with --json one envelope per command as each is read; in text
 * mode the input is read to its end first (to know whether separators are
 * needed). Returns the highest exit code.
 */
int run_batch_stdin(struct cmd_ctx *ctx);

/** Read all of @p path ("-": standard input) into a string. */
char *read_whole_file(const char *path, int *exit_ret);

/**
 * The interactive session on a terminal: prompt, line editing, history
 * in ~/.vmtool_history, completion. Returns 0.
 */
int run_session(struct cmd_ctx *ctx);

/** Whether the session can run (stdin and stdout are terminals). */
bool session_possible(void);

/**
 * Help for @p cmd (its usage, summary and details), text or JSON like
 * `help CMD`. Returns EXIT_OK.
 */
int print_command_help(struct cmd_ctx *ctx, const struct command *cmd);

#endif
