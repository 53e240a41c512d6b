// The arm64 walker against page tables built in memory. The builder below
// encodes descriptors from the architecture's rules (ARM64-REFERENCE.md
// §2.1–2.2) on its own, and emulates what the CPU indexes (for the 64K
// 52->48 case: TTBR1 = swapper_pg_dir + TTBR1_BADDR_4852_OFFSET with 64
// entries); the expected PA is always the one the mapping was built with.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "arch/arm64/layout.h"
#include "arch/arm64/pgtable.h"
#include "base/error.h"

// ---- sparse physical memory: 8-byte words by PA, plus faulting pages ----

#define MEM_CAP (1u << 18)

struct fault_page {
	uint64_t page;
	enum vmt_fault_kind kind;
};

struct mem {
	uint64_t *keys; // PA | 1 (so that 0 means empty)
	uint64_t *vals;
	size_t nr;
	struct fault_page faults[8];
	int nr_faults;
	uint64_t fault_page_size;
	bool fail_other; // return a non-fault error for reads at fail_pa
	uint64_t fail_pa;
};

static struct mem *mem_new(void)
{
	struct mem *m = calloc(1, sizeof(*m));

	m->keys = calloc(MEM_CAP, sizeof(uint64_t));
	m->vals = calloc(MEM_CAP, sizeof(uint64_t));
	ck_assert(m->keys && m->vals);
	return m;
}

static void mem_free(struct mem *m)
{
	free(m->keys);
	free(m->vals);
	free(m);
}

static size_t mem_slot(const struct mem *m, uint64_t pa)
{
	uint64_t h = (pa >> 3) * UINT64_C(0x9E3779B97F4A7C15);
	size_t i = (size_t)(h >> 40) & (MEM_CAP - 1);

	while (m->keys[i] && m->keys[i] != (pa | 1))
		i = (i + 1) & (MEM_CAP - 1);
	return i;
}

static void mem_put(struct mem *m, uint64_t pa, uint64_t v)
{
	size_t i = mem_slot(m, pa);

	if (!m->keys[i]) {
		ck_assert(m->nr < MEM_CAP / 2);
		m->keys[i] = pa | 1;
		m->nr++;
	}
	m->vals[i] = v;
}

static uint64_t mem_get(const struct mem *m, uint64_t pa)
{
	size_t i = mem_slot(m, pa);

	return m->keys[i] ? m->vals[i] : 0;
}

static struct vmt_error *mem_read(void *arg, uint64_t paddr, void *buf,
				  size_t len)
{
	struct mem *m = arg;
	uint64_t v;

	ck_assert_uint_eq(len, 8);
	ck_assert_uint_eq(paddr & 7, 0);
	for (int i = 0; i < m->nr_faults; i++) {
		if ((paddr & ~(m->fault_page_size - 1)) == m->faults[i].page)
			return vmt_error_fault(m->faults[i].kind, paddr,
					       "physical address %#" PRIx64 " %s",
					       paddr,
					       m->faults[i].kind == VMT_FAULT_EXCLUDED ?
						       "excluded from the dump" :
						       "not in the dump");
	}
	if (m->fail_other && paddr == m->fail_pa)
		return vmt_error_format(VMT_ERROR_BAD_DATA, "corrupt page");
	v = mem_get(m, paddr);
	memcpy(buf, &v, 8); // tests run little-endian hosts
	return NULL;
}

// ---- the fast path (arm64_pgtable_lookup) against the full walk ----

static uint8_t map_buf[1 << 16];

static unsigned int map_page_shift;

// map_table_fn over struct mem: the page's words, NULL where the full walk
// would meet a fault or an error.
static const uint8_t *mem_map_page(void *arg, uint64_t page_paddr)
{
	struct mem *m = arg;
	uint64_t page_mask = ((uint64_t)1 << map_page_shift) - 1;
	size_t words = ((size_t)1 << map_page_shift) / 8;

	for (int i = 0; i < m->nr_faults; i++)
		if ((page_paddr & ~(m->fault_page_size - 1)) == m->faults[i].page)
			return NULL;
	if (m->fail_other && (m->fail_pa & ~page_mask) == page_paddr)
		return NULL;
	for (size_t i = 0; i < words; i++) {
		uint64_t v = mem_get(m, page_paddr + 8 * i);

		memcpy(map_buf + 8 * i, &v, 8);
	}
	return map_buf;
}

// arm64_pgtable_walk(), checked against the fast path: it must find
// exactly the MAPPED translations (same address, same size) and decline
// everything else.
static struct vmt_error *walk_both(const struct arm64_layout *l,
				   read_phys_fn *read, void *arg,
				   enum arm64_table_kind kind, uint64_t root,
				   uint64_t va, struct vmt_translation *t)
{
	struct vmt_error *err = arm64_pgtable_walk(l, read, arg, kind, root,
						   va, t);
	struct arm64_geom g;
	struct arm64_leaf leaf;
	bool fast;

	ck_assert(read == mem_read);
	arm64_geom_init(&g, l, kind);
	map_page_shift = l->page_shift;
	fast = arm64_pgtable_lookup(&g, mem_map_page, arg, root,
				    arm64_untag(l, va), &leaf);
	if (err || t->status != VMT_VTOP_MAPPED) {
		ck_assert_msg(!fast, "va %#" PRIx64 ": fast path found %#" PRIx64
			      " where the walk says %s", va, leaf.paddr,
			      err ? err->message : vmt_vtop_status_name(t->status));
		return err;
	}
	ck_assert_msg(fast, "va %#" PRIx64 ": fast path declined a mapped address",
		      va);
	ck_assert_uint_eq(leaf.paddr, t->paddr);
	ck_assert_uint_eq(leaf.size, t->page_size);
	ck_assert_int_eq(leaf.level, t->levels[t->nr_levels - 1].level);
	ck_assert_uint_eq(leaf.entry_paddr,
			  t->levels[t->nr_levels - 1].entry_paddr);
	return err;
}

// ---- independent descriptor encoder ----

enum mode { M48, MLVA, MLPA2 };

struct cfg {
	const char *name;
	unsigned int page_shift;
	unsigned int va_bits;
	unsigned int t1sz;
	// expectations straight from the table in §2.1
	unsigned int walk_va;
	unsigned int levels;
	unsigned int top_entries;
	enum mode mode;
	// 64K 52->48: the CPU uses T1SZ bits from swapper_pg_dir + offset
	bool fallback64;
};

static const struct cfg cfgs[] = {
	{ "4K/39", 12, 39, 25, 39, 3, 512, M48, false },
	{ "4K/48", 12, 48, 16, 48, 4, 512, M48, false },
	{ "4K/52 LPA2", 12, 52, 12, 52, 5, 16, MLPA2, false },
	{ "16K/36", 14, 36, 28, 36, 2, 2048, M48, false },
	{ "16K/47", 14, 47, 17, 47, 3, 2048, M48, false },
	{ "16K/48", 14, 48, 16, 48, 4, 2, M48, false },
	{ "16K/52 LPA2", 14, 52, 12, 52, 4, 32, MLPA2, false },
	{ "64K/42", 16, 42, 22, 42, 2, 8192, MLVA, false },
	{ "64K/48", 16, 48, 16, 48, 3, 64, MLVA, false },
	{ "64K/52 LVA", 16, 52, 12, 52, 3, 1024, MLVA, false },
	// VA 52 configured, running at 48/47
	{ "4K/52@48", 12, 52, 16, 48, 4, 512, M48, false },
	{ "16K/52@47", 14, 52, 17, 47, 3, 2048, M48, false },
	{ "64K/52@48", 16, 52, 16, 52, 3, 1024, MLVA, true },
};

#define NR_CFGS (sizeof(cfgs) / sizeof(cfgs[0]))

static uint64_t bits(unsigned int hi, unsigned int lo)
{
	return (~UINT64_C(0) >> (63 - hi)) & (~UINT64_C(0) << lo);
}

// Output-address field of a descriptor for @p pa (ARM ARM D8.3, §2.2).
static uint64_t enc_oa(enum mode mode, unsigned int ps, uint64_t pa)
{
	switch (mode) {
	case MLVA:
		ck_assert_uint_lt(pa, UINT64_C(1) << 52);
		return (pa & bits(47, 16)) | ((pa >> 48) & 0xf) << 12;
	case MLPA2:
		ck_assert_uint_lt(pa, UINT64_C(1) << 52);
		return (pa & bits(49, ps)) | ((pa >> 50) & 3) << 8;
	case M48:
		break;
	}
	ck_assert_uint_lt(pa, UINT64_C(1) << 48);
	return pa & bits(47, ps);
}

// Attribute and software noise: nothing here may reach the PA.
static uint64_t leaf_noise(enum mode mode, uint64_t seed)
{
	uint64_t n = UINT64_C(1) << 54 | UINT64_C(1) << 53 | // UXN, PXN
		     UINT64_C(1) << 52 | UINT64_C(1) << 51 | // CONT, DBM
		     UINT64_C(1) << 11 | UINT64_C(1) << 10 | // nG, AF
		     UINT64_C(3) << 6 | UINT64_C(1) << 5 |   // AP, NS
		     (seed % 8) << 2;                        // AttrIndx
	n |= (seed & 0xf) << 55 | (seed & 1) << 63;   // software bits
	if (mode != MLPA2)
		n |= UINT64_C(3) << 8; // SH = inner shareable
	return n;
}

static uint64_t table_noise(enum mode mode, uint64_t seed)
{
	// NSTable, APTable, UXN/PXNTable, ignored bits
	uint64_t n = (seed & 0x1f) << 59 | ((seed >> 5) & 0xf) << 55 |
		     UINT64_C(1) << 11 | UINT64_C(1) << 10;

	if (mode != MLPA2)
		n |= UINT64_C(3) << 8;
	return n;
}

// ---- table builder ----

struct builder {
	struct mem *mem;
	const struct cfg *c;
	uint64_t next_table; // PA allocator for tables
	unsigned int per;
	uint64_t seed;
};

static uint64_t hw_kernel_root(const struct cfg *c, uint64_t swapper)
{
	if (!c->fallback64)
		return swapper;
	// TTBR1_BADDR_4852_OFFSET = (2^(52-PGDIR_SHIFT) - 2^(48-PGDIR_SHIFT)) * 8
	return swapper + ((UINT64_C(1) << (52 - 42)) - (UINT64_C(1) << (48 - 42))) * 8;
}

// What the CPU walks: VA size = 64 - T1SZ; first level and its width.
static unsigned int hw_va(const struct cfg *c)
{
	return 64 - c->t1sz;
}

static uint64_t alloc_table(struct builder *b)
{
	uint64_t pa = b->next_table;

	b->next_table += UINT64_C(1) << b->c->page_shift;
	return pa;
}

// Map @p va to @p pa with a leaf at @p leaf_level (3 = page, else block),
// as the CPU would look it up from @p root. Returns the leaf entry's PA.
static uint64_t build(struct builder *b, uint64_t root, uint64_t va,
		      uint64_t pa, int leaf_level, uint64_t leaf)
{
	const struct cfg *c = b->c;
	unsigned int ps = c->page_shift, per = ps - 3;
	unsigned int vbits = hw_va(c);
	// levels the CPU walks for this T1SZ
	unsigned int lv = (vbits - ps + per - 1) / per;
	int level = 4 - (int)lv;
	uint64_t table = root;

	for (;; level++) {
		unsigned int shift = ps + per * (unsigned int)(3 - level);
		unsigned int width = level == 4 - (int)lv ? vbits - shift : per;
		uint64_t idx = (va >> shift) & ((UINT64_C(1) << width) - 1);
		uint64_t entry_pa = table + idx * 8;
		uint64_t e;

		if (level == leaf_level) {
			if (leaf == UINT64_MAX) {
				e = enc_oa(c->mode, ps, pa) |
				    leaf_noise(c->mode, b->seed++) |
				    (level == 3 ? 3 : 1);
			} else {
				e = leaf;
			}
			mem_put(b->mem, entry_pa, e);
			return entry_pa;
		}
		e = mem_get(b->mem, entry_pa);
		if (!e) {
			uint64_t t = alloc_table(b);

			e = enc_oa(c->mode, ps, t) | table_noise(c->mode, b->seed++) | 3;
			mem_put(b->mem, entry_pa, e);
		}
		// decode our own table pointer back
		switch (c->mode) {
		case MLVA:
			table = (e & bits(47, 16)) | ((e >> 12) & 0xf) << 48;
			break;
		case MLPA2:
			table = (e & bits(49, ps)) | ((e >> 8) & 3) << 50;
			break;
		case M48:
			table = e & bits(47, ps);
			break;
		}
	}
}

static void make_layout(const struct cfg *c, const char *osrelease,
			unsigned int max_physmem_bits, struct arm64_layout *l)
{
	char ps[32], va[32], t1[32], mpb[32], os[64];
	const char *ov[] = { ps, va, t1, mpb, os,
			     "PHYS_OFFSET=0x40000000",
			     "kimage_voffset=0xffff7fff40000000",
			     "swapper_pg_dir=ffff800081000000" };

	snprintf(ps, sizeof(ps), "PAGESIZE=%u", 1u << c->page_shift);
	snprintf(va, sizeof(va), "VA_BITS=%u", c->va_bits);
	snprintf(t1, sizeof(t1), "TCR_EL1_T1SZ=%#x", c->t1sz);
	snprintf(mpb, sizeof(mpb), "MAX_PHYSMEM_BITS=%u", max_physmem_bits);
	snprintf(os, sizeof(os), "OSRELEASE=%s", osrelease);
	vmt_ck_no_err(arm64_layout_init(l, NULL, ov, sizeof(ov) / sizeof(ov[0])));
}

// Interesting page-aligned PAs for a mode: every high bit it can carry.
static size_t pa_list(const struct cfg *c, uint64_t *out)
{
	uint64_t page = UINT64_C(1) << c->page_shift;
	size_t n = 0;

	out[n++] = UINT64_C(0x4000f000) & ~(page - 1); // [15:12] != 0 (D5)
	out[n++] = (UINT64_C(1) << 47) | (UINT64_C(0x5a5a5000) & ~(page - 1));
	out[n++] = (UINT64_C(1) << 48) - page;
	if (c->mode != M48) {
		out[n++] = UINT64_C(1) << 48;
		out[n++] = (UINT64_C(1) << 49) | (UINT64_C(1) << 48) |
			   (UINT64_C(0x1234f000) & ~(page - 1));
		out[n++] = UINT64_C(1) << 50;
		out[n++] = (UINT64_C(1) << 51) | (UINT64_C(0xabcdf000) & ~(page - 1));
		out[n++] = (UINT64_C(1) << 52) - page;
	}
	return n;
}

static uint64_t table_base(const struct cfg *c)
{
	// tables live high too, so that table pointers carry high PA bits
	return c->mode == M48 ? UINT64_C(0x0000c00000000000) :
				UINT64_C(0x000f800000000000);
}

static void check_mapped(const struct arm64_layout *l, struct mem *m,
			 enum arm64_table_kind kind, uint64_t root,
			 uint64_t va, uint64_t want_pa, uint64_t want_size,
			 const char *what)
{
	struct vmt_translation t;

	vmt_ck_no_err(walk_both(l, mem_read, m, kind, root, va, &t));
	ck_assert_msg(t.status == VMT_VTOP_MAPPED,
		      "%s: va %#" PRIx64 ": status %d (%s)", what, va,
		      t.status, t.note);
	ck_assert_msg(t.has_paddr && t.paddr == want_pa,
		      "%s: va %#" PRIx64 ": paddr %#" PRIx64 ", want %#" PRIx64,
		      what, va, t.paddr, want_pa);
	ck_assert_uint_eq(t.page_size, want_size);
}

// Row @p _i: geometry, then the first and last page of every top-level
// slot (kernel and user), each mapped to a PA with high bits.
START_TEST(geometry_row_maps_every_top_slot)
{
	const struct cfg *c = &cfgs[_i];
	unsigned int ps = c->page_shift, per = ps - 3;
	uint64_t page = UINT64_C(1) << ps;
	struct arm64_layout l;
	struct builder b = { 0 };
	uint64_t pas[16];
	size_t npas = pa_list(c, pas);
	uint64_t swapper = table_base(c) - 0x100000 * page;
	uint64_t user_pgd = swapper + 16 * page;
	unsigned int hwv = hw_va(c);
	unsigned int lv = (hwv - ps + per - 1) / per;
	unsigned int top_shift = ps + per * (lv - 1);
	uint64_t slots = UINT64_C(1) << (hwv - top_shift);
	uint64_t slot_size = UINT64_C(1) << top_shift;
	uint64_t k = 0;

	make_layout(c, "6.12.0", 52, &l);
	ck_assert_msg(l.kernel_walk_va_bits == c->walk_va && l.kernel_levels == c->levels &&
			      l.kernel_top_entries == c->top_entries,
		      "%s: walk %u bits %u levels %u entries", c->name,
		      l.kernel_walk_va_bits, l.kernel_levels, l.kernel_top_entries);
	ck_assert_int_eq(l.pa_mode, c->mode == M48 ? ARM64_PA_48 :
				    c->mode == MLVA ? ARM64_PA_LVA :
						      ARM64_PA_LPA2);
	ck_assert_uint_eq(l.user_levels, c->levels);
	ck_assert_uint_eq(l.user_top_entries, c->top_entries);
	if (c->fallback64)
		ck_assert_uint_eq(l.kernel_root_offset, (1024 - 64) * 8);

	b.mem = mem_new();
	b.c = c;
	b.next_table = table_base(c);
	b.per = per;
	for (uint64_t s = 0; s < slots; s++) {
		uint64_t kbase = -(UINT64_C(1) << hwv) + s * slot_size;
		uint64_t ubase = s * slot_size;
		uint64_t pa_first = pas[k++ % npas], pa_last = pas[k++ % npas];

		build(&b, hw_kernel_root(c, swapper), kbase, pa_first, 3, UINT64_MAX);
		build(&b, hw_kernel_root(c, swapper), kbase + slot_size - page,
		      pa_last, 3, UINT64_MAX);
		build(&b, user_pgd, ubase, pa_last, 3, UINT64_MAX);
		build(&b, user_pgd, ubase + slot_size - page, pa_first, 3, UINT64_MAX);
	}
	k = 0;
	for (uint64_t s = 0; s < slots; s++) {
		uint64_t kbase = -(UINT64_C(1) << hwv) + s * slot_size;
		uint64_t ubase = s * slot_size;
		uint64_t pa_first = pas[k++ % npas], pa_last = pas[k++ % npas];
		struct vmt_translation t;

		check_mapped(&l, b.mem, ARM64_TABLE_KERNEL, swapper, kbase + 0x18,
			     pa_first + 0x18, page, c->name);
		check_mapped(&l, b.mem, ARM64_TABLE_KERNEL, swapper,
			     kbase + slot_size - 1, pa_last + page - 1, page,
			     c->name);
		check_mapped(&l, b.mem, ARM64_TABLE_USER, user_pgd, ubase + 8,
			     pa_last + 8, page, c->name);
		check_mapped(&l, b.mem, ARM64_TABLE_USER, user_pgd,
			     ubase + slot_size - 8, pa_first + page - 8, page,
			     c->name);
		if (s == 0) {
			// top index the walker reports, and level names
			vmt_ck_no_err(walk_both(&l, mem_read, b.mem,
							 ARM64_TABLE_KERNEL,
							 swapper, kbase, &t));
			ck_assert_int_eq(t.nr_levels, (int)c->levels);
			ck_assert_str_eq(t.levels[0].name, "pgd");
			ck_assert_str_eq(t.levels[c->levels - 1].name, "pte");
			ck_assert_int_eq(t.levels[0].level, 4 - (int)c->levels);
			ck_assert_uint_eq(t.levels[0].index,
					  c->top_entries - slots);
			ck_assert_uint_eq(t.levels[0].entry_paddr,
					  swapper + (c->top_entries - slots) * 8);
			if (c->levels == 5)
				ck_assert_str_eq(t.levels[1].name, "p4d");
			if (c->levels == 3)
				ck_assert_str_eq(t.levels[1].name, "pmd");
		}
	}
	// the very first and last kernel addresses, the last user page
	check_mapped(&l, b.mem, ARM64_TABLE_KERNEL, swapper,
		     -(UINT64_C(1) << hwv), pas[0], page, c->name);
	check_mapped(&l, b.mem, ARM64_TABLE_KERNEL, swapper, UINT64_MAX,
		     pas[(2 * slots - 1) % npas] + page - 1, page, c->name);
	check_mapped(&l, b.mem, ARM64_TABLE_USER, user_pgd,
		     (UINT64_C(1) << hwv) - 1,
		     pas[(2 * slots - 2) % npas] + page - 1, page, c->name);
	mem_free(b.mem);
	arm64_layout_deinit(&l);
}
END_TEST

// Block mappings at the levels Linux uses, with high PA bits kept in
// [15:12] or [9:8]: decoded before masking (D2).
START_TEST(blocks_keep_high_pa_bits)
{
	const struct cfg *c = &cfgs[_i];
	unsigned int ps = c->page_shift, per = ps - 3;
	struct arm64_layout l;
	struct builder b = { 0 };
	uint64_t swapper = table_base(c) - 0x100000 * (UINT64_C(1) << ps);
	unsigned int hwv = hw_va(c);
	unsigned int lv = (hwv - ps + per - 1) / per;
	int first_level = 4 - (int)lv;
	int blk_levels[2];
	int nblk = 0;

	if (ps == 12) {
		blk_levels[nblk++] = 1;
		blk_levels[nblk++] = 2;
	} else {
		blk_levels[nblk++] = 2;
	}
	make_layout(c, "6.12.0", 52, &l);
	b.mem = mem_new();
	b.c = c;
	b.next_table = table_base(c);
	for (int j = 0; j < nblk; j++) {
		int level = blk_levels[j];
		unsigned int shift = ps + per * (unsigned int)(3 - level);
		uint64_t size = UINT64_C(1) << shift;
		uint64_t pa, va, off = (UINT64_C(0x123456789) & (size - 1)) | 8;

		if (level < first_level)
			continue; // level absent in this geometry
		if (c->mode == M48)
			pa = (UINT64_C(1) << 47) | (UINT64_C(3) << 36);
		else if (c->mode == MLVA)
			pa = (UINT64_C(0xa) << 48) | (UINT64_C(1) << 47) |
			     (UINT64_C(5) << 40);
		else
			pa = (UINT64_C(3) << 50) | (UINT64_C(2) << 48) |
			     (UINT64_C(1) << 47) | (UINT64_C(7) << 40);
		pa &= ~(size - 1);
		va = -(UINT64_C(1) << hwv) + (uint64_t)(j + 1) * 3 * size;
		build(&b, hw_kernel_root(c, swapper), va, pa, level, UINT64_MAX);
		check_mapped(&l, b.mem, ARM64_TABLE_KERNEL, swapper, va + off,
			     pa + off, size, c->name);
		// contiguous neighbours decode on their own
		build(&b, hw_kernel_root(c, swapper), va + size, pa + size,
		      level, UINT64_MAX);
		check_mapped(&l, b.mem, ARM64_TABLE_KERNEL, swapper,
			     va + size + off, pa + size + off, size, c->name);
	}
	mem_free(b.mem);
	arm64_layout_deinit(&l);
}
END_TEST

static const struct cfg *cfg_named(const char *name)
{
	for (size_t i = 0; i < NR_CFGS; i++) {
		if (strcmp(cfgs[i].name, name) == 0)
			return &cfgs[i];
	}
	ck_abort_msg("no cfg %s", name);
	return NULL;
}

struct fixture {
	const struct cfg *c;
	struct arm64_layout l;
	struct builder b;
	uint64_t swapper;
	uint64_t page;
};

static void fx_init(struct fixture *f, const char *cfg, const char *os,
		    unsigned int mpb)
{
	memset(f, 0, sizeof(*f));
	f->c = cfg_named(cfg);
	f->page = UINT64_C(1) << f->c->page_shift;
	make_layout(f->c, os, mpb, &f->l);
	f->b.mem = mem_new();
	f->b.c = f->c;
	f->b.next_table = table_base(f->c);
	f->swapper = table_base(f->c) - 0x100000 * f->page;
}

static void fx_deinit(struct fixture *f)
{
	mem_free(f->b.mem);
	arm64_layout_deinit(&f->l);
}

static struct vmt_translation fx_walk(struct fixture *f,
				      enum arm64_table_kind kind,
				      uint64_t va)
{
	struct vmt_translation t;

	vmt_ck_no_err(walk_both(&f->l, mem_read, f->b.mem, kind,
					 f->swapper, va, &t));
	return t;
}

// D5: with LPA2, PA bits [15:12] are ordinary address bits, and [9:8]
// carry PA[51:50]; without LPA2, [9:8] are SH bits.
START_TEST(desc_decoding_modes)
{
	struct fixture f;
	uint64_t desc;

	fx_init(&f, "4K/52 LPA2", "6.12.0", 52);
	desc = UINT64_C(0x000300004567f000) | UINT64_C(2) << 8 | 3 |
	       UINT64_C(0xf) << 55;
	ck_assert_uint_eq(arm64_desc_to_phys(&f.l, desc),
			  UINT64_C(0x000b00004567f000));
	fx_deinit(&f);

	fx_init(&f, "4K/52@48", "6.12.0", 52);
	desc = UINT64_C(0x000080004567f000) | UINT64_C(3) << 8 | 3;
	ck_assert_uint_eq(arm64_desc_to_phys(&f.l, desc),
			  UINT64_C(0x000080004567f000));
	fx_deinit(&f);

	fx_init(&f, "64K/48", "6.12.0", 52);
	desc = UINT64_C(0x0000800045670000) | UINT64_C(0xc) << 12 | 3 |
	       UINT64_C(3) << 8;
	ck_assert_uint_eq(arm64_desc_to_phys(&f.l, desc),
			  UINT64_C(0x000c800045670000));
	fx_deinit(&f);
}
END_TEST

START_TEST(rejects_type01_at_level3_and_disallowed_blocks)
{
	struct fixture f;
	struct vmt_translation t;
	uint64_t va;

	// type 01 at level 3
	fx_init(&f, "4K/48", "6.12.0", 48);
	va = UINT64_C(0xffff800000200000);
	build(&f.b, f.swapper, va, 0, 3,
	      enc_oa(M48, 12, 0x40001000) | leaf_noise(M48, 1) | 1);
	t = fx_walk(&f, ARM64_TABLE_KERNEL, va);
	ck_assert_int_eq(t.status, VMT_VTOP_INVALID);
	ck_assert_msg(strstr(t.note, "pte[") && strstr(t.note, "level 3"), "%s", t.note);
	ck_assert(!t.has_paddr);
	// 4K L0 512G block needs DS=1
	va = UINT64_C(0xffff000000000000);
	build(&f.b, f.swapper, va, 0, 0,
	      enc_oa(M48, 12, UINT64_C(0x8000000000)) | leaf_noise(M48, 1) | 1);
	t = fx_walk(&f, ARM64_TABLE_KERNEL, va);
	ck_assert_int_eq(t.status, VMT_VTOP_INVALID);
	ck_assert_msg(strstr(t.note, "pgd[") && strstr(t.note, "not allowed"), "%s", t.note);
	fx_deinit(&f);

	// 4K LPA2: L0 512G block is architecturally valid
	fx_init(&f, "4K/52 LPA2", "6.12.0", 52);
	va = -(UINT64_C(1) << 52) + (UINT64_C(5) << 39) + 0x1234567;
	build(&f.b, f.swapper, va, 0, 0,
	      enc_oa(MLPA2, 12, UINT64_C(0x000c008000000000)) |
		      leaf_noise(MLPA2, 3) | 1);
	check_mapped(&f.l, f.b.mem, ARM64_TABLE_KERNEL, f.swapper, va,
		     UINT64_C(0x000c008000000000) + 0x1234567,
		     UINT64_C(1) << 39, "4K L0 block");
	fx_deinit(&f);

	// 16K L1 (64G) block: only with LPA2
	fx_init(&f, "16K/48", "6.12.0", 48);
	va = UINT64_C(0xffff800000000000);
	build(&f.b, f.swapper, va, 0, 1,
	      enc_oa(M48, 14, UINT64_C(0x1000000000)) | leaf_noise(M48, 1) | 1);
	t = fx_walk(&f, ARM64_TABLE_KERNEL, va);
	ck_assert_int_eq(t.status, VMT_VTOP_INVALID);
	fx_deinit(&f);
	fx_init(&f, "16K/52 LPA2", "6.12.0", 52);
	va = -(UINT64_C(1) << 52) + (UINT64_C(3) << 36) + 0x55;
	build(&f.b, f.swapper, va, 0, 1,
	      enc_oa(MLPA2, 14, UINT64_C(0x0008001000000000)) |
		      leaf_noise(MLPA2, 1) | 1);
	check_mapped(&f.l, f.b.mem, ARM64_TABLE_KERNEL, f.swapper, va,
		     UINT64_C(0x0008001000000000) + 0x55, UINT64_C(1) << 36,
		     "16K L1 block");
	fx_deinit(&f);

	// 64K L1 4T block: only with 52-bit PAs
	fx_init(&f, "64K/48", "6.12.0", 48);
	va = UINT64_C(0xffff000000000000);
	build(&f.b, f.swapper, va, 0, 1,
	      enc_oa(MLVA, 16, 0) | leaf_noise(MLVA, 1) | 1);
	t = fx_walk(&f, ARM64_TABLE_KERNEL, va);
	ck_assert_int_eq(t.status, VMT_VTOP_INVALID);
	fx_deinit(&f);
	fx_init(&f, "64K/52 LVA", "6.12.0", 52);
	va = -(UINT64_C(1) << 52) + (UINT64_C(7) << 42) + 0x77;
	build(&f.b, f.swapper, va, 0, 1,
	      enc_oa(MLVA, 16, UINT64_C(0x000e000000000000)) |
		      leaf_noise(MLVA, 1) | 1);
	check_mapped(&f.l, f.b.mem, ARM64_TABLE_KERNEL, f.swapper, va,
		     UINT64_C(0x000e000000000000) + 0x77, UINT64_C(1) << 42,
		     "64K L1 block");
	fx_deinit(&f);
}
END_TEST

START_TEST(non_present_leaves)
{
	struct fixture f;
	struct vmt_translation t;
	uint64_t va = UINT64_C(0x0000aaaabbbb0000) & ~UINT64_C(0xfff);
	uint64_t pa = UINT64_C(0x0000812345678000);
	uint64_t pte_pa;

	// 6.10+ rules (also when the version is unknown)
	fx_init(&f, "4K/48", "6.12.0", 48);
	// zero leaf
	pte_pa = build(&f.b, f.swapper, va, 0, 3, 0);
	t = fx_walk(&f, ARM64_TABLE_USER, va);
	ck_assert_int_eq(t.status, VMT_VTOP_NOT_MAPPED);
	ck_assert_int_eq(t.nr_levels, 4);
	// PROT_NONE: PTE_PRESENT_INVALID (bit 11) with VALID = 0 (PAGE_NONE)
	mem_put(f.b.mem, pte_pa,
		enc_oa(M48, 12, pa) | UINT64_C(1) << 11 | UINT64_C(1) << 10 |
			UINT64_C(3) << 8 | UINT64_C(1) << 7 | UINT64_C(3) << 53 | 2);
	t = fx_walk(&f, ARM64_TABLE_USER, va + 0x10);
	ck_assert_int_eq(t.status, VMT_VTOP_PROT_NONE);
	ck_assert(t.has_paddr);
	ck_assert_uint_eq(t.paddr, pa + 0x10);
	// swap entry: type [10:6], offset from bit 12, exclusive bit 2
	mem_put(f.b.mem, pte_pa, UINT64_C(17) << 6 | UINT64_C(0x12345) << 12 |
					  UINT64_C(1) << 2);
	t = fx_walk(&f, ARM64_TABLE_USER, va);
	ck_assert_int_eq(t.status, VMT_VTOP_SWAP);
	ck_assert_uint_eq(t.swap_type, 17);
	ck_assert_uint_eq(t.swap_offset, 0x12345);
	ck_assert(!t.has_paddr);
	// bit 58 means nothing on 6.10+: a swap entry with a huge offset
	mem_put(f.b.mem, pte_pa, UINT64_C(1) << 58 | UINT64_C(3) << 6);
	t = fx_walk(&f, ARM64_TABLE_USER, va);
	ck_assert_int_eq(t.status, VMT_VTOP_SWAP);
	ck_assert_uint_eq(t.swap_type, 3);
	ck_assert_uint_eq(t.swap_offset, UINT64_C(1) << 46);
	// invalid intermediate entry
	{
		struct vmt_translation t2 = fx_walk(&f, ARM64_TABLE_USER, va);
		uint64_t pmd_pa = t2.levels[2].entry_paddr;
		uint64_t saved = mem_get(f.b.mem, pmd_pa);

		mem_put(f.b.mem, pmd_pa, saved & ~UINT64_C(1));
		t = fx_walk(&f, ARM64_TABLE_USER, va);
		ck_assert_int_eq(t.status, VMT_VTOP_NOT_MAPPED);
		ck_assert_int_eq(t.nr_levels, 3);
		ck_assert_str_eq(t.levels[2].name, "pmd");
		ck_assert_msg(strstr(t.note, "pmd["), "%s", t.note);
		mem_put(f.b.mem, pmd_pa, saved);
	}
	fx_deinit(&f);

	// 5.19–6.9: PROT_NONE is bit 58; swap type [7:3], offset from bit 8
	fx_init(&f, "4K/48", "6.1.0-50-arm64", 48);
	pte_pa = build(&f.b, f.swapper, va, 0, 3, 0);
	mem_put(f.b.mem, pte_pa,
		enc_oa(M48, 12, pa) | UINT64_C(1) << 58 | UINT64_C(1) << 10 |
			UINT64_C(3) << 8 | 2);
	t = fx_walk(&f, ARM64_TABLE_USER, va + 0x20);
	ck_assert_int_eq(t.status, VMT_VTOP_PROT_NONE);
	ck_assert_uint_eq(t.paddr, pa + 0x20);
	mem_put(f.b.mem, pte_pa, UINT64_C(9) << 3 | UINT64_C(0xabcde) << 8 |
					  UINT64_C(1) << 2);
	t = fx_walk(&f, ARM64_TABLE_USER, va);
	ck_assert_int_eq(t.status, VMT_VTOP_SWAP);
	ck_assert_uint_eq(t.swap_type, 9);
	ck_assert_uint_eq(t.swap_offset, 0xabcde);
	// bit 11 alone is a swap offset bit here, not PROT_NONE
	mem_put(f.b.mem, pte_pa, UINT64_C(1) << 11 | UINT64_C(2) << 3);
	t = fx_walk(&f, ARM64_TABLE_USER, va);
	ck_assert_int_eq(t.status, VMT_VTOP_SWAP);
	ck_assert_uint_eq(t.swap_offset, 8);
	fx_deinit(&f);

	// 4.0–5.18: type [7:2], offset from bit 8
	fx_init(&f, "4K/48", "5.10.0", 48);
	pte_pa = build(&f.b, f.swapper, va, 0, 3, 0);
	mem_put(f.b.mem, pte_pa, UINT64_C(33) << 2 | UINT64_C(0x777) << 8);
	t = fx_walk(&f, ARM64_TABLE_USER, va);
	ck_assert_int_eq(t.status, VMT_VTOP_SWAP);
	ck_assert_uint_eq(t.swap_type, 33);
	ck_assert_uint_eq(t.swap_offset, 0x777);
	fx_deinit(&f);

	// 3.x: bit 2 PTE_FILE, type [8:3], offset [57:9]
	fx_init(&f, "4K/48", "3.18.0", 48);
	pte_pa = build(&f.b, f.swapper, va, 0, 3, 0);
	mem_put(f.b.mem, pte_pa, UINT64_C(45) << 3 | UINT64_C(0x1234) << 9);
	t = fx_walk(&f, ARM64_TABLE_USER, va);
	ck_assert_int_eq(t.status, VMT_VTOP_SWAP);
	ck_assert_uint_eq(t.swap_type, 45);
	ck_assert_uint_eq(t.swap_offset, 0x1234);
	fx_deinit(&f);

	// PROT_NONE huge PMD (6.10+, 64K 512M) decodes like a block
	fx_init(&f, "64K/48", "6.12.0", 52);
	{
		uint64_t bva = UINT64_C(0x0000500000000000);
		uint64_t bpa = UINT64_C(0x0009000020000000);

		build(&f.b, f.swapper, bva, 0, 2,
		      enc_oa(MLVA, 16, bpa) | UINT64_C(1) << 11 | UINT64_C(1) << 10);
		t = fx_walk(&f, ARM64_TABLE_USER, bva + 0x123456);
		ck_assert_int_eq(t.status, VMT_VTOP_PROT_NONE);
		ck_assert_uint_eq(t.paddr, bpa + 0x123456);
		ck_assert_uint_eq(t.page_size, UINT64_C(1) << 29);
	}
	fx_deinit(&f);
}
END_TEST

START_TEST(unreadable_tables_name_level_index_and_entry)
{
	struct fixture f;
	struct vmt_translation t;
	uint64_t va = UINT64_C(0xffff800012345000);
	struct vmt_error *err;
	char want[64];

	fx_init(&f, "4K/48", "6.12.0", 48);
	build(&f.b, f.swapper, va, 0x40000000, 3, UINT64_MAX);
	t = fx_walk(&f, ARM64_TABLE_KERNEL, va);
	ck_assert_int_eq(t.status, VMT_VTOP_MAPPED);
	// the PTE table is excluded from the dump
	f.b.mem->fault_page_size = f.page;
	f.b.mem->faults[0].page = t.levels[3].entry_paddr & ~(f.page - 1);
	f.b.mem->faults[0].kind = VMT_FAULT_EXCLUDED;
	f.b.mem->nr_faults = 1;
	t = fx_walk(&f, ARM64_TABLE_KERNEL, va);
	ck_assert_int_eq(t.status, VMT_VTOP_EXCLUDED);
	ck_assert(!t.has_paddr);
	snprintf(want, sizeof(want), "pte[%u] at %#" PRIx64,
		 (unsigned int)((va >> 12) & 511), t.levels[3].entry_paddr);
	ck_assert_msg(strstr(t.note, want), "%s lacks %s", t.note, want);
	snprintf(want, sizeof(want), "pmd = %#" PRIx64, t.levels[2].entry);
	ck_assert_msg(strstr(t.note, want), "%s lacks %s", t.note, want);
	ck_assert_msg(strstr(t.note, "not readable"), "%s", t.note);
	// a hole: not in the dump
	f.b.mem->faults[0].kind = VMT_FAULT_NOT_IN_DUMP;
	t = fx_walk(&f, ARM64_TABLE_KERNEL, va);
	ck_assert_int_eq(t.status, VMT_VTOP_NOT_IN_DUMP);
	// any other failure is an error naming the entry
	f.b.mem->nr_faults = 0;
	f.b.mem->fail_other = true;
	f.b.mem->fail_pa = t.levels[3].entry_paddr;
	err = walk_both(&f.l, mem_read, f.b.mem, ARM64_TABLE_KERNEL,
				 f.swapper, va, &t);
	ck_assert(err);
	ck_assert_msg(strstr(err->message, "pte["), "%s", err->message);
	vmt_error_destroy(err);
	fx_deinit(&f);
}
END_TEST

START_TEST(tags_and_pac_are_stripped)
{
	struct fixture f;
	uint64_t va = UINT64_C(0xffff800012345000);

	fx_init(&f, "4K/48", "6.12.0", 48);
	build(&f.b, f.swapper, va, UINT64_C(0x800040000000), 3, UINT64_MAX);
	// MTE tag in the top byte, PAC in [54:48]
	check_mapped(&f.l, f.b.mem, ARM64_TABLE_KERNEL, f.swapper,
		     (va & ~(UINT64_C(0xff) << 56)) | UINT64_C(0xf4) << 56 | 0x10,
		     UINT64_C(0x800040000010), 4096, "MTE tag");
	check_mapped(&f.l, f.b.mem, ARM64_TABLE_KERNEL, f.swapper,
		     (va & ~bits(54, 48)) | UINT64_C(0x2a) << 48 | 0x20,
		     UINT64_C(0x800040000020), 4096, "PAC");
	// a user address is not in TTBR1
	{
		struct vmt_translation t = fx_walk(&f, ARM64_TABLE_KERNEL, 0x1000);

		ck_assert_int_eq(t.status, VMT_VTOP_NOT_MAPPED);
	}
	fx_deinit(&f);
}
END_TEST

// VA 52 configured, running at 48/47: the walk of a linear address (as the
// CPU would index it) and the kernel's __lm_to_phys with the wrapped
// PHYS_OFFSET must agree (D1, D4, D6).
START_TEST(fallback_walk_agrees_with_linear_formula)
{
	static const char *const rows[] = { "4K/52@48", "16K/52@47", "64K/52@48" };
	const struct cfg *c = cfg_named(rows[_i]);
	unsigned int actual = hw_va(c);
	uint64_t dram = 0x40000000;
	uint64_t phys_offset = dram - ((-(UINT64_C(1) << actual)) -
				       (-(UINT64_C(1) << 52)));
	uint64_t page = UINT64_C(1) << c->page_shift;
	char ps[32], t1[32], po[64];
	const char *ov[] = { ps, "VA_BITS=52", t1, po, "OSRELEASE=6.12.0",
			     "kimage_voffset=0xffff7fff40000000",
			     "swapper_pg_dir=ffff800081000000" };
	struct arm64_layout l;
	struct builder b = { 0 };
	uint64_t swapper = 0x48000000;

	snprintf(ps, sizeof(ps), "PAGESIZE=%u", 1u << c->page_shift);
	snprintf(t1, sizeof(t1), "TCR_EL1_T1SZ=%u", c->t1sz);
	snprintf(po, sizeof(po), "PHYS_OFFSET=%#" PRIx64, phys_offset);
	vmt_ck_no_err(arm64_layout_init(&l, NULL, ov, sizeof(ov) / sizeof(ov[0])));
	b.mem = mem_new();
	b.c = c;
	b.next_table = 0x48100000;
	for (uint64_t k = 0; k < 64; k++) {
		uint64_t pa = dram + k * 37 * page;
		// __phys_to_virt
		uint64_t va = (pa - phys_offset) | (-(UINT64_C(1) << 52));
		uint64_t formula;
		struct vmt_translation t;

		ck_assert_uint_eq(va >> actual, ~UINT64_C(0) >> actual);
		build(&b, hw_kernel_root(c, swapper), va, pa, 3, UINT64_MAX);
		vmt_ck_no_err(walk_both(&l, mem_read, b.mem,
						 ARM64_TABLE_KERNEL, swapper,
						 va + 0x40, &t));
		ck_assert_int_eq(t.status, VMT_VTOP_MAPPED);
		ck_assert_uint_eq(t.paddr, pa + 0x40);
		ck_assert(arm64_formula_vtop(&l, va + 0x40, &formula));
		ck_assert_uint_eq(formula, t.paddr);
		ck_assert_uint_eq(arm64_phys_to_linear(&l, pa), va);
	}
	mem_free(b.mem);
	arm64_layout_deinit(&l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("arm64_pgtable");
	TCase *tc = tcase_create("walk");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, geometry_row_maps_every_top_slot, 0, NR_CFGS);
	tcase_add_loop_test(tc, blocks_keep_high_pa_bits, 0, NR_CFGS);
	tcase_add_loop_test(tc, fallback_walk_agrees_with_linear_formula, 0, 3);
	tcase_add_test(tc, desc_decoding_modes);
	tcase_add_test(tc, rejects_type01_at_level3_and_disallowed_blocks);
	tcase_add_test(tc, non_present_leaves);
	tcase_add_test(tc, unreadable_tables_name_level_index_and_entry);
	tcase_add_test(tc, tags_and_pac_are_stripped);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
