// VMCOREINFO text -> key/value list with typed lookups, nothing more.
#ifndef VMT_VMCOREINFO_H
#define VMT_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct vmcoreinfo_entry {
	char *key;   // "NUMBER(VA_BITS)", "OSRELEASE", "SYMBOL(_stext)"
	char *value; // raw text after '='
};

/** Malformed lines reported one by one; more are counted. */
#define VMCOREINFO_MAX_WARNINGS 20

struct vmcoreinfo {
	/** Entries in text order; a duplicate key keeps both, the last wins. */
	struct vmcoreinfo_entry *entries;
	size_t nr_entries;
	/** Room in @ref entries (grown by doubling: parsing is linear). */
	size_t cap_entries;
	/** The text as given, NUL padding removed, NUL-terminated. */
	char *raw;
	size_t raw_len;
	/**
	 * "line N: ..." for each malformed line, the first
	 * VMCOREINFO_MAX_WARNINGS of them, then one that counts the rest.
	 */
	char **warnings;
	size_t nr_warnings;
	/** Typed shortcuts; 0 when absent. */
	uint32_t page_size;
	const char *osrelease;
};

/**
 * Parse @p len bytes of @p text; tolerant of NULs, CRLF and a missing last
 * newline. A malformed line becomes a warning ("line N: why: text") and is
 * skipped. BAD_DATA if no line at all is usable.
 *
 * @param[out] ret Written only on success; free with vmcoreinfo_deinit().
 */
struct vmt_error *vmcoreinfo_parse(const char *text, size_t len,
				   struct vmcoreinfo *ret);

void vmcoreinfo_deinit(struct vmcoreinfo *vi);

/** Apply @p other on top of @p vi (a later value wins). */
struct vmt_error *vmcoreinfo_merge(struct vmcoreinfo *vi,
				   const struct vmcoreinfo *other);

/** The raw value of @p key, or NULL. */
const char *vmcoreinfo_get(const struct vmcoreinfo *vi, const char *key);

/** NUMBER(@p name): decimal, 0x-hex or negative decimal. */
bool vmcoreinfo_number(const struct vmcoreinfo *vi, const char *name,
		       uint64_t *ret);

/** SYMBOL(@p name): bare hex. */
bool vmcoreinfo_symbol(const struct vmcoreinfo *vi, const char *name,
		       uint64_t *ret);

/** OFFSET(@p name), e.g. "page.flags". */
bool vmcoreinfo_offset(const struct vmcoreinfo *vi, const char *name,
		       uint64_t *ret);

/** SIZE(@p name). */
bool vmcoreinfo_size(const struct vmcoreinfo *vi, const char *name,
		     uint64_t *ret);

/** LENGTH(@p name). */
bool vmcoreinfo_length(const struct vmcoreinfo *vi, const char *name,
		       uint64_t *ret);

/**
 * Whether entry @p e is a SYMBOL(name)=hex line: then the name (not
 * NUL-terminated, in the key) and the address. For walking every symbol
 * once, where a lookup per name would be quadratic.
 */
bool vmcoreinfo_entry_symbol(const struct vmcoreinfo_entry *e,
			     const char **name_ret, size_t *len_ret,
			     uint64_t *addr_ret);

/** KERNELOFFSET (bare hex). */
bool vmcoreinfo_kerneloffset(const struct vmcoreinfo *vi, uint64_t *ret);

/** CRASHTIME (decimal seconds). */
bool vmcoreinfo_crashtime(const struct vmcoreinfo *vi, uint64_t *ret);

#endif
