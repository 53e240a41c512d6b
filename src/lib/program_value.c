// Typed values of a program (include/vmtool/value.h): the environment the
// value code of kernel/value*.c reads through, made of the program's
// memory, symbols, types and per-CPU data.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kernel/task.h"
#include "kernel/value.h"
#include "program_internal.h"
#include "vmtool/value.h"

static struct vmt_error *env_read(void *arg, uint64_t addr, void *buf,
				  size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

static struct vmt_error *env_find_type(void *arg, const char *name,
				       const struct vmt_type **ret)
{
	struct vmt_program *prog = arg;

	return debuginfo_find_type(&prog->di, name, ret);
}

// Whether @p addr lies in the per-CPU section, by its symbols.
static bool in_percpu_section(struct vmt_program *prog, uint64_t addr)
{
	struct vmt_symbol start, end;

	return vmt_error_ok(debuginfo_symbol_by_name(&prog->di,
						     "__per_cpu_start",
						     &start)) &&
	       vmt_error_ok(debuginfo_symbol_by_name(&prog->di,
						     "__per_cpu_end", &end)) &&
	       addr >= start.address && addr < end.address;
}

// Whether @p name is a per-CPU variable, and whether it has a symbol.
static bool variable_symbol(struct vmt_program *prog, const char *name,
			    struct vmt_symbol *sym, bool *per_cpu)
{
	uint64_t off, size;
	bool have_sym = vmt_error_ok(debuginfo_symbol_by_name_all(&prog->di,
								  name, sym));

	// BTF lists every per-CPU variable in .data..percpu, also where
	// kallsyms has no data symbols (no CONFIG_KALLSYMS_ALL).
	*per_cpu = vmt_error_ok(debuginfo_section_var(&prog->di,
						      ".data..percpu", name,
						      &off, &size)) ||
		   (have_sym && in_percpu_section(prog, sym->address));
	return have_sym;
}

static struct vmt_error *env_variable(void *arg, const char *name,
				      struct value_var *ret)
{
	struct vmt_program *prog = arg;
	struct vmt_symbol sym;
	struct vmt_error *err;
	const char *source;
	bool have_sym;

	memset(ret, 0, sizeof(*ret));
	have_sym = variable_symbol(prog, name, &sym, &ret->per_cpu);
	if (!have_sym && !strcmp(name, "init_task")) {
		uint64_t addr;

		// Without CONFIG_KALLSYMS_ALL it is derived (task.c), which
		// adds it as a symbol.
		if (vmt_error_ok(task_find_init_task(&prog->kernel, &addr)))
			have_sym = variable_symbol(prog, name, &sym,
						   &ret->per_cpu);
	}
	if (!have_sym && !ret->per_cpu)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"no symbol %s%s", name,
					prog->di.have_vmlinux ? "" :
					" (without a vmlinux (-k), data symbols come from VMCOREINFO and from kallsyms, which has them only with CONFIG_KALLSYMS_ALL)");
	ret->address = have_sym ? sym.address : 0;
	err = debuginfo_variable_type(&prog->di, name, &ret->type, &source,
				      NULL);
	if (!err) {
		ret->type_source = source;
		return NULL;
	}
	if (err->code != VMT_ERROR_NOT_FOUND)
		return err;
	snprintf(ret->why_unknown, sizeof(ret->why_unknown), "%s",
		 err->message);
	vmt_error_destroy(err);
	ret->type = NULL;
	ret->function = have_sym && (sym.type == 'T' || sym.type == 't');
	return NULL;
}

static struct vmt_error *env_nr_cpus(void *arg, unsigned int *ret)
{
	return vmt_program_nr_cpus(arg, ret);
}

static struct vmt_error *env_per_cpu(void *arg, const char *name,
				     unsigned int cpu, uint64_t *ret)
{
	return vmt_program_per_cpu_address(arg, name, cpu, ret);
}

static bool env_symbolize(void *arg, uint64_t addr, char *buf, size_t size)
{
	struct vmt_program *prog = arg;
	struct vmt_symbol sym;
	uint64_t off;

	// Only a symbol that covers the address (debuginfo_symbol_by_addr()
	// bounds it by its size, else its next symbol within the image or
	// its module); an absolute symbol is a number, not a place.
	if (!vmt_error_ok(debuginfo_symbol_by_addr(&prog->di, addr, &sym,
						   &off)))
		return false;
	if (sym.type == 'A' || sym.type == 'a')
		return false;
	if (off)
		snprintf(buf, size, "%s+%#" PRIx64 "%s%s%s", sym.name, off,
			 sym.module ? " [" : "", sym.module ? sym.module : "",
			 sym.module ? "]" : "");
	else
		snprintf(buf, size, "%s%s%s%s", sym.name,
			 sym.module ? " [" : "", sym.module ? sym.module : "",
			 sym.module ? "]" : "");
	return true;
}

static struct vmt_error *program_value_env(struct vmt_program *prog,
					   struct value_env *env)
{
	struct vmt_error *err;

	if (!prog->value_types) {
		err = value_types_create(&prog->value_types);
		if (err)
			return err;
	}
	memset(env, 0, sizeof(*env));
	env->read = env_read;
	env->read_arg = &prog->kernel;
	env->arg = prog;
	env->find_type = env_find_type;
	env->variable = env_variable;
	env->nr_cpus = env_nr_cpus;
	env->per_cpu = env_per_cpu;
	env->symbolize = env_symbolize;
	env->types = prog->value_types;
	return NULL;
}

void program_value_deinit(struct vmt_program *prog)
{
	value_types_destroy(prog->value_types);
	prog->value_types = NULL;
}

struct vmt_error *vmt_program_value_tree(struct vmt_program *prog,
					 const struct vmt_value *v,
					 const struct vmt_format_options *opts,
					 struct vmt_value_node **ret)
{
	struct value_env env;
	struct vmt_error *err = program_value_env(prog, &env);

	return err ? err : value_tree(&env, v, opts, ret);
}

struct vmt_error *vmt_program_object(struct vmt_program *prog,
				     const char *type_name, uint64_t address,
				     struct vmt_value *ret)
{
	const struct vmt_type *t;
	struct vmt_error *err = debuginfo_find_type(&prog->di, type_name, &t);

	if (err)
		return err;
	value_object(ret, t, address);
	return NULL;
}

struct vmt_error *vmt_program_value_member(struct vmt_program *prog,
					   const struct vmt_value *v,
					   const char *path,
					   struct vmt_value *ret)
{
	struct value_env env;
	struct vmt_error *err = program_value_env(prog, &env);

	return err ? err : value_path(&env, v, path, ret);
}

struct vmt_error *vmt_program_value_read(struct vmt_program *prog,
					 const struct vmt_value *v,
					 uint64_t *ret)
{
	struct value_env env;
	struct vmt_error *err = program_value_env(prog, &env);

	return err ? err : value_read_scalar(&env, v, ret);
}

struct vmt_error *vmt_program_eval(struct vmt_program *prog, const char *expr,
				   struct vmt_eval_result *ret)
{
	struct value_env env;
	struct vmt_error *err = program_value_env(prog, &env);

	if (err) {
		memset(ret, 0, sizeof(*ret));
		return err;
	}
	return value_eval(&env, expr, ret);
}

struct vmt_error *vmt_program_variable_type(struct vmt_program *prog,
					    const char *name,
					    const struct vmt_type **type_ret,
					    const char **source_ret,
					    bool *per_cpu_ret)
{
	struct vmt_symbol sym;
	bool per_cpu;
	struct vmt_error *err;

	err = debuginfo_variable_type(&prog->di, name, type_ret, source_ret,
				      NULL);
	if (err)
		return err;
	variable_symbol(prog, name, &sym, &per_cpu);
	if (per_cpu_ret)
		*per_cpu_ret = per_cpu;
	return NULL;
}
