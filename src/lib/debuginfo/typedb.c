// Source-independent helpers over struct vmt_type: lookup by C name,
// member paths, and C-like names.
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "debuginfo/typedb.h"

// Bounds for walks over possibly corrupt (cyclic) type graphs.
#define MAX_CHAIN 64
#define MAX_PATH_DEPTH 32
// Members one member lookup may look at, anonymous struct/union members'
// own included. Types can share an anonymous member type many times over
// (corrupt BTF does): without a bound the search is exponential in the
// nesting depth (fuzz_btf, timeout-7e50fb67). A kernel's task_struct,
// anonymous members and all, has a few hundred.
#define MAX_MEMBER_VISITS (1 << 20)

struct vmt_error *typedb_find(struct typedb *db, const char *name,
			      const struct vmt_type **ret)
{
	static const struct {
		const char *prefix;
		enum vmt_type_kind kind;
	} prefixes[] = {
		{ "struct ", VMT_TYPE_STRUCT },
		{ "union ", VMT_TYPE_UNION },
		{ "enum ", VMT_TYPE_ENUM },
	};
	static const enum vmt_type_kind bare[] = {
		VMT_TYPE_STRUCT, VMT_TYPE_UNION, VMT_TYPE_TYPEDEF,
		VMT_TYPE_ENUM,
	};
	struct vmt_error *err;

	while (*name == ' ')
		name++;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);

		if (!strncmp(name, prefixes[i].prefix, n)) {
			name += n;
			while (*name == ' ')
				name++;
			return db->ops->find(db, prefixes[i].kind, name, ret);
		}
	}
	for (size_t i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		err = db->ops->find(db, bare[i], name, ret);
		if (!err || err->code != VMT_ERROR_NOT_FOUND)
			return err;
		vmt_error_destroy(err);
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"%s: no struct, union, typedef or enum named %s",
				db->source, name);
}

struct vmt_error *typedb_section_var(struct typedb *db, const char *section,
				     const char *name, uint64_t *offset_ret,
				     uint64_t *size_ret)
{
	if (!db->ops->section_var)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"%s has no data section records",
					db->source);
	return db->ops->section_var(db, section, name, offset_ret, size_ret);
}

struct vmt_error *typedb_var_type(struct typedb *db, const char *name,
				  const struct vmt_type **ret,
				  const char **section_ret)
{
	if (!db->ops->var_type)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"%s has no variables", db->source);
	return db->ops->var_type(db, name, ret, section_ret);
}

void typedb_destroy(struct typedb *db)
{
	if (db)
		db->ops->destroy(db);
}

const struct vmt_type *type_strip(const struct vmt_type *type)
{
	for (int i = 0; type && i < MAX_CHAIN; i++) {
		switch (type->kind) {
		case VMT_TYPE_TYPEDEF:
		case VMT_TYPE_CONST:
		case VMT_TYPE_VOLATILE:
		case VMT_TYPE_RESTRICT:
			type = type->target;
			break;
		default:
			return type;
		}
	}
	return type;
}

static bool is_compound(const struct vmt_type *t)
{
	return t && (t->kind == VMT_TYPE_STRUCT || t->kind == VMT_TYPE_UNION);
}

// Find @p name (length @p len) among the members of @p type, looking into
// anonymous struct/union members, while *@p visits (members looked at)
// lasts. Adds the member's offset to *bit_offset.
static bool find_member(const struct vmt_type *type, const char *name,
			size_t len, int depth, size_t *visits,
			uint64_t *bit_offset, const struct vmt_type_member **ret)
{
	if (depth > MAX_PATH_DEPTH)
		return false;
	if (*visits < type->nr_members + 1) {
		*visits = 0;
		return false;
	}
	*visits -= type->nr_members + 1;
	for (size_t i = 0; i < type->nr_members; i++) {
		const struct vmt_type_member *m = &type->members[i];

		if (m->name && strlen(m->name) == len &&
		    !memcmp(m->name, name, len)) {
			*bit_offset += m->bit_offset;
			*ret = m;
			return true;
		}
	}
	for (size_t i = 0; i < type->nr_members; i++) {
		const struct vmt_type_member *m = &type->members[i];
		const struct vmt_type *mt = type_strip(m->type);
		uint64_t sub = 0;

		if (m->name || !is_compound(mt))
			continue;
		if (find_member(mt, name, len, depth + 1, visits, &sub, ret)) {
			*bit_offset += m->bit_offset + sub;
			return true;
		}
	}
	return false;
}

struct vmt_error *type_member(const struct vmt_type *type, const char *path,
			      uint64_t *bit_offset_ret,
			      const struct vmt_type_member **member_ret)
{
	const struct vmt_type_member *m = NULL;
	const struct vmt_type *cur = type_strip(type);
	uint64_t off = 0;
	const char *p = path;
	char tname[128];

	if (!*path)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"empty member path");
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		// Type information that only declares the struct (BTF of
		// per-CPU variables, a DWARF declaration) does not know its
		// members: that is missing data, not a bad path.
		if (cur && cur->kind == VMT_TYPE_FWD) {
			type_name(type, tname, sizeof(tname));
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"%s is only declared in the type information: member %s unknown",
						tname, path);
		}
		if (!is_compound(cur)) {
			type_name(type, tname, sizeof(tname));
			return vmt_error_format(
				VMT_ERROR_INVALID_ARGUMENT,
				"%s: member path %s: %.*s is not in a struct or union",
				tname, path, (int)len, p);
		}
		size_t visits = MAX_MEMBER_VISITS;

		if (!len || !find_member(cur, p, len, 0, &visits, &off, &m)) {
			type_name(type, tname, sizeof(tname));
			if (!visits)
				return vmt_error_format(
					VMT_ERROR_BAD_DATA,
					"%s: member %s: more than %d members to look at through anonymous structs and unions (corrupt type information?)",
					tname, path, MAX_MEMBER_VISITS);
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"%s has no member %s", tname,
						path);
		}
		if (!dot)
			break;
		cur = type_strip(m->type);
		p = dot + 1;
	}
	*bit_offset_ret = off;
	if (member_ret)
		*member_ret = m;
	return NULL;
}

// Append to buf with truncation.
static void put(char *buf, size_t size, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos < size) {
		size_t room = size - *pos - 1;

		memcpy(buf + *pos, s, n < room ? n : room);
		buf[*pos + (n < room ? n : room)] = '\0';
	}
	*pos += n;
}

static const char *kind_keyword(enum vmt_type_kind kind)
{
	switch (kind) {
	case VMT_TYPE_STRUCT:
		return "struct ";
	case VMT_TYPE_UNION:
		return "union ";
	case VMT_TYPE_ENUM:
		return "enum ";
	default:
		return "";
	}
}

// Bounded string edits for building declarators (truncate silently).
#define DECL_MAX 256

static void decl_append(char *dst, const char *s)
{
	size_t n = strlen(dst), m = strlen(s);

	if (m > DECL_MAX - 1 - n)
		m = DECL_MAX - 1 - n;
	memcpy(dst + n, s, m);
	dst[n + m] = '\0';
}

static void decl_prepend(char *dst, const char *s)
{
	size_t n = strlen(dst), m = strlen(s);

	if (m > DECL_MAX - 1)
		m = DECL_MAX - 1;
	if (n > DECL_MAX - 1 - m)
		n = DECL_MAX - 1 - m;
	memmove(dst + m, dst, n);
	memcpy(dst, s, m);
	dst[m + n] = '\0';
}

void type_name(const struct vmt_type *type, char *buf, size_t size)
{
	// The declarator is built from the outside in: C reads "char *[16]"
	// as an array of 16 pointers to char, and "char (*)[16]" as a
	// pointer to an array.
	char decl[DECL_MAX] = "";
	char base[DECL_MAX] = "";
	bool last_was_ptr = false;
	size_t pos = 0;
	int i;

	if (!size)
		return;
	buf[0] = '\0';
	for (i = 0; type && i < MAX_CHAIN; i++) {
		if (type->kind == VMT_TYPE_POINTER) {
			decl_prepend(decl, "*");
			last_was_ptr = true;
		} else if (type->kind == VMT_TYPE_ARRAY) {
			char dim[32];

			if (last_was_ptr) {
				decl_prepend(decl, "(");
				decl_append(decl, ")");
			}
			if (type->nelems)
				snprintf(dim, sizeof(dim), "[%" PRIu64 "]",
					 type->nelems);
			else
				snprintf(dim, sizeof(dim), "[]");
			decl_append(decl, dim);
			last_was_ptr = false;
		} else if (type->kind == VMT_TYPE_CONST ||
			   type->kind == VMT_TYPE_VOLATILE ||
			   type->kind == VMT_TYPE_RESTRICT) {
			const char *q = type->kind == VMT_TYPE_CONST ?
						"const" :
					type->kind == VMT_TYPE_VOLATILE ?
						"volatile" :
						"restrict";

			const struct vmt_type *t = type->target;

			// Skip further qualifiers to see what this one binds.
			for (int k = 0; t && k < MAX_CHAIN &&
					(t->kind == VMT_TYPE_CONST ||
					 t->kind == VMT_TYPE_VOLATILE ||
					 t->kind == VMT_TYPE_RESTRICT);
			     k++)
				t = t->target;
			if (t && t->kind == VMT_TYPE_POINTER) {
				// "char *const": it qualifies the pointer.
				if (decl[0])
					decl_prepend(decl, " ");
				decl_prepend(decl, q);
			} else {
				decl_append(base, q);
				decl_append(base, " ");
			}
		} else {
			break;
		}
		type = type->target;
	}
	if (!type || i >= MAX_CHAIN) {
		decl_append(base, "void");
	} else if (type->kind == VMT_TYPE_FUNCTION) {
		decl_append(base, "function");
	} else {
		decl_append(base, kind_keyword(type->kind));
		decl_append(base, type->name ? type->name : "<anonymous>");
	}
	put(buf, size, &pos, base);
	if (decl[0]) {
		put(buf, size, &pos, " ");
		put(buf, size, &pos, decl);
	}
}

const char *type_lookup_kind_name(enum vmt_type_kind kind)
{
	switch (kind) {
	case VMT_TYPE_STRUCT:
		return "struct";
	case VMT_TYPE_UNION:
		return "union";
	case VMT_TYPE_ENUM:
		return "enum";
	case VMT_TYPE_TYPEDEF:
		return "typedef";
	default:
		return "type";
	}
}
