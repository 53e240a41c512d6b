// `log`: the kernel log as dmesg prints it, or its records as JSON.
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void log_json_record(struct json *j, const struct vmt_log_record *r)
{
	char caller[16];

	json_begin_object(j);
	json_key(j, "seq");
	json_uint(j, r->seq);
	json_key(j, "ts_nsec");
	json_uint(j, r->ts_nsec);
	json_key(j, "level");
	json_uint(j, r->level);
	json_key(j, "facility");
	json_uint(j, r->facility);
	json_key(j, "caller");
	if (r->has_caller_id)
		json_string(j, vmt_log_caller(r, caller));
	else
		json_null(j);
	json_key(j, "text");
	json_string_len(j, r->text, r->text_len);
	json_key(j, "subsystem");
	json_string(j, r->subsystem);
	json_key(j, "device");
	json_string(j, r->device);
	json_end_object(j);
}

// -T: the wall-clock time at boot, from `sys`'s crash time and uptime.
static int boot_time(struct cmd_ctx *ctx, int64_t *ret)
{
	const struct vmt_sysinfo *sys;
	struct vmt_error *err;
	int rc;

	err = vmt_program_sysinfo(ctx->prog, &sys);
	if (err) {
		rc = cmd_fail(ctx, err, "-T: wall-clock time at boot");
		vmt_error_destroy(err);
		return rc;
	}
	if (!sys->known[VMT_SYS_BOOT_TIME]) {
		struct vmt_error unknown = {
			.code = VMT_ERROR_NOT_FOUND,
			.message = (char *)sys->sources[VMT_SYS_BOOT_TIME],
		};

		return cmd_fail(ctx, &unknown,
				"-T: wall-clock time at boot unknown");
	}
	*ret = sys->boot_time_nsec;
	return EXIT_OK;
}

int cmd_log(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = { { 0 } };
	struct vmt_log_format fmt = { .time = true };
	const struct vmt_log *log;
	struct vmt_error *err;
	struct json j;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "tTmcd", longopts, NULL)) != -1) {
		switch (opt) {
		case 't':
			fmt.time = false;
			break;
		case 'T':
			fmt.wallclock = true;
			break;
		case 'm':
			fmt.level = true;
			break;
		case 'c':
			fmt.caller = true;
			break;
		case 'd':
			fmt.dict = true;
			break;
		default:
			return cmd_usage(ctx, "unknown option '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if (fmt.wallclock && !fmt.time)
		return cmd_usage(ctx, "-t and -T exclude each other");
	err = vmt_program_log(ctx->prog, &log);
	if (err) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
		return rc;
	}
	if (fmt.wallclock && !ctx->json) {
		rc = boot_time(ctx, &fmt.boot_time_nsec);
		if (rc)
			return rc;
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	for (size_t i = 0; i < log->nr_records; i++) {
		char *text;

		if (ctx->json) {
			log_json_record(&j, &log->records[i]);
			continue;
		}
		err = vmt_log_format_record(&log->records[i], &fmt, &text);
		if (err) {
			rc = cmd_fail(ctx, err, "record %" PRIu64,
				      log->records[i].seq);
			vmt_error_destroy(err);
			return rc;
		}
		fputs(text, ctx->out);
		free(text);
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	// Damaged records were skipped (the warning names the first): the
	// log is partial.
	return log->nr_damaged ? EXIT_NOT_FOUND : EXIT_OK;
}
