// The arm64 page-table walker (ARM64-REFERENCE.md §2.1–2.2, Linux 6.12
// pgtable.h / pgtable-hwdef.h / pgtable-prot.h).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/arm64/pgtable.h"
#include "base/bytes.h"

#define DESC_VALID (UINT64_C(1) << 0)
#define DESC_TABLE (UINT64_C(1) << 1) // table (levels < 3) or page (level 3)
#define PTE_NG (UINT64_C(1) << 11)    // PTE_PRESENT_INVALID when !VALID (6.10+)
#define PTE_PROT_NONE_OLD (UINT64_C(1) << 58) // before 6.10

static uint64_t genmask(unsigned int hi, unsigned int lo)
{
	return (~UINT64_C(0) >> (63 - hi)) & (~UINT64_C(0) << lo);
}

uint64_t arm64_desc_to_phys(const struct arm64_layout *layout, uint64_t desc)
{
	unsigned int ps = layout->page_shift;

	switch (layout->pa_mode) {
	case ARM64_PA_LVA:
		// PA[51:48] in desc[15:12]; RES0 without FEAT_LPA.
		return (desc & genmask(47, 16)) | ((desc >> 12) & 0xf) << 48;
	case ARM64_PA_LPA2:
		// PTE_ADDR_LOW [49:PAGE_SHIFT], PTE_ADDR_HIGH [9:8] << 42.
		return (desc & genmask(49, ps)) | ((desc >> 8) & 0x3) << 50;
	case ARM64_PA_48:
		break;
	}
	// [9:8] are shareability here, [51:48] RES0: never part of the PA.
	return desc & genmask(47, ps);
}

// Linux's names for the levels, top first, as crash prints them.
static const char *level_name(unsigned int levels, unsigned int i)
{
	static const char *const n5[] = { "pgd", "p4d", "pud", "pmd", "pte" };
	static const char *const n4[] = { "pgd", "pud", "pmd", "pte" };
	static const char *const n3[] = { "pgd", "pmd", "pte" };
	static const char *const n2[] = { "pgd", "pte" };

	switch (levels) {
	case 5:
		return n5[i];
	case 4:
		return n4[i];
	case 3:
		return n3[i];
	default:
		return n2[i];
	}
}

// Block descriptors Linux can meet, plus the ones the architecture allows
// only with 52-bit PAs (4K L0 and 16K L1 with DS=1, 64K L1 with LPA).
static bool block_allowed(const struct arm64_layout *layout, int level)
{
	switch (layout->page_shift) {
	case 12:
		return level == 1 || level == 2 ||
		       (level == 0 && layout->large_blocks);
	case 14:
		return level == 2 || (level == 1 && layout->large_blocks);
	default:
		return level == 2 || (level == 1 && layout->large_blocks);
	}
}

// Kernel era for software PTE bits: 0 = 6.10+, 1 = 5.19–6.9,
// 2 = 4.0–5.18, 3 = before 4.0. Unknown versions use the newest rules.
static int pte_era(const struct arm64_layout *layout)
{
	unsigned int v = layout->kernel_version;

	if (!v || v >= ARM64_KVER(6, 10, 0))
		return 0;
	if (v >= ARM64_KVER(5, 19, 0))
		return 1;
	if (v >= ARM64_KVER(4, 0, 0))
		return 2;
	return 3;
}

static bool is_prot_none(const struct arm64_layout *layout, uint64_t desc)
{
	if (desc & DESC_VALID)
		return false;
	// pte_present_invalid(): PTE_PRESENT_INVALID (= PTE_NG, bit 11)
	// with VALID clear since 6.10; PTE_PROT_NONE (bit 58) before.
	if (pte_era(layout) == 0)
		return desc & PTE_NG;
	return desc & PTE_PROT_NONE_OLD;
}

static void decode_swap(const struct arm64_layout *layout, uint64_t desc,
			struct vmt_translation *ret)
{
	unsigned int type_shift, type_bits, off_shift, off_bits = 50;

	switch (pte_era(layout)) {
	case 0: // 6.10+: type [10:6], offset from bit 12
		type_shift = 6, type_bits = 5, off_shift = 12;
		break;
	case 1: // 5.19–6.9: bit 2 is PTE_SWP_EXCLUSIVE; type [7:3]
		type_shift = 3, type_bits = 5, off_shift = 8;
		break;
	case 2: // 4.0–5.18: type [7:2]
		type_shift = 2, type_bits = 6, off_shift = 8;
		break;
	default: // 3.x: bit 2 was PTE_FILE; type [8:3], offset [57:9]
		type_shift = 3, type_bits = 6, off_shift = 9, off_bits = 49;
		break;
	}
	ret->swap_type = (desc >> type_shift) & ((UINT64_C(1) << type_bits) - 1);
	ret->swap_offset = (desc >> off_shift) & ((UINT64_C(1) << off_bits) - 1);
}

struct vmt_error *arm64_pgtable_walk(const struct arm64_layout *layout,
				     read_phys_fn *read_phys, void *arg,
				     enum arm64_table_kind kind,
				     uint64_t root_paddr, uint64_t vaddr,
				     struct vmt_translation *ret)
{
	unsigned int ps = layout->page_shift;
	unsigned int per = ps - 3;
	unsigned int walk_bits, levels, top_entries;
	unsigned int actual = (unsigned int)layout->va_bits_actual.value;
	uint64_t va = arm64_untag(layout, vaddr);
	uint64_t table = root_paddr;
	uint64_t parent = 0; // descriptor that pointed at table (0 for the root)
	int level;

	memset(ret, 0, sizeof(*ret));
	ret->vaddr = vaddr;
	ret->status = VMT_VTOP_NOT_MAPPED;
	if (kind == ARM64_TABLE_KERNEL) {
		walk_bits = layout->kernel_walk_va_bits;
		levels = layout->kernel_levels;
		top_entries = layout->kernel_top_entries;
		if (!(va >> 63)) {
			snprintf(ret->note, sizeof(ret->note),
				 "%#" PRIx64 " is not a kernel (TTBR1) address",
				 vaddr);
			return NULL;
		}
	} else {
		walk_bits = layout->user_walk_va_bits;
		levels = layout->user_levels;
		top_entries = layout->user_top_entries;
		if (va >> 63) {
			snprintf(ret->note, sizeof(ret->note),
				 "%#" PRIx64 " is not a user (TTBR0) address",
				 vaddr);
			return NULL;
		}
	}
	if (levels < 2 || levels > 5 || walk_bits < 25 || walk_bits > 52)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"page-table geometry not initialized (%u levels, %u VA bits)",
					levels, walk_bits);
	(void)actual; // untag already made the VA canonical at vabits_actual

	level = 4 - (int)levels;
	for (unsigned int i = 0; i < levels; i++, level++) {
		unsigned int shift = ps + per * (unsigned int)(3 - level);
		uint64_t entries = i == 0 ? top_entries : UINT64_C(1) << per;
		uint32_t index = (uint32_t)((va >> shift) & (entries - 1));
		uint64_t entry_paddr = table + (uint64_t)index * 8;
		struct vmt_pt_level *lv = &ret->levels[i];
		const char *name = level_name(levels, i);
		uint8_t raw[8];
		struct vmt_error *err;
		uint64_t desc;

		lv->level = level;
		lv->name = name;
		lv->index = index;
		lv->entry_paddr = entry_paddr;
		ret->nr_levels = (int)i + 1;
		err = read_phys(arg, entry_paddr, raw, sizeof(raw));
		if (err) {
			if (err->code != VMT_ERROR_FAULT)
				return vmt_error_wrap(err,
						      "%s[%u] at %#" PRIx64 " (table %#" PRIx64 ")",
						      name, index, entry_paddr,
						      table);
			ret->status = err->fault == VMT_FAULT_EXCLUDED ?
					      VMT_VTOP_EXCLUDED :
					      VMT_VTOP_NOT_IN_DUMP;
			if (i == 0)
				snprintf(ret->note, sizeof(ret->note),
					 "%s[%u] at %#" PRIx64 " (root table %#" PRIx64 ") not readable: %s",
					 name, index, entry_paddr, table,
					 err->message);
			else
				snprintf(ret->note, sizeof(ret->note),
					 "%s[%u] at %#" PRIx64 " (table %#" PRIx64 " from %s = %#" PRIx64 ") not readable: %s",
					 name, index, entry_paddr, table,
					 ret->levels[i - 1].name, parent,
					 err->message);
			vmt_error_destroy(err);
			return NULL;
		}
		desc = load_le64(raw);
		lv->entry = desc;

		if (!(desc & DESC_VALID)) {
			if (desc == 0) {
				ret->status = VMT_VTOP_NOT_MAPPED;
				return NULL;
			}
			// A PROT_NONE huge entry is a block with VALID cleared
			// (type 00); a table with VALID cleared is just invalid.
			if (is_prot_none(layout, desc) &&
			    (level == 3 || (block_allowed(layout, level) &&
					    !(desc & DESC_TABLE)))) {
				// Present to the kernel (pte_present), though
				// the MMU faults on it: NUMA hinting, mprotect.
				uint64_t size = UINT64_C(1) << shift;

				ret->status = VMT_VTOP_PROT_NONE;
				ret->has_paddr = true;
				ret->page_size = size;
				ret->paddr = (arm64_desc_to_phys(layout, desc) &
					      ~(size - 1)) |
					     (va & (size - 1));
				return NULL;
			}
			if (level == 3) {
				ret->status = VMT_VTOP_SWAP;
				decode_swap(layout, desc, ret);
				return NULL;
			}
			ret->status = VMT_VTOP_NOT_MAPPED;
			snprintf(ret->note, sizeof(ret->note),
				 "%s[%u] = %#" PRIx64 " is not present",
				 name, index, desc);
			return NULL;
		}

		if (level == 3) {
			if (!(desc & DESC_TABLE)) {
				ret->status = VMT_VTOP_INVALID;
				snprintf(ret->note, sizeof(ret->note),
					 "%s[%u] = %#" PRIx64 ": type 01 is reserved at level 3",
					 name, index, desc);
				return NULL;
			}
			ret->status = VMT_VTOP_MAPPED;
			ret->has_paddr = true;
			ret->page_size = UINT64_C(1) << ps;
			ret->paddr = arm64_desc_to_phys(layout, desc) |
				     (va & (ret->page_size - 1));
			return NULL;
		}
		if (!(desc & DESC_TABLE)) {
			uint64_t size = UINT64_C(1) << shift;

			if (!block_allowed(layout, level)) {
				ret->status = VMT_VTOP_INVALID;
				snprintf(ret->note, sizeof(ret->note),
					 "%s[%u] = %#" PRIx64 ": block descriptor not allowed at level %d with this configuration",
					 name, index, desc, level);
				return NULL;
			}
			// Decode first, then mask to the block size: masking
			// first would drop PA bits kept in [15:12] or [9:8].
			ret->status = VMT_VTOP_MAPPED;
			ret->has_paddr = true;
			ret->page_size = size;
			ret->paddr = (arm64_desc_to_phys(layout, desc) &
				      ~(size - 1)) |
				     (va & (size - 1));
			return NULL;
		}
		parent = desc;
		table = arm64_desc_to_phys(layout, desc);
	}
	// Unreachable: level 3 always ends the loop.
	return vmt_error_format(VMT_ERROR_BAD_DATA,
				"page-table walk of %#" PRIx64 " ended without a leaf",
				vaddr);
}

void arm64_geom_init(struct arm64_geom *geom,
		     const struct arm64_layout *layout,
		     enum arm64_table_kind kind)
{
	unsigned int ps = layout->page_shift, per = ps - 3;
	unsigned int walk_bits, levels, top_entries;
	int level;

	memset(geom, 0, sizeof(*geom));
	geom->kind = kind;
	// The three cases of arm64_desc_to_phys() in one form.
	switch (layout->pa_mode) {
	case ARM64_PA_LVA:
		geom->oa_mask = genmask(47, 16);
		geom->hi_shift = 12, geom->hi_mask = 0xf, geom->hi_pos = 48;
		break;
	case ARM64_PA_LPA2:
		geom->oa_mask = genmask(49, ps);
		geom->hi_shift = 8, geom->hi_mask = 0x3, geom->hi_pos = 50;
		break;
	case ARM64_PA_48:
		geom->oa_mask = genmask(47, ps);
		break;
	}
	if (kind == ARM64_TABLE_KERNEL) {
		walk_bits = layout->kernel_walk_va_bits;
		levels = layout->kernel_levels;
		top_entries = layout->kernel_top_entries;
	} else {
		walk_bits = layout->user_walk_va_bits;
		levels = layout->user_levels;
		top_entries = layout->user_top_entries;
	}
	// The same checks and indexing as arm64_pgtable_walk().
	if (levels < 2 || levels > 5 || walk_bits < 25 || walk_bits > 52 ||
	    (ps != 12 && ps != 14 && ps != 16) || !top_entries ||
	    (top_entries & (top_entries - 1)))
		return;
	geom->levels = levels;
	geom->page_shift = ps;
	geom->map_shift = ps;
	level = 4 - (int)levels;
	for (unsigned int i = 0; i < levels; i++, level++) {
		uint64_t entries = i == 0 ? top_entries : UINT64_C(1) << per;

		geom->shift[i] = ps + per * (unsigned int)(3 - level);
		geom->mask[i] = entries - 1;
		geom->block_ok[i] = level < 3 && block_allowed(layout, level);
	}
	geom->ok = true;
}
