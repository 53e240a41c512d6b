// The CLI's commands: one cmd_*.c each, listed in main.c's table.
#ifndef VMT_CLI_CMD_H
#define VMT_CLI_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "output.h"

struct cmd_ctx {
	struct vmt_program *prog;
	/** Write JSON instead of text. */
	bool json;
	/** Dump file names, for messages. */
	const char *dump_name;
};

/** A command: returns an exit code (output.h). argv[0] is its name. */
typedef int cmd_fn(struct cmd_ctx *ctx, int argc, char **argv);

cmd_fn cmd_info, cmd_vmcoreinfo, cmd_rd, cmd_vtop, cmd_ptov, cmd_explain,
	cmd_sym, cmd_struct, cmd_whatis, cmd_ps, cmd_vm;

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

/** Print a usage error for @p cmd and return EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
