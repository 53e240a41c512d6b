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
	  "  -k          ADDR is kernel virtual (the default)\n"
	  "  -p          ADDR is physical\n"
	  "  -u PID      ADDR is a user address of task PID\n"
	  "  -8 -16 -32 -64\n"
	  "              unit size in bits (default 64); COUNT counts units (default 1)\n"
	  "  -s          show each 64-bit word that points into a symbol as SYMBOL+OFF\n"
	  "  -a          a NUL-terminated string (at most COUNT bytes: default 4096,\n"
	  "              at most 1 MiB)\n"
	  "  --raw, -r   write the bytes themselves (not with --json)\n"
	  "ADDR is hex (0x optional) or SYMBOL[+OFF]. A read that stops at an\n"
	  "unreadable page shows what it read and exits 1." },
	{ "vtop",
	  "Translate each ADDR: every level's index, entry address and entry,\n"
	  "the physical address, the page size, the region and where the byte\n"
	  "lives in the dump file (or that the page is excluded, not in the\n"
	  "dump, swapped out). Exits 1 if an address is not mapped.\n"
	  "  -k       through the kernel's page tables (the default)\n"
	  "  -u PID   through task PID's page tables (a user address)" },
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
	  "BTF; with ADDR, its value there as crash's struct shows it.\n"
	  "  -o   with ADDR: the layout with each member's address\n"
	  "  -x   integers in hex       -d   integers in decimal (the default)\n"
	  ".MEMBER,... keeps the members named (comm, se.on_rq, pids[2]);\n"
	  "SYMBOL:CPU is a per-CPU variable's copy (struct rq runqueues:1)." },
	{ "union", "Like struct, for a union (the same options)." },
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
	{ "files",
	  "The open files of each PID: descriptor, struct file, dentry and\n"
	  "inode addresses, the file type and the path /proc/PID/fd shows\n"
	  "(pipe:[ino], socket:[ino], anon_inode:name). No options." },
	{ "mount",
	  "The mounts of task PID's mount namespace (pid 1 by default): struct\n"
	  "mount, super_block, file system type, device name and mount point.\n"
	  "No options." },
	{ "list",
	  "Walk a linked list from ADDR, as crash's list, and print the address\n"
	  "of each entry; the walk is bounded and a cycle is an error.\n"
	  "  -o OFFSET        where the next pointer is in an entry: a byte\n"
	  "                   count, or TYPE.member (task_struct.tasks); entry\n"
	  "                   addresses are the node addresses minus it\n"
	  "  -H               ADDR is a list head (a struct list_head outside the\n"
	  "                   entries, not listed); without it ADDR is the first\n"
	  "                   entry and the walk ends back at it or at NULL\n"
	  "  -s TYPE[.MEMBER,...]\n"
	  "                   each entry as a TYPE with its values (or the\n"
	  "                   members named), as struct shows them\n"
	  "  -x, -d           with -s: integers in hex or decimal\n"
	  "A list that breaks prints what it read and exits 1." },
	{ "runq",
	  "Each CPU's runqueue as crash's runq: CURRENT, then the queued tasks\n"
	  "with their priority, real-time, fair (vruntime order) and deadline.\n"
	  "  -c CPUS   only these CPUs (\"3\", \"1,8,9\", \"1-3\")\n"
	  "A queue that breaks keeps what was read before it and exits 1." },
	{ "p",
	  "A C expression's value with its type, as crash's p (gdb's print):\n"
	  "a variable, a number, .member, ->member, [i], *, &, unary minus, a\n"
	  "cast, parentheses; NAME:CPU a per-CPU variable's copy, NAME:a every\n"
	  "CPU's.\n"
	  "  -x   integers in hex       -d   integers in decimal (the default)" },
	{ "task",
	  "A task's task_struct with its values (as p shows them) after a\n"
	  "\"PID: ... TASK: ... CPU: ... COMMAND:\" line. Without PID or TASK: the\n"
	  "context (set), else the task current on the CPU that panicked.\n"
	  "  -R MEMBER[,MEMBER...]   only the members named (comm, se.on_rq)\n"
	  "  -x   integers in hex       -d   integers in decimal (the default)" },
	{ "foreach",
	  "Run bt, vm, files or task for each selected task: PIDs, TASKs,\n"
	  "COMMs, and\n"
	  "  -k   kernel threads        -u   user tasks\n"
	  "(all tasks when none is selected; for vm, all user tasks). Other\n"
	  "options go to the command (foreach task -R comm,pid)." },
	{ "set",
	  "The task bt, task, files and vm show when given none, for the rest\n"
	  "of a batch or session. Without an argument: the context.\n"
	  "  PID|TASK   that task\n"
	  "  -c CPU     the task current on CPU\n"
	  "  -p         the task current on the CPU that panicked (else CPU 0)" },
	{ "log",
	  "The kernel log as dmesg prints it, from the printk ring buffer (Linux\n"
	  "5.10+) or log_buf (3.5 to 5.9): \"[%5lu.%06lu] \" and the text.\n"
	  "  -t   no timestamp\n"
	  "  -T   the wall-clock time (UTC) instead, from the boot time sys finds\n"
	  "  -m   the syslog priority \"<N>\" (facility * 8 + level) first\n"
	  "  -c   the caller: \"[T123]\" (task) or \"[C1]\" (CPU)\n"
	  "  -d   the SUBSYSTEM= and DEVICE= lines of dev_printk() records\n"
	  "--json gives the records. Damaged records are skipped (exit 1)." },
	{ "sys",
	  "As crash's sys: kernel, dump files, CPUs, crash date, uptime, load\n"
	  "average, tasks, uname, memory, and the panic message with the CPU and\n"
	  "PID that panicked. --json gives null for what cannot be found and,\n"
	  "in sources, where each value came from or why not. No options." },
	{ "bt",
	  "Kernel stack traces by arm64 frame records, names as /proc/PID/stack\n"
	  "shows them; exception frames with their registers, IRQ, overflow and\n"
	  "SDEI stacks. A task on a CPU starts from the CPU's registers, any\n"
	  "other from its last context switch. Without PID, TASK or -c: -a.\n"
	  "  -a, --all        the task current on every CPU\n"
	  "  -c, --cpu CPU    the task current on CPU (may be repeated)\n"
	  "  -t, --text       every stack word that holds a kernel text address\n"
	  "  -f, --frames     each frame's stack words\n"
	  "  -l, --lines      file, line and inlined functions (needs -k vmlinux)\n"
	  "PID 0 is swapper/0; name another CPU's idle task by -c or its TASK.\n"
	  "A broken chain ends with a line saying where and why (exit 0)." },
	{ "save",
	  "Write the dump again as makedumpfile does (kdump-compressed, header\n"
	  "version 6), from any input format, without the pages LEVEL excludes.\n"
	  "  -d, --dump-level LEVEL  the sum of 1 zero pages, 2 page cache,\n"
	  "                   4 page cache with private data, 8 user data,\n"
	  "                   16 free pages (default 0: every page)\n"
	  "  -c | -l | -p | -z   zlib, LZO, snappy or zstd pages (default none)\n"
	  "  -E, --elf        an ELF file instead\n"
	  "  -F, --flatten    makedumpfile's flattened stream on standard output\n"
	  "  -f, --force      replace existing files\n"
	  "  --split N        N part files of equal page counts: OUTPUT.1 ...\n"
	  "                   OUTPUT.N from one OUTPUT, or N OUTPUTs\n"
	  "  --num-threads N  compress on N threads (same output whatever N)\n"
	  "  --mem-usage      write nothing: the pages and bytes of each page\n"
	  "                   class and whether LEVEL excludes it\n"
	  "Files get their name only when complete; an interrupted save leaves\n"
	  "none. Exit 3 when an output cannot be written." },
	{ "mod",
	  "Loaded modules as crash lists them (each NAME, or all): struct module,\n"
	  "name, text base and size as /proc/modules prints them, taints. Their\n"
	  "symbols become known to sym, kmem and bt. No options." },
	{ "kmem",
	  "What each ADDR is: a task's kernel stack, a kernel symbol, module\n"
	  "memory, a vmalloc area, or for RAM what its struct page says (a slab\n"
	  "object with its cache, allocated or free; a free page; a page table;\n"
	  "another page). ADDR may be a symbol.\n"
	  "  -i, --info       memory use as crash prints it, each figure's source\n"
	  "  -p, --pages      the struct page of each PADDR (without PADDR: of\n"
	  "                   every page of RAM)\n"
	  "  -s, --slab       slab caches as /proc/slabinfo counts them (each\n"
	  "                   NAME, or all)" },
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
