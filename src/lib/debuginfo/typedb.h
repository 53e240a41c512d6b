// A set of types from one source (BTF or DWARF), looked up by name.
#ifndef VMT_TYPEDB_H
#define VMT_TYPEDB_H

#include <stdbool.h>

#include "base/error.h"
#include "vmtool/types.h"

struct typedb;

struct typedb_ops {
	/**
	 * Find the type named @p name of kind @p kind (STRUCT, UNION, ENUM or
	 * TYPEDEF; a complete definition preferred over a declaration).
	 * NOT_FOUND if absent. The type is owned by the db.
	 */
	struct vmt_error *(*find)(struct typedb *db, enum vmt_type_kind kind,
				  const char *name,
				  const struct vmt_type **ret);
	void (*destroy)(struct typedb *db);
	/**
	 * Offset (from the section start) and size of variable @p name in
	 * data section @p section (BTF's DATASEC records, e.g.
	 * ".data..percpu"). NOT_FOUND if absent. NULL in sources without
	 * such records (DWARF).
	 */
	struct vmt_error *(*section_var)(struct typedb *db,
					 const char *section, const char *name,
					 uint64_t *offset_ret,
					 uint64_t *size_ret);
	/**
	 * The type of global variable @p name (DWARF DW_TAG_variable, BTF
	 * VAR), and the data section BTF places it in (@p section_ret may
	 * be NULL; "" when the source does not say). NOT_FOUND if absent.
	 */
	struct vmt_error *(*var_type)(struct typedb *db, const char *name,
				      const struct vmt_type **ret,
				      const char **section_ret);
};

struct typedb {
	const struct typedb_ops *ops;
	/** "btf" or "dwarf". */
	const char *source;
};

/** Parse "struct x", "union x", "enum x" or "x" and find it. */
struct vmt_error *typedb_find(struct typedb *db, const char *name,
			      const struct vmt_type **ret);

void typedb_destroy(struct typedb *db);

/**
 * The type of variable @p name, as typedb_ops.var_type; UNSUPPORTED when
 * @p db has no variables.
 */
struct vmt_error *typedb_var_type(struct typedb *db, const char *name,
				  const struct vmt_type **ret,
				  const char **section_ret);

/**
 * Variable @p name of data section @p section, as typedb_ops.section_var;
 * UNSUPPORTED when @p db has no section records.
 */
struct vmt_error *typedb_section_var(struct typedb *db, const char *section,
				     const char *name, uint64_t *offset_ret,
				     uint64_t *size_ret);

/** Skip typedefs and const/volatile/restrict. */
const struct vmt_type *type_strip(const struct vmt_type *type);

/**
 * Find member @p path ("mm", "tasks.next", "thread_info.cpu") of the struct
 * or union @p type, descending through anonymous members. Offset in bits.
 */
struct vmt_error *type_member(const struct vmt_type *type, const char *path,
			      uint64_t *bit_offset_ret,
			      const struct vmt_type_member **member_ret);

/** "struct", "union", "enum", "typedef" (the kinds looked up by name), else "type". */
const char *type_lookup_kind_name(enum vmt_type_kind kind);

/** Write a C-like name of @p type ("struct list_head *", "char [16]"). */
void type_name(const struct vmt_type *type, char *buf, size_t size);

#endif
