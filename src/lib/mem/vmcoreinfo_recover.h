// Recovery of a missing or damaged VMCOREINFO from the dump's own memory.
#ifndef VMT_MEM_VMCOREINFO_RECOVER_H
#define VMT_MEM_VMCOREINFO_RECOVER_H

#include <stddef.h>
#include <stdint.h>

#include "dump/dump.h"

/** A VMCOREINFO text found in memory. */
struct vmcoreinfo_found {
	/** The text (malloc'd, NUL-terminated). */
	char *text;
	size_t len;
	/** Physical address of the page that holds it. */
	uint64_t paddr;
	/** Pages looked at and candidates rejected, for the message. */
	uint64_t pages_scanned;
	unsigned int rejected;
};

/**
 * Find the kernel's own VMCOREINFO text in @p dump's RAM: the page that
 * vmcoreinfo_data points at begins with "OSRELEASE=" (kernel/vmcore_info.c
 * fills it at boot with get_zeroed_page() and appends CRASHTIME= at a
 * crash). A candidate is kept only if it parses, names PAGESIZE, a layout
 * can be built from it and swapper_pg_dir walks: the walk of _stext gives
 * the physical address the kernel-image formula gives. @p overrides
 * (--set) apply to that check as they will to the layout.
 *
 * NOT_FOUND (with what was scanned) when no candidate validates.
 * @param[out] ret Written only on success; free ret->text.
 */
struct vmt_error *vmcoreinfo_recover(struct dump *dump,
				     const char *const *overrides,
				     size_t nr_overrides,
				     struct vmcoreinfo_found *ret);

#endif
