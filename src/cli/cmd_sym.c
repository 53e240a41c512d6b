// `sym`: symbols by name and by address.
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "sym_out.h"

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
void sym_json(struct json *j, const struct vmt_symbol *sym,
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
void sym_text(FILE *out, const struct vmt_symbol *sym,
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
