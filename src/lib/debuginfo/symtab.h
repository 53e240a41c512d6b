// A table of symbols from one source, searchable by name and by address.
#ifndef VMT_SYMTAB_H
#define VMT_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vmtool/program.h"

struct symtab_entry {
	/**
	 * NUL-terminated. In a table with lazy names, NULL until the entry
	 * is first returned by a lookup (which decodes it).
	 */
	char *name;
	uint64_t address;
	uint64_t size; // 0 = unknown
	char type;     // nm letter
};

struct symtab_chunk;

/**
 * Names decoded on demand (kallsyms): only the names a command looks at
 * are ever expanded. The loader hashes every name with symtab_hash()
 * without writing it out, so lookups by name need no decoding but of the
 * candidates.
 */
struct symtab_lazy {
	/**
	 * Write the name of entry @p index (NUL-terminated) into @p buf of
	 * @p size bytes; false if it does not fit.
	 */
	bool (*decode)(void *arg, size_t index, char *buf, size_t size);
	void (*destroy)(void *arg);
	void *arg;
};

struct symtab {
	/** "kallsyms", "elf", "vmcoreinfo", "derived". */
	const char *source;
	/** Where the names are stored. */
	struct symtab_chunk *names;
	struct symtab_entry *entries;
	/** symtab_hash() of each entry's name. */
	uint64_t *hashes;
	size_t nr;
	size_t cap;
	/** Name hash (slots hold index + 1), built by symtab_finish(). */
	uint32_t *name_hash;
	size_t hash_cap;
	/** Indices sorted by address, built on the first address lookup. */
	size_t *by_addr;
	/** Decoder of the entries added with symtab_add_lazy(), or NULL. */
	struct symtab_lazy *lazy;
};

/**
 * The hash of names: h = h * SYMTAB_HASH_MUL + byte over the name, modulo
 * 2^64. Polynomial, so that a name made of pieces (kallsyms tokens) can be
 * hashed from the pieces' hashes: hash(a b) = hash(a) * MUL^len(b) +
 * hash(b).
 */
#define SYMTAB_HASH_MUL UINT64_C(0x100000001b3)

uint64_t symtab_hash(const char *name);

void symtab_init(struct symtab *tab, const char *source);
void symtab_deinit(struct symtab *tab);
/** Append a symbol (name copied). */
struct vmt_error *symtab_add(struct symtab *tab, const char *name,
			     uint64_t address, uint64_t size, char type);
/**
 * Copy @p len bytes (a string table) into @p tab's storage, for names
 * added with symtab_add_stored(); NULL if out of memory.
 */
const char *symtab_store(struct symtab *tab, const void *data, size_t len);
/**
 * Append a symbol whose name already lives in @p tab's storage
 * (symtab_store()): not copied.
 */
struct vmt_error *symtab_add_stored(struct symtab *tab, const char *name,
				    uint64_t address, uint64_t size,
				    char type);
/**
 * Room for @p more entries at once: a table whose size is known (kallsyms
 * counts its symbols) fills without growing and copying as it goes.
 */
struct vmt_error *symtab_reserve(struct symtab *tab, size_t more);

/**
 * Append a symbol whose name @p lazy decodes when needed (index = its
 * position in the table); @p hash is symtab_hash() of that name.
 */
struct vmt_error *symtab_add_lazy(struct symtab *tab, uint64_t hash,
				  uint64_t address, uint64_t size, char type);
/** Give @p tab the decoder of its lazy entries (freed with the table). */
void symtab_set_lazy(struct symtab *tab, struct symtab_lazy *lazy);
/** Drop the entries from index @p nr on (undoes a failed load). */
void symtab_truncate(struct symtab *tab, size_t nr);
/** Index the names; call after the last symtab_add() (again after more). */
struct vmt_error *symtab_finish(struct symtab *tab);
/**
 * The name of entry @p i (decoded now if it is lazy), or NULL when @p i is
 * out of range or the name cannot be decoded.
 */
const char *symtab_entry_name(const struct symtab *tab, size_t i);
/**
 * First symbol named @p name, or NULL. (Decodes the name of what it
 * returns if it is lazy: a cache, so @p tab is const to callers.)
 */
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
