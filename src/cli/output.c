#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

void json_init(struct json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

static void json_value_prefix(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->need_comma)
		fputc(',', j->out);
	if (j->depth > 0)
		j->need_comma = true;
}

static void json_open(struct json *j, char c)
{
	json_value_prefix(j);
	fputc(c, j->out);
	j->depth++;
	j->need_comma = false;
}

static void json_close(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	// The container just closed is a value of its parent.
	j->need_comma = j->depth > 0;
	fputc(c, j->out);
}

void json_begin_object(struct json *j)
{
	json_open(j, '{');
}

void json_end_object(struct json *j)
{
	json_close(j, '}');
}

void json_begin_array(struct json *j)
{
	json_open(j, '[');
}

void json_end_array(struct json *j)
{
	json_close(j, ']');
}

void json_string_len(struct json *j, const char *s, size_t len)
{
	json_value_prefix(j);
	fputc('"', j->out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(j->out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", j->out);
		else if (c == '\t')
			fputs("\\t", j->out);
		else if (c < 0x20 || c >= 0x7f)
			// Kernel strings are bytes: keep them exact and valid JSON.
			fprintf(j->out, "\\u%04x", c);
		else
			fputc(c, j->out);
	}
	fputc('"', j->out);
}

void json_key(struct json *j, const char *key)
{
	json_string(j, key);
	fputc(':', j->out);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_string_len(j, s, strlen(s));
}

void json_int(struct json *j, int64_t v)
{
	json_value_prefix(j);
	fprintf(j->out, "%" PRId64, v);
}

void json_uint(struct json *j, uint64_t v)
{
	json_value_prefix(j);
	fprintf(j->out, "%" PRIu64, v);
}

void json_double(struct json *j, double v, int decimals)
{
	json_value_prefix(j);
	fprintf(j->out, "%.*f", decimals, v);
}

void json_bool(struct json *j, bool v)
{
	json_value_prefix(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	json_value_prefix(j);
	fputs("null", j->out);
}

void json_addr(struct json *j, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	json_string(j, buf);
}

void json_addr_or_null(struct json *j, bool has, uint64_t v)
{
	if (has)
		json_addr(j, v);
	else
		json_null(j);
}

void json_uint_or_null(struct json *j, bool has, uint64_t v)
{
	if (has)
		json_uint(j, v);
	else
		json_null(j);
}

void json_raw(struct json *j, const char *text, size_t len)
{
	while (len && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	json_value_prefix(j);
	fwrite(text, 1, len, j->out);
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
}

int error_exit_code(const struct vmt_error *err)
{
	if (!err)
		return EXIT_OK;
	switch (err->code) {
	case VMT_ERROR_INVALID_ARGUMENT:
		return EXIT_USAGE;
	case VMT_ERROR_BAD_DATA:
	case VMT_ERROR_UNSUPPORTED:
	case VMT_ERROR_OS:
	case VMT_ERROR_NO_MEMORY:
		return EXIT_BAD_DUMP;
	default:
		return EXIT_NOT_FOUND;
	}
}

int report_error(const struct vmt_error *err, const char *context)
{
	if (context)
		fprintf(stderr, "vmtool: %s: %s\n", context, err->message);
	else
		fprintf(stderr, "vmtool: %s\n", err->message);
	return error_exit_code(err);
}

const char *error_kind(const struct vmt_error *err)
{
	switch (err->code) {
	case VMT_ERROR_FAULT:
		switch (err->fault) {
		case VMT_FAULT_EXCLUDED:
			return "excluded";
		case VMT_FAULT_NOT_IN_DUMP:
			return "not_in_dump";
		case VMT_FAULT_LOST:
			return "lost";
		case VMT_FAULT_NOT_MAPPED:
			return "not_mapped";
		default:
			return "fault";
		}
	case VMT_ERROR_NOT_FOUND:
		return "not_found";
	case VMT_ERROR_BAD_DATA:
		return "corrupt";
	case VMT_ERROR_UNSUPPORTED:
		return "unsupported";
	case VMT_ERROR_OS:
		return "os";
	case VMT_ERROR_NO_MEMORY:
		return "no_memory";
	case VMT_ERROR_INVALID_ARGUMENT:
		return "invalid_argument";
	case VMT_ERROR_OVERFLOW:
		return "overflow";
	}
	return "fault";
}

static void json_error_message(struct json *j, const char *context,
			       const char *message)
{
	char *text = NULL;

	if (context && asprintf(&text, "%s: %s", context, message) >= 0) {
		json_string(j, text);
		free(text);
	} else {
		json_string(j, message);
	}
}

void json_error_object(struct json *j, const struct vmt_error *err,
		       int exit_code, const char *context)
{
	json_begin_object(j);
	json_key(j, "code");
	json_int(j, exit_code);
	json_key(j, "kind");
	json_string(j, error_kind(err));
	json_key(j, "message");
	json_error_message(j, context, err->message ? err->message : "");
	if (err->code == VMT_ERROR_FAULT ||
	    (err->has & VMT_ERROR_HAS_ADDRESS)) {
		json_key(j, "address");
		json_addr(j, err->address);
	}
	if (err->has & VMT_ERROR_HAS_PFN) {
		json_key(j, "pfn");
		json_uint(j, err->pfn);
	}
	if ((err->has & VMT_ERROR_HAS_FILE) && err->file) {
		json_key(j, "file");
		json_string(j, err->file);
	}
	if (err->has & VMT_ERROR_HAS_OFFSET) {
		json_key(j, "offset");
		json_uint(j, err->file_offset);
	}
	if (err->code == VMT_ERROR_OS) {
		json_key(j, "errno");
		json_int(j, err->errnum);
	}
	json_end_object(j);
}

void json_error(struct json *j, const struct vmt_error *err, int exit_code,
		const char *context)
{
	json_begin_object(j);
	json_key(j, "error");
	json_error_object(j, err, exit_code, context);
	json_end_object(j);
}

void json_usage_error(struct json *j, const char *message)
{
	json_begin_object(j);
	json_key(j, "error");
	json_begin_object(j);
	json_key(j, "code");
	json_int(j, EXIT_USAGE);
	json_key(j, "kind");
	json_string(j, "usage");
	json_key(j, "message");
	json_string(j, message);
	json_end_object(j);
	json_end_object(j);
}

struct vmt_error *cli_error(enum vmt_error_code code, const char *fmt, ...)
{
	struct vmt_error *err = calloc(1, sizeof(*err));
	va_list ap;
	int n;

	if (!err)
		return &vmt_enomem;
	va_start(ap, fmt);
	n = vasprintf(&err->message, fmt, ap);
	va_end(ap);
	if (n < 0) {
		free(err);
		return &vmt_enomem;
	}
	err->code = code;
	err->needs_destroy = 1;
	return err;
}
