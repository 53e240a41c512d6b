// The memmap walker over struct pages laid out in memory: the page
// classes of makedumpfile's dump levels for the three ways kernels mark
// page types (exact _mapcount values before 4.18, a cleared bit until
// 6.11, a top-byte value since 6.12), folio orders in page[1]
// (compound_order byte, or _flags_1 since 6.6), tails judged by their
// head, unreadable memmap pages, and mem_section checks.
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "arch/arm64/layout.h"
#include "base/error.h"
#include "kernel/memmap.h"
#include "kernel/memmap_free.h"
#include "vmcoreinfo/vmcoreinfo.h"

#define VMEMMAP 0xfffffc0000000000ULL
#define SP 64 // SIZE(page)
#define NR_PFNS 0x400

// Struct pages of PFNs [0, NR_PFNS) at VMEMMAP, plus other regions.
struct fake_mem {
	struct region {
		uint64_t addr;
		size_t len;
		unsigned char *data;
	} r[8];
	int n;
	// PFNs whose struct pages read as a fault.
	uint64_t hole_start, hole_end;
	unsigned int nr_reads;
};

static struct fake_mem mem;

static unsigned char *add_region(uint64_t addr, size_t len)
{
	struct region *r = &mem.r[mem.n++];

	r->addr = addr;
	r->len = len;
	r->data = calloc(1, len);
	ck_assert_ptr_nonnull(r->data);
	return r->data;
}

static struct vmt_error *fake_read(void *arg, uint64_t addr, void *buf,
				   size_t len)
{
	(void)arg;
	mem.nr_reads++;
	for (int i = 0; i < mem.n; i++) {
		struct region *r = &mem.r[i];

		if (addr < r->addr || addr + len > r->addr + r->len)
			continue;
		if (i == 0 && mem.hole_end > mem.hole_start) {
			uint64_t lo = VMEMMAP + mem.hole_start * SP;
			uint64_t hi = VMEMMAP + mem.hole_end * SP;

			if (addr < hi && addr + len > lo)
				return vmt_error_fault(VMT_FAULT_EXCLUDED, addr,
						       "excluded");
		}
		memcpy(buf, r->data + (addr - r->addr), len);
		return NULL;
	}
	return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr, "not mapped %#llx",
			       (unsigned long long)addr);
}

static unsigned char *pages;

static void reset_mem(void)
{
	for (int i = 0; i < mem.n; i++)
		free(mem.r[i].data);
	memset(&mem, 0, sizeof(mem));
	pages = add_region(VMEMMAP, NR_PFNS * SP);
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

// Offsets of both layouts below (6.1 and 6.12 agree on these).
#define O_FLAGS 0
#define O_HEAD 8
#define O_DTOR 16
#define O_ORDER 17
#define O_MAPPING 24
#define O_PRIVATE 40
#define O_MAPCOUNT 48
#define O_REFCOUNT 52

static unsigned char *pg(uint64_t pfn)
{
	return pages + pfn * SP;
}

// A fresh page: no flags, _mapcount -1 (no type), refcount 1.
static void page_init(uint64_t pfn)
{
	memset(pg(pfn), 0, SP);
	put32(pg(pfn) + O_MAPCOUNT, 0xffffffffu);
	put32(pg(pfn) + O_REFCOUNT, 1);
}

static void set_flags(uint64_t pfn, uint64_t flags)
{
	put64(pg(pfn) + O_FLAGS, flags);
}

static void set_tails(uint64_t head, unsigned int order)
{
	for (uint64_t t = head + 1; t < head + (1u << order); t++) {
		page_init(t);
		put64(pg(t) + O_HEAD, (VMEMMAP + head * SP) | 1);
	}
}

static const char vi_61[] =
	"OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
	"SYMBOL(vmemmap)=fffffc0000000000\n"
	"SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\nOFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\nOFFSET(page.compound_dtor)=16\n"
	"OFFSET(page.compound_order)=17\nOFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\nNUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=19\nNUMBER(PG_slab)=9\nNUMBER(PG_hwpoison)=22\n"
	"NUMBER(PG_head_mask)=65536\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\nNUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";

static const char vi_612[] =
	"OSRELEASE=6.12.0-test\nPAGESIZE=4096\n"
	"SYMBOL(vmemmap)=fffffc0000000000\n"
	"SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\nOFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\nOFFSET(page.compound_head)=8\n"
	"LENGTH(zone.free_area)=11\n"
	"NUMBER(PG_lru)=5\nNUMBER(PG_private)=14\nNUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=17\nNUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n"
	"NUMBER(PG_head_mask)=64\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
	"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n";

struct setup {
	struct vmcoreinfo vi;
	struct arm64_layout layout;
	struct memmap_layout ml;
	struct memmap_walk w;
};

static void setup(struct setup *s, const char *text, unsigned int kver)
{
	memset(s, 0, sizeof(*s));
	vmt_ck_no_err(vmcoreinfo_parse(text, strlen(text), &s->vi));
	s->layout.kernel_version = kver;
	s->layout.page_size = 4096;
	s->layout.flipped = true;
	vmt_ck_no_err(memmap_layout_init(&s->ml, &s->vi, &s->layout, false));
	vmt_ck_no_err(memmap_walk_init(&s->w, &s->ml, fake_read, NULL));
}

static void teardown(struct setup *s)
{
	memmap_walk_deinit(&s->w);
	memmap_layout_deinit(&s->ml);
	vmcoreinfo_deinit(&s->vi);
}

static void classify(struct setup *s, uint64_t pfn, uint64_t nr, uint8_t *out)
{
	vmt_ck_no_err(memmap_walk_classify(&s->w, pfn, nr, out));
}

#define CLS(b) MEMMAP_CLASS(b)

// 6.1: PG_slab, exact buddy and offline values, compound_order/dtor.
static void build_61(void)
{
	reset_mem();
	for (uint64_t p = 0; p < NR_PFNS; p++)
		page_init(p);
	// 0x100: a free block of order 2.
	put32(pg(0x100) + O_MAPCOUNT, (uint32_t)-129);
	put64(pg(0x100) + O_PRIVATE, 2);
	// 0x104 cache, 0x105 cache with PG_private, 0x106 anon on the LRU.
	set_flags(0x104, 1 << 4);
	put64(pg(0x104) + O_MAPPING, 0xffff000012345600ULL);
	set_flags(0x105, 1 << 4 | 1 << 13);
	put64(pg(0x105) + O_MAPPING, 0xffff000012345600ULL);
	set_flags(0x106, 1 << 4);
	put64(pg(0x106) + O_MAPPING, 0xffff000012345601ULL);
	// 0x107 swap cache (swapbacked), 0x108 PG_owner_priv_1 alone.
	set_flags(0x107, 1 << 10 | 1 << 19);
	put64(pg(0x107) + O_MAPPING, 0xffff000012345600ULL);
	set_flags(0x108, 1 << 10);
	// 0x10a: slab whose struct slab word at mapping looks odd.
	set_flags(0x10a, 1 << 9);
	put64(pg(0x10a) + O_MAPPING, 0xffff000012345601ULL);
	// 0x110: a hugetlb folio of order 4 (dtor in page[1]).
	set_flags(0x110, 1 << 16);
	set_tails(0x110, 4);
	pg(0x111)[O_ORDER] = 4;
	pg(0x111)[O_DTOR] = 2;
	// 0x120: an anonymous folio of order 3.
	set_flags(0x120, 1 << 16 | 1 << 4);
	put64(pg(0x120) + O_MAPPING, 0xffff000022222201ULL);
	set_tails(0x120, 3);
	pg(0x121)[O_ORDER] = 3;
	// 0x128 hwpoison, 0x129 offline, 0x12a shared (refcount 3).
	set_flags(0x128, 1 << 22);
	put32(pg(0x129) + O_MAPCOUNT, (uint32_t)-257);
	put32(pg(0x12a) + O_REFCOUNT, 3);
	// 0x140: a cache folio of order 1.
	set_flags(0x140, 1 << 16 | 1 << 4);
	put64(pg(0x140) + O_MAPPING, 0xffff000012345600ULL);
	set_tails(0x140, 1);
	pg(0x141)[O_ORDER] = 1;
	// 0x180: a buddy head whose order is beyond the zone's free areas.
	put32(pg(0x180) + O_MAPCOUNT, (uint32_t)-129);
	put64(pg(0x180) + O_PRIVATE, 11);
}

START_TEST(classes_of_a_6_1_memmap)
{
	struct setup s;
	uint8_t c[0x100];

	build_61();
	setup(&s, vi_61, ARM64_KVER(6, 1, 0));
	classify(&s, 0x100, 0x90, c);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(CLS(c[i]), VMT_PAGE_FREE);
	ck_assert_int_eq(CLS(c[4]), VMT_PAGE_CACHE);
	ck_assert_int_eq(CLS(c[5]), VMT_PAGE_CACHE_PRIVATE);
	ck_assert_int_eq(CLS(c[6]), VMT_PAGE_USER);
	ck_assert_int_eq(CLS(c[7]), VMT_PAGE_CACHE);
	ck_assert_int_eq(CLS(c[8]), VMT_PAGE_KERNEL);
	ck_assert_int_eq(CLS(c[0xa]), VMT_PAGE_SLAB);
	for (int i = 0x10; i < 0x20; i++)
		ck_assert_int_eq(CLS(c[i]), VMT_PAGE_HUGETLB);
	for (int i = 0x20; i < 0x28; i++)
		ck_assert_int_eq(CLS(c[i]), VMT_PAGE_USER);
	ck_assert_int_eq(CLS(c[0x28]), VMT_PAGE_KERNEL);
	ck_assert(c[0x28] & MEMMAP_HWPOISON);
	ck_assert_int_eq(CLS(c[0x29]), VMT_PAGE_OFFLINE);
	ck_assert(c[0x2a] & MEMMAP_SHARED);
	ck_assert(!(c[0x2b] & MEMMAP_SHARED));
	ck_assert_int_eq(CLS(c[0x40]), VMT_PAGE_CACHE);
	ck_assert_int_eq(CLS(c[0x41]), VMT_PAGE_CACHE);
	// An implausible buddy order is not a free block.
	ck_assert_int_eq(CLS(c[0x80]), VMT_PAGE_KERNEL);
	ck_assert_int_eq(CLS(c[0x81]), VMT_PAGE_KERNEL);
	teardown(&s);
}
END_TEST

START_TEST(dump_levels_exclude_their_classes)
{
	ck_assert(memmap_excluded(VMT_PAGE_FREE, 16));
	ck_assert(!memmap_excluded(VMT_PAGE_FREE, 15));
	ck_assert(memmap_excluded(VMT_PAGE_CACHE, 2));
	ck_assert(memmap_excluded(VMT_PAGE_CACHE, 4));
	ck_assert(!memmap_excluded(VMT_PAGE_CACHE_PRIVATE, 2));
	ck_assert(memmap_excluded(VMT_PAGE_CACHE_PRIVATE, 4));
	ck_assert(memmap_excluded(VMT_PAGE_USER, 8));
	ck_assert(memmap_excluded(VMT_PAGE_HUGETLB, 8));
	ck_assert(!memmap_excluded(VMT_PAGE_USER, 7));
	for (unsigned int l = 0; l < 32; l++) {
		ck_assert(memmap_excluded(VMT_PAGE_OFFLINE, l));
		ck_assert(memmap_excluded(VMT_PAGE_KERNEL | MEMMAP_HWPOISON, l));
		ck_assert(!memmap_excluded(VMT_PAGE_KERNEL, l));
		ck_assert(!memmap_excluded(VMT_PAGE_SLAB, l));
		ck_assert(!memmap_excluded(VMT_PAGE_RESERVED, l));
		ck_assert(!memmap_excluded(VMT_PAGE_UNKNOWN, l));
		ck_assert(!memmap_excluded(VMT_PAGE_KERNEL | MEMMAP_SHARED, l));
	}
	ck_assert_uint_eq(vmt_page_class_dump_level(VMT_PAGE_SLAB), 0);
}
END_TEST

START_TEST(a_folio_covers_its_tails_across_calls)
{
	struct setup s;
	uint8_t c[16];

	build_61();
	setup(&s, vi_61, ARM64_KVER(6, 1, 0));
	classify(&s, 0x110, 4, c);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(CLS(c[i]), VMT_PAGE_HUGETLB);
	classify(&s, 0x114, 12, c);
	for (int i = 0; i < 12; i++)
		ck_assert_int_eq(CLS(c[i]), VMT_PAGE_HUGETLB);
	teardown(&s);
}
END_TEST

START_TEST(a_tail_without_its_head_is_judged_by_the_head)
{
	struct setup s;
	uint8_t c[8];

	build_61();
	setup(&s, vi_61, ARM64_KVER(6, 1, 0));
	// Start inside the hugetlb folio and the cache folio.
	classify(&s, 0x119, 3, c);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(CLS(c[i]), VMT_PAGE_HUGETLB);
	memmap_walk_reset(&s.w);
	classify(&s, 0x141, 1, c);
	ck_assert_int_eq(CLS(c[0]), VMT_PAGE_CACHE);
	teardown(&s);
}
END_TEST

START_TEST(unreadable_struct_pages_are_unknown)
{
	struct setup s;
	uint8_t c[0x80];

	build_61();
	// Half a memmap page, and a whole one, excluded.
	mem.hole_start = 0x220;
	mem.hole_end = 0x280;
	setup(&s, vi_61, ARM64_KVER(6, 1, 0));
	classify(&s, 0x200, 0x80, c);
	for (int i = 0; i < 0x80; i++)
		ck_assert_int_eq(CLS(c[i]), i >= 0x20 && i < 0x80 ?
						    VMT_PAGE_UNKNOWN :
						    VMT_PAGE_KERNEL);
	ck_assert_uint_eq(s.w.nr_unreadable, 0x60);
	teardown(&s);
}
END_TEST

START_TEST(struct_page_of_one_pfn)
{
	struct setup s;
	struct vmt_page p;

	build_61();
	setup(&s, vi_61, ARM64_KVER(6, 1, 0));
	vmt_ck_no_err(memmap_read_page(&s.w, 0x120, &p));
	ck_assert(p.head && !p.tail);
	ck_assert_uint_eq(p.order, 3);
	ck_assert_uint_eq(p.page, VMEMMAP + 0x120 * SP);
	ck_assert_uint_eq(p.paddr, 0x120000);
	ck_assert_uint_eq(p.mapping, 0xffff000022222201ULL);
	ck_assert_int_eq(p.cls, VMT_PAGE_USER);
	ck_assert_int_eq(p.mapcount, -1);
	ck_assert_int_eq(p.refcount, 1);
	vmt_ck_no_err(memmap_read_page(&s.w, 0x123, &p));
	ck_assert(p.tail && !p.head);
	ck_assert_uint_eq(p.head_page, VMEMMAP + 0x120 * SP);
	ck_assert_int_eq(p.cls, VMT_PAGE_USER);
	vmt_ck_no_err(memmap_read_page(&s.w, 0x100, &p));
	ck_assert_int_eq(p.cls, VMT_PAGE_FREE);
	ck_assert_uint_eq(p.order, 2);
	// Inside the free block: only its head is marked.
	vmt_ck_no_err(memmap_read_page(&s.w, 0x103, &p));
	ck_assert_int_eq(p.cls, VMT_PAGE_FREE);
	vmt_ck_no_err(memmap_read_page(&s.w, 0x104, &p));
	ck_assert_int_eq(p.cls, VMT_PAGE_CACHE);
	mem.hole_start = 0x300;
	mem.hole_end = 0x340;
	s.w.block_valid = false;
	vmt_ck_err(memmap_read_page(&s.w, 0x310, &p), VMT_ERROR_FAULT);
	teardown(&s);
}
END_TEST

// 6.12: one page type per page in the top byte, the folio order in
// page[1].flags, PG_slab gone.
START_TEST(classes_of_a_6_12_memmap)
{
	struct setup s;
	uint8_t c[0x40];

	reset_mem();
	for (uint64_t p = 0; p < NR_PFNS; p++)
		page_init(p);
	// A free block of order 1 whose page_type keeps data in low bits.
	put32(pg(0x100) + O_MAPCOUNT, 0xf0000012u);
	put64(pg(0x100) + O_PRIVATE, 1);
	// A slab folio of order 2.
	set_flags(0x104, 64);
	put32(pg(0x104) + O_MAPCOUNT, 0xf5000000u);
	set_tails(0x104, 2);
	put64(pg(0x105) + O_FLAGS, 2);
	// A hugetlb folio of order 3.
	set_flags(0x108, 64);
	put32(pg(0x108) + O_MAPCOUNT, 0xf4000000u);
	set_tails(0x108, 3);
	put64(pg(0x109) + O_FLAGS, 3);
	// Offline, and a mapped page (mapcount 0) that no type matches.
	put32(pg(0x110) + O_MAPCOUNT, 0xf1000000u);
	put32(pg(0x111) + O_MAPCOUNT, 0);
	set_flags(0x111, 1 << 5);
	put64(pg(0x111) + O_MAPPING, 0xffff000012345601ULL);
	// A page table (6.12 PGTY_table), known only from types.
	put32(pg(0x112) + O_MAPCOUNT, 0xf2000000u);

	setup(&s, vi_612, ARM64_KVER(6, 12, 0));
	ck_assert_int_eq(s.ml.order_source, MEMMAP_ORDER_FLAGS1);
	s.ml.table.known = true;
	s.ml.table.value = 0xf2000000u;
	classify(&s, 0x100, 0x20, c);
	ck_assert_int_eq(CLS(c[0]), VMT_PAGE_FREE);
	ck_assert_int_eq(CLS(c[1]), VMT_PAGE_FREE);
	ck_assert_int_eq(CLS(c[2]), VMT_PAGE_KERNEL);
	for (int i = 4; i < 8; i++)
		ck_assert_int_eq(CLS(c[i]), VMT_PAGE_SLAB);
	for (int i = 8; i < 16; i++)
		ck_assert_int_eq(CLS(c[i]), VMT_PAGE_HUGETLB);
	ck_assert_int_eq(CLS(c[0x10]), VMT_PAGE_OFFLINE);
	ck_assert_int_eq(CLS(c[0x11]), VMT_PAGE_USER);
	ck_assert_int_eq(CLS(c[0x12]), VMT_PAGE_PAGE_TABLE);
	teardown(&s);
}
END_TEST

// 6.10 and 6.11: PAGE_TYPE_BASE 0x80000000, a type is a cleared bit.
START_TEST(cleared_bit_page_types)
{
	static const char vi[] =
		"PAGESIZE=4096\nSYMBOL(vmemmap)=fffffc0000000000\n"
		"SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._mapcount)=48\n"
		"OFFSET(page.private)=40\nOFFSET(page.mapping)=24\n"
		"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-1073741825\n"
		"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-33554433\n";
	struct setup s;
	uint8_t c[4];

	reset_mem();
	for (uint64_t p = 0; p < NR_PFNS; p++)
		page_init(p);
	put32(pg(0x100) + O_MAPCOUNT, 0xbfffffffu); // buddy
	put32(pg(0x101) + O_MAPCOUNT, 0xfdffffffu); // slab
	put32(pg(0x102) + O_MAPCOUNT, 0xffffffffu); // none (-1)
	put32(pg(0x103) + O_MAPCOUNT, 0x3); // mapped 4 times
	setup(&s, vi, ARM64_KVER(6, 10, 0));
	classify(&s, 0x100, 4, c);
	ck_assert_int_eq(CLS(c[0]), VMT_PAGE_FREE);
	ck_assert_int_eq(CLS(c[1]), VMT_PAGE_SLAB);
	ck_assert_int_eq(CLS(c[2]), VMT_PAGE_KERNEL);
	ck_assert_int_eq(CLS(c[3]), VMT_PAGE_KERNEL);
	teardown(&s);
}
END_TEST

START_TEST(missing_vmcoreinfo_is_unsupported)
{
	struct vmcoreinfo vi;
	struct memmap_layout ml;
	static const char text[] = "PAGESIZE=4096\nOFFSET(page.flags)=0\n";

	vmt_ck_no_err(vmcoreinfo_parse(text, strlen(text), &vi));
	vmt_ck_err(memmap_layout_init(&ml, &vi, NULL, false),
		   VMT_ERROR_UNSUPPORTED);
	memmap_layout_deinit(&ml);
	vmcoreinfo_deinit(&vi);
}
END_TEST

// SPARSEMEM_EXTREME: roots of sections; the first present section
// encodes vmemmap, and sections without a memmap are holes.
#define MEM_SECTION 0xffff000001000000ULL
#define SECTIONS 0xffff000002000000ULL

START_TEST(sections_find_holes_and_vmemmap)
{
	static const char vi[] =
		"PAGESIZE=4096\nSYMBOL(vmemmap)=fffffc0000001000\n"
		"SIZE(page)=64\nOFFSET(page.flags)=0\n"
		"SYMBOL(mem_section)=ffff000001000000\nLENGTH(mem_section)=4\n"
		"SIZE(mem_section)=16\nOFFSET(mem_section.section_mem_map)=0\n"
		// 256 sections of 2^20 bytes (256 pages), 256 per root.
		"NUMBER(SECTION_SIZE_BITS)=20\nNUMBER(MAX_PHYSMEM_BITS)=30\n";
	struct setup s;
	unsigned char *roots, *secs;
	char note[MEMMAP_NOTE_SIZE];

	reset_mem();
	roots = add_region(MEM_SECTION, 4 * 8);
	secs = add_region(SECTIONS, 4096);
	put64(roots, SECTIONS);
	// Section 1 (PFNs 0x100-0x1ff) present with a memmap, 2 present
	// without one, 0 absent.
	put64(secs + 16, VMEMMAP | 0x3);
	put64(secs + 32, 0x1);
	setup(&s, vi, 0);
	ck_assert(s.ml.has_sections && s.ml.sections_extreme);
	ck_assert_uint_eq(s.ml.sections_per_root, 256);
	// The VMCOREINFO value is off by 0x1000: mem_section wins.
	vmt_ck_no_err(memmap_check_vmemmap(&s.ml, fake_read, NULL, note));
	ck_assert_uint_eq(s.ml.vmemmap, VMEMMAP);
	ck_assert(strstr(note, "disagrees"));
	ck_assert(!memmap_pfn_has_memmap(&s.w, 0x10));
	ck_assert(memmap_pfn_has_memmap(&s.w, 0x180));
	ck_assert(!memmap_pfn_has_memmap(&s.w, 0x200));
	// Roots beyond LENGTH(mem_section) are holes, not reads.
	ck_assert(!memmap_pfn_has_memmap(&s.w, 0x40000));
	teardown(&s);
}
END_TEST

// Free lists: one node (contig_page_data), one zone, blocks of order 2
// and 0 on two lists.
#define PGDAT 0xffff000003000000ULL
#define ZONE_FREE_AREA 64
#define FREE_AREA_SIZE 72

static const char vi_lists[] =
	"OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
	"SYMBOL(vmemmap)=fffffc0000000000\n"
	"SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\nOFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\nOFFSET(page.compound_head)=8\n"
	"OFFSET(page.compound_order)=17\nNUMBER(PG_head_mask)=65536\n"
	"NUMBER(PG_lru)=4\n"
	"OFFSET(pglist_data.node_zones)=0\nOFFSET(pglist_data.nr_zones)=4000\n"
	"SIZE(zone)=1000\nOFFSET(zone.free_area)=64\nLENGTH(zone.free_area)=11\n"
	"SIZE(free_area)=72\nOFFSET(free_area.free_list)=0\n"
	"LENGTH(free_area.free_list)=4\nSIZE(list_head)=16\n"
	"OFFSET(list_head.next)=0\n";

struct blocks {
	struct memmap_free_block b[8];
	int n;
};

static struct vmt_error *got_block(void *arg, uint64_t pfn, unsigned int order)
{
	struct blocks *bl = arg;

	ck_assert_int_lt(bl->n, 8);
	bl->b[bl->n].pfn = pfn;
	bl->b[bl->n++].order = order;
	return NULL;
}

static struct vmt_error *got_block_bounded(void *arg, uint64_t pfn,
					    unsigned int order)
{
	(void)arg;
	(void)pfn;
	(void)order;
	return NULL;
}

static uint64_t list_head(unsigned int order, unsigned int type)
{
	return PGDAT + ZONE_FREE_AREA + order * FREE_AREA_SIZE + type * 16;
}

static unsigned char *build_lists(void)
{
	unsigned char *pgdat;

	reset_mem();
	for (uint64_t p = 0; p < NR_PFNS; p++)
		page_init(p);
	pgdat = add_region(PGDAT, 4096);
	put32(pgdat + 4000, 1);
	// order 2, type 1: the block at 0x100; order 0, type 0: 0x180.
	put64(pgdat + ZONE_FREE_AREA + 2 * FREE_AREA_SIZE + 16,
	      VMEMMAP + 0x100 * SP + 8);
	put64(pg(0x100) + 8, list_head(2, 1));
	put64(pgdat + ZONE_FREE_AREA, VMEMMAP + 0x180 * SP + 8);
	put64(pg(0x180) + 8, list_head(0, 0));
	// An initialised empty list points at itself.
	put64(pgdat + ZONE_FREE_AREA + 16, list_head(0, 1));
	return pgdat;
}

START_TEST(free_lists_and_the_classes_they_give)
{
	struct memmap_free_nodes nodes = { .contig_page_data = PGDAT };
	struct blocks bl = { 0 };
	struct setup s;
	uint8_t c[0x90];
	unsigned char *pgdat = build_lists();

	setup(&s, vi_lists, ARM64_KVER(6, 1, 0));
	ck_assert(!s.ml.buddy.known);
	vmt_ck_no_err(memmap_free_lists(&s.vi, &s.ml, &nodes, fake_read, NULL,
					NR_PFNS, got_block, &bl));
	ck_assert_int_eq(bl.n, 2);
	ck_assert_uint_eq(bl.b[0].pfn, 0x180);
	ck_assert_uint_eq(bl.b[0].order, 0);
	ck_assert_uint_eq(bl.b[1].pfn, 0x100);
	ck_assert_uint_eq(bl.b[1].order, 2);
	// Sorted, they stand in for the buddy marks.
	bl.b[0] = (struct memmap_free_block){ 0x100, 2 };
	bl.b[1] = (struct memmap_free_block){ 0x180, 0 };
	memmap_walk_set_free_blocks(&s.w, bl.b, 2);
	classify(&s, 0x100, 0x90, c);
	for (int i = 0; i < 0x90; i++)
		ck_assert_int_eq(CLS(c[i]), i < 4 || i == 0x80 ? VMT_PAGE_FREE :
							  VMT_PAGE_KERNEL);
	// A list that never comes back to its head is reported, bounded.
	put64(pg(0x180) + 8, VMEMMAP + 0x180 * SP + 8);
	bl.n = 0;
	vmt_ck_err(memmap_free_lists(&s.vi, &s.ml, &nodes, fake_read, NULL, 4,
				     got_block_bounded, &bl),
		   VMT_ERROR_BAD_DATA);
	// An entry that is no struct page.
	put64(pgdat + ZONE_FREE_AREA, 0xffff000012345678ULL);
	vmt_ck_err(memmap_free_lists(&s.vi, &s.ml, &nodes, fake_read, NULL,
				     NR_PFNS, got_block_bounded, &bl),
		   VMT_ERROR_BAD_DATA);
	teardown(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("memmap");
	TCase *tc = tcase_create("classes");
	int rc;

	tcase_add_test(tc, classes_of_a_6_1_memmap);
	tcase_add_test(tc, dump_levels_exclude_their_classes);
	tcase_add_test(tc, a_folio_covers_its_tails_across_calls);
	tcase_add_test(tc, a_tail_without_its_head_is_judged_by_the_head);
	tcase_add_test(tc, unreadable_struct_pages_are_unknown);
	tcase_add_test(tc, struct_page_of_one_pfn);
	tcase_add_test(tc, classes_of_a_6_12_memmap);
	tcase_add_test(tc, cleared_bit_page_types);
	tcase_add_test(tc, missing_vmcoreinfo_is_unsupported);
	tcase_add_test(tc, sections_find_holes_and_vmemmap);
	tcase_add_test(tc, free_lists_and_the_classes_they_give);
	suite_add_tcase(s, tc);
	rc = vmt_ck_run(s);
	for (int i = 0; i < mem.n; i++)
		free(mem.r[i].data);
	return rc;
}
