// `struct`/`union` and `whatis`: types from DWARF or BTF, their layout
// and, at an address, their values.
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "sym_out.h"
#include "value_out.h"

static const char *kind_name(enum vmt_type_kind kind)
{
	switch (kind) {
	case VMT_TYPE_STRUCT:
		return "struct";
	case VMT_TYPE_UNION:
		return "union";
	case VMT_TYPE_ENUM:
		return "enum";
	case VMT_TYPE_TYPEDEF:
		return "typedef";
	case VMT_TYPE_POINTER:
		return "pointer";
	case VMT_TYPE_ARRAY:
		return "array";
	case VMT_TYPE_INT:
		return "int";
	case VMT_TYPE_BOOL:
		return "bool";
	case VMT_TYPE_FLOAT:
		return "float";
	case VMT_TYPE_FUNCTION:
		return "function";
	case VMT_TYPE_CONST:
		return "const";
	case VMT_TYPE_VOLATILE:
		return "volatile";
	case VMT_TYPE_RESTRICT:
		return "restrict";
	case VMT_TYPE_FWD:
		return "declaration";
	default:
		return "void";
	}
}

static const struct vmt_type *strip(const struct vmt_type *t)
{
	for (int i = 0; t && i < 64; i++) {
		if (t->kind != VMT_TYPE_TYPEDEF && t->kind != VMT_TYPE_CONST &&
		    t->kind != VMT_TYPE_VOLATILE && t->kind != VMT_TYPE_RESTRICT)
			return t;
		t = t->target;
	}
	return t;
}

static uint64_t type_size(const struct vmt_type *t)
{
	t = strip(t);
	if (!t)
		return 0;
	if (t->kind == VMT_TYPE_ARRAY)
		return t->nelems * type_size(t->target);
	return t->size;
}

// The C spelling of @p t, declaring @p name when given: "struct
// list_head *next", "char comm[16]", "unsigned int", "char [16]" -- never
// with a trailing blank.
static void format_decl(const struct vmt_type *t, const char *name, char *buf,
			size_t size)
{
	char suffix[64] = "", stars[16] = "", inner[96], base[160];
	int depth = 0;

	while (t && depth < 8) {
		if (t->kind == VMT_TYPE_POINTER && strlen(stars) < 15) {
			strcat(stars, "*");
		} else if (t->kind == VMT_TYPE_ARRAY) {
			size_t len = strlen(suffix);

			snprintf(suffix + len, sizeof(suffix) - len,
				 "[%" PRIu64 "]", t->nelems);
		} else if (t->kind != VMT_TYPE_CONST &&
			   t->kind != VMT_TYPE_VOLATILE &&
			   t->kind != VMT_TYPE_RESTRICT) {
			break;
		}
		t = t->target;
		depth++;
	}
	if (snprintf(inner, sizeof(inner), "%s%s", stars, name ? name : "") >=
	    (int)sizeof(inner))
		inner[sizeof(inner) - 1] = '\0';
	if (t && t->kind == VMT_TYPE_FUNCTION) {
		char ret[256];

		format_decl(t->target, NULL, ret, sizeof(ret));
		if (snprintf(buf, size, "%s (%s)()%s", ret, inner, suffix) >=
		    (int)size)
			buf[size - 1] = '\0';
		return;
	}
	if (!t)
		snprintf(base, sizeof(base), "void");
	else if (t->kind == VMT_TYPE_STRUCT || t->kind == VMT_TYPE_UNION ||
		 t->kind == VMT_TYPE_ENUM || t->kind == VMT_TYPE_FWD)
		snprintf(base, sizeof(base), "%s %s", kind_name(t->kind),
			 t->name ? t->name : "{...}");
	else
		snprintf(base, sizeof(base), "%s", t->name ? t->name : "?");
	// "char [16]" like gdb when nothing is declared, "char *p" else. A
	// declaration longer than @p size is cut (only names that long are).
	if (snprintf(buf, size, "%s%s%s%s%s", base, inner[0] ? " " : "", inner,
		     !inner[0] && suffix[0] ? " " : "", suffix) >= (int)size)
		buf[size - 1] = '\0';
}

static bool is_anonymous_composite(const struct vmt_type_member *m)
{
	const struct vmt_type *t = strip(m->type);

	return !m->name && t &&
	       (t->kind == VMT_TYPE_STRUCT || t->kind == VMT_TYPE_UNION);
}

// Members one layout shows at most, those of anonymous members included:
// corrupt type information can share one anonymous member type many times
// over, 16 levels deep, which makes the layout exponential (fuzz_btf's
// timeout-7e50fb67 did that to member lookups). A kernel's largest struct
// shows a few hundred.
#define MAX_LAYOUT_MEMBERS 65536

// The layout: "[offset] declaration;" a member a line, anonymous structs
// and unions opened in place, as crash shows them; with @p addr (-o and an
// address) each member's address instead of its offset, as crash's -o.
// Shows *@p left members at most (counting down).
static void members_text(struct cmd_ctx *ctx, const struct vmt_type *t,
			 uint64_t base_bits, int depth, const uint64_t *addr,
			 size_t *left)
{
	FILE *out = ctx->out;
	// The width of "  [....] " for the closing brace of an opened member.
	int lead = addr ? 21 : 9;

	for (size_t i = 0; i < t->nr_members && depth < 16 && *left; i++) {
		const struct vmt_type_member *m = &t->members[i];
		const struct vmt_type *mt = strip(m->type);
		uint64_t bits = base_bits + m->bit_offset;
		char decl[256];

		--*left;

		if (addr)
			fprintf(out, "  [%016" PRIx64 "] ", *addr + bits / 8);
		else
			fprintf(out, "  [%4" PRIu64 "] ", bits / 8);
		if (is_anonymous_composite(m)) {
			fprintf(out, "%*s%s {\n", depth * 4, "",
				kind_name(mt->kind));
			members_text(ctx, mt, bits, depth + 1, addr, left);
			fprintf(out, "%*s%*s};\n", lead, "", depth * 4, "");
			continue;
		}
		format_decl(m->type, m->name ? m->name : "", decl,
			    sizeof(decl));
		fprintf(out, "%*s%s", depth * 4, "", decl);
		if (m->bit_size)
			fprintf(out, " : %u", m->bit_size);
		fputs(";\n", out);
	}
}

// The layout, and its exit code: a layout cut at MAX_LAYOUT_MEMBERS is
// shown as far as it goes and fails.
static int struct_text(struct cmd_ctx *ctx, const struct vmt_type *t,
		       const uint64_t *addr)
{
	size_t left = MAX_LAYOUT_MEMBERS;

	fprintf(ctx->out, "%s %s {\n", kind_name(t->kind),
		t->name ? t->name : "");
	members_text(ctx, t, 0, 0, addr, &left);
	if (!left)
		fputs("  ...\n", ctx->out);
	fprintf(ctx->out, "}\nSIZE: %" PRIu64 "\n", t->size);
	if (left)
		return EXIT_OK;
	return cmd_fail_code(ctx, VMT_ERROR_BAD_DATA,
			     "%s %s: layout cut after %d members (anonymous structs and unions repeat: corrupt type information?)",
			     kind_name(t->kind), t->name ? t->name : "",
			     MAX_LAYOUT_MEMBERS);
}

// Members as JSON; @p node is the struct's value tree (its children are
// the members in order), NULL without an address. *@p left members at
// most, as members_text; a cut sets *@p truncated.
static void members_json(struct cmd_ctx *ctx, struct json *j,
			 const struct vmt_type *t, uint64_t base_bits,
			 int depth, const struct vmt_value_node *node,
			 size_t *left, bool *truncated)
{
	bool have = node && node->kind == VMT_NODE_STRUCT &&
		    node->nr_children == t->nr_members;

	json_begin_array(j);
	for (size_t i = 0; i < t->nr_members && depth < 16; i++) {
		const struct vmt_type_member *m = &t->members[i];
		const struct vmt_value_node *child =
			have ? &node->children[i] : NULL;
		uint64_t bits = base_bits + m->bit_offset;
		char decl[256];

		if (!*left) {
			*truncated = true;
			break;
		}
		--*left;

		format_decl(m->type, NULL, decl, sizeof(decl));
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, m->name);
		json_key(j, "offset");
		json_uint(j, bits / 8);
		json_key(j, "bit_offset");
		json_uint(j, bits);
		json_key(j, "bit_size");
		json_uint_or_null(j, m->bit_size, m->bit_size);
		json_key(j, "size");
		json_uint(j, type_size(m->type));
		json_key(j, "type");
		json_string(j, decl);
		json_key(j, "value");
		if (child && !is_anonymous_composite(m))
			value_json(j, child, truncated);
		else
			json_null(j);
		json_key(j, "members");
		if (is_anonymous_composite(m))
			members_json(ctx, j, strip(m->type), bits, depth + 1,
				     child, left, truncated);
		else
			json_null(j);
		json_end_object(j);
	}
	json_end_array(j);
}

// Options of struct and union: -o, -x/-d and the members asked for.
struct struct_opts {
	bool offsets;
	struct vmt_format_options fmt;
	/** "se.on_rq", "pids[2]": pointers into a copy of the argument. */
	char *members[64];
	size_t nr_members;
};

// A selected member of the object at @p base (0 without an address).
struct selected {
	struct vmt_value value;
	uint64_t offset;
	struct vmt_value_node *tree;
};

// The members asked for, resolved before anything is written: a path
// that does not name a member of the type (or leaves it through a
// pointer) fails the command.
static int select_members(struct cmd_ctx *ctx, const struct vmt_type *t,
			  const uint64_t *addr, const struct struct_opts *o,
			  struct selected *sel)
{
	uint64_t base = addr ? *addr : 0, size = type_size(t);
	struct vmt_value obj;
	struct vmt_error *err;
	int rc;

	memset(&obj, 0, sizeof(obj));
	obj.type = t;
	obj.in_memory = true;
	obj.address = base;
	for (size_t i = 0; i < o->nr_members; i++) {
		struct selected *s = &sel[i];

		err = vmt_program_value_member(ctx->prog, &obj, o->members[i],
					       &s->value);
		if (err) {
			rc = cmd_fail(ctx, err, "%s", o->members[i]);
			vmt_error_destroy(err);
			return rc;
		}
		if (s->value.address < base || s->value.address - base >= size)
			return cmd_usage(ctx, "%s leaves the %s (through a pointer)",
					 o->members[i], kind_name(t->kind));
		s->offset = s->value.address - base;
		if (!addr)
			continue;
		err = vmt_program_value_tree(ctx->prog, &s->value, &o->fmt,
					     &s->tree);
		if (err) {
			rc = cmd_fail(ctx, err, "%s at %#" PRIx64,
				      o->members[i], s->value.address);
			vmt_error_destroy(err);
			return rc;
		}
	}
	return EXIT_OK;
}

static void selected_json(struct json *j, const struct struct_opts *o,
			  const struct selected *sel, bool *truncated)
{
	json_begin_array(j);
	for (size_t i = 0; i < o->nr_members; i++) {
		const struct selected *s = &sel[i];
		char decl[256];

		format_decl(s->value.type, NULL, decl, sizeof(decl));
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, o->members[i]);
		json_key(j, "offset");
		json_uint(j, s->offset);
		json_key(j, "bit_offset");
		json_uint(j, s->offset * 8 + s->value.bit_offset);
		json_key(j, "bit_size");
		json_uint_or_null(j, s->value.bit_size, s->value.bit_size);
		json_key(j, "size");
		json_uint(j, type_size(s->value.type));
		json_key(j, "type");
		json_string(j, decl);
		json_key(j, "value");
		if (s->tree)
			value_json(j, s->tree, truncated);
		else
			json_null(j);
		json_key(j, "members");
		json_null(j);
		json_end_object(j);
	}
	json_end_array(j);
}

// The type result of struct, union and whatis (schema/type.schema.json):
// the members asked for (all by default), with values at @p addr.
static void type_json(struct cmd_ctx *ctx, struct json *j,
		      const struct vmt_type *t, const uint64_t *addr,
		      const struct vmt_value_node *tree,
		      const struct struct_opts *o, const struct selected *sel)
{
	bool composite = t->kind == VMT_TYPE_STRUCT ||
			 t->kind == VMT_TYPE_UNION;
	bool refers = t->kind == VMT_TYPE_TYPEDEF ||
		      t->kind == VMT_TYPE_POINTER ||
		      t->kind == VMT_TYPE_ARRAY || t->kind == VMT_TYPE_CONST ||
		      t->kind == VMT_TYPE_VOLATILE ||
		      t->kind == VMT_TYPE_RESTRICT;
	size_t left = MAX_LAYOUT_MEMBERS;
	bool truncated = false;

	json_begin_object(j);
	json_key(j, "name");
	json_string(j, t->name);
	json_key(j, "kind");
	json_string(j, kind_name(t->kind));
	json_key(j, "size");
	json_uint(j, type_size(t));
	json_key(j, "source");
	json_string(j, vmt_program_type_source(ctx->prog));
	json_key(j, "address");
	json_addr_or_null(j, addr != NULL, addr ? *addr : 0);
	json_key(j, "target");
	if (refers) {
		char decl[256];

		format_decl(t->kind == VMT_TYPE_TYPEDEF ? t->target : t, NULL,
			    decl, sizeof(decl));
		json_string(j, decl);
	} else {
		json_null(j);
	}
	json_key(j, "enumerators");
	if (t->kind == VMT_TYPE_ENUM) {
		json_begin_array(j);
		for (size_t i = 0; i < t->nr_enumerators; i++) {
			json_begin_object(j);
			json_key(j, "name");
			json_string(j, t->enumerators[i].name);
			json_key(j, "value");
			json_int(j, t->enumerators[i].value);
			json_end_object(j);
		}
		json_end_array(j);
	} else {
		json_null(j);
	}
	json_key(j, "members");
	if (o && o->nr_members)
		selected_json(j, o, sel, &truncated);
	else if (composite)
		members_json(ctx, j, t, 0, 0, tree, &left, &truncated);
	else
		json_null(j);
	json_end_object(j);
}

// "  name = value" a member asked for, as crash prints them.
static int selected_text(struct cmd_ctx *ctx, const struct vmt_type *t,
			 const uint64_t *addr, const struct struct_opts *o,
			 const struct selected *sel)
{
	if (!addr) {
		fprintf(ctx->out, "%s %s {\n", kind_name(t->kind),
			t->name ? t->name : "");
		for (size_t i = 0; i < o->nr_members; i++) {
			char decl[256];

			format_decl(sel[i].value.type, o->members[i], decl,
				    sizeof(decl));
			fprintf(ctx->out, "  [%4" PRIu64 "] %s", sel[i].offset,
				decl);
			if (sel[i].value.bit_size)
				fprintf(ctx->out, " : %u",
					sel[i].value.bit_size);
			fputs(";\n", ctx->out);
		}
		fputs("}\n", ctx->out);
		return EXIT_OK;
	}
	for (size_t i = 0; i < o->nr_members; i++) {
		struct vmt_error *err;
		char *text;
		int rc;

		err = vmt_value_node_format(sel[i].tree, &o->fmt, 2, &text);
		if (err) {
			rc = cmd_fail(ctx, err, "%s", o->members[i]);
			vmt_error_destroy(err);
			return rc;
		}
		fprintf(ctx->out, "  %s = %s%s\n", o->members[i], text,
			i + 1 < o->nr_members ? "," : "");
		free(text);
	}
	return EXIT_OK;
}

// NAME[.MEMBER[,MEMBER...]] into the type name and o->members (pointing
// into @p spec, which is modified).
static bool split_struct_spec(char *spec, struct struct_opts *o)
{
	char *dot = strchr(spec, '.');

	if (!dot)
		return true;
	*dot = '\0';
	for (char *m = strtok(dot + 1, ","); m; m = strtok(NULL, ",")) {
		if (o->nr_members == sizeof(o->members) / sizeof(o->members[0]))
			return false;
		o->members[o->nr_members++] = m;
	}
	return o->nr_members > 0 && spec[0];
}

// crash's SYMBOL:CPU, a per-CPU variable's copy on a CPU.
static bool per_cpu_syntax(const char *text)
{
	const char *colon = strchr(text, ':');
	uint64_t cpu;

	return colon && colon != text && parse_number(colon + 1, &cpu);
}

static int per_cpu_address(struct cmd_ctx *ctx, const char *text,
			   uint64_t *ret)
{
	const char *colon = strchr(text, ':');
	struct vmt_error *err;
	char name[128];
	uint64_t cpu;
	int rc;

	parse_number(colon + 1, &cpu);
	snprintf(name, sizeof(name), "%.*s", (int)(colon - text), text);
	err = vmt_program_per_cpu_address(ctx->prog, name,
					  (unsigned int)cpu, ret);
	if (!err)
		return EXIT_OK;
	rc = cmd_fail(ctx, err, "%s", text);
	vmt_error_destroy(err);
	return rc;
}

int cmd_struct(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct struct_opts o = { 0 };
	struct selected sel[64];
	struct vmt_value_node *tree = NULL;
	const struct vmt_type *t;
	struct vmt_error *err;
	char name[300], spec[256];
	const uint64_t *at = NULL;
	uint64_t addr;
	int rc = EXIT_OK, opt;

	while ((opt = cmd_getopt(ctx, argc, argv, "oxd", NULL)) != -1) {
		switch (opt) {
		case 'o':
			o.offsets = true;
			break;
		case 'x':
			o.fmt.hex = true;
			break;
		case 'd':
			o.fmt.hex = false;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cmd_usage(ctx, "no NAME");
	if (argc - optind > 2)
		return cmd_usage(ctx, "unexpected argument '%s'", argv[optind + 2]);
	if (argc - optind == 2 && !address_syntax_ok(argv[optind + 1]) &&
	    !per_cpu_syntax(argv[optind + 1]))
		return cmd_usage(ctx, "'%s' is not an address (hex, SYMBOL[+OFF] or PERCPU_SYMBOL:CPU)",
				 argv[optind + 1]);
	snprintf(spec, sizeof(spec), "%s", argv[optind]);
	if (!split_struct_spec(spec, &o))
		return cmd_usage(ctx, "'%s' is not NAME[.MEMBER[,MEMBER...]]",
				 argv[optind]);
	snprintf(name, sizeof(name), "%s %s", argv[0], spec);
	err = vmt_program_find_type(ctx->prog, name, &t);
	if (err) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
		return rc;
	}
	if (argc - optind == 2) {
		if (per_cpu_syntax(argv[optind + 1])) {
			rc = per_cpu_address(ctx, argv[optind + 1], &addr);
			if (rc != EXIT_OK)
				return rc;
		} else if (!parse_address(ctx, argv[optind + 1], &addr, &rc)) {
			return rc;
		}
		at = &addr;
	}
	memset(sel, 0, sizeof(sel));
	rc = select_members(ctx, t, at, &o, sel);
	if (rc != EXIT_OK)
		goto out;
	if (at && !o.nr_members && (ctx->json || !o.offsets)) {
		struct vmt_value v;

		memset(&v, 0, sizeof(v));
		v.type = t;
		v.in_memory = true;
		v.address = addr;
		err = vmt_program_value_tree(ctx->prog, &v, &o.fmt, &tree);
		if (err) {
			rc = cmd_fail(ctx, err, "%s at %#" PRIx64, name, addr);
			vmt_error_destroy(err);
			goto out;
		}
	}
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		type_json(ctx, &j, t, at, tree, &o, sel);
		json_finish(&j);
	} else if (o.nr_members) {
		rc = selected_text(ctx, t, at, &o, sel);
	} else if (tree) {
		char *text;

		err = vmt_value_node_format(tree, &o.fmt, 0, &text);
		if (err) {
			rc = cmd_fail(ctx, err, NULL);
			vmt_error_destroy(err);
			goto out;
		}
		fprintf(ctx->out, "%s %s %s\n", kind_name(t->kind),
			t->name ? t->name : "", text);
		free(text);
	} else {
		rc = struct_text(ctx, t, o.offsets ? at : NULL);
	}
out:
	vmt_value_node_destroy(tree);
	for (size_t i = 0; i < o.nr_members; i++)
		vmt_value_node_destroy(sel[i].tree);
	return rc;
}

// Exit code as struct_text's.
static int type_text(struct cmd_ctx *ctx, const struct vmt_type *t)
{
	const struct vmt_type *s = strip(t);
	char decl[256];

	if (s && (s->kind == VMT_TYPE_STRUCT || s->kind == VMT_TYPE_UNION)) {
		if (t->kind == VMT_TYPE_TYPEDEF)
			fprintf(ctx->out, "typedef %s %s %s;\n",
				kind_name(s->kind), s->name ? s->name : "{...}",
				t->name ? t->name : "");
		return struct_text(ctx, s, NULL);
	}
	if (t->kind == VMT_TYPE_ENUM) {
		fprintf(ctx->out, "enum %s {\n", t->name ? t->name : "");
		for (size_t i = 0; i < t->nr_enumerators; i++)
			fprintf(ctx->out, "  %s = %" PRId64 ",\n",
				t->enumerators[i].name,
				t->enumerators[i].value);
		fprintf(ctx->out, "}\nSIZE: %" PRIu64 "\n", t->size);
		return EXIT_OK;
	}
	if (t->kind == VMT_TYPE_TYPEDEF) {
		format_decl(t->target, t->name, decl, sizeof(decl));
		fprintf(ctx->out, "typedef %s;\nSIZE: %" PRIu64 "\n", decl,
			type_size(t));
		return EXIT_OK;
	}
	format_decl(t, NULL, decl, sizeof(decl));
	fprintf(ctx->out, "%s\nSIZE: %" PRIu64 "\n", decl, type_size(t));
	return EXIT_OK;
}

int cmd_whatis(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_type *t;
	char name[256];
	struct vmt_symbol sym;
	struct vmt_error *err;
	struct json j;
	int opt;

	while ((opt = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		if (opt == CMD_BAD_OPTION)
			return EXIT_USAGE;
	// "whatis struct task_struct" as two words, as crash takes it.
	if (argc - optind == 2 && (!strcmp(argv[optind], "struct") ||
				   !strcmp(argv[optind], "union") ||
				   !strcmp(argv[optind], "enum"))) {
		snprintf(name, sizeof(name), "%s %s", argv[optind],
			 argv[optind + 1]);
	} else if (argc - optind == 1) {
		snprintf(name, sizeof(name), "%s", argv[optind]);
	} else {
		return cmd_usage(ctx, "takes one NAME");
	}
	json_init(&j, ctx->out);
	err = vmt_program_find_type(ctx->prog, name, &t);
	if (!err) {
		if (ctx->json) {
			json_begin_object(&j);
			json_key(&j, "kind");
			json_string(&j, "type");
			json_key(&j, "type");
			type_json(ctx, &j, t, NULL, NULL, NULL, NULL);
			json_end_object(&j);
			json_finish(&j);
			return EXIT_OK;
		}
		return type_text(ctx, t);
	}
	vmt_error_destroy(err);
	if (whatis_variable(ctx, name) >= 0)
		return EXIT_OK;
	err = vmt_program_symbol_by_name(ctx->prog, name, &sym);
	if (err) {
		vmt_error_destroy(err);
		return cmd_fail_code(ctx, VMT_ERROR_NOT_FOUND,
				     "%s is neither a type nor a symbol", name);
	}
	if (ctx->json) {
		json_begin_object(&j);
		json_key(&j, "kind");
		json_string(&j, "symbol");
		json_key(&j, "symbol");
		sym_json(&j, &sym, NULL, NULL);
		json_end_object(&j);
		json_finish(&j);
	} else {
		sym_text(ctx->out, &sym, NULL, NULL);
	}
	return EXIT_OK;
}
