// `runq [-c CPUS]`: each CPU's runqueue as crash's `runq` prints it: the
// current task, then the queued real-time, fair and deadline tasks.
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

// Parse a CPU list ("3", "1,8,9", "1-23", "1,8,9-14") into @p want
// (@p nr_cpus long). False on a malformed list or a CPU out of range.
static bool parse_cpus(const char *text, bool *want, unsigned int nr_cpus)
{
	const char *p = text;

	while (*p) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi;

		if (end == p)
			return false;
		hi = lo;
		p = end;
		if (*p == '-') {
			hi = strtoul(p + 1, &end, 10);
			if (end == p + 1 || hi < lo)
				return false;
			p = end;
		}
		if (hi >= nr_cpus)
			return false;
		for (unsigned long c = lo; c <= hi; c++)
			want[c] = true;
		if (*p == ',')
			p++;
		else if (*p)
			return false;
	}
	return p != text;
}

static void entry_json(struct json *j, const struct vmt_runq_entry *e)
{
	json_begin_object(j);
	json_key(j, "class");
	json_string(j, vmt_sched_class_name(e->sched_class));
	json_key(j, "prio");
	json_int(j, e->prio);
	json_key(j, "pid");
	json_int(j, e->pid);
	json_key(j, "task");
	json_addr(j, e->task);
	json_key(j, "comm");
	json_string(j, e->comm);
	json_key(j, "queue");
	json_addr(j, e->queue);
	json_key(j, "depth");
	json_uint(j, e->depth);
	json_key(j, "delayed");
	json_bool(j, e->delayed);
	json_end_object(j);
}

static void runq_json(struct json *j, const struct vmt_runq *rq,
		      const struct vmt_error *broken, int rc)
{
	json_begin_object(j);
	json_key(j, "cpu");
	json_uint(j, rq->cpu);
	json_key(j, "rq");
	json_addr(j, rq->rq);
	json_key(j, "current");
	json_begin_object(j);
	json_key(j, "pid");
	json_int(j, rq->curr_pid);
	json_key(j, "task");
	json_addr(j, rq->curr);
	json_key(j, "comm");
	json_string(j, rq->curr_comm);
	json_end_object(j);
	json_key(j, "nr_running");
	json_uint(j, rq->nr_running);
	json_key(j, "rt_array");
	json_addr(j, rq->rt_array);
	json_key(j, "cfs_root");
	json_addr(j, rq->cfs_root);
	json_key(j, "dl_root");
	json_addr(j, rq->dl_root);
	json_key(j, "queued");
	json_begin_array(j);
	for (size_t i = 0; i < rq->nr_entries; i++)
		entry_json(j, &rq->entries[i]);
	json_end_array(j);
	// A broken queue keeps what was read before it and says what broke.
	json_key(j, "broken");
	if (broken)
		json_error(j, broken, rc, NULL);
	else
		json_null(j);
	json_end_object(j);
}

static void task_line(FILE *out, int pid, uint64_t task, const char *comm)
{
	fprintf(out, "PID: %-6d TASK: %" PRIx64 "  COMMAND: \"%s\"", pid,
		task, comm);
}

static void class_text(FILE *out, const struct vmt_runq *rq,
		       enum vmt_sched_class cls, const char *title,
		       uint64_t addr)
{
	bool any = false;

	fprintf(out, "  %s: %" PRIx64 "\n", title, addr);
	for (size_t i = 0; i < rq->nr_entries; i++) {
		const struct vmt_runq_entry *e = &rq->entries[i];

		if (e->sched_class != cls)
			continue;
		fprintf(out, "     [%3d] ", e->prio);
		task_line(out, e->pid, e->task, e->comm);
		if (e->delayed)
			fprintf(out, " (delayed dequeue: not runnable)");
		fputc('\n', out);
		any = true;
	}
	if (!any)
		fprintf(out, "     [no tasks queued]\n");
}

static void runq_text(FILE *out, const struct vmt_runq *rq, bool first)
{
	if (!first)
		fputc('\n', out);
	fprintf(out, "CPU %u RUNQUEUE: %" PRIx64 "\n", rq->cpu, rq->rq);
	fprintf(out, "  CURRENT: ");
	task_line(out, rq->curr_pid, rq->curr, rq->curr_comm);
	fputc('\n', out);
	class_text(out, rq, VMT_SCHED_RT, "RT PRIO_ARRAY", rq->rt_array);
	class_text(out, rq, VMT_SCHED_CFS, "CFS RB_ROOT", rq->cfs_root);
	class_text(out, rq, VMT_SCHED_DL, "DL RB_ROOT", rq->dl_root);
}

int cmd_runq(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *cpu_list = NULL;
	unsigned int nr_cpus;
	struct vmt_error *err;
	bool *want, first = true;
	int opt, rc = EXIT_OK;
	struct json j = { 0 };

	while ((opt = cmd_getopt(ctx, argc, argv, "c:", NULL)) != -1) {
		if (opt == CMD_BAD_OPTION)
			return EXIT_USAGE;
		cpu_list = optarg;
	}
	if (optind != argc)
		return cmd_usage(ctx, "unexpected argument '%s'", argv[optind]);
	err = vmt_program_nr_cpus(ctx->prog, &nr_cpus);
	if (err) {
		rc = cmd_fail(ctx, err, "runqueues");
		vmt_error_destroy(err);
		return rc;
	}
	want = calloc(nr_cpus, sizeof(*want));
	if (!want)
		return cmd_fail(ctx, &vmt_enomem, NULL);
	if (!cpu_list) {
		for (unsigned int c = 0; c < nr_cpus; c++)
			want[c] = true;
	} else if (!parse_cpus(cpu_list, want, nr_cpus)) {
		free(want);
		return cmd_usage(ctx, "-c %s: not a list of CPUs 0-%u (as 3, 1,8,9, 1-3)",
				 cpu_list, nr_cpus - 1);
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	for (unsigned int c = 0; c < nr_cpus; c++) {
		struct vmt_runq rq;
		int crc;

		if (!want[c])
			continue;
		err = vmt_program_runq(ctx->prog, c, &rq);
		crc = err ? error_exit_code(err) : EXIT_OK;
		if (crc > rc)
			rc = crc;
		if (err && !rq.rq) {
			// Nothing read: the CPU's entry is the error.
			cmd_entry_error(ctx, &j, err, "CPU %u", c);
		} else if (ctx->json) {
			runq_json(&j, &rq, err, crc);
		} else {
			runq_text(ctx->out, &rq, first);
			first = false;
		}
		if (err && rq.rq && !ctx->json)
			fprintf(stderr, "vmtool: runq: %s\n", err->message);
		vmt_error_destroy(err);
		vmt_runq_deinit(&rq);
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	free(want);
	return rc;
}
