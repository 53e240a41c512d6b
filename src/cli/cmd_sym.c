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
	if (!strncmp(s, "0x", 2))
		return parse_hex(s, &v);
	return strlen(s) >= 8 && parse_hex(s, &v);
}

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
	if (sym->size)
		json_uint(j, sym->size);
	else
		json_null(j);
	json_key(j, "source");
	json_string(j, sym->source);
	json_key(j, "module");
	if (sym->module)
		json_string(j, sym->module);
	else
		json_null(j);
	if (offset) {
		json_key(j, "offset");
		json_uint(j, *offset);
	}
	if (query) {
		json_key(j, "query");
		json_addr(j, *query);
	}
	json_end_object(j);
}

int cmd_sym(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct json j = { 0 };
	int rc = EXIT_OK;

	if (argc < 2)
		return usage_error("sym", "usage: sym NAME... | ADDR...");
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	for (int i = 1; i < argc; i++) {
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
			rc = cmd_entry_error(ctx, &j, err, "%s", argv[i]);
			vmt_error_destroy(err);
			continue;
		}
		if (ctx->json) {
			sym_json(&j, &sym, by_addr ? &offset : NULL,
				 by_addr ? &addr : NULL);
			continue;
		}
		// By address, the address asked beside name+offset (crash's
		// form); by name, the symbol's address.
		fprintf(ctx->out, "%016" PRIx64 " (%c) %s",
			by_addr ? addr : sym.address, sym.type, sym.name);
		if (by_addr && offset)
			fprintf(ctx->out, "+%#" PRIx64, offset);
		if (sym.module)
			fprintf(ctx->out, " [%s]", sym.module);
		if (by_addr && offset)
			fprintf(ctx->out, "  at %016" PRIx64, sym.address);
		if (sym.size)
			fprintf(ctx->out, "  size %" PRIu64, sym.size);
		fprintf(ctx->out, "  from %s\n", sym.source);
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

// A C spelling of @p t followed by @p name ("struct list_head *next").
static void format_decl(const struct vmt_type *t, const char *name, char *buf,
			size_t size)
{
	char suffix[64] = "", stars[16] = "";
	int depth = 0;

	while (t && depth < 8) {
		if (t->kind == VMT_TYPE_POINTER && strlen(stars) < 15) {
			strcat(stars, "*");
		} else if (t->kind == VMT_TYPE_ARRAY) {
			size_t len = strlen(suffix);

			snprintf(suffix + len, sizeof(suffix) - len,
				 "[%" PRIu64 "]", t->nelems);
		} else if (t->kind == VMT_TYPE_CONST ||
			   t->kind == VMT_TYPE_VOLATILE) {
			// Qualifiers are shown by name below only at the base.
		} else {
			break;
		}
		t = t->target;
		depth++;
	}
	if (!t)
		snprintf(buf, size, "void %s%s%s", stars, name ? name : "",
			 suffix);
	else if (t->kind == VMT_TYPE_FUNCTION)
		snprintf(buf, size, "func (%s%s)%s", stars, name ? name : "",
			 suffix);
	else if (t->kind == VMT_TYPE_STRUCT || t->kind == VMT_TYPE_UNION ||
		 t->kind == VMT_TYPE_ENUM || t->kind == VMT_TYPE_FWD)
		snprintf(buf, size, "%s %s %s%s%s", kind_name(t->kind),
			 t->name ? t->name : "{...}", stars, name ? name : "",
			 suffix);
	else
		snprintf(buf, size, "%s %s%s%s", t->name ? t->name : "?", stars,
			 name ? name : "", suffix);
}

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
	if (size > 8)
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

static bool is_anonymous_composite(const struct vmt_type_member *m)
{
	const struct vmt_type *t = strip(m->type);

	return !m->name && t &&
	       (t->kind == VMT_TYPE_STRUCT || t->kind == VMT_TYPE_UNION);
}

// Members at @p base_bits into the outer type; anonymous structs and
// unions are opened in place, as crash shows them.
// A char array member at @p addr, read as a string (comm, name).
static bool read_char_array(struct cmd_ctx *ctx, uint64_t addr,
			    const struct vmt_type_member *m, uint64_t base_bits,
			    char *buf, size_t size)
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
	for (size_t i = 0; buf[i]; i++)
		if (!isprint((unsigned char)buf[i]))
			buf[i] = '.';
	return true;
}

static void members_text(struct cmd_ctx *ctx, const struct vmt_type *t,
			 uint64_t base_bits, int depth, const uint64_t *addr)
{
	for (size_t i = 0; i < t->nr_members && depth < 16; i++) {
		const struct vmt_type_member *m = &t->members[i];
		uint64_t bits = base_bits + m->bit_offset;
		char decl[256], str[64];
		uint64_t v;

		if (is_anonymous_composite(m)) {
			const struct vmt_type *inner = strip(m->type);

			printf("  [%4" PRIu64 "] %*s%s {\n", bits / 8, depth * 4,
			       "", kind_name(inner->kind));
			members_text(ctx, inner, bits, depth + 1, addr);
			printf("         %*s};\n", depth * 4, "");
			continue;
		}
		format_decl(m->type, m->name ? m->name : "", decl,
			    sizeof(decl));
		printf("  [%4" PRIu64 "] %*s%s", bits / 8, depth * 4, "", decl);
		if (m->bit_size)
			printf(" : %u", m->bit_size);
		printf(";");
		if (addr && read_scalar(ctx, *addr, m, base_bits, &v))
			printf("  = %#" PRIx64, v);
		else if (addr && read_char_array(ctx, *addr, m, base_bits, str,
						 sizeof(str)))
			printf("  = \"%s\"", str);
		printf("\n");
	}
}

static void struct_text(struct cmd_ctx *ctx, const struct vmt_type *t,
			const uint64_t *addr)
{
	printf("%s %s {\n", kind_name(t->kind), t->name ? t->name : "");
	members_text(ctx, t, 0, 0, addr);
	printf("}\nSIZE: %" PRIu64 "\n", t->size);
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
		uint64_t v;

		format_decl(m->type, NULL, decl, sizeof(decl));
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, m->name);
		json_key(j, "offset");
		json_uint(j, bits / 8);
		json_key(j, "bit_offset");
		json_uint(j, bits);
		json_key(j, "bit_size");
		json_uint(j, m->bit_size);
		json_key(j, "size");
		json_uint(j, type_size(m->type));
		json_key(j, "type");
		json_string(j, decl);
		if (is_anonymous_composite(m)) {
			json_key(j, "members");
			members_json(ctx, j, strip(m->type), bits, depth + 1,
				     addr);
		} else if (addr && read_scalar(ctx, *addr, m, base_bits, &v)) {
			json_key(j, "value");
			json_addr(j, v);
		}
		json_end_object(j);
	}
	json_end_array(j);
}

static void struct_json(struct cmd_ctx *ctx, const struct vmt_type *t,
			const uint64_t *addr)
{
	struct json j;

	json_init(&j, stdout);
	json_begin_object(&j);
	json_key(&j, "name");
	json_string(&j, t->name);
	json_key(&j, "kind");
	json_string(&j, kind_name(t->kind));
	json_key(&j, "size");
	json_uint(&j, t->size);
	json_key(&j, "source");
	json_string(&j, vmt_program_type_source(ctx->prog));
	if (addr) {
		json_key(&j, "address");
		json_addr(&j, *addr);
	}
	json_key(&j, "members");
	members_json(ctx, &j, t, 0, 0, addr);
	json_end_object(&j);
	json_finish(&j);
}

int cmd_struct(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_type *t;
	struct vmt_error *err;
	char name[256];
	uint64_t addr;
	int rc = EXIT_OK;

	if (argc < 2 || argc > 3)
		return usage_error(argv[0], "usage: %s NAME [ADDR]", argv[0]);
	snprintf(name, sizeof(name), "%s %s", argv[0], argv[1]);
	err = vmt_program_find_type(ctx->prog, name, &t);
	if (err) {
		rc = report_error(err, argv[0]);
		vmt_error_destroy(err);
		return rc;
	}
	if (argc == 3 && !parse_address(ctx, argv[2], &addr, &rc))
		return rc;
	if (ctx->json)
		struct_json(ctx, t, argc == 3 ? &addr : NULL);
	else
		struct_text(ctx, t, argc == 3 ? &addr : NULL);
	return EXIT_OK;
}

int cmd_whatis(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_type *t;
	struct vmt_symbol sym;
	struct vmt_error *err;

	if (argc != 2)
		return usage_error("whatis", "usage: whatis NAME");
	err = vmt_program_find_type(ctx->prog, argv[1], &t);
	if (!err) {
		const struct vmt_type *s = strip(t);

		if (s && (s->kind == VMT_TYPE_STRUCT || s->kind == VMT_TYPE_UNION) &&
		    !ctx->json)
			struct_text(ctx, s, NULL);
		else if (ctx->json)
			struct_json(ctx, t, NULL);
		else
			printf("%s %s; SIZE: %" PRIu64 "\n", kind_name(t->kind),
			       t->name ? t->name : "", type_size(t));
		return EXIT_OK;
	}
	vmt_error_destroy(err);
	err = vmt_program_symbol_by_name(ctx->prog, argv[1], &sym);
	if (err) {
		fprintf(stderr, "vmtool: whatis: %s is neither a type nor a symbol\n",
			argv[1]);
		vmt_error_destroy(err);
		return EXIT_NOT_FOUND;
	}
	if (ctx->json) {
		struct json j;

		json_init(&j, stdout);
		sym_json(&j, &sym, NULL, NULL);
		json_finish(&j);
	} else {
		printf("%016" PRIx64 " (%c) %s  [%s]\n", sym.address, sym.type,
		       sym.name, sym.source);
	}
	return EXIT_OK;
}
