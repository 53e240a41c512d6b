// A table of symbols from one source, searchable by name and by address.
#ifndef VMT_SYMTAB_H
#define VMT_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vmtool/program.h"

struct symtab_entry {
	char *name;
	uint64_t address;
	uint64_t size; // 0 = unknown
	char type;     // nm letter
};

struct symtab_chunk;

struct symtab {
	/** "kallsyms", "elf", "vmcoreinfo", "derived". */
	const char *source;
	/** Where the names are stored. */
	struct symtab_chunk *names;
	struct symtab_entry *entries;
	size_t nr;
	size_t cap;
	/** Name hash (slots hold index + 1), built by symtab_finish(). */
	uint32_t *name_hash;
	size_t hash_cap;
	/** Indices sorted by address, built on the first address lookup. */
	size_t *by_addr;
};

void symtab_init(struct symtab *tab, const char *source);
void symtab_deinit(struct symtab *tab);
/** Append a symbol (name copied). */
struct vmt_error *symtab_add(struct symtab *tab, const char *name,
			     uint64_t address, uint64_t size, char type);
/** Drop the entries from index @p nr on (undoes a failed load). */
void symtab_truncate(struct symtab *tab, size_t nr);
/** Index the names; call after the last symtab_add() (again after more). */
struct vmt_error *symtab_finish(struct symtab *tab);
/** First symbol named @p name, or NULL. */
const struct symtab_entry *symtab_lookup_name(const struct symtab *tab,
					      const char *name);
/**
 * The symbol at or before @p address (preferring a global one among
 * equals), or NULL. A known size that ends before @p address misses.
 */
const struct symtab_entry *symtab_lookup_addr(struct symtab *tab,
					      uint64_t address);
/**
 * The symbol nearest at or below @p address whatever its size, or NULL.
 * Among several at that address, the one @p rank ranks highest (NULL:
 * globals first); among equals, the one added first.
 */
const struct symtab_entry *
symtab_lookup_nearest(struct symtab *tab, uint64_t address,
		      int (*rank)(const struct symtab_entry *e));
/**
 * The first symbol whose address is above @p address, or NULL: where a
 * symbol of unknown size at or below @p address ends at the latest.
 */
const struct symtab_entry *symtab_lookup_next(struct symtab *tab,
					      uint64_t address);

#endif
