// VMCOREINFO text: the KEY=VALUE parser, typed lookups, merging (as
// --vmcoreinfo does), and the arm64 layout built from it (every value of
// `explain`, region classification, the linear-map and kimage formulas).
#include "fuzz.h"
#include "arch/arm64/layout.h"
#include "vmcoreinfo/vmcoreinfo.h"

static void exercise_layout(const struct vmcoreinfo *vi)
{
	static const uint64_t probes[] = {
		0, 0x40000000, 0xffff000000000000ULL, 0xfff0000000000000ULL,
		0xffff800080000000ULL, 0xffffffffffffffffULL,
		0x0000ffffffffffffULL, 0xff7f800000000000ULL,
	};
	struct arm64_layout l;
	struct vmt_layout_item *items = NULL;
	struct vmt_error *err;
	size_t n;

	err = arm64_layout_init(&l, vi, NULL, 0);
	if (err) {
		fuzz_check_error(err);
		arm64_layout_deinit(&l);
		return;
	}
	FUZZ_ASSERT(l.page_size == 4096 || l.page_size == 16384 ||
		    l.page_size == 65536);
	FUZZ_ASSERT(l.kernel_levels >= 1 && l.kernel_levels <= 5);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		uint64_t pa, va = arm64_untag(&l, probes[i]);

		(void)arm64_region_name(arm64_classify(&l, va));
		(void)arm64_formula_vtop(&l, va, &pa);
		(void)arm64_phys_to_linear(&l, probes[i]);
	}
	arm64_layout_set_kimage_end(&l, l.kimage_start.value + 0x1000000,
				    "fuzz");
	err = arm64_layout_explain(&l, &items, &n);
	fuzz_check_error(err);
	free(items);
	arm64_layout_deinit(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmcoreinfo vi, again;
	struct vmt_error *err;
	uint64_t v;

	err = vmcoreinfo_parse((const char *)data, size, &vi);
	if (err) {
		fuzz_check_error(err);
		return 0;
	}
	FUZZ_ASSERT(vi.nr_entries > 0);
	FUZZ_ASSERT(vi.raw && vi.raw_len <= size && !vi.raw[vi.raw_len]);
	(void)vmcoreinfo_get(&vi, "OSRELEASE");
	(void)vmcoreinfo_number(&vi, "VA_BITS", &v);
	(void)vmcoreinfo_number(&vi, "tcr_el1_t1sz", &v);
	(void)vmcoreinfo_symbol(&vi, "_stext", &v);
	(void)vmcoreinfo_offset(&vi, "page.flags", &v);
	(void)vmcoreinfo_size(&vi, "page", &v);
	(void)vmcoreinfo_length(&vi, "mem_section", &v);
	(void)vmcoreinfo_kerneloffset(&vi, &v);
	(void)vmcoreinfo_crashtime(&vi, &v);
	// The raw text parses again to the same entries, and merging it on
	// top keeps every lookup's answer (the later value wins).
	err = vmcoreinfo_parse(vi.raw, vi.raw_len, &again);
	if (!err) {
		FUZZ_ASSERT(again.nr_entries == vi.nr_entries);
		err = vmcoreinfo_merge(&vi, &again);
		vmcoreinfo_deinit(&again);
	}
	fuzz_check_error(err);
	exercise_layout(&vi);
	vmcoreinfo_deinit(&vi);
	return 0;
}
