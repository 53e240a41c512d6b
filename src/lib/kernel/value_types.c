// Types that no debug information holds but expressions need: pointer to
// T (for &x) and the C base types a cast may name. Records are kept until
// the set is destroyed, so values may refer to them.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/value.h"

struct made_type {
	struct made_type *next;
	struct vmt_type type;
	char name[32];
};

struct value_types {
	struct made_type *list;
};

struct vmt_error *value_types_create(struct value_types **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? NULL : &vmt_enomem;
}

void value_types_destroy(struct value_types *types)
{
	if (!types)
		return;
	while (types->list) {
		struct made_type *next = types->list->next;

		free(types->list);
		types->list = next;
	}
	free(types);
}

static struct made_type *add(struct value_types *types)
{
	struct made_type *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->next = types->list;
	types->list = m;
	return m;
}

const struct vmt_type *value_pointer_type(struct value_types *types,
					  const struct vmt_type *target)
{
	struct made_type *m;

	for (m = types->list; m; m = m->next)
		if (m->type.kind == VMT_TYPE_POINTER &&
		    m->type.target == target)
			return &m->type;
	m = add(types);
	if (!m)
		return NULL;
	m->type.kind = VMT_TYPE_POINTER;
	m->type.size = 8;
	m->type.target = target;
	return &m->type;
}

// The words of a C base type name, counted.
struct spelling {
	int is_unsigned, is_signed, is_long, is_short, is_char, is_int,
		is_bool, is_void, other;
};

static void count_words(const char *name, struct spelling *s)
{
	static const struct {
		const char *word;
		size_t offset;
	} words[] = {
		{ "unsigned", offsetof(struct spelling, is_unsigned) },
		{ "signed", offsetof(struct spelling, is_signed) },
		{ "long", offsetof(struct spelling, is_long) },
		{ "short", offsetof(struct spelling, is_short) },
		{ "char", offsetof(struct spelling, is_char) },
		{ "int", offsetof(struct spelling, is_int) },
		{ "_Bool", offsetof(struct spelling, is_bool) },
		{ "void", offsetof(struct spelling, is_void) },
	};
	const char *p = name;

	memset(s, 0, sizeof(*s));
	while (*p) {
		size_t n;
		size_t i;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (!n)
			break;
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			if (strlen(words[i].word) == n &&
			    !strncmp(p, words[i].word, n)) {
				(*(int *)((char *)s + words[i].offset))++;
				break;
			}
		}
		if (i == sizeof(words) / sizeof(words[0]))
			s->other++;
		p += n;
	}
}

const struct vmt_type *value_base_type(struct value_types *types,
				       const char *name)
{
	struct spelling s;
	struct made_type *m;
	enum vmt_type_kind kind = VMT_TYPE_INT;
	const char *canon;
	uint64_t size;
	bool is_signed;

	count_words(name, &s);
	if (s.other || s.is_unsigned + s.is_signed > 1 || s.is_long > 2 ||
	    s.is_short > 1 || s.is_char > 1 || s.is_int > 1 ||
	    (s.is_short && (s.is_long || s.is_char)) ||
	    (s.is_char && (s.is_long || s.is_int)))
		return NULL;
	if (s.is_void || s.is_bool) {
		if (s.is_void + s.is_bool + s.is_unsigned + s.is_signed +
			    s.is_long + s.is_short + s.is_char + s.is_int != 1)
			return NULL;
		kind = s.is_void ? VMT_TYPE_VOID : VMT_TYPE_BOOL;
		canon = s.is_void ? "void" : "_Bool";
		size = s.is_void ? 0 : 1;
		is_signed = false;
	} else if (s.is_char) {
		// arm64's plain char is unsigned (AAPCS64).
		canon = s.is_unsigned ? "unsigned char" :
			s.is_signed   ? "signed char" :
					"char";
		size = 1;
		is_signed = s.is_signed;
	} else if (s.is_unsigned + s.is_signed + s.is_long + s.is_short +
			   s.is_int == 0) {
		return NULL;
	} else {
		// gcc's spellings, as DWARF and BTF name them.
		static const char *const names[2][4] = {
			{ "int", "long int", "long long int", "short int" },
			{ "unsigned int", "long unsigned int",
			  "long long unsigned int", "short unsigned int" },
		};
		int len = s.is_short ? 3 : s.is_long;

		canon = names[s.is_unsigned][len];
		size = s.is_short ? 2 : s.is_long ? 8 : 4;
		is_signed = !s.is_unsigned;
	}
	for (m = types->list; m; m = m->next)
		if (m->type.kind == kind && m->type.name &&
		    !strcmp(m->type.name, canon))
			return &m->type;
	m = add(types);
	if (!m)
		return NULL;
	strcpy(m->name, canon);
	m->type.kind = kind;
	m->type.name = m->name;
	m->type.size = size;
	m->type.is_signed = is_signed;
	return &m->type;
}
