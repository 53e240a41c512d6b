// A dump without a VMCOREINFO note (QEMU without -device vmcoreinfo, some
// hypervisors, a stripped file) still holds the kernel's own copy of the
// text: find it by content and keep it only if the page tables agree.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <endian.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/layout.h"
#include "arch/arm64/pgtable.h"
#include "mem/address_space.h"
#include "mem/vmcoreinfo_recover.h"
#include "vmcoreinfo/vmcoreinfo.h"

// vmcoreinfo_data is one kernel page, so page-aligned at the smallest
// granule whatever the kernel's page size.
#define SCAN_STRIDE 4096
// VMCOREINFO_BYTES is PAGE_SIZE: at most 64 KiB of text.
#define MAX_TEXT 65536

static const char magic[] = "OSRELEASE=";
// The ELF note the kernel builds from that text (vmcoreinfo_note, also
// page-aligned): Elf64_Nhdr { namesz 11, descsz, type 0 }, "VMCOREINFO"
// padded to 12 bytes, then the text. At a crash, crash_save_vmcoreinfo()
// appends CRASHTIME= to a safe copy of the text in the crashkernel region
// (not in a capture's dump) and rebuilds the note from it: only the note
// then has CRASHTIME, so it is preferred.
#define NOTE_TEXT_OFFSET 24
static const char note_name[12] = "VMCOREINFO";

// The NUL-terminated text at @p paddr, up to @p max bytes or the first
// unreadable page.
static struct vmt_error *read_text(struct dump *dump, uint64_t paddr,
				   size_t max, char **text_ret,
				   size_t *len_ret)
{
	char *text = malloc(max + 1);
	size_t len = 0;

	if (!text)
		return &vmt_enomem;
	while (len < max) {
		size_t chunk = max - len < SCAN_STRIDE ? max - len : SCAN_STRIDE;
		struct vmt_error *err;
		char *nul;

		err = dump_read_phys(dump, paddr + len, text + len, chunk);
		if (err) {
			vmt_error_destroy(err);
			break;
		}
		nul = memchr(text + len, '\0', chunk);
		if (nul) {
			len = (size_t)(nul - text);
			break;
		}
		len += chunk;
	}
	text[len] = '\0';
	*text_ret = text;
	*len_ret = len;
	return NULL;
}

// Whether @p text describes the kernel whose memory this is: its layout
// walks _stext through swapper_pg_dir to where the kimage formula says.
static bool validates(struct dump *dump, const char *text, size_t len,
		      const char *const *overrides, size_t nr_overrides)
{
	struct arm64_layout layout;
	struct vmt_translation tr;
	struct vmcoreinfo vi;
	struct vmt_error *err;
	uint64_t stext, formula;
	bool ok = false;

	if (!vmt_error_ok(vmcoreinfo_parse(text, len, &vi)))
		return false;
	if (!vi.osrelease || !vi.page_size ||
	    !vmcoreinfo_symbol(&vi, "_stext", &stext)) {
		vmcoreinfo_deinit(&vi);
		return false;
	}
	memset(&layout, 0, sizeof(layout));
	err = arm64_layout_init(&layout, &vi, overrides, nr_overrides);
	if (!err && layout.swapper_pg_dir_paddr_known &&
	    arm64_formula_vtop(&layout, stext, &formula)) {
		err = arm64_pgtable_walk(&layout, dump_read_phys_cb, dump,
					 ARM64_TABLE_KERNEL,
					 layout.swapper_pg_dir_paddr, stext,
					 &tr);
		ok = !err && tr.status == VMT_VTOP_MAPPED &&
		     tr.paddr == formula;
	}
	vmt_error_destroy(err);
	arm64_layout_deinit(&layout);
	vmcoreinfo_deinit(&vi);
	return ok;
}

// The text at @p paddr if the page begins with it (*is_note false) or with
// its note (*is_note true); NULL text if neither.
static struct vmt_error *candidate(struct dump *dump, uint64_t paddr,
				   char **text_ret, size_t *len_ret,
				   bool *is_note)
{
	uint8_t head[NOTE_TEXT_OFFSET + sizeof(magic) - 1];
	uint32_t descsz;

	*text_ret = NULL;
	// Excluded and lost pages cannot hold it.
	if (!vmt_error_ok(dump_read_phys(dump, paddr, head, sizeof(head))))
		return NULL;
	if (!memcmp(head, magic, sizeof(magic) - 1)) {
		*is_note = false;
		return read_text(dump, paddr, MAX_TEXT, text_ret, len_ret);
	}
	memcpy(&descsz, head + 4, 4);
	if (!memcmp(head, "\x0b\0\0\0", 4) && !memcmp(head + 8, "\0\0\0\0", 4) &&
	    !memcmp(head + 12, note_name, sizeof(note_name)) &&
	    !memcmp(head + NOTE_TEXT_OFFSET, magic, sizeof(magic) - 1)) {
		*is_note = true;
		descsz = le32toh(descsz);
		return read_text(dump, paddr + NOTE_TEXT_OFFSET,
				 descsz < MAX_TEXT ? descsz : MAX_TEXT,
				 text_ret, len_ret);
	}
	return NULL;
}

struct vmt_error *vmcoreinfo_recover(struct dump *dump,
				     const char *const *overrides,
				     size_t nr_overrides,
				     struct vmcoreinfo_found *ret)
{
	struct vmcoreinfo_found best = { 0 };
	const struct vmt_phys_range *ranges;
	uint64_t scanned = 0;
	unsigned int rejected = 0;
	size_t nr_ranges;
	struct vmt_error *rerr = dump_ranges(dump, &ranges, &nr_ranges);

	if (rerr)
		return rerr;
	for (size_t r = 0; r < nr_ranges; r++) {
		const struct vmt_phys_range *range = &ranges[r];
		uint64_t paddr = (range->start + SCAN_STRIDE - 1) &
				 ~(uint64_t)(SCAN_STRIDE - 1);

		for (; paddr < range->end && paddr >= range->start;
		     paddr += SCAN_STRIDE) {
			struct dump_location loc;
			struct vmt_error *err;
			bool is_note;
			char *text;
			size_t len;

			// Only data in the file can hold it: a run of lost or
			// zero-filled pages (a PT_LOAD claiming more than the
			// file has) is skipped whole, so that the scan is
			// bounded by the file, not by what headers claim.
			if (vmt_error_ok(dump_locate(dump, paddr, &loc)) &&
			    (loc.state != DUMP_PAGE_PRESENT || loc.zero_fill) &&
			    loc.run_end > paddr) {
				uint64_t next = (loc.run_end + SCAN_STRIDE - 1) &
						~(uint64_t)(SCAN_STRIDE - 1);

				if (next <= paddr)
					break;
				paddr = next - SCAN_STRIDE;
				continue;
			}
			scanned++;
			err = candidate(dump, paddr, &text, &len, &is_note);
			if (err) {
				free(best.text);
				return err;
			}
			if (!text)
				continue;
			if (!validates(dump, text, len, overrides,
				       nr_overrides)) {
				free(text);
				rejected++;
				continue;
			}
			if (!is_note && best.text) {
				free(text);
				continue;
			}
			free(best.text);
			best.text = text;
			best.len = len;
			best.paddr = is_note ? paddr + NOTE_TEXT_OFFSET : paddr;
			if (is_note)
				goto found;
		}
	}
	if (!best.text)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"no VMCOREINFO text in memory: %" PRIu64 " pages of %u bytes scanned for one beginning \"OSRELEASE=\" or its ELF note, %u found but did not walk",
					scanned, SCAN_STRIDE, rejected);
found:
	best.pages_scanned = scanned;
	best.rejected = rejected;
	*ret = best;
	return NULL;
}
