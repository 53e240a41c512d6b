// `vtop`, `ptov` and `explain`.
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void print_size(uint64_t size)
{
	if (size >= (1ull << 30))
		printf("%" PRIu64 " GiB", size >> 30);
	else if (size >= (1ull << 20))
		printf("%" PRIu64 " MiB", size >> 20);
	else
		printf("%" PRIu64 " KiB", size >> 10);
}

static const struct vmt_vma *find_vma(const struct vmt_vma *vmas, size_t n,
				      uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (vmas[i].start <= addr && addr < vmas[i].end)
			return &vmas[i];
	return NULL;
}

static void vtop_text(const struct vmt_translation *t, const struct vmt_vma *vma,
		      bool user)
{
	printf("VIRTUAL           PHYSICAL\n");
	printf("%-16" PRIx64 "  ", t->vaddr);
	if (t->has_paddr)
		printf("%" PRIx64, t->paddr);
	else
		printf("(%s)", vmt_vtop_status_name(t->status));
	printf("\n\n");
	if (t->region)
		printf("  REGION: %s\n", t->region);
	if (vma)
		printf("     VMA: %" PRIx64 " %" PRIx64 "-%" PRIx64 " %s %s\n",
		       vma->vma, vma->start, vma->end, vma->perms,
		       vma->path ? vma->path : "");
	else if (user)
		printf("     VMA: none holds this address\n");
	for (int i = 0; i < t->nr_levels; i++) {
		const struct vmt_pt_level *l = &t->levels[i];
		char name[8] = "";

		for (size_t c = 0; c < sizeof(name) - 1 && l->name[c]; c++)
			name[c] = (char)toupper((unsigned char)l->name[c]);
		printf("  %6s: %" PRIx64 " [%u] => %016" PRIx64 "\n", name,
		       l->entry_paddr, l->index, l->entry);
	}
	printf("  STATUS: %s", vmt_vtop_status_name(t->status));
	if (t->status == VMT_VTOP_SWAP)
		printf(" (type %" PRIu64 ", offset %#" PRIx64 ")", t->swap_type,
		       t->swap_offset);
	printf("\n");
	if (t->page_size) {
		printf("    PAGE: %" PRIx64 " (",
		       t->paddr & ~(t->page_size - 1));
		print_size(t->page_size);
		printf(")\n");
	}
	if (t->has_file_offset)
		printf("    FILE: %s offset %#" PRIx64 "%s\n", t->file,
		       t->file_offset,
		       t->file_offset_compressed ?
			       " (start of the compressed page)" : "");
	else if (t->has_paddr)
		printf("    FILE: %s\n", t->status == VMT_VTOP_EXCLUDED ?
					     "excluded from the dump" :
					     "not in dump");
	if (t->has_formula_paddr)
		printf(" FORMULA: %" PRIx64 " (%s)\n", t->formula_paddr,
		       t->has_paddr && t->formula_paddr == t->paddr ?
			       "agrees with the walk" : "DISAGREES with the walk");
	if (t->note[0])
		printf("    NOTE: %s\n", t->note);
}

static void vtop_json(struct json *j, const struct vmt_translation *t,
		      const struct vmt_vma *vma, bool user)
{
	json_begin_object(j);
	json_key(j, "vaddr");
	json_addr(j, t->vaddr);
	json_key(j, "paddr");
	if (t->has_paddr)
		json_addr(j, t->paddr);
	else
		json_null(j);
	json_key(j, "status");
	json_string(j, vmt_vtop_status_name(t->status));
	json_key(j, "file");
	json_string(j, t->has_file_offset ? t->file : NULL);
	json_key(j, "file_offset");
	if (t->has_file_offset)
		json_addr(j, t->file_offset);
	else
		json_null(j);
	json_key(j, "file_offset_compressed");
	json_bool(j, t->file_offset_compressed);
	json_key(j, "page_size");
	json_uint(j, t->page_size);
	json_key(j, "region");
	json_string(j, t->region);
	if (t->has_formula_paddr) {
		json_key(j, "formula_paddr");
		json_addr(j, t->formula_paddr);
	}
	if (t->status == VMT_VTOP_SWAP) {
		json_key(j, "swap_type");
		json_uint(j, t->swap_type);
		json_key(j, "swap_offset");
		json_addr(j, t->swap_offset);
	}
	if (user) {
		json_key(j, "vma");
		if (vma)
			json_addr(j, vma->vma);
		else
			json_null(j);
	}
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
	uint64_t pid = 0;
	int rc = EXIT_OK, first = 1;
	struct json j;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "-k")) {
			user = false;
		} else if (!strcmp(argv[first], "-u")) {
			if (++first >= argc || !parse_number(argv[first], &pid))
				return usage_error("vtop", "-u takes a PID");
			user = true;
		} else {
			return usage_error("vtop", "unknown option %s",
					   argv[first]);
		}
	}
	if (first >= argc)
		return usage_error("vtop", "usage: vtop [-k|-u PID] ADDR...");
	if (user) {
		struct vmt_mm_info mm;
		struct vmt_error *err = vmt_program_task_vmas(
			ctx->prog, (int)pid, &mm, &vmas, &nr_vmas);

		// The walk works without the VMA list; say why it is missing.
		if (err) {
			fprintf(stderr, "vmtool: vtop: VMAs of pid %d: %s\n",
				(int)pid, err->message);
			vmt_error_destroy(err);
		}
	}
	if (ctx->json) {
		json_init(&j, stdout);
		json_begin_array(&j);
	}
	for (int i = first; i < argc; i++) {
		struct vmt_translation t;
		struct vmt_error *err;
		uint64_t addr;
		int arc;

		if (user ? !parse_hex(argv[i], &addr) :
			   !parse_address(ctx, argv[i], &addr, &arc)) {
			rc = user ? usage_error("vtop", "bad address '%s'",
						argv[i]) : arc;
			if (ctx->json)
				json_null(&j);
			continue;
		}
		err = user ? vmt_program_vtop_user(ctx->prog, (int)pid, addr,
						   &t) :
			     vmt_program_vtop(ctx->prog, addr, &t);
		if (err) {
			int erc = report_error(err, "vtop");

			if (erc > rc)
				rc = erc;
			vmt_error_destroy(err);
			if (ctx->json)
				json_null(&j);
			continue;
		}
		if (t.status != VMT_VTOP_MAPPED && rc < EXIT_NOT_FOUND)
			rc = EXIT_NOT_FOUND;
		if (ctx->json) {
			vtop_json(&j, &t, find_vma(vmas, nr_vmas, addr), user);
		} else {
			if (i > first)
				printf("\n");
			vtop_text(&t, find_vma(vmas, nr_vmas, addr), user);
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
	int rc = EXIT_OK;

	if (argc < 2)
		return usage_error("ptov", "usage: ptov PADDR...");
	if (ctx->json) {
		json_init(&j, stdout);
		json_begin_array(&j);
	} else {
		printf("PHYSICAL          VIRTUAL\n");
	}
	for (int i = 1; i < argc; i++) {
		struct vmt_error *err;
		uint64_t paddr, vaddr;

		if (!parse_hex(argv[i], &paddr))
			return usage_error("ptov", "bad address '%s'", argv[i]);
		err = vmt_program_ptov(ctx->prog, paddr, &vaddr);
		if (err) {
			rc = report_error(err, "ptov");
			vmt_error_destroy(err);
			break;
		}
		if (ctx->json) {
			json_begin_object(&j);
			json_key(&j, "paddr");
			json_addr(&j, paddr);
			json_key(&j, "vaddr");
			json_addr(&j, vaddr);
			json_end_object(&j);
		} else {
			printf("%-16" PRIx64 "  %" PRIx64 "\n", paddr, vaddr);
		}
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}

int cmd_explain(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_layout_item *items;
	const char *const *notes;
	size_t n, nr_notes;
	struct vmt_error *err;
	struct json j;

	if (argc > 1)
		return usage_error("explain", "takes no arguments");
	err = vmt_program_explain(ctx->prog, &items, &n);
	if (err) {
		int rc = report_error(err, "explain");

		vmt_error_destroy(err);
		return rc;
	}
	vmt_program_disagreements(ctx->prog, &notes, &nr_notes);
	if (ctx->json) {
		json_init(&j, stdout);
		json_begin_object(&j);
		json_key(&j, "values");
		json_begin_array(&j);
		for (size_t i = 0; i < n; i++) {
			json_begin_object(&j);
			json_key(&j, "name");
			json_string(&j, items[i].name);
			json_key(&j, "value");
			json_string(&j, items[i].value);
			json_key(&j, "source");
			json_string(&j, items[i].source);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_key(&j, "notes");
		json_begin_array(&j);
		for (size_t i = 0; i < nr_notes; i++)
			json_string(&j, notes[i]);
		json_end_array(&j);
		json_end_object(&j);
		json_finish(&j);
		return EXIT_OK;
	}
	// Notes (derivations, disagreements) are items named "note".
	for (size_t i = 0; i < n; i++)
		printf("%-24s %-20s %s\n", items[i].name, items[i].value,
		       items[i].source);
	return EXIT_OK;
}
