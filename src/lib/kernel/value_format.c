// A value tree as gdb's print shows it with "pretty" on, which is what
// crash's p, struct and task print: a struct as "{", one "member = value"
// a line indented two more, "}"; arrays on one line ("{1, 2, 3}"), an
// array of structs as "{{" ... "}, {" ... "}}"; char arrays as strings
// (the last NUL left out, octal escapes); runs of more than ten equal
// elements as "X <repeats N times>"; "..." where the element limit cut.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debuginfo/typedb.h"
#include "kernel/value.h"

struct out {
	FILE *f;
	bool hex;
	unsigned int max;
};

// One character as gdb escapes it inside @p quote.
static void put_escaped(struct out *o, unsigned char c, char quote)
{
	static const char simple[] = "\a\b\f\n\r\t\v";
	static const char letters[] = "abfnrtv";
	const char *s = c ? strchr(simple, c) : NULL;

	if (s) {
		fprintf(o->f, "\\%c", letters[s - simple]);
	} else if (c == (unsigned char)quote || c == '\\') {
		fprintf(o->f, "\\%c", c);
	} else if (c >= 0x20 && c < 0x7f) {
		fputc(c, o->f);
	} else {
		fprintf(o->f, "\\%03o", c);
	}
}

// gdb's generic_printstr: runs of more than the threshold as
// 'c' <repeats N times>, the rest in double quotes, ", " between; at most
// o->max characters (a run counts as the threshold), then "...".
static void put_string(struct out *o, const unsigned char *s, size_t len,
		       bool cut)
{
	size_t i = 0, things = 0;
	bool in_quote = false, any = false;

	if (!len && !cut) {
		fputs("\"\"", o->f);
		return;
	}
	while (i < len && things < o->max) {
		size_t reps = 1;

		while (i + reps < len && s[i + reps] == s[i])
			reps++;
		if (reps > VALUE_REPEAT_THRESHOLD) {
			if (in_quote)
				fputs("\", ", o->f);
			else if (any)
				fputs(", ", o->f);
			in_quote = false;
			fputc('\'', o->f);
			put_escaped(o, s[i], '\'');
			fprintf(o->f, "' <repeats %zu times>", reps);
			i += reps;
			things += VALUE_REPEAT_THRESHOLD;
		} else {
			if (!in_quote) {
				if (any)
					fputs(", ", o->f);
				fputc('"', o->f);
				in_quote = true;
			}
			put_escaped(o, s[i], '"');
			i++;
			things++;
		}
		any = true;
	}
	if (in_quote)
		fputc('"', o->f);
	if (i < len || cut)
		fputs("...", o->f);
}

static uint64_t width_of(const struct vmt_value_node *n)
{
	const struct vmt_type *t = type_strip(n->type);

	if (n->bit_size)
		return n->bit_size;
	return t && t->size && t->size < 8 ? t->size * 8 : 64;
}

// A 128-bit integer kept as its little-endian bytes.
static void put_wide(struct out *o, const struct vmt_value_node *n)
{
	unsigned __int128 v = 0;
	char digits[48];
	int pos = (int)sizeof(digits) - 1;
	bool negative = false;

	for (size_t i = n->len; i-- > 0;)
		v = v << 8 | (unsigned char)n->bytes[i];
	if (o->hex) {
		uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;

		if (hi)
			fprintf(o->f, "0x%" PRIx64 "%016" PRIx64, hi, lo);
		else
			fprintf(o->f, "0x%" PRIx64, lo);
		return;
	}
	if (n->is_signed && n->len == 16 && (v >> 127)) {
		negative = true;
		v = ~v + 1;
	}
	digits[pos] = '\0';
	do {
		digits[--pos] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v && pos > 0);
	fprintf(o->f, "%s%s", negative ? "-" : "", digits + pos);
}

static void put_int(struct out *o, const struct vmt_value_node *n)
{
	uint64_t w = width_of(n), v = n->u;

	if (n->bytes) {
		put_wide(o, n);
		return;
	}
	if (o->hex) {
		if (w < 64)
			v &= (UINT64_C(1) << w) - 1;
		fprintf(o->f, "0x%" PRIx64, v);
	} else if (n->is_signed) {
		fprintf(o->f, "%" PRId64, n->s);
	} else {
		fprintf(o->f, "%" PRIu64, n->u);
	}
}

static void put_node(struct out *o, const struct vmt_value_node *n,
		     unsigned int indent);

static void put_array(struct out *o, const struct vmt_value_node *n,
		      unsigned int indent)
{
	bool first = true;

	fputc('{', o->f);
	for (size_t i = 0; i < n->nr_children; i++) {
		const struct vmt_value_node *c = &n->children[i];
		uint64_t copies = c->repeat > VALUE_REPEAT_THRESHOLD ? 1 :
				  c->repeat ? c->repeat : 1;

		for (uint64_t k = 0; k < copies; k++) {
			if (!first)
				fputs(", ", o->f);
			first = false;
			put_node(o, c, indent + 2);
		}
		if (c->repeat > VALUE_REPEAT_THRESHOLD)
			fprintf(o->f, " <repeats %" PRIu64 " times>",
				c->repeat);
	}
	if (n->truncated)
		fputs("...", o->f);
	fputc('}', o->f);
}

static void put_struct(struct out *o, const struct vmt_value_node *n,
		       unsigned int indent)
{
	if (!n->nr_children) {
		fputs("{}", o->f);
		return;
	}
	fputs("{\n", o->f);
	for (size_t i = 0; i < n->nr_children; i++) {
		const struct vmt_value_node *c = &n->children[i];

		fprintf(o->f, "%*s", (int)indent + 2, "");
		if (c->name)
			fprintf(o->f, "%s = ", c->name);
		put_node(o, c, indent + 2);
		fputs(i + 1 < n->nr_children ? ",\n" : "\n", o->f);
	}
	fprintf(o->f, "%*s}", (int)indent, "");
}

static void put_opaque(struct out *o, const struct vmt_value_node *n)
{
	const struct vmt_type *t = type_strip(n->type);

	if (t && t->kind == VMT_TYPE_FWD)
		fputs("<incomplete type>", o->f);
	else if (t && (t->kind == VMT_TYPE_STRUCT ||
		       t->kind == VMT_TYPE_UNION ||
		       t->kind == VMT_TYPE_ARRAY))
		fputs("{...}", o->f);
	else
		fputs("<no value>", o->f);
}

static void put_node(struct out *o, const struct vmt_value_node *n,
		     unsigned int indent)
{
	switch (n->kind) {
	case VMT_NODE_INT:
		put_int(o, n);
		break;
	case VMT_NODE_CHAR:
		put_int(o, n);
		fputs(" '", o->f);
		put_escaped(o, (unsigned char)n->u, '\'');
		fputc('\'', o->f);
		break;
	case VMT_NODE_BOOL:
		if (n->u <= 1)
			fputs(n->u ? "true" : "false", o->f);
		else
			put_int(o, n);
		break;
	case VMT_NODE_FLOAT:
		fprintf(o->f, "%.17g", n->f);
		break;
	case VMT_NODE_ENUM:
		fputs(n->enumerator ? n->enumerator : "?", o->f);
		break;
	case VMT_NODE_POINTER:
		fprintf(o->f, "0x%" PRIx64, n->u);
		if (n->symbol)
			fprintf(o->f, " <%s>", n->symbol);
		if (n->bytes) {
			fputc(' ', o->f);
			put_string(o, (const unsigned char *)n->bytes, n->len,
				   n->truncated);
		} else if (n->error) {
			fprintf(o->f, " <error: %s>", n->error);
		}
		break;
	case VMT_NODE_STRING: {
		size_t len = n->len;

		// gdb leaves out one trailing NUL of a whole char array.
		if (!n->truncated && len && !n->bytes[len - 1])
			len--;
		put_string(o, (const unsigned char *)n->bytes, len,
			   n->truncated);
		break;
	}
	case VMT_NODE_ARRAY:
		put_array(o, n, indent);
		break;
	case VMT_NODE_STRUCT:
		put_struct(o, n, indent);
		break;
	case VMT_NODE_FLEXIBLE:
		fprintf(o->f, "0x%" PRIx64, n->u);
		if (n->bytes) {
			fputc(' ', o->f);
			put_string(o, (const unsigned char *)n->bytes, n->len,
				   n->truncated);
		}
		break;
	case VMT_NODE_UNREADABLE:
		fprintf(o->f, "<error: %s>", n->error ? n->error : "unreadable");
		break;
	default:
		put_opaque(o, n);
		break;
	}
}

struct vmt_error *vmt_value_node_format(const struct vmt_value_node *node,
					const struct vmt_format_options *opts,
					unsigned int indent, char **ret)
{
	struct out o = { 0 };
	char *buf = NULL;
	size_t size = 0;

	o.hex = opts && opts->hex;
	o.max = opts && opts->max_elements ? opts->max_elements :
					     VALUE_DEFAULT_MAX_ELEMENTS;
	o.f = open_memstream(&buf, &size);
	if (!o.f)
		return errno == ENOMEM ? &vmt_enomem :
		       vmt_error_os(errno, NULL, "open_memstream");
	put_node(&o, node, indent);
	if (fclose(o.f)) {
		free(buf);
		return &vmt_enomem;
	}
	*ret = buf;
	return NULL;
}
