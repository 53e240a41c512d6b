// `sys` DATE, UPTIME and the tick rate. The clocks a dump may hold:
// - the crash time of the dump (CRASHTIME= in VMCOREINFO, kdump header);
// - the timekeeper (kernel/time/timekeeping.c: static struct { seqcount;
//   struct timekeeper timekeeper; } tk_core), as of the last tick:
//   CLOCK_REALTIME = xtime_sec + (tkr_mono.xtime_nsec >> tkr_mono.shift),
//   CLOCK_MONOTONIC = tkr_mono.base + the same nanoseconds, CLOCK_BOOTTIME
//   = CLOCK_MONOTONIC + offs_boot (tk_update_ktime_data());
// - jiffies_64, counting HZ per second from INITIAL_JIFFIES;
// - the scheduler's clock: each task's se.exec_start is rq_clock_task()
//   when it last started running, so the latest of them is within a tick
//   of the crash (on the k612 sets within 40 ms of jiffies);
// - the newest log record's timestamp (local_clock()).
// HZ (CONFIG_HZ) is not in the dump as such: tick_nsec (kernel/time/ntp.c,
// the tick length in ns) gives it, else jiffies against another clock.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kernel/sysinfo.h"

#define NSEC 1000000000ULL

uint64_t jiffies_uptime_nsec(uint64_t jiffies_64, uint32_t hz)
{
	// INITIAL_JIFFIES: ((unsigned long)(unsigned int) (-300*HZ)), so the
	// 32-bit jiffies wrap five minutes after boot.
	uint64_t initial = (uint32_t)(-300 * (int64_t)hz);
	uint64_t d = jiffies_64 - initial;

	return d / hz * NSEC + d % hz * NSEC / hz;
}

uint32_t hz_from_jiffies(uint64_t jiffies_64, uint64_t ref_nsec)
{
	static const uint32_t candidates[] = { 100, 250, 300, 1000 };
	uint64_t tolerance = ref_nsec / 20 > 2 * NSEC ? ref_nsec / 20 :
							 2 * NSEC;
	uint64_t best_diff = UINT64_MAX;
	uint32_t best = 0;

	for (size_t i = 0; i < sizeof(candidates) / sizeof(*candidates); i++) {
		uint32_t hz = candidates[i];
		uint64_t up, diff;

		// Before INITIAL_JIFFIES means not this HZ.
		if (jiffies_64 < (uint32_t)(-300 * (int64_t)hz))
			continue;
		up = jiffies_uptime_nsec(jiffies_64, hz);
		diff = up > ref_nsec ? up - ref_nsec : ref_nsec - up;
		if (diff <= tolerance && diff < best_diff) {
			best_diff = diff;
			best = hz;
		}
	}
	return best;
}

struct tk_clocks {
	int64_t real_nsec;
	uint64_t boot_nsec;
	uint64_t addr;
};

static struct vmt_error *read_tk_core(struct kernel *k, struct tk_clocks *ret)
{
	uint64_t tk_core, seq_size, tk, off_sec, off_nsec, off_shift, off_base,
		off_boot, sec, nsec, base, boot;
	uint32_t shift;
	struct vmt_error *err;

	err = kernel_symbol(k, "tk_core", &tk_core);
	// tk_core is an anonymous struct: the timekeeper follows the seqcount
	// (seqcount_raw_spinlock_t since 5.10, seqcount_t before) at the
	// alignment of its u64 members.
	if (!err && !vmt_error_ok(kernel_type_size(k, "seqcount_raw_spinlock_t",
						   &seq_size)))
		err = kernel_type_size(k, "seqcount_t", &seq_size);
	if (!err)
		err = kernel_member_offset(k, "timekeeper", "xtime_sec", &off_sec);
	if (!err)
		err = kernel_member_offset(k, "timekeeper", "tkr_mono.xtime_nsec",
					   &off_nsec);
	if (!err)
		err = kernel_member_offset(k, "timekeeper", "tkr_mono.shift",
					   &off_shift);
	if (!err)
		err = kernel_member_offset(k, "timekeeper", "tkr_mono.base",
					   &off_base);
	if (!err)
		err = kernel_member_offset(k, "timekeeper", "offs_boot",
					   &off_boot);
	if (err)
		return err;
	tk = tk_core + ((seq_size + 7) & ~7ULL);
	err = kernel_read_u64(k, tk + off_sec, &sec);
	if (!err)
		err = kernel_read_u64(k, tk + off_nsec, &nsec);
	if (!err)
		err = kernel_read_u32(k, tk + off_shift, &shift);
	if (!err)
		err = kernel_read_u64(k, tk + off_base, &base);
	if (!err)
		err = kernel_read_u64(k, tk + off_boot, &boot);
	if (err)
		return err;
	if (shift > 63 || (nsec >> shift) >= NSEC || sec > INT64_MAX / NSEC ||
	    (int64_t)base < 0 || (int64_t)boot < 0)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"timekeeper at %#" PRIx64 ": xtime_sec %" PRIu64
					", shift %u, base %" PRId64 " out of range",
					tk, sec, shift, (int64_t)base);
	ret->real_nsec = (int64_t)(sec * NSEC + (nsec >> shift));
	ret->boot_nsec = base + (nsec >> shift) + boot;
	ret->addr = tk;
	return NULL;
}

// The wall clock the RTC set at boot: drivers/rtc/class.c rtc_hctosys()
// logs "<dev>: setting system clock to <date> UTC (<seconds>)". The last
// such record gives the wall-clock time at boot as seconds - timestamp
// (at most 12 digits are taken: the product stays inside 64 bits).
bool boot_time_from_rtc_line(const struct vmt_log *log, int64_t *ret,
			     uint64_t *seq_ret)
{
	static const char key[] = "setting system clock to ";

	for (size_t i = log ? log->nr_records : 0; i-- > 0;) {
		const struct vmt_log_record *r = &log->records[i];
		const char *p = memmem(r->text, r->text_len, key,
				       sizeof(key) - 1);
		const char *end = r->text + r->text_len;
		int64_t secs = 0;

		if (!p || end - p < 4 || end[-1] != ')')
			continue;
		p = end - 2;
		while (p > r->text && *p >= '0' && *p <= '9')
			p--;
		if (*p != '(' || p == end - 2 || end - p > 14)
			continue;
		for (p++; *p != ')'; p++)
			secs = secs * 10 + (*p - '0');
		*ret = secs * (int64_t)NSEC - (int64_t)r->ts_nsec;
		*seq_ret = r->seq;
		return true;
	}
	return false;
}

// The latest se.exec_start of any task: ns since boot of the scheduler's
// clock (a lower bound of the uptime).
static bool latest_exec_start(struct kernel *k, const struct vmt_task *tasks,
			      size_t nr, uint64_t *ret, int *pid_ret)
{
	uint64_t off, v, best = 0;
	int pid = -1;

	if (!tasks || !vmt_error_ok(kernel_member_offset(k, "task_struct",
							 "se.exec_start", &off)))
		return false;
	for (size_t i = 0; i < nr; i++) {
		// 100 years: a value beyond is not a clock reading.
		if (vmt_error_ok(kernel_read_u64(k, tasks[i].task + off, &v)) &&
		    v > best && v < 3155760000ULL * NSEC) {
			best = v;
			pid = tasks[i].pid;
		}
	}
	*ret = best;
	*pid_ret = pid;
	return best > 0;
}

static bool read_symbol_u64(struct kernel *k, const char *name,
			    uint64_t *ret)
{
	uint64_t addr;

	return vmt_error_ok(kernel_symbol(k, name, &addr)) &&
	       vmt_error_ok(kernel_read_u64(k, addr, ret));
}

// @p a - @p b in *@p ret; true if it does not fit (no overflow, which is
// undefined for signed integers).
static bool ns_sub(int64_t a, uint64_t b, int64_t *ret)
{
	return b > INT64_MAX || __builtin_sub_overflow(a, (int64_t)b, ret);
}

void sysinfo_time(struct kernel *k, bool has_crash_time, uint64_t crash_time,
		  const char *crash_time_how, const struct vmt_log *log,
		  const struct vmt_task *tasks, size_t nr_tasks,
		  struct vmt_sysinfo *s)
{
	struct tk_clocks tk = { 0 };
	struct vmt_error *tk_err;
	bool has_tk, has_jiffies, has_log_ts = log && log->nr_records;
	bool crash_ok;
	uint64_t jiffies, tick_nsec, log_ts = 0, rtc_seq, sched_ts = 0, ref = 0;
	bool has_sched;
	int sched_pid = -1;
	char tk_why[160];

	tk_err = read_tk_core(k, &tk);
	has_tk = !tk_err;
	snprintf(tk_why, sizeof(tk_why), "tk_core: %s",
		 tk_err ? tk_err->message : "");
	vmt_error_destroy(tk_err);
	if (has_log_ts)
		log_ts = log->records[log->nr_records - 1].ts_nsec;
	has_sched = latest_exec_start(k, tasks, nr_tasks, &sched_ts, &sched_pid);
	// The best clock to check jiffies against.
	ref = has_tk ? tk.boot_nsec : sched_ts > log_ts ? sched_ts : log_ts;

	// Past 2262, nanoseconds since the epoch no longer fit in 64 bits:
	// such a CRASHTIME is a corrupt field, not a clock.
	crash_ok = has_crash_time && crash_time <= (uint64_t)INT64_MAX / NSEC;
	if (crash_ok) {
		s->crash_time_nsec = (int64_t)crash_time * NSEC;
		sys_source(s, VMT_SYS_CRASH_TIME, true, "%s", crash_time_how);
	} else if (has_tk) {
		s->crash_time_nsec = tk.real_nsec;
		sys_source(s, VMT_SYS_CRASH_TIME, true,
			   "CLOCK_REALTIME of the timekeeper at %#" PRIx64
			   " (tk_core, as of the last tick)", tk.addr);
	} else if (has_crash_time) {
		sys_source(s, VMT_SYS_CRASH_TIME, false,
			   "%s: %" PRIu64 " s since the epoch is past the year 2262, not a clock reading; and %s",
			   crash_time_how, crash_time, tk_why);
	} else {
		sys_source(s, VMT_SYS_CRASH_TIME, false,
			   "no crash time in the dump (no CRASHTIME, no header timestamp) and %s",
			   tk_why);
	}

	has_jiffies = read_symbol_u64(k, "jiffies_64", &jiffies);
	if (read_symbol_u64(k, "tick_nsec", &tick_nsec) && tick_nsec &&
	    (NSEC + tick_nsec / 2) / tick_nsec >= 10 &&
	    (NSEC + tick_nsec / 2) / tick_nsec <= 10000) {
		s->hz = (uint32_t)((NSEC + tick_nsec / 2) / tick_nsec);
		sys_source(s, VMT_SYS_HZ, true,
			   "tick_nsec = %" PRIu64 " ns (NSEC_PER_SEC / HZ)",
			   tick_nsec);
	} else if (has_jiffies && ref && (s->hz = hz_from_jiffies(jiffies, ref))) {
		sys_source(s, VMT_SYS_HZ, true,
			   "jiffies_64 since INITIAL_JIFFIES against %s (no tick_nsec symbol)",
			   has_tk ? "the timekeeper's CLOCK_BOOTTIME" :
			   ref == sched_ts ? "the scheduler clock of the tasks" :
					     "the newest log record's timestamp");
	} else {
		sys_source(s, VMT_SYS_HZ, false,
			   "no tick_nsec symbol%s", has_jiffies ?
			   ", and jiffies_64 fits no usual HZ against another clock" :
			   " and no jiffies_64 symbol");
	}

	if (has_jiffies && s->known[VMT_SYS_HZ]) {
		s->uptime_nsec = jiffies_uptime_nsec(jiffies, s->hz);
		sys_source(s, VMT_SYS_UPTIME, true,
			   "jiffies_64 %" PRIu64 " - INITIAL_JIFFIES, at HZ %u",
			   jiffies, s->hz);
	} else if (has_tk) {
		s->uptime_nsec = tk.boot_nsec;
		sys_source(s, VMT_SYS_UPTIME, true,
			   "CLOCK_BOOTTIME of the timekeeper at %#" PRIx64
			   " (tk_core, as of the last tick)", tk.addr);
	} else if (has_sched && sched_ts >= log_ts) {
		s->uptime_nsec = sched_ts;
		sys_source(s, VMT_SYS_UPTIME, true,
			   "the latest se.exec_start of the tasks (pid %d): the scheduler clock when a task last started, within a tick of the crash (no jiffies_64 or tk_core symbol: a kernel without CONFIG_KALLSYMS_ALL lists no data symbols)",
			   sched_pid);
	} else if (has_log_ts) {
		s->uptime_nsec = log_ts;
		sys_source(s, VMT_SYS_UPTIME, true,
			   "the newest log record's timestamp, a lower bound (no jiffies_64 or tk_core symbol: a kernel without CONFIG_KALLSYMS_ALL lists no data symbols)");
	} else {
		sys_source(s, VMT_SYS_UPTIME, false,
			   "no jiffies_64 or tk_core symbol and no log");
	}

	// dmesg -T's boot time: the wall clock minus the time since boot, of
	// one clock where possible.
	// Clocks read from a corrupt kernel can be anything: a difference
	// that does not fit is no boot time.
	if (has_tk && !ns_sub(tk.real_nsec, tk.boot_nsec, &s->boot_time_nsec)) {
		sys_source(s, VMT_SYS_BOOT_TIME, true,
			   "the timekeeper's CLOCK_REALTIME - CLOCK_BOOTTIME");
	} else if (has_tk) {
		sys_source(s, VMT_SYS_BOOT_TIME, false,
			   "the timekeeper's CLOCK_REALTIME %" PRId64 " ns - CLOCK_BOOTTIME %" PRIu64 " ns is out of range",
			   tk.real_nsec, tk.boot_nsec);
	} else if (s->known[VMT_SYS_CRASH_TIME] && s->known[VMT_SYS_UPTIME] &&
		   !ns_sub(s->crash_time_nsec, s->uptime_nsec,
			   &s->boot_time_nsec)) {
		sys_source(s, VMT_SYS_BOOT_TIME, true,
			   "crash time - uptime");
	} else if (boot_time_from_rtc_line(log, &s->boot_time_nsec, &rtc_seq)) {
		sys_source(s, VMT_SYS_BOOT_TIME, true,
			   "the RTC's \"setting system clock to\" log record %" PRIu64
			   " minus its timestamp", rtc_seq);
	} else {
		sys_source(s, VMT_SYS_BOOT_TIME, false,
			   "needs the crash time and the uptime, or the RTC's log line: %s",
			   !s->known[VMT_SYS_CRASH_TIME] ?
				   s->sources[VMT_SYS_CRASH_TIME] :
				   s->sources[VMT_SYS_UPTIME]);
	}
	// Without a recorded crash time: the RTC's boot time plus the uptime.
	if (!s->known[VMT_SYS_CRASH_TIME] && s->known[VMT_SYS_BOOT_TIME] &&
	    s->known[VMT_SYS_UPTIME] && s->uptime_nsec <= INT64_MAX &&
	    !__builtin_add_overflow(s->boot_time_nsec,
				    (int64_t)s->uptime_nsec,
				    &s->crash_time_nsec)) {
		sys_source(s, VMT_SYS_CRASH_TIME, true,
			   "boot time (the RTC's log record) + uptime: the dump records no usable crash time and has no tk_core symbol");
	}
}
