// A symbol table from one source: entries appended, then a hash index by
// name (built at once: O(n)) and an index sorted by address (built on the
// first address lookup, since most commands look up names only).
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

		c = malloc(sizeof(*c) + cap);
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
	while (tab->names) {
		struct symtab_chunk *c = tab->names;

		tab->names = c->next;
		free(c);
	}
	free(tab->entries);
	free(tab->by_addr);
	free(tab->name_hash);
	symtab_init(tab, tab->source);
}

struct vmt_error *symtab_add(struct symtab *tab, const char *name,
			     uint64_t address, uint64_t size, char type)
{
	struct symtab_entry *e;
	char *copy;

	if (tab->nr == tab->cap) {
		size_t cap = tab->cap ? tab->cap * 2 : 1024;
		struct symtab_entry *n;

		if (cap > SIZE_MAX / sizeof(*n))
			return &vmt_enomem;
		n = realloc(tab->entries, cap * sizeof(*n));
		if (!n)
			return &vmt_enomem;
		tab->entries = n;
		tab->cap = cap;
	}
	copy = arena_strdup(tab, name);
	if (!copy)
		return &vmt_enomem;
	e = &tab->entries[tab->nr++];
	e->name = copy;
	e->address = address;
	e->size = size;
	e->type = type;
	return NULL;
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

// FNV-1a: short kernel symbol names hash well enough for open addressing.
static uint64_t name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
	return h;
}

struct vmt_error *symtab_finish(struct symtab *tab)
{
	size_t cap = 16;
	uint32_t *hash;

	free(tab->by_addr);
	tab->by_addr = NULL;
	free(tab->name_hash);
	tab->name_hash = NULL;
	if (tab->nr >= UINT32_MAX / 2)
		return &vmt_enomem;
	while (cap < tab->nr * 2)
		cap *= 2;
	hash = calloc(cap, sizeof(*hash));
	if (!hash)
		return &vmt_enomem;
	// Slots hold index + 1; the first entry of a name wins.
	for (size_t i = 0; i < tab->nr; i++) {
		size_t slot = name_hash(tab->entries[i].name) & (cap - 1);

		while (hash[slot] &&
		       strcmp(tab->entries[hash[slot] - 1].name,
			      tab->entries[i].name))
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
	size_t slot;

	if (!tab->name_hash)
		return NULL;
	slot = name_hash(name) & (tab->hash_cap - 1);
	while (tab->name_hash[slot]) {
		const struct symtab_entry *e =
			&tab->entries[tab->name_hash[slot] - 1];

		if (!strcmp(e->name, name))
			return e;
		slot = (slot + 1) & (tab->hash_cap - 1);
	}
	return NULL;
}

static bool sort_by_addr(struct symtab *tab)
{
	size_t *by_addr;

	if (tab->by_addr)
		return true;
	by_addr = malloc((tab->nr ? tab->nr : 1) * sizeof(size_t));
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

const struct symtab_entry *symtab_lookup_addr(struct symtab *tab,
					      uint64_t address)
{
	const struct symtab_entry *e;
	size_t lo = 0, hi = tab->nr;

	if (!tab->name_hash || !sort_by_addr(tab))
		return NULL;
	// Upper bound: the first entry above address; the one before it is
	// the last at or below address (a global, if any at that address).
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tab->entries[tab->by_addr[mid]].address <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	e = &tab->entries[tab->by_addr[lo - 1]];
	if (e->size && address - e->address >= e->size)
		return NULL;
	return e;
}

const struct symtab_entry *symtab_lookup_next(struct symtab *tab,
					      uint64_t address)
{
	size_t lo = 0, hi = tab->nr;

	if (!tab->name_hash || !sort_by_addr(tab))
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tab->entries[tab->by_addr[mid]].address <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < tab->nr ? &tab->entries[tab->by_addr[lo]] : NULL;
}

const struct symtab_entry *
symtab_lookup_nearest(struct symtab *tab, uint64_t address,
		      int (*rank)(const struct symtab_entry *e))
{
	const struct symtab_entry *e, *best;
	size_t lo = 0, hi = tab->nr;
	int best_rank;

	if (!tab->name_hash || !sort_by_addr(tab))
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (tab->entries[tab->by_addr[mid]].address <= address)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	// Entries at one address sort globals last, the first added last
	// among equals: walk back over them for a better rank.
	best = e = &tab->entries[tab->by_addr[lo - 1]];
	best_rank = rank ? rank(e) : 0;
	for (size_t i = lo - 1; rank && i > 0; i--) {
		const struct symtab_entry *o = &tab->entries[tab->by_addr[i - 1]];
		int r;

		if (o->address != e->address)
			break;
		r = rank(o);
		if (r > best_rank) {
			best = o;
			best_rank = r;
		}
	}
	return best;
}
