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
