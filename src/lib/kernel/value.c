// Operations on typed values: members, elements, dereference, address-of,
// casts, scalar reads (bitfields included) and member paths.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debuginfo/typedb.h"
#include "kernel/value.h"

// Chains longer than this are taken for a cycle in a corrupt type graph.
#define MAX_CHAIN 64

static bool is_compound(const struct vmt_type *t)
{
	return t && (t->kind == VMT_TYPE_STRUCT || t->kind == VMT_TYPE_UNION);
}

const struct vmt_type *value_resolve(const struct value_env *env,
				     const struct vmt_type *t)
{
	static const char *const prefixes[] = { "struct ", "union " };
	const struct vmt_type *def;
	char name[256];

	t = type_strip(t);
	// DWARF keeps a struct reached through a pointer as the declaration
	// its compilation unit had: the definition is found by name.
	if (!t || t->kind != VMT_TYPE_FWD || !t->name || !env->find_type)
		return t;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", prefixes[i], t->name);
		if (vmt_error_ok(env->find_type(env->arg, name, &def))) {
			def = type_strip(def);
			if (def && def->kind != VMT_TYPE_FWD)
				return def;
		}
	}
	return t;
}

uint64_t value_type_size(const struct value_env *env,
			 const struct vmt_type *t)
{
	uint64_t count = 1;

	for (int i = 0; i < MAX_CHAIN; i++) {
		t = value_resolve(env, t);
		if (!t)
			return 0;
		if (t->kind != VMT_TYPE_ARRAY)
			return count * t->size;
		if (t->nelems && count > UINT64_MAX / t->nelems)
			return 0;
		count *= t->nelems;
		t = t->target;
	}
	return 0;
}

void value_object(struct vmt_value *v, const struct vmt_type *type,
		  uint64_t address)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->in_memory = true;
	v->address = address;
}

static void type_text(const struct vmt_type *t, char *buf, size_t size)
{
	if (!t)
		snprintf(buf, size, "<unknown type>");
	else
		vmt_type_declaration(t, NULL, buf, size);
}

static bool is_scalar(const struct vmt_type *t)
{
	return t && (t->kind == VMT_TYPE_INT || t->kind == VMT_TYPE_BOOL ||
		     t->kind == VMT_TYPE_ENUM || t->kind == VMT_TYPE_POINTER ||
		     t->kind == VMT_TYPE_FLOAT);
}

struct vmt_error *value_read_scalar(const struct value_env *env,
				    const struct vmt_value *v, uint64_t *ret)
{
	const struct vmt_type *t = value_resolve(env, v->type);
	uint8_t buf[16] = { 0 };
	unsigned __int128 wide = 0;
	uint64_t size, bits, nbytes;
	struct vmt_error *err;
	char tname[128];

	if (!is_scalar(t) || t->size > 8 || !t->size) {
		type_text(v->type, tname, sizeof(tname));
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"a value of type %s is not a number or pointer of at most 8 bytes",
					tname);
	}
	size = t->size;
	if (!v->in_memory) {
		bits = v->bits;
		nbytes = 0;
	} else {
		nbytes = v->bit_size ? (v->bit_offset + v->bit_size + 7) / 8 :
				       size;
		if (nbytes > sizeof(buf))
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"bitfield of %u bits at bit %u",
						v->bit_size, v->bit_offset);
		err = env->read(env->read_arg, v->address, buf, nbytes);
		if (err)
			return err;
		for (uint64_t i = nbytes; i-- > 0;)
			wide = wide << 8 | buf[i];
		bits = (uint64_t)(wide >> v->bit_offset);
	}
	if (v->in_memory && v->bit_size) {
		uint32_t w = v->bit_size > 64 ? 64 : v->bit_size;

		if (w < 64)
			bits &= (UINT64_C(1) << w) - 1;
		if (t->is_signed && w < 64 && bits >> (w - 1) & 1)
			bits |= ~UINT64_C(0) << w;
	} else if (size < 8) {
		bits &= (UINT64_C(1) << (size * 8)) - 1;
		if (t->is_signed && t->kind != VMT_TYPE_POINTER &&
		    bits >> (size * 8 - 1) & 1)
			bits |= ~UINT64_C(0) << (size * 8);
	}
	*ret = bits;
	return NULL;
}

struct vmt_error *value_deref(const struct value_env *env,
			      const struct vmt_value *v,
			      struct vmt_value *ret)
{
	const struct vmt_type *t = value_resolve(env, v->type), *target;
	struct vmt_error *err;
	char tname[128];
	uint64_t ptr;

	if (t && t->kind == VMT_TYPE_ARRAY)
		return value_index(env, v, 0, ret);
	if (!t || t->kind != VMT_TYPE_POINTER) {
		type_text(v->type, tname, sizeof(tname));
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"cannot dereference a value of type %s (not a pointer)",
					tname);
	}
	target = value_resolve(env, t->target);
	if (!target || target->kind == VMT_TYPE_VOID ||
	    target->kind == VMT_TYPE_FUNCTION) {
		type_text(v->type, tname, sizeof(tname));
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"cannot dereference a %s (cast it to a pointer to a type)",
					tname);
	}
	err = value_read_scalar(env, v, &ptr);
	if (err)
		return err;
	value_object(ret, t->target, ptr);
	return NULL;
}

struct vmt_error *value_index(const struct value_env *env,
			      const struct vmt_value *v, int64_t index,
			      struct vmt_value *ret)
{
	const struct vmt_type *t = value_resolve(env, v->type), *elem;
	struct vmt_error *err;
	uint64_t base, size;
	char tname[128];

	if (t && t->kind == VMT_TYPE_ARRAY && v->in_memory) {
		base = v->address;
	} else if (t && t->kind == VMT_TYPE_POINTER) {
		err = value_read_scalar(env, v, &base);
		if (err)
			return err;
	} else {
		type_text(v->type, tname, sizeof(tname));
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"cannot index a value of type %s (not an array or pointer)",
					tname);
	}
	elem = t->target;
	size = value_type_size(env, elem);
	if (!size) {
		type_text(elem, tname, sizeof(tname));
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"cannot index elements of type %s (no size)",
					tname);
	}
	value_object(ret, elem, base + (uint64_t)index * size);
	return NULL;
}

struct vmt_error *value_member(const struct value_env *env,
			       const struct vmt_value *v, const char *name,
			       struct vmt_value *ret)
{
	const struct vmt_type *t = value_resolve(env, v->type);
	const struct vmt_type_member *m;
	struct vmt_value obj;
	struct vmt_error *err;
	uint64_t bit;
	char tname[128];

	if (t && t->kind == VMT_TYPE_POINTER) {
		// crash and gdb both follow a pointer for '.'.
		err = value_deref(env, v, &obj);
		if (err)
			return err;
		return value_member(env, &obj, name, ret);
	}
	if (!is_compound(t) || !v->in_memory) {
		type_text(v->type, tname, sizeof(tname));
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"%s: a value of type %s has no members",
					name, tname);
	}
	if (!*name || strchr(name, '.'))
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"'%s' is not a member name", name);
	err = type_member(t, name, &bit, &m);
	if (err)
		return err;
	value_object(ret, m->type, v->address + bit / 8);
	if (m->bit_size) {
		ret->bit_offset = (uint32_t)(bit % 8);
		ret->bit_size = m->bit_size;
	}
	return NULL;
}

struct vmt_error *value_address_of(const struct value_env *env,
				   const struct vmt_value *v,
				   struct vmt_value *ret)
{
	const struct vmt_type *p;

	if (!v->in_memory)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"cannot take the address of a computed value");
	if (v->bit_size)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"cannot take the address of a bitfield");
	p = value_pointer_type(env->types, v->type);
	if (!p)
		return &vmt_enomem;
	memset(ret, 0, sizeof(*ret));
	ret->type = p;
	ret->bits = v->address;
	return NULL;
}

struct vmt_error *value_cast(const struct value_env *env,
			     const struct vmt_value *v,
			     const struct vmt_type *type,
			     struct vmt_value *ret)
{
	const struct vmt_type *to = value_resolve(env, type);
	const struct vmt_type *from = value_resolve(env, v->type);
	struct vmt_error *err;
	uint64_t bits;
	char tname[128];

	if (!to) {
		type_text(type, tname, sizeof(tname));
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"cannot cast to %s", tname);
	}
	if (!is_scalar(to)) {
		// (struct x)obj reads the same memory as another type.
		if (!v->in_memory || v->bit_size)
			return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
						"only an object in memory can be cast to a struct, union or array");
		value_object(ret, type, v->address);
		return NULL;
	}
	if (from && from->kind == VMT_TYPE_ARRAY && v->in_memory) {
		// An array stands for its first element's address.
		bits = v->address;
	} else if (!from) {
		struct vmt_value word;

		// A variable of unknown type cast to a scalar: the word there.
		if (!v->in_memory)
			return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
						"value of unknown type");
		value_object(&word, type, v->address);
		err = value_read_scalar(env, &word, &bits);
		if (err)
			return err;
	} else {
		err = value_read_scalar(env, v, &bits);
		if (err)
			return err;
	}
	if (to->size < 8 && to->size) {
		bits &= (UINT64_C(1) << (to->size * 8)) - 1;
		if (to->is_signed && to->kind != VMT_TYPE_POINTER &&
		    bits >> (to->size * 8 - 1) & 1)
			bits |= ~UINT64_C(0) << (to->size * 8);
	}
	memset(ret, 0, sizeof(*ret));
	ret->type = type;
	ret->bits = bits;
	return NULL;
}

// A number in a path or expression: decimal, or hex with 0x.
static bool path_number(const char **p, uint64_t *ret)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return false;
	errno = 0;
	*ret = strtoull(*p, &end, 0);
	if (errno || end == *p)
		return false;
	*p = end;
	return true;
}

static struct vmt_error *bad_path(const char *path, const char *at,
				  const char *expected)
{
	return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
				"%s: expected %s at '%s'", path, expected, at);
}

struct vmt_error *value_path(const struct value_env *env,
			     const struct vmt_value *v, const char *path,
			     struct vmt_value *ret)
{
	struct vmt_value cur = *v, next;
	const char *p = path;
	struct vmt_error *err;
	char name[128];

	while (*p) {
		if (*p == '[') {
			uint64_t index;

			p++;
			if (!path_number(&p, &index) || *p != ']')
				return bad_path(path, p, "an index and ']'");
			p++;
			err = value_index(env, &cur, (int64_t)index, &next);
		} else {
			size_t n;

			if (*p == '.')
				p++;
			else if (p[0] == '-' && p[1] == '>')
				p += 2;
			else if (p != path)
				return bad_path(path, p, "'.', '->' or '['");
			n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789_");
			if (!n || n >= sizeof(name))
				return bad_path(path, p, "a member name");
			memcpy(name, p, n);
			name[n] = '\0';
			p += n;
			err = value_member(env, &cur, name, &next);
		}
		if (err)
			return err;
		cur = next;
	}
	*ret = cur;
	return NULL;
}
