// `mount [PID]`: the mounts of a task's namespace (pid 1 by default).
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cmd.h"

int cmd_mount(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	struct vmt_mount *m = NULL;
	struct vmt_error *err;
	uint64_t pid = 1;
	size_t n = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		return cmd_usage(ctx, "unknown option '%s'", argv[optind - 1]);
	if (argc - optind > 1)
		return cmd_usage(ctx, "one PID at most");
	if (optind < argc &&
	    (!parse_number(argv[optind], &pid) || pid > INT32_MAX))
		return cmd_usage(ctx, "'%s' is not a PID", argv[optind]);
	err = vmt_program_mounts(ctx->prog, (int)pid, &m, &n);
	if (err) {
		int rc = cmd_fail(ctx, err, "pid %d", (int)pid);

		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json) {
		struct json j;

		json_init(&j, ctx->out);
		json_begin_array(&j);
		for (size_t i = 0; i < n; i++) {
			json_begin_object(&j);
			json_key(&j, "mount");
			json_addr(&j, m[i].mount);
			json_key(&j, "super_block");
			json_addr(&j, m[i].super_block);
			json_key(&j, "devname");
			json_string(&j, m[i].devname);
			json_key(&j, "fstype");
			json_string(&j, m[i].fstype);
			json_key(&j, "path");
			json_string(&j, m[i].path);
			json_key(&j, "readonly");
			json_bool(&j, m[i].readonly);
			json_key(&j, "mnt_flags");
			json_uint(&j, m[i].mnt_flags);
			json_end_object(&j);
		}
		json_end_array(&j);
		json_finish(&j);
	} else {
		fprintf(ctx->out, "     MOUNT            SUPERBLK     TYPE       DEVNAME          DIRNAME\n");
		for (size_t i = 0; i < n; i++)
			fprintf(ctx->out, "%016" PRIx64 " %016" PRIx64 " %-10s %-16s %s\n",
				m[i].mount, m[i].super_block, m[i].fstype,
				m[i].devname, m[i].path);
	}
	vmt_mounts_free(m, n);
	return EXIT_OK;
}
