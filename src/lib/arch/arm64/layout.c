// Reconstruct the arm64 kernel's virtual memory layout from VMCOREINFO.
// Formulas follow Linux 6.12 arch/arm64/include/asm/memory.h and
// pgtable.h (see /work/shared/ARM64-REFERENCE.md §2.0–2.2); older eras are
// named where they differ.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE // vasprintf
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arch/arm64/layout.h"

#define SZ_2M (UINT64_C(1) << 21)
#define SZ_8M (UINT64_C(1) << 23)
#define SZ_128M (UINT64_C(1) << 27)
#define SZ_64M (UINT64_C(1) << 26)
#define SZ_256M (UINT64_C(1) << 28)
#define SZ_1G (UINT64_C(1) << 30)
#define SZ_2G (UINT64_C(1) << 31)
// sizeof(struct page) the kernel assumes for vmemmap sizing
// (STRUCT_PAGE_MAX_SHIFT = 6).
#define STRUCT_PAGE_SIZE 64

static uint64_t genmask(unsigned int hi, unsigned int lo)
{
	if (lo > hi || lo > 63)
		return 0;
	return (~UINT64_C(0) >> (63 - hi)) & (~UINT64_C(0) << lo);
}

const char *arm64_region_name(enum arm64_region region)
{
	switch (region) {
	case ARM64_REGION_USER:
		return "user";
	case ARM64_REGION_LINEAR:
		return "linear";
	case ARM64_REGION_KIMAGE:
		return "kimage";
	case ARM64_REGION_MODULES:
		return "modules";
	case ARM64_REGION_VMALLOC:
		return "vmalloc";
	case ARM64_REGION_VMEMMAP:
		return "vmemmap";
	case ARM64_REGION_OTHER:
		break;
	}
	return "other";
}

void arm64_layout_add_note(struct arm64_layout *layout, const char *fmt, ...)
{
	char **notes;
	char *s;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return; // notes are best effort; the layout stays valid
	notes = realloc(layout->notes,
			(layout->nr_notes + 1) * sizeof(*layout->notes));
	if (!notes) {
		free(s);
		return;
	}
	layout->notes = notes;
	layout->notes[layout->nr_notes++] = s;
}

static void set_value(struct arm64_value *v, uint64_t value,
		      enum arm64_value_source source, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_value(struct arm64_value *v, uint64_t value,
		      enum arm64_value_source source, const char *fmt, ...)
{
	va_list ap;

	v->value = value;
	v->source = source;
	va_start(ap, fmt);
	vsnprintf(v->how, sizeof(v->how), fmt, ap);
	va_end(ap);
}

// Override keys, how their value is written, and where VMCOREINFO keeps them.
enum input_kind { IN_NUMBER, IN_SYMBOL, IN_PAGESIZE, IN_KERNELOFFSET };

struct input_key {
	const char *key;
	enum input_kind kind;
};

static const struct input_key input_keys[] = {
	{ "PAGESIZE", IN_PAGESIZE },
	{ "VA_BITS", IN_NUMBER },
	{ "TCR_EL1_T1SZ", IN_NUMBER },
	{ "PHYS_OFFSET", IN_NUMBER },
	{ "kimage_voffset", IN_NUMBER },
	{ "KERNELOFFSET", IN_KERNELOFFSET },
	{ "KERNELPACMASK", IN_NUMBER },
	{ "MAX_PHYSMEM_BITS", IN_NUMBER },
	{ "swapper_pg_dir", IN_SYMBOL },
	{ "_stext", IN_SYMBOL },
	{ "_end", IN_SYMBOL },
	{ "mem_section", IN_SYMBOL },
	{ "MODULES_VADDR", IN_NUMBER },
	{ "MODULES_END", IN_NUMBER },
	{ "VMALLOC_START", IN_NUMBER },
	{ "VMALLOC_END", IN_NUMBER },
	{ "VMEMMAP_START", IN_NUMBER },
	{ "VMEMMAP_END", IN_NUMBER },
};

#define NR_INPUT_KEYS (sizeof(input_keys) / sizeof(input_keys[0]))

struct inputs {
	const struct vmcoreinfo *vi;
	bool have_override[NR_INPUT_KEYS];
	uint64_t override[NR_INPUT_KEYS];
	const char *osrelease;
	char osrelease_buf[65];
};

static int input_index(const char *key, size_t len)
{
	for (size_t i = 0; i < NR_INPUT_KEYS; i++) {
		if (strlen(input_keys[i].key) == len &&
		    strncmp(input_keys[i].key, key, len) == 0)
			return (int)i;
	}
	// VMCOREINFO spells T1SZ in either case depending on the kernel.
	if (len == 12 && strncasecmp(key, "TCR_EL1_T1SZ", 12) == 0)
		return 2;
	return -1;
}

static bool parse_u64(const char *s, int base, uint64_t *ret)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	errno = 0;
	*ret = strtoull(s, &end, base);
	return errno == 0 && end != s && *end == '\0';
}

static struct vmt_error *parse_overrides(struct inputs *in,
					 const char *const *overrides,
					 size_t nr_overrides)
{
	for (size_t i = 0; i < nr_overrides; i++) {
		const char *o = overrides[i];
		const char *eq = strchr(o, '=');
		uint64_t v;
		int idx;

		if (!eq)
			return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
						"override \"%s\": expected KEY=VALUE",
						o);
		if ((size_t)(eq - o) == 9 && strncmp(o, "OSRELEASE", 9) == 0) {
			snprintf(in->osrelease_buf, sizeof(in->osrelease_buf),
				 "%s", eq + 1);
			in->osrelease = in->osrelease_buf;
			continue;
		}
		idx = input_index(o, (size_t)(eq - o));
		if (idx < 0)
			return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
						"override \"%s\": unknown key (expected one of PAGESIZE, VA_BITS, TCR_EL1_T1SZ, PHYS_OFFSET, kimage_voffset, KERNELOFFSET, KERNELPACMASK, MAX_PHYSMEM_BITS, swapper_pg_dir, _stext, _end, MODULES_VADDR, MODULES_END, VMALLOC_START, VMALLOC_END, VMEMMAP_START, VMEMMAP_END, OSRELEASE)",
						o);
		switch (input_keys[idx].kind) {
		case IN_SYMBOL:
		case IN_KERNELOFFSET:
			if (!parse_u64(eq + 1, 16, &v))
				goto bad;
			break;
		default:
			if (!parse_u64(eq + 1, 0, &v))
				goto bad;
			break;
		}
		in->have_override[idx] = true;
		in->override[idx] = v;
		continue;
bad:
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"override \"%s\": value is not a number",
					o);
	}
	return NULL;
}

// Fetch input @p key: an override first, then VMCOREINFO. Fills @p v with
// the value and its source; false if neither has it.
static bool get_input(const struct inputs *in, const char *key,
		      struct arm64_value *v)
{
	int idx = input_index(key, strlen(key));
	const struct vmcoreinfo *vi = in->vi;
	uint64_t value;

	if (idx >= 0 && in->have_override[idx]) {
		set_value(v, in->override[idx], ARM64_SRC_OVERRIDE,
			  "override %s", key);
		return true;
	}
	if (!vi || idx < 0)
		return false;
	switch (input_keys[idx].kind) {
	case IN_PAGESIZE:
		if (!vi->page_size)
			return false;
		set_value(v, vi->page_size, ARM64_SRC_VMCOREINFO,
			  "VMCOREINFO PAGESIZE");
		return true;
	case IN_KERNELOFFSET:
		if (!vmcoreinfo_kerneloffset(vi, &value))
			return false;
		set_value(v, value, ARM64_SRC_VMCOREINFO,
			  "VMCOREINFO KERNELOFFSET");
		return true;
	case IN_SYMBOL:
		if (!vmcoreinfo_symbol(vi, key, &value))
			return false;
		set_value(v, value, ARM64_SRC_VMCOREINFO,
			  "VMCOREINFO SYMBOL(%s)", key);
		return true;
	case IN_NUMBER:
		if (!vmcoreinfo_number(vi, key, &value))
			return false;
		set_value(v, value, ARM64_SRC_VMCOREINFO,
			  "VMCOREINFO NUMBER(%s)", key);
		return true;
	}
	return false;
}

static unsigned int parse_version(const char *s)
{
	unsigned int part[3] = { 0, 0, 0 };
	int n = 0;

	if (!s)
		return 0;
	while (n < 3) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);

		if (end == s || v > 255)
			break;
		part[n++] = (unsigned int)v;
		if (*end != '.')
			break;
		s = end + 1;
	}
	if (n < 2)
		return 0;
	return ARM64_KVER(part[0], part[1], part[2]);
}

// Highest clear bit of @p value at or below bit 62, or -1.
static int highest_clear_bit(uint64_t value)
{
	for (int bit = 62; bit >= 0; bit--) {
		if (!(value & (UINT64_C(1) << bit)))
			return bit;
	}
	return -1;
}

static unsigned int walk_levels(unsigned int va, unsigned int page_shift)
{
	unsigned int per = page_shift - 3;

	return (va - page_shift + per - 1) / per;
}

static unsigned int walk_top_entries(unsigned int va, unsigned int page_shift)
{
	unsigned int per = page_shift - 3;

	return 1U << ((va - page_shift - 1) % per + 1);
}

static bool is_kernel_vmcoreinfo_va(unsigned int va)
{
	return va == 36 || va == 39 || va == 42 || va == 47 || va == 48 ||
	       va == 52;
}

// VA_BITS when VMCOREINFO lacks it (before 4.12). crash's method: the
// highest clear bit of a kernel-image symbol; that symbol sits in the upper
// half of the kernel range in the flipped layout (hence +2) and just above
// VA_START before it (+1). KASLR can move the image so that this
// underestimates; a linear-map pointer (SYMBOL(mem_section)) is exact.
static bool derive_va_bits(struct arm64_layout *layout, struct inputs *in,
			   bool flipped_guess)
{
	struct arm64_value sym;
	int bit;

	if (get_input(in, "mem_section", &sym) && (sym.value >> 63)) {
		bit = highest_clear_bit(sym.value);
		if (bit > 0) {
			unsigned int va = (unsigned int)bit + (flipped_guess ? 1 : 2);

			if (is_kernel_vmcoreinfo_va(va)) {
				set_value(&layout->va_bits, va, ARM64_SRC_DERIVED,
					  "derived: highest clear bit of linear-map pointer SYMBOL(mem_section) %#" PRIx64 " (+%d)",
					  sym.value, flipped_guess ? 1 : 2);
				return true;
			}
		}
	}
	if (get_input(in, "swapper_pg_dir", &sym) ||
	    get_input(in, "_stext", &sym)) {
		bit = highest_clear_bit(sym.value);
		if (bit > 0) {
			unsigned int va = (unsigned int)bit + (flipped_guess ? 2 : 1);

			set_value(&layout->va_bits, va, ARM64_SRC_DERIVED,
				  "derived: highest clear bit of kernel symbol %#" PRIx64 " (crash's method; may be low under KASLR)",
				  sym.value);
			return true;
		}
	}
	return false;
}

// PUD_SIZE; with fewer than 4 levels it folds to PGDIR_SIZE:
// 1 << ARM64_HW_PGTABLE_LEVEL_SHIFT(max(1, 4 - levels)) (pgtable-hwdef.h).
static uint64_t pud_size(const struct arm64_layout *layout)
{
	unsigned int ps = layout->page_shift;
	unsigned int levels = walk_levels((unsigned int)layout->va_bits.value, ps);
	unsigned int lvl = levels >= 3 ? 1 : 4 - levels;

	return UINT64_C(1) << ((ps - 3) * (4 - lvl) + 3);
}

static void compute_regions(struct arm64_layout *layout, struct inputs *in)
{
	unsigned int vbm = layout->va_bits_min;
	unsigned int va = (unsigned int)layout->va_bits.value;
	unsigned int kv = layout->kernel_version;
	uint64_t page_offset = layout->page_offset.value;
	if (layout->flipped) {
		uint64_t page_end_min = -(UINT64_C(1) << (vbm - 1));
		// MODULES_VSIZE grew from 128M to 2G in 6.5 (module VA rework);
		// the VMCOREINFO export (5.18+) makes this matter only for
		// older kernels, which all used 128M.
		uint64_t modules_size =
			(kv && kv < ARM64_KVER(6, 5, 0)) ? SZ_128M : SZ_2G;
		uint64_t vmemmap_size = ((page_end_min - page_offset) >>
					 layout->page_shift) *
					STRUCT_PAGE_SIZE;
		uint64_t vmemmap_start, vmemmap_end;
		const char *vmemmap_how, *vmemmap_end_how;

		if (!get_input(in, "MODULES_VADDR", &layout->modules_vaddr))
			set_value(&layout->modules_vaddr, page_end_min,
				  ARM64_SRC_DERIVED,
				  "formula: _PAGE_END(VA_BITS_MIN) = -(1 << (VA_BITS_MIN - 1))");
		if (!get_input(in, "MODULES_END", &layout->modules_end))
			set_value(&layout->modules_end,
				  layout->modules_vaddr.value + modules_size,
				  ARM64_SRC_DERIVED,
				  "formula: MODULES_VADDR + %s",
				  modules_size == SZ_2G ? "2G (6.5+)" :
							  "128M (before 6.5)");
		if (!get_input(in, "VMALLOC_START", &layout->vmalloc_start))
			set_value(&layout->vmalloc_start,
				  layout->modules_end.value, ARM64_SRC_DERIVED,
				  "formula: MODULES_END");
		if (kv && kv < ARM64_KVER(5, 11, 0)) {
			// 5.4–5.10: VMEMMAP_START = -VMEMMAP_SIZE - SZ_2M
			vmemmap_start = -vmemmap_size - SZ_2M;
			vmemmap_end = vmemmap_start + vmemmap_size;
			vmemmap_how = "formula (5.4-5.10): -VMEMMAP_SIZE - 2M";
			vmemmap_end_how = "formula: VMEMMAP_START + VMEMMAP_SIZE";
		} else if (kv && kv < ARM64_KVER(6, 9, 0)) {
			// 5.11–6.8: VMEMMAP_START = -(1 << (VA_BITS - VMEMMAP_SHIFT))
			unsigned int shift = layout->page_shift - 6;

			vmemmap_start = -(UINT64_C(1) << (va - shift));
			vmemmap_end = vmemmap_start + vmemmap_size;
			vmemmap_how = "formula (5.11-6.8): -(1 << (VA_BITS - (PAGE_SHIFT - 6)))";
			vmemmap_end_how = "formula: VMEMMAP_START + VMEMMAP_SIZE";
		} else {
			vmemmap_end = -SZ_1G;
			vmemmap_start = vmemmap_end - vmemmap_size;
			vmemmap_how = "formula: VMEMMAP_END - ((_PAGE_END(VA_BITS_MIN) - PAGE_OFFSET) >> PAGE_SHIFT) * 64";
			vmemmap_end_how = "formula: -1G";
		}
		if (!get_input(in, "VMEMMAP_END", &layout->vmemmap_end))
			set_value(&layout->vmemmap_end, vmemmap_end,
				  ARM64_SRC_DERIVED, "%s", vmemmap_end_how);
		if (!get_input(in, "VMEMMAP_START", &layout->vmemmap_start))
			set_value(&layout->vmemmap_start, vmemmap_start,
				  ARM64_SRC_DERIVED, "%s", vmemmap_how);
		if (get_input(in, "VMALLOC_END", &layout->vmalloc_end)) {
			// from VMCOREINFO or an override
		} else if (kv && kv < ARM64_KVER(5, 11, 0)) {
			set_value(&layout->vmalloc_end,
				  -pud_size(layout) - vmemmap_size - 0x10000,
				  ARM64_SRC_DERIVED,
				  "formula (5.4-5.10): -PUD_SIZE - VMEMMAP_SIZE - 64K");
		} else if (kv && kv < ARM64_KVER(6, 9, 0)) {
			// PCI I/O and fixmap sat in the 256M below vmemmap
			// until 6.9 moved them above it.
			set_value(&layout->vmalloc_end,
				  layout->vmemmap_start.value - SZ_256M,
				  ARM64_SRC_DERIVED,
				  "formula (5.11-6.8): VMEMMAP_START - 256M");
		} else {
			uint64_t unused = 0;

			if (va != vbm)
				unused = ((-(UINT64_C(1) << layout->va_bits_actual.value)) -
					  page_offset) >> layout->page_shift;
			set_value(&layout->vmalloc_end,
				  layout->vmemmap_start.value +
					  unused * STRUCT_PAGE_SIZE - SZ_8M,
				  ARM64_SRC_DERIVED, "%s",
				  va == vbm ? "formula: VMEMMAP_START - 8M" :
					      "formula: VMEMMAP_START + ((_PAGE_OFFSET(vabits_actual) - PAGE_OFFSET) >> PAGE_SHIFT) * 64 - 8M");
		}
	} else {
		// 4.6–5.3: VA_START = ~0 << VA_BITS; modules, vmalloc (with the
		// image), a PUD gap, vmemmap, then the linear map in the upper
		// half. KASAN's shadow (unknown here) would shift MODULES_VADDR.
		uint64_t va_start = ~UINT64_C(0) << va;
		uint64_t vmemmap_size = UINT64_C(1)
					<< (va - layout->page_shift - 1 + 6);
		if (!get_input(in, "MODULES_VADDR", &layout->modules_vaddr))
			set_value(&layout->modules_vaddr, va_start,
				  ARM64_SRC_DERIVED,
				  "formula (pre-5.4, no KASAN): VA_START = ~0 << VA_BITS");
		if (!get_input(in, "MODULES_END", &layout->modules_end))
			set_value(&layout->modules_end,
				  layout->modules_vaddr.value + SZ_128M,
				  ARM64_SRC_DERIVED, "formula: MODULES_VADDR + 128M");
		if (!get_input(in, "VMALLOC_START", &layout->vmalloc_start))
			set_value(&layout->vmalloc_start,
				  layout->modules_end.value, ARM64_SRC_DERIVED,
				  "formula: MODULES_END");
		if (!get_input(in, "VMEMMAP_START", &layout->vmemmap_start))
			set_value(&layout->vmemmap_start,
				  page_offset - vmemmap_size, ARM64_SRC_DERIVED,
				  "formula (pre-5.4): PAGE_OFFSET - VMEMMAP_SIZE");
		if (!get_input(in, "VMEMMAP_END", &layout->vmemmap_end))
			set_value(&layout->vmemmap_end, page_offset,
				  ARM64_SRC_DERIVED, "formula (pre-5.4): PAGE_OFFSET");
		if (!get_input(in, "VMALLOC_END", &layout->vmalloc_end))
			set_value(&layout->vmalloc_end,
				  page_offset - pud_size(layout) - vmemmap_size - 0x10000,
				  ARM64_SRC_DERIVED,
				  "formula (pre-5.4): PAGE_OFFSET - PUD_SIZE - VMEMMAP_SIZE - 64K");
	}
}

// Whether _stext (or another image symbol) says the layout is flipped:
// since 5.4 the image lives in the upper half of the kernel range (bit
// VA_BITS - 1 set), before 5.4 just above VA_START (bit VA_BITS - 1 clear).
static void decide_flipped(struct arm64_layout *layout, struct inputs *in)
{
	unsigned int va = (unsigned int)layout->va_bits.value;
	struct arm64_value sym;
	const char *name = NULL;

	if (get_input(in, "_stext", &sym))
		name = "_stext";
	else if (get_input(in, "swapper_pg_dir", &sym))
		name = "swapper_pg_dir";
	if (name && (sym.value >> 63)) {
		layout->flipped = (sym.value >> (va - 1)) & 1;
		snprintf(layout->flipped_how, sizeof(layout->flipped_how),
			 "%s %#" PRIx64 " has bit %u (VA_BITS - 1) %s",
			 name, sym.value, va - 1,
			 layout->flipped ? "set: image in the upper half (5.4+)" :
					   "clear: image above VA_START (pre-5.4)");
		if (layout->kernel_version &&
		    layout->flipped != (layout->kernel_version >= ARM64_KVER(5, 4, 0)))
			arm64_layout_add_note(layout,
					      "layout %s by %s, but OSRELEASE suggests otherwise",
					      layout->flipped ? "flipped" : "not flipped",
					      name);
		return;
	}
	if (layout->kernel_version) {
		layout->flipped = layout->kernel_version >= ARM64_KVER(5, 4, 0);
		snprintf(layout->flipped_how, sizeof(layout->flipped_how),
			 "OSRELEASE %s 5.4 (no _stext/swapper_pg_dir symbol)",
			 layout->flipped ? ">=" : "<");
	} else {
		layout->flipped = true;
		snprintf(layout->flipped_how, sizeof(layout->flipped_how),
			 "assumed (no _stext, swapper_pg_dir or OSRELEASE)");
	}
	arm64_layout_add_note(layout, "flipped layout decided without an image symbol: %s",
			      layout->flipped_how);
}

static struct vmt_error *init_va_bits(struct arm64_layout *layout,
				      struct inputs *in)
{
	struct arm64_value t1sz, sym;
	uint64_t va;

	if (!get_input(in, "VA_BITS", &layout->va_bits)) {
		bool guess = layout->kernel_version ?
				     layout->kernel_version >= ARM64_KVER(5, 4, 0) :
				     false; // no VA_BITS export means < 4.12
		if (!derive_va_bits(layout, in, guess))
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"VMCOREINFO lacks NUMBER(VA_BITS) and no kernel symbol to derive it from; pass VA_BITS=<n>");
		arm64_layout_add_note(layout, "VA_BITS %" PRIu64 " %s",
				      layout->va_bits.value, layout->va_bits.how);
	}
	va = layout->va_bits.value;
	if (va < 36 || va > 52 || (layout->page_shift == 16 && va < 42) ||
	    (layout->page_shift == 12 && va < 39))
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"VA_BITS %" PRIu64 " (%s) is not valid with %" PRIu64 "K pages",
					va, layout->va_bits.how,
					layout->page_size >> 10);

	if (get_input(in, "TCR_EL1_T1SZ", &t1sz)) {
		if (t1sz.value < 12 || t1sz.value > 64 - 25)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"TCR_EL1_T1SZ %#" PRIx64 " (%s) out of range",
						t1sz.value, t1sz.how);
		set_value(&layout->va_bits_actual, 64 - t1sz.value,
			  t1sz.source == ARM64_SRC_OVERRIDE ? ARM64_SRC_OVERRIDE :
							      ARM64_SRC_DERIVED,
			  "derived: 64 - TCR_EL1_T1SZ (%s = %#" PRIx64 ")",
			  t1sz.how, t1sz.value);
		if (layout->va_bits_actual.value > va) {
			arm64_layout_add_note(layout,
					      "64 - TCR_EL1_T1SZ = %" PRIu64 " exceeds VA_BITS %" PRIu64 "; using VA_BITS",
					      layout->va_bits_actual.value, va);
			layout->va_bits_actual.value = va;
		}
		return NULL;
	}
	// Before 5.9 T1SZ is not exported. A 52-bit kernel may then run at
	// 48 (47 with 16K): a linear-map pointer tells, as makedumpfile does,
	// since linear addresses of a kernel running at N bits have bits
	// [63:N] set even though PAGE_OFFSET is -(1 << 52).
	if (va == 52 && get_input(in, "mem_section", &sym) && (sym.value >> 63)) {
		int bit = highest_clear_bit(sym.value);

		if (bit == 51 || bit == 47 || bit == 46) {
			set_value(&layout->va_bits_actual, (uint64_t)bit + 1,
				  ARM64_SRC_DERIVED,
				  "derived: highest clear bit of linear-map SYMBOL(mem_section) %#" PRIx64 " + 1",
				  sym.value);
			arm64_layout_add_note(layout,
					      "TCR_EL1_T1SZ missing: vabits_actual %d derived from SYMBOL(mem_section)",
					      bit + 1);
			return NULL;
		}
	}
	set_value(&layout->va_bits_actual, va, ARM64_SRC_DERIVED,
		  "derived: VA_BITS (TCR_EL1_T1SZ missing)");
	arm64_layout_add_note(layout,
			      "TCR_EL1_T1SZ missing from VMCOREINFO (before 5.9?): vabits_actual assumed = VA_BITS = %" PRIu64,
			      va);
	return NULL;
}

static void init_geometry(struct arm64_layout *layout)
{
	unsigned int ps = layout->page_shift;
	unsigned int va = (unsigned int)layout->va_bits.value;
	unsigned int actual = (unsigned int)layout->va_bits_actual.value;

	if (va > 48)
		layout->va_bits_min = ps == 14 ? 47 : 48;
	else
		layout->va_bits_min = va;

	if (ps == 16) {
		// 64K keeps swapper_pg_dir laid out for VA_BITS (1024 entries
		// at 52) even when running at 48; TTBR1 then points at entry
		// 960 (TTBR1_BADDR_4852_OFFSET, assembler.h).
		layout->kernel_walk_va_bits = va;
		layout->user_walk_va_bits = va;
		layout->pa_mode = ARM64_PA_LVA;
		if (va == 52 && actual < 52) {
			unsigned int pgdir_shift =
				ps + (ps - 3) * (walk_levels(52, ps) - 1);

			layout->kernel_root_offset =
				((UINT64_C(1) << (52 - pgdir_shift)) -
				 (UINT64_C(1) << (48 - pgdir_shift))) *
				8;
		}
	} else {
		// 4K/16K fold a level at run time (6.9), so the walk uses the
		// actual VA size; LPA2 is on exactly when it is 52 (TCR.DS).
		layout->kernel_walk_va_bits = actual;
		layout->user_walk_va_bits = actual;
		layout->pa_mode = actual == 52 ? ARM64_PA_LPA2 : ARM64_PA_48;
	}
	layout->kernel_levels = walk_levels(layout->kernel_walk_va_bits, ps);
	layout->kernel_top_entries =
		walk_top_entries(layout->kernel_walk_va_bits, ps);
	layout->user_levels = walk_levels(layout->user_walk_va_bits, ps);
	layout->user_top_entries = walk_top_entries(layout->user_walk_va_bits, ps);
}

static void init_kimage(struct arm64_layout *layout, struct inputs *in)
{
	bool have_stext = get_input(in, "_stext", &layout->stext);
	bool have_swapper = get_input(in, "swapper_pg_dir", &layout->swapper_pg_dir);
	struct arm64_value end;

	if (!get_input(in, "KERNELOFFSET", &layout->kernel_offset)) {
		if (have_stext && layout->flipped) {
			// _text = KIMAGE_VADDR + kaslr_offset() (memory.h:247), and
			// _text is 2M aligned since TEXT_OFFSET became 0 (5.8).
			set_value(&layout->kernel_offset,
				  (layout->stext.value & ~(SZ_2M - 1)) -
					  layout->modules_end.value,
				  ARM64_SRC_DERIVED,
				  "derived: round_down(_stext, 2M) - KIMAGE_VADDR (MODULES_END)");
		} else {
			set_value(&layout->kernel_offset, 0, ARM64_SRC_DEFAULT,
				  "default: 0 (KERNELOFFSET missing)");
		}
		arm64_layout_add_note(layout, "KERNELOFFSET missing: %s",
				      layout->kernel_offset.how);
	}

	if (!get_input(in, "kimage_voffset", &layout->kimage_voffset)) {
		if (have_stext && arm64_classify(layout, layout->stext.value) ==
					  ARM64_REGION_LINEAR) {
			// Before 4.6 the image was part of the linear map.
			set_value(&layout->kimage_voffset,
				  layout->page_offset.value - layout->phys_offset.value,
				  ARM64_SRC_DERIVED,
				  "derived: PAGE_OFFSET - PHYS_OFFSET (_stext is in the linear map, pre-4.6)");
			arm64_layout_add_note(layout,
					      "kimage_voffset missing: _stext lies in the linear map, so the image is linear-mapped (pre-4.6)");
		} else {
			set_value(&layout->kimage_voffset, 0, ARM64_SRC_UNKNOWN,
				  "unknown (kimage_voffset missing; pass kimage_voffset=...)");
			arm64_layout_add_note(layout,
					      "kimage_voffset missing and _stext is not linear-mapped: kernel image addresses cannot be translated by formula and swapper_pg_dir's PA is unknown; pass kimage_voffset=0x...");
		}
	}

	if (have_stext) {
		set_value(&layout->kimage_start, layout->stext.value & ~(SZ_2M - 1),
			  ARM64_SRC_DERIVED, "derived: round_down(_stext, 2M)");
	} else {
		set_value(&layout->kimage_start,
			  layout->modules_end.value + layout->kernel_offset.value,
			  ARM64_SRC_DERIVED, "derived: KIMAGE_VADDR + KERNELOFFSET");
	}
	if (get_input(in, "_end", &end)) {
		layout->kimage_end = end;
	} else {
		uint64_t base = have_swapper ? layout->swapper_pg_dir.value :
					       layout->kimage_start.value;

		// _end is not in VMCOREINFO; the image's bss ends within some
		// tens of MB after swapper_pg_dir. Refined by
		// arm64_layout_set_kimage_end() once symbols are known.
		set_value(&layout->kimage_end,
			  ((base + SZ_2M - 1) & ~(SZ_2M - 1)) + SZ_64M,
			  ARM64_SRC_DERIVED,
			  "estimate: round_up(swapper_pg_dir, 2M) + 64M (_end unknown)");
	}

	if (have_swapper && layout->kimage_voffset.source != ARM64_SRC_UNKNOWN) {
		layout->swapper_pg_dir_paddr =
			layout->swapper_pg_dir.value - layout->kimage_voffset.value;
		layout->swapper_pg_dir_paddr_known = true;
	} else if (!have_swapper) {
		arm64_layout_add_note(layout,
				      "SYMBOL(swapper_pg_dir) missing: kernel page-table walks are impossible; pass swapper_pg_dir=...");
	}
}

struct vmt_error *arm64_layout_init(struct arm64_layout *layout,
				    const struct vmcoreinfo *vi,
				    const char *const *overrides,
				    size_t nr_overrides)
{
	struct inputs in = { .vi = vi };
	struct arm64_value v;
	struct vmt_error *err;
	uint64_t va, actual;

	memset(layout, 0, sizeof(*layout));
	err = parse_overrides(&in, overrides, nr_overrides);
	if (err)
		return err;
	if (!in.osrelease && vi)
		in.osrelease = vi->osrelease;
	layout->kernel_version = parse_version(in.osrelease);

	if (!get_input(&in, "PAGESIZE", &v))
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"VMCOREINFO lacks PAGESIZE; pass PAGESIZE=4096|16384|65536");
	switch (v.value) {
	case 4096:
		layout->page_shift = 12;
		break;
	case 16384:
		layout->page_shift = 14;
		break;
	case 65536:
		layout->page_shift = 16;
		break;
	default:
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"PAGESIZE %" PRIu64 " (%s) is not an arm64 granule (4096, 16384, 65536)",
					v.value, v.how);
	}
	layout->page_size = v.value;

	err = init_va_bits(layout, &in);
	if (err)
		return err;
	va = layout->va_bits.value;
	actual = layout->va_bits_actual.value;
	init_geometry(layout);
	decide_flipped(layout, &in);

	if (layout->flipped) {
		set_value(&layout->page_offset, -(UINT64_C(1) << va),
			  ARM64_SRC_DERIVED, "formula: -(1 << VA_BITS)");
		// PAGE_END is KASAN_SHADOW_START with KASAN, which VMCOREINFO
		// does not reveal; without KASAN it is this.
		set_value(&layout->page_end,
			  -(UINT64_C(1) << (layout->va_bits_min - 1)),
			  ARM64_SRC_DERIVED,
			  "formula: -(1 << (VA_BITS_MIN - 1)) (no KASAN)");
	} else {
		set_value(&layout->page_offset, ~UINT64_C(0) << (va - 1),
			  ARM64_SRC_DERIVED, "formula (pre-5.4): ~0 << (VA_BITS - 1)");
		set_value(&layout->page_end, 0, ARM64_SRC_DERIVED,
			  "formula (pre-5.4): the linear map runs to the top (2^64)");
	}

	if (!get_input(&in, "PHYS_OFFSET", &layout->phys_offset)) {
		// Without it only the page tables can tell; DRAM at 0x40000000
		// (QEMU virt) is a guess the caller should override.
		set_value(&layout->phys_offset, 0x40000000, ARM64_SRC_DEFAULT,
			  "default: 0x40000000 (PHYS_OFFSET missing)");
		arm64_layout_add_note(layout,
				      "PHYS_OFFSET missing from VMCOREINFO: assumed 0x40000000; linear-map formula results are unverified");
	}
	if (actual < va) {
		uint64_t adjust = (-(UINT64_C(1) << actual)) - (-(UINT64_C(1) << va));

		arm64_layout_add_note(layout,
				      "VA_BITS %" PRIu64 " configured, %" PRIu64 " in effect: PAGE_OFFSET = -(1 << %" PRIu64 "), PHYS_OFFSET %#" PRIx64 " = %#" PRIx64 " - %#" PRIx64 " (the gap)",
				      va, actual, va, layout->phys_offset.value,
				      layout->phys_offset.value + adjust, adjust);
	}

	if (!get_input(&in, "MAX_PHYSMEM_BITS", &layout->max_physmem_bits)) {
		uint64_t bits = (layout->pa_mode == ARM64_PA_LPA2 ||
				 (layout->page_shift == 16 && va == 52)) ?
					52 :
					48;

		set_value(&layout->max_physmem_bits, bits, ARM64_SRC_DERIVED,
			  "derived: %s", bits == 52 ? "52 (LPA2 or 64K VA 52)" : "48");
	}
	layout->large_blocks = layout->pa_mode == ARM64_PA_LPA2 ||
			       (layout->page_shift == 16 &&
				layout->max_physmem_bits.value == 52);

	if (!get_input(&in, "KERNELPACMASK", &layout->pacmask)) {
		set_value(&layout->pacmask, genmask(63, (unsigned int)actual),
			  ARM64_SRC_DERIVED,
			  "derived: GENMASK(63, vabits_actual) (KERNELPACMASK missing; assumes PAC)");
	} else if (layout->pacmask.value &&
		   layout->pacmask.value != genmask(63, (unsigned int)actual)) {
		arm64_layout_add_note(layout,
				      "KERNELPACMASK %#" PRIx64 " differs from GENMASK(63, vabits_actual) = %#" PRIx64,
				      layout->pacmask.value,
				      genmask(63, (unsigned int)actual));
	}

	compute_regions(layout, &in);
	init_kimage(layout, &in);
	return NULL;
}

void arm64_layout_deinit(struct arm64_layout *layout)
{
	if (!layout)
		return;
	for (size_t i = 0; i < layout->nr_notes; i++)
		free(layout->notes[i]);
	free(layout->notes);
	layout->notes = NULL;
	layout->nr_notes = 0;
}

void arm64_layout_set_kimage_end(struct arm64_layout *layout, uint64_t end,
				 const char *how)
{
	set_value(&layout->kimage_end, end, ARM64_SRC_DERIVED, "%s",
		  how ? how : "symbol _end");
}

uint64_t arm64_untag(const struct arm64_layout *layout, uint64_t vaddr)
{
	unsigned int actual = (unsigned int)layout->va_bits_actual.value;

	// TBI: bit 55 selects the half; tag and PAC bits sit above the VA
	// size, so sign-extend from the VA size (pointer_auth.h masks).
	if (vaddr & (UINT64_C(1) << 55))
		return vaddr | genmask(63, actual);
	return vaddr & ~genmask(63, actual);
}

enum arm64_region arm64_classify(const struct arm64_layout *layout,
				 uint64_t vaddr)
{
	uint64_t a = arm64_untag(layout, vaddr);

	if (!(a >> 63))
		return ARM64_REGION_USER;
	if (layout->flipped) {
		if (a - layout->page_offset.value <
		    layout->page_end.value - layout->page_offset.value)
			return ARM64_REGION_LINEAR;
	} else if (a >= layout->page_offset.value) {
		return ARM64_REGION_LINEAR;
	}
	if (a >= layout->kimage_start.value && a < layout->kimage_end.value)
		return ARM64_REGION_KIMAGE;
	if (a >= layout->modules_vaddr.value && a < layout->modules_end.value)
		return ARM64_REGION_MODULES;
	if (a >= layout->vmalloc_start.value && a < layout->vmalloc_end.value)
		return ARM64_REGION_VMALLOC;
	if (a >= layout->vmemmap_start.value && a < layout->vmemmap_end.value)
		return ARM64_REGION_VMEMMAP;
	return ARM64_REGION_OTHER;
}

bool arm64_formula_vtop(const struct arm64_layout *layout, uint64_t vaddr,
			uint64_t *paddr_ret)
{
	uint64_t a = arm64_untag(layout, vaddr);

	switch (arm64_classify(layout, a)) {
	case ARM64_REGION_LINEAR:
		// __lm_to_phys, modulo 2^64 (PHYS_OFFSET may have wrapped)
		*paddr_ret = a - layout->page_offset.value +
			     layout->phys_offset.value;
		return true;
	case ARM64_REGION_KIMAGE:
		if (layout->kimage_voffset.source == ARM64_SRC_UNKNOWN)
			return false;
		*paddr_ret = a - layout->kimage_voffset.value;
		return true;
	default:
		return false;
	}
}

uint64_t arm64_phys_to_linear(const struct arm64_layout *layout,
			      uint64_t paddr)
{
	return (paddr - layout->phys_offset.value) | layout->page_offset.value;
}

static const char *source_prefix(enum arm64_value_source s)
{
	switch (s) {
	case ARM64_SRC_OVERRIDE:
		return "override";
	case ARM64_SRC_UNKNOWN:
		return "unknown";
	default:
		return NULL;
	}
}

struct explain_buf {
	struct vmt_layout_item *items;
	size_t nr, cap;
	bool failed;
};

static struct vmt_layout_item *explain_add(struct explain_buf *b,
					   const char *name)
{
	if (b->failed)
		return NULL;
	if (b->nr == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct vmt_layout_item *items =
			realloc(b->items, cap * sizeof(*items));

		if (!items) {
			b->failed = true;
			return NULL;
		}
		b->items = items;
		b->cap = cap;
	}
	memset(&b->items[b->nr], 0, sizeof(b->items[b->nr]));
	b->items[b->nr].name = name;
	return &b->items[b->nr++];
}

static void explain_str(struct explain_buf *b, const char *name,
			const char *value, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void explain_str(struct explain_buf *b, const char *name,
			const char *value, const char *fmt, ...)
{
	struct vmt_layout_item *it = explain_add(b, name);
	va_list ap;

	if (!it)
		return;
	snprintf(it->value, sizeof(it->value), "%s", value);
	va_start(ap, fmt);
	vsnprintf(it->source, sizeof(it->source), fmt, ap);
	va_end(ap);
}

// The last item added holds @p value of @p kind (its text is set).
static void explain_set_kind(struct explain_buf *b,
			     enum vmt_layout_value_kind kind, uint64_t value)
{
	if (b->failed || !b->nr)
		return;
	b->items[b->nr - 1].kind = kind;
	b->items[b->nr - 1].number = value;
}

// A number (decimal) or an address-sized value (hex) named @p name.
static void explain_num(struct explain_buf *b, const char *name,
			enum vmt_layout_value_kind kind, uint64_t value,
			const char *source)
{
	char s[64];

	if (kind == VMT_LAYOUT_NUMBER)
		snprintf(s, sizeof(s), "%" PRIu64, value);
	else
		snprintf(s, sizeof(s), "0x%016" PRIx64, value);
	explain_str(b, name, s, "%s", source);
	explain_set_kind(b, kind, value);
}

static void explain_value(struct explain_buf *b, const char *name,
			  const struct arm64_value *v, bool decimal)
{
	char value[64];
	const char *prefix = source_prefix(v->source);
	enum vmt_layout_value_kind kind = decimal ? VMT_LAYOUT_NUMBER :
						    VMT_LAYOUT_ADDRESS;

	if (v->source == ARM64_SRC_UNKNOWN) {
		snprintf(value, sizeof(value), "unknown");
		kind = VMT_LAYOUT_UNKNOWN;
	} else if (decimal) {
		snprintf(value, sizeof(value), "%" PRIu64, v->value);
	} else {
		snprintf(value, sizeof(value), "0x%016" PRIx64, v->value);
	}
	if (prefix && strncmp(v->how, prefix, strlen(prefix)) != 0)
		explain_str(b, name, value, "%s: %s", prefix, v->how);
	else
		explain_str(b, name, value, "%s", v->how);
	explain_set_kind(b, kind, v->value);
}

static const char *pa_mode_name(enum arm64_pa_mode m)
{
	switch (m) {
	case ARM64_PA_LVA:
		return "LVA (64K: desc[47:16] | desc[15:12] << 48)";
	case ARM64_PA_LPA2:
		return "LPA2 (desc[49:PAGE_SHIFT] | desc[9:8] << 50)";
	case ARM64_PA_48:
		break;
	}
	return "48-bit (desc[47:PAGE_SHIFT]; SH [9:8] ignored)";
}

struct vmt_error *arm64_layout_explain(const struct arm64_layout *layout,
				       struct vmt_layout_item **ret,
				       size_t *nr_ret)
{
	struct explain_buf b = { 0 };
	char s[64];
	struct arm64_value lm_off;

	explain_num(&b, "PAGE_SIZE", VMT_LAYOUT_NUMBER, layout->page_size,
		    "VMCOREINFO PAGESIZE or override");
	explain_value(&b, "VA_BITS", &layout->va_bits, true);
	explain_value(&b, "VA_BITS_ACTUAL", &layout->va_bits_actual, true);
	explain_num(&b, "VA_BITS_MIN", VMT_LAYOUT_NUMBER, layout->va_bits_min,
		    "formula: VA_BITS > 48 ? (16K ? 47 : 48) : VA_BITS");
	explain_value(&b, "PAGE_OFFSET", &layout->page_offset, false);
	explain_value(&b, "PAGE_END", &layout->page_end, false);
	explain_value(&b, "PHYS_OFFSET", &layout->phys_offset, false);
	set_value(&lm_off, layout->phys_offset.value - layout->page_offset.value,
		  ARM64_SRC_DERIVED, "derived: PHYS_OFFSET - PAGE_OFFSET (mod 2^64; PA = VA + this)");
	explain_value(&b, "linear_map_offset", &lm_off, false);
	explain_value(&b, "kimage_voffset", &layout->kimage_voffset, false);
	explain_value(&b, "KERNELOFFSET", &layout->kernel_offset, false);
	explain_str(&b, "layout", layout->flipped ? "flipped (5.4+)" : "not flipped (pre-5.4)",
		    "%s", layout->flipped_how);
	explain_num(&b, "kernel_walk_va_bits", VMT_LAYOUT_NUMBER,
		    layout->kernel_walk_va_bits,
		    layout->page_shift == 16 ? "derived: VA_BITS (64K keeps the configured table size)" :
					       "derived: vabits_actual (4K/16K fold levels at run time)");
	explain_num(&b, "kernel_levels", VMT_LAYOUT_NUMBER, layout->kernel_levels,
		    "formula: ceil((va - PAGE_SHIFT) / (PAGE_SHIFT - 3))");
	explain_num(&b, "kernel_top_entries", VMT_LAYOUT_NUMBER,
		    layout->kernel_top_entries,
		    "formula: 1 << ((va - PAGE_SHIFT - 1) % (PAGE_SHIFT - 3) + 1)");
	// A byte offset into a table: a number.
	explain_num(&b, "ttbr1_4852_offset", VMT_LAYOUT_NUMBER,
		    layout->kernel_root_offset,
		    layout->kernel_root_offset ?
			    "formula: (2^(52-PGDIR_SHIFT) - 2^(48-PGDIR_SHIFT)) * 8; walk indexes all 1024 entries from swapper_pg_dir" :
			    "0: TTBR1 points at swapper_pg_dir");
	snprintf(s, sizeof(s), "%u bits, %u levels, %u top entries",
		 layout->user_walk_va_bits, layout->user_levels,
		 layout->user_top_entries);
	explain_str(&b, "user_walk", s, "%s",
		    layout->page_shift == 16 ? "derived: VA_BITS (64K)" :
					       "derived: vabits_actual (TTBR0 size)");
	explain_str(&b, "pa_mode", pa_mode_name(layout->pa_mode), "%s",
		    layout->page_shift == 16 ?
			    "64K: desc[15:12] are RES0 without FEAT_LPA, so always decoded" :
		    layout->pa_mode == ARM64_PA_LPA2 ?
			    "derived: vabits_actual == 52 (TCR_EL1.DS = 1)" :
			    "derived: vabits_actual < 52 (no LPA2)");
	explain_value(&b, "MAX_PHYSMEM_BITS", &layout->max_physmem_bits, true);
	explain_value(&b, "KERNELPACMASK", &layout->pacmask, false);
	explain_value(&b, "MODULES_VADDR", &layout->modules_vaddr, false);
	explain_value(&b, "MODULES_END", &layout->modules_end, false);
	explain_value(&b, "VMALLOC_START", &layout->vmalloc_start, false);
	explain_value(&b, "VMALLOC_END", &layout->vmalloc_end, false);
	explain_value(&b, "VMEMMAP_START", &layout->vmemmap_start, false);
	explain_value(&b, "VMEMMAP_END", &layout->vmemmap_end, false);
	explain_value(&b, "kimage_start", &layout->kimage_start, false);
	explain_value(&b, "kimage_end", &layout->kimage_end, false);
	explain_value(&b, "swapper_pg_dir", &layout->swapper_pg_dir, false);
	if (layout->swapper_pg_dir_paddr_known) {
		explain_num(&b, "swapper_pg_dir_paddr", VMT_LAYOUT_ADDRESS,
			    layout->swapper_pg_dir_paddr,
			    "formula: swapper_pg_dir - kimage_voffset (no walk)");
	} else {
		explain_str(&b, "swapper_pg_dir_paddr", "unknown",
			    "needs swapper_pg_dir and kimage_voffset");
		explain_set_kind(&b, VMT_LAYOUT_UNKNOWN, 0);
	}
	for (size_t i = 0; i < layout->nr_notes; i++)
		explain_str(&b, "note", "", "%s", layout->notes[i]);
	if (b.failed) {
		free(b.items);
		return &vmt_enomem;
	}
	*ret = b.items;
	*nr_ret = b.nr;
	return NULL;
}
