// C declarations of a name with a type, as gdb's ptype and crash's whatis
// spell them: the declarator is built from the name outwards, so that
// "char *p[4]" is an array of pointers and "char (*p)[4]" a pointer to an
// array, and a function pointer reads "int (*fn)()".
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "debuginfo/typedb.h"
#include "vmtool/value.h"

// Chains longer than this are taken for a cycle in a corrupt type graph.
#define MAX_CHAIN 64
#define DECL_MAX 512

struct decl {
	char s[DECL_MAX];
};

static void append(struct decl *d, const char *s)
{
	size_t n = strlen(d->s), m = strlen(s);

	if (m > DECL_MAX - 1 - n)
		m = DECL_MAX - 1 - n;
	memcpy(d->s + n, s, m);
	d->s[n + m] = '\0';
}

static void prepend(struct decl *d, const char *s)
{
	size_t n = strlen(d->s), m = strlen(s);

	if (m > DECL_MAX - 1)
		m = DECL_MAX - 1;
	if (n > DECL_MAX - 1 - m)
		n = DECL_MAX - 1 - m;
	memmove(d->s + m, d->s, n);
	memcpy(d->s, s, m);
	d->s[m + n] = '\0';
}

static const char *qualifier(enum vmt_type_kind kind)
{
	switch (kind) {
	case VMT_TYPE_CONST:
		return "const";
	case VMT_TYPE_VOLATILE:
		return "volatile";
	case VMT_TYPE_RESTRICT:
		return "restrict";
	default:
		return NULL;
	}
}

static const char *keyword(enum vmt_type_kind kind)
{
	switch (kind) {
	case VMT_TYPE_STRUCT:
	case VMT_TYPE_FWD:
		return "struct ";
	case VMT_TYPE_UNION:
		return "union ";
	case VMT_TYPE_ENUM:
		return "enum ";
	default:
		return "";
	}
}

void vmt_type_declaration(const struct vmt_type *type, const char *name,
			  char *buf, size_t size)
{
	struct decl decl = { "" }, base = { "" };
	bool last_was_ptr = false;
	int i;

	if (!size)
		return;
	if (name)
		append(&decl, name);
	for (i = 0; type && i < MAX_CHAIN; i++) {
		const char *q = qualifier(type->kind);

		if (type->kind == VMT_TYPE_POINTER) {
			prepend(&decl, "*");
			last_was_ptr = true;
		} else if (type->kind == VMT_TYPE_ARRAY ||
			   type->kind == VMT_TYPE_FUNCTION) {
			char dim[32] = "()";

			if (last_was_ptr) {
				prepend(&decl, "(");
				append(&decl, ")");
			}
			if (type->kind == VMT_TYPE_ARRAY && type->nelems)
				snprintf(dim, sizeof(dim), "[%" PRIu64 "]",
					 type->nelems);
			else if (type->kind == VMT_TYPE_ARRAY)
				snprintf(dim, sizeof(dim), "[]");
			append(&decl, dim);
			last_was_ptr = false;
		} else if (q) {
			const struct vmt_type *t = type->target;

			// A qualifier over a pointer qualifies the pointer
			// ("char *const p"); over anything else, the base.
			for (int k = 0;
			     t && k < MAX_CHAIN && qualifier(t->kind); k++)
				t = t->target;
			if (t && t->kind == VMT_TYPE_POINTER) {
				prepend(&decl, " ");
				prepend(&decl, q);
			} else if (!strstr(base.s, q)) {
				// C qualifies an array's elements; DWARF may
				// say const twice (array and element).
				append(&base, q);
				append(&base, " ");
			}
		} else {
			break;
		}
		type = type->target;
	}
	if (!type || i >= MAX_CHAIN || type->kind == VMT_TYPE_VOID) {
		append(&base, type && type->name ? type->name : "void");
	} else {
		append(&base, keyword(type->kind));
		append(&base, type->name ? type->name : "{...}");
	}
	snprintf(buf, size, "%s%s%s", base.s, decl.s[0] ? " " : "", decl.s);
}
