// Internal error helpers. See include/vmtool/error.h for the type.
#ifndef VMT_BASE_ERROR_H
#define VMT_BASE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include "vmtool/error.h"

/** A formatted error; returns &vmt_enomem if allocation fails. */
struct vmt_error *vmt_error_format(enum vmt_error_code code, const char *fmt,
				   ...) __attribute__((format(printf, 2, 3)));

/** An OS error from errno @p errnum, naming @p path and the action. */
struct vmt_error *vmt_error_os(int errnum, const char *path, const char *fmt,
			       ...) __attribute__((format(printf, 3, 4)));

/** A fault at @p address of kind @p fault. */
struct vmt_error *vmt_error_fault(enum vmt_fault_kind fault, uint64_t address,
				  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Prepend context to @p err ("context: old message"). Keeps code, fault,
 * address and errnum. Consumes @p err; returns the new error.
 */
struct vmt_error *vmt_error_wrap(struct vmt_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Record the physical page frame @p pfn in @p err unless an inner layer
 * already did. Static errors are left alone. Returns @p err.
 */
struct vmt_error *vmt_error_set_pfn(struct vmt_error *err, uint64_t pfn);

/**
 * Record that reading @p file at @p offset failed, unless an inner layer
 * already named a file. Returns @p err.
 */
struct vmt_error *vmt_error_set_file(struct vmt_error *err, const char *file,
				     uint64_t offset);

/**
 * Make @p address the address reported (e.g. the virtual address asked
 * for, over the physical one an inner layer gave). Returns @p err.
 */
struct vmt_error *vmt_error_set_address(struct vmt_error *err,
					uint64_t address);

/** Whether @p err is a fault (memory not readable). */
static inline int vmt_error_is_fault(const struct vmt_error *err)
{
	return err && err->code == VMT_ERROR_FAULT;
}

/**
 * True if @p err is NULL; frees it otherwise. For optional reads and
 * lookups whose failure only means "not available".
 */
static inline bool vmt_error_ok(struct vmt_error *err)
{
	bool success = !err;

	vmt_error_destroy(err);
	return success;
}

#endif
