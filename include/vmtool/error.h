/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file error.h
 * Errors returned by libvmtool: every fallible function returns a
 * struct vmt_error pointer, NULL meaning success.
 */
#ifndef VMTOOL_ERROR_H
#define VMTOOL_ERROR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Kinds of error. */
enum vmt_error_code {
	VMT_ERROR_NO_MEMORY = 1,   /**< allocation failed */
	VMT_ERROR_OS,              /**< system call failed; errnum and path set */
	VMT_ERROR_BAD_DATA,        /**< input is corrupt or truncated */
	VMT_ERROR_FAULT,           /**< memory not readable; address set */
	VMT_ERROR_NOT_FOUND,       /**< a name or object does not exist */
	VMT_ERROR_UNSUPPORTED,     /**< valid input that vmtool cannot handle */
	VMT_ERROR_INVALID_ARGUMENT,/**< caller passed a bad argument */
	VMT_ERROR_OVERFLOW,        /**< a value does not fit */
};

/** Why a read of memory failed (for VMT_ERROR_FAULT). */
enum vmt_fault_kind {
	VMT_FAULT_NONE = 0,
	VMT_FAULT_NOT_IN_DUMP,  /**< outside the RAM the dump describes */
	VMT_FAULT_EXCLUDED,     /**< RAM, but filtered out of the dump */
	VMT_FAULT_LOST,         /**< incomplete dump: page never written */
	VMT_FAULT_NOT_MAPPED,   /**< virtual address has no translation */
};

/**
 * Which optional fields of a struct vmt_error are set (bits of
 * vmt_error::has). The innermost layer that knows a value sets it;
 * vmt_error_wrap() keeps them.
 */
enum vmt_error_field {
	VMT_ERROR_HAS_ADDRESS = 1 << 0, /**< address */
	VMT_ERROR_HAS_PFN = 1 << 1,     /**< pfn */
	VMT_ERROR_HAS_FILE = 1 << 2,    /**< file */
	VMT_ERROR_HAS_OFFSET = 1 << 3,  /**< file_offset (in file) */
};

/** An error. Static errors (vmt_enomem) are never freed. */
struct vmt_error {
	/** What kind of error. */
	enum vmt_error_code code;
	/** For VMT_ERROR_FAULT: why. */
	enum vmt_fault_kind fault;
	/** Whether this object must be freed by vmt_error_destroy(). */
	int needs_destroy;
	/** errno for VMT_ERROR_OS, else 0. */
	int errnum;
	/**
	 * The address that could not be read (always for VMT_ERROR_FAULT):
	 * the virtual address asked for, or the physical one for a physical
	 * read.
	 */
	uint64_t address;
	/** Human readable message, naming file/offset/address. */
	char *message;
	/** Bits of enum vmt_error_field: which fields below are set. */
	unsigned int has;
	/** Physical page frame (physical address >> kernel PAGE_SHIFT). */
	uint64_t pfn;
	/** The file being read when it failed; owned by the error. */
	char *file;
	/** Offset in @ref file where the read failed. */
	uint64_t file_offset;
};

/** The static out-of-memory error. */
extern struct vmt_error vmt_enomem;

/** Free @p err; accepts NULL and static errors. */
void vmt_error_destroy(struct vmt_error *err);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_ERROR_H */
