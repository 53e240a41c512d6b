// `vtop`, `ptov` and `explain`.
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void print_size(FILE *out, uint64_t size)
{
	if (size >= (1ull << 30))
		fprintf(out, "%" PRIu64 " GiB", size >> 30);
	else if (size >= (1ull << 20))
		fprintf(out, "%" PRIu64 " MiB", size >> 20);
	else
		fprintf(out, "%" PRIu64 " KiB", size >> 10);
}

static const struct vmt_vma *find_vma(const struct vmt_vma *vmas, size_t n,
				      uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (vmas[i].start <= addr && addr < vmas[i].end)
			return &vmas[i];
	return NULL;
}

static void vtop_text(FILE *out, const struct vmt_translation *t,
		      const struct vmt_vma *vma, bool user)
{
	fprintf(out, "VIRTUAL           PHYSICAL\n");
	fprintf(out, "%-16" PRIx64 "  ", t->vaddr);
	if (t->has_paddr)
		fprintf(out, "%" PRIx64, t->paddr);
	else
		fprintf(out, "(%s)", vmt_vtop_status_name(t->status));
	fprintf(out, "\n\n");
	if (t->region)
		fprintf(out, "  REGION: %s\n", t->region);
	if (vma)
		fprintf(out, "     VMA: %" PRIx64 " %" PRIx64 "-%" PRIx64 " %s %s\n",
		       vma->vma, vma->start, vma->end, vma->perms,
		       vma->path ? vma->path : "");
	else if (user)
		fprintf(out, "     VMA: none holds this address\n");
	for (int i = 0; i < t->nr_levels; i++) {
		const struct vmt_pt_level *l = &t->levels[i];
		char name[8] = "";

		for (size_t c = 0; c < sizeof(name) - 1 && l->name[c]; c++)
			name[c] = (char)toupper((unsigned char)l->name[c]);
		fprintf(out, "  %6s: %" PRIx64 " [%u] => %016" PRIx64 "\n", name,
		       l->entry_paddr, l->index, l->entry);
	}
	fprintf(out, "  STATUS: %s", vmt_vtop_status_name(t->status));
	if (t->status == VMT_VTOP_SWAP)
		fprintf(out, " (type %" PRIu64 ", offset %#" PRIx64 ")", t->swap_type,
		       t->swap_offset);
	fprintf(out, "\n");
	if (t->page_size) {
		fprintf(out, "    PAGE: %" PRIx64 " (",
		       t->paddr & ~(t->page_size - 1));
		print_size(out, t->page_size);
		fprintf(out, ")\n");
	}
	if (t->has_file_offset)
		fprintf(out, "    FILE: %s offset %#" PRIx64 "%s\n", t->file,
		       t->file_offset,
		       t->file_offset_compressed ?
			       " (start of the compressed page)" : "");
	else if (t->has_paddr)
		fprintf(out, "    FILE: %s\n", t->status == VMT_VTOP_EXCLUDED ?
					     "excluded from the dump" :
					     "not in dump");
	if (t->has_formula_paddr)
		fprintf(out, " FORMULA: %" PRIx64 " (%s)\n", t->formula_paddr,
		       t->has_paddr && t->formula_paddr == t->paddr ?
			       "agrees with the walk" : "DISAGREES with the walk");
	if (t->note[0])
		fprintf(out, "    NOTE: %s\n", t->note);
}

static void vtop_json(struct json *j, const struct vmt_translation *t,
		      const struct vmt_vma *vma, const int *pid)
{
	json_begin_object(j);
	json_key(j, "vaddr");
	json_addr(j, t->vaddr);
	json_key(j, "pid");
	json_uint_or_null(j, pid != NULL, pid ? (uint64_t)*pid : 0);
	json_key(j, "region");
	json_string(j, t->region);
	json_key(j, "status");
	json_string(j, vmt_vtop_status_name(t->status));
	json_key(j, "paddr");
	json_addr_or_null(j, t->has_paddr, t->paddr);
	json_key(j, "page_size");
	json_uint_or_null(j, t->page_size, t->page_size);
	json_key(j, "file");
	json_string(j, t->has_file_offset ? t->file : NULL);
	json_key(j, "file_offset");
	json_uint_or_null(j, t->has_file_offset, t->file_offset);
	json_key(j, "file_offset_compressed");
	json_bool(j, t->has_file_offset && t->file_offset_compressed);
	json_key(j, "formula_paddr");
	json_addr_or_null(j, t->has_formula_paddr, t->formula_paddr);
	json_key(j, "swap_type");
	json_uint_or_null(j, t->status == VMT_VTOP_SWAP, t->swap_type);
	json_key(j, "swap_offset");
	json_uint_or_null(j, t->status == VMT_VTOP_SWAP, t->swap_offset);
	json_key(j, "vma");
	json_addr_or_null(j, vma != NULL, vma ? vma->vma : 0);
	json_key(j, "note");
	json_string(j, t->note[0] ? t->note : NULL);
	json_key(j, "levels");
	json_begin_array(j);
	for (int i = 0; i < t->nr_levels; i++) {
		json_begin_object(j);
		json_key(j, "level");
		json_string(j, t->levels[i].name);
		json_key(j, "index");
		json_uint(j, t->levels[i].index);
		json_key(j, "entry_addr");
		json_addr(j, t->levels[i].entry_paddr);
		json_key(j, "entry");
		json_addr(j, t->levels[i].entry);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

int cmd_vtop(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct vmt_vma *vmas = NULL;
	size_t nr_vmas = 0;
	bool user = false;
	int pid = 0, rc = EXIT_OK, opt;
	struct json j;

	while ((opt = cmd_getopt(ctx, argc, argv, "ku:", NULL)) != -1) {
		switch (opt) {
		case 'k':
			user = false;
			break;
		case 'u':
			if (!parse_pid(optarg, &pid))
				return cmd_usage(ctx, "-u takes a PID, not '%s'",
						 optarg);
			user = true;
			break;
		case CMD_BAD_OPTION:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cmd_usage(ctx, "no ADDR");
	// A malformed address is the command line's fault: before any output.
	for (int i = optind; i < argc; i++) {
		uint64_t v;

		if (user ? !parse_hex(argv[i], &v) :
			   !address_syntax_ok(argv[i]))
			return cmd_usage(ctx, "'%s' is not %s", argv[i],
					 user ? "a user address (hex)" :
					 "an address (hex, or SYMBOL[+OFF])");
	}
	if (user) {
		const struct vmt_task *task;
		struct vmt_mm_info mm;
		struct vmt_error *err;

		err = vmt_program_task_by_pid(ctx->prog, pid, &task);
		if (err) {
			vmt_error_destroy(err);
			return cmd_fail_code(ctx, VMT_ERROR_NOT_FOUND,
					     "no such task: pid %d", pid);
		}
		// The walk works without the VMA list; say why it is missing.
		err = vmt_program_task_vmas(ctx->prog, pid, &mm, &vmas,
					    &nr_vmas);
		if (err) {
			fprintf(stderr, "vmtool: vtop: VMAs of pid %d: %s\n",
				pid, err->message);
			vmt_error_destroy(err);
		}
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	for (int i = optind; i < argc; i++) {
		struct vmt_translation t;
		struct vmt_error *err;
		uint64_t addr;
		int erc;

		err = NULL;
		if (user)
			parse_hex(argv[i], &addr);
		else
			err = resolve_address(ctx, argv[i], &addr);
		if (!err)
			err = user ? vmt_program_vtop_user(ctx->prog, pid, addr,
							   &t) :
				     vmt_program_vtop(ctx->prog, addr, &t);
		if (err) {
			erc = cmd_entry_error(ctx, &j, err, NULL);
			if (erc > rc)
				rc = erc;
			vmt_error_destroy(err);
			continue;
		}
		if (t.status != VMT_VTOP_MAPPED && rc < EXIT_NOT_FOUND)
			rc = EXIT_NOT_FOUND;
		if (ctx->json) {
			vtop_json(&j, &t, find_vma(vmas, nr_vmas, addr),
				  user ? &pid : NULL);
		} else {
			if (i > optind)
				fputc('\n', ctx->out);
			vtop_text(ctx->out, &t, find_vma(vmas, nr_vmas, addr),
				  user);
		}
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	vmt_vmas_free(vmas, nr_vmas);
	return rc;
}

int cmd_ptov(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct json j;
	int rc = EXIT_OK, opt;

	while ((opt = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		if (opt == CMD_BAD_OPTION)
			return EXIT_USAGE;
	if (optind >= argc)
		return cmd_usage(ctx, "no PADDR");
	for (int i = optind; i < argc; i++) {
		uint64_t v;

		if (!parse_hex(argv[i], &v))
			return cmd_usage(ctx, "'%s' is not a physical address (hex)",
					 argv[i]);
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	} else {
		fprintf(ctx->out, "PHYSICAL          VIRTUAL\n");
	}
	for (int i = optind; i < argc; i++) {
		struct vmt_error *err;
		uint64_t paddr, vaddr;

		parse_hex(argv[i], &paddr);
		err = vmt_program_ptov(ctx->prog, paddr, &vaddr);
		if (err) {
			int erc = cmd_entry_error(ctx, &j, err, NULL);

			if (erc > rc)
				rc = erc;
			vmt_error_destroy(err);
			continue;
		}
		if (ctx->json) {
			json_begin_object(&j);
			json_key(&j, "paddr");
			json_addr(&j, paddr);
			json_key(&j, "vaddr");
			json_addr(&j, vaddr);
			json_end_object(&j);
		} else {
			fprintf(ctx->out, "%-16" PRIx64 "  %" PRIx64 "\n", paddr,
				vaddr);
		}
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}

static void explain_value_json(struct json *j, const struct vmt_layout_item *it)
{
	switch (it->kind) {
	case VMT_LAYOUT_NUMBER:
		json_uint(j, it->number);
		break;
	case VMT_LAYOUT_ADDRESS:
		json_addr(j, it->number);
		break;
	case VMT_LAYOUT_UNKNOWN:
		json_null(j);
		break;
	default:
		json_string(j, it->value);
		break;
	}
}

int cmd_explain(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_layout_item *items;
	const char *const *notes;
	size_t n, nr_notes;
	struct vmt_error *err;
	struct json j;
	int opt;

	while ((opt = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		if (opt == CMD_BAD_OPTION)
			return EXIT_USAGE;
	if (optind < argc)
		return cmd_usage(ctx, "takes no arguments");
	err = vmt_program_explain(ctx->prog, &items, &n);
	if (err) {
		int rc = cmd_fail(ctx, err, NULL);

		vmt_error_destroy(err);
		return rc;
	}
	vmt_program_disagreements(ctx->prog, &notes, &nr_notes);
	if (!ctx->json) {
		// Notes (derivations, disagreements) are items named "note".
		for (size_t i = 0; i < n; i++)
			fprintf(ctx->out, "%-24s %-20s %s\n", items[i].name,
				items[i].value, items[i].source);
		return EXIT_OK;
	}
	json_init(&j, ctx->out);
	json_begin_object(&j);
	json_key(&j, "values");
	json_begin_array(&j);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(items[i].name, "note"))
			continue;
		json_begin_object(&j);
		json_key(&j, "name");
		json_string(&j, items[i].name);
		json_key(&j, "value");
		explain_value_json(&j, &items[i]);
		json_key(&j, "source");
		json_string(&j, items[i].source);
		json_end_object(&j);
	}
	json_end_array(&j);
	// The layout's notes, then disagreements not already among them.
	json_key(&j, "notes");
	json_begin_array(&j);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(items[i].name, "note"))
			json_string(&j, items[i].source);
	for (size_t i = 0; i < nr_notes; i++) {
		bool seen = false;

		for (size_t k = 0; k < n && !seen; k++)
			seen = !strcmp(items[k].name, "note") &&
			       !strcmp(items[k].source, notes[i]);
		if (!seen)
			json_string(&j, notes[i]);
	}
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
	return EXIT_OK;
}
