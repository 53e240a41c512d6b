// `sym`, `struct`/`union` and `whatis`.
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static bool looks_like_address(const char *s)
{
	uint64_t v;

	// Symbols are names; an address is hex with 0x, or all hex digits
	// and long enough not to be a short name such as "add".
	if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
		return parse_hex(s, &v);
	return strlen(s) >= 8 && parse_hex(s, &v);
}

// A word written as a number that is no hex address: a usage error.
static bool malformed_address(const char *s)
{
	uint64_t v;

	return isdigit((unsigned char)s[0]) && !parse_hex(s, &v);
}

// @p offset and @p query: for a lookup by address, the offset into the
// symbol and the address asked (tags and PAC bits included).
static void sym_json(struct json *j, const struct vmt_symbol *sym,
		     const uint64_t *offset, const uint64_t *query)
{
	char type[2] = { sym->type, '\0' };

	json_begin_object(j);
	json_key(j, "name");
	json_string(j, sym->name);
	json_key(j, "address");
	json_addr(j, sym->address);
	json_key(j, "type");
	json_string(j, type);
	json_key(j, "size");
	json_uint_or_null(j, sym->size, sym->size);
	json_key(j, "source");
	json_string(j, sym->source);
	json_key(j, "module");
	json_string(j, sym->module);
	json_key(j, "offset");
	json_uint_or_null(j, offset != NULL, offset ? *offset : 0);
	json_key(j, "query");
	if (query)
		json_addr(j, *query);
	else
		json_null(j);
	json_end_object(j);
}

// By address, the address asked beside name+offset (crash's form) and
// where the symbol starts; by name, the symbol's address.
static void sym_text(FILE *out, const struct vmt_symbol *sym,
		     const uint64_t *offset, const uint64_t *query)
{
	fprintf(out, "%016" PRIx64 " (%c) %s", query ? *query : sym->address,
		sym->type, sym->name);
	if (offset && *offset)
		fprintf(out, "+%#" PRIx64, *offset);
	if (sym->module)
		fprintf(out, " [%s]", sym->module);
	if (offset && *offset)
		fprintf(out, "  at %016" PRIx64, sym->address);
	if (sym->size)
		fprintf(out, "  size %" PRIu64, sym->size);
	fprintf(out, "  from %s\n", sym->source);
}

int cmd_sym(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct json j;
	int rc = EXIT_OK, opt;

	while ((opt = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		if (opt == CMD_BAD_OPTION)
			return EXIT_USAGE;
	if (optind >= argc)
		return cmd_usage(ctx, "no NAME or ADDR");
	for (int i = optind; i < argc; i++)
		if (malformed_address(argv[i]) ||
		    ((!strncmp(argv[i], "0x", 2) || !strncmp(argv[i], "0X", 2)) &&
		     !looks_like_address(argv[i])))
			return cmd_usage(ctx, "'%s' is not an address (hex)",
					 argv[i]);
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	for (int i = optind; i < argc; i++) {
		struct vmt_symbol sym;
		struct vmt_error *err;
		uint64_t addr, offset = 0;
		bool by_addr = looks_like_address(argv[i]);

		if (by_addr) {
			parse_hex(argv[i], &addr);
			err = vmt_program_symbol_by_addr(ctx->prog, addr, &sym,
							 &offset);
		} else {
			err = vmt_program_symbol_by_name(ctx->prog, argv[i],
							 &sym);
		}
		if (err) {
			int erc = cmd_entry_error(ctx, &j, err, NULL);

			if (erc > rc)
				rc = erc;
			vmt_error_destroy(err);
			continue;
		}
		if (ctx->json)
			sym_json(&j, &sym, by_addr ? &offset : NULL,
				 by_addr ? &addr : NULL);
		else
			sym_text(ctx->out, &sym, by_addr ? &offset : NULL,
				 by_addr ? &addr : NULL);
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}

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

// A member's scalar (integer, bool, enum, pointer) read at @p addr.
static bool read_scalar(struct cmd_ctx *ctx, uint64_t addr,
			const struct vmt_type_member *m, uint64_t base_bits,
			uint64_t *ret)
{
	const struct vmt_type *t = strip(m->type);
	uint64_t bit = base_bits + m->bit_offset;
	uint8_t buf[16] = { 0 };
	uint64_t v = 0, size;
	struct vmt_error *err;

	if (!t || (t->kind != VMT_TYPE_INT && t->kind != VMT_TYPE_BOOL &&
		   t->kind != VMT_TYPE_POINTER && t->kind != VMT_TYPE_ENUM))
		return false;
	size = t->size;
	if (size > 8 || !size)
		return false;
	err = vmt_program_read_virt(ctx->prog, addr + bit / 8, buf,
				    m->bit_size ? (m->bit_size + bit % 8 + 7) / 8 :
						  size);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	for (int i = 7; i >= 0; i--)
		v = v << 8 | buf[i];
	if (m->bit_size) {
		v = (v >> (bit % 8)) &
		    (m->bit_size >= 64 ? ~0ull : (1ull << m->bit_size) - 1);
	} else if (size < 8) {
		v &= (1ull << (size * 8)) - 1;
	}
	*ret = v;
	return true;
}

// @p v, of a signed type @p bits wide, as a signed number.
static int64_t sign_extend(uint64_t v, unsigned int bits)
{
	if (bits && bits < 64 && (v >> (bits - 1)) & 1)
		v |= ~0ull << bits;
	return (int64_t)v;
}

static bool is_signed_scalar(const struct vmt_type *t)
{
	return t && (t->kind == VMT_TYPE_INT || t->kind == VMT_TYPE_ENUM) &&
	       t->is_signed;
}

static unsigned int member_bits(const struct vmt_type_member *m)
{
	const struct vmt_type *t = strip(m->type);

	return m->bit_size ? m->bit_size : t ? (unsigned int)t->size * 8 : 0;
}

static bool is_anonymous_composite(const struct vmt_type_member *m)
{
	const struct vmt_type *t = strip(m->type);

	return !m->name && t &&
	       (t->kind == VMT_TYPE_STRUCT || t->kind == VMT_TYPE_UNION);
}

// A char array member at @p addr: its bytes up to the first NUL.
static bool read_char_array(struct cmd_ctx *ctx, uint64_t addr,
			    const struct vmt_type_member *m, uint64_t base_bits,
			    char *buf, size_t size, size_t *len_ret)
{
	const struct vmt_type *t = strip(m->type), *el;
	struct vmt_error *err;
	size_t n;

	if (!t || t->kind != VMT_TYPE_ARRAY || !(el = strip(t->target)) ||
	    el->kind != VMT_TYPE_INT || el->size != 1 || !t->nelems)
		return false;
	n = t->nelems < size - 1 ? t->nelems : size - 1;
	err = vmt_program_read_virt(ctx->prog,
				    addr + (base_bits + m->bit_offset) / 8, buf, n);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	buf[n] = '\0';
	*len_ret = strlen(buf);
	return true;
}

// Members at @p base_bits into the outer type; anonymous structs and
// unions are opened in place, as crash shows them.
static void members_text(struct cmd_ctx *ctx, const struct vmt_type *t,
			 uint64_t base_bits, int depth, const uint64_t *addr)
{
	FILE *out = ctx->out;

	for (size_t i = 0; i < t->nr_members && depth < 16; i++) {
		const struct vmt_type_member *m = &t->members[i];
		const struct vmt_type *mt = strip(m->type);
		uint64_t bits = base_bits + m->bit_offset;
		char decl[256], str[64];
		size_t len;
		uint64_t v;

		if (is_anonymous_composite(m)) {
			fprintf(out, "  [%4" PRIu64 "] %*s%s {\n", bits / 8,
				depth * 4, "", kind_name(mt->kind));
			members_text(ctx, mt, bits, depth + 1, addr);
			fprintf(out, "         %*s};\n", depth * 4, "");
			continue;
		}
		format_decl(m->type, m->name ? m->name : "", decl,
			    sizeof(decl));
		fprintf(out, "  [%4" PRIu64 "] %*s%s", bits / 8, depth * 4, "",
			decl);
		if (m->bit_size)
			fprintf(out, " : %u", m->bit_size);
		fputc(';', out);
		if (addr && read_scalar(ctx, *addr, m, base_bits, &v)) {
			// Pointers in hex, numbers in decimal, as crash
			// shows them.
			if (mt->kind == VMT_TYPE_POINTER)
				fprintf(out, "  = %#" PRIx64, v);
			else if (mt->kind == VMT_TYPE_BOOL)
				fprintf(out, "  = %s", v ? "true" : "false");
			else if (is_signed_scalar(mt))
				fprintf(out, "  = %" PRId64,
					sign_extend(v, member_bits(m)));
			else
				fprintf(out, "  = %" PRIu64, v);
		} else if (addr && read_char_array(ctx, *addr, m, base_bits,
						   str, sizeof(str), &len)) {
			for (size_t c = 0; c < len; c++)
				if (!isprint((unsigned char)str[c]))
					str[c] = '.';
			fprintf(out, "  = \"%s\"", str);
		}
		fputc('\n', out);
	}
}

static void struct_text(struct cmd_ctx *ctx, const struct vmt_type *t,
			const uint64_t *addr)
{
	fprintf(ctx->out, "%s %s {\n", kind_name(t->kind),
		t->name ? t->name : "");
	members_text(ctx, t, 0, 0, addr);
	fprintf(ctx->out, "}\nSIZE: %" PRIu64 "\n", t->size);
}

// "value": what the member holds at ADDR, typed; null when not read.
static void member_value_json(struct cmd_ctx *ctx, struct json *j,
			      const struct vmt_type_member *m,
			      uint64_t base_bits, const uint64_t *addr)
{
	const struct vmt_type *mt = strip(m->type);
	char str[256];
	size_t len;
	uint64_t v;

	if (addr && read_scalar(ctx, *addr, m, base_bits, &v)) {
		if (mt->kind == VMT_TYPE_POINTER)
			json_addr(j, v);
		else if (mt->kind == VMT_TYPE_BOOL)
			json_bool(j, v != 0);
		else if (is_signed_scalar(mt))
			json_int(j, sign_extend(v, member_bits(m)));
		else
			json_uint(j, v);
	} else if (addr && read_char_array(ctx, *addr, m, base_bits, str,
					   sizeof(str), &len)) {
		json_string_len(j, str, len);
	} else {
		json_null(j);
	}
}

static void members_json(struct cmd_ctx *ctx, struct json *j,
			 const struct vmt_type *t, uint64_t base_bits,
			 int depth, const uint64_t *addr)
{
	json_begin_array(j);
	for (size_t i = 0; i < t->nr_members && depth < 16; i++) {
		const struct vmt_type_member *m = &t->members[i];
		uint64_t bits = base_bits + m->bit_offset;
		char decl[256];

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
		if (is_anonymous_composite(m))
			json_null(j);
		else
			member_value_json(ctx, j, m, base_bits, addr);
		json_key(j, "members");
		if (is_anonymous_composite(m))
			members_json(ctx, j, strip(m->type), bits, depth + 1,
				     addr);
		else
			json_null(j);
		json_end_object(j);
	}
	json_end_array(j);
}

// The type result of struct, union and whatis (schema/type.schema.json).
static void type_json(struct cmd_ctx *ctx, struct json *j,
		      const struct vmt_type *t, const uint64_t *addr)
{
	bool composite = t->kind == VMT_TYPE_STRUCT ||
			 t->kind == VMT_TYPE_UNION;
	bool refers = t->kind == VMT_TYPE_TYPEDEF ||
		      t->kind == VMT_TYPE_POINTER ||
		      t->kind == VMT_TYPE_ARRAY || t->kind == VMT_TYPE_CONST ||
		      t->kind == VMT_TYPE_VOLATILE ||
		      t->kind == VMT_TYPE_RESTRICT;

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
	if (composite)
		members_json(ctx, j, t, 0, 0, addr);
	else
		json_null(j);
	json_end_object(j);
}

int cmd_struct(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_type *t;
	struct vmt_error *err;
	char name[256];
	uint64_t addr;
	int rc = EXIT_OK, opt;

	while ((opt = cmd_getopt(ctx, argc, argv, "", NULL)) != -1)
		if (opt == CMD_BAD_OPTION)
			return EXIT_USAGE;
	if (optind >= argc)
		return cmd_usage(ctx, "no NAME");
	if (argc - optind > 2)
		return cmd_usage(ctx, "unexpected argument '%s'", argv[optind + 2]);
	if (argc - optind == 2 && !address_syntax_ok(argv[optind + 1]))
		return cmd_usage(ctx, "'%s' is not an address (hex, or SYMBOL[+OFF])",
				 argv[optind + 1]);
	snprintf(name, sizeof(name), "%s %s", argv[0], argv[optind]);
	err = vmt_program_find_type(ctx->prog, name, &t);
	if (err) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
		return rc;
	}
	if (argc - optind == 2 &&
	    !parse_address(ctx, argv[optind + 1], &addr, &rc))
		return rc;
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		type_json(ctx, &j, t, argc - optind == 2 ? &addr : NULL);
		json_finish(&j);
	} else {
		struct_text(ctx, t, argc - optind == 2 ? &addr : NULL);
	}
	return EXIT_OK;
}

static void type_text(struct cmd_ctx *ctx, const struct vmt_type *t)
{
	const struct vmt_type *s = strip(t);
	char decl[256];

	if (s && (s->kind == VMT_TYPE_STRUCT || s->kind == VMT_TYPE_UNION)) {
		if (t->kind == VMT_TYPE_TYPEDEF)
			fprintf(ctx->out, "typedef %s %s %s;\n",
				kind_name(s->kind), s->name ? s->name : "{...}",
				t->name ? t->name : "");
		struct_text(ctx, s, NULL);
		return;
	}
	if (t->kind == VMT_TYPE_ENUM) {
		fprintf(ctx->out, "enum %s {\n", t->name ? t->name : "");
		for (size_t i = 0; i < t->nr_enumerators; i++)
			fprintf(ctx->out, "  %s = %" PRId64 ",\n",
				t->enumerators[i].name,
				t->enumerators[i].value);
		fprintf(ctx->out, "}\nSIZE: %" PRIu64 "\n", t->size);
		return;
	}
	if (t->kind == VMT_TYPE_TYPEDEF) {
		format_decl(t->target, t->name, decl, sizeof(decl));
		fprintf(ctx->out, "typedef %s;\nSIZE: %" PRIu64 "\n", decl,
			type_size(t));
		return;
	}
	format_decl(t, NULL, decl, sizeof(decl));
	fprintf(ctx->out, "%s\nSIZE: %" PRIu64 "\n", decl, type_size(t));
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
			type_json(ctx, &j, t, NULL);
			json_end_object(&j);
			json_finish(&j);
		} else {
			type_text(ctx, t);
		}
		return EXIT_OK;
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
