// vmtool [OPTIONS] DUMP... [COMMAND [ARGS...]]: the command table, global
// options, opening the dump, and the choice between one command, a batch
// (-c, -f, standard input) and an interactive session. Commands live in
// cmd_*.c; batches in batch.c, the session in session.c.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct command commands[] = {
	{ "info", cmd_info, "info", "dump format, kernel and layout inputs" },
	{ "vmcoreinfo", cmd_vmcoreinfo, "vmcoreinfo", "the raw VMCOREINFO text" },
	{ "rd", cmd_rd,
	  "rd [-p|-u PID] [-8|-16|-32|-64] [-s|-a] ADDR [COUNT] [--raw]",
	  "read memory" },
	{ "vtop", cmd_vtop, "vtop [-k|-u PID] ADDR...", "translate addresses" },
	{ "ptov", cmd_ptov, "ptov PADDR...", "linear-map address of PADDR..." },
	{ "explain", cmd_explain, "explain",
	  "the arm64 layout and where each value came from" },
	{ "sym", cmd_sym, "sym NAME... | ADDR...", "symbols by name or address" },
	{ "struct", cmd_struct,
	  "struct [-o] [-x|-d] NAME[.MEMBER[,MEMBER...]] [ADDR]",
	  "a struct layout, or its values at ADDR" },
	{ "union", cmd_struct,
	  "union [-o] [-x|-d] NAME[.MEMBER[,MEMBER...]] [ADDR]",
	  "a union layout, or its values at ADDR" },
	{ "whatis", cmd_whatis, "whatis [struct|union|enum] NAME",
	  "a type or a symbol" },
	{ "ps", cmd_ps, "ps [-k|-u] [-G] [-S] [PID|COMM|TASK]...", "tasks" },
	{ "vm", cmd_vm, "vm [--maps|-p] PID... | vm [--maps|-p] --all",
	  "memory maps" },
	{ "files", cmd_files, "files PID...", "a task's open files" },
	{ "mount", cmd_mount, "mount [PID]",
	  "the mounts of a task's namespace (pid 1 by default)" },
	{ "list", cmd_list, "list [-o OFFSET|TYPE.member] [-s TYPE[.MEMBER,...]] [-x|-d] [-H] ADDR",
	  "walk a linked list from ADDR (-H: ADDR is a list head)" },
	{ "log", cmd_log, "log [-t|-T] [-m] [-c] [-d]",
	  "the kernel log, as dmesg prints it" },
	{ "sys", cmd_sys, "sys",
	  "kernel, CPUs, memory, uptime, load, tasks and the panic" },
	{ "bt", cmd_bt, "bt [-a] [-c CPU] [-t] [-f] [-l] [PID|TASK]...",
	  "kernel stack traces (default: the task on every CPU)" },
	{ "runq", cmd_runq, "runq [-c CPUS]",
	  "each CPU's current and queued tasks (crash's runq)" },
	{ "p", cmd_p, "p [-x|-d] EXPR",
	  "an expression's value with its type (jiffies, init_task.comm, runqueues:0)" },
	{ "task", cmd_task, "task [-R MEMBER[,MEMBER...]] [-x|-d] [PID|TASK]...",
	  "a task's task_struct with values (default: the panic CPU's task)" },
	{ "foreach", cmd_foreach,
	  "foreach [PID|TASK|COMM|-k|-u]... bt|vm|files|task [OPTIONS]",
	  "run bt, vm, files or task for each task (default: all)" },
	{ "set", cmd_set, "set [PID|TASK] | set -c CPU | set -p",
	  "choose the task bt, task, files and vm show by default" },
	{ "save", cmd_save,
	  "save [-d LEVEL] [-c|-l|-p|-z] [-E] [-F] [-f] [--split N] [--num-threads N] OUTPUT... | save --mem-usage [-d LEVEL]",
	  "write the dump filtered and compressed, as makedumpfile does" },
	{ "mod", cmd_mod, "mod [NAME...]", "loaded modules" },
	{ "kmem", cmd_kmem, "kmem ADDR... | -i | -p [PADDR...] | -s [NAME...]",
	  "what addresses are; memory use; struct pages; slab caches" },
	{ "help", cmd_help, "help [CMD...]", "the commands, or how to use one" },
};

const struct command *command_table(size_t *nr_ret)
{
	*nr_ret = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmtool [OPTIONS] DUMP [DUMP...] [COMMAND [ARGS...]]\n"
		"       vmtool [OPTIONS] -c 'CMD; CMD...' | -f FILE DUMP [DUMP...]\n"
		"\n"
		"Analyze an arm64 Linux crash dump (ELF vmcore, kdump-compressed,\n"
		"flattened, or the parts of a split set given together). Without\n"
		"COMMAND: an interactive session on a terminal, else the commands of\n"
		"standard input, one per line or separated by ';'.\n"
		"\n"
		"Options (before or after DUMP; --json also among a command's):\n"
		"  --json                 JSON; in a batch, JSON Lines of envelopes\n"
		"  -c, --command CMDS     run CMDS (separated by ';' or newlines)\n"
		"  -f, --file FILE        run the commands of FILE ('-': standard input)\n"
		"  -k, --vmlinux FILE     vmlinux with symbols and DWARF\n"
		"  --force                use a vmlinux that does not match the dump\n"
		"  --vmcoreinfo FILE      VMCOREINFO text that supplies or overrides the dump's\n"
		"  --set KEY=VALUE        override a layout input (VA_BITS, PHYS_OFFSET, ...)\n"
		"  --sym-source SRC       only use one source: dwarf, kallsyms, btf, vmcoreinfo\n"
		"  -q, --quiet            do not print warnings (derived values, malformed input)\n"
		"  -h, --help             this help\n"
		"  -V, --version          version and built-in compressors (with --json: JSON)\n"
		"\n"
		"Commands (vmtool DUMP help CMD, or CMD --help, for one):\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\n"
		"Exit status: 0 success; 1 something asked for was not found or not\n"
		"readable; 2 usage error; 3 the dump cannot be read (corrupt,\n"
		"truncated, unsupported). A batch exits with the highest status of\n"
		"its commands. See vmtool(1) and, for --json, vmtool-json(7).\n");
}

// A usage error of the command line itself: with --json also a document.
static int global_usage(bool json, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int global_usage(bool json, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (json) {
		struct json j;

		json_init(&j, stdout);
		json_usage_error(&j, message);
		json_finish(&j);
	}
	fprintf(stderr, "vmtool: %s (see vmtool --help)\n", message);
	return EXIT_USAGE;
}

static void print_version(bool json)
{
	const char *features = vmt_build_features();

	if (!json) {
		printf("vmtool %s\nkdump page compressors built in: %s\n"
		       "JSON schema: %s\n",
		       vmt_version(), features, VMTOOL_SCHEMA);
		return;
	}
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "schema");
	json_string(&j, VMTOOL_SCHEMA);
	json_key(&j, "version");
	json_string(&j, vmt_version());
	json_key(&j, "compressors");
	json_begin_array(&j);
	for (const char *p = features; *p;) {
		size_t n = strcspn(p, " ");

		if (n)
			json_string_len(&j, p, n);
		p += n;
		p += strspn(p, " ");
	}
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
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

#define MAX_OVERRIDES 64
#define MAX_DUMP_FILES 256

// The command line, parsed.
struct cli_args {
	struct vmt_program_options opts;
	const char *overrides[MAX_OVERRIDES];
	const char *paths[MAX_DUMP_FILES];
	int nr_paths;
	bool json, quiet, version, help;
	/** -c strings and -f files, in order. */
	const char *batch[64];
	bool batch_is_file[64];
	int nr_batch;
	/** The command and its arguments (argv from optind), if any. */
	int cmd_argc;
	char **cmd_argv;
};

// Global options may stand before DUMP, between DUMP and COMMAND, or
// (--json only) among the command's arguments; the first word after the
// dump files that is not an option starts the command. Returns -1 to go
// on, else an exit code.
static int parse_args(int argc, char **argv, struct cli_args *a)
{
	enum { OPT_JSON = 256, OPT_FORCE, OPT_VMCOREINFO, OPT_SET, OPT_SYMSRC };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "command", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
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
	int opt;

	// --json decides how usage errors are written: look for it first.
	for (int i = 1; i < argc && !a->json; i++)
		a->json = !strcmp(argv[i], "--json");
	opterr = 0;
	optind = 0;
	for (;;) {
		// '+': stop at the first operand (DUMP, or the command).
		while ((opt = getopt_long(argc, argv, "+:c:f:k:qhV", longopts,
					  NULL)) != -1) {
			bool ok;

			switch (opt) {
			case OPT_JSON:
				a->json = true;
				break;
			case 'c':
			case 'f':
				if (a->nr_batch >= 64)
					return global_usage(a->json, "too many -c/-f");
				a->batch_is_file[a->nr_batch] = opt == 'f';
				a->batch[a->nr_batch++] = optarg;
				break;
			case 'k':
				a->opts.vmlinux_path = optarg;
				break;
			case OPT_FORCE:
				a->opts.force = true;
				break;
			case OPT_VMCOREINFO:
				a->opts.vmcoreinfo_path = optarg;
				break;
			case OPT_SET:
				if (!strchr(optarg, '=') ||
				    a->opts.nr_overrides >= MAX_OVERRIDES)
					return global_usage(a->json,
							    "--set takes KEY=VALUE");
				a->overrides[a->opts.nr_overrides++] = optarg;
				break;
			case OPT_SYMSRC:
				a->opts.sym_source =
					parse_sym_source(optarg, &ok);
				if (!ok)
					return global_usage(a->json,
							    "--sym-source: '%s' is not dwarf, kallsyms, btf or vmcoreinfo",
							    optarg);
				break;
			case 'q':
				a->quiet = true;
				break;
			case 'h':
				a->help = true;
				break;
			case 'V':
				a->version = true;
				break;
			case ':':
				return global_usage(a->json,
						    "option '%s' needs an argument",
						    argv[optind - 1]);
			default:
				if (optopt)
					return global_usage(a->json,
							    "unknown option '-%c'",
							    optopt);
				return global_usage(a->json, "unknown option '%s'",
						    argv[optind - 1]);
			}
		}
		if (optind >= argc)
			break;
		if (a->help || a->version)
			return -1;
		if (!a->nr_paths ||
		    (is_file(argv[optind]) &&
		     argv[optind - 1] == a->paths[a->nr_paths - 1])) {
			// DUMP, or another part of a split set right after it.
			if (a->nr_paths >= MAX_DUMP_FILES)
				return global_usage(a->json, "too many dump files");
			a->paths[a->nr_paths++] = argv[optind++];
			continue;
		}
		a->cmd_argc = argc - optind;
		a->cmd_argv = &argv[optind];
		break;
	}
	a->opts.overrides = a->overrides;
	return -1;
}

// The text of every -c and -f, one command list.
static char *batch_text(const struct cli_args *a, int *exit_ret)
{
	char *all = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&all, &len);

	if (!mem) {
		*exit_ret = usage_error(NULL, "out of memory");
		return NULL;
	}
	for (int i = 0; i < a->nr_batch; i++) {
		if (a->batch_is_file[i]) {
			char *text = read_whole_file(a->batch[i], exit_ret);

			if (!text) {
				fclose(mem);
				free(all);
				return NULL;
			}
			fputs(text, mem);
			free(text);
		} else {
			fputs(a->batch[i], mem);
		}
		fputc('\n', mem);
	}
	fclose(mem);
	return all;
}

// The dump could not be opened: one document with --json (in a batch an
// envelope with a null command: no command ran).
static int open_failed(const struct cli_args *a, bool batch,
		       struct vmt_error *err)
{
	int rc = error_exit_code(err);

	// A dump that opens as nothing readable is a dump that cannot be read.
	if (err->code == VMT_ERROR_FAULT || err->code == VMT_ERROR_NOT_FOUND)
		rc = EXIT_BAD_DUMP;
	if (a->json && batch) {
		struct json j;

		json_init(&j, stdout);
		json_begin_object(&j);
		json_key(&j, "schema");
		json_string(&j, VMTOOL_SCHEMA);
		json_key(&j, "command");
		json_null(&j);
		json_key(&j, "ok");
		json_bool(&j, false);
		json_key(&j, "exit");
		json_int(&j, rc);
		json_key(&j, "error");
		json_error_object(&j, err, rc, NULL);
		json_end_object(&j);
		json_finish(&j);
	} else if (a->json) {
		struct json j;

		json_init(&j, stdout);
		json_error(&j, err, rc, NULL);
		json_finish(&j);
	}
	report_error(err, NULL);
	return rc;
}

// ELF dumps are read in place from a mapping (source_map): a file cut
// short while vmtool reads it raises SIGBUS on the lost pages. Say so and
// exit as for a truncated dump, instead of dying of a bus error.
static void on_sigbus(int sig)
{
	static const char msg[] =
		"vmtool: an input file became shorter while it was being read "
		"(SIGBUS on a mapped page): it was truncated or rewritten; "
		"VMTOOL_NO_MMAP=1 reads files without mapping them\n";
	ssize_t n = write(STDERR_FILENO, msg, sizeof(msg) - 1);

	(void)n;
	(void)sig;
	_exit(EXIT_BAD_DUMP);
}

int main(int argc, char **argv)
{
	struct cli_args a = { 0 };
	struct cmd_ctx ctx = { 0 };
	char *batch = NULL;
	struct vmt_error *err;
	bool batch_mode;
	int rc;

	signal(SIGBUS, on_sigbus);
	rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	if (a.help) {
		usage(stdout);
		return EXIT_OK;
	}
	if (a.version) {
		print_version(a.json);
		return EXIT_OK;
	}
	ctx.json = a.json;
	ctx.out = stdout;
	// `vmtool help [CMD...]` needs no dump.
	if (a.nr_paths == 1 && !strcmp(a.paths[0], "help") &&
	    access(a.paths[0], F_OK) != 0) {
		char **help_argv = calloc((size_t)a.cmd_argc + 2,
					  sizeof(*help_argv));

		if (!help_argv)
			return usage_error(NULL, "out of memory");
		help_argv[0] = (char *)"help";
		for (int i = 0; i < a.cmd_argc; i++)
			help_argv[i + 1] = a.cmd_argv[i];
		rc = run_command(&ctx, a.cmd_argc + 1, help_argv);
		free(help_argv);
		return rc;
	}
	if (!a.nr_paths)
		return global_usage(a.json, "no DUMP given");
	batch_mode = a.nr_batch > 0 || (!a.cmd_argc && !session_possible());
	if (a.nr_batch && a.cmd_argc)
		return global_usage(a.json,
				    "'%s': a COMMAND and -c/-f exclude each other",
				    a.cmd_argv[0]);
	// Read -f files before the dump: a missing one fails fast.
	if (a.nr_batch) {
		batch = batch_text(&a, &rc);
		if (!batch)
			return rc;
	}
	err = vmt_program_open(a.paths, (size_t)a.nr_paths, &a.opts, &ctx.prog);
	if (err) {
		rc = open_failed(&a, batch_mode, err);
		vmt_error_destroy(err);
		free(batch);
		return rc;
	}
	ctx.dump_name = a.paths[0];
	if (batch)
		rc = run_batch_text(&ctx, batch);
	else if (a.cmd_argc)
		rc = run_command(&ctx, a.cmd_argc, a.cmd_argv);
	else if (session_possible())
		rc = run_session(&ctx);
	else
		rc = run_batch_stdin(&ctx);
	free(batch);
	if (!a.quiet) {
		const char *const *warnings;
		size_t n;

		vmt_program_warnings(ctx.prog, &warnings, &n);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "vmtool: warning: %s\n", warnings[i]);
	}
	vmt_program_destroy(ctx.prog);
	return rc;
}
