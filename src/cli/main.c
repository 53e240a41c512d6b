// vmtool [OPTIONS] DUMP... [COMMAND [ARGS...]]: option parsing, the command
// table and batch mode. Commands live in cmd_*.c.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static const struct command commands[] = {
	{ "info", cmd_info, "info", "dump format, kernel and layout inputs" },
	{ "vmcoreinfo", cmd_vmcoreinfo, "vmcoreinfo", "the raw VMCOREINFO text" },
	{ "rd", cmd_rd, "rd [-p|-u PID] [-8|-16|-32|-64] ADDR [COUNT] [--raw]",
	  "read memory" },
	{ "vtop", cmd_vtop, "vtop [-k|-u PID] ADDR...", "translate addresses" },
	{ "ptov", cmd_ptov, "ptov PADDR...", "linear-map address of PADDR..." },
	{ "explain", cmd_explain, "explain",
	  "the arm64 layout and where each value came from" },
	{ "sym", cmd_sym, "sym NAME... | ADDR...", "symbols by name or address" },
	{ "struct", cmd_struct, "struct NAME [ADDR]",
	  "a struct layout, or its values at ADDR" },
	{ "union", cmd_struct, "union NAME [ADDR]",
	  "a union layout, or its values at ADDR" },
	{ "whatis", cmd_whatis, "whatis NAME", "a type or a symbol" },
	{ "ps", cmd_ps, "ps [PID|COMM]...", "tasks" },
	{ "vm", cmd_vm, "vm [--maps] PID... | vm --all", "memory maps" },
	{ "files", cmd_files, "files PID...", "a task's open files" },
	{ "mount", cmd_mount, "mount [PID]",
	  "the mounts of a task's namespace (pid 1 by default)" },
	{ "list", cmd_list, "list [-o OFFSET|TYPE.member] [-H] ADDR",
	  "walk a linked list from ADDR (-H: ADDR is a list head)" },
	{ "log", cmd_log, "log [-t|-T] [-m] [-c] [-d]",
	  "the kernel log, as dmesg prints it" },
	{ "sys", cmd_sys, "sys",
	  "kernel, CPUs, memory, uptime, load, tasks and the panic" },
	{ "bt", cmd_bt, "bt [-a] [-c CPU] [-t] [-f] [-l] [PID|TASK]...",
	  "kernel stack traces (default: the task on every CPU)" },
	{ "save", cmd_save,
	  "save [-d LEVEL] [-c|-l|-p|-z] [-E] [-F] [-f] [--split N] [--num-threads N] OUTPUT... | save --mem-usage [-d LEVEL]",
	  "write the dump filtered and compressed, as makedumpfile does" },
	{ "mod", cmd_mod, "mod [NAME...]", "loaded modules" },
	{ "kmem", cmd_kmem, "kmem ADDR... | -i | -p [PADDR...] | -s [NAME...]",
	  "what addresses are; memory use; struct pages; slab caches" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmtool [OPTIONS] DUMP [DUMP...] [COMMAND [ARGS...]]\n"
		"\n"
		"Analyze an arm64 Linux crash dump (ELF vmcore, kdump-compressed,\n"
		"flattened, or the parts of a split set given together). Without\n"
		"COMMAND, commands are read from standard input, one per line.\n"
		"\n"
		"Options:\n"
		"  --json                 JSON output (also allowed among a command's options)\n"
		"  -k, --vmlinux FILE     vmlinux with symbols and DWARF\n"
		"  --force                use a vmlinux that does not match the dump\n"
		"  --vmcoreinfo FILE      VMCOREINFO text that supplies or overrides the dump's\n"
		"  --set KEY=VALUE        override a layout input (VA_BITS, PHYS_OFFSET, ...)\n"
		"  --sym-source SRC       only use one source: dwarf, kallsyms, btf, vmcoreinfo\n"
		"  -q, --quiet            do not print warnings (derived values, malformed input)\n"
		"  -h, --help             this help\n"
		"  -V, --version          version and built-in compressors\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\n"
		"Exit status: 0 success; 1 something asked for was not found or not\n"
		"readable; 2 usage error; 3 the dump cannot be read (corrupt,\n"
		"truncated, unsupported).\n");
}

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

// "CMD: context: message" (the parts that exist).
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

int cmd_fail(struct cmd_ctx *ctx, const struct vmt_error *err,
	     const char *fmt, ...)
{
	int rc = error_exit_code(err);
	char context[512] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(context, sizeof(context), fmt, ap);
		va_end(ap);
	}
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_error(&j, err, rc, context[0] ? context : NULL);
		json_finish(&j);
	}
	print_failure(ctx, context, err->message ? err->message : "");
	return rc;
}

int cmd_entry_error(struct cmd_ctx *ctx, struct json *j,
		    const struct vmt_error *err, const char *fmt, ...)
{
	int rc = error_exit_code(err);
	char context[512] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(context, sizeof(context), fmt, ap);
		va_end(ap);
	}
	if (ctx->json)
		json_error(j, err, rc, context[0] ? context : NULL);
	else
		print_failure(ctx, context, err->message ? err->message : "");
	return rc;
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
	}
	print_failure(ctx, NULL, message);
	if (ctx->cmd)
		fprintf(stderr, "usage: %s\n", ctx->cmd->usage);
	return EXIT_USAGE;
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

	if (!*text || *text == '-')
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

bool parse_address(struct cmd_ctx *ctx, const char *text, uint64_t *ret,
		   int *exit_ret)
{
	struct vmt_symbol sym;
	struct vmt_error *err;
	char name[256];
	uint64_t off = 0;
	const char *sign;
	bool negative;

	// crash reads bare numbers as hex; a symbol can be named instead.
	if (parse_hex(text, ret))
		return true;
	sign = strpbrk(text, "+-");
	negative = sign && *sign == '-';
	if (sign && !parse_number(sign + 1, &off)) {
		*exit_ret = usage_error(NULL, "%s: bad offset", text);
		return false;
	}
	snprintf(name, sizeof(name), "%.*s",
		 (int)(sign ? (size_t)(sign - text) : strlen(text)), text);
	err = vmt_program_symbol_by_name(ctx->prog, name, &sym);
	if (err) {
		*exit_ret = report_error(err, NULL);
		vmt_error_destroy(err);
		return false;
	}
	*ret = negative ? sym.address - off : sym.address + off;
	return true;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int run_command(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct command *cmd = find_command(argv[0]);
	bool json = ctx->json;
	int rc;

	if (!cmd)
		return usage_error(NULL, "unknown command '%s' (see vmtool --help)",
				   argv[0]);
	argc = take_json_option(ctx, argc, argv);
	ctx->cmd = cmd;
	if (!ctx->out)
		ctx->out = stdout;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			fprintf(ctx->out, "usage: %s\n%s\n", cmd->usage,
				cmd->summary);
			ctx->cmd = NULL;
			return EXIT_OK;
		}
	}
	optind = 0; // reset getopt for the command's own options
	rc = cmd->fn(ctx, argc, argv);
	fflush(ctx->out);
	ctx->cmd = NULL;
	ctx->json = json;
	return rc;
}

// Split a batch line into words; single and double quotes group.
static int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	while (*p && argc < max - 1) {
		char *out;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
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

static int run_batch(struct cmd_ctx *ctx)
{
	char *line = NULL;
	size_t cap = 0;
	int worst = EXIT_OK;

	while (getline(&line, &cap, stdin) > 0) {
		char *argv[256];
		int argc = split_words(line, argv, 256);
		int rc;

		if (!argc)
			continue;
		if (!strcmp(argv[0], "quit") || !strcmp(argv[0], "exit"))
			break;
		rc = run_command(ctx, argc, argv);
		if (rc > worst)
			worst = rc;
	}
	free(line);
	return worst;
}

static enum vmt_sym_source parse_sym_source(const char *s, bool *ok)
{
	*ok = true;
	if (!strcmp(s, "any"))
		return VMT_SYM_SOURCE_ANY;
	if (!strcmp(s, "dwarf") || !strcmp(s, "vmlinux"))
		return VMT_SYM_SOURCE_DWARF;
	if (!strcmp(s, "kallsyms"))
		return VMT_SYM_SOURCE_KALLSYMS;
	if (!strcmp(s, "btf"))
		return VMT_SYM_SOURCE_BTF;
	if (!strcmp(s, "vmcoreinfo"))
		return VMT_SYM_SOURCE_VMCOREINFO;
	*ok = false;
	return VMT_SYM_SOURCE_ANY;
}

// Whether @p path names an existing file (a dump part) rather than a command.
static bool is_file(const char *path)
{
	return !find_command(path) && access(path, F_OK) == 0;
}

int main(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_FORCE, OPT_VMCOREINFO, OPT_SET, OPT_SYMSRC };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "vmlinux", required_argument, NULL, 'k' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "vmcoreinfo", required_argument, NULL, OPT_VMCOREINFO },
		{ "set", required_argument, NULL, OPT_SET },
		{ "sym-source", required_argument, NULL, OPT_SYMSRC },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct vmt_program_options opts = { 0 };
	struct cmd_ctx ctx = { 0 };
	const char *overrides[64];
	const char **paths;
	bool quiet = false;
	struct vmt_error *err;
	int opt, nr_paths, rc;

	// '+': stop at the first non-option, so command options stay theirs.
	while ((opt = getopt_long(argc, argv, "+k:qhV", longopts, NULL)) != -1) {
		bool ok;

		switch (opt) {
		case OPT_JSON:
			ctx.json = true;
			break;
		case 'k':
			opts.vmlinux_path = optarg;
			break;
		case OPT_FORCE:
			opts.force = true;
			break;
		case OPT_VMCOREINFO:
			opts.vmcoreinfo_path = optarg;
			break;
		case OPT_SET:
			if (!strchr(optarg, '=') || opts.nr_overrides >= 64)
				return usage_error(NULL, "--set takes KEY=VALUE");
			overrides[opts.nr_overrides++] = optarg;
			break;
		case OPT_SYMSRC:
			opts.sym_source = parse_sym_source(optarg, &ok);
			if (!ok)
				return usage_error(NULL,
						   "--sym-source: '%s' is not dwarf, kallsyms, btf or vmcoreinfo",
						   optarg);
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("vmtool %s\nkdump page compressors built in: %s\n",
			       vmt_version(), vmt_build_features());
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	opts.overrides = overrides;
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	// DUMP is one file, or several existing files for a split set.
	paths = (const char **)&argv[optind];
	nr_paths = 1;
	while (optind + nr_paths < argc && is_file(argv[optind + nr_paths]))
		nr_paths++;
	err = vmt_program_open(paths, nr_paths, &opts, &ctx.prog);
	if (err) {
		rc = report_error(err, NULL);
		if (err->code == VMT_ERROR_FAULT || err->code == VMT_ERROR_NOT_FOUND)
			rc = EXIT_BAD_DUMP;
		vmt_error_destroy(err);
		return rc;
	}
	ctx.dump_name = paths[0];
	optind += nr_paths;
	if (optind < argc)
		rc = run_command(&ctx, argc - optind, &argv[optind]);
	else
		rc = run_batch(&ctx);
	if (!quiet) {
		const char *const *warnings;
		size_t n;

		vmt_program_warnings(ctx.prog, &warnings, &n);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "vmtool: warning: %s\n", warnings[i]);
	}
	vmt_program_destroy(ctx.prog);
	return rc;
}
