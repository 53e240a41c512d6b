// A symbol table from one source: entries appended, then two sorted
// indices (by name, by address) for binary search.
#include <stdlib.h>
#include <string.h>

#include "debuginfo/symtab.h"

void symtab_init(struct symtab *tab, const char *source)
{
	memset(tab, 0, sizeof(*tab));
	tab->source = source;
}

void symtab_deinit(struct symtab *tab)
{
	if (!tab)
		return;
	for (size_t i = 0; i < tab->nr; i++)
		free(tab->entries[i].name);
	free(tab->entries);
	free(tab->by_addr);
	free(tab->by_name);
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
	copy = strdup(name);
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
	for (size_t i = nr; i < tab->nr; i++)
		free(tab->entries[i].name);
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

static int cmp_by_name(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(sort_entries[ia].name, sort_entries[ib].name);

	if (c)
		return c;
	return ia < ib ? -1 : ia > ib;
}

struct vmt_error *symtab_finish(struct symtab *tab)
{
	size_t *by_addr, *by_name;

	free(tab->by_addr);
	free(tab->by_name);
	tab->by_addr = tab->by_name = NULL;
	by_addr = malloc((tab->nr ? tab->nr : 1) * sizeof(size_t));
	by_name = malloc((tab->nr ? tab->nr : 1) * sizeof(size_t));
	if (!by_addr || !by_name) {
		free(by_addr);
		free(by_name);
		return &vmt_enomem;
	}
	for (size_t i = 0; i < tab->nr; i++)
		by_addr[i] = by_name[i] = i;
	sort_entries = tab->entries;
	qsort(by_addr, tab->nr, sizeof(size_t), cmp_by_addr);
	qsort(by_name, tab->nr, sizeof(size_t), cmp_by_name);
	sort_entries = NULL;
	tab->by_addr = by_addr;
	tab->by_name = by_name;
	return NULL;
}

const struct symtab_entry *symtab_lookup_name(const struct symtab *tab,
					      const char *name)
{
	size_t lo = 0, hi = tab->nr;

	if (!tab->by_name)
		return NULL;
	// Lower bound: the first entry whose name is >= name, so duplicates
	// resolve to the first one added.
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(tab->entries[tab->by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < tab->nr && !strcmp(tab->entries[tab->by_name[lo]].name, name))
		return &tab->entries[tab->by_name[lo]];
	return NULL;
}

const struct symtab_entry *symtab_lookup_addr(const struct symtab *tab,
					      uint64_t address)
{
	const struct symtab_entry *e;
	size_t lo = 0, hi = tab->nr;

	if (!tab->by_addr)
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
