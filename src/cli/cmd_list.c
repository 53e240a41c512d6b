// `list [-o OFFSET|TYPE.member] [-s TYPE[.MEMBER,...]] [-x|-d] [-H] ADDR`:
// walk a linked list, as crash's `list`: the entries' addresses, bounded
// and cycle-checked, and with -s each entry's struct (or members) with
// values.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "value_out.h"

// -s TYPE[.MEMBER,...]: members asked for at most.
#define MAX_MEMBERS 64

struct list_show {
	/** The type named, NULL without -s. */
	const char *type;
	char spec[256];
	char *members[MAX_MEMBERS];
	size_t nr_members;
	struct vmt_format_options fmt;
};

// -s TYPE[.MEMBER,...] into @p show (pointing into its copy).
static bool parse_show(const char *text, struct list_show *show)
{
	char *dot;

	if (snprintf(show->spec, sizeof(show->spec), "%s", text) >=
	    (int)sizeof(show->spec))
		return false;
	show->type = show->spec;
	dot = strchr(show->spec, '.');
	if (!dot)
		return show->spec[0] != '\0';
	*dot = '\0';
	for (char *m = strtok(dot + 1, ","); m; m = strtok(NULL, ",")) {
		if (show->nr_members == MAX_MEMBERS)
			return false;
		show->members[show->nr_members++] = m;
	}
	return show->nr_members && show->spec[0];
}

// One entry's value (its struct, or the members asked for): text, or a
// JSON value (an object of member paths with -s TYPE.MEMBER,...).
static int show_entry(struct cmd_ctx *ctx, struct json *j,
		      const struct list_show *show, uint64_t entry)
{
	struct vmt_value obj, m;
	struct vmt_value_node *tree;
	struct vmt_error *err;
	bool truncated = false;
	char *text;
	int rc = EXIT_OK;

	err = vmt_program_object(ctx->prog, show->type, entry, &obj);
	if (err)
		goto fail;
	if (!show->nr_members) {
		err = value_text(ctx->prog, &obj, &show->fmt, 0, true, &text,
				 &tree);
		if (err)
			goto fail;
		if (ctx->json) {
			value_json(j, tree, &truncated);
		} else {
			char decl[256];

			vmt_type_declaration(obj.type, NULL, decl,
					     sizeof(decl));
			fprintf(ctx->out, "%s %s\n", decl, text);
		}
		free(text);
		vmt_value_node_destroy(tree);
		return EXIT_OK;
	}
	if (ctx->json)
		json_begin_object(j);
	for (size_t i = 0; i < show->nr_members; i++) {
		err = vmt_program_value_member(ctx->prog, &obj,
					       show->members[i], &m);
		if (!err)
			err = value_text(ctx->prog, &m, &show->fmt, 2, true,
					 &text, &tree);
		if (err) {
			// The entry shows what it could; the member is null.
			fprintf(stderr, "vmtool: list: %#" PRIx64 ": %s: %s\n",
				entry, show->members[i], err->message);
			rc = error_exit_code(err);
			vmt_error_destroy(err);
			if (ctx->json) {
				json_key(j, show->members[i]);
				json_null(j);
			}
			continue;
		}
		if (ctx->json) {
			json_key(j, show->members[i]);
			value_json(j, tree, &truncated);
		} else {
			fprintf(ctx->out, "  %s = %s%s\n", show->members[i], text,
				i + 1 < show->nr_members ? "," : "");
		}
		free(text);
		vmt_value_node_destroy(tree);
	}
	if (ctx->json)
		json_end_object(j);
	return rc;
fail:
	fprintf(stderr, "vmtool: list: %#" PRIx64 ": %s\n", entry,
		err->message);
	rc = error_exit_code(err);
	vmt_error_destroy(err);
	if (ctx->json)
		json_null(j);
	return rc;
}

// -o takes a byte count or TYPE.member (the next pointer's member).
static bool parse_offset(struct cmd_ctx *ctx, const char *text,
			 uint64_t *ret, int *exit_ret)
{
	const char *dot = strchr(text, '.');
	struct vmt_error *err;
	char type[128];

	if (parse_number(text, ret))
		return true;
	if (!dot || dot == text || (size_t)(dot - text) >= sizeof(type)) {
		*exit_ret = cmd_usage(ctx, "-o %s: not an offset or TYPE.member",
				      text);
		return false;
	}
	snprintf(type, sizeof(type), "%.*s", (int)(dot - text), text);
	err = vmt_program_member_offset(ctx->prog, type, dot + 1, ret);
	if (err) {
		*exit_ret = cmd_fail(ctx, err, "-o %s", text);
		vmt_error_destroy(err);
		return false;
	}
	return true;
}

int cmd_list(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct vmt_list_options opts = { 0 };
	struct list_show show = { 0 };
	uint64_t start, *items = NULL;
	struct vmt_error *err;
	int opt, rc = EXIT_OK;
	size_t n = 0;

	while ((opt = cmd_getopt(ctx, argc, argv, "o:s:xdH", NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!parse_offset(ctx, optarg, &opts.offset, &rc))
				return rc;
			break;
		case 's':
			if (!parse_show(optarg, &show))
				return cmd_usage(ctx, "-s %s: not TYPE[.MEMBER[,MEMBER...]]",
						 optarg);
			break;
		case 'x':
			show.fmt.hex = true;
			break;
		case 'd':
			show.fmt.hex = false;
			break;
		case 'H':
			opts.head = true;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return cmd_usage(ctx, "give one start address");
	if (!parse_address(ctx, argv[optind], &start, &rc))
		return rc;
	if (show.type) {
		const struct vmt_type *t;

		// An unknown type fails before the walk.
		err = vmt_program_find_type(ctx->prog, show.type, &t);
		if (err) {
			rc = cmd_fail(ctx, err, "-s %s", show.type);
			vmt_error_destroy(err);
			return rc;
		}
	}
	err = vmt_program_list(ctx->prog, start, &opts, &items, &n);
	if (err)
		rc = error_exit_code(err);
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_begin_object(&j);
		json_key(&j, "start");
		json_addr(&j, start);
		json_key(&j, "offset");
		json_uint(&j, opts.offset);
		json_key(&j, "head");
		json_bool(&j, opts.head);
		json_key(&j, "entries");
		json_begin_array(&j);
		for (size_t i = 0; i < n; i++)
			json_addr(&j, items[i]);
		json_end_array(&j);
		json_key(&j, "type");
		if (show.type)
			json_string(&j, show.type);
		else
			json_null(&j);
		json_key(&j, "values");
		if (show.type) {
			json_begin_array(&j);
			for (size_t i = 0; i < n; i++) {
				int r = show_entry(ctx, &j, &show, items[i]);

				rc = r > rc ? r : rc;
			}
			json_end_array(&j);
		} else {
			json_null(&j);
		}
		// A partial walk keeps what it found and says what broke.
		json_key(&j, "broken");
		if (err)
			json_error(&j, err, rc, NULL);
		else
			json_null(&j);
		json_end_object(&j);
		json_finish(&j);
	} else {
		for (size_t i = 0; i < n; i++) {
			fprintf(ctx->out, "%" PRIx64 "\n", items[i]);
			if (show.type) {
				int r = show_entry(ctx, NULL, &show, items[i]);

				rc = r > rc ? r : rc;
			}
		}
	}
	if (err) {
		fprintf(stderr, "vmtool: list: %s\n", err->message);
		vmt_error_destroy(err);
	}
	free(items);
	return rc;
}
