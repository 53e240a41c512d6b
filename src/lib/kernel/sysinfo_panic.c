// `sys` PANIC: the message from the log, and which CPU and task panicked.
// Facts used (kernel/panic.c, arch/arm64/kernel/traps.c, lib/dump_stack.c):
// - panic() prints "Kernel panic - not syncing: <reason>"; an Oops starts
//   with "Unable to handle kernel ..." (a fault) or "Internal error: ..."
//   (die()), then __show_regs() prints dump_stack_print_info()'s
//   "CPU: N UID: U PID: P Comm: ..." (UID since 6.10; "CPU: N PID: P
//   Comm:" before); a plain panic() prints that line after its message;
// - panic_cpu holds the panicking CPU, -1 (PANIC_CPU_INVALID) otherwise.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/sysinfo.h"

#define PANIC_PREFIX "Kernel panic - not syncing: "
// How far after its message the kernel's CPU line may come.
#define CPU_LINE_WINDOW 64

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

// Parse an unsigned decimal at *p (advancing it); false if none.
static bool parse_uint(const char **p, const char *end, int *ret)
{
	long v = 0;
	const char *s = *p;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	while (s < end && *s >= '0' && *s <= '9' && v < 100000000)
		v = v * 10 + (*s++ - '0');
	*ret = (int)v;
	*p = s;
	return true;
}

// "CPU: N [UID: U ]PID: P Comm:" at the start of a line.
static bool cpu_line(const char *s, size_t len, int *cpu, int *pid)
{
	const char *p = s + 5, *end = s + len, *q;

	if (!starts_with(s, len, "CPU: ") || !parse_uint(&p, end, cpu))
		return false;
	q = memmem(p, (size_t)(end - p), " PID: ", 6);
	if (!q)
		return false;
	p = q + 6;
	return parse_uint(&p, end, pid) && starts_with(p, (size_t)(end - p),
						       " Comm:");
}

// Call @p fn on each line of record @p r until it returns true.
static bool find_line(const struct vmt_log_record *r,
		      bool (*fn)(const char *s, size_t len, void *arg),
		      void *arg)
{
	const char *s = r->text, *end = r->text + r->text_len;

	for (;;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (fn(s, len, arg))
			return true;
		if (!nl)
			return false;
		s = nl + 1;
	}
}

struct match {
	const char *const *prefixes;
	const char *s;
	size_t len;
	int cpu, pid;
};

static bool match_prefix(const char *s, size_t len, void *arg)
{
	struct match *m = arg;

	for (const char *const *p = m->prefixes; *p; p++) {
		if (starts_with(s, len, *p)) {
			m->s = s;
			m->len = len;
			return true;
		}
	}
	return false;
}

static bool match_cpu_line(const char *s, size_t len, void *arg)
{
	struct match *m = arg;

	return cpu_line(s, len, &m->cpu, &m->pid);
}

// The first record from @p from (exclusive of nothing) on whose line
// matches @p prefixes, or SIZE_MAX.
static size_t find_record(const struct vmt_log_record *recs, size_t nr,
			  size_t from, const char *const *prefixes,
			  struct match *m)
{
	m->prefixes = prefixes;
	for (size_t i = from; i < nr; i++)
		if (find_line(&recs[i], match_prefix, m))
			return i;
	return SIZE_MAX;
}

void panic_from_log(const struct vmt_log_record *recs, size_t nr,
		    struct panic_facts *ret)
{
	static const char *const panic_prefixes[] = { PANIC_PREFIX, NULL };
	static const char *const oops_prefixes[] = { "Unable to handle kernel ",
						     "Internal error: ", NULL };
	struct match pm = { 0 }, om = { 0 }, cm = { 0 };
	size_t panic_rec, oops_rec, from;

	memset(ret, 0, sizeof(*ret));
	ret->record = SIZE_MAX;
	panic_rec = find_record(recs, nr, 0, panic_prefixes, &pm);
	oops_rec = find_record(recs, nr, 0, oops_prefixes, &om);
	if (panic_rec != SIZE_MAX) {
		ret->record = panic_rec;
		ret->msg = pm.s;
		ret->msg_len = pm.len;
	} else if (oops_rec != SIZE_MAX) {
		ret->record = oops_rec;
		ret->msg = om.s;
		ret->msg_len = om.len;
	} else {
		return;
	}
	// The CPU line of an Oops follows its first line; a plain panic()
	// prints its own after the message.
	from = oops_rec != SIZE_MAX && oops_rec <= ret->record ? oops_rec :
								ret->record;
	for (size_t i = from; i < nr && i <= from + CPU_LINE_WINDOW; i++) {
		if (find_line(&recs[i], match_cpu_line, &cm)) {
			ret->has_cpu_line = true;
			ret->cpu = cm.cpu;
			ret->pid = cm.pid;
			ret->cpu_line_record = i;
			return;
		}
	}
}

// The one task the task list has running on @p cpu, or NULL.
static const struct vmt_task *current_on(const struct vmt_task *tasks,
					 size_t nr, int cpu, size_t *count)
{
	const struct vmt_task *found = NULL;

	*count = 0;
	for (size_t i = 0; i < nr; i++) {
		if (tasks[i].oncpu && tasks[i].cpu == cpu) {
			found = &tasks[i];
			(*count)++;
		}
	}
	return *count == 1 ? found : NULL;
}

void sysinfo_panic(struct kernel *k, const struct vmt_log *log,
		   const char *log_why, const struct vmt_task *tasks,
		   size_t nr_tasks, struct vmt_sysinfo *s)
{
	struct panic_facts pf = { .record = SIZE_MAX };
	const struct vmt_task *t;
	bool has_var = false;
	uint64_t addr;
	uint32_t var;
	size_t count;

	if (!log) {
		sys_source(s, VMT_SYS_PANIC, false, "no log: %s", log_why);
	} else {
		panic_from_log(log->records, log->nr_records, &pf);
		if (pf.record != SIZE_MAX) {
			snprintf(s->panic, sizeof(s->panic), "%.*s",
				 (int)pf.msg_len, pf.msg);
			sys_source(s, VMT_SYS_PANIC, true,
				   "the kernel log, record %" PRIu64,
				   log->records[pf.record].seq);
		} else {
			sys_source(s, VMT_SYS_PANIC, true,
				   "the kernel log holds no panic or oops message");
		}
	}
	// panic_cpu: the CPU in panic(), or -1.
	if (vmt_error_ok(kernel_symbol(k, "panic_cpu", &addr)) &&
	    vmt_error_ok(kernel_read_u32(k, addr, &var)))
		has_var = true;
	if (has_var && (int32_t)var >= 0 && (int32_t)var < 65536) {
		s->panic_cpu = (int)var;
		sys_source(s, VMT_SYS_PANIC_CPU, true,
			   "panic_cpu at %#" PRIx64, addr);
	} else if (pf.has_cpu_line) {
		s->panic_cpu = pf.cpu;
		sys_source(s, VMT_SYS_PANIC_CPU, true,
			   "the kernel's \"CPU: %d ... PID: %d Comm:\" line (log record %"
			   PRIu64 ")%s",
			   pf.cpu, pf.pid, log->records[pf.cpu_line_record].seq,
			   has_var ? "; panic_cpu is -1: the Oops did not panic" :
				     "; no panic_cpu symbol");
	} else {
		sys_source(s, VMT_SYS_PANIC_CPU, false, "%s",
			   pf.record == SIZE_MAX && (!has_var || (int32_t)var < 0) ?
				   "no panic" :
				   "no panic_cpu symbol and no CPU line in the log");
	}
	if (!s->known[VMT_SYS_PANIC_CPU]) {
		sys_source(s, VMT_SYS_PANIC_PID, false, "%s",
			   s->sources[VMT_SYS_PANIC_CPU]);
		return;
	}
	t = current_on(tasks, tasks ? nr_tasks : 0, s->panic_cpu, &count);
	if (t && (!pf.has_cpu_line || pf.cpu != s->panic_cpu ||
		  pf.pid == t->pid)) {
		s->panic_pid = t->pid;
		sys_source(s, VMT_SYS_PANIC_PID, true,
			   "the task current on CPU %d in the task list (%s)",
			   s->panic_cpu, t->comm);
	} else if (pf.has_cpu_line && pf.cpu == s->panic_cpu) {
		s->panic_pid = pf.pid;
		if (t)
			kernel_warn(k, "sys: the task list has pid %d current on CPU %d, the kernel's Oops/panic line says pid %d: using the log",
				    t->pid, s->panic_cpu, pf.pid);
		sys_source(s, VMT_SYS_PANIC_PID, true,
			   "the kernel's \"CPU: %d ... PID: %d Comm:\" line (log record %"
			   PRIu64 ")%s",
			   pf.cpu, pf.pid, log->records[pf.cpu_line_record].seq,
			   t ? "; the task list disagrees (see the warning)" :
			   count ? "; the task list marks several tasks on that CPU" :
				   "; the task list marks no task on that CPU");
	} else {
		sys_source(s, VMT_SYS_PANIC_PID, false,
			   "the task list marks %zu tasks on CPU %d and the log has no CPU line for it",
			   count, s->panic_cpu);
	}
}
