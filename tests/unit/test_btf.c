// BTF parsing: a blob written here record by record following
// include/uapi/linux/btf.h, and finding BTF in a memory image.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "base/error.h"
#include "debuginfo/debuginfo.h"

enum {
	K_INT = 1, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD,
	K_TYPEDEF, K_VOLATILE, K_CONST, K_RESTRICT, K_FUNC, K_FUNC_PROTO,
	K_VAR, K_DATASEC, K_FLOAT, K_DECL_TAG, K_TYPE_TAG, K_ENUM64,
};

// A BTF blob under construction; the buffers grow as needed.
struct blob {
	uint8_t *types;
	size_t types_len, types_cap;
	char *strs;
	size_t strs_len, strs_cap;
	uint32_t nr;
};

static void *grow(void *buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return buf;
	while (*cap < need)
		*cap = *cap ? 2 * *cap : 4096;
	buf = realloc(buf, *cap);
	ck_assert(buf);
	return buf;
}

static void w32(struct blob *b, uint32_t v)
{
	b->types = grow(b->types, &b->types_cap, b->types_len + 4);
	memcpy(b->types + b->types_len, &v, 4); // host is little-endian
	b->types_len += 4;
}

static uint32_t str(struct blob *b, const char *s)
{
	uint32_t off;

	if (!s)
		return 0;
	off = (uint32_t)b->strs_len;
	b->strs = grow(b->strs, &b->strs_cap, b->strs_len + strlen(s) + 1);
	memcpy(b->strs + b->strs_len, s, strlen(s) + 1);
	b->strs_len += strlen(s) + 1;
	return off;
}

// A record header; returns the new type id.
static uint32_t rec(struct blob *b, const char *name, unsigned kind,
		    unsigned kflag, unsigned vlen, uint32_t size_or_type)
{
	w32(b, str(b, name));
	w32(b, (uint32_t)kflag << 31 | (uint32_t)kind << 24 | vlen);
	w32(b, size_or_type);
	return ++b->nr;
}

static uint32_t int_rec(struct blob *b, const char *name, uint32_t size,
		     unsigned enc, unsigned offset, unsigned bits)
{
	uint32_t id = rec(b, name, K_INT, 0, 0, size);

	w32(b, enc << 24 | offset << 16 | bits);
	return id;
}

static void member(struct blob *b, const char *name, uint32_t type,
		   uint32_t offset)
{
	w32(b, str(b, name));
	w32(b, type);
	w32(b, offset);
}

static void free_blob(struct blob *b)
{
	free(b->types);
	free(b->strs);
	memset(b, 0, sizeof(*b));
}

// Frees what @p b held before.
static void init_blob(struct blob *b)
{
	free_blob(b);
	b->strs = grow(NULL, &b->strs_cap, 1);
	b->strs[0] = '\0'; // offset 0 is ""
	b->strs_len = 1;
}

// Header + types + strings into a malloc'd buffer.
static uint8_t *finish(const struct blob *b, size_t *size)
{
	uint32_t hdr[6];
	uint8_t *out;

	*size = 24 + b->types_len + b->strs_len;
	out = malloc(*size);
	ck_assert(out);
	hdr[0] = 0xeb9f | 1u << 16; // magic, version 1, flags 0
	hdr[1] = 24;
	hdr[2] = 0;
	hdr[3] = (uint32_t)b->types_len;
	hdr[4] = (uint32_t)b->types_len;
	hdr[5] = (uint32_t)b->strs_len;
	memcpy(out, hdr, 24);
	memcpy(out + 24, b->types, b->types_len);
	memcpy(out + 24 + b->types_len, b->strs, b->strs_len);
	return out;
}

// Expected layout (C offsets written out by hand):
// struct node {                 // size 24
//	struct node *next;        // bit 0
//	int value;                // bit 64
//	unsigned int flags : 3;   // bit 96
//	unsigned int mode : 5;    // bit 99
//	char name[4];             // bit 104
//	union { int u_int; char u_bytes[4]; }; // bit 160
// };
static void build_types(struct blob *b)
{
	uint32_t t_int, t_uint, t_char, t_ptr, t_node, t_arr, t_union;

	init_blob(b);
	t_int = int_rec(b, "int", 4, 1, 0, 32);			// 1
	t_uint = int_rec(b, "unsigned int", 4, 0, 0, 32);		// 2
	t_char = int_rec(b, "char", 1, 1 | 2, 0, 8);		// 3
	int_rec(b, "_Bool", 1, 4, 0, 8);				// 4
	t_ptr = rec(b, NULL, K_PTR, 0, 0, 6);			// 5
	t_node = rec(b, "node", K_STRUCT, 1, 6, 24);		// 6
	member(b, "next", t_ptr, 0);
	member(b, "value", t_int, 64);
	member(b, "flags", t_uint, 3u << 24 | 96);
	member(b, "mode", t_uint, 5u << 24 | 99);
	member(b, "name", 7, 104);
	member(b, NULL, 8, 160);
	t_arr = rec(b, NULL, K_ARRAY, 0, 0, 0);			// 7
	w32(b, t_char);
	w32(b, t_int);
	w32(b, 4);
	t_union = rec(b, NULL, K_UNION, 0, 2, 4);		// 8
	member(b, "u_int", t_int, 0);
	member(b, "u_bytes", t_arr, 0);
	ck_assert_uint_eq(t_union, 8);
	ck_assert_uint_eq(t_node, 6);
	rec(b, "color", K_ENUM, 1, 3, 4);			// 9
	w32(b, str(b, "RED"));
	w32(b, 0);
	w32(b, str(b, "GREEN"));
	w32(b, 1);
	w32(b, str(b, "NEG"));
	w32(b, (uint32_t)-1);
	rec(b, "node_t", K_TYPEDEF, 0, 0, t_node);		// 10
	rec(b, "node_tt", K_TYPEDEF, 0, 0, 12);			// 11
	rec(b, NULL, K_CONST, 0, 0, 10);			// 12
	rec(b, "opaque", K_FWD, 0, 0, 0);			// 13
	rec(b, "opaque", K_STRUCT, 0, 1, 8);			// 14
	member(b, "x", t_int, 32);
	rec(b, "big", K_ENUM64, 0, 1, 8);			// 15
	w32(b, str(b, "HUGE"));
	w32(b, 0x23456789);
	w32(b, 0x1);
	rec(b, NULL, K_FUNC_PROTO, 0, 1, t_int);		// 16
	w32(b, 0);
	w32(b, t_int);
	rec(b, "do_it", K_FUNC, 0, 1, 16);			// 17
	rec(b, "global_node", K_VAR, 0, 0, t_node);		// 18
	w32(b, 1);
	rec(b, ".data", K_DATASEC, 0, 1, 24);			// 19
	w32(b, 18);
	w32(b, 0);
	w32(b, 24);
	rec(b, "double", K_FLOAT, 0, 0, 8);			// 20
	rec(b, "user", K_TYPE_TAG, 0, 0, t_node);		// 21
	rec(b, NULL, K_PTR, 0, 0, 21);				// 22
	rec(b, "tag", K_DECL_TAG, 0, 0, t_node);		// 23
	w32(b, (uint32_t)-1);
	// Old-style bitfields (kind_flag 0): the INT carries the width.
	rec(b, "old_bits", K_STRUCT, 0, 2, 4);			// 24
	member(b, "lo", 25, 0);
	member(b, "hi", 26, 4);
	int_rec(b, "unsigned int", 4, 0, 0, 4);			// 25
	int_rec(b, "unsigned int", 4, 0, 0, 12);			// 26
	rec(b, NULL, K_VOLATILE, 0, 0, t_int);			// 27
	rec(b, NULL, K_RESTRICT, 0, 0, 22);			// 28
	rec(b, "quals", K_STRUCT, 0, 3, 24);			// 29
	member(b, "v", 27, 0);
	member(b, "r", 28, 64);
	member(b, "d", 20, 128);
	rec(b, "arr_t", K_TYPEDEF, 0, 0, 31);			// 30
	rec(b, NULL, K_ARRAY, 0, 0, 0);				// 31
	w32(b, 11);
	w32(b, t_int);
	w32(b, 3);
}

static struct typedb *parse_test_btf(void)
{
	struct blob b = { 0 };
	struct typedb *db;
	uint8_t *data;
	size_t size;

	build_types(&b);
	data = finish(&b, &size);
	free_blob(&b);
	vmt_ck_no_err(btf_typedb_create(data, size, &db));
	// The db copies what it needs.
	memset(data, 0xa5, size);
	free(data);
	return db;
}

static uint64_t off_of(const struct vmt_type *t, const char *path)
{
	uint64_t bits;

	vmt_ck_no_err(type_member(t, path, &bits, NULL));
	return bits;
}

START_TEST(struct_layout_and_bitfields)
{
	struct typedb *db = parse_test_btf();
	const struct vmt_type *node, *t;
	const struct vmt_type_member *m;
	uint64_t bits;

	vmt_ck_no_err(typedb_find(db, "struct node", &node));
	ck_assert_int_eq(node->kind, VMT_TYPE_STRUCT);
	ck_assert_str_eq(node->name, "node");
	ck_assert_uint_eq(node->size, 24);
	ck_assert_uint_eq(node->nr_members, 6);
	ck_assert_uint_eq(off_of(node, "next"), 0);
	ck_assert_uint_eq(off_of(node, "value"), 64);
	vmt_ck_no_err(type_member(node, "flags", &bits, &m));
	ck_assert_uint_eq(bits, 96);
	ck_assert_uint_eq(m->bit_size, 3);
	vmt_ck_no_err(type_member(node, "mode", &bits, &m));
	ck_assert_uint_eq(bits, 99);
	ck_assert_uint_eq(m->bit_size, 5);
	vmt_ck_no_err(type_member(node, "name", &bits, &m));
	ck_assert_uint_eq(bits, 104);
	ck_assert_int_eq(m->type->kind, VMT_TYPE_ARRAY);
	ck_assert_uint_eq(m->type->nelems, 4);
	ck_assert_uint_eq(m->type->size, 4);
	// Through the anonymous union.
	ck_assert_uint_eq(off_of(node, "u_int"), 160);
	ck_assert_uint_eq(off_of(node, "u_bytes"), 160);
	// A self-referencing pointer.
	vmt_ck_no_err(type_member(node, "next", &bits, &m));
	ck_assert_int_eq(m->type->kind, VMT_TYPE_POINTER);
	ck_assert_uint_eq(m->type->size, 8);
	ck_assert_ptr_eq(m->type->target, node);
	// Offsets do not continue through a pointer.
	vmt_ck_err(type_member(node, "next.value", &bits, &m),
		   VMT_ERROR_INVALID_ARGUMENT);
	vmt_ck_err(type_member(node, "nope", &bits, &m), VMT_ERROR_NOT_FOUND);
	vmt_ck_err(type_member(node, "value.x", &bits, &m),
		   VMT_ERROR_INVALID_ARGUMENT);

	vmt_ck_no_err(typedb_find(db, "old_bits", &t));
	vmt_ck_no_err(type_member(t, "lo", &bits, &m));
	ck_assert_uint_eq(bits, 0);
	ck_assert_uint_eq(m->bit_size, 4);
	vmt_ck_no_err(type_member(t, "hi", &bits, &m));
	ck_assert_uint_eq(bits, 4);
	ck_assert_uint_eq(m->bit_size, 12);
	typedb_destroy(db);
}
END_TEST

START_TEST(enums_and_typedef_chains)
{
	struct typedb *db = parse_test_btf();
	const struct vmt_type *t, *node;

	vmt_ck_no_err(typedb_find(db, "enum color", &t));
	ck_assert_int_eq(t->kind, VMT_TYPE_ENUM);
	ck_assert_uint_eq(t->size, 4);
	ck_assert(t->is_signed);
	ck_assert_uint_eq(t->nr_enumerators, 3);
	ck_assert_str_eq(t->enumerators[1].name, "GREEN");
	ck_assert_int_eq(t->enumerators[1].value, 1);
	ck_assert_int_eq(t->enumerators[2].value, -1);
	vmt_ck_no_err(typedb_find(db, "big", &t));
	ck_assert_int_eq(t->kind, VMT_TYPE_ENUM);
	ck_assert_uint_eq(t->size, 8);
	ck_assert_int_eq(t->enumerators[0].value, 0x123456789ll);

	vmt_ck_no_err(typedb_find(db, "struct node", &node));
	vmt_ck_no_err(typedb_find(db, "node_tt", &t));
	ck_assert_int_eq(t->kind, VMT_TYPE_TYPEDEF);
	ck_assert_uint_eq(t->size, 24);
	ck_assert_int_eq(t->target->kind, VMT_TYPE_CONST);
	ck_assert_str_eq(t->target->target->name, "node_t");
	ck_assert_ptr_eq(type_strip(t), node);
	// Typedef of an array of a typedef: sizes resolve in any order.
	vmt_ck_no_err(typedb_find(db, "arr_t", &t));
	ck_assert_uint_eq(t->size, 72);
	typedb_destroy(db);
}
END_TEST

START_TEST(every_kind_maps)
{
	struct typedb *db = parse_test_btf();
	const struct vmt_type *t;
	const struct vmt_type_member *m;
	uint64_t bits;
	char name[128];

	// A complete struct wins over the FWD before it.
	vmt_ck_no_err(typedb_find(db, "struct opaque", &t));
	ck_assert_int_eq(t->kind, VMT_TYPE_STRUCT);
	ck_assert_uint_eq(t->size, 8);
	vmt_ck_err(typedb_find(db, "union opaque", &t), VMT_ERROR_NOT_FOUND);
	vmt_ck_err(typedb_find(db, "no_such_type", &t), VMT_ERROR_NOT_FOUND);

	vmt_ck_no_err(typedb_find(db, "quals", &t));
	vmt_ck_no_err(type_member(t, "v", &bits, &m));
	ck_assert_int_eq(m->type->kind, VMT_TYPE_VOLATILE);
	ck_assert_uint_eq(m->type->size, 4);
	type_name(m->type, name, sizeof(name));
	ck_assert_str_eq(name, "volatile int");
	vmt_ck_no_err(type_member(t, "r", &bits, &m));
	ck_assert_int_eq(m->type->kind, VMT_TYPE_RESTRICT);
	// The type tag between pointer and struct is looked through.
	ck_assert_int_eq(m->type->target->kind, VMT_TYPE_POINTER);
	ck_assert_str_eq(m->type->target->target->name, "node");
	ck_assert_int_eq(m->type->target->target->kind, VMT_TYPE_STRUCT);
	type_name(m->type, name, sizeof(name));
	ck_assert_str_eq(name, "struct node *restrict");
	vmt_ck_no_err(type_member(t, "d", &bits, &m));
	ck_assert_int_eq(m->type->kind, VMT_TYPE_FLOAT);
	ck_assert_uint_eq(m->type->size, 8);

	vmt_ck_no_err(typedb_find(db, "struct node", &t));
	vmt_ck_no_err(type_member(t, "name", &bits, &m));
	type_name(m->type, name, sizeof(name));
	ck_assert_str_eq(name, "char [4]");
	vmt_ck_no_err(type_member(t, "next", &bits, &m));
	type_name(m->type, name, sizeof(name));
	ck_assert_str_eq(name, "struct node *");
	typedb_destroy(db);
}
END_TEST

static void expect_bad(struct blob *b, enum vmt_error_code code,
		       const char *needle)
{
	struct typedb *db;
	size_t size;
	uint8_t *data = finish(b, &size);
	struct vmt_error *err = btf_typedb_create(data, size, &db);

	ck_assert_msg(err, "expected error with %s", needle);
	ck_assert_msg(err->code == code && strstr(err->message, needle),
		      "code %d: %s (want %s)", err->code, err->message, needle);
	vmt_error_destroy(err);
	free(data);
}

START_TEST(rejects_corrupt_btf)
{
	struct blob b = { 0 };
	struct typedb *db;
	uint8_t *data;
	size_t size;

	// Header problems.
	build_types(&b);
	data = finish(&b, &size);
	data[0] = 0x00;
	vmt_ck_err(btf_typedb_create(data, size, &db), VMT_ERROR_BAD_DATA);
	data[0] = 0x9f;
	data[2] = 2;
	vmt_ck_err(btf_typedb_create(data, size, &db), VMT_ERROR_UNSUPPORTED);
	data[2] = 1;
	vmt_ck_err(btf_typedb_create(data, size - 1, &db), VMT_ERROR_BAD_DATA);
	vmt_ck_err(btf_typedb_create(data, 10, &db), VMT_ERROR_BAD_DATA);
	data[24 + b.types_len] = 'x'; // strings must start with NUL
	vmt_ck_err(btf_typedb_create(data, size, &db), VMT_ERROR_BAD_DATA);
	free(data);

	// A record cut short by the end of the type section.
	init_blob(&b);
	rec(&b, "s", K_STRUCT, 0, 5, 8);
	member(&b, "a", 0, 0);
	expect_bad(&b, VMT_ERROR_BAD_DATA, "run past");

	// A reference to a type that does not exist.
	init_blob(&b);
	rec(&b, NULL, K_PTR, 0, 0, 7);
	expect_bad(&b, VMT_ERROR_BAD_DATA, "refers to type 7");

	// A name outside the string section.
	init_blob(&b);
	w32(&b, 5000);
	w32(&b, (uint32_t)K_FWD << 24);
	w32(&b, 0);
	b.nr++;
	expect_bad(&b, VMT_ERROR_BAD_DATA, "name offset");

	// An unknown kind.
	init_blob(&b);
	rec(&b, "x", 25, 0, 0, 0);
	expect_bad(&b, VMT_ERROR_BAD_DATA, "unknown kind 25");

	// Cycles without a pointer: a typedef of itself, an array of
	// itself, a chain of type tags.
	init_blob(&b);
	rec(&b, "loop", K_TYPEDEF, 0, 0, 1);
	expect_bad(&b, VMT_ERROR_BAD_DATA, "contains itself");
	init_blob(&b);
	rec(&b, NULL, K_ARRAY, 0, 0, 0);
	w32(&b, 1);
	w32(&b, 1);
	w32(&b, 2);
	expect_bad(&b, VMT_ERROR_BAD_DATA, "contains itself");
	init_blob(&b);
	rec(&b, "t", K_TYPE_TAG, 0, 0, 1);
	expect_bad(&b, VMT_ERROR_BAD_DATA, "type tag chain");

	// Checked at load although nothing asks for these types: an array
	// whose size does not fit 64 bits (2^31 * 2^31 * 4 bytes),
	init_blob(&b);
	int_rec(&b, "int", 4, 1, 0, 32);			// 1
	for (uint32_t i = 0; i < 2; i++) {			// 2, 3
		rec(&b, NULL, K_ARRAY, 0, 0, 0);
		w32(&b, 1 + i);
		w32(&b, 1);
		w32(&b, 1u << 31);
	}
	expect_bad(&b, VMT_ERROR_BAD_DATA, "array type 3 size overflows");
	// a member of type 9 among forward references that are fine,
	init_blob(&b);
	rec(&b, NULL, K_PTR, 0, 0, 2);				// 1
	rec(&b, "s", K_STRUCT, 0, 3, 16);			// 2
	member(&b, "a", 1, 0);
	member(&b, "b", 9, 64);
	member(&b, "c", 3, 96);
	int_rec(&b, "int", 4, 1, 0, 32);			// 3
	expect_bad(&b, VMT_ERROR_BAD_DATA, "type 2 refers to type 9 of 3");
	// a member name and an enumerator name past the strings.
	init_blob(&b);
	rec(&b, "s", K_STRUCT, 0, 1, 4);
	w32(&b, 4000);
	w32(&b, 0);
	w32(&b, 0);
	expect_bad(&b, VMT_ERROR_BAD_DATA, "name offset 0xfa0");
	init_blob(&b);
	rec(&b, "e", K_ENUM, 0, 2, 4);
	w32(&b, str(&b, "A"));
	w32(&b, 0);
	w32(&b, 4001);
	w32(&b, 1);
	expect_bad(&b, VMT_ERROR_BAD_DATA, "name offset 0xfa1");
	free_blob(&b);
}
END_TEST

// Types are converted when first found; the records found must be the
// same whatever the order of the lookups.
// Per-CPU variables are found through BTF's DATASEC ".data..percpu":
// their offset from the section start and size; entries that are not
// VARs (corrupt) are skipped, not followed.
START_TEST(section_variables_by_name)
{
	struct blob b = { 0 };
	struct typedb *db;
	uint8_t *data;
	size_t size;
	uint64_t off, sz;
	uint32_t t_int;

	init_blob(&b);
	t_int = int_rec(&b, "int", 4, 1, 0, 32);		// 1
	rec(&b, "runqueues", K_VAR, 0, 0, t_int);		// 2
	w32(&b, 1);
	rec(&b, "irq_stack_ptr", K_VAR, 0, 0, t_int);		// 3
	w32(&b, 1);
	rec(&b, "other", K_VAR, 0, 0, t_int);			// 4
	w32(&b, 1);
	rec(&b, ".data", K_DATASEC, 0, 1, 8);			// 5
	w32(&b, 4);
	w32(&b, 0);
	w32(&b, 4);
	rec(&b, ".data..percpu", K_DATASEC, 0, 4, 0x20000);	// 6
	w32(&b, 1); // an INT, not a VAR: skipped
	w32(&b, 0x10);
	w32(&b, 4);
	w32(&b, 999); // no such type: skipped
	w32(&b, 0x20);
	w32(&b, 4);
	w32(&b, 3);
	w32(&b, 0x50);
	w32(&b, 8);
	w32(&b, 2);
	w32(&b, 0x13f40);
	w32(&b, 0xc40);
	data = finish(&b, &size);
	free_blob(&b);
	vmt_ck_no_err(btf_typedb_create(data, size, &db));
	free(data);
	vmt_ck_no_err(typedb_section_var(db, ".data..percpu", "runqueues",
					 &off, &sz));
	ck_assert_uint_eq(off, 0x13f40);
	ck_assert_uint_eq(sz, 0xc40);
	vmt_ck_no_err(typedb_section_var(db, ".data..percpu",
					 "irq_stack_ptr", &off, &sz));
	ck_assert_uint_eq(off, 0x50);
	ck_assert_uint_eq(sz, 8);
	// the cached section, then another one
	vmt_ck_no_err(typedb_section_var(db, ".data", "other", &off, &sz));
	ck_assert_uint_eq(off, 0);
	vmt_ck_err(typedb_section_var(db, ".data..percpu", "other", &off,
				      &sz),
		   VMT_ERROR_NOT_FOUND);
	vmt_ck_err(typedb_section_var(db, ".bss", "runqueues", &off, &sz),
		   VMT_ERROR_NOT_FOUND);
	// A variable's type is its VAR's, and the section that lists it.
	{
		const struct vmt_type *vt;
		const char *sec;

		vmt_ck_no_err(typedb_var_type(db, "runqueues", &vt, &sec));
		ck_assert_int_eq(vt->kind, VMT_TYPE_INT);
		ck_assert_str_eq(vt->name, "int");
		ck_assert_str_eq(sec, ".data..percpu");
		vmt_ck_no_err(typedb_var_type(db, "other", &vt, &sec));
		ck_assert_str_eq(sec, ".data");
		vmt_ck_err(typedb_var_type(db, "jiffies", &vt, &sec),
			   VMT_ERROR_NOT_FOUND);
	}
	typedb_destroy(db);
}
END_TEST

START_TEST(lookups_in_any_order_share_records)
{
	struct typedb *db = parse_test_btf();
	const struct vmt_type *tt, *node, *again, *arr, *q;
	const struct vmt_type_member *m;
	uint64_t bits;

	// The typedef chain first: node is converted through it.
	vmt_ck_no_err(typedb_find(db, "node_tt", &tt));
	ck_assert_uint_eq(tt->size, 24);
	vmt_ck_no_err(typedb_find(db, "struct node", &node));
	ck_assert_ptr_eq(type_strip(tt), node);
	vmt_ck_no_err(typedb_find(db, "struct node", &again));
	ck_assert_ptr_eq(again, node);
	vmt_ck_no_err(type_member(node, "next", &bits, &m));
	ck_assert_ptr_eq(m->type->target, node);
	// A typedef of an array of the typedef above (3 * 24 bytes) and the
	// pointer behind a type tag reach the same records.
	vmt_ck_no_err(typedb_find(db, "arr_t", &arr));
	ck_assert_uint_eq(arr->size, 72);
	ck_assert_ptr_eq(arr->target->target, tt);
	vmt_ck_no_err(typedb_find(db, "quals", &q));
	vmt_ck_no_err(type_member(q, "r", &bits, &m));
	ck_assert_ptr_eq(m->type->target->target, node);
	typedb_destroy(db);

	// Nothing found before destroy: nothing to free but the index.
	db = parse_test_btf();
	typedb_destroy(db);
}
END_TEST

// Many names: per (name, kind) the complete definition wins over a
// declaration before or after it, kinds do not mix, and a 65535-member
// struct converts.
#define NR_MANY 30000

START_TEST(many_names_index)
{
	struct blob b = { 0 };
	struct typedb *db;
	const struct vmt_type *t;
	uint8_t *data;
	size_t size;
	char name[64];
	uint32_t t_int;

	init_blob(&b);
	t_int = int_rec(&b, "int", 4, 1, 0, 32);
	for (uint32_t i = 0; i < NR_MANY; i++) {
		snprintf(name, sizeof(name), "s%u", i);
		// i % 3: 0 = FWD then struct, 1 = struct then FWD, 2 = FWD.
		if (i % 3 != 1)
			rec(&b, name, K_FWD, 0, 0, 0);
		if (i % 3 != 2) {
			rec(&b, name, K_STRUCT, 0, 1, i + 1);
			member(&b, "x", t_int, 0);
		}
		if (i % 3 == 1)
			rec(&b, name, K_FWD, 0, 0, 0);
		// Every fifth name is also a union: a FWD (kind_flag 1),
		// then the union.
		if (i % 5 == 0) {
			rec(&b, name, K_FWD, 1, 0, 0);
			rec(&b, name, K_UNION, 0, 0, 1000000 + i);
		}
		// Every seventh an enum declared (no values), then defined.
		if (i % 7 == 0) {
			rec(&b, name, K_ENUM, 0, 0, 4);
			rec(&b, name, K_ENUM, 0, 1, 8);
			w32(&b, str(&b, "V"));
			w32(&b, i);
		}
	}
	rec(&b, "wide", K_STRUCT, 0, 0xffff, 0xffff * 4);
	for (uint32_t i = 0; i < 0xffff; i++) {
		snprintf(name, sizeof(name), "m%u", i);
		member(&b, name, t_int, 32 * i);
	}
	data = finish(&b, &size);
	free_blob(&b);
	vmt_ck_no_err(btf_typedb_create(data, size, &db));
	free(data);

	for (uint32_t i = 0; i < NR_MANY; i += 1 + i % 4) {
		snprintf(name, sizeof(name), "struct s%u", i);
		vmt_ck_no_err(typedb_find(db, name, &t));
		ck_assert_str_eq(t->name, name + 7);
		if (i % 3 == 2) {
			ck_assert_int_eq(t->kind, VMT_TYPE_FWD);
		} else {
			ck_assert_int_eq(t->kind, VMT_TYPE_STRUCT);
			ck_assert_uint_eq(t->size, i + 1);
		}
		snprintf(name, sizeof(name), "union s%u", i);
		if (i % 5 == 0) {
			vmt_ck_no_err(typedb_find(db, name, &t));
			ck_assert_int_eq(t->kind, VMT_TYPE_UNION);
			ck_assert_uint_eq(t->size, 1000000 + i);
		} else {
			vmt_ck_err(typedb_find(db, name, &t),
				   VMT_ERROR_NOT_FOUND);
		}
		snprintf(name, sizeof(name), "enum s%u", i);
		if (i % 7 == 0) {
			vmt_ck_no_err(typedb_find(db, name, &t));
			ck_assert_uint_eq(t->nr_enumerators, 1);
			ck_assert_int_eq(t->enumerators[0].value, i);
		} else {
			vmt_ck_err(typedb_find(db, name, &t),
				   VMT_ERROR_NOT_FOUND);
		}
	}
	vmt_ck_err(typedb_find(db, "struct s30000", &t), VMT_ERROR_NOT_FOUND);
	vmt_ck_err(typedb_find(db, "struct s", &t), VMT_ERROR_NOT_FOUND);

	vmt_ck_no_err(typedb_find(db, "struct wide", &t));
	ck_assert_uint_eq(t->nr_members, 0xffff);
	ck_assert_str_eq(t->members[0xfffe].name, "m65534");
	ck_assert_uint_eq(t->members[0xfffe].bit_offset, 32 * 0xfffe);
	ck_assert_uint_eq(t->members[0xfffe].type->size, 4);
	typedb_destroy(db);
}
END_TEST

// A kernel image for btf_find_in_memory: junk, a decoy header that fails
// validation, unreadable pages, then the real BTF.
#define IMG_BASE 0xffff800080000000ull
#define IMG_SIZE (6u << 20)
#define HOLE_START (IMG_BASE + 0x100000)
#define HOLE_END (IMG_BASE + 0x180000)

struct img {
	uint8_t *mem;
	uint64_t btf_at;
	size_t btf_size;
	uint64_t bytes_read; // asked for, readable or not
};

static struct vmt_error *read_img(void *arg, uint64_t vaddr, void *buf,
				  size_t len)
{
	struct img *im = arg;

	im->bytes_read += len;
	if (vaddr < IMG_BASE || vaddr - IMG_BASE > IMG_SIZE ||
	    len > IMG_SIZE - (vaddr - IMG_BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, vaddr,
				       "%#" PRIx64 " outside", vaddr);
	if (vaddr < HOLE_END && vaddr + len > HOLE_START)
		return vmt_error_fault(VMT_FAULT_EXCLUDED, vaddr,
				       "%#" PRIx64 " excluded", vaddr);
	memcpy(buf, im->mem + (vaddr - IMG_BASE), len);
	return NULL;
}

// BTF at IMG_BASE + @p btf_off.
static void make_img(struct img *im, uint64_t btf_off)
{
	struct blob b = { 0 };
	uint8_t *data;
	uint32_t decoy[6] = { 0xeb9f | 1u << 16, 24, 0, 400, 400, 1u << 30 };

	im->mem = malloc(IMG_SIZE);
	ck_assert(im->mem);
	for (size_t i = 0; i < IMG_SIZE; i++)
		im->mem[i] = (uint8_t)(i * 2654435761u >> 13);
	// Decoy: magic and version right, string section too large.
	memcpy(im->mem + 0x1000, decoy, sizeof(decoy));
	build_types(&b);
	data = finish(&b, &im->btf_size);
	free_blob(&b);
	im->btf_at = IMG_BASE + btf_off;
	memcpy(im->mem + btf_off, data, im->btf_size);
	free(data);
	im->bytes_read = 0;
}

START_TEST(finds_btf_by_scan)
{
	struct img im;
	void *data;
	size_t size;
	char how[128], want[64];
	struct typedb *db;
	const struct vmt_type *t;

	// After the hole, its header straddling the scan's 1 MiB chunks.
	make_img(&im, 0x1ffffc);
	vmt_ck_no_err(btf_find_in_memory(read_img, &im, NULL, IMG_BASE,
					 IMG_BASE + IMG_SIZE, &data, &size, how,
					 sizeof(how)));
	ck_assert_uint_eq(size, im.btf_size);
	snprintf(want, sizeof(want), "scan at %#" PRIx64, im.btf_at);
	ck_assert_msg(strstr(how, want), "%s", how);
	vmt_ck_no_err(btf_typedb_create(data, size, &db));
	vmt_ck_no_err(typedb_find(db, "struct node", &t));
	ck_assert_uint_eq(t->size, 24);
	typedb_destroy(db);
	free(data);

	// Not in the range scanned.
	vmt_ck_err(btf_find_in_memory(read_img, &im, NULL, IMG_BASE,
				      IMG_BASE + 0x1f0000, &data, &size, how,
				      sizeof(how)),
		   VMT_ERROR_NOT_FOUND);
	free(im.mem);
}
END_TEST

START_TEST(finds_btf_by_symbols)
{
	struct img im;
	struct symtab syms;
	void *data;
	size_t size;
	char how[160];

	make_img(&im, 0x1ffffc);
	symtab_init(&syms, "kallsyms");
	vmt_ck_no_err(symtab_add(&syms, "__start_BTF", im.btf_at, 0, 'R'));
	vmt_ck_no_err(symtab_add(&syms, "__stop_BTF", im.btf_at + im.btf_size,
				 0, 'R'));
	vmt_ck_no_err(symtab_finish(&syms));
	vmt_ck_no_err(btf_find_in_memory(read_img, &im, &syms, 0, 0, &data,
					 &size, how, sizeof(how)));
	ck_assert_uint_eq(size, im.btf_size);
	ck_assert_msg(strstr(how, "kallsyms symbols __start_BTF"), "%s", how);
	ck_assert(!memcmp(data, im.mem + (im.btf_at - IMG_BASE), size));
	free(data);
	symtab_deinit(&syms);

	// Symbols in the wrong order are an error, not a huge read.
	symtab_init(&syms, "kallsyms");
	vmt_ck_no_err(symtab_add(&syms, "__start_BTF", im.btf_at, 0, 'R'));
	vmt_ck_no_err(symtab_add(&syms, "__stop_BTF", im.btf_at - 1, 0, 'R'));
	vmt_ck_no_err(symtab_finish(&syms));
	vmt_ck_err(btf_find_in_memory(read_img, &im, &syms, 0, 0, &data,
				      &size, how, sizeof(how)),
		   VMT_ERROR_BAD_DATA);
	symtab_deinit(&syms);
	free(im.mem);
}
END_TEST

static void init_syms(struct symtab *syms, uint64_t init_begin)
{
	symtab_init(syms, "kallsyms");
	vmt_ck_no_err(symtab_add(syms, "_etext", IMG_BASE, 0, 'T'));
	vmt_ck_no_err(symtab_add(syms, "__init_begin", init_begin, 0, 'T'));
	vmt_ck_no_err(symtab_finish(syms));
}

// Without __start_BTF (kallsyms without data symbols), BTF is looked for
// just below __init_begin first (arm64 vmlinux.lds.S: RO_DATA, whose last
// sections are .BTF and .BTF_ids, then a few pages, then __init_begin).
START_TEST(finds_btf_back_from_init_begin)
{
	// Magic and lengths right, ending well inside the gap, but a record
	// of unknown kind (31).
	static const uint32_t decoy[11] = { 0xeb9f | 1u << 16, 24, 0, 12, 12,
					    8, 0, 0x1fu << 24, 0, 0, 0 };
	struct img im;
	struct symtab syms;
	void *data;
	size_t size;
	char how[200], want[200];
	uint64_t init_begin;

	// The header straddles the boundary of the first two 1 MiB chunks
	// read back from __init_begin.
	make_img(&im, 0x3ffffc);
	init_begin = im.btf_at + (1u << 20) + 10;
	memcpy(im.mem + (im.btf_at - IMG_BASE) + im.btf_size + 0x100, decoy,
	       sizeof(decoy));
	init_syms(&syms, init_begin);
	vmt_ck_no_err(btf_find_in_memory(read_img, &im, &syms, IMG_BASE,
					 IMG_BASE + IMG_SIZE, &data, &size, how,
					 sizeof(how)));
	ck_assert_uint_eq(size, im.btf_size);
	ck_assert(!memcmp(data, im.mem + (im.btf_at - IMG_BASE), size));
	snprintf(want, sizeof(want),
		 "scan at %#" PRIx64 " (%zu bytes), back from kallsyms "
		 "__init_begin %#" PRIx64,
		 im.btf_at, im.btf_size, init_begin);
	ck_assert_str_eq(how, want);
	// Two chunks, not the 4 MiB before the BTF and the BTF again.
	ck_assert_uint_eq(im.bytes_read, 2u << 20);
	free(data);
	symtab_deinit(&syms);

	// An unreadable page in a chunk read back: the candidate is read
	// again strictly, and found.
	free(im.mem);
	make_img(&im, HOLE_END - IMG_BASE);
	init_begin = im.btf_at + im.btf_size + 0x20000;
	init_syms(&syms, init_begin);
	vmt_ck_no_err(btf_find_in_memory(read_img, &im, &syms, IMG_BASE,
					 IMG_BASE + IMG_SIZE, &data, &size, how,
					 sizeof(how)));
	ck_assert_uint_eq(size, im.btf_size);
	ck_assert(!memcmp(data, im.mem + (im.btf_at - IMG_BASE), size));
	ck_assert_msg(strstr(how, "back from kallsyms __init_begin"), "%s",
		      how);
	free(data);
	symtab_deinit(&syms);
	free(im.mem);
}
END_TEST

// Where __init_begin does not sit just above the BTF, the forward scan
// still finds it.
START_TEST(back_scan_falls_back_to_forward)
{
	struct img im;
	struct symtab syms;
	void *data;
	size_t size;
	char how[200], want[200];

	// More than 2 MiB between the BTF's end and __init_begin.
	make_img(&im, 0x1ffffc);
	init_syms(&syms, IMG_BASE + IMG_SIZE - 0x10000);
	vmt_ck_no_err(btf_find_in_memory(read_img, &im, &syms, IMG_BASE,
					 IMG_BASE + IMG_SIZE, &data, &size, how,
					 sizeof(how)));
	snprintf(want, sizeof(want),
		 "scan at %#" PRIx64 " (%zu bytes), forward from %#" PRIx64,
		 im.btf_at, im.btf_size, (uint64_t)IMG_BASE);
	ck_assert_str_eq(how, want);
	ck_assert(!memcmp(data, im.mem + (im.btf_at - IMG_BASE), size));
	free(data);
	symtab_deinit(&syms);

	// __init_begin outside the range to scan: not used at all.
	init_syms(&syms, IMG_BASE + IMG_SIZE + 0x10000);
	im.bytes_read = 0;
	vmt_ck_no_err(btf_find_in_memory(read_img, &im, &syms, IMG_BASE,
					 IMG_BASE + IMG_SIZE, &data, &size, how,
					 sizeof(how)));
	ck_assert_str_eq(how, want);
	// The forward scan only: two chunks up to the BTF (both touch the
	// hole, so each is read again page by page), then the BTF.
	ck_assert_uint_eq(im.bytes_read, 4 * ((1u << 20) + 24) + im.btf_size);
	free(data);
	symtab_deinit(&syms);

	// No BTF in the range: not found either way.
	init_syms(&syms, IMG_BASE + 0x1f0000);
	vmt_ck_err(btf_find_in_memory(read_img, &im, &syms, IMG_BASE,
				      IMG_BASE + 0x1f0000, &data, &size, how,
				      sizeof(how)),
		   VMT_ERROR_NOT_FOUND);
	symtab_deinit(&syms);
	free(im.mem);
}
END_TEST

START_TEST(shared_anonymous_members_are_bounded)
{
	struct blob b = { 0 };
	const struct vmt_type *deep;
	const struct vmt_type_member *m;
	struct typedb *db;
	struct vmt_error *err;
	uint32_t t_int, below;
	uint64_t bits;
	uint8_t *data;
	size_t size;

	// struct deep: two anonymous members of one struct, which has two of
	// another, 30 levels down to "int x": 2^30 paths to search without a
	// bound (fuzz_btf's timeout-7e50fb67 was this shape, corrupt).
	init_blob(&b);
	t_int = int_rec(&b, "int", 4, 1, 0, 32);
	below = rec(&b, NULL, K_STRUCT, 0, 1, 4);
	member(&b, "x", t_int, 0);
	for (int level = 0; level < 30; level++) {
		uint32_t id = rec(&b, level == 29 ? "deep" : NULL, K_STRUCT, 0,
				  2, 4);

		member(&b, NULL, below, 0);
		member(&b, NULL, below, 0);
		below = id;
	}
	data = finish(&b, &size);
	free_blob(&b);
	vmt_ck_no_err(btf_typedb_create(data, size, &db));
	free(data);
	vmt_ck_no_err(typedb_find(db, "struct deep", &deep));
	vmt_ck_no_err(type_member(deep, "x", &bits, &m));
	ck_assert_uint_eq(bits, 0);
	err = type_member(deep, "nothere", &bits, &m);
	ck_assert(err);
	ck_assert_int_eq(err->code, VMT_ERROR_BAD_DATA);
	ck_assert_msg(strstr(err->message, "struct deep: member nothere"),
		      "%s", err->message);
	vmt_error_destroy(err);
	typedb_destroy(db);
}
END_TEST

// ---- a vmlinux's .BTF section (elf_btf_load) ----

// A little-endian ELF64 file: header, section names, the section headers
// (null, .shstrtab, .BTF), then @p btf; cut to @p keep bytes (0: whole).
static void write_vmlinux(const char *path, const uint8_t *btf, size_t size,
			  size_t keep)
{
	static const char names[16] = "\0.shstrtab\0.BTF";
	uint8_t *f;
	size_t shoff = 64 + sizeof(names), btf_off = shoff + 3 * 64;
	size_t len = btf_off + size;
	FILE *out;

	f = calloc(1, len);
	ck_assert(f);
	memcpy(f, "\177ELF\2\1\1", 7);	// ELFCLASS64, LSB, EV_CURRENT
	f[16] = 2;				// ET_EXEC
	f[18] = 183;				// EM_AARCH64
	f[20] = 1;				// e_version
	memcpy(f + 40, &shoff, 8);		// e_shoff
	f[52] = 64;				// e_ehsize
	f[58] = 64;				// e_shentsize
	f[60] = 3;				// e_shnum
	f[62] = 1;				// e_shstrndx
	memcpy(f + 64, names, sizeof(names));
	for (int i = 1; i < 3; i++) {
		uint8_t *sh = f + shoff + 64 * i;
		uint32_t name = i == 1 ? 1 : 11, type = i == 1 ? 3 : 1;
		uint64_t off = i == 1 ? 64 : btf_off;
		uint64_t sz = i == 1 ? sizeof(names) : size;

		memcpy(sh, &name, 4);
		memcpy(sh + 4, &type, 4);		// SHT_STRTAB, SHT_PROGBITS
		memcpy(sh + 24, &off, 8);
		memcpy(sh + 32, &sz, 8);
	}
	memcpy(f + btf_off, btf, size);
	out = fopen(path, "wb");
	ck_assert(out);
	ck_assert_uint_eq(fwrite(f, 1, keep ? keep : len, out), keep ? keep : len);
	fclose(out);
	free(f);
}

START_TEST(vmlinux_btf_in_place)
{
	char path[] = "/tmp/vmtool-test-btf-XXXXXX";
	struct blob b = { 0 };
	const struct vmt_type *node;
	struct typedb *db;
	struct vmt_error *err;
	uint8_t *data;
	size_t size;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	build_types(&b);
	data = finish(&b, &size);
	free_blob(&b);

	// Used in place: the db keeps its mapping after the file is gone.
	write_vmlinux(path, data, size, 0);
	vmt_ck_no_err(elf_btf_load(path, &db));
	unlink(path);
	vmt_ck_no_err(typedb_find(db, "struct node", &node));
	ck_assert_uint_eq(node->size, 24);
	ck_assert_uint_eq(off_of(node, "value"), 64);
	typedb_destroy(db);

	// A section that runs past the end of a truncated file is refused,
	// naming the file, the section's offset and the file's size.
	write_vmlinux(path, data, size, 64 + 16 + 3 * 64 + size / 2);
	err = elf_btf_load(path, &db);
	ck_assert(err);
	ck_assert_int_eq(err->code, VMT_ERROR_BAD_DATA);
	ck_assert_msg(strstr(err->message, path) &&
			      strstr(err->message, "at offset 0x110") &&
			      strstr(err->message, "runs past the end of the file"),
		      "%s", err->message);
	vmt_error_destroy(err);
	unlink(path);
	free(data);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("btf");
	TCase *tc = tcase_create("parse");
	TCase *tf = tcase_create("find");

	tcase_add_test(tc, struct_layout_and_bitfields);
	tcase_add_test(tc, enums_and_typedef_chains);
	tcase_add_test(tc, every_kind_maps);
	tcase_add_test(tc, section_variables_by_name);
	tcase_add_test(tc, rejects_corrupt_btf);
	tcase_add_test(tc, lookups_in_any_order_share_records);
	tcase_add_test(tc, many_names_index);
	tcase_add_test(tc, shared_anonymous_members_are_bounded);
	tcase_add_test(tf, finds_btf_by_scan);
	tcase_add_test(tf, finds_btf_by_symbols);
	tcase_add_test(tf, finds_btf_back_from_init_begin);
	tcase_add_test(tf, back_scan_falls_back_to_forward);
	tcase_add_test(tf, vmlinux_btf_in_place);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tf);
	return vmt_ck_run(s);
}
