// Modules, and what symbol lookups need from the program: how to strip an
// address, where the kernel image lies, and how to find derived and module
// symbols on demand.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/module.h"
#include "program_internal.h"

static uint64_t untag(void *arg, uint64_t addr)
{
	struct vmt_program *prog = arg;

	return prog->layout_err ? addr : arm64_untag(&prog->layout, addr);
}

static bool kimage(void *arg, uint64_t *start_ret, uint64_t *end_ret)
{
	struct vmt_program *prog = arg;

	if (prog->layout_err || !prog->layout.kimage_end.value)
		return false;
	*start_ret = prog->layout.kimage_start.value;
	*end_ret = prog->layout.kimage_end.value;
	return true;
}

// Derived symbols come from the task list (init_task by scan) and the
// module list (`modules` by scan, and every module's symbols).
static void load_more(void *arg)
{
	struct vmt_program *prog = arg;
	const struct vmt_module *mods;
	const struct vmt_task *tasks;
	size_t n;

	if (prog->layout_err)
		return;
	vmt_error_destroy(vmt_program_tasks(prog, &tasks, &n));
	vmt_error_destroy(vmt_program_modules(prog, &mods, &n));
}

static const struct debuginfo_ops symbol_ops = {
	.untag = untag,
	.kimage = kimage,
	.load_more = load_more,
};

void program_symbol_ops_init(struct vmt_program *prog)
{
	prog->di.ops = &symbol_ops;
	prog->di.ops_arg = prog;
}

// A copy of the kept error, for a caller to own.
static struct vmt_error *copy_error(const struct vmt_error *err)
{
	if (!err)
		return NULL;
	return vmt_error_format(err->code, "%s", err->message);
}

struct vmt_error *vmt_program_modules(struct vmt_program *prog,
				      const struct vmt_module **ret,
				      size_t *nr_ret)
{
	struct vmt_error *err;

	if (prog->modules_state == 1) // asked while loading (a lookup)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"modules: being loaded");
	if (!prog->modules_state) {
		prog->modules_state = 1;
		err = prog->layout_err ? copy_error(prog->layout_err) :
			kernel_modules(&prog->kernel, &prog->modules,
				       &prog->nr_modules, prog->modules_how,
				       sizeof(prog->modules_how));
		prog->modules_err = err;
		prog->modules_state = 2;
		if (err && prog->nr_modules)
			warnings_add(&prog->warnings,
				     "module list: %s; %zu modules read before it",
				     err->message, prog->nr_modules);
	}
	*ret = prog->modules;
	*nr_ret = prog->nr_modules;
	return copy_error(prog->modules_err);
}

const char *vmt_program_modules_how(struct vmt_program *prog)
{
	return prog->modules_how;
}

struct vmt_error *vmt_program_module_by_name(struct vmt_program *prog,
					     const char *name,
					     const struct vmt_module **ret)
{
	const struct vmt_module *mods;
	size_t n;

	vmt_error_destroy(vmt_program_modules(prog, &mods, &n));
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(mods[i].name, name)) {
			*ret = &mods[i];
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no module named %s",
				name);
}

struct vmt_error *vmt_program_module_by_addr(struct vmt_program *prog,
					     uint64_t addr,
					     const struct vmt_module **ret)
{
	const struct vmt_module *mods;
	size_t n;

	addr = untag(prog, addr);
	vmt_error_destroy(vmt_program_modules(prog, &mods, &n));
	for (size_t i = 0; i < n; i++) {
		for (int m = 0; m < VMT_MODULE_MEM_COUNT; m++) {
			const struct vmt_module_mem *mem = &mods[i].mem[m];

			if (mem->size && addr - mem->base < mem->size) {
				*ret = &mods[i];
				return NULL;
			}
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"no module holds %#" PRIx64, addr);
}

void program_explain_modules(struct vmt_program *prog,
			     struct vmt_layout_item *item)
{
	const struct vmt_module *mods;
	struct vmt_error *err;
	size_t n;

	if (!item)
		return;
	err = vmt_program_modules(prog, &mods, &n);
	snprintf(item->value, sizeof(item->value), "%zu", n);
	{
		char buf[sizeof(prog->modules_how) + 256];
		size_t len;

		snprintf(buf, sizeof(buf), "%s%s%s", prog->modules_how,
			 err ? "; " : "", err ? err->message : "");
		// explain's column is short: keep its start.
		len = strnlen(buf, sizeof(item->source) - 1);
		memcpy(item->source, buf, len);
		item->source[len] = '\0';
	}
	vmt_error_destroy(err);
}
