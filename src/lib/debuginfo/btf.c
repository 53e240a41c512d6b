// BTF (include/uapi/linux/btf.h, Documentation/bpf/btf.rst) into
// struct vmt_type records, and finding the kernel's BTF in memory.
//
// Layout: a 24-byte header (magic 0xeB9F, version 1, flags, hdr_len,
// type_off, type_len, str_off, str_len; offsets from the end of the
// header), then type records. Type ids count from 1 in record order; id 0
// is void. Each record is {name_off, info, size|type} followed by
// kind-specific data.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "debuginfo/debuginfo.h"

enum {
	BTF_KIND_UNKN,
	BTF_KIND_INT,
	BTF_KIND_PTR,
	BTF_KIND_ARRAY,
	BTF_KIND_STRUCT,
	BTF_KIND_UNION,
	BTF_KIND_ENUM,
	BTF_KIND_FWD,
	BTF_KIND_TYPEDEF,
	BTF_KIND_VOLATILE,
	BTF_KIND_CONST,
	BTF_KIND_RESTRICT,
	BTF_KIND_FUNC,
	BTF_KIND_FUNC_PROTO,
	BTF_KIND_VAR,
	BTF_KIND_DATASEC,
	BTF_KIND_FLOAT,
	BTF_KIND_DECL_TAG,
	BTF_KIND_TYPE_TAG,
	BTF_KIND_ENUM64,
	NR_BTF_KINDS,
};

#define BTF_MAGIC 0xeb9f
#define BTF_HDR_LEN 24
#define BTF_INT_SIGNED 1
#define BTF_INT_BOOL 4
// Longest chain of typedef/qualifier/array/type-tag references followed.
#define MAX_REF_DEPTH 64
// More is not a kernel's BTF (vmlinux BTF is a few MB).
#define BTF_MAX_SIZE (256u << 20)

struct btf_hdr {
	bool be;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

struct btf_name {
	const char *name;
	uint32_t id;
	enum vmt_type_kind kind; // FWD entries: STRUCT or UNION
	bool fwd;
};

struct btf_db {
	struct typedb base;
	char *strings; // NUL-terminated copy
	uint32_t str_len;
	struct vmt_type *types; // [0] is void
	uint32_t nr_types;
	struct vmt_type_member *members;
	struct vmt_type_enumerator *enumerators;
	struct btf_name *names;
	size_t nr_names;
};

static uint32_t ld32(const struct btf_hdr *h, const uint8_t *p)
{
	return load32(p, h->be);
}

// Check the header and that both sections lie inside @p size bytes.
static struct vmt_error *parse_header(const uint8_t *data, size_t size,
				      struct btf_hdr *ret)
{
	struct btf_hdr h;
	uint64_t end;

	if (size < BTF_HDR_LEN)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: %zu bytes is shorter than the header",
					size);
	if (load_le16(data) == BTF_MAGIC)
		h.be = false;
	else if (load_be16(data) == BTF_MAGIC)
		h.be = true;
	else
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: bad magic %#06x at offset 0",
					load_le16(data));
	if (data[2] != 1)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"BTF: version %u, expected 1", data[2]);
	h.hdr_len = ld32(&h, data + 4);
	h.type_off = ld32(&h, data + 8);
	h.type_len = ld32(&h, data + 12);
	h.str_off = ld32(&h, data + 16);
	h.str_len = ld32(&h, data + 20);
	if (h.hdr_len < BTF_HDR_LEN || h.hdr_len > size)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: header length %" PRIu32
					" (data is %zu bytes)",
					h.hdr_len, size);
	end = (uint64_t)h.hdr_len + h.type_off + h.type_len;
	if (end > size || h.type_off % 4 || h.type_len % 4)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: type section at %" PRIu32
					"+%" PRIu32 " outside %zu bytes or unaligned",
					h.type_off, h.type_len, size);
	end = (uint64_t)h.hdr_len + h.str_off + h.str_len;
	if (end > size || h.str_len == 0)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: string section at %" PRIu32
					"+%" PRIu32 " outside %zu bytes or empty",
					h.str_off, h.str_len, size);
	if (data[h.hdr_len + h.str_off] != '\0')
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: string section does not start with NUL");
	*ret = h;
	return NULL;
}

// Bytes of kind-specific data after a record, or -1 for an unknown kind.
static int64_t extra_len(unsigned kind, uint32_t vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return 12 * (int64_t)vlen;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return 8 * (int64_t)vlen;
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

struct btf_counts {
	uint32_t nr_types; // records, not counting void
	size_t nr_members, nr_enumerators;
};

// Walk the type section once: every record complete and of a known kind.
static struct vmt_error *walk_types(const struct btf_hdr *h,
				    const uint8_t *data, uint32_t *offsets,
				    struct btf_counts *ret)
{
	const uint8_t *types = data + h->hdr_len + h->type_off;
	struct btf_counts c = { 0 };
	uint32_t pos = 0;

	while (pos < h->type_len) {
		uint32_t info, kind, vlen;
		int64_t extra;

		if (h->type_len - pos < 12)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32
						" at offset %" PRIu32
						" truncated",
						c.nr_types + 1, pos);
		info = ld32(h, types + pos + 4);
		kind = (info >> 24) & 0x1f;
		vlen = info & 0xffff;
		extra = extra_len(kind, vlen);
		if (extra < 0)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32
						" at offset %" PRIu32
						": unknown kind %" PRIu32,
						c.nr_types + 1, pos, kind);
		if (12 + extra > h->type_len - pos)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32
						" at offset %" PRIu32
						": %" PRIu32
						" entries run past the type section",
						c.nr_types + 1, pos, vlen);
		if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION)
			c.nr_members += vlen;
		else if (kind == BTF_KIND_ENUM || kind == BTF_KIND_ENUM64)
			c.nr_enumerators += vlen;
		if (offsets)
			offsets[c.nr_types] = pos;
		c.nr_types++;
		if (c.nr_types > 0xfffff)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: more than 2^20 types");
		pos += 12 + (uint32_t)extra;
	}
	*ret = c;
	return NULL;
}

static struct vmt_error *btf_string(struct btf_db *db, uint32_t off,
				    uint32_t id, const char **ret)
{
	if (off >= db->str_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: type %" PRIu32
					": name offset %#" PRIx32
					" past the string section (%" PRIu32
					" bytes)",
					id, off, db->str_len);
	*ret = off && db->strings[off] ? db->strings + off : NULL;
	return NULL;
}

// Type id @p ref as a record, following TYPE_TAGs (which only annotate a
// pointee and carry no layout).
struct btf_parse {
	const struct btf_hdr *h;
	const uint8_t *types;    // the type section
	const uint32_t *offsets; // record offset of type id - 1
	uint8_t *kinds;		 // BTF kind per id
	uint32_t *refs;		 // raw size_or_type word per id
};

static struct vmt_error *btf_ref(struct btf_db *db,
				 const struct btf_parse *ps, uint32_t id,
				 uint32_t ref, const struct vmt_type **ret)
{
	for (int i = 0; i < MAX_REF_DEPTH; i++) {
		if (ref >= db->nr_types)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32
						" refers to type %" PRIu32
						" of %" PRIu32,
						id, ref, db->nr_types - 1);
		if (ps->kinds[ref] != BTF_KIND_TYPE_TAG) {
			*ret = &db->types[ref];
			return NULL;
		}
		ref = ps->refs[ref];
	}
	return vmt_error_format(VMT_ERROR_BAD_DATA,
				"BTF: type %" PRIu32 ": type tag chain too long",
				id);
}

static void btf_destroy(struct typedb *base)
{
	struct btf_db *db = (struct btf_db *)base;

	free(db->strings);
	free(db->types);
	free(db->members);
	free(db->enumerators);
	free(db->names);
	free(db);
}

static int name_cmp(const void *a, const void *b)
{
	const struct btf_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	// Complete definitions before forward declarations, then by id.
	if (x->fwd != y->fwd)
		return x->fwd ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static struct vmt_error *btf_find(struct typedb *base, enum vmt_type_kind kind,
				  const char *name, const struct vmt_type **ret)
{
	struct btf_db *db = (struct btf_db *)base;
	size_t lo = 0, hi = db->nr_names;
	struct btf_name key = { .name = name, .kind = kind, .id = 0 };

	// Lower bound of (name, kind, complete first).
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (name_cmp(&db->names[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < db->nr_names && !strcmp(db->names[lo].name, name) &&
	    db->names[lo].kind == kind) {
		*ret = &db->types[db->names[lo].id];
		return NULL;
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "BTF: no %s named %s",
				kind == VMT_TYPE_STRUCT	 ? "struct" :
				kind == VMT_TYPE_UNION	 ? "union" :
				kind == VMT_TYPE_ENUM	 ? "enum" :
				kind == VMT_TYPE_TYPEDEF ? "typedef" :
							   "type",
				name);
}

static const struct typedb_ops btf_ops = {
	.find = btf_find,
	.destroy = btf_destroy,
};

// Fill size of typedefs, qualifiers and arrays from what they refer to.
static struct vmt_error *resolve_size(struct btf_db *db, uint8_t *state,
				      uint32_t id, int depth)
{
	struct vmt_type *t = &db->types[id];
	const struct vmt_type *target = t->target;
	uint32_t tid;
	struct vmt_error *err;

	if (state[id] == 2)
		return NULL;
	if (state[id] == 1 || depth > MAX_REF_DEPTH)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: type %" PRIu32
					" contains itself or nests too deeply",
					id);
	switch (t->kind) {
	case VMT_TYPE_TYPEDEF:
	case VMT_TYPE_CONST:
	case VMT_TYPE_VOLATILE:
	case VMT_TYPE_RESTRICT:
	case VMT_TYPE_ARRAY:
		break;
	default:
		state[id] = 2;
		return NULL;
	}
	state[id] = 1;
	tid = (uint32_t)(target - db->types);
	err = resolve_size(db, state, tid, depth + 1);
	if (err)
		return err;
	if (t->kind == VMT_TYPE_ARRAY) {
		if (target->size && t->nelems > UINT64_MAX / target->size)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: array type %" PRIu32
						" size overflows",
						id);
		t->size = t->nelems * target->size;
	} else {
		t->size = target->size;
	}
	state[id] = 2;
	return NULL;
}

// Old-style bitfield (kind_flag 0): the member's INT type carries the
// width and a bit offset in its encoding word.
static void int_bitfield(const struct btf_parse *ps, const struct btf_db *db,
			 const struct vmt_type *mt, struct vmt_type_member *m)
{
	uint32_t mid = (uint32_t)(mt - db->types), enc, bits;

	if (!mid || ps->kinds[mid] != BTF_KIND_INT)
		return;
	enc = load32(ps->types + ps->offsets[mid - 1] + 12, ps->h->be);
	bits = enc & 0xff;
	if (bits && bits != mt->size * 8) {
		m->bit_size = bits;
		m->bit_offset += (enc >> 16) & 0xff;
	}
}

static struct vmt_error *fill_types(struct btf_db *db,
				    const struct btf_parse *ps)
{
	const struct btf_hdr *h = ps->h;
	const uint8_t *types = ps->types;
	const uint32_t *offsets = ps->offsets;
	uint8_t *kinds = ps->kinds;
	size_t next_member = 0, next_enum = 0;
	uint64_t ptr_size = 8;
	struct vmt_error *err;

	// Pass 1: kinds, names and raw references, so that pass 2 can follow
	// type tags forward.
	for (uint32_t id = 1; id < db->nr_types; id++) {
		const uint8_t *rec = types + offsets[id - 1];
		uint32_t info = ld32(h, rec + 4);
		struct vmt_type *t = &db->types[id];

		kinds[id] = (info >> 24) & 0x1f;
		err = btf_string(db, ld32(h, rec), id, &t->name);
		if (err)
			return err;
		// Pointer size is not in BTF: take it from "long".
		if (kinds[id] == BTF_KIND_INT && t->name &&
		    !strcmp(t->name, "long unsigned int"))
			ptr_size = ld32(h, rec + 8);
		ps->refs[id] = ld32(h, rec + 8);
	}

	// Pass 2: everything else.
	for (uint32_t id = 1; id < db->nr_types; id++) {
		const uint8_t *rec = types + offsets[id - 1];
		uint32_t info = ld32(h, rec + 4);
		uint32_t vlen = info & 0xffff, kflag = info >> 31;
		uint32_t size_or_type = ld32(h, rec + 8);
		const uint8_t *extra = rec + 12;
		struct vmt_type *t = &db->types[id];
		const struct vmt_type *ref;

		switch (kinds[id]) {
		case BTF_KIND_INT: {
			uint32_t enc = ld32(h, extra);

			t->size = size_or_type;
			t->is_signed = (enc >> 24) & BTF_INT_SIGNED;
			t->kind = (enc >> 24) & BTF_INT_BOOL ? VMT_TYPE_BOOL :
							       VMT_TYPE_INT;
			break;
		}
		case BTF_KIND_FLOAT:
			t->kind = VMT_TYPE_FLOAT;
			t->size = size_or_type;
			break;
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_FUNC:
		case BTF_KIND_FUNC_PROTO:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
			err = btf_ref(db, ps, id, size_or_type, &ref);
			if (err)
				return err;
			t->target = ref;
			t->kind = kinds[id] == BTF_KIND_PTR ? VMT_TYPE_POINTER :
				  kinds[id] == BTF_KIND_TYPEDEF ?
								VMT_TYPE_TYPEDEF :
				  kinds[id] == BTF_KIND_VOLATILE ?
								VMT_TYPE_VOLATILE :
				  kinds[id] == BTF_KIND_CONST ? VMT_TYPE_CONST :
				  kinds[id] == BTF_KIND_RESTRICT ?
								VMT_TYPE_RESTRICT :
				  kinds[id] == BTF_KIND_FUNC_PROTO ?
								VMT_TYPE_FUNCTION :
				  kinds[id] == BTF_KIND_FUNC ? VMT_TYPE_FUNCTION :
								VMT_TYPE_VOID;
			if (kinds[id] == BTF_KIND_PTR)
				t->size = ptr_size;
			break;
		case BTF_KIND_TYPE_TAG:
			// Referenced ones are skipped by btf_ref; keep the
			// record harmless: an anonymous typedef of its target.
			err = btf_ref(db, ps, id, size_or_type, &ref);
			if (err)
				return err;
			t->kind = VMT_TYPE_TYPEDEF;
			t->target = ref;
			break;
		case BTF_KIND_ARRAY:
			err = btf_ref(db, ps, id, ld32(h, extra), &ref);
			if (err)
				return err;
			t->kind = VMT_TYPE_ARRAY;
			t->target = ref;
			t->nelems = ld32(h, extra + 8);
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION: {
			struct vmt_type_member *m = db->members + next_member;

			t->kind = kinds[id] == BTF_KIND_STRUCT ?
					  VMT_TYPE_STRUCT :
					  VMT_TYPE_UNION;
			t->size = size_or_type;
			t->members = m;
			t->nr_members = vlen;
			next_member += vlen;
			for (uint32_t i = 0; i < vlen; i++, extra += 12) {
				uint32_t off = ld32(h, extra + 8);
				const struct vmt_type *mt;

				err = btf_string(db, ld32(h, extra), id,
						 &m[i].name);
				if (!err)
					err = btf_ref(db, ps, id,
						      ld32(h, extra + 4), &mt);
				if (err)
					return err;
				m[i].type = mt;
				if (kflag) {
					// bitfield_size << 24 | bit_offset
					m[i].bit_offset = off & 0xffffff;
					m[i].bit_size = off >> 24;
				} else {
					m[i].bit_offset = off;
					int_bitfield(ps, db, mt, &m[i]);
				}
			}
			break;
		}
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			struct vmt_type_enumerator *e =
				db->enumerators + next_enum;
			bool is64 = kinds[id] == BTF_KIND_ENUM64;

			t->kind = VMT_TYPE_ENUM;
			t->size = size_or_type;
			t->is_signed = kflag;
			t->enumerators = e;
			t->nr_enumerators = vlen;
			next_enum += vlen;
			for (uint32_t i = 0; i < vlen; i++) {
				err = btf_string(db, ld32(h, extra), id,
						 &e[i].name);
				if (err)
					return err;
				if (is64) {
					e[i].value = (int64_t)(
						(uint64_t)ld32(h, extra + 8)
							<< 32 |
						ld32(h, extra + 4));
					extra += 12;
				} else {
					// val is s32 or u32 per kind_flag.
					uint32_t v = ld32(h, extra + 4);

					e[i].value = kflag ? (int64_t)(int32_t)v :
							     (int64_t)v;
					extra += 8;
				}
			}
			break;
		}
		case BTF_KIND_FWD:
			t->kind = VMT_TYPE_FWD;
			break;
		case BTF_KIND_DATASEC:
			t->kind = VMT_TYPE_VOID;
			t->size = size_or_type;
			break;
		default:
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32
						": unknown kind %u",
						id, kinds[id]);
		}
	}
	return NULL;
}

static struct vmt_error *build_index(struct btf_db *db,
				     const struct btf_parse *ps)
{
	const uint8_t *kinds = ps->kinds;
	size_t n = 0;

	for (uint32_t id = 1; id < db->nr_types; id++)
		if (db->types[id].name &&
		    (kinds[id] == BTF_KIND_STRUCT ||
		     kinds[id] == BTF_KIND_UNION ||
		     kinds[id] == BTF_KIND_ENUM ||
		     kinds[id] == BTF_KIND_ENUM64 ||
		     kinds[id] == BTF_KIND_TYPEDEF ||
		     kinds[id] == BTF_KIND_FWD))
			n++;
	db->names = malloc((n ? n : 1) * sizeof(*db->names));
	if (!db->names)
		return &vmt_enomem;
	for (uint32_t id = 1; id < db->nr_types; id++) {
		struct btf_name *e = &db->names[db->nr_names];
		const struct vmt_type *t = &db->types[id];

		if (!t->name)
			continue;
		switch (kinds[id]) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_TYPEDEF:
			e->kind = t->kind;
			e->fwd = false;
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			// An enum with no values is a forward declaration.
			e->kind = VMT_TYPE_ENUM;
			e->fwd = t->nr_enumerators == 0;
			break;
		case BTF_KIND_FWD:
			// kind_flag: 0 = struct, 1 = union.
			e->kind = ld32(ps->h, ps->types + ps->offsets[id - 1] +
						 4) >> 31 ?
					  VMT_TYPE_UNION :
					  VMT_TYPE_STRUCT;
			e->fwd = true;
			break;
		default:
			continue;
		}
		e->name = t->name;
		e->id = id;
		db->nr_names++;
	}
	qsort(db->names, db->nr_names, sizeof(*db->names), name_cmp);
	return NULL;
}

struct vmt_error *btf_typedb_create(const void *data, size_t size,
				    struct typedb **ret)
{
	const uint8_t *bytes = data;
	struct btf_db *db;
	struct btf_hdr h;
	struct btf_counts c;
	uint32_t *offsets = NULL, *refs = NULL;
	uint8_t *kinds = NULL, *state = NULL;
	struct btf_parse ps;
	struct vmt_error *err;

	err = parse_header(bytes, size, &h);
	if (err)
		return err;
	err = walk_types(&h, bytes, NULL, &c);
	if (err)
		return err;

	db = calloc(1, sizeof(*db));
	if (!db)
		return &vmt_enomem;
	db->base.ops = &btf_ops;
	db->base.source = "btf";
	db->nr_types = c.nr_types + 1;
	db->str_len = h.str_len;
	db->strings = malloc((size_t)h.str_len + 1);
	db->types = calloc(db->nr_types, sizeof(*db->types));
	db->members = calloc(c.nr_members ? c.nr_members : 1,
			     sizeof(*db->members));
	db->enumerators = calloc(c.nr_enumerators ? c.nr_enumerators : 1,
				 sizeof(*db->enumerators));
	offsets = malloc(((size_t)c.nr_types + 1) * sizeof(*offsets));
	kinds = calloc(db->nr_types, 1);
	state = calloc(db->nr_types, 1);
	refs = calloc(db->nr_types, sizeof(*refs));
	if (!db->strings || !db->types || !db->members || !db->enumerators ||
	    !offsets || !kinds || !state || !refs) {
		err = &vmt_enomem;
		goto out;
	}
	memcpy(db->strings, bytes + h.hdr_len + h.str_off, h.str_len);
	db->strings[h.str_len] = '\0';
	db->types[0].kind = VMT_TYPE_VOID;
	db->types[0].name = "void";

	ps.h = &h;
	ps.types = bytes + h.hdr_len + h.type_off;
	ps.offsets = offsets;
	ps.kinds = kinds;
	ps.refs = refs;
	err = walk_types(&h, bytes, offsets, &c);
	if (!err)
		err = fill_types(db, &ps);
	for (uint32_t id = 1; !err && id < db->nr_types; id++)
		err = resolve_size(db, state, id, 0);
	if (!err)
		err = build_index(db, &ps);
out:
	free(refs);
	free(offsets);
	free(kinds);
	free(state);
	if (err) {
		btf_destroy(&db->base);
		return err;
	}
	*ret = &db->base;
	return NULL;
}

// Whether @p p (with @p avail bytes after it) starts a plausible header,
// and the blob's total size.
static bool plausible_header(const uint8_t *p, size_t avail, uint64_t *total)
{
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint64_t t_end, s_end;

	if (avail < BTF_HDR_LEN || load_le16(p) != BTF_MAGIC || p[2] != 1)
		return false;
	hdr_len = load_le32(p + 4);
	type_off = load_le32(p + 8);
	type_len = load_le32(p + 12);
	str_off = load_le32(p + 16);
	str_len = load_le32(p + 20);
	if (hdr_len != BTF_HDR_LEN || type_off % 4 || type_len % 4 ||
	    !type_len || !str_len)
		return false;
	t_end = (uint64_t)type_off + type_len;
	s_end = (uint64_t)str_off + str_len;
	// The sections do not overlap.
	if (!(t_end <= str_off || s_end <= type_off))
		return false;
	*total = hdr_len + (t_end > s_end ? t_end : s_end);
	return *total <= BTF_MAX_SIZE;
}

static struct vmt_error *read_blob(read_kvirt_fn *read, void *arg,
				   uint64_t vaddr, uint64_t size, void **ret)
{
	void *buf = malloc(size ? size : 1);
	struct vmt_error *err;

	if (!buf)
		return &vmt_enomem;
	err = read(arg, vaddr, buf, size);
	if (err) {
		free(buf);
		return vmt_error_wrap(err, "BTF at %#" PRIx64 " (%" PRIu64
				      " bytes)", vaddr, size);
	}
	*ret = buf;
	return NULL;
}

// A candidate found by the scan: read it whole and check the header and
// that every type record parses.
static bool candidate_ok(read_kvirt_fn *read, void *arg, uint64_t vaddr,
			 uint64_t size, void **ret)
{
	struct vmt_error *err;
	struct btf_hdr h;
	struct btf_counts c;
	void *buf;

	err = read_blob(read, arg, vaddr, size, &buf);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	err = parse_header(buf, size, &h);
	if (!err)
		err = walk_types(&h, buf, NULL, &c);
	if (err) {
		vmt_error_destroy(err);
		free(buf);
		return false;
	}
	*ret = buf;
	return true;
}

#define SCAN_CHUNK (1u << 20)
#define SCAN_PAGE 4096u

// Fill @p buf from [@p vaddr, +len), zeroing pages that cannot be read
// (zeros never match the magic).
static void read_tolerant(read_kvirt_fn *read, void *arg, uint64_t vaddr,
			  uint8_t *buf, size_t len)
{
	struct vmt_error *err = read(arg, vaddr, buf, len);

	if (!err)
		return;
	vmt_error_destroy(err);
	for (size_t off = 0; off < len;) {
		size_t n = SCAN_PAGE - ((vaddr + off) % SCAN_PAGE);

		if (n > len - off)
			n = len - off;
		err = read(arg, vaddr + off, buf + off, n);
		if (err) {
			vmt_error_destroy(err);
			memset(buf + off, 0, n);
		}
		off += n;
	}
}

struct vmt_error *btf_find_in_memory(read_kvirt_fn *read, void *arg,
				     const struct symtab *syms,
				     uint64_t scan_start, uint64_t scan_end,
				     void **data_ret, size_t *size_ret,
				     char *how_ret, size_t how_size)
{
	const struct symtab_entry *start = NULL, *stop = NULL;
	struct vmt_error *err;
	uint8_t *chunk;
	void *data;

	if (syms) {
		start = symtab_lookup_name(syms, "__start_BTF");
		stop = symtab_lookup_name(syms, "__stop_BTF");
	}
	if (start && stop) {
		uint64_t size = stop->address - start->address;

		if (stop->address <= start->address || size > BTF_MAX_SIZE)
			return vmt_error_format(
				VMT_ERROR_BAD_DATA,
				"__start_BTF %#" PRIx64 " and __stop_BTF %#" PRIx64
				" do not bound a BTF section",
				start->address, stop->address);
		err = read_blob(read, arg, start->address, size, &data);
		if (err)
			return err;
		*data_ret = data;
		*size_ret = size;
		snprintf(how_ret, how_size,
			 "%s symbols __start_BTF..__stop_BTF (%#" PRIx64
			 "..%#" PRIx64 ")",
			 syms->source, start->address, stop->address);
		return NULL;
	}

	if (scan_end <= scan_start)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"BTF scan range %#" PRIx64 "..%#" PRIx64
					" is empty",
					scan_start, scan_end);
	// Chunks overlap by a header's length so that a header across a
	// chunk boundary is seen whole.
	chunk = malloc(SCAN_CHUNK + BTF_HDR_LEN);
	if (!chunk)
		return &vmt_enomem;
	for (uint64_t base = scan_start; base < scan_end; base += SCAN_CHUNK) {
		size_t len = SCAN_CHUNK + BTF_HDR_LEN;

		if (scan_end - base < len)
			len = scan_end - base;
		read_tolerant(read, arg, base, chunk, len);
		for (size_t i = 0; i + BTF_HDR_LEN <= len && i < SCAN_CHUNK;
		     i++) {
			uint64_t total;
			const uint8_t *m = memchr(chunk + i, 0x9f, len - i);

			if (!m)
				break;
			i = (size_t)(m - chunk);
			if (i >= SCAN_CHUNK ||
			    !plausible_header(m, len - i, &total))
				continue;
			if (candidate_ok(read, arg, base + i, total, &data)) {
				free(chunk);
				*data_ret = data;
				*size_ret = total;
				snprintf(how_ret, how_size,
					 "scan at %#" PRIx64 " (%" PRIu64
					 " bytes)",
					 base + i, total);
				return NULL;
			}
		}
	}
	free(chunk);
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"no BTF header (magic 0xeB9F, version 1) in %#" PRIx64
				"..%#" PRIx64,
				scan_start, scan_end);
}
