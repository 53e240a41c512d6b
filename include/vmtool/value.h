/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file value.h
 * Typed values of the dumped kernel: a variable or an object at an address
 * read with its type (from DWARF or BTF), C expressions over them (crash's
 * and gdb's `print`), and their display as gdb prints them (the format of
 * crash's `p`, `struct` and `task`).
 */
#ifndef VMTOOL_VALUE_H
#define VMTOOL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"
#include "vmtool/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmt_program;

/**
 * A value: an object in kernel memory (a variable, a member, an element),
 * or a value computed by an expression (an address taken with &, a number,
 * a cast of either).
 */
struct vmt_value {
	/**
	 * Its type. NULL when unknown: a symbol whose type no source
	 * describes; only its address is known then.
	 */
	const struct vmt_type *type;
	/** An object in memory at address; else computed (see bits). */
	bool in_memory;
	/** Address of the object (in_memory). */
	uint64_t address;
	/**
	 * A bitfield: its first bit counted from address (0-7) and its width;
	 * bit_size 0 for anything else.
	 */
	uint32_t bit_offset;
	uint32_t bit_size;	///< The bitfield's width (0: not one).
	/** A computed scalar's bits (!in_memory). */
	uint64_t bits;
};

/** Options of the display. Zero-initialize, then set. */
struct vmt_format_options {
	/** Integers in hexadecimal (crash's -x); decimal otherwise. */
	bool hex;
	/**
	 * Elements (and characters) shown of an array before "...", counted
	 * as gdb counts them (a run of repeats counts as 10); 0 means 256,
	 * crash's default print_max.
	 */
	unsigned int max_elements;
};

/** What a node of a value tree is. */
enum vmt_value_node_kind {
	/** An integer (also an enum without a matching enumerator). */
	VMT_NODE_INT,
	/** A one-byte char type: shown as its number and character. */
	VMT_NODE_CHAR,
	VMT_NODE_BOOL,
	VMT_NODE_FLOAT,
	/** An enum whose value matches an enumerator. */
	VMT_NODE_ENUM,
	/** A pointer (data or function). */
	VMT_NODE_POINTER,
	/** An array of a one-byte char type: its bytes. */
	VMT_NODE_STRING,
	VMT_NODE_ARRAY,
	/** A struct or union: its members as children. */
	VMT_NODE_STRUCT,
	/** An array of unknown length (a flexible member): its address. */
	VMT_NODE_FLEXIBLE,
	/** Nothing to show: void, a function, an undefined struct. */
	VMT_NODE_OPAQUE,
	/** Memory that could not be read (see error). */
	VMT_NODE_UNREADABLE,
};

/**
 * A value read and decoded, ready to display: one node per scalar, string,
 * array and struct. Plain data owned by the tree's root.
 */
struct vmt_value_node {
	enum vmt_value_node_kind kind; ///< What the node holds.
	/** Member name; NULL for the root, an element, an anonymous member. */
	const char *name;
	const struct vmt_type *type; ///< Its type (NULL: unknown).
	/** Where the value lives (0 for a computed value). */
	uint64_t address;
	/** Bitfield width (0 if not a bitfield). */
	uint32_t bit_size;
	/** INT, CHAR, ENUM: the value; signed tells how to read it. */
	bool is_signed;
	int64_t s;	///< The value, when is_signed.
	/** INT, CHAR, ENUM, BOOL, POINTER, FLEXIBLE: the value's bits. */
	uint64_t u;
	/** FLOAT. */
	double f;
	/** ENUM: the enumerator's name. */
	const char *enumerator;
	/**
	 * POINTER: "name" or "name+0x10" when it points into a symbol (NULL
	 * otherwise).
	 */
	char *symbol;
	/**
	 * STRING: the array's bytes (len of them); POINTER to a char type:
	 * the C string there (NULL if unreadable), len its length.
	 */
	char *bytes;
	size_t len;	///< The length of bytes.
	/** STRUCT: members; ARRAY: runs of equal elements. */
	struct vmt_value_node *children;
	size_t nr_children;	///< How many children.
	/** In an ARRAY: the equal elements in a row this child stands for. */
	uint64_t repeat;
	/** ARRAY: its length; STRING: its length in bytes. */
	uint64_t nr_elements;
	/** ARRAY, STRING: elements left out after max_elements. */
	bool truncated;
	/** UNREADABLE: why. */
	char *error;
};

/**
 * Read the value @p v (an object and all it contains, as far as @p opts
 * shows it) into a tree. Unreadable parts become UNREADABLE nodes; an
 * error only when nothing could be read, or for want of memory. Free with
 * vmt_value_node_destroy().
 */
struct vmt_error *vmt_program_value_tree(struct vmt_program *prog,
					 const struct vmt_value *v,
					 const struct vmt_format_options *opts,
					 struct vmt_value_node **ret);

/** Free a tree from vmt_program_value_tree(); accepts NULL. */
void vmt_value_node_destroy(struct vmt_value_node *node);

/**
 * Display @p node as gdb's print does with "pretty" on (crash's format):
 * "{" and one member a line, nested lines indented by @p indent + 2 per
 * level; integers in decimal (or hex), char arrays as strings, pointers in
 * hex with "<symbol>" and a char pointer's string, runs of more than ten
 * equal elements as "<repeats N times>". The text is what follows "= ";
 * free() it.
 */
struct vmt_error *vmt_value_node_format(const struct vmt_value_node *node,
					const struct vmt_format_options *opts,
					unsigned int indent, char **ret);

/**
 * The object of type @p type_name ("task_struct", "struct rq",
 * "union x", a typedef) at @p address.
 */
struct vmt_error *vmt_program_object(struct vmt_program *prog,
				     const char *type_name, uint64_t address,
				     struct vmt_value *ret);

/**
 * Member @p path of @p v: "comm", "se.on_rq", "pids[2].pid", "->mm",
 * "mm->pgd" (a pointer is followed with ->, or with . as crash allows).
 */
struct vmt_error *vmt_program_value_member(struct vmt_program *prog,
					   const struct vmt_value *v,
					   const char *path,
					   struct vmt_value *ret);

/**
 * Read a scalar (integer, bool, enum, pointer, bitfield) as 64 bits: sign
 * extended when the type is signed.
 */
struct vmt_error *vmt_program_value_read(struct vmt_program *prog,
					 const struct vmt_value *v,
					 uint64_t *ret);

/** The result of vmt_program_eval(). */
struct vmt_eval_result {
	struct vmt_value value;	///< The value the expression gives.
	/**
	 * What to call the value: the expression, or "per_cpu(NAME, CPU)"
	 * for crash's NAME:CPU.
	 */
	char label[160];
	/** The expression is one variable's name (crash prints "NAME = "). */
	bool is_variable;
	/**
	 * Where the variable's type came from: "dwarf", "btf" (a per-CPU
	 * variable's BTF VAR), "cast", "expression". NULL when unknown.
	 */
	const char *type_source;
	/**
	 * The type is unknown: why, and the value is the 8-byte word at the
	 * variable's address (type NULL, address set).
	 */
	char note[256];
	/**
	 * A per-CPU variable named without ":CPU": per_cpu_addresses[n] is
	 * CPU n's copy (0 when unknown), nr_cpus of them; value.type is its
	 * type and value.address 0. Owned; vmt_eval_result_deinit() frees.
	 */
	bool per_cpu;
	/** NAME:a (crash): show each CPU's copy's value. */
	bool per_cpu_all;
	uint64_t *per_cpu_addresses; ///< Each CPU's copy (per_cpu).
	unsigned int nr_cpus;	///< How many per_cpu_addresses.
};

/**
 * Evaluate C expression @p expr as gdb's print (crash's `p`) does, over
 * the dump's variables and types:
 * - a variable's name (its type from DWARF with a vmlinux, else from BTF
 *   where BTF describes it: the vmlinux's BTF has only per-CPU
 *   variables); a per-CPU variable alone gives every CPU's address, and
 *   NAME:CPU is CPU's copy (crash's syntax);
 * - numbers (decimal, 0x hex), members (.m, ->m), elements ([i]), *, &,
 *   casts to a type or pointer ((struct task_struct *)0x...), unary minus,
 *   parentheses.
 * A variable of unknown type alone is read as one 8-byte word and
 * @p ret->note says why; anything more on it is an error saying to cast it.
 * Free with vmt_eval_result_deinit().
 */
struct vmt_error *vmt_program_eval(struct vmt_program *prog, const char *expr,
				   struct vmt_eval_result *ret);

/** Free what vmt_program_eval() put in @p r; accepts a zeroed one. */
void vmt_eval_result_deinit(struct vmt_eval_result *r);

/**
 * The type of variable @p name and where it came from ("dwarf" or "btf"),
 * and whether it is a per-CPU variable. NOT_FOUND saying why when no
 * source describes it.
 */
struct vmt_error *vmt_program_variable_type(struct vmt_program *prog,
					    const char *name,
					    const struct vmt_type **type_ret,
					    const char **source_ret,
					    bool *per_cpu_ret);

/**
 * A C declaration of @p name with type @p type ("struct list_head *next",
 * "char comm[16]", "void (*fn)()"); @p name may be NULL or "" for the type
 * alone ("char [16]"). Truncated to @p size.
 */
void vmt_type_declaration(const struct vmt_type *type, const char *name,
			  char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_VALUE_H */
