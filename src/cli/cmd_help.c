// `help` and `help CMD` (and CMD --help): the usage line, the summary and,
// for the commands listed here, what their options do.
#include <string.h>

#include "cli.h"

// What `help CMD` adds to the usage line and summary of the table.
static const struct {
	const char *name;
	const char *text;
} details[] = {
	{ "info",
	  "The dump's format and compressions, page size, OSRELEASE, machine,\n"
	  "crash time, CPUs, physical ranges and the VMCOREINFO values the arm64\n"
	  "layout needs (--json: every VMCOREINFO value, as the kernel wrote it)." },
	{ "vmcoreinfo", "The VMCOREINFO text exactly as the dump (or --vmcoreinfo) holds it." },
	{ "rd",
	  "Read memory at ADDR: kernel virtual by default.\n"
	  "  -p          ADDR is physical\n"
	  "  -u PID      ADDR is a user address of task PID\n"
	  "  -8 -16 -32 -64\n"
	  "              unit size in bits (default 64); COUNT counts units (default 1)\n"
	  "  -s          show each 64-bit word that points into a symbol as SYMBOL+OFF\n"
	  "  -a          a NUL-terminated string (at most COUNT bytes: default 4096,\n"
	  "              at most 1 MiB)\n"
	  "  --raw       write the bytes themselves (not with --json)\n"
	  "ADDR is hex (0x optional) or SYMBOL[+OFF]. A read that stops at an\n"
	  "unreadable page shows what it read and exits 1." },
	{ "vtop",
	  "Translate each ADDR through the kernel page tables (-k, the default)\n"
	  "or those of task PID (-u PID): every level's index, entry address and\n"
	  "entry, the physical address, the page size and where the byte lives\n"
	  "in the dump file. Exits 1 if an address is not mapped." },
	{ "ptov", "The linear-map virtual address of each physical address (hex)." },
	{ "explain",
	  "Every arm64 layout value (VA_BITS, PAGE_OFFSET, PHYS_OFFSET,\n"
	  "kimage_voffset, ...), where it came from (VMCOREINFO, --set, derived,\n"
	  "formula), and any disagreement found." },
	{ "sym",
	  "The address of each symbol NAME, or the symbol holding each ADDR\n"
	  "(0x-hex, or 8 or more hex digits) with the offset into it." },
	{ "struct",
	  "The layout of struct NAME (offsets, sizes, member types) from DWARF or\n"
	  "BTF; with ADDR, the value of each member read at ADDR." },
	{ "union", "Like struct, for a union." },
	{ "whatis", "NAME as a type (its definition) or else as a symbol." },
	{ "ps",
	  "Tasks (processes and threads) in task-list order; with arguments, the\n"
	  "tasks of each PID, COMM or task address (0x...) in argument order.\n"
	  "  -k   kernel threads only       -u   user tasks only\n"
	  "  -G   thread-group leaders only -S   count the tasks in each state\n"
	  "'>' marks a task running on a CPU, [brackets] a kernel thread." },
	{ "vm",
	  "The memory map of each PID (--all: of every process).\n"
	  "  --maps, -m   exactly as /proc/PID/maps printed it\n"
	  "  -p           every page of each VMA: its physical address, or where\n"
	  "               it is (not mapped, swapped, excluded from the dump)\n"
	  "  --all, -a    every process that has an mm" },
	{ "help", "The commands, or the usage and options of each CMD." },
};

static const char *details_of(const char *name)
{
	for (size_t i = 0; i < sizeof(details) / sizeof(details[0]); i++)
		if (!strcmp(details[i].name, name))
			return details[i].text;
	return NULL;
}

static void help_json(struct json *j, const struct command *cmd)
{
	json_begin_object(j);
	json_key(j, "name");
	json_string(j, cmd->name);
	json_key(j, "usage");
	json_string(j, cmd->usage);
	json_key(j, "summary");
	json_string(j, cmd->summary);
	json_key(j, "details");
	json_string(j, details_of(cmd->name));
	json_end_object(j);
}

static void help_text(FILE *out, const struct command *cmd)
{
	const char *more = details_of(cmd->name);

	fprintf(out, "usage: %s\n%s\n", cmd->usage, cmd->summary);
	if (more)
		fprintf(out, "\n%s\n", more);
}

int print_command_help(struct cmd_ctx *ctx, const struct command *cmd)
{
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_begin_array(&j);
		help_json(&j, cmd);
		json_end_array(&j);
		json_finish(&j);
	} else {
		help_text(ctx->out, cmd);
	}
	return EXIT_OK;
}

int cmd_help(struct cmd_ctx *ctx, int argc, char **argv)
{
	size_t n;
	const struct command *table = command_table(&n);
	int rc = EXIT_OK, opt;
	struct json j;

	while ((opt = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		if (opt == CMD_BAD_OPTION)
			return EXIT_USAGE;
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	if (optind >= argc) {
		for (size_t i = 0; i < n; i++) {
			if (ctx->json)
				help_json(&j, &table[i]);
			else
				fprintf(ctx->out, "  %-11s %s\n", table[i].name,
					table[i].summary);
		}
		if (!ctx->json)
			fprintf(ctx->out,
				"\nhelp CMD (or CMD --help) for one command. Commands may be\n"
				"separated by ';'. In a session: quit, q or exit leaves;\n"
				"TAB completes commands, symbols and PIDs.\n");
	}
	for (int i = optind; i < argc; i++) {
		const struct command *cmd = find_command(argv[i]);
		int erc;

		if (!cmd) {
			erc = cmd_entry_fail(ctx, &j, VMT_ERROR_NOT_FOUND,
					     "no command '%s'", argv[i]);
			if (erc > rc)
				rc = erc;
			continue;
		}
		if (ctx->json) {
			help_json(&j, cmd);
		} else {
			if (i > optind)
				fputc('\n', ctx->out);
			help_text(ctx->out, cmd);
		}
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}
