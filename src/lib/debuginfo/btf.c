// BTF (include/uapi/linux/btf.h, Documentation/bpf/btf.rst) into
// struct vmt_type records, and finding the kernel's BTF in memory.
//
// Layout: a 24-byte header (magic 0xeB9F, version 1, flags, hdr_len,
// type_off, type_len, str_off, str_len; offsets from the end of the
// header), then type records. Type ids count from 1 in record order; id 0
// is void. Each record is {name_off, info, size|type} followed by
// kind-specific data.
//
// Loading validates every record in one walk and indexes the names; a type
// is converted to struct vmt_type (with everything it refers to) when
// first found. A lookup needs a few thousand of a kernel's ~100k types.
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/bigmem.h"
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
#define BTF_MAX_TYPES 0xfffffu
// Converted records are carved from chunks of this size: one huge page
// where the system has them (bigmem), since a command converts a few
// thousand records and a 4 KiB fault each 16 records costs more.
#define ARENA_CHUNK ((2u << 20) - 256)

struct btf_hdr {
	bool be;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};

// A bump allocator: converted records live as long as the db, so they are
// never freed one by one, and a chunk costs one allocation for thousands
// of types.
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

// Name index slot: id 0 is empty.
struct btf_slot {
	uint32_t hash, id;
};

struct u32_vec {
	uint32_t *v;
	size_t n, cap;
};

struct btf_db {
	struct typedb base;
	bool be;
	uint8_t *copy;	     // string section, a NUL, then the type section
	void *unmap;	     // a mapped file's .BTF used in place, or NULL
	size_t unmap_len;
	const char *strings; // NUL-terminated
	uint32_t str_len;
	const uint8_t *types;
	uint32_t nr_types; // with void
	uint32_t *offsets; // [id]: offset of the record in types; [0] unused
	uint64_t ptr_size;
	struct vmt_type **cache; // [id]: converted record, NULL until needed
	struct vmt_type void_type;
	// Records allocated but not yet filled (see convert).
	struct u32_vec pending;
	struct btf_slot *index; // NULL until the first lookup
	size_t index_mask;
	// [id]: size of the type + 1 once computed (type_size), else 0.
	uint64_t *sizes;
	struct arena_chunk *chunks;
	// The DATASEC last looked up (0: none yet).
	uint32_t sec_id;
};

static uint32_t ld32(const struct btf_hdr *h, const uint8_t *p)
{
	return load32(p, h->be);
}

static uint32_t dld32(const struct btf_db *db, const uint8_t *p)
{
	return load32(p, db->be);
}

static struct vmt_error *vec_push(struct u32_vec *vec, uint32_t x)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? 2 * vec->cap : 256;
		uint32_t *v = realloc(vec->v, cap * sizeof(*v));

		if (!v)
			return &vmt_enomem;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = x;
	return NULL;
}

// Zeroed memory from the arena, aligned for any record.
static void *arena_alloc(struct btf_db *db, size_t size)
{
	struct arena_chunk *c = db->chunks;
	const size_t align = _Alignof(max_align_t);
	void *p;

	size = (size + align - 1) / align * align;
	if (!size)
		size = align;
	if (!c || c->size - c->used < size) {
		size_t want = size > ARENA_CHUNK ? size : ARENA_CHUNK;

		c = bigmem_alloc(offsetof(struct arena_chunk, data) + want);
		if (!c)
			return NULL;
		c->size = want;
		c->used = 0;
		// A chunk for one large array goes behind the current one so
		// the current one keeps serving small records.
		if (want > ARENA_CHUNK && db->chunks) {
			c->next = db->chunks->next;
			db->chunks->next = c;
		} else {
			c->next = db->chunks;
			db->chunks = c;
		}
	}
	p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
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

// Length of the record at @p pos (type @p id) in the type section
// @p types: complete and of a known kind.
static struct vmt_error *record_len(bool be, const uint8_t *types,
				    uint32_t type_len, uint32_t pos,
				    uint32_t id, uint32_t *len_ret)
{
	uint32_t info, kind, vlen;
	int64_t extra;

	if (type_len - pos < 12)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: type %" PRIu32 " at offset %" PRIu32
					" truncated",
					id, pos);
	info = load32(types + pos + 4, be);
	kind = (info >> 24) & 0x1f;
	vlen = info & 0xffff;
	extra = extra_len(kind, vlen);
	if (extra < 0)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: type %" PRIu32 " at offset %" PRIu32
					": unknown kind %" PRIu32,
					id, pos, kind);
	if (12 + extra > type_len - pos)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: type %" PRIu32 " at offset %" PRIu32
					": %" PRIu32
					" entries run past the type section",
					id, pos, vlen);
	if (id > BTF_MAX_TYPES)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: more than 2^20 types");
	*len_ret = 12 + (uint32_t)extra;
	return NULL;
}

// Walk the type section: every record complete and of a known kind.
static struct vmt_error *walk_types(const struct btf_hdr *h,
				    const uint8_t *data)
{
	const uint8_t *types = data + h->hdr_len + h->type_off;
	uint32_t pos = 0, len = 0;
	struct vmt_error *err;

	for (uint32_t id = 1; pos < h->type_len; id++) {
		err = record_len(h->be, types, h->type_len, pos, id, &len);
		if (err)
			return err;
		pos += len;
	}
	return NULL;
}

static const uint8_t *record(const struct btf_db *db, uint32_t id)
{
	return db->types + db->offsets[id];
}

// BTF kind of type @p id; void (id 0) is BTF_KIND_UNKN.
static unsigned rec_kind(const struct btf_db *db, uint32_t id)
{
	return id ? (dld32(db, record(db, id) + 4) >> 24) & 0x1f :
		    BTF_KIND_UNKN;
}

static struct vmt_error *check_name(const struct btf_db *db, uint32_t off,
				    uint32_t id)
{
	if (off >= db->str_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: type %" PRIu32
					": name offset %#" PRIx32
					" past the string section (%" PRIu32
					" bytes)",
					id, off, db->str_len);
	return NULL;
}

// A checked name offset as a string, NULL if empty.
static const char *name_at(const struct btf_db *db, uint32_t off)
{
	return off && db->strings[off] ? db->strings + off : NULL;
}

// The largest type id record @p id refers to (0 if none): the ids a
// conversion follows, all checked against the number of types at load.
static uint32_t max_ref(const struct btf_db *db, uint32_t id)
{
	const uint8_t *rec = record(db, id);
	uint32_t info = dld32(db, rec + 4), vlen = info & 0xffff, max = 0;

	switch ((info >> 24) & 0x1f) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FUNC_PROTO:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
	case BTF_KIND_TYPE_TAG:
		return dld32(db, rec + 8);
	case BTF_KIND_ARRAY:
		return dld32(db, rec + 12);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (uint32_t i = 0; i < vlen; i++) {
			uint32_t t = dld32(db, rec + 12 + 12 * i + 4);

			if (t > max)
				max = t;
		}
		return max;
	default:
		return 0;
	}
}

// Type id @p ref with TYPE_TAGs (which only annotate a pointee and carry
// no layout) skipped.
static struct vmt_error *skip_tags(const struct btf_db *db, uint32_t id,
				   uint32_t ref, uint32_t *ret)
{
	for (int i = 0; i < MAX_REF_DEPTH; i++) {
		if (ref >= db->nr_types)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32
						" refers to type %" PRIu32
						" of %" PRIu32,
						id, ref, db->nr_types - 1);
		if (rec_kind(db, ref) != BTF_KIND_TYPE_TAG) {
			*ret = ref;
			return NULL;
		}
		ref = dld32(db, record(db, ref) + 8);
	}
	return vmt_error_format(VMT_ERROR_BAD_DATA,
				"BTF: type %" PRIu32 ": type tag chain too long",
				id);
}

// What a typedef, qualifier, type tag or array refers to (tags skipped).
static struct vmt_error *chain_target(const struct btf_db *db, uint32_t id,
				      uint32_t *ret)
{
	const uint8_t *rec = record(db, id);
	uint32_t ref = rec_kind(db, id) == BTF_KIND_ARRAY ?
			       dld32(db, rec + 12) :
			       dld32(db, rec + 8);

	return skip_tags(db, id, ref, ret);
}

// Size in bytes of type @p id as struct vmt_type gives it. Typedefs,
// qualifiers, type tags and arrays take it from what they refer to, which
// must end in another kind within MAX_REF_DEPTH steps.
static struct vmt_error *type_size(const struct btf_db *db, uint32_t id,
				   int depth, uint64_t *ret)
{
	const uint8_t *rec;
	uint32_t target;
	uint64_t size, nelems;
	struct vmt_error *err;

	if (!id) {
		*ret = 0;
		return NULL;
	}
	if (db->sizes && db->sizes[id]) {
		*ret = db->sizes[id] - 1;
		return NULL;
	}
	rec = record(db, id);
	switch (rec_kind(db, id)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_DATASEC:
		*ret = dld32(db, rec + 8);
		return NULL;
	case BTF_KIND_PTR:
		*ret = db->ptr_size;
		return NULL;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_ARRAY:
		break;
	default:
		*ret = 0;
		return NULL;
	}
	if (depth >= MAX_REF_DEPTH)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: type %" PRIu32
					" contains itself or nests too deeply",
					id);
	err = chain_target(db, id, &target);
	if (!err)
		err = type_size(db, target, depth + 1, &size);
	if (err)
		return err;
	if (rec_kind(db, id) == BTF_KIND_ARRAY) {
		nelems = dld32(db, rec + 20);
		if (size && nelems > UINT64_MAX / size)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: array type %" PRIu32
						" size overflows",
						id);
		size *= nelems;
	}
	// Chains are followed once: typedefs of typedefs are common.
	if (db->sizes && size < UINT64_MAX)
		db->sizes[id] = size + 1;
	*ret = size;
	return NULL;
}

// Name index: open addressing over (name, kind), FNV-1a.
static uint32_t name_hash(const char *name, enum vmt_type_kind kind)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

// The kind a named type is found as, and whether it is only a declaration;
// false if @p id is not indexed.
static bool index_kind(const struct btf_db *db, uint32_t id,
		       enum vmt_type_kind *kind_ret, bool *fwd_ret)
{
	uint32_t info = dld32(db, record(db, id) + 4);

	*fwd_ret = false;
	switch ((info >> 24) & 0x1f) {
	case BTF_KIND_STRUCT:
		*kind_ret = VMT_TYPE_STRUCT;
		return true;
	case BTF_KIND_UNION:
		*kind_ret = VMT_TYPE_UNION;
		return true;
	case BTF_KIND_TYPEDEF:
		*kind_ret = VMT_TYPE_TYPEDEF;
		return true;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		// An enum with no values is a forward declaration.
		*kind_ret = VMT_TYPE_ENUM;
		*fwd_ret = (info & 0xffff) == 0;
		return true;
	case BTF_KIND_FWD:
		// kind_flag: 0 = struct, 1 = union.
		*kind_ret = info >> 31 ? VMT_TYPE_UNION : VMT_TYPE_STRUCT;
		*fwd_ret = true;
		return true;
	default:
		return false;
	}
}

static const char *type_name_of(const struct btf_db *db, uint32_t id)
{
	return name_at(db, dld32(db, record(db, id)));
}

// The slot for (@p name, @p kind): its entry, or the empty slot ending the
// probe sequence.
static struct btf_slot *index_slot(const struct btf_db *db, const char *name,
				   enum vmt_type_kind kind, uint32_t hash)
{
	for (size_t i = hash & db->index_mask;; i = (i + 1) & db->index_mask) {
		struct btf_slot *s = &db->index[i];
		enum vmt_type_kind k;
		bool fwd;

		if (!s->id)
			return s;
		if (s->hash == hash && index_kind(db, s->id, &k, &fwd) &&
		    k == kind && !strcmp(type_name_of(db, s->id), name))
			return s;
	}
}

// Index the named types among @p ids (in id order): per (name, kind) the
// first complete definition, else the first declaration.
static struct vmt_error *build_index(struct btf_db *db,
				     const struct u32_vec *ids)
{
	size_t size = 16;

	while (size < 2 * ids->n)
		size *= 2;
	db->index = bigmem_calloc(size * sizeof(*db->index));
	if (!db->index)
		return &vmt_enomem;
	db->index_mask = size - 1;
	for (size_t i = 0; i < ids->n; i++) {
		uint32_t id = ids->v[i];
		const char *name = type_name_of(db, id);
		enum vmt_type_kind kind, old_kind;
		bool fwd, old_fwd;
		uint32_t hash;
		struct btf_slot *s;

		index_kind(db, id, &kind, &fwd);
		hash = name_hash(name, kind);
		s = index_slot(db, name, kind, hash);
		if (!s->id) {
			s->hash = hash;
			s->id = id;
		} else if (!fwd) {
			index_kind(db, s->id, &old_kind, &old_fwd);
			if (old_fwd)
				s->id = id;
		}
	}
	return NULL;
}

struct load_lists {
	struct u32_vec chained; // typedefs, qualifiers, type tags, arrays
	struct u32_vec tags;	// type tags
	uint32_t top;		// largest type id referred to
};

// One walk of the type section checks everything a conversion relies on
// that a record carries itself (complete, a known kind, names in range),
// notes the largest id referred to, the records whose chains are checked
// after the walk (check_links), and takes the pointer size (not in BTF)
// from "long unsigned int". One loop, no call per record: a kernel has
// ~100k records and ~500k members.
static inline __attribute__((always_inline)) struct vmt_error *
walk_records_be(struct btf_db *db, uint32_t type_len,
		struct load_lists *lists, const bool be)
{
	const uint8_t *types = db->types;
	uint32_t pos = 0, id = 1;

	while (pos < type_len) {
		const uint8_t *rec = types + pos;
		uint32_t name_off, info, vlen, ref = 0, avail = type_len - pos;
		uint64_t len = 12;
		unsigned kind;

		if (id > BTF_MAX_TYPES)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: more than 2^20 types");
		if (avail < 12)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32 " at offset %" PRIu32
						" truncated",
						id, pos);
		name_off = load32(rec, be);
		info = load32(rec + 4, be);
		vlen = info & 0xffff;
		kind = (info >> 24) & 0x1f;
		switch (kind) {
		case BTF_KIND_INT:
			len = 16;
			break;
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
			len = 16;
			ref = load32(rec + 8, be);
			break;
		case BTF_KIND_ARRAY:
			len = 24;
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_DATASEC:
		case BTF_KIND_ENUM64:
			len = 12 + 12 * (uint64_t)vlen;
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_FUNC_PROTO:
			len = 12 + 8 * (uint64_t)vlen;
			if (kind == BTF_KIND_FUNC_PROTO)
				ref = load32(rec + 8, be);
			break;
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_FUNC:
		case BTF_KIND_TYPE_TAG:
			ref = load32(rec + 8, be);
			break;
		case BTF_KIND_FWD:
		case BTF_KIND_FLOAT:
			break;
		default:
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32 " at offset %" PRIu32
						": unknown kind %u",
						id, pos, kind);
		}
		if (len > avail)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32 " at offset %" PRIu32
						": %" PRIu32
						" entries run past the type section",
						id, pos, vlen);
		db->offsets[id] = pos;
		if (name_off >= db->str_len)
			return check_name(db, name_off, id);
		switch (kind) {
		case BTF_KIND_INT:
			if (name_off && !strcmp(db->strings + name_off,
						"long unsigned int"))
				db->ptr_size = load32(rec + 8, be);
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			for (uint32_t i = 0; i < vlen; i++) {
				const uint8_t *m = rec + 12 + 12 * i;
				uint32_t t = load32(m + 4, be);

				if (load32(m, be) >= db->str_len)
					return check_name(db, load32(m, be), id);
				if (t > ref)
					ref = t;
			}
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			uint32_t step = kind == BTF_KIND_ENUM ? 8 : 12;

			for (uint32_t i = 0; i < vlen; i++)
				if (load32(rec + 12 + step * i, be) >= db->str_len)
					return check_name(
						db, load32(rec + 12 + step * i, be),
						id);
			break;
		}
		case BTF_KIND_ARRAY:
			ref = load32(rec + 12, be);
			break;
		default:
			break;
		}
		if (ref > lists->top)
			lists->top = ref;
		switch (kind) {
		case BTF_KIND_TYPE_TAG:
			if (vec_push(&lists->tags, id) ||
			    vec_push(&lists->chained, id))
				return &vmt_enomem;
			break;
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_ARRAY:
			if (vec_push(&lists->chained, id))
				return &vmt_enomem;
			break;
		default:
			break;
		}
		pos += (uint32_t)len;
		id++;
	}
	db->nr_types = id;
	return NULL;
}

// One copy of the walk per byte order, so that the loads are plain.
static struct vmt_error *walk_records(struct btf_db *db, uint32_t type_len,
				      struct load_lists *lists)
{
	return db->be ? walk_records_be(db, type_len, lists, true) :
			walk_records_be(db, type_len, lists, false);
}

// The checks that need every record: references in range (naming the
// first record with one that is not), type tag chains bounded, and
// typedef/qualifier/array chains ending in a type with a size (no cycle
// without a pointer, no overflowing array).
static struct vmt_error *check_links(struct btf_db *db,
				     const struct load_lists *lists)
{
	struct vmt_error *err = NULL;

	for (uint32_t id = 1; lists->top >= db->nr_types && id < db->nr_types;
	     id++) {
		uint32_t m = max_ref(db, id);

		if (m >= db->nr_types)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: type %" PRIu32
						" refers to type %" PRIu32
						" of %" PRIu32,
						id, m, db->nr_types - 1);
	}
	for (size_t i = 0; !err && i < lists->tags.n; i++) {
		uint32_t target;

		err = skip_tags(db, lists->tags.v[i], lists->tags.v[i],
				&target);
	}
	for (size_t i = 0; !err && i < lists->chained.n; i++) {
		uint64_t size;

		err = type_size(db, lists->chained.v[i], 0, &size);
	}
	return err;
}

// Everything a conversion relies on, checked once at load in one walk of
// the type section (walk_records) and a few short ones (check_links). The
// name index is built on the first lookup (index_names).
static struct vmt_error *load_types(struct btf_db *db, uint32_t type_len)
{
	struct load_lists lists;
	struct vmt_error *err;

	memset(&lists, 0, sizeof(lists));
	db->sizes = bigmem_calloc(((size_t)type_len / 12 + 2) * sizeof(*db->sizes));
	if (!db->sizes)
		return &vmt_enomem;
	err = walk_records(db, type_len, &lists);
	if (!err)
		err = check_links(db, &lists);
	free(lists.chained.v);
	free(lists.tags.v);
	return err;
}

// The name index of the named types, in id order: per (name, kind) the
// first complete definition, else the first declaration.
static struct vmt_error *index_names(struct btf_db *db)
{
	struct u32_vec named = { 0 };
	struct vmt_error *err = NULL;

	for (uint32_t id = 1; id < db->nr_types && !err; id++) {
		const uint8_t *rec = record(db, id);
		uint32_t name_off = dld32(db, rec);

		// The kinds index_kind() accepts, named.
		switch ((dld32(db, rec + 4) >> 24) & 0x1f) {
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FWD:
			if (name_off && db->strings[name_off])
				err = vec_push(&named, id);
			break;
		default:
			break;
		}
	}
	if (!err)
		err = build_index(db, &named);
	free(named.v);
	return err;
}

// The record for type @p id: converted, or allocated and queued to be
// filled by convert.
static struct vmt_error *get_type(struct btf_db *db, uint32_t id,
				  struct vmt_type **ret)
{
	struct vmt_type *t;
	struct vmt_error *err;

	if (id >= db->nr_types)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: no type %" PRIu32, id);
	if (!id) {
		*ret = &db->void_type;
		return NULL;
	}
	if (db->cache[id]) {
		*ret = db->cache[id];
		return NULL;
	}
	t = arena_alloc(db, sizeof(*t));
	if (!t)
		return &vmt_enomem;
	err = vec_push(&db->pending, id);
	if (err)
		return err;
	db->cache[id] = t;
	*ret = t;
	return NULL;
}

// The record that @p ref (a reference from type @p id) denotes.
static struct vmt_error *get_ref(struct btf_db *db, uint32_t id, uint32_t ref,
				 const struct vmt_type **ret)
{
	struct vmt_type *t;
	struct vmt_error *err = skip_tags(db, id, ref, &ref);

	if (!err)
		err = get_type(db, ref, &t);
	if (err)
		return err;
	*ret = t;
	return NULL;
}

// Old-style bitfield (kind_flag 0): the member's INT type carries the
// width and a bit offset in its encoding word.
static void int_bitfield(const struct btf_db *db, uint32_t mid,
			 struct vmt_type_member *m)
{
	const uint8_t *rec;
	uint32_t enc, bits;

	if (rec_kind(db, mid) != BTF_KIND_INT)
		return;
	rec = record(db, mid);
	enc = dld32(db, rec + 12);
	bits = enc & 0xff;
	if (bits && bits != (uint64_t)dld32(db, rec + 8) * 8) {
		m->bit_size = bits;
		m->bit_offset += (enc >> 16) & 0xff;
	}
}

static struct vmt_error *fill_members(struct btf_db *db, uint32_t id,
				      struct vmt_type *t)
{
	const uint8_t *rec = record(db, id);
	uint32_t info = dld32(db, rec + 4), vlen = info & 0xffff;
	const uint8_t *extra = rec + 12;
	struct vmt_type_member *m;
	struct vmt_error *err;

	m = arena_alloc(db, (size_t)vlen * sizeof(*m));
	if (!m)
		return &vmt_enomem;
	for (uint32_t i = 0; i < vlen; i++, extra += 12) {
		uint32_t off = dld32(db, extra + 8), mid;
		struct vmt_type *mt;

		m[i].name = name_at(db, dld32(db, extra));
		err = skip_tags(db, id, dld32(db, extra + 4), &mid);
		if (!err)
			err = get_type(db, mid, &mt);
		if (err)
			return err;
		m[i].type = mt;
		if (info >> 31) {
			// bitfield_size << 24 | bit_offset
			m[i].bit_offset = off & 0xffffff;
			m[i].bit_size = off >> 24;
		} else {
			m[i].bit_offset = off;
			int_bitfield(db, mid, &m[i]);
		}
	}
	t->members = m;
	t->nr_members = vlen;
	return NULL;
}

static struct vmt_error *fill_enumerators(struct btf_db *db, uint32_t id,
					  struct vmt_type *t)
{
	const uint8_t *rec = record(db, id);
	uint32_t info = dld32(db, rec + 4), vlen = info & 0xffff;
	bool is64 = ((info >> 24) & 0x1f) == BTF_KIND_ENUM64;
	bool kflag = info >> 31;
	const uint8_t *extra = rec + 12;
	struct vmt_type_enumerator *e;

	e = arena_alloc(db, (size_t)vlen * sizeof(*e));
	if (!e)
		return &vmt_enomem;
	for (uint32_t i = 0; i < vlen; i++) {
		e[i].name = name_at(db, dld32(db, extra));
		// C has no anonymous enumerator (the kernel's BTF verifier
		// refuses one too).
		if (!e[i].name)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"BTF: enum type [%" PRIu32
						"]: enumerator %" PRIu32
						" has no name",
						id, i);
		if (is64) {
			e[i].value = (int64_t)((uint64_t)dld32(db, extra + 8)
						       << 32 |
					       dld32(db, extra + 4));
			extra += 12;
		} else {
			// val is s32 or u32 per kind_flag.
			uint32_t v = dld32(db, extra + 4);

			e[i].value = kflag ? (int64_t)(int32_t)v : (int64_t)v;
			extra += 8;
		}
	}
	t->enumerators = e;
	t->nr_enumerators = vlen;
	return NULL;
}

// Fill the record of type @p id from its BTF record. What it refers to is
// allocated and queued, not filled, so a fill never recurses.
static struct vmt_error *fill_type(struct btf_db *db, uint32_t id,
				   struct vmt_type *t)
{
	const uint8_t *rec = record(db, id);
	uint32_t info = dld32(db, rec + 4), size_or_type = dld32(db, rec + 8);
	unsigned kind = (info >> 24) & 0x1f;
	struct vmt_error *err = NULL;

	t->name = name_at(db, dld32(db, rec));
	switch (kind) {
	case BTF_KIND_INT: {
		uint32_t enc = dld32(db, rec + 12);

		t->size = size_or_type;
		t->is_signed = (enc >> 24) & BTF_INT_SIGNED;
		t->kind = (enc >> 24) & BTF_INT_BOOL ? VMT_TYPE_BOOL :
						       VMT_TYPE_INT;
		return NULL;
	}
	case BTF_KIND_FLOAT:
		t->kind = VMT_TYPE_FLOAT;
		t->size = size_or_type;
		return NULL;
	case BTF_KIND_PTR:
		t->kind = VMT_TYPE_POINTER;
		t->size = db->ptr_size;
		return get_ref(db, id, size_or_type, &t->target);
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		// A TYPE_TAG is only reached by id through no reference (they
		// are skipped); it reads as an anonymous typedef of its target.
		t->kind = kind == BTF_KIND_VOLATILE ? VMT_TYPE_VOLATILE :
			  kind == BTF_KIND_CONST    ? VMT_TYPE_CONST :
			  kind == BTF_KIND_RESTRICT ? VMT_TYPE_RESTRICT :
						      VMT_TYPE_TYPEDEF;
		err = type_size(db, id, 0, &t->size);
		if (!err)
			err = get_ref(db, id, size_or_type, &t->target);
		return err;
	case BTF_KIND_FUNC:
	case BTF_KIND_FUNC_PROTO:
		t->kind = VMT_TYPE_FUNCTION;
		return get_ref(db, id, size_or_type, &t->target);
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		t->kind = VMT_TYPE_VOID;
		return get_ref(db, id, size_or_type, &t->target);
	case BTF_KIND_ARRAY:
		t->kind = VMT_TYPE_ARRAY;
		t->nelems = dld32(db, rec + 20);
		err = type_size(db, id, 0, &t->size);
		if (!err)
			err = get_ref(db, id, dld32(db, rec + 12), &t->target);
		return err;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		t->kind = kind == BTF_KIND_STRUCT ? VMT_TYPE_STRUCT :
						    VMT_TYPE_UNION;
		t->size = size_or_type;
		return fill_members(db, id, t);
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		t->kind = VMT_TYPE_ENUM;
		t->size = size_or_type;
		t->is_signed = info >> 31;
		return fill_enumerators(db, id, t);
	case BTF_KIND_FWD:
		t->kind = VMT_TYPE_FWD;
		return NULL;
	case BTF_KIND_DATASEC:
		t->kind = VMT_TYPE_VOID;
		t->size = size_or_type;
		return NULL;
	default:
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"BTF: type %" PRIu32 ": unknown kind %u",
					id, kind);
	}
}

// Type @p id and everything reachable from it, converted. Iterative, with
// the records queued in db->pending: a kernel's type graph is thousands
// deep through pointers. A record is handed out only once the queue is
// empty, so an allocation failure midway leaves nothing half filled: the
// next call finishes the queue.
static struct vmt_error *convert(struct btf_db *db, uint32_t id,
				 const struct vmt_type **ret)
{
	struct vmt_type *t;
	struct vmt_error *err = get_type(db, id, &t);

	if (err)
		return err;
	while (db->pending.n) {
		size_t at = db->pending.n - 1;
		uint32_t next = db->pending.v[at];

		// Filling queues more on top; on failure @p next stays
		// queued and filling it again is harmless.
		err = fill_type(db, next, db->cache[next]);
		if (err)
			return err;
		db->pending.v[at] = db->pending.v[--db->pending.n];
	}
	*ret = t;
	return NULL;
}

static void btf_destroy(struct typedb *base)
{
	struct btf_db *db = (struct btf_db *)base;

	if (!db)
		return;
	while (db->chunks) {
		struct arena_chunk *next = db->chunks->next;

		bigmem_free(db->chunks);
		db->chunks = next;
	}
	free(db->copy);
	if (db->unmap)
		munmap(db->unmap, db->unmap_len);
	bigmem_free(db->offsets);
	bigmem_free(db->cache);
	free(db->pending.v);
	bigmem_free(db->index);
	bigmem_free(db->sizes);
	free(db);
}

static struct vmt_error *btf_find(struct typedb *base, enum vmt_type_kind kind,
				  const char *name, const struct vmt_type **ret)
{
	struct btf_db *db = (struct btf_db *)base;
	const struct btf_slot *s;

	if (!db->index) {
		struct vmt_error *err = index_names(db);

		if (err)
			return err;
	}
	s = index_slot(db, name, kind, name_hash(name, kind));
	if (s->id)
		return convert(db, s->id, ret);
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "BTF: no %s named %s",
				type_lookup_kind_name(kind), name);
}

// The DATASEC named @p section: the one found last, else a walk of every
// record (DATASECs come last in a kernel's BTF: walk from the end).
static struct vmt_error *find_datasec(struct btf_db *db, const char *section,
				      uint32_t *ret)
{
	const char *name;

	if (db->sec_id) {
		name = type_name_of(db, db->sec_id);
		if (name && !strcmp(name, section)) {
			*ret = db->sec_id;
			return NULL;
		}
	}
	for (uint32_t id = db->nr_types - 1; id > 0; id--) {
		if (rec_kind(db, id) != BTF_KIND_DATASEC)
			continue;
		name = type_name_of(db, id);
		if (name && !strcmp(name, section)) {
			db->sec_id = id;
			*ret = id;
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"BTF: no data section %s", section);
}

// A DATASEC record is followed by vlen entries {type, offset, size}, each
// type a VAR whose name is the variable's (Documentation/bpf/btf.rst,
// BTF_KIND_DATASEC).
static struct vmt_error *btf_section_var(struct typedb *base,
					 const char *section, const char *name,
					 uint64_t *offset_ret, uint64_t *size_ret)
{
	struct btf_db *db = (struct btf_db *)base;
	const uint8_t *rec;
	struct vmt_error *err;
	uint32_t sec = 0, vlen;

	err = find_datasec(db, section, &sec);
	if (err)
		return err;
	rec = record(db, sec);
	vlen = dld32(db, rec + 4) & 0xffff;
	for (uint32_t i = 0; i < vlen; i++) {
		const uint8_t *e = rec + 12 + 12 * i;
		uint32_t var = dld32(db, e);
		const char *vname;

		// Entries are not checked at load (nothing converts them).
		if (var == 0 || var >= db->nr_types ||
		    rec_kind(db, var) != BTF_KIND_VAR)
			continue;
		vname = type_name_of(db, var);
		if (vname && !strcmp(vname, name)) {
			*offset_ret = dld32(db, e + 4);
			*size_ret = dld32(db, e + 8);
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"BTF: no variable %s in data section %s", name,
				section);
}

// A variable's type: its VAR record, found through the DATASECs that list
// it (a vmlinux's BTF has VARs only for per-CPU variables, in
// .data..percpu; a module's for its globals).
static struct vmt_error *btf_var_type(struct typedb *base, const char *name,
				      const struct vmt_type **ret,
				      const char **section_ret)
{
	struct btf_db *db = (struct btf_db *)base;
	const struct vmt_type *var;
	struct vmt_error *err;

	for (uint32_t id = db->nr_types - 1; id > 0; id--) {
		const uint8_t *rec;
		uint32_t vlen;

		if (rec_kind(db, id) != BTF_KIND_DATASEC)
			continue;
		rec = record(db, id);
		vlen = dld32(db, rec + 4) & 0xffff;
		for (uint32_t i = 0; i < vlen; i++) {
			uint32_t vid = dld32(db, rec + 12 + 12 * i);
			const char *vname;

			if (vid == 0 || vid >= db->nr_types ||
			    rec_kind(db, vid) != BTF_KIND_VAR)
				continue;
			vname = type_name_of(db, vid);
			if (!vname || strcmp(vname, name))
				continue;
			err = convert(db, vid, &var);
			if (err)
				return err;
			*ret = var->target;
			if (section_ret) {
				const char *sec = type_name_of(db, id);

				*section_ret = sec ? sec : "";
			}
			return NULL;
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"BTF: no variable %s (the kernel's BTF describes only per-CPU variables)",
				name);
}

static const struct typedb_ops btf_ops = {
	.find = btf_find,
	.destroy = btf_destroy,
	.section_var = btf_section_var,
	.var_type = btf_var_type,
};

// Parse @p data; with @p alloc (the malloc'd buffer @p data lies in) the
// db keeps that buffer instead of a copy, on success and on failure alike.
// @p lasting: @p data outlives the db (a mapped dump): used in place.
static struct vmt_error *create_in(void *alloc, void *data, size_t size,
				   bool lasting, struct typedb **ret)
{
	uint8_t *bytes = data;
	bool owned = alloc != NULL;
	struct btf_db *db;
	struct btf_hdr h;
	uint32_t max_types;
	struct vmt_error *err;

	err = parse_header(bytes, size, &h);
	if (err) {
		free(alloc);
		return err;
	}
	db = calloc(1, sizeof(*db));
	if (!db) {
		free(alloc);
		return &vmt_enomem;
	}
	db->base.ops = &btf_ops;
	db->base.source = "btf";
	db->be = h.be;
	db->str_len = h.str_len;
	db->ptr_size = 8;
	db->void_type.kind = VMT_TYPE_VOID;
	db->void_type.name = "void";
	// At most one record per 12 bytes; pages of the tail never written
	// are never touched.
	max_types = h.type_len / 12 < BTF_MAX_TYPES ? h.type_len / 12 :
						      BTF_MAX_TYPES;
	db->offsets = bigmem_alloc(((size_t)max_types + 1) * sizeof(*db->offsets));
	if (!db->offsets) {
		free(alloc);
		btf_destroy(&db->base);
		return &vmt_enomem;
	}
	if ((owned || lasting) &&
	    bytes[h.hdr_len + h.str_off + h.str_len - 1] == '\0') {
		// The strings end with a NUL (as a kernel's always do): use the
		// buffer as it is.
		db->copy = alloc;
		db->strings = (const char *)bytes + h.hdr_len + h.str_off;
		db->types = bytes + h.hdr_len + h.type_off;
	} else {
		// The db outlives @p data: keep the strings (NUL-terminated,
		// as the last one need not be) and the type section.
		db->copy = malloc((size_t)h.str_len + 1 + h.type_len);
		if (!db->copy) {
			free(alloc);
			btf_destroy(&db->base);
			return &vmt_enomem;
		}
		memcpy(db->copy, bytes + h.hdr_len + h.str_off, h.str_len);
		db->copy[h.str_len] = '\0';
		memcpy(db->copy + h.str_len + 1, bytes + h.hdr_len + h.type_off,
		       h.type_len);
		db->strings = (const char *)db->copy;
		db->types = db->copy + h.str_len + 1;
		free(alloc);
	}

	err = load_types(db, h.type_len);
	if (!err) {
		db->cache = bigmem_calloc((size_t)db->nr_types * sizeof(*db->cache));
		if (!db->cache)
			err = &vmt_enomem;
	}
	if (err) {
		btf_destroy(&db->base);
		return err;
	}
	*ret = &db->base;
	return NULL;
}

struct vmt_error *btf_typedb_create(const void *data, size_t size,
				    struct typedb **ret)
{
	return create_in(NULL, (void *)data, size, false, ret);
}

struct vmt_error *btf_typedb_create_mapped(void *map, size_t map_len,
					   const void *data, size_t size,
					   struct typedb **ret)
{
	struct vmt_error *err = create_in(NULL, (void *)data, size, true, ret);

	if (err) {
		munmap(map, map_len);
		return err;
	}
	((struct btf_db *)*ret)->unmap = map;
	((struct btf_db *)*ret)->unmap_len = map_len;
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

// Whether @p buf holds BTF whose header and type records all parse.
static bool blob_ok(const uint8_t *buf, size_t size)
{
	struct btf_hdr h;
	struct vmt_error *err = parse_header(buf, size, &h);

	if (!err)
		err = walk_types(&h, buf);
	vmt_error_destroy(err);
	return !err;
}

// What a candidate must pass: with @p db NULL, parse with every record
// complete (btf_find_in_memory); else load as a db, which checks that and
// more in the same walk (btf_load_from_memory): the blob is walked once.
struct accept {
	struct typedb **db;
	map_kvirt_fn *map; // loading only: blobs in place where they can be
};

// Whether @p buf (malloc'd) passes @p acc. Loading takes @p buf either way
// (*@p buf_ret becomes NULL); checking leaves it to the caller.
static bool accept_blob(const struct accept *acc, uint8_t **buf_ret,
			size_t size)
{
	struct vmt_error *err;

	if (!acc->db)
		return blob_ok(*buf_ret, size);
	err = create_in(*buf_ret, *buf_ret, size, false, acc->db);
	*buf_ret = NULL;
	vmt_error_destroy(err);
	return !err;
}

// A candidate found by the scan: read it whole and check it.
static bool candidate_ok(read_kvirt_fn *read, void *arg, uint64_t vaddr,
			 uint64_t size, const struct accept *acc, void **ret)
{
	struct vmt_error *err;
	uint8_t *buf;

	err = read_blob(read, arg, vaddr, size, (void **)&buf);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	if (!accept_blob(acc, &buf, size)) {
		free(buf);
		return false;
	}
	*ret = buf;
	return true;
}

#define SCAN_CHUNK (1u << 20)
#define SCAN_PAGE 4096u

// Fill @p buf from [@p vaddr, +len), zeroing pages that cannot be read
// (zeros never match the magic). False if some could not.
static bool read_tolerant(read_kvirt_fn *read, void *arg, uint64_t vaddr,
			  uint8_t *buf, size_t len)
{
	struct vmt_error *err = read(arg, vaddr, buf, len);

	if (!err)
		return true;
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
	return false;
}

// Scanning back from __init_begin. On arm64 the linker script
// (arch/arm64/kernel/vmlinux.lds.S) ends RO_DATA with .notes, .BTF and
// .BTF_ids (include/asm-generic/vmlinux.lds.h), aligned to a page; then
// come .hyp.rodata, .got, .rodata.text (trampoline, hibernate, kexec and
// idmap text), the idmap/tramp/reserved/swapper page tables and
// ALIGN(SEGMENT_ALIGN) before __init_begin: a few pages, ~100 KiB on Debian
// 6.1. Reading back from __init_begin reads the gap and the blob itself
// (kept, so not read twice); the forward scan from _etext reads all the
// rodata before the blob (4.7 MiB on Debian 6.1) and then the blob again.
#define TAIL_GAP (2u << 20)   // most bytes between BTF's end and __init_begin
#define BACK_MAX (32u << 20)  // most bytes read back before giving up

struct back_scan {
	uint64_t end, floor;	// read [floor, end), chunk by chunk down
	uint8_t *buf;		// [floor, end) in one allocation: only the
				// pages read are ever touched; or in place
	bool lasting;		// buf is the mapped dump's: nothing to read
				// or free, and loads use it in place
	bool *holes;		// [i]: some pages of chunk i were unreadable
	size_t nr;		// chunks read, from the top
};

static uint64_t chunk_low(const struct back_scan *bs, size_t i)
{
	uint64_t low = bs->end - (i + 1) * (uint64_t)SCAN_CHUNK;

	return low < bs->floor || low > bs->end ? bs->floor : low;
}

// Whether every chunk holding [@p vaddr, +len) was read whole.
static bool back_whole(const struct back_scan *bs, uint64_t vaddr, size_t len)
{
	for (size_t i = (size_t)((bs->end - vaddr - len) / SCAN_CHUNK);
	     i <= (bs->end - 1 - vaddr) / SCAN_CHUNK && i < bs->nr; i++)
		if (bs->holes[i])
			return false;
	return true;
}

// Check the candidate header at @p vaddr: its blob must end in the gap
// below bs->end and pass @p acc. Loading gives the db the whole buffer
// (no copy of the blob); checking hands a copy to the caller.
static bool back_candidate(read_kvirt_fn *read, void *arg,
			   struct back_scan *bs, uint64_t vaddr,
			   const struct accept *acc, void **data_ret,
			   uint64_t *size_ret)
{
	const uint8_t *hdr = bs->buf + (vaddr - bs->floor);
	uint64_t total, blob_end;
	struct vmt_error *err;
	uint8_t *copy;

	if (bs->end - vaddr < BTF_HDR_LEN ||
	    !plausible_header(hdr, (size_t)(bs->end - vaddr), &total))
		return false;
	blob_end = vaddr + total;
	if (blob_end > bs->end || bs->end - blob_end > TAIL_GAP)
		return false;
	if (!back_whole(bs, vaddr, (size_t)total)) {
		// Zeros stand in for a page that could not be read: read it
		// strictly like the forward scan does.
		if (!candidate_ok(read, arg, vaddr, total, acc, data_ret))
			return false;
		*size_ret = total;
		return true;
	}
	if (acc->db) {
		err = create_in(bs->lasting ? NULL : bs->buf,
				bs->buf + (vaddr - bs->floor), (size_t)total,
				bs->lasting, acc->db);
		// The buffer is the db's now, or freed (unless it is the
		// dump's own: then the scan can go on).
		if (!bs->lasting)
			bs->buf = NULL;
		vmt_error_destroy(err);
		if (err)
			return false;
		*data_ret = NULL;
		*size_ret = total;
		return true;
	}
	if (!blob_ok(hdr, (size_t)total))
		return false;
	copy = malloc(total);
	if (!copy)
		return false;
	memcpy(copy, hdr, total);
	*data_ret = copy;
	*size_ret = total;
	return true;
}

// Find BTF ending just below @p end, reading down to @p floor at most.
static bool scan_back(read_kvirt_fn *read, void *arg, uint64_t floor,
		      uint64_t end, const struct accept *acc, void **data_ret,
		      uint64_t *vaddr_ret, uint64_t *size_ret)
{
	struct back_scan bs = { .end = end, .floor = floor };
	size_t max = (size_t)((end - floor + SCAN_CHUNK - 1) / SCAN_CHUNK);
	bool found = false;

	if (acc->db && acc->map) {
		bs.buf = (uint8_t *)acc->map(arg, floor, (size_t)(end - floor));
		bs.lasting = bs.buf != NULL;
	}
	if (!bs.buf)
		bs.buf = malloc((size_t)(end - floor));
	bs.holes = calloc(max, sizeof(*bs.holes));
	if (!bs.buf || !bs.holes) {
		if (!bs.lasting)
			free(bs.buf);
		free(bs.holes);
		return false;
	}
	while (!found && bs.buf && bs.nr < max) {
		size_t i = bs.nr;
		uint64_t low = chunk_low(&bs, i);
		uint64_t high = end - i * (uint64_t)SCAN_CHUNK;
		uint8_t *c = bs.buf + (low - floor);
		size_t len = (size_t)(high - low);

		if (!bs.lasting)
			bs.holes[i] = !read_tolerant(read, arg, low, c, len);
		bs.nr++;
		for (size_t at = 0; at < len; at++) {
			const uint8_t *m = memchr(c + at, 0x9f, len - at);

			if (!m)
				break;
			at = (size_t)(m - c);
			if (back_candidate(read, arg, &bs, low + at, acc,
					   data_ret, size_ret)) {
				*vaddr_ret = low + at;
				found = true;
				break;
			}
			// A failed load took the buffer: nothing more to scan.
			if (!bs.buf)
				break;
		}
	}
	if (!bs.lasting)
		free(bs.buf);
	free(bs.holes);
	return found;
}

static bool scan_forward(read_kvirt_fn *read, void *arg, uint64_t scan_start,
			 uint64_t scan_end, const struct accept *acc,
			 void **data_ret, uint64_t *vaddr_ret,
			 uint64_t *size_ret, struct vmt_error **err_ret)
{
	uint8_t *chunk;
	void *data;

	// Chunks overlap by a header's length so that a header across a
	// chunk boundary is seen whole.
	chunk = malloc(SCAN_CHUNK + BTF_HDR_LEN);
	if (!chunk) {
		*err_ret = &vmt_enomem;
		return false;
	}
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
			if (candidate_ok(read, arg, base + i, total, acc,
					 &data)) {
				free(chunk);
				*data_ret = data;
				*vaddr_ret = base + i;
				*size_ret = total;
				return true;
			}
		}
	}
	free(chunk);
	return false;
}

// btf_find_in_memory() and btf_load_from_memory(): the search, each
// candidate put to @p acc.
static struct vmt_error *search(read_kvirt_fn *read, void *arg,
				const struct symtab *syms, uint64_t scan_start,
				uint64_t scan_end, const struct accept *acc,
				void **data_ret, size_t *size_ret,
				char *how_ret, size_t how_size)
{
	const struct symtab_entry *start = NULL, *stop = NULL, *init = NULL;
	struct vmt_error *err = NULL;
	uint64_t vaddr, size;
	void *data;

	if (syms) {
		start = symtab_lookup_name(syms, "__start_BTF");
		stop = symtab_lookup_name(syms, "__stop_BTF");
		init = symtab_lookup_name(syms, "__init_begin");
	}
	if (start && stop) {
		size = stop->address - start->address;
		if (stop->address <= start->address || size > BTF_MAX_SIZE)
			return vmt_error_format(
				VMT_ERROR_BAD_DATA,
				"__start_BTF %#" PRIx64 " and __stop_BTF %#" PRIx64
				" do not bound a BTF section",
				start->address, stop->address);
		const void *mapped = acc->db && acc->map ?
					     acc->map(arg, start->address,
						      (size_t)size) :
					     NULL;

		if (mapped) {
			// In place in the mapped dump: no read, no copy.
			err = create_in(NULL, (void *)mapped, (size_t)size,
					true, acc->db);
			data = NULL;
			if (err)
				return err;
		} else {
			err = read_blob(read, arg, start->address, size, &data);
			if (err)
				return err;
			if (acc->db) {
				err = create_in(data, data, size, false,
						acc->db);
				data = NULL;
				if (err)
					return err;
			}
		}
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
	// Where the heuristic does not hold, the forward scan still finds it.
	if (init && init->address > scan_start && init->address <= scan_end) {
		uint64_t floor = init->address - scan_start > BACK_MAX ?
					 init->address - BACK_MAX :
					 scan_start;

		if (scan_back(read, arg, floor, init->address, acc, &data,
			      &vaddr, &size)) {
			*data_ret = data;
			*size_ret = size;
			snprintf(how_ret, how_size,
				 "scan at %#" PRIx64 " (%" PRIu64
				 " bytes), back from %s __init_begin %#" PRIx64,
				 vaddr, size, syms->source, init->address);
			return NULL;
		}
	}
	if (scan_forward(read, arg, scan_start, scan_end, acc, &data, &vaddr,
			 &size, &err)) {
		*data_ret = data;
		*size_ret = size;
		snprintf(how_ret, how_size,
			 "scan at %#" PRIx64 " (%" PRIu64
			 " bytes), forward from %#" PRIx64,
			 vaddr, size, scan_start);
		return NULL;
	}
	if (err)
		return err;
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"no BTF header (magic 0xeB9F, version 1) in %#" PRIx64
				"..%#" PRIx64,
				scan_start, scan_end);
}

struct vmt_error *btf_find_in_memory(read_kvirt_fn *read, void *arg,
				     const struct symtab *syms,
				     uint64_t scan_start, uint64_t scan_end,
				     void **data_ret, size_t *size_ret,
				     char *how_ret, size_t how_size)
{
	const struct accept acc = { .db = NULL };

	return search(read, arg, syms, scan_start, scan_end, &acc, data_ret,
		      size_ret, how_ret, how_size);
}

struct vmt_error *btf_load_from_memory(read_kvirt_fn *read,
				       map_kvirt_fn *map, void *arg,
				       const struct symtab *syms,
				       uint64_t scan_start, uint64_t scan_end,
				       struct typedb **ret, char *how_ret,
				       size_t how_size)
{
	const struct accept acc = { .db = ret, .map = map };
	void *data = NULL;
	size_t size;

	return search(read, arg, syms, scan_start, scan_end, &acc, &data,
		      &size, how_ret, how_size);
}
