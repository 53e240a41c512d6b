// The public calls of the kernel log (include/vmtool/log.h).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "program_internal.h"

struct vmt_error *vmt_program_log(struct vmt_program *prog,
				  const struct vmt_log **ret)
{
	struct vmt_error *err;

	if (!prog->log_loaded) {
		if (prog->layout_err)
			return vmt_error_format(prog->layout_err->code,
						"no arm64 layout: %s",
						prog->layout_err->message);
		err = printk_load(&prog->kernel, &prog->vi, &prog->log_res,
				  &prog->log, prog->log_source,
				  sizeof(prog->log_source));
		if (err)
			return err;
		prog->log_loaded = true;
	}
	*ret = &prog->log;
	return NULL;
}

void program_log_deinit(struct vmt_program *prog)
{
	printk_result_deinit(&prog->log_res);
	prog->log_loaded = false;
}
