// Source lines and inlined functions of code addresses (a vmlinux's DWARF).
#ifndef VMT_DEBUGINFO_DWARF_LINES_H
#define VMT_DEBUGINFO_DWARF_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct dwarf_lines;

/** One location: a function and the file:line inside it. */
struct dwarf_src_line {
	char *function;
	char *file;
	int line;
	/** The function was inlined into the next entry's. */
	bool inlined;
};

/** Open the DWARF of vmlinux @p path for line lookups. */
struct vmt_error *dwarf_lines_open(const char *path, struct dwarf_lines **ret);

void dwarf_lines_close(struct dwarf_lines *dl);

/**
 * The locations of link-time address @p addr: the innermost (inlined)
 * function first, out to the containing function. Free with
 * dwarf_src_lines_free().
 */
struct vmt_error *dwarf_lines_lookup(struct dwarf_lines *dl, uint64_t addr,
				     struct dwarf_src_line **ret,
				     size_t *nr_ret);

void dwarf_src_lines_free(struct dwarf_src_line *lines, size_t nr);

#endif
