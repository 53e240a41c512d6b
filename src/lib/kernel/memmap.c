// The memmap and page classes. Facts used (kernel source and VMCOREINFO,
// mm/sparse.c, include/linux/page-flags.h, kernel/vmcore_info.c; the
// dump-level meaning from makedumpfile's documentation):
// - arm64 is SPARSEMEM_VMEMMAP: the struct page of PFN n is at
//   vmemmap + n * SIZE(page), vmemmap = VMEMMAP_START - (memstart_addr >>
//   PAGE_SHIFT) * SIZE(page) (arch/arm64/include/asm/pgtable.h). Kernels
//   that export SYMBOL(vmemmap) give its value; each present section's
//   section_mem_map encodes the same base (mm/sparse.c sparse_encode_mem_map).
// - A compound page (folio) has PG_head (NUMBER(PG_head_mask)) in its
//   head; its tails have bit 0 of compound_head set, pointing at the head.
//   Its order is in page[1].
// - Page types share the word of _mapcount (page_type); how a type is
//   written changed twice, see page_type_is().
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "debuginfo/typedb.h"
#include "kernel/kernel.h"
#include "kernel/memmap.h"

// include/linux/mmzone.h
#define SECTION_MARKED_PRESENT 0x1
#define SECTION_HAS_MEM_MAP 0x2
// Flags live in the low bits of section_mem_map; the encoded base is
// aligned far beyond them (memstart_addr is aligned to at least 2 MiB).
#define SECTION_FLAGS_MASK 0xfffULL
// include/linux/page-flags.h: mapping's low bit marks an anon_vma.
#define PAGE_MAPPING_ANON 0x1
// A folio of more than 2^30 pages is a corrupt order, whatever the arch.
#define MAX_FOLIO_ORDER 30
// Orders of free blocks when VMCOREINFO lacks LENGTH(zone.free_area).
#define DEFAULT_MAX_BUDDY_ORDER 20
// Bytes of memmap read at once when a memmap page holds few struct pages.
#define MIN_BLOCK_BYTES 4096

const char *vmt_page_class_name(enum vmt_page_class cls)
{
	static const char *const names[] = {
		[VMT_PAGE_UNKNOWN] = "unknown",
		[VMT_PAGE_FREE] = "free",
		[VMT_PAGE_CACHE] = "cache",
		[VMT_PAGE_CACHE_PRIVATE] = "cache_private",
		[VMT_PAGE_USER] = "user",
		[VMT_PAGE_HUGETLB] = "hugetlb",
		[VMT_PAGE_OFFLINE] = "offline",
		[VMT_PAGE_SLAB] = "slab",
		[VMT_PAGE_PAGE_TABLE] = "page_table",
		[VMT_PAGE_RESERVED] = "reserved",
		[VMT_PAGE_KERNEL] = "kernel",
	};

	return (unsigned int)cls < VMT_PAGE_CLASS_COUNT ? names[cls] : "unknown";
}

unsigned int vmt_page_class_dump_level(enum vmt_page_class cls)
{
	switch (cls) {
	case VMT_PAGE_FREE:
		return 16;
	case VMT_PAGE_CACHE:
		return 2 | 4;
	case VMT_PAGE_CACHE_PRIVATE:
		return 4;
	case VMT_PAGE_USER:
	case VMT_PAGE_HUGETLB:
		return 8;
	default:
		return 0;
	}
}

bool memmap_excluded(uint8_t cls, unsigned int level)
{
	enum vmt_page_class c = MEMMAP_CLASS(cls);

	// Poisoned and offline pages are never dumped, at any level: reading a
	// poisoned page can stop the machine, an offline one may be gone.
	if ((cls & MEMMAP_HWPOISON) || c == VMT_PAGE_OFFLINE)
		return true;
	return (vmt_page_class_dump_level(c) & level) != 0;
}

static uint32_t offset_or_none(const struct vmcoreinfo *vi, const char *name)
{
	uint64_t v;

	return vmcoreinfo_offset(vi, name, &v) && v < UINT32_MAX ?
		       (uint32_t)v : MEMMAP_NO_OFFSET;
}

static int number_or_none(const struct vmcoreinfo *vi, const char *name)
{
	uint64_t v;

	return vmcoreinfo_number(vi, name, &v) && v < 64 ? (int)v : -1;
}

static struct memmap_page_type page_type_of(const struct vmcoreinfo *vi,
					    const char *name)
{
	struct memmap_page_type t = { 0 };
	uint64_t v;

	if (vmcoreinfo_number(vi, name, &v)) {
		t.known = true;
		t.value = (uint32_t)v;
	}
	return t;
}

// Whether the page_type word (which _mapcount aliases) says type @p t.
static bool page_type_is(const struct memmap_page_type *t, uint32_t page_type)
{
	if (!t->known)
		return false;
	// Since Linux kernel commit 4ffca5a96678 ("mm: support only one
	// page_type per page") (in v6.12) a type is a value of the top byte,
	// exported as that byte << 24.
	if (!(t->value & 0x00ffffff))
		return page_type >> 24 == t->value >> 24;
	// Since 6e292b9be7f4 ("mm: split page_type out from _mapcount") (in
	// v4.18) a type is a bit cleared in a word whose top bit is set
	// (PAGE_TYPE_BASE, 0xf0000000 and later 0x80000000); VMCOREINFO gives
	// ~bit. Before, only the buddy value existed and _mapcount equalled it
	// exactly, which this test also accepts.
	return (page_type & (0x80000000u | ~t->value)) == 0x80000000u;
}

// The field offsets index a buffer of SIZE(page) bytes (the order and
// dtor bytes, that of the next struct page): a field that does not fit
// in it is not known (VMCOREINFO of a corrupt dump, or wrong types).
static void drop_fields_outside(struct memmap_layout *ml)
{
	struct {
		uint32_t *off;
		uint32_t width;
	} f[] = {
		{ &ml->off_refcount, 4 },	 { &ml->off_mapping, 8 },
		{ &ml->off_index, 8 },		 { &ml->off_private, 8 },
		{ &ml->off_mapcount, 4 },	 { &ml->off_compound_head, 8 },
		{ &ml->off_compound_order, 2 }, { &ml->off_compound_dtor, 1 },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (*f[i].off != MEMMAP_NO_OFFSET &&
		    (uint64_t)*f[i].off + f[i].width > ml->struct_size)
			*f[i].off = MEMMAP_NO_OFFSET;
	if (ml->order_source == MEMMAP_ORDER_BYTE &&
	    ml->off_compound_order == MEMMAP_NO_OFFSET)
		ml->order_source = MEMMAP_ORDER_NONE;
}

struct vmt_error *memmap_layout_init(struct memmap_layout *ml,
				     const struct vmcoreinfo *vi,
				     const struct arm64_layout *layout,
				     bool big_endian)
{
	uint64_t v, bits, phys_bits;

	memset(ml, 0, sizeof(*ml));
	ml->big_endian = big_endian;
	ml->page_size = vi->page_size ? vi->page_size :
			layout ? layout->page_size : 0;
	if (!ml->page_size || (ml->page_size & (ml->page_size - 1)))
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"no memmap: the page size is unknown (VMCOREINFO lacks PAGESIZE)");
	ml->page_shift = (unsigned int)__builtin_ctzll(ml->page_size);
	ml->kernel_version = layout ? layout->kernel_version : 0;
	if (!vmcoreinfo_size(vi, "page", &v) || v < 16 || v > 4096)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"no memmap: VMCOREINFO lacks SIZE(page)");
	ml->struct_size = (uint32_t)v;
	ml->off_flags = offset_or_none(vi, "page.flags");
	if (ml->off_flags == MEMMAP_NO_OFFSET)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"no memmap: VMCOREINFO lacks OFFSET(page.flags)");
	if ((uint64_t)ml->off_flags + 8 > ml->struct_size)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"no memmap: VMCOREINFO's OFFSET(page.flags) %" PRIu32
					" is past SIZE(page) %" PRIu32,
					ml->off_flags, ml->struct_size);
	ml->off_refcount = offset_or_none(vi, "page._refcount");
	if (ml->off_refcount == MEMMAP_NO_OFFSET)
		ml->off_refcount = offset_or_none(vi, "page._count");
	ml->off_mapping = offset_or_none(vi, "page.mapping");
	// index follows mapping in struct page since before 2.6; types,
	// where present, confirm it (memmap_layout_add_types).
	ml->off_index = ml->off_mapping == MEMMAP_NO_OFFSET ?
				MEMMAP_NO_OFFSET : ml->off_mapping + 8;
	ml->off_private = offset_or_none(vi, "page.private");
	ml->off_mapcount = offset_or_none(vi, "page._mapcount");
	ml->off_compound_head = offset_or_none(vi, "page.compound_head");
	ml->off_compound_order = offset_or_none(vi, "page.compound_order");
	ml->off_compound_dtor = offset_or_none(vi, "page.compound_dtor");
	drop_fields_outside(ml);
	ml->pg_lru = number_or_none(vi, "PG_lru");
	ml->pg_private = number_or_none(vi, "PG_private");
	ml->pg_swapcache = number_or_none(vi, "PG_swapcache");
	ml->pg_swapbacked = number_or_none(vi, "PG_swapbacked");
	ml->pg_slab = number_or_none(vi, "PG_slab");
	ml->pg_hwpoison = number_or_none(vi, "PG_hwpoison");
	ml->pg_hugetlb = number_or_none(vi, "PG_hugetlb");
	ml->pg_reserved = -1;
	if (vmcoreinfo_number(vi, "PG_head_mask", &v))
		ml->pg_head_mask = v;
	ml->buddy = page_type_of(vi, "PAGE_BUDDY_MAPCOUNT_VALUE");
	ml->slab = page_type_of(vi, "PAGE_SLAB_MAPCOUNT_VALUE");
	ml->offline = page_type_of(vi, "PAGE_OFFLINE_MAPCOUNT_VALUE");
	ml->hugetlb = page_type_of(vi, "PAGE_HUGETLB_MAPCOUNT_VALUE");
	if (vmcoreinfo_number(vi, "HUGETLB_PAGE_DTOR", &v)) {
		ml->has_hugetlb_dtor = true;
		ml->hugetlb_dtor = (uint32_t)v;
	}
	if (ml->off_compound_order != MEMMAP_NO_OFFSET)
		ml->order_source = MEMMAP_ORDER_BYTE;
	else if (ml->kernel_version >= ARM64_KVER(6, 6, 0))
		// Since ebc1baf5c9b4 ("mm: free up a word in the first tail
		// page") (in v6.6) the order is the low byte of _flags_1.
		ml->order_source = MEMMAP_ORDER_FLAGS1;
	ml->max_buddy_order = DEFAULT_MAX_BUDDY_ORDER;
	if (vmcoreinfo_length(vi, "zone.free_area", &v) && v && v <= 64)
		ml->max_buddy_order = (unsigned int)v;

	if (vmcoreinfo_symbol(vi, "vmemmap", &v)) {
		ml->vmemmap = v;
		snprintf(ml->vmemmap_how, sizeof(ml->vmemmap_how),
			 "VMCOREINFO SYMBOL(vmemmap)");
	} else if (layout) {
		uint64_t start_pfn = layout->phys_offset.value >> ml->page_shift;

		if (!layout->flipped) {
			// Before 5.4: SECTION_ALIGN_DOWN(memstart_addr >> PAGE_SHIFT).
			uint64_t sec;

			if (!vmcoreinfo_number(vi, "SECTION_SIZE_BITS", &sec) ||
			    sec <= ml->page_shift || sec >= 64)
				sec = 30;
			start_pfn &= ~((UINT64_C(1) << (sec - ml->page_shift)) - 1);
		}
		ml->vmemmap = layout->vmemmap_start.value -
			      start_pfn * ml->struct_size;
		snprintf(ml->vmemmap_how, sizeof(ml->vmemmap_how),
			 "VMEMMAP_START - (PHYS_OFFSET >> PAGE_SHIFT) * SIZE(page)");
	} else {
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"no memmap: VMCOREINFO lacks SYMBOL(vmemmap) and the arm64 layout is unknown");
	}

	if (vmcoreinfo_symbol(vi, "mem_section", &ml->mem_section) &&
	    vmcoreinfo_length(vi, "mem_section", &ml->nr_section_roots) &&
	    vmcoreinfo_size(vi, "mem_section", &v) && v >= 8 &&
	    v <= ml->page_size &&
	    vmcoreinfo_number(vi, "SECTION_SIZE_BITS", &bits) &&
	    bits > ml->page_shift && bits < 64 &&
	    vmcoreinfo_number(vi, "MAX_PHYSMEM_BITS", &phys_bits) &&
	    phys_bits >= bits && phys_bits <= 64 &&
	    // In 64 bits: MEMMAP_NO_OFFSET + 8 wraps around in 32.
	    (uint64_t)(ml->off_section_mem_map = offset_or_none(
			       vi, "mem_section.section_mem_map")) + 8 <= v) {
		uint64_t nr_sections = UINT64_C(1) << (phys_bits - bits);

		ml->section_struct_size = (uint32_t)v;
		ml->pfn_section_shift = (unsigned int)(bits - ml->page_shift);
		// SPARSEMEM_EXTREME: mem_section points at NR_SECTION_ROOTS
		// pointers, each to a page of sections. Otherwise it is one
		// flat array of every section.
		ml->sections_extreme = ml->nr_section_roots < nr_sections;
		ml->sections_per_root = ml->sections_extreme ?
					ml->page_size / v : 1;
		ml->has_sections = ml->nr_section_roots &&
				   ml->nr_section_roots <= nr_sections;
	}
	return NULL;
}

void memmap_layout_deinit(struct memmap_layout *ml)
{
	for (int i = 0; i < 64; i++)
		free(ml->flag_names[i]);
	memset(ml->flag_names, 0, sizeof(ml->flag_names));
}

void memmap_layout_add_types(struct memmap_layout *ml, struct kernel *k)
{
	const struct vmt_type *t;
	uint64_t off;

	if (vmt_error_ok(kernel_find_type(k, "enum pageflags", &t)) &&
	    (t = type_strip(t)) && t->kind == VMT_TYPE_ENUM) {
		// Aliases (PG_swapcache = PG_owner_priv_1) follow the real
		// flags, so the first name of a value is its own.
		for (size_t i = 0; i < t->nr_enumerators; i++) {
			const struct vmt_type_enumerator *e = &t->enumerators[i];

			if (e->value < 0 || e->value >= 64 ||
			    strncmp(e->name, "PG_", 3) ||
			    ml->flag_names[e->value])
				continue;
			ml->flag_names[e->value] = strdup(e->name + 3);
			if (!strcmp(e->name, "PG_reserved") && ml->pg_reserved < 0)
				ml->pg_reserved = (int)e->value;
			if (!strcmp(e->name, "PG_slab") && ml->pg_slab < 0 &&
			    !ml->slab.known)
				ml->pg_slab = (int)e->value;
		}
	}
	// The page-table type: since 4ffca5a96678 (v6.12) PGTY_table is a
	// value of enum pagetype; earlier kernels keep it in a #define
	// that no debug information records.
	if (vmt_error_ok(kernel_find_type(k, "enum pagetype", &t)) &&
	    (t = type_strip(t)) && t->kind == VMT_TYPE_ENUM) {
		for (size_t i = 0; i < t->nr_enumerators; i++) {
			if (!strcmp(t->enumerators[i].name, "PGTY_table")) {
				ml->table.known = true;
				ml->table.value =
					(uint32_t)t->enumerators[i].value << 24;
			}
		}
	}
	if (vmt_error_ok(kernel_member_offset(k, "page", "index", &off)) &&
	    off + 8 <= ml->struct_size)
		ml->off_index = (uint32_t)off;
	// Without VMCOREINFO's page._mapcount or private (very old kernels),
	// the types may still have them.
	if (ml->off_mapcount == MEMMAP_NO_OFFSET &&
	    vmt_error_ok(kernel_member_offset(k, "page", "_mapcount", &off)))
		ml->off_mapcount = (uint32_t)off;
	if (ml->off_private == MEMMAP_NO_OFFSET &&
	    vmt_error_ok(kernel_member_offset(k, "page", "private", &off)))
		ml->off_private = (uint32_t)off;
	// 6.3 to 6.5 have neither VMCOREINFO's compound_order nor the 6.6
	// _flags_1 byte: struct folio names the order byte.
	if (ml->order_source == MEMMAP_ORDER_NONE &&
	    vmt_error_ok(kernel_member_offset(k, "folio", "_folio_order",
					      &off)) &&
	    off >= ml->struct_size && off < 2 * ml->struct_size) {
		ml->order_source = MEMMAP_ORDER_BYTE;
		ml->off_compound_order = (uint32_t)(off - ml->struct_size);
	}
	drop_fields_outside(ml);
}

static uint64_t ld64(const struct memmap_layout *ml, const unsigned char *p,
		     uint32_t off)
{
	return off == MEMMAP_NO_OFFSET ? 0 : load64(p + off, ml->big_endian);
}

static uint32_t ld32(const struct memmap_layout *ml, const unsigned char *p,
		     uint32_t off, uint32_t dflt)
{
	return off == MEMMAP_NO_OFFSET ? dflt : load32(p + off, ml->big_endian);
}

static bool flag(uint64_t flags, int bit)
{
	return bit >= 0 && (flags >> bit & 1);
}

// The fields one class decision needs.
struct raw_page {
	uint64_t flags, mapping, private, compound_head;
	uint32_t mapcount;
};

static void decode_raw(const struct memmap_layout *ml, const unsigned char *p,
		       struct raw_page *r)
{
	r->flags = ld64(ml, p, ml->off_flags);
	r->mapping = ld64(ml, p, ml->off_mapping);
	r->private = ld64(ml, p, ml->off_private);
	r->compound_head = ld64(ml, p, ml->off_compound_head);
	// An unknown _mapcount reads as -1: no type, not mapped.
	r->mapcount = ld32(ml, p, ml->off_mapcount, UINT32_MAX);
}

static bool is_head(const struct memmap_layout *ml, const struct raw_page *r)
{
	return ml->pg_head_mask && (r->flags & ml->pg_head_mask);
}

// Order of the folio whose head is @p pfn, from its page[1] @p next; 0 if
// unknown or implausible (a folio is aligned to its size).
static unsigned int folio_order(const struct memmap_layout *ml,
				const unsigned char *next, uint64_t pfn)
{
	unsigned int order = 0;

	if (!next)
		return 0;
	switch (ml->order_source) {
	case MEMMAP_ORDER_BYTE:
		order = next[ml->off_compound_order];
		// Before 4.16 the order was an unsigned short.
		if (ml->kernel_version && ml->kernel_version < ARM64_KVER(4, 16, 0))
			order = load16(next + ml->off_compound_order,
				       ml->big_endian);
		break;
	case MEMMAP_ORDER_FLAGS1:
		order = (unsigned int)(ld64(ml, next, ml->off_flags) & 0xff);
		break;
	default:
		return 0;
	}
	if (order > MAX_FOLIO_ORDER || (pfn & ((UINT64_C(1) << order) - 1)))
		return 0;
	return order;
}

static bool is_slab(const struct memmap_layout *ml, const struct raw_page *r)
{
	// Since 46df8e73a4a3 ("mm: free up PG_slab") (in v6.10) a slab is
	// a page type; before, PG_slab.
	return flag(r->flags, ml->pg_slab) || page_type_is(&ml->slab, r->mapcount);
}

static bool is_hugetlb(const struct memmap_layout *ml, const struct raw_page *r,
		       const unsigned char *next)
{
	// Since d99e3140a4d3 ("mm: turn folio_test_hugetlb into a PageType")
	// (in v6.9) a page type of the head; from 9c5ccf2db04b ("mm: remove
	// HUGETLB_PAGE_DTOR") (in v6.6) PG_hugetlb in page[1].flags; before,
	// page[1].compound_dtor == HUGETLB_PAGE_DTOR.
	if (page_type_is(&ml->hugetlb, r->mapcount))
		return true;
	if (!next || !is_head(ml, r))
		return false;
	if (ml->pg_hugetlb >= 0)
		return flag(ld64(ml, next, ml->off_flags), ml->pg_hugetlb);
	if (ml->has_hugetlb_dtor && ml->off_compound_dtor != MEMMAP_NO_OFFSET)
		return next[ml->off_compound_dtor] == ml->hugetlb_dtor;
	return false;
}

static bool is_cache(const struct memmap_layout *ml, const struct raw_page *r)
{
	if (flag(r->flags, ml->pg_lru))
		return true;
	// PG_swapcache aliases PG_owner_priv_1 and means swap cache only
	// with PG_swapbacked (which 4.10 added; before, it always did).
	return flag(r->flags, ml->pg_swapcache) &&
	       (ml->pg_swapbacked < 0 || flag(r->flags, ml->pg_swapbacked));
}

/*
 * The class byte of a page that is not a tail, and how many pages it
 * covers (a folio's or a free block's): makedumpfile's order of tests,
 * free before cache before user data, with slab pages told apart first
 * (their struct slab overlays mapping).
 */
static uint8_t classify_head(const struct memmap_layout *ml,
			     const struct raw_page *r,
			     const unsigned char *next, uint64_t pfn,
			     uint64_t *span_ret)
{
	unsigned int order = is_head(ml, r) ? folio_order(ml, next, pfn) : 0;
	uint8_t hw = flag(r->flags, ml->pg_hwpoison) ? MEMMAP_HWPOISON : 0;
	enum vmt_page_class cls;

	*span_ret = UINT64_C(1) << order;
	if (is_slab(ml, r)) {
		cls = VMT_PAGE_SLAB;
	} else if (page_type_is(&ml->buddy, r->mapcount) &&
		   r->private < ml->max_buddy_order) {
		*span_ret = UINT64_C(1) << r->private;
		cls = VMT_PAGE_FREE;
	} else if (is_cache(ml, r) && !(r->mapping & PAGE_MAPPING_ANON)) {
		cls = flag(r->flags, ml->pg_private) ? VMT_PAGE_CACHE_PRIVATE :
						       VMT_PAGE_CACHE;
	} else if (r->mapping & PAGE_MAPPING_ANON) {
		cls = VMT_PAGE_USER;
	} else if (is_hugetlb(ml, r, next)) {
		cls = VMT_PAGE_HUGETLB;
	} else if (page_type_is(&ml->offline, r->mapcount)) {
		cls = VMT_PAGE_OFFLINE;
	} else if (page_type_is(&ml->table, r->mapcount)) {
		cls = VMT_PAGE_PAGE_TABLE;
	} else if (flag(r->flags, ml->pg_reserved)) {
		cls = VMT_PAGE_RESERVED;
	} else {
		cls = VMT_PAGE_KERNEL;
	}
	return (uint8_t)cls | hw;
}

struct vmt_error *memmap_walk_init(struct memmap_walk *w,
				   const struct memmap_layout *ml,
				   kread_fn *read, void *arg)
{
	uint64_t nr = ml->page_size / ml->struct_size;

	memset(w, 0, sizeof(*w));
	w->ml = ml;
	w->read = read;
	w->arg = arg;
	if (nr * ml->struct_size < MIN_BLOCK_BYTES)
		nr = (MIN_BLOCK_BYTES + ml->struct_size - 1) / ml->struct_size;
	if (!nr)
		nr = 1;
	w->block_cap = (size_t)nr;
	w->block = malloc(w->block_cap * ml->struct_size);
	w->block_ok = calloc(w->block_cap, sizeof(*w->block_ok));
	w->scratch = malloc(2 * (size_t)ml->struct_size);
	if (!w->block || !w->block_ok || !w->scratch) {
		memmap_walk_deinit(w);
		return &vmt_enomem;
	}
	w->section_state = -1;
	return NULL;
}

void memmap_walk_deinit(struct memmap_walk *w)
{
	free(w->block);
	free(w->block_ok);
	free(w->scratch);
	w->block = NULL;
	w->block_ok = NULL;
	w->scratch = NULL;
}

void memmap_walk_set_free_blocks(struct memmap_walk *w,
				 const struct memmap_free_block *blocks,
				 size_t nr)
{
	w->free_blocks = blocks;
	w->nr_free_blocks = nr;
}

// The free block of the free lists holding @p pfn, or NULL.
static const struct memmap_free_block *free_block(const struct memmap_walk *w,
						  uint64_t pfn)
{
	size_t lo = 0, hi = w->nr_free_blocks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->free_blocks[mid].pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	lo--;
	return pfn - w->free_blocks[lo].pfn <
			       (UINT64_C(1) << w->free_blocks[lo].order) ?
		       &w->free_blocks[lo] : NULL;
}

void memmap_walk_reset(struct memmap_walk *w)
{
	w->span_start = w->span_end = 0;
	w->tail_head_valid = false;
}

// Errors of a memmap read that mean "this struct page is not readable"
// rather than a failure of the whole walk.
static bool unreadable(struct vmt_error *err)
{
	bool soft = err->code == VMT_ERROR_FAULT ||
		    err->code == VMT_ERROR_BAD_DATA;

	return soft;
}

static struct vmt_error *read_struct(struct memmap_walk *w, uint64_t pfn,
				     unsigned char *buf, bool *ok)
{
	struct vmt_error *err = w->read(w->arg, memmap_page_address(w->ml, pfn),
					buf, w->ml->struct_size);

	*ok = !err;
	if (err && unreadable(err)) {
		vmt_error_destroy(err);
		return NULL;
	}
	return err;
}

// Make the block holding @p pfn current.
static struct vmt_error *load_block(struct memmap_walk *w, uint64_t pfn)
{
	const struct memmap_layout *ml = w->ml;
	uint64_t first = pfn - pfn % w->block_cap;
	struct vmt_error *err;

	if (w->block_valid && pfn >= w->block_pfn &&
	    pfn - w->block_pfn < w->block_nr)
		return NULL;
	w->block_valid = false;
	w->block_pfn = first;
	w->block_nr = w->block_cap;
	if (first > UINT64_MAX - w->block_nr)
		w->block_nr = UINT64_MAX - first;
	w->nr_blocks_read++;
	err = w->read(w->arg, memmap_page_address(ml, first), w->block,
		      (size_t)w->block_nr * ml->struct_size);
	if (!err) {
		for (uint64_t i = 0; i < w->block_nr; i++)
			w->block_ok[i] = true;
		w->block_valid = true;
		return NULL;
	}
	if (!unreadable(err))
		return err;
	vmt_error_destroy(err);
	// Part of the block may be readable (a struct page straddling two
	// memmap pages, one excluded): one struct page at a time.
	for (uint64_t i = 0; i < w->block_nr; i++) {
		err = read_struct(w, first + i, w->block + i * ml->struct_size,
				  &w->block_ok[i]);
		if (err)
			return err;
		if (!w->block_ok[i])
			w->nr_unreadable++;
	}
	w->block_valid = true;
	return NULL;
}

bool memmap_pfn_has_memmap(struct memmap_walk *w, uint64_t pfn)
{
	const struct memmap_layout *ml = w->ml;
	uint64_t nr, root, addr, map;
	unsigned char buf[8];
	struct vmt_error *err;

	if (!ml->has_sections)
		return true;
	nr = pfn >> ml->pfn_section_shift;
	if (w->section_state >= 0 && w->section_nr == nr)
		return w->section_state;
	w->section_nr = nr;
	w->section_state = 1;
	root = nr / ml->sections_per_root;
	if (root >= ml->nr_section_roots) {
		w->section_state = 0;
		return false;
	}
	if (ml->sections_extreme) {
		err = w->read(w->arg, ml->mem_section + root * 8, buf, 8);
		if (err) {
			// Unknown: let the struct page reads decide.
			vmt_error_destroy(err);
			return true;
		}
		addr = load64(buf, ml->big_endian);
		if (!addr) {
			w->section_state = 0;
			return false;
		}
		addr += (nr % ml->sections_per_root) * ml->section_struct_size;
	} else {
		addr = ml->mem_section + nr * ml->section_struct_size;
	}
	err = w->read(w->arg, addr + ml->off_section_mem_map, buf, 8);
	if (err) {
		vmt_error_destroy(err);
		return true;
	}
	map = load64(buf, ml->big_endian);
	w->section_state = (map & SECTION_MARKED_PRESENT) &&
			   (map & SECTION_HAS_MEM_MAP);
	return w->section_state;
}

struct vmt_error *memmap_check_vmemmap(struct memmap_layout *ml,
				       kread_fn *read, void *arg,
				       char *note_ret)
{
	uint64_t chunk = ml->page_size / 8, per_root = ml->sections_per_root;
	unsigned char *roots = NULL, *secs = NULL;
	struct vmt_error *err = NULL;
	uint64_t found = 0;
	bool have = false;

	if (note_ret)
		note_ret[0] = '\0';
	if (!ml->has_sections)
		return NULL;
	roots = malloc(chunk * 8);
	secs = malloc(per_root * ml->section_struct_size);
	if (!roots || !secs) {
		err = &vmt_enomem;
		goto out;
	}
	// The first present section with a memmap; roots a page at a time.
	for (uint64_t r0 = 0; r0 < ml->nr_section_roots && !have; r0 += chunk) {
		uint64_t n = ml->nr_section_roots - r0 < chunk ?
				     ml->nr_section_roots - r0 : chunk;

		if (!ml->sections_extreme) {
			// One flat array: read sections directly.
			for (uint64_t s = r0; s < r0 + n && !have; s++) {
				unsigned char b[8];
				uint64_t map;

				if (!vmt_error_ok(read(arg, ml->mem_section +
						       s * ml->section_struct_size +
						       ml->off_section_mem_map,
						       b, 8)))
					goto out;
				map = load64(b, ml->big_endian);
				if ((map & SECTION_MARKED_PRESENT) &&
				    (map & SECTION_HAS_MEM_MAP)) {
					found = map & ~SECTION_FLAGS_MASK;
					have = true;
				}
			}
			continue;
		}
		if (!vmt_error_ok(read(arg, ml->mem_section + r0 * 8, roots,
				       n * 8)))
			goto out;
		for (uint64_t i = 0; i < n && !have; i++) {
			uint64_t root = load64(roots + 8 * i, ml->big_endian);

			if (!root)
				continue;
			if (!vmt_error_ok(read(arg, root, secs,
					       per_root * ml->section_struct_size)))
				continue;
			for (uint64_t s = 0; s < per_root; s++) {
				uint64_t map = load64(secs + s * ml->section_struct_size +
							      ml->off_section_mem_map,
						      ml->big_endian);

				if ((map & SECTION_MARKED_PRESENT) &&
				    (map & SECTION_HAS_MEM_MAP)) {
					found = map & ~SECTION_FLAGS_MASK;
					have = true;
					break;
				}
			}
		}
	}
	if (have && found != ml->vmemmap) {
		if (note_ret)
			snprintf(note_ret, MEMMAP_NOTE_SIZE,
				 "vmemmap %#" PRIx64 " (%s) disagrees with mem_section's %#" PRIx64
				 "; using mem_section's",
				 ml->vmemmap, ml->vmemmap_how, found);
		ml->vmemmap = found;
		snprintf(ml->vmemmap_how, sizeof(ml->vmemmap_how),
			 "section_mem_map of the first present section");
	}
out:
	free(roots);
	free(secs);
	return err;
}

// The struct page bytes of @p pfn in the current block, or NULL.
static const unsigned char *in_block(struct memmap_walk *w, uint64_t pfn)
{
	uint64_t i;

	if (!w->block_valid || pfn < w->block_pfn)
		return NULL;
	i = pfn - w->block_pfn;
	if (i >= w->block_nr || !w->block_ok[i])
		return NULL;
	return w->block + i * w->ml->struct_size;
}

// page[1] of the head @p pfn: from the block, or read alone into @p buf.
static struct vmt_error *next_page(struct memmap_walk *w, uint64_t pfn,
				   unsigned char *buf,
				   const unsigned char **ret)
{
	const unsigned char *p = in_block(w, pfn + 1);
	struct vmt_error *err;
	bool ok;

	if (p || (w->block_valid && pfn + 1 - w->block_pfn < w->block_nr)) {
		*ret = p;
		return NULL;
	}
	err = read_struct(w, pfn + 1, buf, &ok);
	*ret = !err && ok ? buf : NULL;
	return err;
}

// The PFN of the head a tail's compound_head points at, if plausible.
static bool head_pfn_of(const struct memmap_layout *ml, uint64_t compound_head,
			uint64_t pfn, uint64_t *ret)
{
	uint64_t head = compound_head - 1;

	if (head < ml->vmemmap || (head - ml->vmemmap) % ml->struct_size)
		return false;
	*ret = (head - ml->vmemmap) / ml->struct_size;
	return *ret < pfn && pfn - *ret < (UINT64_C(1) << MAX_FOLIO_ORDER);
}

// Class of the head at @p head_pfn, read alone (a tail met without it).
static struct vmt_error *class_of_head(struct memmap_walk *w,
				       uint64_t head_pfn, uint8_t *ret)
{
	const struct memmap_layout *ml = w->ml;
	unsigned char *buf = w->scratch;
	struct raw_page r;
	struct vmt_error *err;
	uint64_t span;
	bool ok, ok1 = false;

	if (w->tail_head_valid && w->tail_head_pfn == head_pfn) {
		*ret = w->tail_head_class;
		return NULL;
	}
	err = read_struct(w, head_pfn, buf, &ok);
	if (!err && ok)
		err = read_struct(w, head_pfn + 1, buf + ml->struct_size, &ok1);
	if (err)
		return err;
	*ret = VMT_PAGE_UNKNOWN;
	if (ok) {
		decode_raw(ml, buf, &r);
		*ret = classify_head(ml, &r, ok1 ? buf + ml->struct_size : NULL,
				     head_pfn, &span);
	}
	w->tail_head_pfn = head_pfn;
	w->tail_head_class = *ret;
	w->tail_head_valid = true;
	return NULL;
}

// Class of @p pfn whose struct page is @p p (in the block).
static struct vmt_error *classify_at(struct memmap_walk *w, uint64_t pfn,
				     const unsigned char *p, uint8_t *ret)
{
	const struct memmap_layout *ml = w->ml;
	const unsigned char *next = NULL;
	struct raw_page r;
	struct vmt_error *err;
	uint64_t span, head_pfn;

	decode_raw(ml, p, &r);
	if (w->nr_free_blocks) {
		const struct memmap_free_block *fb = free_block(w, pfn);

		if (fb) {
			*ret = VMT_PAGE_FREE;
			w->span_start = fb->pfn;
			w->span_end = fb->pfn + (UINT64_C(1) << fb->order);
			w->span_class = *ret;
			return NULL;
		}
	}
	if (ml->off_compound_head != MEMMAP_NO_OFFSET && (r.compound_head & 1)) {
		// A tail whose head this walk has not covered: judge it by its
		// head, as the head would have judged the whole folio.
		if (!head_pfn_of(ml, r.compound_head, pfn, &head_pfn)) {
			*ret = VMT_PAGE_KERNEL;
			return NULL;
		}
		return class_of_head(w, head_pfn, ret);
	}
	if (is_head(ml, &r)) {
		err = next_page(w, pfn, w->scratch + ml->struct_size, &next);
		if (err)
			return err;
	}
	*ret = classify_head(ml, &r, next, pfn, &span);
	if (span > 1) {
		w->span_start = pfn;
		w->span_end = pfn + span < pfn ? UINT64_MAX : pfn + span;
		w->span_class = *ret;
	}
	// crash's "shared": a page in use by more than one reference.
	if ((int32_t)ld32(ml, p, ml->off_refcount, 0) > 1 &&
	    MEMMAP_CLASS(*ret) != VMT_PAGE_RESERVED)
		*ret |= MEMMAP_SHARED;
	return NULL;
}

uint64_t memmap_walk_memmapless(struct memmap_walk *w, uint64_t pfn,
				uint64_t end)
{
	const struct memmap_layout *ml = w->ml;
	uint64_t p = pfn;

	if (!ml->has_sections)
		return 0;
	while (p < end) {
		uint64_t nr = p >> ml->pfn_section_shift, next;

		// Past the last root every section is absent.
		if (nr / ml->sections_per_root >= ml->nr_section_roots)
			return end - pfn;
		if (memmap_pfn_has_memmap(w, p))
			break;
		next = (nr + 1) << ml->pfn_section_shift;
		if (next <= p || next >= end)
			return end - pfn;
		p = next;
	}
	return p - pfn;
}

struct vmt_error *memmap_walk_classify(struct memmap_walk *w, uint64_t pfn,
				       uint64_t nr, uint8_t *out)
{
	struct vmt_error *err;

	for (uint64_t i = 0; i < nr; i++) {
		uint64_t p = pfn + i;
		const unsigned char *raw;

		if (p >= w->span_start && p < w->span_end) {
			out[i] = w->span_class;
			continue;
		}
		if (!memmap_pfn_has_memmap(w, p)) {
			// The sections from here that have none either: a
			// claimed RAM range without a memmap costs one step a
			// section.
			uint64_t left = memmap_walk_memmapless(w, p, pfn + nr);

			if (!left)
				left = 1;
			memset(out + i, VMT_PAGE_UNKNOWN, (size_t)left);
			i += left - 1;
			continue;
		}
		err = load_block(w, p);
		if (err)
			return err;
		raw = in_block(w, p);
		if (!raw) {
			out[i] = VMT_PAGE_UNKNOWN;
			continue;
		}
		err = classify_at(w, p, raw, &out[i]);
		if (err)
			return err;
	}
	return NULL;
}

// Only the first page of a free block carries the buddy mark: a page
// inside one is free if a head at an aligned PFN below it has an order
// that reaches it (as the kernel's is_free_buddy_page() looks).
static void free_block_of(struct memmap_walk *w, uint64_t pfn, uint8_t *cls)
{
	const struct memmap_layout *ml = w->ml;

	for (unsigned int order = 1; order < ml->max_buddy_order && order < 64;
	     order++) {
		uint64_t head = pfn & ~((UINT64_C(1) << order) - 1);
		unsigned char *buf = w->scratch;
		struct vmt_error *err;
		struct raw_page r;
		bool ok;

		if (head == pfn)
			continue;
		err = read_struct(w, head, buf, &ok);
		if (err || !ok) {
			vmt_error_destroy(err);
			return;
		}
		decode_raw(ml, buf, &r);
		if (page_type_is(&ml->buddy, r.mapcount) && !is_slab(ml, &r) &&
		    r.private >= order && r.private < ml->max_buddy_order) {
			*cls = VMT_PAGE_FREE;
			return;
		}
	}
}

struct vmt_error *memmap_read_page(struct memmap_walk *w, uint64_t pfn,
				   struct vmt_page *ret)
{
	const struct memmap_layout *ml = w->ml;
	uint64_t addr = memmap_page_address(ml, pfn);
	const unsigned char *p, *next = NULL;
	struct vmt_page pg = { 0 };
	struct raw_page r;
	struct vmt_error *err;
	uint64_t span = 1;
	uint8_t cls;

	if (!memmap_pfn_has_memmap(w, pfn))
		return vmt_error_fault(VMT_FAULT_NOT_IN_DUMP,
				       pfn << ml->page_shift,
				       "PFN %#" PRIx64 " has no memmap: its memory section is not present",
				       pfn);
	err = load_block(w, pfn);
	if (err)
		return err;
	p = in_block(w, pfn);
	if (!p)
		return vmt_error_fault(VMT_FAULT_EXCLUDED, addr,
				       "the struct page of PFN %#" PRIx64
				       " at %#" PRIx64 " is not readable in this dump",
				       pfn, addr);
	decode_raw(ml, p, &r);
	pg.pfn = pfn;
	pg.paddr = pfn << ml->page_shift;
	pg.page = addr;
	pg.flags = r.flags;
	pg.mapping = r.mapping;
	pg.index = ld64(ml, p, ml->off_index);
	pg.private = r.private;
	pg.refcount = (int32_t)ld32(ml, p, ml->off_refcount, 0);
	pg.mapcount = (int32_t)r.mapcount;
	pg.hwpoison = flag(r.flags, ml->pg_hwpoison);
	if (ml->off_compound_head != MEMMAP_NO_OFFSET && (r.compound_head & 1)) {
		uint64_t head_pfn;

		pg.tail = true;
		pg.head_page = r.compound_head - 1;
		cls = VMT_PAGE_KERNEL;
		if (head_pfn_of(ml, r.compound_head, pfn, &head_pfn)) {
			w->tail_head_valid = false;
			err = class_of_head(w, head_pfn, &cls);
			if (err)
				return err;
		}
	} else {
		pg.head = is_head(ml, &r);
		if (pg.head) {
			err = next_page(w, pfn, w->scratch + ml->struct_size,
					&next);
			if (err)
				return err;
			pg.order = folio_order(ml, next, pfn);
		}
		cls = classify_head(ml, &r, next, pfn, &span);
		if (MEMMAP_CLASS(cls) == VMT_PAGE_FREE)
			pg.order = (unsigned int)r.private;
		else if (MEMMAP_CLASS(cls) == VMT_PAGE_KERNEL && !pg.head)
			free_block_of(w, pfn, &cls);
	}
	if (w->nr_free_blocks && !pg.tail) {
		const struct memmap_free_block *fb = free_block(w, pfn);

		if (fb) {
			cls = VMT_PAGE_FREE;
			pg.order = fb->pfn == pfn ? fb->order : 0;
		}
	}
	pg.cls = MEMMAP_CLASS(cls);
	*ret = pg;
	return NULL;
}
