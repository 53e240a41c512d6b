// The arm64 layout from VMCOREINFO text. Expected values come from the
// kernel's formulas (ARM64-REFERENCE.md §2.0), evaluated here.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "arch/arm64/layout.h"
#include "arch/arm64/pgtable.h"
#include "vmcoreinfo/vmcoreinfo.h"

// The arm64 lines of the real sets' truth/vmcoreinfo_from_dump.txt.
static const char vi_debian61[] =
	"OSRELEASE=6.1.0-50-arm64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffffd0962c853000\n"
	"SYMBOL(_stext)=ffffd0962b210000\n"
	"SYMBOL(mem_section)=ffff00000ff4f380\n"
	"NUMBER(MAX_PHYSMEM_BITS)=48\n"
	"NUMBER(VA_BITS)=48\n"
	"NUMBER(MODULES_VADDR)=0xffff800000000000\n"
	"NUMBER(MODULES_END)=0xffff800008000000\n"
	"NUMBER(VMALLOC_START)=0xffff800008000000\n"
	"NUMBER(VMALLOC_END)=0xfffffbfff0000000\n"
	"NUMBER(VMEMMAP_START)=0xfffffc0000000000\n"
	"NUMBER(VMEMMAP_END)=0xfffffe0000000000\n"
	"NUMBER(kimage_voffset)=0xffffd095eb000000\n"
	"NUMBER(PHYS_OFFSET)=0x40000000\n"
	"NUMBER(TCR_EL1_T1SZ)=0x10\n"
	"KERNELOFFSET=509623200000\n"
	"NUMBER(KERNELPACMASK)=0xffff000000000000\n";

static const char vi_4k_va52[] =
	"OSRELEASE=6.12.117\n"
	"PAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffff93ca86732000\n"
	"SYMBOL(_stext)=ffff93ca86210000\n"
	"NUMBER(VMALLOC_START)=0xffff800080000000\n"
	"SYMBOL(mem_section)=fff000000fef1540\n"
	"NUMBER(MAX_PHYSMEM_BITS)=52\n"
	"NUMBER(VA_BITS)=52\n"
	"NUMBER(MODULES_VADDR)=0xffff800000000000\n"
	"NUMBER(MODULES_END)=0xffff800080000000\n"
	"NUMBER(VMALLOC_END)=0xffffc1ffbf800000\n"
	"NUMBER(VMEMMAP_START)=0xffffc1ffc0000000\n"
	"NUMBER(VMEMMAP_END)=0xffffffffc0000000\n"
	"NUMBER(kimage_voffset)=0xffff93ca46000000\n"
	"NUMBER(PHYS_OFFSET)=0x40000000\n"
	"NUMBER(TCR_EL1_T1SZ)=0xc\n"
	"KERNELOFFSET=13ca06200000\n"
	"NUMBER(KERNELPACMASK)=0x0\n";

static const char vi_64k_va52[] =
	"OSRELEASE=6.12.117\n"
	"PAGESIZE=65536\n"
	"SYMBOL(swapper_pg_dir)=ffffcbb25d200000\n"
	"SYMBOL(_stext)=ffffcbb25cc10000\n"
	"NUMBER(VMALLOC_START)=0xffff800080000000\n"
	"SYMBOL(mem_section)=fff000000ffd1540\n"
	"NUMBER(MAX_PHYSMEM_BITS)=52\n"
	"NUMBER(VA_BITS)=52\n"
	"NUMBER(MODULES_VADDR)=0xffff800000000000\n"
	"NUMBER(MODULES_END)=0xffff800080000000\n"
	"NUMBER(VMALLOC_END)=0xfffffc1fbf800000\n"
	"NUMBER(VMEMMAP_START)=0xfffffc1fc0000000\n"
	"NUMBER(VMEMMAP_END)=0xffffffffc0000000\n"
	"NUMBER(kimage_voffset)=0xffffcbb21ca00000\n"
	"NUMBER(PHYS_OFFSET)=0x40000000\n"
	"NUMBER(TCR_EL1_T1SZ)=0xc\n"
	"KERNELOFFSET=4bb1dcc00000\n"
	"NUMBER(KERNELPACMASK)=0x0\n";

struct real_case {
	const char *set;
	const char *text;
	unsigned int page_shift, va, actual, levels, top;
	enum arm64_pa_mode mode;
	uint64_t kimage_voffset, swapper;
};

static const struct real_case real_cases[] = {
	{ "debian61-kaslr", vi_debian61, 12, 48, 48, 4, 512, ARM64_PA_48,
	  UINT64_C(0xffffd095eb000000), UINT64_C(0xffffd0962c853000) },
	{ "k612-4k-va52", vi_4k_va52, 12, 52, 52, 5, 16, ARM64_PA_LPA2,
	  UINT64_C(0xffff93ca46000000), UINT64_C(0xffff93ca86732000) },
	{ "k612-64k-va52", vi_64k_va52, 16, 52, 52, 3, 1024, ARM64_PA_LVA,
	  UINT64_C(0xffffcbb21ca00000), UINT64_C(0xffffcbb25d200000) },
};

static void layout_from_text(const char *text, const char *const *ov,
			     size_t nov, struct arm64_layout *l)
{
	struct vmcoreinfo vi;

	vmt_ck_no_err(vmcoreinfo_parse(text, strlen(text), &vi));
	vmt_ck_no_err(arm64_layout_init(l, &vi, ov, nov));
	vmcoreinfo_deinit(&vi);
}

// Remove every line whose key starts with one of @p prefixes.
static char *drop_lines(const char *text, const char *const *prefixes,
			size_t n)
{
	char *out = calloc(1, strlen(text) + 1);
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		bool drop = false;

		for (size_t i = 0; i < n; i++)
			drop |= strncmp(p, prefixes[i], strlen(prefixes[i])) == 0;
		if (!drop)
			strncat(out, p, len);
		p += len;
	}
	return out;
}

static const struct vmt_layout_item *find_item(const struct vmt_layout_item *items,
					       size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(items[i].name, name) == 0)
			return &items[i];
	}
	ck_abort_msg("explain has no %s", name);
	return NULL;
}

static void check_real(const struct real_case *rc, const struct arm64_layout *l)
{
	uint64_t po = -(UINT64_C(1) << rc->va);
	uint64_t pa;

	ck_assert_uint_eq(l->page_shift, rc->page_shift);
	ck_assert_uint_eq(l->va_bits.value, rc->va);
	ck_assert_uint_eq(l->va_bits_actual.value, rc->actual);
	ck_assert_uint_eq(l->kernel_levels, rc->levels);
	ck_assert_uint_eq(l->kernel_top_entries, rc->top);
	ck_assert_int_eq(l->pa_mode, rc->mode);
	ck_assert(l->flipped);
	ck_assert_uint_eq(l->page_offset.value, po);
	ck_assert_uint_eq(l->page_end.value, -(UINT64_C(1) << 47));
	ck_assert_uint_eq(l->kernel_root_offset, 0);
	ck_assert(l->swapper_pg_dir_paddr_known);
	ck_assert_uint_eq(l->swapper_pg_dir_paddr, rc->swapper - rc->kimage_voffset);
	ck_assert_uint_eq(arm64_phys_to_linear(l, 0x40000000), po);
	ck_assert(arm64_formula_vtop(l, po + 0x1234, &pa));
	ck_assert_uint_eq(pa, 0x40001234);
	ck_assert(arm64_formula_vtop(l, rc->swapper + 8, &pa));
	ck_assert_uint_eq(pa, rc->swapper + 8 - rc->kimage_voffset);
	ck_assert_int_eq(arm64_classify(l, rc->swapper), ARM64_REGION_KIMAGE);
	ck_assert_int_eq(arm64_classify(l, po), ARM64_REGION_LINEAR);
	ck_assert_int_eq(arm64_classify(l, l->page_end.value - 1), ARM64_REGION_LINEAR);
	ck_assert_int_eq(arm64_classify(l, l->page_end.value), ARM64_REGION_MODULES);
	ck_assert_int_eq(arm64_classify(l, l->vmemmap_start.value), ARM64_REGION_VMEMMAP);
	ck_assert_int_eq(arm64_classify(l, 0x400000), ARM64_REGION_USER);
	ck_assert_int_eq(l->max_physmem_bits.value,
			 rc->mode == ARM64_PA_48 ? 48 : 52);
}

START_TEST(real_sets_from_embedded_text)
{
	const struct real_case *rc = &real_cases[_i];
	struct arm64_layout l;

	layout_from_text(rc->text, NULL, 0, &l);
	check_real(rc, &l);
	ck_assert_int_eq(l.va_bits.source, ARM64_SRC_VMCOREINFO);
	ck_assert_str_eq(l.va_bits.how, "VMCOREINFO NUMBER(VA_BITS)");
	arm64_layout_deinit(&l);
}
END_TEST

START_TEST(real_sets_from_truth_files)
{
	const struct real_case *rc = &real_cases[_i];
	const char *dir = vmt_shared_dumps();
	char path[4096], *text;
	struct arm64_layout l;
	FILE *f;
	long n;

	if (!dir)
		return; // the embedded copy is checked above
	snprintf(path, sizeof(path), "%s/%s/truth/vmcoreinfo_from_dump.txt",
		 dir, rc->set);
	f = fopen(path, "r");
	ck_assert_msg(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	layout_from_text(text, NULL, 0, &l);
	check_real(rc, &l);
	free(text);
	arm64_layout_deinit(&l);
}
END_TEST

// Region bounds computed by formula equal the exported ones.
START_TEST(region_formulas_match_exports)
{
	static const char *const drop[] = {
		"NUMBER(MODULES_", "NUMBER(VMALLOC_", "NUMBER(VMEMMAP_",
	};
	const struct real_case *rc = &real_cases[_i];
	struct arm64_layout full, derived;
	char *text = drop_lines(rc->text, drop, 3);

	layout_from_text(rc->text, NULL, 0, &full);
	layout_from_text(text, NULL, 0, &derived);
	ck_assert_int_eq(derived.modules_vaddr.source, ARM64_SRC_DERIVED);
	ck_assert_uint_eq(derived.modules_vaddr.value, full.modules_vaddr.value);
	ck_assert_uint_eq(derived.modules_end.value, full.modules_end.value);
	ck_assert_uint_eq(derived.vmalloc_start.value, full.vmalloc_start.value);
	ck_assert_msg(derived.vmalloc_end.value == full.vmalloc_end.value,
		      "%s: VMALLOC_END %#" PRIx64 " want %#" PRIx64 " (%s)",
		      rc->set, derived.vmalloc_end.value,
		      full.vmalloc_end.value, derived.vmalloc_end.how);
	ck_assert_uint_eq(derived.vmemmap_start.value, full.vmemmap_start.value);
	ck_assert_uint_eq(derived.vmemmap_end.value, full.vmemmap_end.value);
	free(text);
	arm64_layout_deinit(&full);
	arm64_layout_deinit(&derived);
}
END_TEST

// VA 52 configured, running at 48 (47 with 16K): exported PHYS_OFFSET has
// memstart_addr -= _PAGE_OFFSET(actual) - _PAGE_OFFSET(52) applied.
START_TEST(va52_running_at_48)
{
	static const struct {
		unsigned int page_size, t1sz, actual, walk, levels, top;
	} cases[] = {
		{ 4096, 16, 48, 48, 4, 512 },
		{ 16384, 17, 47, 47, 3, 2048 },
		{ 65536, 16, 48, 52, 3, 1024 },
	};
	unsigned int ps = cases[_i].page_size == 4096 ? 12 :
			  cases[_i].page_size == 16384 ? 14 : 16;
	uint64_t dram = 0x40000000;
	uint64_t adjust = (-(UINT64_C(1) << cases[_i].actual)) -
			  (-(UINT64_C(1) << 52));
	uint64_t phys_offset = dram - adjust;
	uint64_t po = -(UINT64_C(1) << 52);
	char text[2048];
	struct arm64_layout l;
	uint64_t lin, pa;

	snprintf(text, sizeof(text),
		 "OSRELEASE=6.12.0\nPAGESIZE=%u\n"
		 "SYMBOL(swapper_pg_dir)=ffff800081830000\n"
		 "SYMBOL(_stext)=ffff800080010000\n"
		 "NUMBER(VA_BITS)=52\n"
		 "NUMBER(kimage_voffset)=0xffff800040000000\n"
		 "NUMBER(PHYS_OFFSET)=%#" PRIx64 "\n"
		 "NUMBER(TCR_EL1_T1SZ)=%#x\n"
		 "KERNELOFFSET=0\n",
		 cases[_i].page_size, phys_offset, cases[_i].t1sz);
	layout_from_text(text, NULL, 0, &l);
	if (cases[_i].actual == 48)
		ck_assert_uint_eq(phys_offset, UINT64_C(0xfff1000040000000));
	ck_assert_uint_eq(l.va_bits_actual.value, cases[_i].actual);
	ck_assert_uint_eq(l.page_offset.value, po);
	ck_assert_uint_eq(l.kernel_walk_va_bits, cases[_i].walk);
	ck_assert_uint_eq(l.kernel_levels, cases[_i].levels);
	ck_assert_uint_eq(l.kernel_top_entries, cases[_i].top);
	ck_assert_int_eq(l.pa_mode, ps == 16 ? ARM64_PA_LVA : ARM64_PA_48);
	if (ps == 16) {
		unsigned int pgdir_shift = 16 + 13 * 2;

		ck_assert_uint_eq(l.kernel_root_offset,
				  ((UINT64_C(1) << (52 - pgdir_shift)) -
				   (UINT64_C(1) << (48 - pgdir_shift))) * 8);
		ck_assert_uint_eq(l.user_top_entries, 1024);
	} else {
		ck_assert_uint_eq(l.kernel_root_offset, 0);
	}
	// __phys_to_virt(dram) = (dram - PHYS_OFFSET) | PAGE_OFFSET, the
	// first linear address the kernel uses at this VA size
	lin = arm64_phys_to_linear(&l, dram);
	ck_assert_uint_eq(lin, -(UINT64_C(1) << cases[_i].actual));
	ck_assert(arm64_formula_vtop(&l, lin + 0x5008, &pa));
	ck_assert_uint_eq(pa, dram + 0x5008);
	ck_assert_uint_eq(l.swapper_pg_dir_paddr, 0x41830000);
	ck_assert_msg(l.nr_notes >= 1 && strstr(l.notes[0], "in effect"), "%s",
		      l.nr_notes ? l.notes[0] : "(no notes)");
	arm64_layout_deinit(&l);
}
END_TEST

// Pre-5.4: the linear map is the upper half, PAGE_OFFSET = ~0 << (VA-1).
START_TEST(pre_5_4_not_flipped)
{
	static const char text48[] =
		"OSRELEASE=4.19.0\nPAGESIZE=4096\n"
		"SYMBOL(swapper_pg_dir)=ffff000009a3d000\n"
		"SYMBOL(_stext)=ffff000008081000\n"
		"NUMBER(VA_BITS)=48\n"
		"NUMBER(kimage_voffset)=0xfffefffec8000000\n"
		"NUMBER(PHYS_OFFSET)=0x40000000\n"
		"KERNELOFFSET=0\n";
	static const char text39[] =
		"PAGESIZE=4096\n"
		"SYMBOL(_stext)=ffffff8008081000\n"
		"NUMBER(VA_BITS)=39\n"
		"NUMBER(kimage_voffset)=0xffffff7fc8000000\n"
		"NUMBER(PHYS_OFFSET)=0x80000000\n";
	struct arm64_layout l;
	uint64_t pa;

	layout_from_text(text48, NULL, 0, &l);
	ck_assert(!l.flipped);
	ck_assert_msg(strstr(l.flipped_how, "_stext"), "%s", l.flipped_how);
	ck_assert_uint_eq(l.page_offset.value, ~UINT64_C(0) << 47);
	ck_assert_uint_eq(l.page_offset.value, UINT64_C(0xffff800000000000));
	ck_assert_uint_eq(arm64_phys_to_linear(&l, 0x40001000),
			  UINT64_C(0xffff800000001000));
	ck_assert(arm64_formula_vtop(&l, UINT64_C(0xffff800000001000), &pa));
	ck_assert_uint_eq(pa, 0x40001000);
	ck_assert_int_eq(arm64_classify(&l, UINT64_C(0xffffffffffff0000)),
			 ARM64_REGION_LINEAR);
	ck_assert_int_eq(arm64_classify(&l, UINT64_C(0xffff000008081000)),
			 ARM64_REGION_KIMAGE);
	ck_assert_uint_eq(l.modules_vaddr.value, ~UINT64_C(0) << 48);
	// T1SZ is not exported before 5.9
	ck_assert_uint_eq(l.va_bits_actual.value, 48);
	ck_assert_int_eq(l.va_bits_actual.source, ARM64_SRC_DERIVED);
	ck_assert_uint_eq(l.swapper_pg_dir_paddr,
			  UINT64_C(0xffff000009a3d000) - UINT64_C(0xfffefffec8000000));
	arm64_layout_deinit(&l);

	layout_from_text(text39, NULL, 0, &l);
	ck_assert(!l.flipped);
	ck_assert_uint_eq(l.page_offset.value, UINT64_C(0xffffffc000000000));
	ck_assert_uint_eq(l.kernel_levels, 3);
	arm64_layout_deinit(&l);
}
END_TEST

START_TEST(missing_t1sz_and_va_bits)
{
	static const char no_t1sz[] =
		"OSRELEASE=5.8.0\nPAGESIZE=4096\n"
		"SYMBOL(_stext)=ffff800010081000\n"
		"NUMBER(VA_BITS)=48\n"
		"NUMBER(kimage_voffset)=0xffff7fffd0000000\n"
		"NUMBER(PHYS_OFFSET)=0x40000000\n";
	// 64K VA 52 on 48-bit hardware before T1SZ was exported: the
	// linear-map pointer mem_section has bits [51:48] set
	static const char no_t1sz_64k[] =
		"OSRELEASE=5.8.0\nPAGESIZE=65536\n"
		"SYMBOL(_stext)=ffff800010010000\n"
		"SYMBOL(mem_section)=ffff000007f00000\n"
		"NUMBER(VA_BITS)=52\n"
		"NUMBER(kimage_voffset)=0xffff7fffd0000000\n"
		"NUMBER(PHYS_OFFSET)=0xfff1000040000000\n";
	// before 4.12: no VA_BITS either
	static const char no_va_bits[] =
		"OSRELEASE=4.9.0\nPAGESIZE=4096\n"
		"SYMBOL(swapper_pg_dir)=ffff000008e6b000\n"
		"SYMBOL(_stext)=ffff000008081000\n";
	struct arm64_layout l;
	bool found = false;

	layout_from_text(no_t1sz, NULL, 0, &l);
	ck_assert_uint_eq(l.va_bits_actual.value, 48);
	ck_assert_int_eq(l.va_bits_actual.source, ARM64_SRC_DERIVED);
	for (size_t i = 0; i < l.nr_notes; i++)
		found |= strstr(l.notes[i], "TCR_EL1_T1SZ missing") != NULL;
	ck_assert(found);
	arm64_layout_deinit(&l);

	layout_from_text(no_t1sz_64k, NULL, 0, &l);
	ck_assert_uint_eq(l.va_bits_actual.value, 48);
	ck_assert_uint_eq(l.kernel_top_entries, 1024);
	ck_assert_uint_eq(l.kernel_root_offset, (1024 - 64) * 8);
	arm64_layout_deinit(&l);

	layout_from_text(no_va_bits, NULL, 0, &l);
	ck_assert_uint_eq(l.va_bits.value, 48);
	ck_assert_int_eq(l.va_bits.source, ARM64_SRC_DERIVED);
	ck_assert(!l.flipped);
	// no kimage_voffset, image not linear: swapper PA unknown, said so
	ck_assert(!l.swapper_pg_dir_paddr_known);
	ck_assert_int_eq(l.kimage_voffset.source, ARM64_SRC_UNKNOWN);
	ck_assert(l.nr_notes >= 2);
	arm64_layout_deinit(&l);
}
END_TEST

START_TEST(overrides_win_and_are_explained)
{
	static const char *const ov[] = { "VA_BITS=48", "TCR_EL1_T1SZ=16",
					  "PHYS_OFFSET=0x80000000",
					  "KERNELOFFSET=1000" };
	static const char *const bad_value[] = { "VA_BITS=forty" };
	static const char *const bad_key[] = { "VABITS=48" };
	static const char *const no_eq[] = { "VA_BITS" };
	struct vmt_layout_item *items;
	const struct vmt_layout_item *it;
	struct arm64_layout l;
	struct vmcoreinfo vi;
	size_t n;

	layout_from_text(vi_4k_va52, ov, 4, &l);
	ck_assert_uint_eq(l.va_bits.value, 48);
	ck_assert_int_eq(l.va_bits.source, ARM64_SRC_OVERRIDE);
	ck_assert_uint_eq(l.va_bits_actual.value, 48);
	ck_assert_int_eq(l.va_bits_actual.source, ARM64_SRC_OVERRIDE);
	ck_assert_uint_eq(l.phys_offset.value, 0x80000000);
	ck_assert_uint_eq(l.kernel_offset.value, 0x1000);
	ck_assert_uint_eq(l.page_offset.value, -(UINT64_C(1) << 48));
	vmt_ck_no_err(arm64_layout_explain(&l, &items, &n));
	it = find_item(items, n, "VA_BITS");
	ck_assert_str_eq(it->value, "48");
	ck_assert_msg(strstr(it->source, "override"), "%s", it->source);
	it = find_item(items, n, "PHYS_OFFSET");
	ck_assert_msg(strstr(it->source, "override"), "%s", it->source);
	free(items);
	arm64_layout_deinit(&l);

	vmt_ck_no_err(vmcoreinfo_parse(vi_debian61, strlen(vi_debian61), &vi));
	vmt_ck_err(arm64_layout_init(&l, &vi, bad_value, 1), VMT_ERROR_INVALID_ARGUMENT);
	arm64_layout_deinit(&l);
	vmt_ck_err(arm64_layout_init(&l, &vi, bad_key, 1), VMT_ERROR_INVALID_ARGUMENT);
	arm64_layout_deinit(&l);
	vmt_ck_err(arm64_layout_init(&l, &vi, no_eq, 1), VMT_ERROR_INVALID_ARGUMENT);
	arm64_layout_deinit(&l);
	vmcoreinfo_deinit(&vi);
}
END_TEST

START_TEST(explain_lists_values_with_sources)
{
	static const char *const names[] = {
		"PAGE_OFFSET", "PAGE_END", "linear_map_offset", "PHYS_OFFSET",
		"kimage_voffset", "KERNELOFFSET", "VA_BITS", "VA_BITS_ACTUAL",
		"VA_BITS_MIN", "kernel_walk_va_bits", "kernel_levels",
		"kernel_top_entries", "ttbr1_4852_offset", "user_walk", "pa_mode",
		"MAX_PHYSMEM_BITS", "KERNELPACMASK", "MODULES_VADDR",
		"MODULES_END", "VMALLOC_START", "VMALLOC_END", "VMEMMAP_START",
		"VMEMMAP_END", "layout", "swapper_pg_dir", "swapper_pg_dir_paddr",
	};
	struct vmt_layout_item *items;
	const struct vmt_layout_item *it;
	struct arm64_layout l;
	size_t n;

	layout_from_text(vi_4k_va52, NULL, 0, &l);
	vmt_ck_no_err(arm64_layout_explain(&l, &items, &n));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		it = find_item(items, n, names[i]);
		ck_assert_msg(it->source[0], "%s has no source", names[i]);
	}
	it = find_item(items, n, "VA_BITS");
	ck_assert_str_eq(it->source, "VMCOREINFO NUMBER(VA_BITS)");
	it = find_item(items, n, "VA_BITS_ACTUAL");
	ck_assert_str_eq(it->value, "52");
	ck_assert_msg(strncmp(it->source, "derived: 64 - TCR_EL1_T1SZ", 26) == 0,
		      "%s", it->source);
	it = find_item(items, n, "PAGE_OFFSET");
	ck_assert_str_eq(it->value, "0xfff0000000000000");
	ck_assert_str_eq(it->source, "formula: -(1 << VA_BITS)");
	it = find_item(items, n, "linear_map_offset");
	ck_assert_str_eq(it->value, "0x0010000040000000");
	it = find_item(items, n, "swapper_pg_dir_paddr");
	ck_assert_str_eq(it->value, "0x0000000040732000");
	it = find_item(items, n, "pa_mode");
	ck_assert_msg(strstr(it->value, "LPA2"), "%s", it->value);
	free(items);
	arm64_layout_deinit(&l);
}
END_TEST

START_TEST(untag_strips_tags_and_pac)
{
	struct arm64_layout l;

	layout_from_text(vi_debian61, NULL, 0, &l);
	// MTE/KASAN tag in [63:56]
	ck_assert_uint_eq(arm64_untag(&l, UINT64_C(0xf4ff000012345678)),
			  UINT64_C(0xffff000012345678));
	// PAC in [54:48] of a kernel return address
	ck_assert_uint_eq(arm64_untag(&l, UINT64_C(0xffa5d0962b210000)),
			  UINT64_C(0xffffd0962b210000));
	// user pointer with a tag
	ck_assert_uint_eq(arm64_untag(&l, UINT64_C(0x0a00ffff840d7000)),
			  UINT64_C(0x0000ffff840d7000));
	ck_assert_uint_eq(l.pacmask.value, UINT64_C(0xffff000000000000));
	arm64_layout_deinit(&l);
}
END_TEST

START_TEST(rejects_bad_page_size)
{
	static const char text[] = "PAGESIZE=8192\nNUMBER(VA_BITS)=48\n";
	static const char none[] = "NUMBER(VA_BITS)=48\n";
	struct arm64_layout l;
	struct vmcoreinfo vi;

	vmt_ck_no_err(vmcoreinfo_parse(text, strlen(text), &vi));
	vmt_ck_err(arm64_layout_init(&l, &vi, NULL, 0), VMT_ERROR_UNSUPPORTED);
	arm64_layout_deinit(&l);
	vmcoreinfo_deinit(&vi);
	vmt_ck_no_err(vmcoreinfo_parse(none, strlen(none), &vi));
	vmt_ck_err(arm64_layout_init(&l, &vi, NULL, 0), VMT_ERROR_NOT_FOUND);
	arm64_layout_deinit(&l);
	vmcoreinfo_deinit(&vi);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("arm64_layout");
	TCase *tc = tcase_create("layout");

	tcase_add_loop_test(tc, real_sets_from_embedded_text, 0, 3);
	tcase_add_loop_test(tc, real_sets_from_truth_files, 0, 3);
	tcase_add_loop_test(tc, region_formulas_match_exports, 0, 3);
	tcase_add_loop_test(tc, va52_running_at_48, 0, 3);
	tcase_add_test(tc, pre_5_4_not_flipped);
	tcase_add_test(tc, missing_t1sz_and_va_bits);
	tcase_add_test(tc, overrides_win_and_are_explained);
	tcase_add_test(tc, explain_lists_values_with_sources);
	tcase_add_test(tc, untag_strips_tags_and_pac);
	tcase_add_test(tc, rejects_bad_page_size);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
