#ifndef _GNU_SOURCE
#define _GNU_SOURCE // vasprintf
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

struct vmt_error vmt_enomem = {
	.code = VMT_ERROR_NO_MEMORY,
	.message = (char *)"out of memory",
};

void vmt_error_destroy(struct vmt_error *err)
{
	if (err && err->needs_destroy) {
		free(err->message);
		free(err->file);
		free(err);
	}
}

__attribute__((format(printf, 2, 0)))
static struct vmt_error *error_vformat(enum vmt_error_code code,
				       const char *fmt, va_list ap)
{
	struct vmt_error *err = calloc(1, sizeof(*err));

	if (!err)
		return &vmt_enomem;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &vmt_enomem;
	}
	err->code = code;
	err->needs_destroy = 1;
	return err;
}

struct vmt_error *vmt_error_format(enum vmt_error_code code, const char *fmt,
				   ...)
{
	struct vmt_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = error_vformat(code, fmt, ap);
	va_end(ap);
	return err;
}

struct vmt_error *vmt_error_os(int errnum, const char *path, const char *fmt,
			       ...)
{
	struct vmt_error *err;
	char *what = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (!what)
		return &vmt_enomem;
	err = vmt_error_format(VMT_ERROR_OS, "%s: %s: %s", path, what,
			       strerror(errnum));
	free(what);
	if (err->needs_destroy) {
		err->errnum = errnum;
		// The path only: an offset, if any, is the caller's to add.
		err->file = strdup(path);
		if (err->file)
			err->has |= VMT_ERROR_HAS_FILE;
	}
	return err;
}

struct vmt_error *vmt_error_fault(enum vmt_fault_kind fault, uint64_t address,
				  const char *fmt, ...)
{
	struct vmt_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = error_vformat(VMT_ERROR_FAULT, fmt, ap);
	va_end(ap);
	if (err->needs_destroy) {
		err->fault = fault;
		err->address = address;
		err->has |= VMT_ERROR_HAS_ADDRESS;
	}
	return err;
}

struct vmt_error *vmt_error_set_pfn(struct vmt_error *err, uint64_t pfn)
{
	if (err && err->needs_destroy && !(err->has & VMT_ERROR_HAS_PFN)) {
		err->pfn = pfn;
		err->has |= VMT_ERROR_HAS_PFN;
	}
	return err;
}

struct vmt_error *vmt_error_set_file(struct vmt_error *err, const char *file,
				     uint64_t offset)
{
	if (!err || !err->needs_destroy || !file)
		return err;
	if (err->has & VMT_ERROR_HAS_FILE) {
		// An OS error names its path; the offset comes from the reader.
		if (!(err->has & VMT_ERROR_HAS_OFFSET) && !strcmp(err->file, file)) {
			err->file_offset = offset;
			err->has |= VMT_ERROR_HAS_OFFSET;
		}
		return err;
	}
	// Without memory for the name the error still says it in its message.
	err->file = strdup(file);
	if (!err->file)
		return err;
	err->file_offset = offset;
	err->has |= VMT_ERROR_HAS_FILE | VMT_ERROR_HAS_OFFSET;
	return err;
}

struct vmt_error *vmt_error_set_address(struct vmt_error *err,
					uint64_t address)
{
	if (err && err->needs_destroy) {
		err->address = address;
		err->has |= VMT_ERROR_HAS_ADDRESS;
	}
	return err;
}

struct vmt_error *vmt_error_wrap(struct vmt_error *err, const char *fmt, ...)
{
	struct vmt_error *wrapped;
	char *context = NULL;
	va_list ap;

	// The static out-of-memory error is wrapped too (into a new one, if
	// memory allows after the failed allocation), so that it says what
	// could not be allocated.
	if (!err || (!err->needs_destroy && err != &vmt_enomem))
		return err;
	va_start(ap, fmt);
	if (vasprintf(&context, fmt, ap) < 0)
		context = NULL;
	va_end(ap);
	if (!context)
		return err;
	wrapped = vmt_error_format(err->code, "%s: %s", context, err->message);
	free(context);
	if (!wrapped->needs_destroy)
		return err;
	wrapped->fault = err->fault;
	wrapped->errnum = err->errnum;
	wrapped->address = err->address;
	wrapped->has = err->has;
	wrapped->pfn = err->pfn;
	wrapped->file = err->file;
	wrapped->file_offset = err->file_offset;
	err->file = NULL;
	vmt_error_destroy(err);
	return wrapped;
}
