// `p [-x|-d] EXPR`: a C expression's value with its type, as crash's p
// (gdb's print) shows it; and the variable half of `whatis`.
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "value_out.h"

// The words after the options, joined: p takes one expression, spaces
// and all ("p * init_mm.pgd").
static char *join_words(int argc, char **argv)
{
	size_t n = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	s = malloc(n);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

// The variable an expression names ("runqueues" of "runqueues:a").
static void variable_name(const char *expr, char *buf, size_t size)
{
	size_t n;

	expr += strspn(expr, " \t");
	n = strcspn(expr, ": \t");
	snprintf(buf, size, "%.*s", (int)n, expr);
}

static void type_json(struct json *j, const struct vmt_type *t)
{
	char decl[256];

	if (!t) {
		json_null(j);
		return;
	}
	vmt_type_declaration(t, NULL, decl, sizeof(decl));
	json_string(j, decl);
}

// Every CPU's address of a per-CPU variable, and its value with :a.
static int per_cpu_output(struct cmd_ctx *ctx, const char *expr,
			  const struct vmt_eval_result *r,
			  const struct vmt_format_options *opts,
			  struct json *j)
{
	char name[128], decl[300];
	int rc = EXIT_OK;

	variable_name(expr, name, sizeof(name));
	if (!ctx->json) {
		if (!r->per_cpu_all) {
			vmt_type_declaration(r->value.type, name, decl,
					     sizeof(decl));
			fprintf(ctx->out, "PER-CPU DATA TYPE:\n  %s;\n",
				r->value.type ? decl : name);
			fprintf(ctx->out, "PER-CPU ADDRESSES:\n");
		}
	} else {
		json_key(j, "per_cpu");
		json_begin_array(j);
	}
	for (unsigned int cpu = 0; cpu < r->nr_cpus; cpu++) {
		uint64_t addr = r->per_cpu_addresses[cpu];
		struct vmt_value_node *tree = NULL;
		struct vmt_error *err = NULL;
		struct vmt_value v;
		char *text = NULL;

		if (r->per_cpu_all && addr && r->value.type) {
			memset(&v, 0, sizeof(v));
			v.type = r->value.type;
			v.in_memory = true;
			v.address = addr;
			err = value_text(ctx->prog, &v, opts, 0, false, &text,
					 &tree);
		}
		if (ctx->json) {
			bool truncated = false;

			json_begin_object(j);
			json_key(j, "cpu");
			json_uint(j, cpu);
			json_key(j, "address");
			if (addr)
				json_addr(j, addr);
			else
				json_null(j);
			json_key(j, "value");
			if (tree)
				value_json(j, tree, &truncated);
			else
				json_null(j);
			json_key(j, "text");
			if (text)
				json_string(j, text);
			else
				json_null(j);
			json_end_object(j);
		} else if (!r->per_cpu_all) {
			if (addr)
				fprintf(ctx->out, "  [%u]: %" PRIx64 "\n", cpu,
					addr);
			else
				fprintf(ctx->out, "  [%u]: (unknown)\n", cpu);
		} else if (text) {
			fprintf(ctx->out, "per_cpu(%s, %u) = %s\n", name, cpu,
				text);
		}
		if (!addr || err) {
			if (!ctx->json || err)
				fprintf(stderr, "vmtool: p: CPU %u: %s\n", cpu,
					err ? err->message :
					      "its per-CPU area is unknown");
			rc = EXIT_NOT_FOUND;
		}
		vmt_error_destroy(err);
		vmt_value_node_destroy(tree);
		free(text);
	}
	if (ctx->json)
		json_end_array(j);
	return rc;
}

int cmd_p(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	struct vmt_format_options opts = { 0 };
	int saved_opterr = opterr;
	struct vmt_value_node *tree = NULL;
	struct vmt_eval_result r;
	struct vmt_error *err;
	char *expr, *text = NULL, name[128];
	int opt, rc = EXIT_OK;
	bool truncated = false;
	struct json j;

	// '+': the options come first, since the expression's words may
	// start with '-' ("p init_task ->mm", "p -1").
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+xd", longopts, NULL)) != -1) {
		switch (opt) {
		case 'x':
			opts.hex = true;
			break;
		case 'd':
			opts.hex = false;
			break;
		default:
			opterr = saved_opterr;
			if (optopt)
				return cmd_usage(ctx, "unknown option '-%c'",
						 optopt);
			return cmd_usage(ctx, "unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	opterr = saved_opterr;
	if (optind >= argc)
		return cmd_usage(ctx, "no expression");
	expr = join_words(argc - optind, argv + optind);
	if (!expr)
		return cmd_fail(ctx, &vmt_enomem, NULL);
	err = vmt_program_eval(ctx->prog, expr, &r);
	if (!err && !r.per_cpu)
		err = value_text(ctx->prog, &r.value, &opts, 0, false, &text,
				 &tree);
	if (err) {
		rc = cmd_fail(ctx, err, "%s", expr);
		vmt_error_destroy(err);
		vmt_eval_result_deinit(&r);
		free(expr);
		return rc;
	}
	variable_name(expr, name, sizeof(name));
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_object(&j);
		json_key(&j, "expression");
		json_string(&j, expr);
		json_key(&j, "label");
		json_string(&j, r.label);
		json_key(&j, "variable");
		if (r.is_variable)
			json_string(&j, name);
		else
			json_null(&j);
		json_key(&j, "type");
		type_json(&j, r.note[0] ? NULL : r.value.type);
		json_key(&j, "type_source");
		if (r.type_source)
			json_string(&j, r.type_source);
		else
			json_null(&j);
		json_key(&j, "address");
		if (r.value.in_memory)
			json_addr(&j, r.value.address);
		else
			json_null(&j);
		json_key(&j, "value");
		if (tree)
			value_json(&j, tree, &truncated);
		else
			json_null(&j);
		json_key(&j, "text");
		if (text)
			json_string(&j, text);
		else
			json_null(&j);
		json_key(&j, "truncated");
		json_bool(&j, truncated);
		json_key(&j, "note");
		if (r.note[0])
			json_string(&j, r.note);
		else
			json_null(&j);
		if (r.per_cpu) {
			rc = per_cpu_output(ctx, expr, &r, &opts, &j);
		} else {
			json_key(&j, "per_cpu");
			json_null(&j);
		}
		json_end_object(&j);
		json_finish(&j);
	} else if (r.per_cpu) {
		rc = per_cpu_output(ctx, expr, &r, &opts, NULL);
	} else {
		fprintf(ctx->out, "%s = %s\n", r.label, text);
		if (r.note[0])
			fprintf(ctx->out, "  (%s)\n", r.note);
	}
	vmt_value_node_destroy(tree);
	free(text);
	vmt_eval_result_deinit(&r);
	free(expr);
	return rc;
}

int whatis_variable(struct cmd_ctx *ctx, const char *name)
{
	const struct vmt_type *t;
	const char *source;
	struct vmt_symbol sym;
	char decl[300];
	bool per_cpu = false, have_sym;
	struct vmt_error *err;

	err = vmt_program_variable_type(ctx->prog, name, &t, &source,
					&per_cpu);
	if (err) {
		vmt_error_destroy(err);
		return -1;
	}
	err = vmt_program_symbol_by_name(ctx->prog, name, &sym);
	have_sym = !err;
	vmt_error_destroy(err);
	vmt_type_declaration(t, name, decl, sizeof(decl));
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_begin_object(&j);
		json_key(&j, "kind");
		json_string(&j, "variable");
		json_key(&j, "variable");
		json_begin_object(&j);
		json_key(&j, "name");
		json_string(&j, name);
		json_key(&j, "declaration");
		json_string(&j, decl);
		json_key(&j, "type");
		type_json(&j, t);
		json_key(&j, "type_source");
		json_string(&j, source);
		json_key(&j, "address");
		json_addr_or_null(&j, have_sym, sym.address);
		json_key(&j, "per_cpu");
		json_bool(&j, per_cpu);
		json_end_object(&j);
		json_end_object(&j);
		json_finish(&j);
	} else {
		fprintf(ctx->out, "%s;%s\n", decl,
			per_cpu ? "  (per-CPU: p NAME lists each CPU's copy)" :
				  "");
	}
	return EXIT_OK;
}
