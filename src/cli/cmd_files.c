// `files [PID...]`: each task's open files, crash style, or JSON.
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void files_json(struct json *j, const struct vmt_task *t,
		       const struct vmt_open_file *f, size_t n)
{
	json_begin_object(j);
	json_key(j, "pid");
	json_int(j, t->pid);
	json_key(j, "comm");
	json_string(j, t->comm);
	json_key(j, "task");
	json_addr(j, t->task);
	json_key(j, "files");
	json_begin_array(j);
	for (size_t i = 0; i < n; i++) {
		json_begin_object(j);
		json_key(j, "fd");
		json_int(j, f[i].fd);
		json_key(j, "file");
		json_addr(j, f[i].file);
		json_key(j, "dentry");
		json_addr(j, f[i].dentry);
		json_key(j, "inode");
		json_addr(j, f[i].inode);
		json_key(j, "ino");
		json_uint(j, f[i].ino);
		json_key(j, "mode");
		json_uint(j, f[i].mode);
		json_key(j, "type");
		json_string(j, f[i].type);
		json_key(j, "path");
		json_string(j, f[i].path);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static void files_text(FILE *out, const struct vmt_task *t,
		       const struct vmt_open_file *f, size_t n)
{
	fprintf(out, "PID: %-6d TASK: %016" PRIx64 "  CPU: %-2d COMMAND: \"%s\"\n",
		t->pid, t->task, t->cpu, t->comm);
	if (!n) {
		fprintf(out, "No open files\n");
		return;
	}
	fprintf(out, " FD       FILE            DENTRY           INODE       TYPE PATH\n");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%3d %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %-4s %s\n",
			f[i].fd, f[i].file, f[i].dentry, f[i].inode, f[i].type,
			f[i].path);
}

int cmd_files(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	int rc = EXIT_OK, opt, nargs;
	struct json j;

	struct context_args cargs;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		return cmd_usage(ctx, "unknown option '%s'", argv[optind - 1]);
	// No PID: the task `set` chose, if any.
	use_context_task(ctx, &argc, &argv, &cargs, false);
	nargs = argc - optind;
	if (nargs < 1)
		return cmd_usage(ctx, "which task? give a PID");
	for (int i = optind; i < argc; i++) {
		uint64_t pid;

		if (!parse_number(argv[i], &pid) || pid > INT32_MAX)
			return cmd_usage(ctx, "'%s' is not a PID", argv[i]);
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	for (int i = optind; i < argc; i++) {
		const struct vmt_task *t;
		struct vmt_open_file *files = NULL;
		struct vmt_error *err;
		uint64_t pid;
		size_t n = 0;
		int r;

		parse_number(argv[i], &pid);
		err = vmt_program_task_by_pid(ctx->prog, (int)pid, &t);
		if (!err)
			err = vmt_program_task_files(ctx->prog, (int)pid,
						     &files, &n);
		if (err) {
			r = cmd_entry_error(ctx, &j, err, "pid %d", (int)pid);
			vmt_error_destroy(err);
			rc = r > rc ? r : rc;
			continue;
		}
		if (ctx->json)
			files_json(&j, t, files, n);
		else
			files_text(ctx->out, t, files, n);
		if (!ctx->json && i + 1 < argc)
			fputc('\n', ctx->out);
		vmt_open_files_free(files, n);
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}
