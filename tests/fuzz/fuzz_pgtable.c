// The arm64 page-table walker: random descriptors under each granule (4K,
// 16K, 64K), VA size (36 to 52 bits, the in-effect size from T1SZ), PA
// mode (48-bit, LVA, LPA2), table kind and kernel era.
//
// Input: a configuration byte, a kernel-era byte, the VA size and T1SZ
// choices, four virtual addresses (u64), then the physical memory the
// tables live in, at the root's PA. Reads outside it fault (or, with a
// flag, wrap around it so every descriptor leads somewhere).
#include <inttypes.h>

#include "fuzz.h"
#include "arch/arm64/layout.h"
#include "arch/arm64/pgtable.h"

struct phys {
	const uint8_t *data;
	size_t size;
	uint64_t base;
	bool wrap;
};

static struct vmt_error *read_phys(void *arg, uint64_t paddr, void *buf,
				   size_t len)
{
	const struct phys *m = arg;
	uint64_t off = paddr - m->base;

	FUZZ_ASSERT(len == 8 && !(paddr & 7));
	if (m->wrap && m->size >= 8)
		off %= m->size & ~(uint64_t)7;
	if (paddr < m->base || off > m->size || len > m->size - off) {
		if (paddr & 0x1000)
			return vmt_error_fault(VMT_FAULT_EXCLUDED, paddr,
					       "physical address %#" PRIx64 " excluded",
					       paddr);
		return vmt_error_fault(VMT_FAULT_NOT_IN_DUMP, paddr,
				       "physical address %#" PRIx64 " not in dump",
				       paddr);
	}
	memcpy(buf, m->data + off, len);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int page_sizes[] = { 4096, 16384, 65536 };
	static const unsigned int va_bits[] = { 36, 39, 42, 47, 48, 52 };
	static const char *const releases[] = { "6.12.0", "6.6.0", "5.15.0",
						"4.19.0", "3.10.0", "6.1.0" };
	struct fuzz_input in = { data, size };
	uint8_t cfg = fuzz_u8(&in), era = fuzz_u8(&in);
	uint8_t va_sel = fuzz_u8(&in), t1_sel = fuzz_u8(&in);
	unsigned int ps = page_sizes[cfg % 3], va = va_bits[va_sel % 6];
	unsigned int actual = va == 52 && (t1_sel & 1) ? 48 : va;
	char ov_ps[32], ov_va[32], ov_t1[32], ov_mpb[32], ov_os[32];
	const char *ov[] = { ov_ps, ov_va, ov_t1, ov_mpb, ov_os,
			     "PHYS_OFFSET=0x40000000",
			     "kimage_voffset=0xffff7fff40000000",
			     "swapper_pg_dir=ffff800081000000" };
	uint64_t vaddrs[4];
	struct arm64_layout l;
	struct phys m;
	struct vmt_error *err;

	for (int i = 0; i < 4; i++)
		vaddrs[i] = fuzz_u64(&in);
	snprintf(ov_ps, sizeof(ov_ps), "PAGESIZE=%u", ps);
	snprintf(ov_va, sizeof(ov_va), "VA_BITS=%u", va);
	snprintf(ov_t1, sizeof(ov_t1), "TCR_EL1_T1SZ=%u", 64 - actual);
	snprintf(ov_mpb, sizeof(ov_mpb), "MAX_PHYSMEM_BITS=%u",
		 cfg & 0x10 ? 52 : 48);
	snprintf(ov_os, sizeof(ov_os), "OSRELEASE=%s", releases[era % 6]);
	err = arm64_layout_init(&l, NULL, ov, sizeof(ov) / sizeof(ov[0]));
	if (err) {
		// Not every granule takes every VA size.
		fuzz_check_error(err);
		arm64_layout_deinit(&l);
		return 0;
	}
	m.data = in.data;
	m.size = in.size;
	m.wrap = cfg & 0x20;
	for (int i = 0; i < 4; i++) {
		enum arm64_table_kind kind = vaddrs[i] >> 63 ?
						     ARM64_TABLE_KERNEL :
						     ARM64_TABLE_USER;
		struct vmt_translation t;

		// The root table sits at the start of the memory given.
		m.base = kind == ARM64_TABLE_KERNEL ? l.swapper_pg_dir_paddr :
						      0x80000000ULL;
		if (cfg & 0x40)
			kind = !kind; // the wrong half: refused, not walked
		err = arm64_pgtable_walk(&l, read_phys, &m, kind, m.base,
					 vaddrs[i], &t);
		if (err) {
			fuzz_check_error(err);
			continue;
		}
		FUZZ_ASSERT(t.nr_levels >= 0 && t.nr_levels <= VMT_MAX_PT_LEVELS);
		FUZZ_ASSERT(memchr(t.note, '\0', sizeof(t.note)));
		if (t.status == VMT_VTOP_MAPPED) {
			uint64_t page = t.page_size;

			FUZZ_ASSERT(page >= ps && !(page & (page - 1)));
			FUZZ_ASSERT((t.paddr & (page - 1)) ==
				    (arm64_untag(&l, vaddrs[i]) & (page - 1)));
			FUZZ_ASSERT(t.paddr >> 52 == 0);
		}
		(void)vmt_vtop_status_name(t.status);
	}
	arm64_layout_deinit(&l);
	return 0;
}
