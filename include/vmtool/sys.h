/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sys.h
 * The identity card of a crash, as crash's `sys` shows it: kernel, CPUs,
 * memory, time, load, tasks and the panic, each with where it came from.
 */
#ifndef VMTOOL_SYS_H
#define VMTOOL_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmt_program;

/** The values of struct vmt_sysinfo, as indexes of known[] and sources[]. */
enum vmt_sys_field {
	VMT_SYS_RELEASE,
	VMT_SYS_VERSION,
	VMT_SYS_NODENAME,
	VMT_SYS_MACHINE,
	VMT_SYS_CPUS,
	VMT_SYS_MEMORY,
	VMT_SYS_UPTIME,
	VMT_SYS_LOAD_AVERAGE,
	VMT_SYS_TASKS,
	VMT_SYS_CRASH_TIME,
	VMT_SYS_PANIC,
	VMT_SYS_PANIC_CPU,
	VMT_SYS_PANIC_PID,
	VMT_SYS_HZ,
	VMT_SYS_BOOT_TIME,
	VMT_SYS_NR_FIELDS,
};

/** "release", "version", ... "boot_time": the JSON key of @p field. */
const char *vmt_sys_field_name(enum vmt_sys_field field);

/** The size of the strings of struct new_utsname (__NEW_UTS_LEN + 1). */
#define VMT_UTS_LEN 65

/** What the dump says about the machine and its crash. */
struct vmt_sysinfo {
	/** The vmlinux in use (its path), or "from the dump". */
	const char *kernel;
	/** Whether each value could be found. */
	bool known[VMT_SYS_NR_FIELDS];
	/** Where each value came from, or why it is unknown. */
	char sources[VMT_SYS_NR_FIELDS][256];
	/** init_uts_ns.name.release: uname -r. */
	char release[VMT_UTS_LEN];
	/** init_uts_ns.name.version: uname -v. */
	char version[VMT_UTS_LEN];
	/** init_uts_ns.name.nodename: uname -n. */
	char nodename[VMT_UTS_LEN];
	/** init_uts_ns.name.machine: uname -m. */
	char machine[VMT_UTS_LEN];
	/** CPUs present (sources[VMT_SYS_CPUS] says how they were counted). */
	uint32_t cpus;
	/** RAM the crashed kernel managed, in bytes. */
	uint64_t memory;
	/** Time since boot at the crash, in nanoseconds. */
	uint64_t uptime_nsec;
	/** avenrun[]: 1, 5 and 15 minutes, fixed point with FIXED_1 = 2048. */
	uint64_t load_average[3];
	/** Tasks (threads included, one idle task per CPU). */
	uint64_t tasks;
	/** Wall-clock time of the crash, nanoseconds since the Unix epoch. */
	int64_t crash_time_nsec;
	/**
	 * The panic or oops message, from the log ("Kernel panic - not
	 * syncing: ...", else "Unable to handle kernel ..." or "Internal
	 * error: ..."); "" when the log holds none (known but empty).
	 */
	char panic[256];
	/** The CPU that panicked (the kernel's panic_cpu). */
	int panic_cpu;
	/**
	 * The pid of the task current on panic_cpu, else of the log's
	 * "CPU: N PID: P Comm:" line.
	 */
	int panic_pid;
	/** The kernel's tick rate (CONFIG_HZ). */
	uint32_t hz;
	/** Wall-clock time at boot, nanoseconds since the Unix epoch. */
	int64_t boot_time_nsec;
};

/**
 * Gather the identity card of the dump (once; later calls return the same
 * record). Values that cannot be found are marked unknown with the reason
 * in sources[]; only a failure to allocate is an error. Borrowed; valid as
 * long as @p prog.
 */
struct vmt_error *vmt_program_sysinfo(struct vmt_program *prog,
				      const struct vmt_sysinfo **ret);

/**
 * One avenrun[] value as /proc/loadavg prints it (rounded to hundredths:
 * LOAD_INT and LOAD_FRAC of avenrun + FIXED_1/200), e.g. 0.42.
 */
double vmt_sys_load_average(uint64_t avenrun);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_SYS_H */
