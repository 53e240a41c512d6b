// Virtual memory over a dump: page-table walks with a direct-mapped
// translation cache, reads across pages, and where each byte lives.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem/address_space.h"

// Translation cache: 2-way set associative, keyed by (root, kind,
// virtual page). Only successful translations are cached, so a miss
// always walks (correctness first); the dump never changes, so entries
// never go stale.
#define TLB_SETS 2048

struct tlb_entry {
	uint64_t tag;   // root | kind << 1 | 1 (bit 0 = valid)
	uint64_t vpage; // untagged vaddr >> page_shift
	uint64_t ppage; // paddr of the page start
};

// Descriptor cache for the walks behind TLB misses: the upper levels are
// shared by every walk, so most descriptor reads never reach the dump.
#define DESC_ENTRIES 8192

struct desc_entry {
	uint64_t paddr; // entry address | 1 (bit 0 = valid)
	uint64_t value; // raw little-endian bytes as read
};

struct address_space {
	struct dump *dump;
	const struct arm64_layout *layout;
	unsigned int page_shift;
	struct tlb_entry tlb[TLB_SETS][2];
	struct desc_entry desc[DESC_ENTRIES];
};

struct vmt_error *dump_read_phys_cb(void *arg, uint64_t paddr, void *buf,
				    size_t len)
{
	return dump_read_phys(arg, paddr, buf, len);
}

// read_phys_fn for the walker: descriptors through the descriptor cache.
static struct vmt_error *read_desc_cached(void *arg, uint64_t paddr,
					  void *buf, size_t len)
{
	struct address_space *as = arg;
	struct desc_entry *e;
	struct vmt_error *err;

	if (len != 8 || (paddr & 7))
		return dump_read_phys(as->dump, paddr, buf, len);
	e = &as->desc[(paddr >> 3) & (DESC_ENTRIES - 1)];
	if (e->paddr == (paddr | 1)) {
		memcpy(buf, &e->value, 8);
		return NULL;
	}
	err = dump_read_phys(as->dump, paddr, buf, len);
	if (err)
		return err;
	memcpy(&e->value, buf, 8);
	e->paddr = paddr | 1;
	return NULL;
}

struct vmt_error *address_space_create(struct dump *dump,
				       const struct arm64_layout *layout,
				       struct address_space **ret)
{
	struct address_space *as = calloc(1, sizeof(*as));

	if (!as)
		return &vmt_enomem;
	as->dump = dump;
	as->layout = layout;
	as->page_shift = layout->page_shift;
	*ret = as;
	return NULL;
}

void address_space_destroy(struct address_space *as)
{
	free(as);
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

static inline size_t tlb_index(uint64_t tag, uint64_t vpage)
{
	uint64_t h = (vpage ^ (tag >> 12) ^ (tag << 7)) *
		     UINT64_C(0x9E3779B97F4A7C15);

	return (size_t)(h >> 40) & (TLB_SETS - 1);
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

struct vmt_error *address_space_translate(struct address_space *as,
					  enum arm64_table_kind kind,
					  uint64_t root_paddr, uint64_t vaddr,
					  uint64_t *paddr_ret)
{
	unsigned int shift = as->page_shift;
	uint64_t va = arm64_untag(as->layout, vaddr);
	uint64_t root = resolve_root(as, kind, root_paddr);
	uint64_t tag = root | (uint64_t)kind << 1 | 1;
	uint64_t vpage = va >> shift;
	struct tlb_entry *set = as->tlb[tlb_index(tag, vpage)];
	struct vmt_translation t;
	struct vmt_error *err;

	for (int way = 0; way < 2; way++) {
		if (set[way].tag == tag && set[way].vpage == vpage) {
			*paddr_ret = set[way].ppage |
				     (va & ((UINT64_C(1) << shift) - 1));
			return NULL;
		}
	}
	err = check_root(as, kind, root_paddr, vaddr);
	if (err)
		return err;
	err = arm64_pgtable_walk(as->layout, read_desc_cached, as, kind, root,
				 va, &t);
	if (err)
		return err;
	// PROT_NONE pages are present (pte_present) and their data is real.
	if (t.status != VMT_VTOP_MAPPED && t.status != VMT_VTOP_PROT_NONE)
		return unreadable_table_error(as, &t, vaddr);
	// newest in way 0, the previous one moves to way 1
	set[1] = set[0];
	set[0].tag = tag;
	set[0].vpage = vpage;
	set[0].ppage = t.paddr & ~((UINT64_C(1) << shift) - 1);
	*paddr_ret = t.paddr;
	return NULL;
}

struct vmt_error *address_space_read(struct address_space *as,
				     enum arm64_table_kind kind,
				     uint64_t root_paddr, uint64_t vaddr,
				     void *buf, size_t len)
{
	uint64_t page = UINT64_C(1) << as->page_shift;
	uint8_t *out = buf;

	while (len) {
		uint64_t va = vaddr;
		size_t chunk = (size_t)(page - (va & (page - 1)));
		struct vmt_error *err;
		uint64_t paddr;

		if (chunk > len)
			chunk = len;
		err = address_space_translate(as, kind, root_paddr, va, &paddr);
		if (err)
			return err;
		err = dump_read_phys(as->dump, paddr, out, chunk);
		if (err) {
			err = vmt_error_wrap(err,
					     "reading virtual address %#" PRIx64
					     " (physical %#" PRIx64 ")",
					     va, paddr);
			// Report the address the caller asked for; the PFN
			// says where it lives.
			return vmt_error_is_fault(err) ?
				       vmt_error_set_address(err, va) : err;
		}
		out += chunk;
		vaddr += chunk;
		len -= chunk;
	}
	return NULL;
}
