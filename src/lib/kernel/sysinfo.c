// `sys`: uname (init_uts_ns), CPUs and load average, and the helpers the
// other sysinfo_*.c files share.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "kernel/sysinfo.h"

const char *vmt_sys_field_name(enum vmt_sys_field field)
{
	static const char *const names[VMT_SYS_NR_FIELDS] = {
		[VMT_SYS_RELEASE] = "release",
		[VMT_SYS_VERSION] = "version",
		[VMT_SYS_NODENAME] = "nodename",
		[VMT_SYS_MACHINE] = "machine",
		[VMT_SYS_CPUS] = "cpus",
		[VMT_SYS_MEMORY] = "memory",
		[VMT_SYS_UPTIME] = "uptime",
		[VMT_SYS_LOAD_AVERAGE] = "load_average",
		[VMT_SYS_TASKS] = "tasks",
		[VMT_SYS_CRASH_TIME] = "crash_time",
		[VMT_SYS_PANIC] = "panic",
		[VMT_SYS_PANIC_CPU] = "panic_cpu",
		[VMT_SYS_PANIC_PID] = "panic_pid",
		[VMT_SYS_HZ] = "hz",
		[VMT_SYS_BOOT_TIME] = "boot_time",
	};

	return (unsigned int)field < VMT_SYS_NR_FIELDS ? names[field] : "";
}

double vmt_sys_load_average(uint64_t avenrun)
{
	// FSHIFT 11, FIXED_1 2048 (include/linux/sched/loadavg.h);
	// /proc/loadavg adds FIXED_1/200 to round to hundredths.
	uint64_t a = avenrun + 2048 / 200;

	return (double)(a >> 11) + (double)(((a & 2047) * 100) >> 11) / 100.0;
}

void sys_source(struct vmt_sysinfo *s, enum vmt_sys_field field, bool known,
		const char *fmt, ...)
{
	va_list ap;

	s->known[field] = known;
	va_start(ap, fmt);
	vsnprintf(s->sources[field], sizeof(s->sources[field]), fmt, ap);
	va_end(ap);
}

// struct new_utsname is uapi (include/uapi/linux/utsname.h): six strings
// of __NEW_UTS_LEN + 1 bytes; the types, where present, must agree.
static const char *const uts_members[] = { "nodename", "release", "version",
					   "machine" };

void sysinfo_uts(struct kernel *k, const struct vmcoreinfo *vi,
		 const char *dump_machine, struct vmt_sysinfo *s)
{
	static const uint64_t fixed[] = { 1 * VMT_UTS_LEN, 2 * VMT_UTS_LEN,
					  3 * VMT_UTS_LEN, 4 * VMT_UTS_LEN };
	static const enum vmt_sys_field fields[] = {
		VMT_SYS_NODENAME, VMT_SYS_RELEASE, VMT_SYS_VERSION,
		VMT_SYS_MACHINE
	};
	char *const dest[] = { s->nodename, s->release, s->version,
			       s->machine };
	uint8_t name[6 * VMT_UTS_LEN];
	uint64_t uts, name_off, off[4];
	const char *layout = "the uapi layout of struct new_utsname";
	struct vmt_error *err;

	err = kernel_symbol(k, "init_uts_ns", &uts);
	if (!err && !vmcoreinfo_offset(vi, "uts_namespace.name", &name_off))
		err = kernel_member_offset(k, "uts_namespace", "name",
					   &name_off);
	if (!err)
		err = kernel_read(k, uts + name_off, name, sizeof(name));
	if (!err) {
		bool types = true;

		for (int i = 0; i < 4; i++)
			types = types && vmt_error_ok(kernel_member_offset(
						 k, "new_utsname",
						 uts_members[i], &off[i])) &&
				off[i] + VMT_UTS_LEN <= sizeof(name);
		if (types)
			layout = "struct new_utsname from the types";
		else
			memcpy(off, fixed, sizeof(off));
		for (int i = 0; i < 4; i++) {
			memcpy(dest[i], name + off[i], VMT_UTS_LEN);
			dest[i][VMT_UTS_LEN - 1] = '\0';
			sys_source(s, fields[i], true,
				   "init_uts_ns.name.%s at %#" PRIx64 " (%s)",
				   uts_members[i], uts + name_off + off[i],
				   layout);
		}
		return;
	}
	for (int i = 0; i < 4; i++)
		sys_source(s, fields[i], false, "init_uts_ns: %s",
			   err->message);
	vmt_error_destroy(err);
	sysinfo_uts_from_dump(vi, dump_machine, s);
}

void sysinfo_uts_from_dump(const struct vmcoreinfo *vi,
			   const char *dump_machine, struct vmt_sysinfo *s)
{
	if (vi->osrelease) {
		snprintf(s->release, sizeof(s->release), "%s", vi->osrelease);
		sys_source(s, VMT_SYS_RELEASE, true, "VMCOREINFO OSRELEASE");
	}
	if (dump_machine && dump_machine[0] &&
	    strcmp(dump_machine, "unknown")) {
		snprintf(s->machine, sizeof(s->machine), "%s", dump_machine);
		sys_source(s, VMT_SYS_MACHINE, true,
			   "the dump's machine (ELF e_machine, VMCOREINFO)");
	}
}

void sysinfo_cpus(struct kernel *k, uint32_t dump_cpus, struct vmt_sysinfo *s)
{
	uint64_t mask_addr, nr_addr;
	uint32_t nr_cpu_ids;
	unsigned int present = 0;

	// cpu_present_mask keeps the CPUs that panic() stopped (it clears
	// only cpu_online_mask), so it counts the machine's CPUs.
	if (vmt_error_ok(kernel_symbol(k, "__cpu_present_mask", &mask_addr)) &&
	    vmt_error_ok(kernel_symbol(k, "nr_cpu_ids", &nr_addr)) &&
	    vmt_error_ok(kernel_read_u32(k, nr_addr, &nr_cpu_ids)) &&
	    nr_cpu_ids > 0 && nr_cpu_ids <= 65536) {
		bool ok = true;

		for (uint32_t w = 0; w < (nr_cpu_ids + 63) / 64 && ok; w++) {
			uint64_t bits;

			ok = vmt_error_ok(kernel_read_u64(k, mask_addr + 8 * w,
							  &bits));
			if (nr_cpu_ids - 64 * w < 64)
				bits &= (1ULL << (nr_cpu_ids - 64 * w)) - 1;
			present += (unsigned int)__builtin_popcountll(bits);
		}
		if (ok && present) {
			s->cpus = present;
			sys_source(s, VMT_SYS_CPUS, true,
				   "__cpu_present_mask (%u of nr_cpu_ids %u)",
				   present, nr_cpu_ids);
			return;
		}
	}
	if (dump_cpus) {
		s->cpus = dump_cpus;
		sys_source(s, VMT_SYS_CPUS, true,
			   "the dump's per-CPU register notes (NT_PRSTATUS) or header (no __cpu_present_mask symbol)");
	} else {
		sys_source(s, VMT_SYS_CPUS, false,
			   "no __cpu_present_mask symbol and no CPU notes in the dump");
	}
}

void sysinfo_load_average(struct kernel *k, struct vmt_sysinfo *s)
{
	struct vmt_error *err;
	uint64_t avenrun;

	err = kernel_symbol(k, "avenrun", &avenrun);
	for (int i = 0; i < 3 && !err; i++)
		err = kernel_read_u64(k, avenrun + 8 * i, &s->load_average[i]);
	if (err) {
		sys_source(s, VMT_SYS_LOAD_AVERAGE, false,
			   "avenrun: %s (a kernel without CONFIG_KALLSYMS_ALL lists no data symbols)",
			   err->message);
		vmt_error_destroy(err);
		return;
	}
	sys_source(s, VMT_SYS_LOAD_AVERAGE, true,
		   "avenrun[] at %#" PRIx64 " (fixed point, FIXED_1 2048)",
		   avenrun);
}
