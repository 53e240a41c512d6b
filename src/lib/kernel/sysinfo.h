// `sys`: the identity card of a crash (include/vmtool/sys.h), one concern
// per file: sysinfo.c (uname, CPUs, load, the record), sysinfo_memory.c,
// sysinfo_time.c (crash time, HZ, uptime), sysinfo_panic.c.
#ifndef VMT_KERNEL_SYSINFO_H
#define VMT_KERNEL_SYSINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"
#include "kernel/kread.h"
#include "vmcoreinfo/vmcoreinfo.h"
#include "vmtool/log.h"
#include "vmtool/sys.h"

/** Mark @p field known (or not) and say where it came from (or why not). */
void sys_source(struct vmt_sysinfo *s, enum vmt_sys_field field, bool known,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** RELEASE, VERSION, NODENAME, MACHINE from init_uts_ns.name. */
void sysinfo_uts(struct kernel *k, const struct vmcoreinfo *vi,
		 const char *dump_machine, struct vmt_sysinfo *s);

/** RELEASE from VMCOREINFO OSRELEASE, MACHINE from the dump's. */
void sysinfo_uts_from_dump(const struct vmcoreinfo *vi,
			   const char *dump_machine, struct vmt_sysinfo *s);

/**
 * CPUS: the present CPUs (__cpu_present_mask) where the symbol is known,
 * else @p dump_cpus (the dump's per-CPU notes or header).
 */
void sysinfo_cpus(struct kernel *k, uint32_t dump_cpus, struct vmt_sysinfo *s);

/** LOAD AVERAGE from avenrun[]. */
void sysinfo_load_average(struct kernel *k, struct vmt_sysinfo *s);

/**
 * MEMORY: node_present_pages summed over the online nodes, else the
 * present sections of mem_section.
 */
void sysinfo_memory(struct kernel *k, const struct vmcoreinfo *vi,
		    struct vmt_sysinfo *s);

/** What the mem_section walk needs (all from VMCOREINFO). */
struct mem_section_layout {
	/** SYMBOL(mem_section): the roots array (SPARSEMEM_EXTREME) or the
	 *  static array itself. */
	uint64_t mem_section;
	/** LENGTH(mem_section): NR_SECTION_ROOTS. */
	uint64_t nr_roots;
	/** SIZE(mem_section), OFFSET(mem_section.section_mem_map). */
	uint64_t section_size;
	uint64_t section_mem_map;
	/** NUMBER(SECTION_SIZE_BITS), NUMBER(MAX_PHYSMEM_BITS), PAGESIZE. */
	unsigned int section_size_bits;
	unsigned int max_physmem_bits;
	uint64_t page_size;
};

/**
 * Count the sections marked present (SECTION_MARKED_PRESENT) and the bytes
 * they span. Whether mem_section is a root array (SPARSEMEM_EXTREME) is
 * told by LENGTH: NR_SECTION_ROOTS is NR_MEM_SECTIONS only without it.
 */
struct vmt_error *mem_section_present(const struct mem_section_layout *l,
				      kread_fn *read, void *arg,
				      uint64_t *nr_ret, uint64_t *bytes_ret);

/**
 * CRASH_TIME, HZ, UPTIME and BOOT_TIME: the dump's crash time, else the
 * timekeeper (tk_core); HZ from tick_nsec, else from jiffies against a
 * reference clock; uptime from jiffies_64, else the timekeeper, else the
 * scheduler clock of the tasks (se.exec_start) or the newest log record,
 * the later. @p log and @p tasks may be NULL.
 */
void sysinfo_time(struct kernel *k, bool has_crash_time, uint64_t crash_time,
		  const char *crash_time_how, const struct vmt_log *log,
		  const struct vmt_task *tasks, size_t nr_tasks,
		  struct vmt_sysinfo *s);

/**
 * The tick rate among the usual ones (100, 250, 300, 1000) whose uptime
 * from @p jiffies_64 is nearest @p ref_nsec (another clock's time since
 * boot), or 0 when none is near (within 5%, at least 2 s).
 */
uint32_t hz_from_jiffies(uint64_t jiffies_64, uint64_t ref_nsec);

/**
 * Time since boot of @p jiffies_64 at @p hz: jiffies count from
 * INITIAL_JIFFIES, (unsigned int)(-300 * HZ) (include/linux/jiffies.h).
 */
uint64_t jiffies_uptime_nsec(uint64_t jiffies_64, uint32_t hz);

/**
 * The wall-clock time at boot from the RTC's "setting system clock to ...
 * (SECONDS)" record (the last one), in ns since the epoch.
 */
bool boot_time_from_rtc_line(const struct vmt_log *log, int64_t *ret,
			     uint64_t *seq_ret);

/** What the log tells about a panic. */
struct panic_facts {
	/** Index of the message's record, or SIZE_MAX when none. */
	size_t record;
	/** The message (a line of that record). */
	const char *msg;
	size_t msg_len;
	/** The kernel's "CPU: N [UID: U ]PID: P Comm:" line near it. */
	bool has_cpu_line;
	int cpu, pid;
	size_t cpu_line_record;
};

/**
 * Find the panic in the log: the first "Kernel panic - not syncing: "
 * line, else the first oops line ("Unable to handle kernel ", "Internal
 * error: "), and the CPU line the kernel printed with it (after the oops
 * for an Oops, after the panic line for a plain panic()).
 */
void panic_from_log(const struct vmt_log_record *recs, size_t nr,
		    struct panic_facts *ret);

/**
 * PANIC, PANIC_CPU, PANIC_PID: the message from the log; the CPU from
 * panic_cpu where its symbol is known, else the log; the task the task
 * list has current on that CPU, else the log. @p log and @p tasks may be
 * NULL (unreadable; @p log_why / @p tasks_why say why).
 */
void sysinfo_panic(struct kernel *k, const struct vmt_log *log,
		   const char *log_why, const struct vmt_task *tasks,
		   size_t nr_tasks, struct vmt_sysinfo *s);

#endif
