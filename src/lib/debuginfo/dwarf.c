// DWARF types of a vmlinux through libdw. The named top-level struct,
// union, enum, typedef and variable DIEs are indexed CU by CU as lookups
// need them (name -> DIE offset);
// types are converted to struct vmt_type on demand and cached by DIE
// offset, which also makes self-referencing types terminate.
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/input_file.h"
#include "debuginfo/debuginfo.h"

// Nesting of types converted recursively (member of member of ...); a
// real kernel needs a few dozen.
#define MAX_DEPTH 512
// The index's kind for variables (DW_TAG_variable), beside the type kinds.
#define KIND_VARIABLE ((enum vmt_type_kind)0x100)

struct dw_name {
	const char *name; // in libdw's string section, valid while dw is open
	Dwarf_Off off;
	enum vmt_type_kind kind;
	bool declaration;
};

// Open-addressing map: DIE offset -> converted type.
struct dw_cache_slot {
	Dwarf_Off off; // 0 = empty (no DIE sits at offset 0 of .debug_info)
	struct vmt_type *type;
};

// Everything allocated for a type, freed at destroy.
struct dw_alloc {
	struct dw_alloc *next;
	// followed by the object
};

struct dwarf_db {
	struct typedb base;
	char *path;
	int fd;
	/** For a DWARF read from memory: its ELF handle and private copy. */
	Elf *elf;
	void *image;
	Dwarf *dw;
	/** Open-addressing map (name, kind) -> preferred DIE. */
	struct dw_name *names;
	size_t nr_names, cap_names;
	/** Next compilation unit to index; all indexed once index_done. */
	Dwarf_Off index_off;
	bool index_done;
	struct dw_cache_slot *cache;
	size_t cache_cap, cache_nr;
	struct dw_alloc *allocs;
	struct vmt_type void_type;
};

static struct vmt_error *dw_error(const struct dwarf_db *db, const char *what,
				  Dwarf_Off off)
{
	return vmt_error_format(VMT_ERROR_BAD_DATA,
				"%s: DIE at %#" PRIx64 ": %s: %s", db->path,
				(uint64_t)off, what, dwarf_errmsg(-1));
}

static void *dw_alloc(struct dwarf_db *db, size_t size)
{
	struct dw_alloc *a = calloc(1, sizeof(*a) + size);

	if (!a)
		return NULL;
	a->next = db->allocs;
	db->allocs = a;
	return a + 1;
}

static size_t hash_off(Dwarf_Off off)
{
	return (size_t)(off * 0x9e3779b97f4a7c15ull >> 17);
}

static struct vmt_type *cache_get(struct dwarf_db *db, Dwarf_Off off)
{
	if (!db->cache_cap)
		return NULL;
	for (size_t i = hash_off(off) & (db->cache_cap - 1);;
	     i = (i + 1) & (db->cache_cap - 1)) {
		if (db->cache[i].off == off)
			return db->cache[i].type;
		if (!db->cache[i].off)
			return NULL;
	}
}

static struct vmt_error *cache_put(struct dwarf_db *db, Dwarf_Off off,
				   struct vmt_type *type)
{
	if ((db->cache_nr + 1) * 2 > db->cache_cap) {
		size_t cap = db->cache_cap ? db->cache_cap * 2 : 1024;
		struct dw_cache_slot *n = calloc(cap, sizeof(*n));

		if (!n)
			return &vmt_enomem;
		for (size_t j = 0; j < db->cache_cap; j++) {
			size_t i;

			if (!db->cache[j].off)
				continue;
			for (i = hash_off(db->cache[j].off) & (cap - 1); n[i].off;
			     i = (i + 1) & (cap - 1))
				;
			n[i] = db->cache[j];
		}
		free(db->cache);
		db->cache = n;
		db->cache_cap = cap;
	}
	size_t i;

	for (i = hash_off(off) & (db->cache_cap - 1); db->cache[i].off;
	     i = (i + 1) & (db->cache_cap - 1))
		;
	db->cache[i].off = off;
	db->cache[i].type = type;
	db->cache_nr++;
	return NULL;
}

static struct vmt_error *convert(struct dwarf_db *db, Dwarf_Die *die,
				 int depth, const struct vmt_type **ret);

static void cache_replace(struct dwarf_db *db, Dwarf_Off off,
			  struct vmt_type *type)
{
	for (size_t i = hash_off(off) & (db->cache_cap - 1); db->cache[i].off;
	     i = (i + 1) & (db->cache_cap - 1)) {
		if (db->cache[i].off == off) {
			db->cache[i].type = type;
			return;
		}
	}
}

// The type DW_AT_type of @p die names, or void if it has none.
static struct vmt_error *convert_ref(struct dwarf_db *db, Dwarf_Die *die,
				     int depth, const struct vmt_type **ret)
{
	Dwarf_Attribute attr;
	Dwarf_Die target;

	if (!dwarf_attr_integrate(die, DW_AT_type, &attr)) {
		*ret = &db->void_type;
		return NULL;
	}
	if (!dwarf_formref_die(&attr, &target))
		return dw_error(db, "bad DW_AT_type", dwarf_dieoffset(die));
	return convert(db, &target, depth + 1, ret);
}

static bool attr_udata(Dwarf_Die *die, unsigned name, Dwarf_Word *ret)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, name, &attr) &&
	       dwarf_formudata(&attr, ret) == 0;
}

// DW_AT_data_member_location: a constant, or (old producers) an
// expression that is a single DW_OP_plus_uconst.
static bool member_location(Dwarf_Die *die, Dwarf_Word *ret)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	size_t nops;

	if (!dwarf_attr_integrate(die, DW_AT_data_member_location, &attr)) {
		*ret = 0; // union members, and DWARF 4 bitfields
		return true;
	}
	if (dwarf_formudata(&attr, ret) == 0)
		return true;
	if (dwarf_getlocation(&attr, &ops, &nops) == 0 && nops == 1 &&
	    ops[0].atom == DW_OP_plus_uconst) {
		*ret = ops[0].number;
		return true;
	}
	return false;
}

static struct vmt_error *convert_members(struct dwarf_db *db, Dwarf_Die *die,
					 struct vmt_type *t, int depth)
{
	Dwarf_Die child;
	size_t n = 0, i = 0;
	struct vmt_type_member *members;
	struct vmt_error *err;
	int r;

	if (dwarf_child(die, &child) != 0)
		return NULL;
	do {
		if (dwarf_tag(&child) == DW_TAG_member)
			n++;
	} while ((r = dwarf_siblingof(&child, &child)) == 0);
	if (r < 0)
		return dw_error(db, "bad member list", dwarf_dieoffset(die));
	if (!n)
		return NULL;
	members = dw_alloc(db, n * sizeof(*members));
	if (!members)
		return &vmt_enomem;
	t->members = members;
	dwarf_child(die, &child);
	do {
		struct vmt_type_member *m = &members[i];
		Dwarf_Word loc, bit_size = 0, data_bit_off, bit_off, byte_size;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		m->name = dwarf_diename(&child);
		err = convert_ref(db, &child, depth, &m->type);
		if (err)
			return err;
		if (!member_location(&child, &loc))
			return dw_error(db,
					"unsupported DW_AT_data_member_location",
					dwarf_dieoffset(&child));
		attr_udata(&child, DW_AT_bit_size, &bit_size);
		m->bit_size = (uint32_t)bit_size;
		if (attr_udata(&child, DW_AT_data_bit_offset, &data_bit_off)) {
			// DWARF 4+: bits from the start of the containing type.
			m->bit_offset = data_bit_off;
		} else if (bit_size &&
			   attr_udata(&child, DW_AT_bit_offset, &bit_off)) {
			// DWARF 2/3: counted from the most significant bit of
			// a storage unit of DW_AT_byte_size bytes at loc
			// (little-endian layout).
			if (!attr_udata(&child, DW_AT_byte_size, &byte_size))
				byte_size = type_strip(m->type) ?
						    type_strip(m->type)->size :
						    0;
			m->bit_offset = loc * 8 + byte_size * 8 - bit_off -
					bit_size;
		} else {
			m->bit_offset = loc * 8;
		}
		i++;
	} while (i < n && dwarf_siblingof(&child, &child) == 0);
	t->nr_members = i;
	return NULL;
}

static struct vmt_error *convert_enumerators(struct dwarf_db *db,
					     Dwarf_Die *die,
					     struct vmt_type *t)
{
	struct vmt_type_enumerator *e;
	Dwarf_Die child;
	size_t n = 0, i = 0;

	if (dwarf_child(die, &child) != 0)
		return NULL;
	do {
		if (dwarf_tag(&child) == DW_TAG_enumerator)
			n++;
	} while (dwarf_siblingof(&child, &child) == 0);
	if (!n)
		return NULL;
	e = dw_alloc(db, n * sizeof(*e));
	if (!e)
		return &vmt_enomem;
	t->enumerators = e;
	dwarf_child(die, &child);
	do {
		Dwarf_Attribute attr;
		Dwarf_Sword sv;
		Dwarf_Word uv;

		if (dwarf_tag(&child) != DW_TAG_enumerator)
			continue;
		e[i].name = dwarf_diename(&child);
		if (!e[i].name)
			return dw_error(db, "enumerator without name",
					dwarf_dieoffset(&child));
		if (!dwarf_attr(&child, DW_AT_const_value, &attr))
			return dw_error(db, "enumerator without value",
					dwarf_dieoffset(&child));
		// DW_FORM_data* is signless: read it per the enum's sign.
		if (t->is_signed && dwarf_formsdata(&attr, &sv) == 0)
			e[i].value = sv;
		else if (dwarf_formudata(&attr, &uv) == 0)
			e[i].value = (int64_t)uv;
		else if (dwarf_formsdata(&attr, &sv) == 0)
			e[i].value = sv;
		else
			return dw_error(db, "bad enumerator value",
					dwarf_dieoffset(&child));
		i++;
	} while (i < n && dwarf_siblingof(&child, &child) == 0);
	t->nr_enumerators = i;
	return NULL;
}

// An array DIE: one subrange child per dimension, outermost first. @p t
// is the outermost array; inner dimensions get records of their own.
static struct vmt_error *convert_array(struct dwarf_db *db, Dwarf_Die *die,
				       struct vmt_type *t, int depth)
{
	struct vmt_type *dims[32];
	size_t nd = 0;
	const struct vmt_type *elem;
	Dwarf_Die child;
	struct vmt_error *err;

	err = convert_ref(db, die, depth, &elem);
	if (err)
		return err;
	if (dwarf_child(die, &child) == 0) {
		do {
			Dwarf_Word ub, count, lb = 0;
			struct vmt_type *d;

			if (dwarf_tag(&child) != DW_TAG_subrange_type)
				continue;
			if (nd == sizeof(dims) / sizeof(dims[0]))
				return dw_error(db, "too many array dimensions",
						dwarf_dieoffset(die));
			d = nd ? dw_alloc(db, sizeof(*d)) : t;
			if (!d)
				return &vmt_enomem;
			d->kind = VMT_TYPE_ARRAY;
			attr_udata(&child, DW_AT_lower_bound, &lb);
			if (attr_udata(&child, DW_AT_count, &count))
				d->nelems = count;
			else if (attr_udata(&child, DW_AT_upper_bound, &ub) &&
				 ub + 1 > lb)
				d->nelems = ub + 1 - lb;
			dims[nd++] = d;
		} while (dwarf_siblingof(&child, &child) == 0);
	}
	if (!nd) {
		t->kind = VMT_TYPE_ARRAY;
		dims[nd++] = t;
	}
	// Innermost first: each dimension's element is the next one in.
	for (size_t k = nd; k-- > 0;) {
		const struct vmt_type *inner = k + 1 < nd ? dims[k + 1] : elem;

		dims[k]->target = inner;
		dims[k]->size = dims[k]->nelems * inner->size;
	}
	return NULL;
}

static bool resolve_declaration(struct dwarf_db *db, const char *name,
				enum vmt_type_kind kind, int depth,
				const struct vmt_type **ret);

static struct vmt_error *convert(struct dwarf_db *db, Dwarf_Die *die,
				 int depth, const struct vmt_type **ret)
{
	Dwarf_Off off = dwarf_dieoffset(die);
	struct vmt_type *t = cache_get(db, off);
	struct vmt_error *err = NULL;
	Dwarf_Word size = 0, enc = 0;
	int tag;

	if (t) {
		*ret = t;
		return NULL;
	}
	if (depth > MAX_DEPTH)
		return dw_error(db, "types nest too deeply", off);
	t = dw_alloc(db, sizeof(*t));
	if (!t)
		return &vmt_enomem;
	// Cached before its parts, so a part that refers back finds it.
	err = cache_put(db, off, t);
	if (err)
		return err;
	t->name = dwarf_diename(die);
	attr_udata(die, DW_AT_byte_size, &size);
	t->size = size;
	tag = dwarf_tag(die);
	switch (tag) {
	case DW_TAG_base_type:
		attr_udata(die, DW_AT_encoding, &enc);
		t->kind = enc == DW_ATE_boolean ? VMT_TYPE_BOOL :
			  enc == DW_ATE_float	? VMT_TYPE_FLOAT :
						  VMT_TYPE_INT;
		t->is_signed = enc == DW_ATE_signed ||
			       enc == DW_ATE_signed_char;
		break;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
		t->kind = VMT_TYPE_POINTER;
		if (!t->size)
			t->size = 8;
		err = convert_ref(db, die, depth, &t->target);
		break;
	case DW_TAG_typedef:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		t->kind = tag == DW_TAG_typedef	      ? VMT_TYPE_TYPEDEF :
			  tag == DW_TAG_const_type    ? VMT_TYPE_CONST :
			  tag == DW_TAG_volatile_type ? VMT_TYPE_VOLATILE :
			  tag == DW_TAG_restrict_type ? VMT_TYPE_RESTRICT :
							VMT_TYPE_VOLATILE;
		err = convert_ref(db, die, depth, &t->target);
		if (!err)
			t->size = t->target->size;
		break;
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
		t->kind = tag == DW_TAG_union_type ? VMT_TYPE_UNION :
						     VMT_TYPE_STRUCT;
		if (dwarf_hasattr(die, DW_AT_declaration)) {
			// A CU that only uses pointers declares the type. Asked
			// for by name (depth 0), give the definition from another
			// CU; reached through a pointer, keep the declaration:
			// following every pointer across CUs would convert most
			// of the kernel's types, as deep as the type graph goes.
			// A lookup by its name resolves it when needed.
			const struct vmt_type *def;

			t->kind = VMT_TYPE_FWD;
			if (t->name && depth == 0 &&
			    resolve_declaration(db, t->name,
							   tag == DW_TAG_union_type ?
								   VMT_TYPE_UNION :
								   VMT_TYPE_STRUCT,
							   depth, &def) &&
			    def->kind != VMT_TYPE_FWD) {
				// Later references to this DIE get the
				// definition itself (it may still be being
				// filled in, so it is not copied).
				cache_replace(db, off, (struct vmt_type *)def);
				*ret = def;
				return NULL;
			}
		} else
			err = convert_members(db, die, t, depth);
		break;
	case DW_TAG_enumeration_type: {
		const struct vmt_type *under = NULL;

		t->kind = VMT_TYPE_ENUM;
		if (dwarf_hasattr(die, DW_AT_type)) {
			err = convert_ref(db, die, depth, &under);
			if (err)
				break;
			under = type_strip(under);
			t->is_signed = under && under->is_signed;
		}
		err = convert_enumerators(db, die, t);
		if (!err && !under) {
			// No underlying type (older gcc): signed if any
			// value is negative when read as signed data.
			for (size_t i = 0; i < t->nr_enumerators; i++)
				if (t->enumerators[i].value < 0)
					t->is_signed = true;
		}
		break;
	}
	case DW_TAG_array_type:
		err = convert_array(db, die, t, depth);
		break;
	case DW_TAG_subroutine_type:
		t->kind = VMT_TYPE_FUNCTION;
		t->size = 0;
		err = convert_ref(db, die, depth, &t->target);
		break;
	case DW_TAG_unspecified_type:
		t->kind = VMT_TYPE_VOID;
		break;
	default:
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"%s: DIE at %#" PRIx64
					": tag %#x is not a type",
					db->path, (uint64_t)off, tag);
	}
	if (err)
		return err;
	*ret = t;
	return NULL;
}

// FNV-1a over the name, mixed with the kind.
static uint64_t name_hash(const char *name, enum vmt_type_kind kind)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)kind;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
	return h;
}

// The slot for (@p name, @p kind): its entry, or the empty slot to fill.
static struct dw_name *name_slot(const struct dwarf_db *db,
				 enum vmt_type_kind kind, const char *name)
{
	size_t slot = name_hash(name, kind) & (db->cap_names - 1);

	while (db->names[slot].name &&
	       (db->names[slot].kind != kind ||
		strcmp(db->names[slot].name, name)))
		slot = (slot + 1) & (db->cap_names - 1);
	return &db->names[slot];
}

static struct vmt_error *index_next_cu(struct dwarf_db *db);

// The preferred DIE for (@p name, @p kind): a definition if any CU has one.
// CUs are indexed only as far as needed: a type the kernel uses widely is
// defined in the first few, so most lookups never read the whole vmlinux.
static struct vmt_error *find_name(struct dwarf_db *db, enum vmt_type_kind kind,
				   const char *name, const struct dw_name **ret)
{
	struct vmt_error *err;
	struct dw_name *e;

	for (;;) {
		e = name_slot(db, kind, name);
		if ((e->name && !e->declaration) || db->index_done)
			break;
		err = index_next_cu(db);
		if (err)
			return err;
	}
	*ret = e->name ? e : NULL;
	return NULL;
}

static bool resolve_declaration(struct dwarf_db *db, const char *name,
				enum vmt_type_kind kind, int depth,
				const struct vmt_type **ret)
{
	const struct dw_name *e;
	struct vmt_error *err;
	Dwarf_Die die;

	err = find_name(db, kind, name, &e);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	if (!e || e->declaration || !dwarf_offdie(db->dw, e->off, &die))
		return false;
	err = convert(db, &die, depth + 1, ret);
	if (err) {
		vmt_error_destroy(err);
		return false;
	}
	return true;
}

static struct vmt_error *dwarf_find(struct typedb *base,
				    enum vmt_type_kind kind, const char *name,
				    const struct vmt_type **ret)
{
	struct dwarf_db *db = (struct dwarf_db *)base;
	const struct dw_name *e;
	struct vmt_error *err;
	Dwarf_Die die;

	err = find_name(db, kind, name, &e);
	if (err)
		return err;
	if (!e)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%s: no DWARF %s named %s", db->path,
					type_lookup_kind_name(kind), name);
	if (!dwarf_offdie(db->dw, e->off, &die))
		return dw_error(db, "cannot read indexed DIE", e->off);
	return convert(db, &die, 0, ret);
}

// A variable's type from its DIE: a definition is preferred (a
// declaration may lack an array's length); one with DW_AT_specification
// takes its type from the declaration it completes.
static struct vmt_error *dwarf_var_type(struct typedb *base, const char *name,
					const struct vmt_type **ret,
					const char **section_ret)
{
	struct dwarf_db *db = (struct dwarf_db *)base;
	const struct dw_name *e;
	struct vmt_error *err;
	Dwarf_Die die;

	err = find_name(db, KIND_VARIABLE, name, &e);
	if (err)
		return err;
	if (!e)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%s: no DWARF variable named %s",
					db->path, name);
	if (!dwarf_offdie(db->dw, e->off, &die))
		return dw_error(db, "cannot read indexed DIE", e->off);
	if (section_ret)
		*section_ret = "";
	// Depth -1: the variable's own type is converted as if asked for by
	// name, so a struct declared in its unit is completed.
	return convert_ref(db, &die, -1, ret);
}

static void dwarf_destroy(struct typedb *base)
{
	struct dwarf_db *db = (struct dwarf_db *)base;

	while (db->allocs) {
		struct dw_alloc *a = db->allocs;

		db->allocs = a->next;
		free(a);
	}
	free(db->cache);
	free(db->names);
	if (db->dw)
		dwarf_end(db->dw);
	if (db->elf)
		elf_end(db->elf);
	free(db->image);
	if (db->fd >= 0)
		close(db->fd);
	free(db->path);
	free(db);
}

static const struct typedb_ops dwarf_ops = {
	.find = dwarf_find,
	.destroy = dwarf_destroy,
	.var_type = dwarf_var_type,
};

static struct vmt_error *grow_names(struct dwarf_db *db)
{
	size_t cap = db->cap_names ? db->cap_names * 2 : 4096;
	struct dw_name *old = db->names, *n = calloc(cap, sizeof(*n));
	size_t old_cap = db->cap_names;

	if (!n)
		return &vmt_enomem;
	db->names = n;
	db->cap_names = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].name)
			*name_slot(db, old[i].kind, old[i].name) = old[i];
	free(old);
	return NULL;
}

// Remember @p die under its name; a definition replaces a declaration, and
// otherwise the first in .debug_info order stays.
static struct vmt_error *add_name(struct dwarf_db *db, Dwarf_Die *die,
				  enum vmt_type_kind kind)
{
	const char *name = dwarf_diename(die);
	Dwarf_Attribute attr;
	bool declaration;
	struct dw_name *e;

	// A variable's definition may only point at its declaration
	// (DW_AT_specification), which has the name.
	if (!name && kind == KIND_VARIABLE &&
	    dwarf_attr_integrate(die, DW_AT_name, &attr))
		name = dwarf_formstring(&attr);

	if (!name)
		return NULL;
	if ((db->nr_names + 1) * 2 > db->cap_names) {
		struct vmt_error *err = grow_names(db);

		if (err)
			return err;
	}
	declaration = dwarf_hasattr(die, DW_AT_declaration);
	e = name_slot(db, kind, name);
	if (e->name && (declaration || !e->declaration))
		return NULL;
	if (!e->name)
		db->nr_names++;
	e->name = name;
	e->off = dwarf_dieoffset(die);
	e->kind = kind;
	e->declaration = declaration;
	return NULL;
}

// Index the top-level type DIEs of the next compilation unit.
static struct vmt_error *index_next_cu(struct dwarf_db *db)
{
	Dwarf_Off off = db->index_off, next;
	Dwarf_Die cu, child;
	size_t hsize;
	int r;

	r = dwarf_nextcu(db->dw, off, &next, &hsize, NULL, NULL, NULL);
	if (r != 0) {
		db->index_done = true;
		return r < 0 ? dw_error(db, "bad .debug_info", off) : NULL;
	}
	db->index_off = next;
	if (!dwarf_offdie(db->dw, off + hsize, &cu))
		return dw_error(db, "bad compilation unit", off);
	if (dwarf_child(&cu, &child) != 0)
		return NULL;
	do {
		enum vmt_type_kind kind;
		struct vmt_error *err;

		switch (dwarf_tag(&child)) {
		case DW_TAG_structure_type:
		case DW_TAG_class_type:
			kind = VMT_TYPE_STRUCT;
			break;
		case DW_TAG_union_type:
			kind = VMT_TYPE_UNION;
			break;
		case DW_TAG_enumeration_type:
			kind = VMT_TYPE_ENUM;
			break;
		case DW_TAG_typedef:
			kind = VMT_TYPE_TYPEDEF;
			break;
		case DW_TAG_variable:
			kind = KIND_VARIABLE;
			break;
		default:
			continue;
		}
		err = add_name(db, &child, kind);
		if (err)
			return err;
	} while (dwarf_siblingof(&child, &child) == 0);
	return NULL;
}

static struct dwarf_db *dwarf_db_new(const char *name)
{
	struct dwarf_db *db = calloc(1, sizeof(*db));

	if (!db)
		return NULL;
	db->base.ops = &dwarf_ops;
	db->base.source = "dwarf";
	db->fd = -1;
	db->void_type.kind = VMT_TYPE_VOID;
	db->void_type.name = "void";
	db->path = strdup(name);
	if (!db->path) {
		free(db);
		return NULL;
	}
	return db;
}

// Finish a db whose dw is open (or failed to open).
static struct vmt_error *dwarf_db_finish(struct dwarf_db *db,
					 struct typedb **ret)
{
	struct vmt_error *err;

	if (!db->dw) {
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "%s: no DWARF debugging information: %s",
				       db->path, dwarf_errmsg(-1));
		dwarf_destroy(&db->base);
		return err;
	}
	err = grow_names(db);
	if (err) {
		dwarf_destroy(&db->base);
		return err;
	}
	*ret = &db->base;
	return NULL;
}

struct vmt_error *dwarf_typedb_create(const char *path, struct typedb **ret)
{
	struct dwarf_db *db = dwarf_db_new(path);
	struct vmt_error *err;

	if (!db)
		return &vmt_enomem;
	err = input_file_open(path, "a debug file", false, &db->fd, NULL);
	if (err) {
		dwarf_destroy(&db->base);
		return err;
	}
	db->dw = dwarf_begin(db->fd, DWARF_C_READ);
	return dwarf_db_finish(db, ret);
}

struct vmt_error *dwarf_typedb_create_mem(const void *data, size_t size,
					  const char *name,
					  struct typedb **ret)
{
	struct dwarf_db *db = dwarf_db_new(name);

	if (!db)
		return &vmt_enomem;
	// libelf may write to a memory image (it converts byte order in
	// place): give it a copy that lives as long as the db.
	db->image = malloc(size ? size : 1);
	if (!db->image) {
		dwarf_destroy(&db->base);
		return &vmt_enomem;
	}
	memcpy(db->image, data, size);
	elf_version(EV_CURRENT);
	db->elf = elf_memory(db->image, size);
	if (db->elf)
		db->dw = dwarf_begin_elf(db->elf, DWARF_C_READ, NULL);
	return dwarf_db_finish(db, ret);
}
