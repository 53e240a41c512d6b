// The CLI's commands: one cmd_*.c each, listed in main.c's table.
#ifndef VMT_CLI_CMD_H
#define VMT_CLI_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "output.h"

struct command;

/*
 * The output contract every command keeps (see vmtool-json(7)):
 * - a command writes its result to ctx->out, never to stdout directly, so
 *   a batch run can wrap it in an envelope;
 * - with --json that result is exactly one JSON document, also on failure:
 *   a failure of the whole command is cmd_fail()/cmd_usage(), which write
 *   {"error": {...}}; a command over several arguments writes an array with
 *   one entry per argument, in order, each a result or json_error()
 *   (cmd_entry_error()); the shape never depends on how many arguments
 *   were given;
 * - addresses are lower-case "0x..." strings (json_addr), every other
 *   integer a JSON number, booleans booleans, absent values null;
 * - options may stand anywhere among the arguments (cmd_getopt()); an
 *   unknown one is a usage error, never taken for an argument;
 * - text-mode errors and warnings go to stderr;
 * - the result's shape is described by schema/<command>.schema.json.
 */
struct cmd_ctx {
	struct vmt_program *prog;
	/** Write JSON instead of text. */
	bool json;
	/** Dump file names, for messages. */
	const char *dump_name;
	/** Where the command writes its result. */
	FILE *out;
	/** The command running (for its usage line). */
	const struct command *cmd;
	/**
	 * Set by cmd_fail()/cmd_usage(): what the command wrote is an error
	 * document, not a result (a batch puts it in the envelope's "error").
	 */
	bool failed;
	/**
	 * The task `set` chose (crash's context), as its task_struct address
	 * (idle tasks share pid 0); 0 when none. bt, task, files and vm use
	 * it when given no task. It lasts as long as the batch or session.
	 */
	uint64_t context_task;
};

/** A command: returns an exit code (output.h). argv[0] is its name. */
typedef int cmd_fn(struct cmd_ctx *ctx, int argc, char **argv);

/** One entry of the command table (main.c). */
struct command {
	const char *name;
	cmd_fn *fn;
	/** "sym NAME... | ADDR...": printed by CMD --help and usage errors. */
	const char *usage;
	/** One line for `help`. */
	const char *summary;
};

/** The command named @p name in main.c's table, or NULL. */
const struct command *find_command(const char *name);

/** main.c's command table; @p nr_ret gets its length. */
const struct command *command_table(size_t *nr_ret);

/**
 * The whole command failed because of @p err: with --json write the error
 * document {"error": {...}} to ctx->out, else print "vmtool: CMD: context:
 * message" on stderr. @p fmt (may be NULL) gives context. Returns the exit
 * code.
 */
int cmd_fail(struct cmd_ctx *ctx, const struct vmt_error *err,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * cmd_fail() for a failure the CLI finds itself (no such task, no
 * VMCOREINFO): an error of @p code with the message @p fmt.
 */
int cmd_fail_code(struct cmd_ctx *ctx, enum vmt_error_code code,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * A usage error of the running command: the message and the command's
 * usage on stderr, and with --json the error document (kind "usage").
 * Returns EXIT_USAGE.
 */
int cmd_usage(struct cmd_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * One argument of a multi-argument command failed: with --json write an
 * error entry ({"error": {...}}) into the open array @p j, else print the
 * message on stderr. Returns the exit code for @p err.
 */
int cmd_entry_error(struct cmd_ctx *ctx, struct json *j,
		    const struct vmt_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** cmd_entry_error() for a failure the CLI finds itself. */
int cmd_entry_fail(struct cmd_ctx *ctx, struct json *j,
		   enum vmt_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/** What cmd_getopt() returns after it reported a bad option. */
#define CMD_BAD_OPTION (-2)

/**
 * getopt_long() over a command's arguments: options may stand anywhere
 * (the arguments are permuted so operands end up from optind on). An
 * unknown option or a missing option argument is reported with
 * cmd_usage() and gives CMD_BAD_OPTION; the caller returns EXIT_USAGE.
 * @p shortopts has no leading '+' or ':'.
 */
int cmd_getopt(struct cmd_ctx *ctx, int argc, char **argv,
	       const char *shortopts, const struct option *longopts);

// One line a command, so that additions merge.
cmd_fn cmd_info, cmd_vmcoreinfo, cmd_rd, cmd_vtop, cmd_ptov, cmd_explain;
cmd_fn cmd_sym, cmd_struct, cmd_whatis;
cmd_fn cmd_ps;
cmd_fn cmd_vm;
cmd_fn cmd_files;
cmd_fn cmd_mount;
cmd_fn cmd_list;
cmd_fn cmd_log;
cmd_fn cmd_sys;
cmd_fn cmd_bt;
cmd_fn cmd_runq;
cmd_fn cmd_p;
cmd_fn cmd_task;
cmd_fn cmd_foreach;
cmd_fn cmd_set;

/**
 * `whatis NAME` of a variable with a known type: print its declaration
 * (cmd_p.c). -1 when no source gives its type.
 */
int whatis_variable(struct cmd_ctx *ctx, const char *name);

/**
 * The task of crash's current context (cmd_task.c): the one on the CPU
 * that panicked, else on CPU 0.
 */
struct vmt_error *task_default(struct cmd_ctx *ctx,
			       const struct vmt_task **ret);

/**
 * The task @p arg names: a PID, or a task_struct address (0x hex, or a
 * number beyond any PID). Returns EXIT_OK, or reports the failure (an
 * entry of the open array @p j with --json; the command's failure when
 * @p j is NULL) and returns its exit code.
 */
int task_lookup(struct cmd_ctx *ctx, struct json *j, const char *arg,
		const struct vmt_task **ret);

/** "PID: 1      TASK: ...  CPU: 0   COMMAND: "init"" as crash prints it. */
void task_header(FILE *out, const struct vmt_task *t);

/** The task `set` chose (cmd_set.c), NULL when none (or gone). */
const struct vmt_task *context_task(struct cmd_ctx *ctx);

/** Room for the operands use_context_task() makes up. */
struct context_args {
	char *argv[3];
	char word[24];
};

/**
 * A command given no task operand (optind == *argc) gets the task `set`
 * chose, if any, as its one operand: *argv becomes @p buf->argv
 * ({argv[0], WORD, NULL}, optind 1), WORD its PID or, @p by_address,
 * its task_struct address. Returns whether it did.
 */
bool use_context_task(struct cmd_ctx *ctx, int *argc, char ***argv,
		      struct context_args *buf, bool by_address);
cmd_fn cmd_kmem;
cmd_fn cmd_save;
cmd_fn cmd_mod;
cmd_fn cmd_help;

/**
 * Strip a --json among @p argv (it may stand among a command's options),
 * setting ctx->json; returns the new argc.
 */
int take_json_option(struct cmd_ctx *ctx, int argc, char **argv);

/**
 * Whether @p text is written as an address: hex (with or without 0x), or
 * SYMBOL, SYMBOL+OFF, SYMBOL-OFF (OFF decimal, or hex with 0x). A word
 * that starts with a digit must be hex.
 */
bool address_syntax_ok(const char *text);

/**
 * Resolve an address argument (see address_syntax_ok()). A bare word of
 * hex digits names a symbol when one has that name, else it is hex (crash
 * reads addresses as hex). Errors: VMT_ERROR_INVALID_ARGUMENT for a
 * malformed address, VMT_ERROR_NOT_FOUND for an unknown symbol.
 */
struct vmt_error *resolve_address(struct cmd_ctx *ctx, const char *text,
				  uint64_t *ret);

/**
 * Parse a command's single address argument with resolve_address(). On
 * failure the command's failure has been reported (cmd_usage() for a
 * malformed address, cmd_fail() for an unknown symbol), *exit_ret is set
 * and false is returned: the command returns *exit_ret.
 */
bool parse_address(struct cmd_ctx *ctx, const char *text, uint64_t *ret,
		   int *exit_ret);

/** Parse hex, with or without 0x (crash reads addresses as hex). */
bool parse_hex(const char *text, uint64_t *ret);

/** Parse a plain number (decimal, or hex with 0x). */
bool parse_number(const char *text, uint64_t *ret);

/** Parse a PID (a decimal number that fits an int). */
bool parse_pid(const char *text, int *ret);

/**
 * Print a usage error for @p cmd and return EXIT_USAGE (outside a command;
 * inside one use cmd_usage()).
 */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
