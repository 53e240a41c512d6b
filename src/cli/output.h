// Text and JSON output for the CLI, and how errors become exit codes.
#ifndef VMT_CLI_OUTPUT_H
#define VMT_CLI_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmtool/vmtool.h"

/** Exit codes, as README and --help document them. */
enum {
	EXIT_OK = 0,
	EXIT_NOT_FOUND = 1, // ran, but something asked for was not found/readable
	EXIT_USAGE = 2,
	EXIT_BAD_DUMP = 3,  // the dump cannot be read
};

/** A streaming JSON writer with automatic commas. */
struct json {
	FILE *out;
	int depth;
	/**
	 * Whether the container being written already holds a value. Only
	 * the innermost one's is kept: once a container closes, its parent
	 * holds at least that value, so nesting has no limit.
	 */
	bool need_comma;
	bool after_key;
};

void json_init(struct json *j, FILE *out);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
/** A string of @p len bytes (may hold NULs). */
void json_string_len(struct json *j, const char *s, size_t len);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
/** A number with @p decimals digits after the point (finite @p v). */
void json_double(struct json *j, double v, int decimals);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/** Address as a string: lower-case hex with 0x. */
void json_addr(struct json *j, uint64_t v);
/** An address, or null when @p has is false. */
void json_addr_or_null(struct json *j, bool has, uint64_t v);
/** A number, or null when @p has is false. */
void json_uint_or_null(struct json *j, bool has, uint64_t v);
/**
 * A value already in JSON (a captured document): written as it is, less
 * surrounding whitespace.
 */
void json_raw(struct json *j, const char *text, size_t len);
/** End the document with a newline. */
void json_finish(struct json *j);

/**
 * Write {"error": {"code", "kind", "message", "address"?, "pfn"?, "file"?,
 * "offset"?, "errno"?}} for @p err with @p exit_code; @p context (may be
 * NULL) is prepended to the message.
 */
void json_error(struct json *j, const struct vmt_error *err, int exit_code,
		const char *context);

/** The inner object of json_error(): {"code", "kind", "message", ...}. */
void json_error_object(struct json *j, const struct vmt_error *err,
		       int exit_code, const char *context);

/** Write a usage error object (kind "usage", code 2). */
void json_usage_error(struct json *j, const char *message);

/**
 * The stable kind of @p err for scripts: "not_found", "excluded",
 * "not_in_dump", "lost", "not_mapped", "corrupt", "unsupported", "os",
 * "no_memory", "invalid_argument", "overflow", "fault".
 */
const char *error_kind(const struct vmt_error *err);

/**
 * An error the CLI finds itself (malformed argument, no such task), freed
 * with vmt_error_destroy(); &vmt_enomem if memory runs out.
 */
struct vmt_error *cli_error(enum vmt_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Print "vmtool: <message>" to stderr and give the exit code for @p err. */
int report_error(const struct vmt_error *err, const char *context);

/** Exit code for an error returned by a command on an opened dump. */
int error_exit_code(const struct vmt_error *err);

#endif
