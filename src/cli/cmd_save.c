// `save`: write the dump again, filtered and compressed as makedumpfile
// would (kdump-compressed, split, flattened on standard output, or ELF),
// and `save --mem-usage`, the dry run that counts each page class.
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "vmtool/writer.h"

// Part files of a split set named from one OUTPUT: OUTPUT.1 ... OUTPUT.N.
#define MAX_SPLIT 64

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct progress {
	bool tty;
	int last;
};

static int show_progress(void *arg, const struct vmt_save_progress *p)
{
	struct progress *pr = arg;
	int pct;

	if (interrupted)
		return 1;
	if (!pr->tty || !p->pfn_total)
		return 0;
	pct = (int)(p->pfn_done * 100 / p->pfn_total);
	if (pct == pr->last)
		return 0;
	pr->last = pct;
	fprintf(stderr, "\rsave: %s %3d%%  %" PRIu64 " pages, %.1f MB written ",
		p->pass < p->nr_passes ? "classifying" : "writing    ", pct,
		p->pages_written, (double)p->bytes_written / (1 << 20));
	if (p->pass == p->nr_passes && p->pfn_done == p->pfn_total)
		fputc('\n', stderr);
	return 0;
}

static void result_json(struct cmd_ctx *ctx, const struct vmt_save_options *o,
			const struct vmt_save_result *r)
{
	struct json j;

	json_init(&j, ctx->out);
	json_begin_object(&j);
	json_key(&j, "format");
	json_string(&j, o->format == VMT_SAVE_ELF ? "elf" : "kdump");
	json_key(&j, "compression");
	json_string(&j, vmt_save_compression_name(o->compression));
	json_key(&j, "dump_level");
	json_uint(&j, o->dump_level);
	json_key(&j, "flattened");
	json_bool(&j, o->flattened);
	json_key(&j, "files");
	json_begin_array(&j);
	for (size_t i = 0; !o->flattened && i < o->nr_paths; i++)
		json_string(&j, o->paths[i]);
	json_end_array(&j);
	json_key(&j, "page_size");
	json_uint(&j, r->page_size);
	json_key(&j, "max_mapnr");
	json_uint(&j, r->max_mapnr);
	json_key(&j, "ram_pages");
	json_uint(&j, r->ram_pages);
	json_key(&j, "kept_pages");
	json_uint(&j, r->kept_pages);
	json_key(&j, "zero_pages");
	json_uint(&j, r->zero_pages);
	json_key(&j, "compressed_pages");
	json_uint(&j, r->compressed_pages);
	json_key(&j, "raw_pages");
	json_uint(&j, r->raw_pages);
	json_key(&j, "not_in_input");
	json_uint(&j, r->not_in_input);
	json_key(&j, "excluded");
	json_begin_object(&j);
	for (int c = 0; c < VMT_PAGE_CLASS_COUNT; c++) {
		json_key(&j, vmt_page_class_name(c));
		json_uint(&j, r->excluded[c]);
	}
	json_key(&j, "hwpoison");
	json_uint(&j, r->excluded_hwpoison);
	json_end_object(&j);
	json_key(&j, "bytes");
	json_uint(&j, r->bytes);
	json_end_object(&j);
	json_finish(&j);
}

static void result_text(FILE *out, const struct vmt_save_options *o,
			const struct vmt_save_result *r)
{
	if (o->format == VMT_SAVE_ELF)
		fprintf(out, "ELF%s, dump level %u: %" PRIu64 " of %" PRIu64
			" RAM pages kept (%" PRIu64 " zero pages left out), %.1f MB",
			o->flattened ? " (flattened)" : "", o->dump_level,
			r->kept_pages, r->ram_pages, r->zero_pages,
			(double)r->bytes / (1 << 20));
	else
		fprintf(out, "kdump-compressed%s, %s pages, dump level %u: %" PRIu64
			" of %" PRIu64 " RAM pages kept (%" PRIu64 " compressed, %"
			PRIu64 " raw, %" PRIu64 " zero), %.1f MB",
			o->flattened ? " (flattened)" : "",
			vmt_save_compression_name(o->compression), o->dump_level,
			r->kept_pages, r->ram_pages, r->compressed_pages,
			r->raw_pages, r->zero_pages, (double)r->bytes / (1 << 20));
	if (o->flattened)
		fprintf(out, " to standard output");
	else
		for (size_t i = 0; i < o->nr_paths; i++)
			fprintf(out, "%s%s", i ? ", " : " in ", o->paths[i]);
	fputc('\n', out);
	fprintf(out, "excluded:");
	for (int c = 0; c < VMT_PAGE_CLASS_COUNT; c++)
		if (r->excluded[c])
			fprintf(out, " %s %" PRIu64, vmt_page_class_name(c),
				r->excluded[c]);
	if (r->kept_pages + r->not_in_input == r->ram_pages && !r->zero_pages)
		fprintf(out, " none");
	if (r->excluded_hwpoison)
		fprintf(out, " (hwpoison %" PRIu64 ")", r->excluded_hwpoison);
	if (r->not_in_input)
		fprintf(out, "; not in the input %" PRIu64, r->not_in_input);
	fputc('\n', out);
}

// The dump-level bits that exclude class @p c, as text.
static const char *level_bits(enum vmt_page_class c)
{
	switch (vmt_page_class_dump_level(c)) {
	case 2 | 4:
		return "2|4";
	case 4:
		return "4";
	case 8:
		return "8";
	case 16:
		return "16";
	default:
		return c == VMT_PAGE_OFFLINE ? "always" : "-";
	}
}

// save --mem-usage: pages and bytes per class, and what LEVEL excludes.
static int mem_usage(struct cmd_ctx *ctx, unsigned int level)
{
	struct vmt_mem_usage u;
	struct vmt_error *err = vmt_program_mem_usage(ctx->prog, true, &u);
	int rc;

	if (err) {
		rc = cmd_fail(ctx, err, "memory use");
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_begin_object(&j);
		json_key(&j, "page_size");
		json_uint(&j, u.page_size);
		json_key(&j, "dump_level");
		json_uint(&j, level);
		json_key(&j, "ram_pages");
		json_uint(&j, u.ram_pages);
		json_key(&j, "classes");
		json_begin_array(&j);
		for (int c = 0; c < VMT_PAGE_CLASS_COUNT; c++) {
			json_begin_object(&j);
			json_key(&j, "class");
			json_string(&j, vmt_page_class_name(c));
			json_key(&j, "pages");
			json_uint(&j, u.pages[c]);
			json_key(&j, "bytes");
			json_uint(&j, u.pages[c] * u.page_size);
			json_key(&j, "dump_level_bits");
			json_uint(&j, vmt_page_class_dump_level(c));
			json_key(&j, "excluded");
			json_bool(&j, c == VMT_PAGE_OFFLINE ||
					      (vmt_page_class_dump_level(c) & level));
			json_end_object(&j);
		}
		json_end_array(&j);
		json_key(&j, "zero_pages");
		json_uint(&j, u.zero_pages);
		json_key(&j, "zero_excluded");
		json_bool(&j, level & 1);
		json_key(&j, "hwpoison_pages");
		json_uint(&j, u.hwpoison_pages);
		json_key(&j, "not_in_dump_pages");
		json_uint(&j, u.not_in_dump_pages);
		json_end_object(&j);
		json_finish(&j);
		return EXIT_OK;
	}
	fprintf(ctx->out, "%-14s %10s %14s  %-8s  %s\n", "CLASS", "PAGES", "BYTES",
		"DL BITS", "EXCLUDED");
	for (int c = 0; c < VMT_PAGE_CLASS_COUNT; c++) {
		unsigned int bits = vmt_page_class_dump_level(c);

		fprintf(ctx->out, "%-14s %10" PRIu64 " %14" PRIu64 "  %-8s  %s\n",
			vmt_page_class_name(c), u.pages[c], u.pages[c] * u.page_size,
			level_bits(c),
			c == VMT_PAGE_OFFLINE || (bits & level) ? "yes" : "no");
	}
	fprintf(ctx->out, "%-14s %10" PRIu64 " %14" PRIu64 "  %-8s  %s\n",
		"zero (kept)", u.zero_pages, u.zero_pages * u.page_size, "1",
		level & 1 ? "yes" : "no");
	fprintf(ctx->out, "%-14s %10" PRIu64 "\n", "hwpoison", u.hwpoison_pages);
	fprintf(ctx->out, "%-14s %10" PRIu64 "  (page size %" PRIu64 ", dump level %u)\n",
		"RAM", u.ram_pages, u.page_size, level);
	if (u.not_in_dump_pages)
		fprintf(ctx->out, "%-14s %10" PRIu64 "\n", "not in dump",
			u.not_in_dump_pages);
	return EXIT_OK;
}

// Part names: the OUTPUTs given, or OUTPUT.1 ... OUTPUT.N from one.
static int split_names(struct cmd_ctx *ctx, int argc, char **argv,
		       unsigned int split, char ***names_ret, size_t *nr_ret)
{
	char **names;

	if (split && argc != 1 && (unsigned int)argc != split)
		return cmd_usage(ctx, "--split %u: give one OUTPUT (parts OUTPUT.1 to OUTPUT.%u) or %u of them",
				 split, split, split);
	if (!split || argc > 1) {
		*names_ret = NULL;
		*nr_ret = (size_t)argc;
		return EXIT_OK;
	}
	names = calloc(split, sizeof(*names));
	if (!names)
		return cmd_fail(ctx, &vmt_enomem, "split");
	for (unsigned int i = 0; i < split; i++) {
		if (asprintf(&names[i], "%s.%u", argv[0], i + 1) < 0) {
			names[i] = NULL;
			for (unsigned int k = 0; k < i; k++)
				free(names[k]);
			free(names);
			return cmd_fail(ctx, &vmt_enomem, "split");
		}
	}
	*names_ret = names;
	*nr_ret = split;
	return EXIT_OK;
}

int cmd_save(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SPLIT = 256, OPT_THREADS, OPT_MEM_USAGE };
	static const struct option longopts[] = {
		{ "dump-level", required_argument, NULL, 'd' },
		{ "elf", no_argument, NULL, 'E' },
		{ "flatten", no_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "split", required_argument, NULL, OPT_SPLIT },
		{ "num-threads", required_argument, NULL, OPT_THREADS },
		{ "mem-usage", no_argument, NULL, OPT_MEM_USAGE },
		{ 0 },
	};
	struct vmt_save_options o = { 0 };
	struct vmt_save_result r;
	struct progress pr = { .tty = isatty(STDERR_FILENO), .last = -1 };
	struct sigaction sa = { 0 }, old_int, old_term;
	bool mem_usage_only = false;
	unsigned int split = 0;
	char **names = NULL;
	size_t nr_names = 0;
	struct vmt_error *err;
	uint64_t v;
	int opt, rc;

	// makedumpfile's default: level 0, every page.
	o.dump_level = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "d:clpzEFf", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (!parse_number(optarg, &v) || v > 31)
				return cmd_usage(ctx, "-d %s: a dump level is 0 to 31",
						 optarg);
			o.dump_level = (unsigned int)v;
			break;
		case 'c':
		case 'l':
		case 'p':
		case 'z': {
			enum vmt_save_compression c =
				opt == 'c' ? VMT_SAVE_ZLIB :
				opt == 'l' ? VMT_SAVE_LZO :
				opt == 'p' ? VMT_SAVE_SNAPPY : VMT_SAVE_ZSTD;

			if (o.compression && o.compression != c)
				return cmd_usage(ctx, "-c, -l, -p and -z exclude each other");
			o.compression = c;
			break;
		}
		case 'E':
			o.format = VMT_SAVE_ELF;
			break;
		case 'F':
			o.flattened = true;
			break;
		case 'f':
			o.force = true;
			break;
		case OPT_SPLIT:
			if (!parse_number(optarg, &v) || v < 2 || v > MAX_SPLIT)
				return cmd_usage(ctx, "--split %s: 2 to %d parts",
						 optarg, MAX_SPLIT);
			split = (unsigned int)v;
			break;
		case OPT_THREADS:
			if (!parse_number(optarg, &v) || v > 256)
				return cmd_usage(ctx, "--num-threads %s: 0 to 256",
						 optarg);
			o.nr_threads = (unsigned int)v;
			break;
		case OPT_MEM_USAGE:
			mem_usage_only = true;
			break;
		default:
			return cmd_usage(ctx, "unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (mem_usage_only) {
		if (argc)
			return cmd_usage(ctx, "--mem-usage writes nothing: no OUTPUT");
		return mem_usage(ctx, o.dump_level);
	}
	if (o.format == VMT_SAVE_ELF && o.compression)
		return cmd_usage(ctx, "-E writes an ELF file, whose pages are not compressed: drop -c, -l, -p or -z");
	if (o.flattened) {
		if (argc)
			return cmd_usage(ctx, "-F writes to standard output: no OUTPUT");
		if (split)
			return cmd_usage(ctx, "-F writes one stream: no --split");
		if (ctx->json)
			return cmd_usage(ctx, "-F writes the dump to standard output: no --json");
		if (isatty(STDOUT_FILENO))
			return cmd_usage(ctx, "-F: standard output is a terminal; redirect it");
		o.fd = STDOUT_FILENO;
	} else {
		if (!argc)
			return cmd_usage(ctx, "say where to write: OUTPUT");
		if ((split || argc > 1) && o.format == VMT_SAVE_ELF)
			return cmd_usage(ctx, "an ELF dump is one file: --split is for the kdump format");
		if (argc > MAX_SPLIT)
			return cmd_usage(ctx, "at most %d part files", MAX_SPLIT);
		rc = split_names(ctx, argc, argv, split, &names, &nr_names);
		if (rc)
			return rc;
		o.paths = names ? (const char *const *)names :
				  (const char *const *)argv;
		o.nr_paths = nr_names;
	}
	o.progress = show_progress;
	o.progress_arg = &pr;

	// Ctrl-C stops the save between chunks; its temporary files go.
	interrupted = 0;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	err = vmt_program_save(ctx->prog, &o, &r);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (pr.tty && pr.last >= 0 && err)
		fputc('\n', stderr);
	if (err) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
	} else {
		rc = EXIT_OK;
		if (ctx->json)
			result_json(ctx, &o, &r);
		else
			result_text(o.flattened ? stderr : ctx->out, &o, &r);
	}
	for (size_t i = 0; names && i < nr_names; i++)
		free(names[i]);
	free(names);
	return rc;
}
