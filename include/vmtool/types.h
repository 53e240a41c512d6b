/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file types.h
 * Kernel types as read from BTF or DWARF: plain, read-only records owned by
 * the program that returned them.
 */
#ifndef VMTOOL_TYPES_H
#define VMTOOL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of type. */
enum vmt_type_kind {
	VMT_TYPE_VOID,
	VMT_TYPE_INT,
	VMT_TYPE_BOOL,
	VMT_TYPE_FLOAT,
	VMT_TYPE_POINTER,
	VMT_TYPE_ARRAY,
	VMT_TYPE_STRUCT,
	VMT_TYPE_UNION,
	VMT_TYPE_ENUM,
	VMT_TYPE_TYPEDEF,
	VMT_TYPE_FUNCTION,
	VMT_TYPE_CONST,
	VMT_TYPE_VOLATILE,
	VMT_TYPE_RESTRICT,
	VMT_TYPE_FWD,
};

struct vmt_type;

/** A member of a struct or union. */
struct vmt_type_member {
	/** NULL for an anonymous member. */
	const char *name;
	/** Offset from the start of the containing type, in bits. */
	uint64_t bit_offset;
	/** Width of a bitfield in bits, 0 if not a bitfield. */
	uint32_t bit_size;
	/** The member's type. */
	const struct vmt_type *type;
};

/** An enumerator. */
struct vmt_type_enumerator {
	/** Its name ("TASK_RUNNING"). */
	const char *name;
	/** Its value (an unsigned value above INT64_MAX keeps its 64 bits). */
	int64_t value;
};

/** A type. */
struct vmt_type {
	/** What the type is; says which of the fields below apply. */
	enum vmt_type_kind kind;
	/** NULL if anonymous. */
	const char *name;
	/** Size in bytes (0 for void, function, incomplete). */
	uint64_t size;
	/** Pointer, array, typedef, qualifier: what it refers to; function: return type. */
	const struct vmt_type *target;
	/** Array: number of elements (0 if flexible/unknown). */
	uint64_t nelems;
	/** Int or enum: signedness. */
	bool is_signed;
	/** Struct/union members. */
	const struct vmt_type_member *members;
	/** Number of entries in members. */
	size_t nr_members;
	/** Enum values. */
	const struct vmt_type_enumerator *enumerators;
	/** Number of entries in enumerators. */
	size_t nr_enumerators;
};

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_TYPES_H */
