// vmt_program_runq(): crash's `runq` over kernel/runq.c, each CPU's struct
// rq found through the per-CPU variable runqueues.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#include "kernel/runq.h"
#include "program_internal.h"
#include "vmtool/runq.h"

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

struct vmt_error *vmt_program_runq(struct vmt_program *prog, unsigned int cpu,
				   struct vmt_runq *ret)
{
	struct vmt_error *err;
	unsigned int nr_cpus;
	uint64_t rq;

	memset(ret, 0, sizeof(*ret));
	ret->cpu = cpu;
	err = vmt_program_nr_cpus(prog, &nr_cpus);
	if (err)
		return vmt_error_wrap(err, "runqueue of CPU %u", cpu);
	if (cpu >= nr_cpus)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"CPU %u: the kernel has %u CPUs", cpu,
					nr_cpus);
	if (!prog->runq_layout_loaded) {
		err = runq_layout_init(&prog->kernel, &prog->runq_layout);
		if (err)
			return vmt_error_wrap(err, "runqueue of CPU %u", cpu);
		prog->runq_layout_loaded = true;
	}
	err = vmt_program_per_cpu_address(prog, "runqueues", cpu, &rq);
	if (err)
		return vmt_error_wrap(err, "runqueue of CPU %u", cpu);
	return runq_read(kread, &prog->kernel, &prog->runq_layout, cpu, rq,
			 ret);
}
