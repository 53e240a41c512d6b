// Typed values (include/vmtool/value.h) over an environment of callbacks:
// memory reads, type and variable lookups, per-CPU addresses and symbol
// names, so that a test can hand the value code structures in a buffer
// and types built by hand.
//
// value.c: members, elements, dereference, address-of, casts and scalar
// reads; value_types.c: types made up on the way (pointer to T, C base
// types for casts); value_tree.c: reading a value into a vmt_value_node
// tree; value_format.c: the tree as gdb prints it; value_expr.c: C
// expressions.
#ifndef VMT_KERNEL_VALUE_H
#define VMT_KERNEL_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "kernel/kread.h"
#include "vmtool/value.h"

/** Nesting of a value displayed (struct in struct in array ...). */
#define VALUE_MAX_DEPTH 32
/** Nodes of one value tree at most (a bound on memory). */
#define VALUE_MAX_NODES (1U << 18)
/** crash's default print_max and gdb's repeat_count_threshold. */
#define VALUE_DEFAULT_MAX_ELEMENTS 256
#define VALUE_REPEAT_THRESHOLD 10
/** Most bytes of a char pointer's string read. */
#define VALUE_MAX_STRING 4096

/** Types made up while evaluating (pointer to T, base types of casts). */
struct value_types;

struct vmt_error *value_types_create(struct value_types **ret);
void value_types_destroy(struct value_types *types);

/** A pointer to @p target (one record per target); NULL without memory. */
const struct vmt_type *value_pointer_type(struct value_types *types,
					  const struct vmt_type *target);

/**
 * The C base type spelled @p name ("int", "unsigned long", "long unsigned
 * int", "char", "_Bool", ...) as on arm64 (LP64, char unsigned); NULL if
 * @p name is no base type (or without memory).
 */
const struct vmt_type *value_base_type(struct value_types *types,
				       const char *name);

/** A variable as the environment knows it. */
struct value_var {
	/** Its address (a per-CPU variable: its link address, may be 0). */
	uint64_t address;
	/** NULL when no source describes its type. */
	const struct vmt_type *type;
	/** "dwarf", "btf"; or why the type is unknown (type NULL). */
	const char *type_source;
	char why_unknown[200];
	/** A per-CPU variable (.data..percpu): its copies are per CPU. */
	bool per_cpu;
	/** A function (a text symbol): only its address means anything. */
	bool function;
};

/** What the value code reads through. */
struct value_env {
	kread_fn *read;
	void *read_arg;
	/** The argument of the callbacks below. */
	void *arg;
	/** A type by C name ("struct x", "x": struct, union, typedef, enum). */
	struct vmt_error *(*find_type)(void *arg, const char *name,
				       const struct vmt_type **ret);
	/** Variable @p name; NOT_FOUND when no symbol has it. */
	struct vmt_error *(*variable)(void *arg, const char *name,
				      struct value_var *ret);
	/** Number of CPUs (for per-CPU variables). */
	struct vmt_error *(*nr_cpus)(void *arg, unsigned int *ret);
	/** CPU @p cpu's copy of per-CPU variable @p name. */
	struct vmt_error *(*per_cpu)(void *arg, const char *name,
				     unsigned int cpu, uint64_t *ret);
	/**
	 * "name" or "name+0x10" for an address inside a symbol of known
	 * extent (NULL callback or false: none).
	 */
	bool (*symbolize)(void *arg, uint64_t addr, char *buf, size_t size);
	struct value_types *types;
};

/** @p t without typedefs and qualifiers, a declaration looked up by name. */
const struct vmt_type *value_resolve(const struct value_env *env,
				     const struct vmt_type *t);

/** Size in bytes of @p t (arrays: elements times their size). */
uint64_t value_type_size(const struct value_env *env,
			 const struct vmt_type *t);

/** An object of type @p type at @p address. */
void value_object(struct vmt_value *v, const struct vmt_type *type,
		  uint64_t address);

/** Member @p name of struct/union (or pointer to one) @p v. */
struct vmt_error *value_member(const struct value_env *env,
			       const struct vmt_value *v, const char *name,
			       struct vmt_value *ret);

/** *@p v: a pointer's target, an array's first element. */
struct vmt_error *value_deref(const struct value_env *env,
			      const struct vmt_value *v,
			      struct vmt_value *ret);

/** @p v[@p index] of an array or pointer. */
struct vmt_error *value_index(const struct value_env *env,
			      const struct vmt_value *v, int64_t index,
			      struct vmt_value *ret);

/** &@p v: a computed pointer to its type. */
struct vmt_error *value_address_of(const struct value_env *env,
				   const struct vmt_value *v,
				   struct vmt_value *ret);

/** (@p type)@p v. */
struct vmt_error *value_cast(const struct value_env *env,
			     const struct vmt_value *v,
			     const struct vmt_type *type,
			     struct vmt_value *ret);

/** A scalar's value, sign extended for signed types (see value.h). */
struct vmt_error *value_read_scalar(const struct value_env *env,
				    const struct vmt_value *v, uint64_t *ret);

/**
 * Follow @p path from @p v: ".a", "a", "->b", "[3]", "a.b[2]->c"; a
 * pointer is followed by "." as well (crash's member paths).
 */
struct vmt_error *value_path(const struct value_env *env,
			     const struct vmt_value *v, const char *path,
			     struct vmt_value *ret);

/** Read @p v into a tree (vmt_program_value_tree()). */
struct vmt_error *value_tree(const struct value_env *env,
			     const struct vmt_value *v,
			     const struct vmt_format_options *opts,
			     struct vmt_value_node **ret);

/** Evaluate @p expr (vmt_program_eval()). */
struct vmt_error *value_eval(const struct value_env *env, const char *expr,
			     struct vmt_eval_result *ret);

#endif
