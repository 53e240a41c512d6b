// `mod [NAME...]`: loaded modules, crash style.
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void mod_json(struct json *j, const struct vmt_module *m)
{
	json_begin_object(j);
	json_key(j, "name");
	json_string(j, m->name);
	json_key(j, "module");
	json_addr(j, m->module);
	json_key(j, "base");
	json_addr(j, m->base);
	json_key(j, "size");
	json_uint(j, m->size);
	json_key(j, "state");
	json_string(j, m->state);
	json_key(j, "refcount");
	if (m->refcount >= 0)
		json_int(j, m->refcount);
	else
		json_null(j);
	json_key(j, "taints");
	json_string(j, m->taint_flags);
	json_key(j, "symbols");
	json_uint(j, m->nr_symbols);
	json_key(j, "mem");
	json_begin_array(j);
	for (int i = 0; i < VMT_MODULE_MEM_COUNT; i++) {
		if (!m->mem[i].size)
			continue;
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, m->mem[i].name);
		json_key(j, "base");
		json_addr(j, m->mem[i].base);
		json_key(j, "size");
		json_uint(j, m->mem[i].size);
		json_end_object(j);
	}
	json_end_array(j);
	// vmtool reads no module object files: symbols come from the dump.
	json_key(j, "object_file");
	json_null(j);
	json_end_object(j);
}

static void mod_text(struct cmd_ctx *ctx, const struct vmt_module *m)
{
	fprintf(ctx->out, "%016" PRIx64 "  %-18s  %016" PRIx64 "  %7" PRIu64
			  "  (not loaded)  [CONFIG_KALLSYMS]",
		m->module, m->name, m->base, m->size);
	if (strcmp(m->state, "Live"))
		fprintf(ctx->out, "  %s", m->state);
	if (m->taint_flags[0])
		fprintf(ctx->out, "  (%s)", m->taint_flags);
	fputc('\n', ctx->out);
}

int cmd_mod(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	const struct vmt_module *mods;
	struct vmt_error *err;
	int rc = EXIT_OK, c;
	struct json j = { 0 };
	size_t n;

	opterr = 0; // cmd_usage() reports unknown options
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		return cmd_usage(ctx, "unknown option '%s'", argv[optind - 1]);
	err = vmt_program_modules(ctx->prog, &mods, &n);
	if (err && !n) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	} else {
		fprintf(ctx->out, "     MODULE        NAME                       "
				  "BASE          SIZE  OBJECT FILE\n");
	}
	if (optind >= argc) {
		for (size_t i = 0; i < n; i++) {
			if (ctx->json)
				mod_json(&j, &mods[i]);
			else
				mod_text(ctx, &mods[i]);
		}
	}
	for (int a = optind; a < argc; a++) {
		const struct vmt_module *m;
		struct vmt_error *e =
			vmt_program_module_by_name(ctx->prog, argv[a], &m);

		if (e) {
			rc = cmd_entry_error(ctx, &j, e, "%s", argv[a]);
			vmt_error_destroy(e);
		} else if (ctx->json) {
			mod_json(&j, m);
		} else {
			mod_text(ctx, m);
		}
	}
	// A broken list: what was read, then the error naming the break.
	if (err) {
		rc = cmd_entry_error(ctx, &j, err, "module list");
		vmt_error_destroy(err);
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}
