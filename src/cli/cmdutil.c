// What every command shares: failures as the output contract wants them
// (cmd.h), option parsing, and address arguments.
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vmtool: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

// "vmtool: CMD: context: message" (the parts that exist).
static void print_failure(struct cmd_ctx *ctx, const char *context,
			  const char *message)
{
	fprintf(stderr, "vmtool: ");
	if (ctx->cmd)
		fprintf(stderr, "%s: ", ctx->cmd->name);
	if (context && context[0])
		fprintf(stderr, "%s: ", context);
	fprintf(stderr, "%s\n", message);
}

static int fail(struct cmd_ctx *ctx, const struct vmt_error *err,
		const char *context)
{
	int rc = error_exit_code(err);

	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_error(&j, err, rc, context[0] ? context : NULL);
		json_finish(&j);
		ctx->failed = true;
	}
	print_failure(ctx, context, err->message ? err->message : "");
	return rc;
}

int cmd_fail(struct cmd_ctx *ctx, const struct vmt_error *err,
	     const char *fmt, ...)
{
	char context[512] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(context, sizeof(context), fmt, ap);
		va_end(ap);
	}
	return fail(ctx, err, context);
}

int cmd_fail_code(struct cmd_ctx *ctx, enum vmt_error_code code,
		  const char *fmt, ...)
{
	char message[512];
	struct vmt_error err = { .code = code, .message = message };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return fail(ctx, &err, "");
}

static int entry_error(struct cmd_ctx *ctx, struct json *j,
		       const struct vmt_error *err, const char *context)
{
	int rc = error_exit_code(err);

	if (ctx->json)
		json_error(j, err, rc, context[0] ? context : NULL);
	else
		print_failure(ctx, context, err->message ? err->message : "");
	return rc;
}

int cmd_entry_error(struct cmd_ctx *ctx, struct json *j,
		    const struct vmt_error *err, const char *fmt, ...)
{
	char context[512] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(context, sizeof(context), fmt, ap);
		va_end(ap);
	}
	return entry_error(ctx, j, err, context);
}

int cmd_entry_fail(struct cmd_ctx *ctx, struct json *j,
		   enum vmt_error_code code, const char *fmt, ...)
{
	char message[512];
	struct vmt_error err = { .code = code, .message = message };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return entry_error(ctx, j, &err, "");
}

int cmd_usage(struct cmd_ctx *ctx, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_usage_error(&j, message);
		json_finish(&j);
		ctx->failed = true;
	}
	print_failure(ctx, NULL, message);
	if (ctx->cmd)
		fprintf(stderr, "usage: %s\n", ctx->cmd->usage);
	return EXIT_USAGE;
}

int cmd_getopt(struct cmd_ctx *ctx, int argc, char **argv,
	       const char *shortopts, const struct option *longopts)
{
	static const struct option none[] = { { 0 } };
	char spec[64];
	int opt;

	// ':' first: a missing argument is ':' and getopt prints nothing.
	snprintf(spec, sizeof(spec), ":%s", shortopts);
	opterr = 0;
	opt = getopt_long(argc, argv, spec, longopts ? longopts : none, NULL);
	if (opt == '?') {
		if (optopt)
			cmd_usage(ctx, "unknown option '-%c'", optopt);
		else
			cmd_usage(ctx, "unknown option '%s'", argv[optind - 1]);
		return CMD_BAD_OPTION;
	}
	if (opt == ':') {
		if (optopt && optopt < 256)
			cmd_usage(ctx, "option '-%c' needs an argument", optopt);
		else
			cmd_usage(ctx, "option '%s' needs an argument",
				  argv[optind - 1]);
		return CMD_BAD_OPTION;
	}
	return opt;
}

int take_json_option(struct cmd_ctx *ctx, int argc, char **argv)
{
	int out = 0;

	for (int i = 0; i < argc; i++) {
		if (i > 0 && !strcmp(argv[i], "--json"))
			ctx->json = true;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

bool parse_number(const char *text, uint64_t *ret)
{
	char *end;

	if (!*text || !isdigit((unsigned char)*text))
		return false;
	errno = 0;
	*ret = strtoull(text, &end, 0);
	return !errno && !*end;
}

bool parse_hex(const char *text, uint64_t *ret)
{
	char *end;

	if (!strncmp(text, "0x", 2) || !strncmp(text, "0X", 2))
		text += 2;
	if (!*text || !isxdigit((unsigned char)*text))
		return false;
	errno = 0;
	*ret = strtoull(text, &end, 16);
	return !errno && !*end;
}

bool parse_pid(const char *text, int *ret)
{
	uint64_t v;
	char *end;

	if (!isdigit((unsigned char)*text))
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v > 0x7fffffff)
		return false;
	*ret = (int)v;
	return true;
}

static bool symbol_char(char c, bool first)
{
	// Kernel symbols: C identifiers, and '.' (foo.cold, __func__.12), '$'.
	return isalpha((unsigned char)c) || c == '_' || c == '.' || c == '$' ||
	       (!first && isdigit((unsigned char)c));
}

// Split SYMBOL[+-OFF]: the name's length, and the offset part (or NULL).
static bool split_symbol(const char *text, size_t *name_len, const char **sign)
{
	size_t n = 0;

	while (text[n] && symbol_char(text[n], n == 0))
		n++;
	if (!n || (text[n] && text[n] != '+' && text[n] != '-'))
		return false;
	*name_len = n;
	*sign = text[n] ? &text[n] : NULL;
	return true;
}

bool address_syntax_ok(const char *text)
{
	const char *sign;
	size_t len;
	uint64_t v;

	if (parse_hex(text, &v))
		return true;
	if (isdigit((unsigned char)*text))
		return false;
	if (!split_symbol(text, &len, &sign))
		return false;
	return !sign || parse_number(sign + 1, &v);
}

struct vmt_error *resolve_address(struct cmd_ctx *ctx, const char *text,
				  uint64_t *ret)
{
	struct vmt_symbol sym;
	struct vmt_error *err;
	const char *sign;
	char name[256];
	uint64_t off = 0;
	size_t len;

	if (!address_syntax_ok(text))
		return cli_error(VMT_ERROR_INVALID_ARGUMENT,
				 "'%s' is not an address (hex, or SYMBOL[+OFF])",
				 text);
	// Hex that is not also a symbol's name ("add" is both).
	if (parse_hex(text, ret)) {
		bool is_name = !strchr(text, 'x') && !strchr(text, 'X') &&
			       !isdigit((unsigned char)*text);

		if (!is_name)
			return NULL;
		err = vmt_program_symbol_by_name(ctx->prog, text, &sym);
		if (err) {
			vmt_error_destroy(err);
			return NULL;
		}
		*ret = sym.address;
		return NULL;
	}
	split_symbol(text, &len, &sign);
	if (sign)
		parse_number(sign + 1, &off);
	if (len >= sizeof(name))
		return cli_error(VMT_ERROR_NOT_FOUND,
				 "symbol %.40s... not found", text);
	memcpy(name, text, len);
	name[len] = '\0';
	err = vmt_program_symbol_by_name(ctx->prog, name, &sym);
	if (err)
		return err;
	*ret = sign && *sign == '-' ? sym.address - off : sym.address + off;
	return NULL;
}

bool parse_address(struct cmd_ctx *ctx, const char *text, uint64_t *ret,
		   int *exit_ret)
{
	struct vmt_error *err = resolve_address(ctx, text, ret);

	if (!err)
		return true;
	if (err->code == VMT_ERROR_INVALID_ARGUMENT)
		*exit_ret = cmd_usage(ctx, "%s", err->message);
	else
		*exit_ret = cmd_fail(ctx, err, NULL);
	vmt_error_destroy(err);
	return false;
}

