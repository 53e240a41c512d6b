// Virtual memory over a dump: translation with a TLB in front of the
// page-table walk, page-table pages kept in a table cache, a formula path
// for linear-map pages the walk has confirmed, reads across pages, and
// where each byte lives.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "base/bytes.h"
#include "dump/page_cache.h"
#include "mem/address_space.h"

// Kernel TLB: 4-way set associative, keyed by virtual page under
// swapper_pg_dir, 1,024 entries grown once to 32,768 when 512
// translations came in: a command that reads a few structures touches
// little memory, and a working set of 16,384 distinct pages fits with
// room for the sets that fill unevenly. The dump never changes, so
// entries never go stale; only successful translations are cached, so a
// miss always walks.
#define KTLB_SETS_MIN 256
#define KTLB_SETS_MAX 8192
#define KTLB_WAYS 4

struct ktlb_entry {
	uint64_t vpage; // untagged vaddr >> page_shift
	uint64_t ppage; // paddr of the page start | 1 (valid)
};

// Every other root (user page tables, an explicit kernel root): 2-way,
// keyed by root and virtual page.
#define UTLB_SETS 2048

struct utlb_entry {
	uint64_t tag; // root | kind << 1 | 1 (bit 0 = valid)
	uint64_t vpage;
	uint64_t ppage;
};

// Page-table pages, copied once from the dump and read in place by the
// walker, in chunks of 4 KiB (a 64 KiB table is read where it is used):
// 2048 chunks, 8 MiB at most.
#define TABLE_CHUNK_SHIFT 12
#define TABLE_CACHE_CHUNKS 2048
// Table pages found again with one compare (direct-mapped by page number):
// the upper levels are shared by every walk, and most last-level tables
// of a working set have a slot of their own.
#define TABLE_MEMO 1024

// Linear-map granules (the span of one 4 KiB chunk of a last-level table)
// whose every page the walk has shown to follow __lm_to_phys. Open addressing, at most half
// full, growing to 16,384 slots; a full set only stops new confirmations.
#define GRANULE_SLOTS_MIN 256
#define GRANULE_SLOTS_MAX 16384
#define GRANULE_FAILED (UINT64_C(1) << 63)
// A block leaf marks at most this many granules at once.
#define GRANULE_BLOCK_MAX 8192

struct table_memo {
	uint64_t key; // page number | 1
	const uint8_t *data;
	size_t slot; // in the table cache
};

struct address_space {
	struct dump *dump;
	const struct arm64_layout *layout;
	unsigned int page_shift;
	uint64_t page_mask;
	// Table cache chunks: min(page size, 4 KiB).
	unsigned int chunk_shift;
	uint64_t chunk_mask;
	// arm64_untag(): the bits above the VA size in use.
	uint64_t tag_mask;
	struct arm64_geom kernel_geom, user_geom;

	struct ktlb_entry (*ktlb)[KTLB_WAYS];
	size_t ktlb_sets;
	// Insertions since the TLB last grew.
	size_t ktlb_inserts;
	struct utlb_entry (*utlb)[2];

	struct page_cache tables;
	struct table_memo *memo;

	// Linear map: [lm_start, lm_end) -> va - lm_start + phys_offset.
	bool lm_known;
	bool formula_off;
	uint64_t lm_start, lm_end, phys_offset;
	unsigned int granule_shift;
	uint64_t *granules; // granule index + 1, | GRANULE_FAILED
	size_t granule_slots;
	size_t nr_granules;

	struct address_space_stats stats;
};

struct vmt_error *dump_read_phys_cb(void *arg, uint64_t paddr, void *buf,
				    size_t len)
{
	return dump_read_phys(arg, paddr, buf, len);
}

// A table page not in the memo: from the table cache, or read from the
// dump into it. Also from an ELF dump, whose file data could be read in
// place: a first touch of a mapped file page far from the others costs a
// fault and a new page-table page (~40 us on the virtual machine of
// bench/results), a pread into the cache's huge pages ~3 us. A first pass
// of translations over 4,254 distinct pages of k612-64k-va52's ELF took
// 132 ns per address in place and 27.5 ns read (medians of 9 interleaved
// idle runs; debian61's ELF 53 -> 43 ns over 16,384 pages).
static const uint8_t *map_table_slow(struct address_space *as,
				     uint64_t page_paddr)
{
	uint64_t page = page_paddr >> as->chunk_shift;
	struct table_memo *m = &as->memo[page & (TABLE_MEMO - 1)];
	struct page_cache *c = &as->tables;
	const uint8_t *data;
	struct vmt_error *err;
	size_t slot;
	uint8_t *fill;

	if ((data = page_cache_lookup(c, page))) {
		slot = (size_t)(data - c->data) / c->page_size;
	} else {
		fill = page_cache_reserve(c, &slot);
		// The slot's old table is gone: forget it (its memo entry is
		// the one its page number selects).
		{
			uint64_t gone = c->keys[slot];
			struct table_memo *old =
				&as->memo[gone & (TABLE_MEMO - 1)];

			if (old->key == (gone << 1 | 1) && old->slot == slot)
				old->key = 0;
		}
		err = dump_read_phys(as->dump, page_paddr, fill,
				     (size_t)1 << as->chunk_shift);
		if (err) {
			// The slow walk reads the entry again and says why.
			vmt_error_destroy(err);
			as->stats.table_load_failures++;
			return NULL;
		}
		page_cache_insert(c, slot, page);
		as->stats.table_loads++;
		data = fill;
	}
	m->key = page << 1 | 1;
	m->data = data;
	m->slot = slot;
	return data;
}

// map_table_fn over the table cache: the table page at @p page_paddr. The
// memo answers the upper levels (shared by every walk) with one compare.
static inline const uint8_t *map_table(void *arg, uint64_t page_paddr)
{
	struct address_space *as = arg;
	uint64_t page = page_paddr >> as->chunk_shift;
	const struct table_memo *m = &as->memo[page & (TABLE_MEMO - 1)];

	if (m->key == (page << 1 | 1)) {
		// Referenced: the clock keeps it.
		as->tables.state[m->slot] = 2;
		return m->data;
	}
	return map_table_slow(as, page_paddr);
}

// read_phys_fn for the full walker: descriptors through the table cache;
// a table that cannot be read is read again for its error.
static struct vmt_error *read_desc_cached(void *arg, uint64_t paddr,
					  void *buf, size_t len)
{
	struct address_space *as = arg;
	const uint8_t *page;

	if (len == 8 && !(paddr & 7)) {
		page = map_table(as, paddr & ~as->chunk_mask);
		if (page) {
			memcpy(buf, page + (paddr & as->chunk_mask), 8);
			return NULL;
		}
	}
	return dump_read_phys(as->dump, paddr, buf, len);
}

static void init_linear(struct address_space *as)
{
	const struct arm64_layout *l = as->layout;

	// The region arm64_classify() calls linear.
	if (l->page_offset.source == ARM64_SRC_UNKNOWN ||
	    l->phys_offset.source == ARM64_SRC_UNKNOWN || !as->kernel_geom.ok)
		return;
	as->lm_start = l->page_offset.value;
	as->lm_end = l->flipped ? l->page_end.value : 0;
	if (as->lm_end && as->lm_end <= as->lm_start)
		return;
	as->phys_offset = l->phys_offset.value;
	// A granule is what one table-cache chunk of a last-level table maps:
	// 512 pages (2 MiB of 4 KiB pages, 32 MiB of 64 KiB ones), so that a
	// table only partly used (RAM smaller than a 512 MiB span) still has
	// whole granules.
	as->granule_shift = as->page_shift + as->chunk_shift - 3;
	as->lm_known = true;
}

struct vmt_error *address_space_create(struct dump *dump,
				       const struct arm64_layout *layout,
				       struct address_space **ret)
{
	struct address_space *as = calloc(1, sizeof(*as));
	struct vmt_error *err;

	if (!as)
		return &vmt_enomem;
	as->dump = dump;
	as->layout = layout;
	as->page_shift = layout->page_shift;
	as->page_mask = (UINT64_C(1) << as->page_shift) - 1;
	as->tag_mask = arm64_untag(layout, UINT64_C(1) << 55) &
		       ~(UINT64_C(1) << 55);
	as->chunk_shift = as->page_shift < TABLE_CHUNK_SHIFT ? as->page_shift :
							       TABLE_CHUNK_SHIFT;
	as->chunk_mask = (UINT64_C(1) << as->chunk_shift) - 1;
	arm64_geom_init(&as->kernel_geom, layout, ARM64_TABLE_KERNEL);
	arm64_geom_init(&as->user_geom, layout, ARM64_TABLE_USER);
	as->kernel_geom.map_shift = as->chunk_shift;
	as->user_geom.map_shift = as->chunk_shift;
	// calloc: pages of the caches never used are never touched.
	as->ktlb_sets = KTLB_SETS_MIN;
	as->ktlb = bigmem_calloc(as->ktlb_sets * sizeof(*as->ktlb));
	as->utlb = calloc(UTLB_SETS, sizeof(*as->utlb));
	as->granule_slots = GRANULE_SLOTS_MIN;
	as->granules = calloc(as->granule_slots, sizeof(*as->granules));
	as->memo = calloc(TABLE_MEMO, sizeof(*as->memo));
	err = page_cache_init(&as->tables, TABLE_CACHE_CHUNKS,
			      (size_t)1 << as->chunk_shift);
	if (!err && (!as->ktlb || !as->utlb || !as->granules || !as->memo))
		err = &vmt_enomem;
	if (err) {
		address_space_destroy(as);
		return err;
	}
	init_linear(as);
	*ret = as;
	return NULL;
}

void address_space_destroy(struct address_space *as)
{
	if (!as)
		return;
	bigmem_free(as->ktlb);
	free(as->utlb);
	free(as->granules);
	free(as->memo);
	page_cache_deinit(&as->tables);
	free(as);
}

void address_space_set_linear_formula(struct address_space *as, bool on)
{
	as->formula_off = !on;
}

const struct address_space_stats *address_space_stats(
	const struct address_space *as)
{
	return &as->stats;
}

// arm64_untag(), inline: TBI selects the half by bit 55.
static inline uint64_t untag(const struct address_space *as, uint64_t vaddr)
{
	return vaddr & (UINT64_C(1) << 55) ? vaddr | as->tag_mask :
					     vaddr & ~as->tag_mask;
}

static uint64_t resolve_root(const struct address_space *as,
			     enum arm64_table_kind kind, uint64_t root_paddr)
{
	if (kind == ARM64_TABLE_KERNEL && root_paddr == 0)
		return as->layout->swapper_pg_dir_paddr;
	return root_paddr;
}

static struct vmt_error *check_root(const struct address_space *as,
				    enum arm64_table_kind kind,
				    uint64_t root_paddr, uint64_t vaddr)
{
	if (kind == ARM64_TABLE_KERNEL && root_paddr == 0 &&
	    !as->layout->swapper_pg_dir_paddr_known)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"cannot translate %#" PRIx64 ": swapper_pg_dir's physical address is unknown (needs SYMBOL(swapper_pg_dir) and kimage_voffset)",
					vaddr);
	return NULL;
}

static void fill_location(struct address_space *as, struct vmt_translation *t)
{
	struct dump_location loc;
	struct vmt_error *err = dump_locate(as->dump, t->paddr, &loc);

	if (err) {
		if (t->status == VMT_VTOP_MAPPED) {
			t->status = err->fault == VMT_FAULT_EXCLUDED ?
					    VMT_VTOP_EXCLUDED :
					    VMT_VTOP_NOT_IN_DUMP;
			if (!t->note[0])
				snprintf(t->note, sizeof(t->note), "%s",
					 err->message);
		}
		vmt_error_destroy(err);
		return;
	}
	switch (loc.state) {
	case DUMP_PAGE_PRESENT:
		t->has_file_offset = true;
		t->file = loc.file_index < as->dump->nr_files ?
				  as->dump->files[loc.file_index] :
				  NULL;
		t->file_offset = loc.file_offset;
		t->file_offset_compressed = loc.compressed;
		break;
	case DUMP_PAGE_EXCLUDED:
		if (t->status == VMT_VTOP_MAPPED)
			t->status = VMT_VTOP_EXCLUDED;
		break;
	case DUMP_PAGE_LOST:
		if (t->status == VMT_VTOP_MAPPED) {
			t->status = VMT_VTOP_NOT_IN_DUMP;
			if (!t->note[0])
				snprintf(t->note, sizeof(t->note),
					 "page %#" PRIx64 " was lost (incomplete dump)",
					 t->paddr);
		}
		break;
	case DUMP_PAGE_NOT_IN_DUMP:
		if (t->status == VMT_VTOP_MAPPED)
			t->status = VMT_VTOP_NOT_IN_DUMP;
		break;
	}
}

struct vmt_error *address_space_vtop(struct address_space *as,
				     enum arm64_table_kind kind,
				     uint64_t root_paddr, uint64_t vaddr,
				     struct vmt_translation *ret)
{
	const struct arm64_layout *layout = as->layout;
	struct vmt_translation t;
	struct vmt_error *err;
	enum arm64_region region;

	err = check_root(as, kind, root_paddr, vaddr);
	if (err)
		return err;
	// Always the full walk, whatever the caches hold: vtop reports it.
	err = arm64_pgtable_walk(layout, read_desc_cached, as, kind,
				 resolve_root(as, kind, root_paddr), vaddr, &t);
	if (err)
		return err;
	region = arm64_classify(layout, vaddr);
	t.region = arm64_region_name(region);
	if (t.has_paddr)
		fill_location(as, &t);
	if (kind == ARM64_TABLE_KERNEL &&
	    arm64_formula_vtop(layout, vaddr, &t.formula_paddr)) {
		t.has_formula_paddr = true;
		if (t.has_paddr && t.paddr != t.formula_paddr && !t.note[0])
			snprintf(t.note, sizeof(t.note),
				 "walk %#" PRIx64 " \u2260 %s formula %#" PRIx64,
				 t.paddr, t.region, t.formula_paddr);
	}
	*ret = t;
	return NULL;
}

static struct vmt_error *not_mapped_error(const struct vmt_translation *t,
					  uint64_t vaddr)
{
	enum vmt_fault_kind kind;
	const char *what;

	switch (t->status) {
	case VMT_VTOP_EXCLUDED:
		kind = VMT_FAULT_EXCLUDED;
		what = "excluded from the dump";
		break;
	case VMT_VTOP_NOT_IN_DUMP:
		kind = VMT_FAULT_NOT_IN_DUMP;
		what = "not in the dump";
		break;
	case VMT_VTOP_SWAP:
		kind = VMT_FAULT_NOT_MAPPED;
		what = "swapped out";
		break;
	case VMT_VTOP_PROT_NONE:
		kind = VMT_FAULT_NOT_MAPPED;
		what = "PROT_NONE";
		break;
	case VMT_VTOP_INVALID:
		kind = VMT_FAULT_NOT_MAPPED;
		what = "invalid page-table entry";
		break;
	default:
		kind = VMT_FAULT_NOT_MAPPED;
		what = "not mapped";
		break;
	}
	if (t->note[0])
		return vmt_error_fault(kind, vaddr, "virtual address %#" PRIx64 " %s: %s",
				       vaddr, what, t->note);
	return vmt_error_fault(kind, vaddr, "virtual address %#" PRIx64 " %s",
			       vaddr, what);
}

// A walk that stopped at a descriptor it could not read: the error of that
// read itself, whole and with its kind (excluded, not in the dump, lost),
// since the walk's note is only a summary.
static struct vmt_error *unreadable_table_error(struct address_space *as,
						const struct vmt_translation *t,
						uint64_t vaddr)
{
	const struct vmt_pt_level *lv;
	struct vmt_error *err, *ret;
	uint8_t raw[8];

	if ((t->status != VMT_VTOP_EXCLUDED &&
	     t->status != VMT_VTOP_NOT_IN_DUMP) || !t->nr_levels)
		return not_mapped_error(t, vaddr);
	lv = &t->levels[t->nr_levels - 1];
	err = dump_read_phys(as->dump, lv->entry_paddr, raw, sizeof(raw));
	if (!err || err->code != VMT_ERROR_FAULT) {
		vmt_error_destroy(err);
		return not_mapped_error(t, vaddr);
	}
	ret = vmt_error_fault(err->fault, vaddr,
			      "virtual address %#" PRIx64 ": %s[%u] at %#" PRIx64
			      " not readable: %s",
			      vaddr, lv->name, lv->index, lv->entry_paddr,
			      err->message);
	vmt_error_destroy(err);
	return ret;
}

static inline uint64_t mix(uint64_t x)
{
	return x * UINT64_C(0x9E3779B97F4A7C15);
}

// ---- linear-map granules ----

// The slot of granule @p g in @p table of @p nr slots: its entry, or the
// empty slot ending the probe.
static uint64_t *granule_probe(uint64_t *table, size_t nr, uint64_t g)
{
	size_t i = (size_t)(mix(g) >> 40) & (nr - 1);

	while (table[i] && (table[i] & ~GRANULE_FAILED) != g + 1)
		i = (i + 1) & (nr - 1);
	return &table[i];
}

static uint64_t *granule_slot(struct address_space *as, uint64_t g)
{
	return granule_probe(as->granules, as->granule_slots, g);
}

static void granule_mark(struct address_space *as, uint64_t g, bool ok)
{
	uint64_t *s;

	// Half full at most: probes stay short. Past the largest size a
	// granule is not recorded, which only means walking again.
	if (as->nr_granules >= as->granule_slots / 2) {
		size_t nr = as->granule_slots * 4;
		uint64_t *table;

		if (nr > GRANULE_SLOTS_MAX)
			return;
		table = calloc(nr, sizeof(*table));
		if (!table)
			return;
		for (size_t i = 0; i < as->granule_slots; i++) {
			uint64_t e = as->granules[i];

			if (e)
				*granule_probe(table, nr,
					       (e & ~GRANULE_FAILED) - 1) = e;
		}
		free(as->granules);
		as->granules = table;
		as->granule_slots = nr;
	}
	s = granule_slot(as, g);
	if (!*s) {
		as->nr_granules++;
		if (ok)
			as->stats.granules_confirmed++;
	}
	*s = (g + 1) | (ok ? 0 : GRANULE_FAILED);
}

// Walk @p va (linear, untagged) and the rest of its granule: true if every
// page of the granule is mapped where __lm_to_phys puts it. Records the
// answer either way, except for an unmapped @p va (nothing learnt).
static bool granule_confirm(struct address_space *as, uint64_t root,
			    uint64_t va, uint64_t g)
{
	unsigned int ps = as->page_shift, gs = as->granule_shift;
	uint64_t base = va & ~((UINT64_C(1) << gs) - 1);
	uint64_t lm = base - as->lm_start + as->phys_offset;
	struct arm64_leaf leaf;
	const uint8_t *pte = NULL;

	if (!arm64_pgtable_lookup(&as->kernel_geom, map_table, as, root, va,
				  &leaf))
		return false;
	if (leaf.paddr != va - as->lm_start + as->phys_offset) {
		granule_mark(as, g, false);
		return false;
	}
	if (leaf.size >= (UINT64_C(1) << gs)) {
		// A block: its whole span follows the formula.
		uint64_t n = leaf.size >> gs;
		uint64_t first = g & ~(n - 1);

		if (n > GRANULE_BLOCK_MAX) {
			granule_mark(as, g, true);
			return true;
		}
		for (uint64_t k = 0; k < n; k++)
			granule_mark(as, first + k, true);
		return true;
	}
	// A page: check every entry of the table chunk that holds it (the
	// granule's pages).
	pte = map_table(as, leaf.entry_paddr & ~as->chunk_mask);
	if (!pte) {
		granule_mark(as, g, false);
		return false;
	}
	for (uint64_t i = 0; i < (as->chunk_mask + 1) / 8; i++) {
		uint64_t desc = load_le64(pte + 8 * i);

		if ((desc & 3) != 3 ||
		    arm64_desc_to_phys(as->layout, desc) != lm + (i << ps)) {
			granule_mark(as, g, false);
			return false;
		}
	}
	granule_mark(as, g, true);
	return true;
}

// The formula for a linear-map @p va, once the walk has confirmed its
// granule; false to translate by the walk.
static bool linear_formula(struct address_space *as, uint64_t root,
			   uint64_t va, uint64_t *paddr_ret)
{
	uint64_t g, e;

	if (va < as->lm_start || (as->lm_end && va >= as->lm_end))
		return false;
	g = (va - as->lm_start) >> as->granule_shift;
	e = *granule_slot(as, g);
	if (!e) {
		if (!granule_confirm(as, root, va, g))
			return false;
	} else if (e & GRANULE_FAILED) {
		return false;
	}
	as->stats.linear_formula++;
	*paddr_ret = va - as->lm_start + as->phys_offset;
	return true;
}

// ---- TLBs ----

// Two candidate sets per page ("two choices"): an entry goes to the less
// full one, so sets overflow far less than with one hash. A set that
// overflows under a cyclic access pattern misses on every access in it.
static inline struct ktlb_entry *ktlb_set(struct address_space *as,
					  uint64_t vpage, int which)
{
	uint64_t h = which ? vpage * UINT64_C(0xC2B2AE3D27D4EB4F) : mix(vpage);

	return as->ktlb[(h >> 40) & (as->ktlb_sets - 1)];
}

static int ktlb_used(const struct ktlb_entry *set)
{
	int n = 0;

	while (n < KTLB_WAYS && set[n].ppage)
		n++;
	return n;
}

// Put @p e in the emptier of its two sets, newest first (the oldest way of
// a full set falls out).
static void ktlb_place(struct address_space *as, const struct ktlb_entry *e)
{
	struct ktlb_entry *a = ktlb_set(as, e->vpage, 0);
	struct ktlb_entry *b = ktlb_set(as, e->vpage, 1);
	struct ktlb_entry *set = ktlb_used(b) < ktlb_used(a) ? b : a;

	memmove(&set[1], &set[0], (KTLB_WAYS - 1) * sizeof(*set));
	set[0] = *e;
}

// The largest size at once, the entries placed again (oldest first, so
// that each set keeps its newest in way 0). One step, not fours: its 512
// KiB are one huge page (bigmem), and each step cleared new memory and
// placed every entry again. On a first pass of walks over 16,384
// distinct pages that took a third of the time (k612-4k-va48 ELF: 105 ->
// 65 ns per address, medians of 11 idle runs of bench_vtop).
static void ktlb_grow(struct address_space *as)
{
	size_t nr = KTLB_SETS_MAX;
	struct ktlb_entry (*old)[KTLB_WAYS] = as->ktlb;
	size_t old_nr = as->ktlb_sets;

	// KTLB_SETS_MAX bounds nr: no overflow.
	as->ktlb = bigmem_calloc(nr * sizeof(*as->ktlb));
	if (!as->ktlb) {
		as->ktlb = old;
		return;
	}
	as->ktlb_sets = nr;
	for (int way = KTLB_WAYS - 1; way >= 0; way--)
		for (size_t i = 0; i < old_nr; i++)
			if (old[i][way].ppage)
				ktlb_place(as, &old[i][way]);
	bigmem_free(old);
}

static void ktlb_insert(struct address_space *as, uint64_t vpage,
			uint64_t ppage)
{
	struct ktlb_entry e = { .vpage = vpage, .ppage = ppage | 1 };

	// Grown once translations came in for half of what it holds: sets
	// fill unevenly, and a fuller TLB misses on conflicts.
	if (++as->ktlb_inserts > as->ktlb_sets * KTLB_WAYS / 2 &&
	    as->ktlb_sets < KTLB_SETS_MAX) {
		ktlb_grow(as);
		as->ktlb_inserts = 0;
	}
	ktlb_place(as, &e);
}

static inline struct utlb_entry *utlb_set(struct address_space *as,
					  uint64_t tag, uint64_t vpage)
{
	return as->utlb[(mix(vpage ^ (tag >> 12) ^ (tag << 7)) >> 40) &
			(UTLB_SETS - 1)];
}

// The slow path: the full walk, for its status and note.
static struct vmt_error *walk_slow(struct address_space *as,
				   enum arm64_table_kind kind, uint64_t root,
				   uint64_t vaddr, uint64_t va,
				   uint64_t *paddr_ret)
{
	struct vmt_translation t;
	struct vmt_error *err;

	as->stats.slow_walks++;
	err = arm64_pgtable_walk(as->layout, read_desc_cached, as, kind, root,
				 va, &t);
	if (err)
		return err;
	// PROT_NONE pages are present (pte_present) and their data is real.
	if (t.status != VMT_VTOP_MAPPED && t.status != VMT_VTOP_PROT_NONE)
		return unreadable_table_error(as, &t, vaddr);
	*paddr_ret = t.paddr;
	return NULL;
}

struct vmt_error *address_space_translate(struct address_space *as,
					  enum arm64_table_kind kind,
					  uint64_t root_paddr, uint64_t vaddr,
					  uint64_t *paddr_ret)
{
	unsigned int shift = as->page_shift;
	uint64_t va = untag(as, vaddr);
	uint64_t root = resolve_root(as, kind, root_paddr);
	uint64_t vpage = va >> shift, paddr, tag;
	const struct arm64_geom *geom;
	struct arm64_leaf leaf;
	struct utlb_entry *uset;
	struct vmt_error *err;

	err = check_root(as, kind, root_paddr, vaddr);
	if (err)
		return err;
	if (kind == ARM64_TABLE_KERNEL &&
	    root == as->layout->swapper_pg_dir_paddr) {
		struct ktlb_entry *set;

		if (as->lm_known && !as->formula_off &&
		    linear_formula(as, root, va, paddr_ret))
			return NULL;
		for (int which = 0; which < 2; which++) {
			set = ktlb_set(as, vpage, which);
			for (int way = 0; way < KTLB_WAYS; way++) {
				if (set[way].vpage == vpage && set[way].ppage) {
					as->stats.tlb_hits++;
					*paddr_ret = (set[way].ppage &
						      ~UINT64_C(1)) |
						     (va & as->page_mask);
					return NULL;
				}
			}
		}
		as->stats.tlb_misses++;
		if (arm64_pgtable_lookup(&as->kernel_geom, map_table, as,
					 root, va, &leaf)) {
			as->stats.fast_walks++;
			paddr = leaf.paddr;
		} else {
			err = walk_slow(as, kind, root, vaddr, va, &paddr);
			if (err)
				return err;
		}
		ktlb_insert(as, vpage, paddr & ~as->page_mask);
		*paddr_ret = paddr;
		return NULL;
	}

	tag = root | (uint64_t)kind << 1 | 1;
	uset = utlb_set(as, tag, vpage);
	for (int way = 0; way < 2; way++) {
		if (uset[way].tag == tag && uset[way].vpage == vpage) {
			as->stats.tlb_hits++;
			*paddr_ret = uset[way].ppage | (va & as->page_mask);
			return NULL;
		}
	}
	as->stats.tlb_misses++;
	geom = kind == ARM64_TABLE_KERNEL ? &as->kernel_geom : &as->user_geom;
	if (arm64_pgtable_lookup(geom, map_table, as, root, va, &leaf)) {
		as->stats.fast_walks++;
		paddr = leaf.paddr;
	} else {
		err = walk_slow(as, kind, root, vaddr, va, &paddr);
		if (err)
			return err;
	}
	uset[1] = uset[0];
	uset[0].tag = tag;
	uset[0].vpage = vpage;
	uset[0].ppage = paddr & ~as->page_mask;
	*paddr_ret = paddr;
	return NULL;
}

struct vmt_error *address_space_walk_raw(struct address_space *as,
					 enum arm64_table_kind kind,
					 uint64_t root_paddr, uint64_t vaddr,
					 uint64_t *paddr_ret)
{
	uint64_t va = untag(as, vaddr);
	uint64_t root = resolve_root(as, kind, root_paddr);
	struct arm64_leaf leaf;
	struct vmt_error *err;

	err = check_root(as, kind, root_paddr, vaddr);
	if (err)
		return err;
	if (arm64_pgtable_lookup(kind == ARM64_TABLE_KERNEL ? &as->kernel_geom :
							      &as->user_geom,
				 map_table, as, root, va, &leaf)) {
		*paddr_ret = leaf.paddr;
		return NULL;
	}
	return walk_slow(as, kind, root, vaddr, va, paddr_ret);
}

// Read the run [@p paddr, +@p len) that [@p vaddr, +@p len) maps to; on an
// error, page by page again so that the error names the page.
static struct vmt_error *read_run(struct address_space *as, uint64_t vaddr,
				  uint64_t paddr, uint8_t *out, size_t len)
{
	struct vmt_error *err = dump_read_phys(as->dump, paddr, out, len);
	uint64_t page = as->page_mask + 1;

	if (!err)
		return NULL;
	if (len > page - (vaddr & as->page_mask)) {
		vmt_error_destroy(err);
		while (len) {
			size_t n = (size_t)(page - (vaddr & as->page_mask));

			if (n > len)
				n = len;
			err = dump_read_phys(as->dump, paddr, out, n);
			if (err)
				break;
			out += n;
			vaddr += n;
			paddr += n;
			len -= n;
		}
		if (!err)
			return NULL;
	}
	err = vmt_error_wrap(err,
			     "reading virtual address %#" PRIx64
			     " (physical %#" PRIx64 ")",
			     vaddr, paddr);
	// Report the address the caller asked for; the PFN says where it
	// lives.
	return vmt_error_is_fault(err) ? vmt_error_set_address(err, vaddr) : err;
}

struct vmt_error *address_space_read(struct address_space *as,
				     enum arm64_table_kind kind,
				     uint64_t root_paddr, uint64_t vaddr,
				     void *buf, size_t len)
{
	uint64_t page = as->page_mask + 1;
	uint64_t run_va = 0, run_pa = 0;
	uint8_t *out = buf, *run_out = buf;
	size_t run_len = 0;

	// Pages that follow each other physically are read as one run: a
	// large read is a few file reads, not one per page.
	while (len) {
		size_t chunk = (size_t)(page - (vaddr & as->page_mask));
		struct vmt_error *err;
		uint64_t paddr;

		if (chunk > len)
			chunk = len;
		err = address_space_translate(as, kind, root_paddr, vaddr,
					      &paddr);
		if (err) {
			// Bytes before this page come first.
			if (run_len) {
				struct vmt_error *rerr = read_run(
					as, run_va, run_pa, run_out, run_len);

				if (rerr) {
					vmt_error_destroy(err);
					return rerr;
				}
			}
			return err;
		}
		if (run_len && paddr == run_pa + run_len) {
			run_len += chunk;
		} else {
			if (run_len) {
				err = read_run(as, run_va, run_pa, run_out,
					       run_len);
				if (err)
					return err;
			}
			run_va = vaddr;
			run_pa = paddr;
			run_out = out;
			run_len = chunk;
		}
		out += chunk;
		vaddr += chunk;
		len -= chunk;
	}
	return run_len ? read_run(as, run_va, run_pa, run_out, run_len) : NULL;
}

const void *address_space_map(struct address_space *as,
			      enum arm64_table_kind kind, uint64_t root_paddr,
			      uint64_t vaddr, size_t len)
{
	uint64_t page = as->page_mask + 1, first, pa;
	struct vmt_error *err;

	if (!len || vaddr + (len - 1) < vaddr)
		return NULL;
	err = address_space_translate(as, kind, root_paddr, vaddr, &first);
	// Every page where the first one's run puts it.
	for (uint64_t off = page - (vaddr & as->page_mask); !err && off < len;
	     off += page) {
		err = address_space_translate(as, kind, root_paddr,
					      vaddr + off, &pa);
		if (!err && pa != first + off) {
			vmt_error_destroy(err);
			return NULL;
		}
	}
	if (err) {
		vmt_error_destroy(err);
		return NULL;
	}
	return dump_map_phys(as->dump, first, len);
}
