// The arm64 kernel's virtual memory layout, reconstructed from VMCOREINFO
// (and derivations where it is silent), with the source of every value.
#ifndef VMT_ARM64_LAYOUT_H
#define VMT_ARM64_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vmcoreinfo/vmcoreinfo.h"
#include "vmtool/program.h"

/** How a descriptor's output address is decoded. */
enum arm64_pa_mode {
	ARM64_PA_48,   // desc[47:PAGE_SHIFT]
	ARM64_PA_LVA,  // 64K: desc[47:16] | desc[15:12] << 48
	ARM64_PA_LPA2, // 4K/16K, DS=1: desc[49:PAGE_SHIFT] | desc[9:8] << 50
};

/** Address regions of the kernel half and the user half. */
enum arm64_region {
	ARM64_REGION_USER,
	ARM64_REGION_LINEAR,
	ARM64_REGION_KIMAGE,
	ARM64_REGION_MODULES,
	ARM64_REGION_VMALLOC,
	ARM64_REGION_VMEMMAP,
	ARM64_REGION_OTHER,
};

const char *arm64_region_name(enum arm64_region region);

/** Where a layout value came from. */
enum arm64_value_source {
	ARM64_SRC_UNKNOWN,
	ARM64_SRC_VMCOREINFO,
	ARM64_SRC_DERIVED,
	ARM64_SRC_OVERRIDE,
	ARM64_SRC_DEFAULT,
};

/** One layout value with its provenance. */
struct arm64_value {
	uint64_t value;
	enum arm64_value_source source;
	/** e.g. "NUMBER(VA_BITS)" or "64 - TCR_EL1_T1SZ" */
	char how[120];
};

/** KERNEL_VERSION-style packing of OSRELEASE's first three numbers. */
#define ARM64_KVER(a, b, c) (((a) << 16) | ((b) << 8) | (c))

struct arm64_layout {
	/** OSRELEASE as ARM64_KVER(), 0 if unknown. */
	unsigned int kernel_version;
	/** Granule. */
	unsigned int page_shift;
	uint64_t page_size;
	struct arm64_value va_bits;        // CONFIG_ARM64_VA_BITS
	struct arm64_value va_bits_actual; // 64 - T1SZ
	unsigned int va_bits_min;
	/** VA size the kernel (TTBR1) table is indexed with. */
	unsigned int kernel_walk_va_bits;
	unsigned int kernel_levels;
	unsigned int kernel_top_entries;
	/**
	 * TTBR1_BADDR_4852_OFFSET: where TTBR1 points inside swapper_pg_dir
	 * when a 64K VA 52 kernel runs at 48 bits (0 otherwise). The walker
	 * indexes the whole 1024-entry table from swapper_pg_dir with 52-bit
	 * geometry, which reaches the same entries (960..1023) as the CPU
	 * indexing 64 entries from swapper_pg_dir + this offset.
	 */
	uint64_t kernel_root_offset;
	/** Same for user (TTBR0) tables. */
	unsigned int user_walk_va_bits;
	unsigned int user_levels;
	unsigned int user_top_entries;
	enum arm64_pa_mode pa_mode;
	/** Architecturally rare block levels allowed (4K L0, 16K L1, 64K L1). */
	bool large_blocks;
	struct arm64_value max_physmem_bits;
	/** Layout flipped in 5.4 (linear map in the lower half of the kernel range). */
	bool flipped;
	char flipped_how[120];
	struct arm64_value page_offset;
	struct arm64_value page_end;
	struct arm64_value phys_offset;
	struct arm64_value kimage_voffset;
	struct arm64_value kernel_offset;
	struct arm64_value pacmask;
	struct arm64_value modules_vaddr, modules_end;
	struct arm64_value vmalloc_start, vmalloc_end;
	struct arm64_value vmemmap_start, vmemmap_end;
	struct arm64_value kimage_start; // _text/_stext neighbourhood
	/** End of the kernel image (_end), or an estimate until set. */
	struct arm64_value kimage_end;
	struct arm64_value stext;
	struct arm64_value swapper_pg_dir;
	/** PA of swapper_pg_dir, from the kimage formula (no walk). */
	uint64_t swapper_pg_dir_paddr;
	/** False when kimage_voffset or swapper_pg_dir is unknown. */
	bool swapper_pg_dir_paddr_known;
	/** Disagreements and derivations worth telling (owned strings). */
	char **notes;
	size_t nr_notes;
};

/**
 * Build the layout from @p vi, then apply @p overrides ("KEY=VALUE"; keys
 * as VMCOREINFO names them: PAGESIZE, VA_BITS, TCR_EL1_T1SZ, PHYS_OFFSET,
 * kimage_voffset, KERNELOFFSET, KERNELPACMASK, MAX_PHYSMEM_BITS,
 * swapper_pg_dir, _stext, _end, MODULES_VADDR, MODULES_END, VMALLOC_START,
 * VMALLOC_END, VMEMMAP_START, VMEMMAP_END, OSRELEASE). Values are 0x-hex or
 * decimal; swapper_pg_dir, _stext, _end and KERNELOFFSET are hex as in
 * VMCOREINFO. An override wins and is recorded with source OVERRIDE.
 * @p vi may be NULL (everything from overrides). Free with
 * arm64_layout_deinit(), also after a failure.
 */
struct vmt_error *arm64_layout_init(struct arm64_layout *layout,
				    const struct vmcoreinfo *vi,
				    const char *const *overrides,
				    size_t nr_overrides);

void arm64_layout_deinit(struct arm64_layout *layout);

/** Strip MTE/KASAN tags and PAC bits, sign-extending from bit 55. */
uint64_t arm64_untag(const struct arm64_layout *layout, uint64_t vaddr);

enum arm64_region arm64_classify(const struct arm64_layout *layout,
				 uint64_t vaddr);

/** The kernel's __lm_to_phys / __kimg_to_phys; false if not that region. */
bool arm64_formula_vtop(const struct arm64_layout *layout, uint64_t vaddr,
			uint64_t *paddr_ret);

/** The kernel's __phys_to_virt. */
uint64_t arm64_phys_to_linear(const struct arm64_layout *layout,
			      uint64_t paddr);

/** Set the end of the kernel image once _end is known (symbols). */
void arm64_layout_set_kimage_end(struct arm64_layout *layout, uint64_t end,
				 const char *how);

/**
 * Every layout value, formatted with its source, for `explain`, then one
 * item named "note" per note. @p ret is malloc'd; free() it.
 */
struct vmt_error *arm64_layout_explain(const struct arm64_layout *layout,
				       struct vmt_layout_item **ret,
				       size_t *nr_ret);

/** Record a note (a derivation or disagreement) in the layout. */
void arm64_layout_add_note(struct arm64_layout *layout, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
