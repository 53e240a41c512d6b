// The public call of `sys` (include/vmtool/sys.h): gathers what the
// kernel/sysinfo*.c parts find, from the log, the task list and the dump.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <string.h>

#include "kernel/sysinfo.h"
#include "program_internal.h"

struct vmt_error *vmt_program_sysinfo(struct vmt_program *prog,
				      const struct vmt_sysinfo **ret)
{
	struct vmt_sysinfo *s = &prog->sys;
	const struct vmt_dump_info *info = &prog->info;
	const struct vmt_task *tasks = NULL;
	const struct vmt_log *log = NULL;
	struct vmt_error *err;
	char log_why[256] = "", crash_how[128];
	size_t nr_tasks = 0;

	if (prog->sys_loaded) {
		*ret = s;
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->kernel = prog->di.have_vmlinux && prog->di.vmlinux_path ?
			    prog->di.vmlinux_path :
			    "from the dump (VMCOREINFO, kallsyms, BTF)";
	if (prog->layout_err) {
		// Without page tables nothing of the kernel can be read; the
		// dump's own facts still stand.
		for (int f = 0; f < VMT_SYS_NR_FIELDS; f++)
			sys_source(s, f, false, "no arm64 layout: %s",
				   prog->layout_err->message);
		sysinfo_uts_from_dump(&prog->vi, info->machine, s);
		if (info->nr_cpus) {
			s->cpus = info->nr_cpus;
			sys_source(s, VMT_SYS_CPUS, true,
				   "the dump's per-CPU register notes or header");
		}
		prog->sys_loaded = true;
		*ret = s;
		return NULL;
	}
	err = vmt_program_log(prog, &log);
	if (err) {
		if (err->code == VMT_ERROR_NO_MEMORY)
			return err;
		snprintf(log_why, sizeof(log_why), "%s", err->message);
		vmt_error_destroy(err);
		log = NULL;
	}
	err = vmt_program_tasks(prog, &tasks, &nr_tasks);
	if (err) {
		if (err->code == VMT_ERROR_NO_MEMORY)
			return err;
		sys_source(s, VMT_SYS_TASKS, false, "task list: %s",
			   err->message);
		vmt_error_destroy(err);
		tasks = NULL;
	} else {
		s->tasks = nr_tasks;
		sys_source(s, VMT_SYS_TASKS, true,
			   "the task list from init_task (threads and idle tasks included)");
	}
	sysinfo_uts(&prog->kernel, &prog->vi, info->machine, s);
	sysinfo_cpus(&prog->kernel, info->nr_cpus, s);
	sysinfo_memory(&prog->kernel, &prog->vi, s);
	sysinfo_load_average(&prog->kernel, s);
	snprintf(crash_how, sizeof(crash_how), "%s",
		 vmcoreinfo_get(&prog->vi, "CRASHTIME") ?
			 "VMCOREINFO CRASHTIME" :
			 "the kdump header's timestamp");
	sysinfo_time(&prog->kernel, info->has_crash_time, info->crash_time,
		     crash_how, log, tasks, nr_tasks, s);
	sysinfo_panic(&prog->kernel, log, log_why, tasks, nr_tasks, s);
	prog->sys_loaded = true;
	*ret = s;
	return NULL;
}
