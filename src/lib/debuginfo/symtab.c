// A symbol table from one source: entries appended, then a hash index by
// name (built at once: O(n)) and an index sorted by address (built on the
// first address lookup, since most commands look up names only). Names may
// be lazy: hashed at load, decoded when a lookup returns them.
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "debuginfo/symtab.h"

void symtab_init(struct symtab *tab, const char *source)
{
	memset(tab, 0, sizeof(*tab));
	tab->source = source;
}

// Names live in chunks of one arena: tens of thousands of small strings
// without a malloc each.
struct symtab_chunk {
	struct symtab_chunk *next;
	size_t used, cap;
	char data[];
};

static char *arena_strdup(struct symtab *tab, const char *name)
{
	size_t len = strlen(name) + 1;
	struct symtab_chunk *c = tab->names;
	char *copy;

	if (!c || c->cap - c->used < len) {
		size_t cap = len > 65536 ? len : 65536;

		c = bigmem_alloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = tab->names;
		c->used = 0;
		c->cap = cap;
		tab->names = c;
	}
	copy = c->data + c->used;
	memcpy(copy, name, len);
	c->used += len;
	return copy;
}

void symtab_deinit(struct symtab *tab)
{
	if (!tab)
		return;
	if (tab->lazy) {
		tab->lazy->destroy(tab->lazy->arg);
		free(tab->lazy);
	}
	bigmem_free(tab->hashes);
	while (tab->names) {
		struct symtab_chunk *c = tab->names;

		tab->names = c->next;
		bigmem_free(c);
	}
	bigmem_free(tab->entries);
	bigmem_free(tab->by_addr);
	bigmem_free(tab->name_hash);
	symtab_init(tab, tab->source);
}

uint64_t symtab_hash(const char *name)
{
	uint64_t h = 0;

	for (; *name; name++)
		h = h * SYMTAB_HASH_MUL + (unsigned char)*name;
	return h;
}

// Room for @p cap entries (never less than there is).
static struct vmt_error *resize(struct symtab *tab, size_t cap)
{
	struct symtab_entry *n;
	uint64_t *h;

	if (cap > SIZE_MAX / sizeof(*n))
		return &vmt_enomem;
	n = bigmem_realloc(tab->entries, cap * sizeof(*n));
	if (!n)
		return &vmt_enomem;
	tab->entries = n;
	h = bigmem_realloc(tab->hashes, cap * sizeof(*h));
	if (!h)
		return &vmt_enomem;
	tab->hashes = h;
	tab->cap = cap;
	return NULL;
}

static struct vmt_error *grow(struct symtab *tab)
{
	return resize(tab, tab->cap ? tab->cap * 2 : 1024);
}

struct vmt_error *symtab_reserve(struct symtab *tab, size_t more)
{
	if (more <= tab->cap - tab->nr)
		return NULL;
	if (more > SIZE_MAX - tab->nr)
		return &vmt_enomem;
	return resize(tab, tab->nr + more);
}

static struct vmt_error *add(struct symtab *tab, char *name, uint64_t hash,
			     uint64_t address, uint64_t size, char type)
{
	struct symtab_entry *e;
	struct vmt_error *err;

	if (tab->nr == tab->cap) {
		err = grow(tab);
		if (err)
			return err;
	}
	tab->hashes[tab->nr] = hash;
	e = &tab->entries[tab->nr++];
	e->name = name;
	e->address = address;
	e->size = size;
	e->type = type;
	return NULL;
}

struct vmt_error *symtab_add(struct symtab *tab, const char *name,
			     uint64_t address, uint64_t size, char type)
{
	char *copy = arena_strdup(tab, name);

	if (!copy)
		return &vmt_enomem;
	return add(tab, copy, symtab_hash(name), address, size, type);
}

const char *symtab_store(struct symtab *tab, const void *data, size_t len)
{
	// A whole string table (ELF .strtab: ~1 MiB) takes a huge page
	// (bigmem) rather than ~300 page faults.
	struct symtab_chunk *c = bigmem_alloc(sizeof(*c) + (len ? len : 1));

	if (!c)
		return NULL;
	// Behind the current chunk, which keeps taking small names.
	c->used = c->cap = len;
	if (tab->names) {
		c->next = tab->names->next;
		tab->names->next = c;
	} else {
		c->next = NULL;
		tab->names = c;
		c->used = c->cap; // full: arena_strdup starts a new one
	}
	memcpy(c->data, data, len);
	return c->data;
}

struct vmt_error *symtab_add_stored(struct symtab *tab, const char *name,
				    uint64_t address, uint64_t size,
				    char type)
{
	return add(tab, (char *)name, symtab_hash(name), address, size, type);
}

struct vmt_error *symtab_add_lazy(struct symtab *tab, uint64_t hash,
				  uint64_t address, uint64_t size, char type)
{
	return add(tab, NULL, hash, address, size, type);
}

void symtab_set_lazy(struct symtab *tab, struct symtab_lazy *lazy)
{
	if (tab->lazy) {
		tab->lazy->destroy(tab->lazy->arg);
		free(tab->lazy);
	}
	tab->lazy = lazy;
}

// The name of entry @p i, decoded now if it is lazy; NULL if it cannot be
// (out of memory, or a decoder that fails). Decoding fills a cache: the
// table is not changed as callers see it, hence the const.
static const char *entry_name(const struct symtab *ctab, size_t i)
{
	struct symtab *tab = (struct symtab *)ctab;
	char buf[1024];

	if (tab->entries[i].name)
		return tab->entries[i].name;
	if (!tab->lazy || !tab->lazy->decode(tab->lazy->arg, i, buf, sizeof(buf)))
		return NULL;
	tab->entries[i].name = arena_strdup(tab, buf);
	return tab->entries[i].name;
}

const char *symtab_entry_name(const struct symtab *tab, size_t i)
{
	return i < tab->nr ? entry_name(tab, i) : NULL;
}

void symtab_truncate(struct symtab *tab, size_t nr)
{
	// Dropped names stay in the arena until symtab_deinit().
	if (nr < tab->nr)
		tab->nr = nr;
}

static int is_global(char type)
{
	return type >= 'A' && type <= 'Z';
}

// qsort has no context argument in C11; the entries being sorted are
// reached through this file-local pointer (symtab_finish is not reentrant
// across threads for the same process, which the library never needs).
static const struct symtab_entry *sort_entries;

static int cmp_by_addr(const void *a, const void *b)
{
	const struct symtab_entry *x = &sort_entries[*(const size_t *)a];
	const struct symtab_entry *y = &sort_entries[*(const size_t *)b];

	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	// Among equal addresses globals sort last, so the lookup (which takes
	// the last entry at or below the address) prefers them.
	if (is_global(x->type) != is_global(y->type))
		return is_global(x->type) ? 1 : -1;
	// Keep insertion order otherwise (stable result).
	return *(const size_t *)a < *(const size_t *)b ? 1 : -1;
}

// The slot a hash starts probing at: the polynomial hash's high bits are
// the well mixed ones.
static size_t first_slot(uint64_t hash, size_t cap)
{
	return (size_t)((hash * UINT64_C(0x9E3779B97F4A7C15)) >> 32) &
	       (cap - 1);
}

// Whether entries @p a and @p b have the same name (lazy names are
// compared only when their hashes agree).
static bool same_name(const struct symtab *tab, size_t a, size_t b)
{
	const char *x, *y;

	if (tab->hashes[a] != tab->hashes[b])
		return false;
	x = entry_name(tab, a);
	y = entry_name(tab, b);
	return x && y && !strcmp(x, y);
}

struct vmt_error *symtab_finish(struct symtab *tab)
{
	size_t cap = 16;
	uint32_t *hash;

	bigmem_free(tab->by_addr);
	tab->by_addr = NULL;
	bigmem_free(tab->name_hash);
	tab->name_hash = NULL;
	if (tab->nr >= UINT32_MAX / 2)
		return &vmt_enomem;
	while (cap < tab->nr * 2)
		cap *= 2;
	hash = bigmem_calloc(cap * sizeof(*hash));
	if (!hash)
		return &vmt_enomem;
	// Slots hold index + 1; the first entry of a name wins.
	for (size_t i = 0; i < tab->nr; i++) {
		size_t slot = first_slot(tab->hashes[i], cap);

		while (hash[slot] && !same_name(tab, hash[slot] - 1, i))
			slot = (slot + 1) & (cap - 1);
		if (!hash[slot])
			hash[slot] = (uint32_t)i + 1;
	}
	tab->name_hash = hash;
	tab->hash_cap = cap;
	return NULL;
}

const struct symtab_entry *symtab_lookup_name(const struct symtab *tab,
					      const char *name)
{
	uint64_t h = symtab_hash(name);
	size_t slot;

	if (!tab->name_hash)
		return NULL;
	slot = first_slot(h, tab->hash_cap);
	while (tab->name_hash[slot]) {
		size_t i = tab->name_hash[slot] - 1;

		if (tab->hashes[i] == h) {
			const char *n = entry_name(tab, i);

			if (n && !strcmp(n, name))
				return &tab->entries[i];
		}
		slot = (slot + 1) & (tab->hash_cap - 1);
	}
	return NULL;
}

static bool sort_by_addr(struct symtab *tab)
{
	size_t *by_addr;

	if (tab->by_addr)
		return true;
	by_addr = bigmem_alloc((tab->nr ? tab->nr : 1) * sizeof(size_t));
	if (!by_addr)
		return false;
	for (size_t i = 0; i < tab->nr; i++)
		by_addr[i] = i;
	sort_entries = tab->entries;
	qsort(by_addr, tab->nr, sizeof(size_t), cmp_by_addr);
	sort_entries = NULL;
	tab->by_addr = by_addr;
	return true;
}

// The first position in address order whose entry lies above @p address
// (tab->nr if none): the entry before it is the last at or below it.
static size_t upper_bound(const struct symtab *tab, uint64_t address)
{
	size_t lo = 0, hi = tab->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tab->entries[tab->by_addr[mid]].address <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct symtab_entry *symtab_lookup_addr(struct symtab *tab,
					      uint64_t address)
{
	const struct symtab_entry *e;
	size_t lo;

	if (!tab->name_hash || !sort_by_addr(tab))
		return NULL;
	// The one before the upper bound is the last at or below address (a
	// global, if any at that address).
	lo = upper_bound(tab, address);
	if (lo == 0)
		return NULL;
	e = &tab->entries[tab->by_addr[lo - 1]];
	if (e->size && address - e->address >= e->size)
		return NULL;
	if (!entry_name(tab, tab->by_addr[lo - 1]))
		return NULL;
	return e;
}

const struct symtab_entry *symtab_lookup_next(struct symtab *tab,
					      uint64_t address)
{
	size_t lo;

	if (!tab->name_hash || !sort_by_addr(tab))
		return NULL;
	lo = upper_bound(tab, address);
	if (lo >= tab->nr || !entry_name(tab, tab->by_addr[lo]))
		return NULL;
	return &tab->entries[tab->by_addr[lo]];
}

const struct symtab_entry *
symtab_lookup_nearest(struct symtab *tab, uint64_t address,
		      int (*rank)(const struct symtab_entry *e))
{
	const struct symtab_entry *e, *best;
	size_t lo;
	int best_rank;

	if (!tab->name_hash || !sort_by_addr(tab))
		return NULL;
	lo = upper_bound(tab, address);
	if (lo == 0)
		return NULL;
	// Entries at one address sort globals last, the first added last
	// among equals: walk back over them for a better rank.
	// Lazy names are decoded before @p rank reads them.
	if (!entry_name(tab, tab->by_addr[lo - 1]))
		return NULL;
	best = e = &tab->entries[tab->by_addr[lo - 1]];
	best_rank = rank ? rank(e) : 0;
	for (size_t i = lo - 1; rank && i > 0; i--) {
		const struct symtab_entry *o = &tab->entries[tab->by_addr[i - 1]];
		int r;

		if (o->address != e->address)
			break;
		if (!entry_name(tab, tab->by_addr[i - 1]))
			continue;
		r = rank(o);
		if (r > best_rank) {
			best = o;
			best_rank = r;
		}
	}
	return best;
}
