// The CLI's commands: one cmd_*.c each, listed in main.c's table.
#ifndef VMT_CLI_CMD_H
#define VMT_CLI_CMD_H

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
 *   one entry per argument, in order, each a result or json_error();
 * - addresses are lower-case "0x..." strings (json_addr), every other
 *   integer a JSON number, booleans booleans, absent values null;
 * - text-mode errors and warnings go to stderr.
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

/**
 * The whole command failed because of @p err: with --json write the error
 * document {"error": {...}} to ctx->out, else print "vmtool: CMD: context:
 * message" on stderr. @p fmt (may be NULL) gives context. Returns the exit
 * code.
 */
int cmd_fail(struct cmd_ctx *ctx, const struct vmt_error *err,
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
cmd_fn cmd_kmem;
cmd_fn cmd_save;
cmd_fn cmd_mod;

/**
 * Strip a --json among @p argv (it may stand among a command's options),
 * setting ctx->json; returns the new argc.
 */
int take_json_option(struct cmd_ctx *ctx, int argc, char **argv);

/**
 * Parse an address: 0x-hex or bare hex, or SYMBOL[+OFF] / SYMBOL[-OFF]
 * (OFF hex with 0x, or decimal). Prints an error and returns false.
 */
bool parse_address(struct cmd_ctx *ctx, const char *text, uint64_t *ret,
		   int *exit_ret);

/** Parse hex, with or without 0x (crash reads addresses as hex). */
bool parse_hex(const char *text, uint64_t *ret);

/** Parse a plain number (decimal, or hex with 0x). */
bool parse_number(const char *text, uint64_t *ret);

/**
 * Print a usage error for @p cmd and return EXIT_USAGE (outside a command;
 * inside one use cmd_usage()).
 */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
