// `sys`: the identity card of the crash, as crash's `sys` prints it, or
// JSON with where each value came from.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

#define NSEC ((int64_t)1000000000)

// Seconds since the epoch as date(1) prints it, in UTC.
static void format_date(int64_t nsec, char *buf, size_t size)
{
	// Seconds rounded down, without the overflow of nsec - NSEC + 1 at
	// the bottom of the range (a corrupt CRASHTIME).
	int64_t sec = nsec / NSEC - (nsec % NSEC < 0);
	time_t t = (time_t)sec;
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, size, "%a %b %e %H:%M:%S UTC %Y", &tm))
		snprintf(buf, size, "%" PRId64 " s since the epoch", sec);
}

// "00:05:12", "1 days, 02:03:04", as crash prints an uptime.
static void format_uptime(uint64_t nsec, char *buf, size_t size)
{
	uint64_t s = nsec / NSEC;

	if (s >= 86400)
		snprintf(buf, size, "%" PRIu64 " days, %02" PRIu64 ":%02" PRIu64
			 ":%02" PRIu64, s / 86400, s % 86400 / 3600,
			 s % 3600 / 60, s % 60);
	else
		snprintf(buf, size, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
			 s / 3600, s % 3600 / 60, s % 60);
}

static void format_memory(uint64_t bytes, char *buf, size_t size)
{
	if (bytes && !(bytes & ((1ULL << 30) - 1)))
		snprintf(buf, size, "%" PRIu64 " GB", bytes >> 30);
	else if (bytes && !(bytes & ((1ULL << 20) - 1)))
		snprintf(buf, size, "%" PRIu64 " MB", bytes >> 20);
	else
		snprintf(buf, size, "%.1f MB", (double)bytes / (1 << 20));
}

static const struct vmt_task *task_by_pid(struct cmd_ctx *ctx, int pid)
{
	const struct vmt_task *t;
	struct vmt_error *err = vmt_program_task_by_pid(ctx->prog, pid, &t);

	if (err) {
		vmt_error_destroy(err);
		return NULL;
	}
	return t;
}

static void sys_text(struct cmd_ctx *ctx, const struct vmt_sysinfo *s)
{
	const struct vmt_dump_info *info = vmt_program_dump_info(ctx->prog);
	FILE *out = ctx->out;
	char buf[128];

#define LINE(label, known, ...)                                         \
	do {                                                            \
		fprintf(out, "%12s: ", label);                          \
		if (known)                                              \
			fprintf(out, __VA_ARGS__);                      \
		else                                                    \
			fputs("(unknown)", out);                        \
		fputc('\n', out);                                       \
	} while (0)

	fprintf(out, "%12s: %s\n", "KERNEL", s->kernel);
	fprintf(out, "%12s:", "DUMPFILE");
	for (size_t i = 0; i < info->nr_files; i++)
		fprintf(out, " %s", info->files[i]);
	fputc('\n', out);
	LINE("CPUS", s->known[VMT_SYS_CPUS], "%u", s->cpus);
	format_date(s->crash_time_nsec, buf, sizeof(buf));
	LINE("DATE", s->known[VMT_SYS_CRASH_TIME], "%s", buf);
	format_uptime(s->uptime_nsec, buf, sizeof(buf));
	LINE("UPTIME", s->known[VMT_SYS_UPTIME], "%s", buf);
	LINE("LOAD AVERAGE", s->known[VMT_SYS_LOAD_AVERAGE], "%.2f, %.2f, %.2f",
	     vmt_sys_load_average(s->load_average[0]),
	     vmt_sys_load_average(s->load_average[1]),
	     vmt_sys_load_average(s->load_average[2]));
	LINE("TASKS", s->known[VMT_SYS_TASKS], "%" PRIu64, s->tasks);
	LINE("NODENAME", s->known[VMT_SYS_NODENAME], "%s", s->nodename);
	LINE("RELEASE", s->known[VMT_SYS_RELEASE], "%s", s->release);
	LINE("VERSION", s->known[VMT_SYS_VERSION], "%s", s->version);
	LINE("MACHINE", s->known[VMT_SYS_MACHINE], "%s", s->machine);
	format_memory(s->memory, buf, sizeof(buf));
	LINE("MEMORY", s->known[VMT_SYS_MEMORY], "%s", buf);
	if (s->known[VMT_SYS_PANIC] && s->panic[0]) {
		const struct vmt_task *t = NULL;

		fprintf(out, "%12s: \"%s\"\n", "PANIC", s->panic);
		if (s->known[VMT_SYS_PANIC_PID])
			t = task_by_pid(ctx, s->panic_pid);
		LINE("PID", s->known[VMT_SYS_PANIC_PID], "%d", s->panic_pid);
		if (t) {
			fprintf(out, "%12s: \"%s\"\n", "COMMAND", t->comm);
			fprintf(out, "%12s: %" PRIx64 "\n", "TASK", t->task);
		}
		LINE("CPU", s->known[VMT_SYS_PANIC_CPU], "%d", s->panic_cpu);
	} else {
		LINE("PANIC", s->known[VMT_SYS_PANIC], "%s", "");
	}
#undef LINE
}

static void sys_json(struct cmd_ctx *ctx, const struct vmt_sysinfo *s)
{
	const struct vmt_dump_info *info = vmt_program_dump_info(ctx->prog);
	const bool *known = s->known;
	struct json j;

	json_init(&j, ctx->out);
	json_begin_object(&j);
	json_key(&j, "kernel");
	json_string(&j, s->kernel);
	json_key(&j, "dumpfiles");
	json_begin_array(&j);
	for (size_t i = 0; i < info->nr_files; i++)
		json_string(&j, info->files[i]);
	json_end_array(&j);
	json_key(&j, "release");
	json_string(&j, known[VMT_SYS_RELEASE] ? s->release : NULL);
	json_key(&j, "version");
	json_string(&j, known[VMT_SYS_VERSION] ? s->version : NULL);
	json_key(&j, "nodename");
	json_string(&j, known[VMT_SYS_NODENAME] ? s->nodename : NULL);
	json_key(&j, "machine");
	json_string(&j, known[VMT_SYS_MACHINE] ? s->machine : NULL);
	json_key(&j, "cpus");
	if (known[VMT_SYS_CPUS])
		json_uint(&j, s->cpus);
	else
		json_null(&j);
	json_key(&j, "memory");
	if (known[VMT_SYS_MEMORY])
		json_uint(&j, s->memory);
	else
		json_null(&j);
	json_key(&j, "uptime");
	if (known[VMT_SYS_UPTIME])
		json_double(&j, (double)s->uptime_nsec / NSEC, 6);
	else
		json_null(&j);
	json_key(&j, "load_average");
	if (known[VMT_SYS_LOAD_AVERAGE]) {
		json_begin_array(&j);
		for (int i = 0; i < 3; i++)
			json_double(&j, vmt_sys_load_average(s->load_average[i]),
				    2);
		json_end_array(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "tasks");
	if (known[VMT_SYS_TASKS])
		json_uint(&j, s->tasks);
	else
		json_null(&j);
	json_key(&j, "crash_time");
	if (known[VMT_SYS_CRASH_TIME])
		json_int(&j, s->crash_time_nsec / NSEC);
	else
		json_null(&j);
	json_key(&j, "boot_time");
	if (known[VMT_SYS_BOOT_TIME])
		json_double(&j, (double)s->boot_time_nsec / NSEC, 6);
	else
		json_null(&j);
	json_key(&j, "hz");
	if (known[VMT_SYS_HZ])
		json_uint(&j, s->hz);
	else
		json_null(&j);
	json_key(&j, "panic");
	json_string(&j, known[VMT_SYS_PANIC] && s->panic[0] ? s->panic : NULL);
	json_key(&j, "panic_cpu");
	if (known[VMT_SYS_PANIC_CPU])
		json_int(&j, s->panic_cpu);
	else
		json_null(&j);
	json_key(&j, "panic_pid");
	if (known[VMT_SYS_PANIC_PID])
		json_int(&j, s->panic_pid);
	else
		json_null(&j);
	json_key(&j, "sources");
	json_begin_object(&j);
	for (int f = 0; f < VMT_SYS_NR_FIELDS; f++) {
		json_key(&j, vmt_sys_field_name(f));
		json_string(&j, s->sources[f]);
	}
	json_end_object(&j);
	json_end_object(&j);
	json_finish(&j);
}

int cmd_sys(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct vmt_sysinfo *s;
	struct vmt_error *err;
	int rc;

	if (argc > 1)
		return cmd_usage(ctx, "unexpected argument '%s'", argv[1]);
	err = vmt_program_sysinfo(ctx->prog, &s);
	if (err) {
		rc = cmd_fail(ctx, err, NULL);
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json)
		sys_json(ctx, s);
	else
		sys_text(ctx, s);
	return EXIT_OK;
}
