// `list [-o OFFSET|TYPE.member] [-H] ADDR`: walk a linked list, as crash's
// `list`: the entries' addresses, bounded and cycle-checked.
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

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
	static const struct option longopts[] = { { 0 } };
	struct vmt_list_options opts = { 0 };
	uint64_t start, *items = NULL;
	struct vmt_error *err;
	int opt, rc = EXIT_OK;
	size_t n = 0;

	while ((opt = getopt_long(argc, argv, "o:H", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (!parse_offset(ctx, optarg, &opts.offset, &rc))
				return rc;
			break;
		case 'H':
			opts.head = true;
			break;
		default:
			return cmd_usage(ctx, "unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(ctx, "give one start address");
	if (!parse_address(ctx, argv[optind], &start, &rc))
		return rc;
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
		// A partial walk keeps what it found and says what broke.
		json_key(&j, "broken");
		if (err)
			json_error(&j, err, rc, NULL);
		else
			json_null(&j);
		json_end_object(&j);
		json_finish(&j);
	} else {
		for (size_t i = 0; i < n; i++)
			fprintf(ctx->out, "%" PRIx64 "\n", items[i]);
	}
	if (err) {
		fprintf(stderr, "vmtool: list: %s\n", err->message);
		vmt_error_destroy(err);
	}
	free(items);
	return rc;
}
