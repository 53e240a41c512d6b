// `info` and `vmcoreinfo`.
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

// The VMCOREINFO values the arm64 layout needs, shown by `info`.
static const char *const layout_keys[] = {
	"NUMBER(VA_BITS)",      "NUMBER(TCR_EL1_T1SZ)",
	"NUMBER(PHYS_OFFSET)",  "NUMBER(kimage_voffset)",
	"KERNELOFFSET",         "NUMBER(KERNELPACMASK)",
	"NUMBER(MAX_PHYSMEM_BITS)", "SYMBOL(swapper_pg_dir)",
	"SYMBOL(_stext)",
};

static const char *lookup(const struct vmt_dump_info *info, const char *key)
{
	const char *value = NULL;

	// The last of duplicate keys wins, as in the parser.
	for (size_t i = 0; i < info->nr_vmcoreinfo; i++)
		if (!strcmp(info->vmcoreinfo[i].key, key))
			value = info->vmcoreinfo[i].value;
	return value;
}

static void info_json(FILE *out, const struct vmt_dump_info *info)
{
	struct json j;

	json_init(&j, out);
	json_begin_object(&j);
	json_key(&j, "format");
	json_string(&j, info->format);
	json_key(&j, "compression");
	json_begin_array(&j);
	for (size_t i = 0; i < info->nr_compression; i++)
		json_string(&j, info->compression[i]);
	json_end_array(&j);
	json_key(&j, "page_size");
	json_uint(&j, info->page_size);
	// ELF dumps have neither: null.
	json_key(&j, "block_size");
	json_uint_or_null(&j, info->block_size, info->block_size);
	json_key(&j, "header_version");
	json_uint_or_null(&j, info->block_size, (uint64_t)info->header_version);
	json_key(&j, "osrelease");
	json_string(&j, info->osrelease);
	json_key(&j, "machine");
	json_string(&j, info->machine);
	json_key(&j, "cpus");
	json_uint(&j, info->nr_cpus);
	json_key(&j, "crash_time");
	json_uint_or_null(&j, info->has_crash_time, info->crash_time);
	json_key(&j, "incomplete");
	json_bool(&j, info->incomplete);
	json_key(&j, "dump_level");
	json_uint_or_null(&j, info->dump_level >= 0,
			  (uint64_t)info->dump_level);
	json_key(&j, "files");
	json_begin_array(&j);
	for (size_t i = 0; i < info->nr_files; i++)
		json_string(&j, info->files[i]);
	json_end_array(&j);
	json_key(&j, "phys_ranges");
	json_begin_array(&j);
	for (size_t i = 0; i < info->nr_phys_ranges; i++) {
		json_begin_object(&j);
		json_key(&j, "start");
		json_addr(&j, info->phys_ranges[i].start);
		json_key(&j, "end");
		json_addr(&j, info->phys_ranges[i].end);
		json_end_object(&j);
	}
	json_end_array(&j);
	json_key(&j, "vmcoreinfo_origin");
	json_string(&j, info->vmcoreinfo_origin);
	// Values as the kernel wrote them (strings), whatever they hold.
	json_key(&j, "vmcoreinfo");
	json_begin_object(&j);
	for (size_t i = 0; i < info->nr_vmcoreinfo; i++) {
		// Duplicates: only the winning (last) value is listed.
		if (info->vmcoreinfo[i].superseded)
			continue;
		json_key(&j, info->vmcoreinfo[i].key);
		json_string(&j, info->vmcoreinfo[i].value);
	}
	json_end_object(&j);
	json_end_object(&j);
	json_finish(&j);
}

static void info_text(FILE *out, const struct vmt_dump_info *info)
{
	uint64_t ram = 0;

	fprintf(out, "%-18s %s", "format:", info->format);
	if (info->block_size)
		fprintf(out, " (header version %d, block size %u)",
		       info->header_version, info->block_size);
	fprintf(out, "\n%-18s", "compression:");
	for (size_t i = 0; i < info->nr_compression; i++)
		fprintf(out, " %s", info->compression[i]);
	fprintf(out, "%s\n", info->nr_compression ? "" : " none");
	for (size_t i = 0; i < info->nr_files; i++)
		fprintf(out, "%-18s %s\n", i ? "" : "files:", info->files[i]);
	fprintf(out, "%-18s %u\n", "page size:", info->page_size);
	fprintf(out, "%-18s %s\n", "osrelease:", info->osrelease);
	fprintf(out, "%-18s %s\n", "machine:", info->machine);
	if (info->has_crash_time) {
		time_t t = (time_t)info->crash_time;
		struct tm tm;
		char buf[64];

		// A corrupt header or CRASHTIME line may hold a time no
		// calendar date fits (gmtime fails): show the number alone.
		if (!gmtime_r(&t, &tm) ||
		    !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
			snprintf(buf, sizeof(buf), "not a valid date");
		fprintf(out, "%-18s %s (%" PRIu64 ")\n", "crash time:", buf,
		       info->crash_time);
	} else {
		fprintf(out, "%-18s unknown\n", "crash time:");
	}
	fprintf(out, "%-18s %u\n", "cpus:", info->nr_cpus);
	if (info->incomplete)
		fprintf(out, "%-18s yes (some pages were never written)\n",
		       "incomplete:");
	if (info->dump_level >= 0)
		fprintf(out, "%-18s %d\n", "dump level:", info->dump_level);
	fprintf(out, "physical ranges:\n");
	for (size_t i = 0; i < info->nr_phys_ranges; i++) {
		const struct vmt_phys_range *r = &info->phys_ranges[i];

		fprintf(out, "  %#014" PRIx64 " - %#014" PRIx64 "  (%" PRIu64
		       " KiB)\n",
		       r->start, r->end, (r->end - r->start) >> 10);
		ram += r->end - r->start;
	}
	fprintf(out, "  total %" PRIu64 " MiB\n", ram >> 20);
	fprintf(out, "VMCOREINFO (%s, %zu lines):\n", info->vmcoreinfo_origin,
	       info->nr_vmcoreinfo);
	for (size_t i = 0; i < sizeof(layout_keys) / sizeof(layout_keys[0]); i++) {
		const char *v = lookup(info, layout_keys[i]);

		fprintf(out, "  %-26s %s\n", layout_keys[i], v ? v : "(absent)");
	}
}

int cmd_info(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_dump_info *info = vmt_program_dump_info(ctx->prog);
	int opt;

	while ((opt = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		if (opt == CMD_BAD_OPTION)
			return EXIT_USAGE;
	if (optind < argc)
		return cmd_usage(ctx, "takes no arguments");
	if (ctx->json)
		info_json(ctx->out, info);
	else
		info_text(ctx->out, info);
	return EXIT_OK;
}

int cmd_vmcoreinfo(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_dump_info *info = vmt_program_dump_info(ctx->prog);
	int opt;

	while ((opt = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		if (opt == CMD_BAD_OPTION)
			return EXIT_USAGE;
	if (optind < argc)
		return cmd_usage(ctx, "takes no arguments");
	if (!info->vmcoreinfo_len)
		return cmd_fail_code(ctx, VMT_ERROR_NOT_FOUND,
				     "the dump has no VMCOREINFO (give one with --vmcoreinfo FILE)");
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_begin_object(&j);
		json_key(&j, "origin");
		json_string(&j, info->vmcoreinfo_origin);
		json_key(&j, "text");
		json_string_len(&j, info->vmcoreinfo_raw, info->vmcoreinfo_len);
		json_end_object(&j);
		json_finish(&j);
	} else {
		fwrite(info->vmcoreinfo_raw, 1, info->vmcoreinfo_len, ctx->out);
	}
	return EXIT_OK;
}
