// `bt`: kernel stack traces, crash style.
//
// bt [-a] [-c CPU] [-t] [-f] [-l] [PID | TASK]...
// Without a PID, TASK or -c: every CPU's current task (-a), the one place
// a fresh dump's panic shows.
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "vmtool/stack.h"

struct bt_opts {
	bool all, text, words, lines;
};

static const char *const reg_names[] = { "PC", "LR", "SP" };

static void print_sym(FILE *out, const char *symbol, uint64_t offset,
		      uint64_t size, const char *module)
{
	if (!symbol) {
		fprintf(out, "??");
		return;
	}
	fprintf(out, "%s+%#" PRIx64, symbol, offset);
	if (size)
		fprintf(out, "/%#" PRIx64, size);
	if (module)
		fprintf(out, " [%s]", module);
}

// The registers of an exception frame, as crash prints them.
static void print_regs(struct cmd_ctx *ctx, const struct vmt_frame *f)
{
	const struct vmt_regs *r = &f->regs;
	FILE *out = ctx->out;
	uint64_t vals[3] = { r->pc, r->x[30], r->sp };

	fprintf(out, "     %s exception frame at %016" PRIx64 ":\n",
		f->user ? "user mode" : "kernel", f->regs_addr);
	for (int i = 0; i < 3; i++) {
		fprintf(out, "     %s: %016" PRIx64, reg_names[i], vals[i]);
		if (i < 2 && !f->user) {
			struct vmt_symbol sym;
			uint64_t off;

			struct vmt_error *err = vmt_program_symbol_by_addr(
				ctx->prog, vals[i], &sym, &off);

			if (!err)
				fprintf(out, "  [%s+%#" PRIx64 "]", sym.name,
					off);
			vmt_error_destroy(err);
		}
		if (i == 2)
			fprintf(out, "  PSTATE: %08" PRIx64, r->pstate);
		fputc('\n', out);
	}
	for (int i = 29, col = 0; i >= 0; i--, col++) {
		fprintf(out, "%s%sX%d: %016" PRIx64, col % 3 ? "  " : "    ",
			i < 10 ? " " : "", i, r->x[i]);
		if (col % 3 == 2 || i == 0)
			fputc('\n', out);
	}
}

static void print_words(struct cmd_ctx *ctx, const struct vmt_frame *f)
{
	uint64_t a = f->words_start;
	FILE *out = ctx->out;

	while (a < f->words_end) {
		uint64_t w[2] = { 0, 0 };
		int n = f->words_end - a >= 16 ? 2 : 1;
		struct vmt_error *err =
			vmt_program_read_virt(ctx->prog, a, w, 8 * (size_t)n);

		if (err) {
			fprintf(out, "    %016" PRIx64 ": (%s)\n", a,
				err->message);
			vmt_error_destroy(err);
			return;
		}
		fprintf(out, "    %016" PRIx64 ": %016" PRIx64, a, w[0]);
		if (n == 2)
			fprintf(out, " %016" PRIx64, w[1]);
		fputc('\n', out);
		a += 16;
	}
}

static void print_lines(struct cmd_ctx *ctx, const struct vmt_frame *f)
{
	struct vmt_source_line *lines;
	struct vmt_error *err;
	size_t n;

	if (!f->symbol)
		return;
	err = vmt_program_source_lines(ctx->prog, f->pc,
				       f->kind != VMT_FRAME_PC, &lines, &n);
	if (err) {
		vmt_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < n; i++)
		fprintf(ctx->out, "    %s%s at %s:%d\n",
			lines[i].inlined ? "(inlined) " : "",
			lines[i].function, lines[i].file, lines[i].line);
	vmt_source_lines_free(lines, n);
}

static void print_text(struct cmd_ctx *ctx, const struct vmt_task *t)
{
	struct vmt_stack_text *v;
	struct vmt_error *err;
	size_t n;

	err = vmt_program_stack_text(ctx->prog, t, &v, &n);
	if (err) {
		fprintf(ctx->out, "    (text scan: %s)\n", err->message);
		vmt_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(ctx->out, "  [%016" PRIx64 "] ", v[i].addr);
		print_sym(ctx->out, v[i].symbol, v[i].offset, v[i].size,
			  v[i].module);
		fprintf(ctx->out, " at %016" PRIx64 " (%s)\n", v[i].value,
			v[i].stack);
	}
	free(v);
}

static void bt_text(struct cmd_ctx *ctx, const struct vmt_backtrace *bt,
		    const struct bt_opts *o)
{
	const struct vmt_task *t = bt->task;
	FILE *out = ctx->out;
	const char *stack = NULL;

	fprintf(out, "PID: %-7d TASK: %016" PRIx64 "  CPU: %-3d COMMAND: \"%s\"\n",
		t->pid, t->task, bt->cpu >= 0 ? bt->cpu : t->cpu, t->comm);
	if (o->text) {
		fprintf(out, "  START: %s\n", bt->start);
		print_text(ctx, t);
		return;
	}
	for (size_t i = 0; i < bt->nr_frames; i++) {
		const struct vmt_frame *f = &bt->frames[i];

		if (f->stack && stack && strcmp(f->stack, stack))
			fprintf(out, "--- <%s stack> ---\n", f->stack);
		if (f->stack)
			stack = f->stack;
		fprintf(out, "%s#%zu [%016" PRIx64 "] ", i < 10 ? " " : "", i,
			f->sp);
		if (f->user && f->kind == VMT_FRAME_PC)
			fprintf(out, "user space");
		else
			print_sym(out, f->symbol, f->offset, f->size,
				  f->module);
		fprintf(out, " at %016" PRIx64 "\n", f->pc);
		if (o->lines)
			print_lines(ctx, f);
		if (o->words)
			print_words(ctx, f);
		if (f->has_regs)
			print_regs(ctx, f);
	}
	if (bt->end == VMT_BT_END_NO_STACK)
		fprintf(out, "--- no stack: task->stack is NULL (the task has exited) ---\n");
	else if (bt->end == VMT_BT_END_BROKEN)
		fprintf(out, "--- trace ends: %s ---\n", bt->reason);
	else if (bt->end == VMT_BT_END_LIMIT)
		fprintf(out, "--- trace ends: too many frames ---\n");
}

static void json_regs(struct json *j, const struct vmt_frame *f)
{
	const struct vmt_regs *r = &f->regs;

	json_begin_object(j);
	json_key(j, "address");
	json_addr(j, f->regs_addr);
	json_key(j, "user");
	json_bool(j, f->user);
	json_key(j, "pc");
	json_addr(j, r->pc);
	json_key(j, "lr");
	json_addr(j, r->x[30]);
	json_key(j, "sp");
	json_addr(j, r->sp);
	json_key(j, "pstate");
	json_addr(j, r->pstate);
	json_key(j, "x");
	json_begin_array(j);
	for (int i = 0; i < 31; i++)
		json_addr(j, r->x[i]);
	json_end_array(j);
	json_end_object(j);
}

static void json_sym(struct json *j, const char *symbol, uint64_t offset,
		     uint64_t size, const char *module)
{
	json_key(j, "symbol");
	if (symbol)
		json_string(j, symbol);
	else
		json_null(j);
	json_key(j, "offset");
	if (symbol)
		json_uint(j, offset);
	else
		json_null(j);
	json_key(j, "size");
	if (symbol && size)
		json_uint(j, size);
	else
		json_null(j);
	json_key(j, "module");
	if (module)
		json_string(j, module);
	else
		json_null(j);
}

static void json_words(struct cmd_ctx *ctx, struct json *j,
		       const struct vmt_frame *f)
{
	json_key(j, "words");
	json_begin_array(j);
	for (uint64_t a = f->words_start; a < f->words_end; a += 8) {
		uint64_t w;
		struct vmt_error *err =
			vmt_program_read_virt(ctx->prog, a, &w, 8);

		if (err) {
			vmt_error_destroy(err);
			break;
		}
		json_addr(j, w);
	}
	json_end_array(j);
}

static void json_lines(struct cmd_ctx *ctx, struct json *j,
		       const struct vmt_frame *f)
{
	struct vmt_source_line *lines = NULL;
	struct vmt_error *err = NULL;
	size_t n = 0;

	if (f->symbol)
		err = vmt_program_source_lines(ctx->prog, f->pc,
					       f->kind != VMT_FRAME_PC, &lines,
					       &n);
	vmt_error_destroy(err);
	json_key(j, "lines");
	json_begin_array(j);
	for (size_t i = 0; !err && i < n; i++) {
		json_begin_object(j);
		json_key(j, "function");
		json_string(j, lines[i].function);
		json_key(j, "file");
		json_string(j, lines[i].file);
		json_key(j, "line");
		json_int(j, lines[i].line);
		json_key(j, "inlined");
		json_bool(j, lines[i].inlined);
		json_end_object(j);
	}
	json_end_array(j);
	if (!err)
		vmt_source_lines_free(lines, n);
}

static const char *kind_name(enum vmt_frame_kind kind)
{
	switch (kind) {
	case VMT_FRAME_PC:
		return "pc";
	case VMT_FRAME_LR:
		return "lr";
	case VMT_FRAME_RETURN:
		return "return";
	case VMT_FRAME_SAVED:
		return "saved";
	}
	return "?";
}

static void json_text(struct cmd_ctx *ctx, struct json *j,
		      const struct vmt_task *t)
{
	struct vmt_stack_text *v = NULL;
	struct vmt_error *err;
	size_t n = 0;

	err = vmt_program_stack_text(ctx->prog, t, &v, &n);
	vmt_error_destroy(err);
	json_key(j, "text");
	json_begin_array(j);
	for (size_t i = 0; !err && i < n; i++) {
		json_begin_object(j);
		json_key(j, "addr");
		json_addr(j, v[i].addr);
		json_key(j, "value");
		json_addr(j, v[i].value);
		json_sym(j, v[i].symbol, v[i].offset, v[i].size, v[i].module);
		json_key(j, "stack");
		json_string(j, v[i].stack);
		json_end_object(j);
	}
	json_end_array(j);
	free(v);
}

static void bt_json(struct cmd_ctx *ctx, struct json *j,
		    const struct vmt_backtrace *bt, const struct bt_opts *o)
{
	const struct vmt_task *t = bt->task;
	char end[300];

	json_begin_object(j);
	task_json_keys(j, t);
	json_key(j, "cpu");
	if (bt->cpu >= 0)
		json_int(j, bt->cpu);
	else if (t->cpu >= 0)
		json_int(j, t->cpu);
	else
		json_null(j);
	json_key(j, "oncpu");
	json_bool(j, bt->cpu >= 0);
	json_key(j, "start");
	json_string(j, bt->start);
	json_key(j, "stacks");
	json_begin_array(j);
	for (size_t i = 0; i < bt->nr_stacks; i++) {
		json_begin_object(j);
		json_key(j, "name");
		json_string(j, bt->stacks[i].name);
		json_key(j, "low");
		json_addr(j, bt->stacks[i].low);
		json_key(j, "high");
		json_addr(j, bt->stacks[i].high);
		json_end_object(j);
	}
	json_end_array(j);
	json_key(j, "frames");
	json_begin_array(j);
	for (size_t i = 0; i < bt->nr_frames; i++) {
		const struct vmt_frame *f = &bt->frames[i];

		json_begin_object(j);
		json_key(j, "pc");
		json_addr(j, f->pc);
		json_key(j, "sp");
		json_addr(j, f->sp);
		json_key(j, "fp");
		json_addr(j, f->fp);
		json_sym(j, f->symbol, f->offset, f->size, f->module);
		json_key(j, "kind");
		json_string(j, kind_name(f->kind));
		json_key(j, "stack");
		if (f->stack)
			json_string(j, f->stack);
		else
			json_null(j);
		json_key(j, "exception");
		if (f->has_regs)
			json_regs(j, f);
		else
			json_null(j);
		if (o->words)
			json_words(ctx, j, f);
		if (o->lines)
			json_lines(ctx, j, f);
		json_end_object(j);
	}
	json_end_array(j);
	if (bt->end == VMT_BT_END_BROKEN)
		snprintf(end, sizeof(end), "broken: %s", bt->reason);
	else
		snprintf(end, sizeof(end), "%s", bt->end_name);
	json_key(j, "end");
	json_string(j, end);
	if (o->text)
		json_text(ctx, j, t);
	json_end_object(j);
}

// One task: its trace printed, or an error (entry) for it.
static int bt_task(struct cmd_ctx *ctx, struct json *j,
		   const struct vmt_task *t, const struct bt_opts *o)
{
	struct vmt_backtrace *bt;
	struct vmt_error *err;
	int rc;

	err = vmt_program_backtrace(ctx->prog, t, 0, &bt);
	if (err) {
		rc = cmd_entry_error(ctx, j, err, "pid %d", t->pid);
		vmt_error_destroy(err);
		return rc;
	}
	if (ctx->json)
		bt_json(ctx, j, bt, o);
	else
		bt_text(ctx, bt, o);
	vmt_backtrace_destroy(bt);
	if (!ctx->json)
		fputc('\n', ctx->out);
	return EXIT_OK;
}

int cmd_bt(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "text", no_argument, NULL, 't' },
		{ "frames", no_argument, NULL, 'f' },
		{ "lines", no_argument, NULL, 'l' },
		{ 0 },
	};
	struct bt_opts o = { 0 };
	struct context_args cargs;
	unsigned int cpus[64], nr_cpus_wanted = 0, nr_cpus = 0;
	struct vmt_error *err;
	struct json j;
	int opt, rc = EXIT_OK, r, saved_opterr = opterr;
	char bad[128] = "";

	opterr = 0; // cmd_usage() says what was wrong
	while (!bad[0] && (opt = getopt_long(argc, argv, "ac:tfl", longopts,
					     NULL)) != -1) {
		uint64_t v;

		switch (opt) {
		case 'a':
			o.all = true;
			break;
		case 'c':
			if (!parse_number(optarg, &v) || v > UINT_MAX ||
			    nr_cpus_wanted >= 64)
				snprintf(bad, sizeof(bad),
					 "-c takes a CPU number (at most 64 of them)");
			else
				cpus[nr_cpus_wanted++] = (unsigned int)v;
			break;
		case 't':
			o.text = true;
			break;
		case 'f':
			o.words = true;
			break;
		case 'l':
			o.lines = true;
			break;
		default:
			if (optopt == 'c')
				snprintf(bad, sizeof(bad),
					 "-c needs a CPU number");
			else if (optopt)
				snprintf(bad, sizeof(bad),
					 "unknown option -%c", optopt);
			else
				snprintf(bad, sizeof(bad), "unknown option %s",
					 argv[optind - 1]);
		}
	}
	opterr = saved_opterr;
	if (bad[0])
		return cmd_usage(ctx, "%s", bad);
	for (int i = optind; i < argc; i++) {
		uint64_t v;

		if (!parse_number(argv[i], &v))
			return cmd_usage(ctx, "%s: not a pid or task address",
					 argv[i]);
	}
	// No task, CPU or -a: the task `set` chose, else every CPU's.
	if (!o.all && !nr_cpus_wanted)
		use_context_task(ctx, &argc, &argv, &cargs, true);
	if (optind == argc && !nr_cpus_wanted)
		o.all = true;
	if (o.all || nr_cpus_wanted) {
		err = vmt_program_nr_cpus(ctx->prog, &nr_cpus);
		if (err) {
			rc = cmd_fail(ctx, err, "CPUs");
			vmt_error_destroy(err);
			return rc;
		}
	}
	if (ctx->json) {
		json_init(&j, ctx->out);
		json_begin_array(&j);
	}
	// -a: every CPU; -c: those asked for; then the tasks named.
	for (unsigned int i = 0;
	     i < (o.all ? nr_cpus : nr_cpus_wanted); i++) {
		unsigned int cpu = o.all ? i : cpus[i];
		const struct vmt_task *t;

		err = vmt_program_cpu_task(ctx->prog, cpu, &t, NULL);
		if (err) {
			r = cmd_entry_error(ctx, &j, err, NULL);
			vmt_error_destroy(err);
		} else {
			r = bt_task(ctx, &j, t, &o);
		}
		if (r > rc)
			rc = r;
	}
	for (int i = optind; i < argc; i++) {
		const struct vmt_task *t;

		r = task_lookup(ctx, &j, argv[i], &t);
		if (!r)
			r = bt_task(ctx, &j, t, &o);
		if (r > rc)
			rc = r;
	}
	if (ctx->json) {
		json_end_array(&j);
		json_finish(&j);
	}
	return rc;
}
