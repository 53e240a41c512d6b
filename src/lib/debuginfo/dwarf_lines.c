// Source lines and inlined functions of a code address, from a vmlinux's
// DWARF through libdw: the line table gives the innermost location; the
// scopes around the address (DW_TAG_inlined_subroutine ... up to the
// DW_TAG_subprogram) give each inlined function, and each one's
// DW_AT_call_file/DW_AT_call_line the location in the function it was
// inlined into.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/input_file.h"
#include "debuginfo/dwarf_lines.h"

struct dwarf_lines {
	int fd;
	Dwarf *dw;
};

void dwarf_lines_close(struct dwarf_lines *dl)
{
	if (!dl)
		return;
	if (dl->dw)
		dwarf_end(dl->dw);
	if (dl->fd >= 0)
		close(dl->fd);
	free(dl);
}

struct vmt_error *dwarf_lines_open(const char *path, struct dwarf_lines **ret)
{
	struct dwarf_lines *dl = calloc(1, sizeof(*dl));
	struct vmt_error *err;

	if (!dl)
		return &vmt_enomem;
	err = input_file_open(path, "a debug file", false, &dl->fd, NULL);
	if (err) {
		dwarf_lines_close(dl);
		return err;
	}
	dl->dw = dwarf_begin(dl->fd, DWARF_C_READ);
	if (!dl->dw) {
		err = vmt_error_format(VMT_ERROR_NOT_FOUND,
				       "%s: no DWARF: %s", path,
				       dwarf_errmsg(-1));
		dwarf_lines_close(dl);
		return err;
	}
	*ret = dl;
	return NULL;
}

void dwarf_src_lines_free(struct dwarf_src_line *lines, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		free(lines[i].function);
		free(lines[i].file);
	}
	free(lines);
}

// The name of a subprogram or inlined subroutine (through its abstract
// origin), or NULL.
static const char *die_function_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	if (dwarf_attr_integrate(die, DW_AT_name, &attr))
		return dwarf_formstring(&attr);
	return NULL;
}

static struct vmt_error *push(struct dwarf_src_line **v, size_t *nr,
			      const char *function, const char *file,
			      int line, bool inlined)
{
	struct dwarf_src_line *n = realloc(*v, (*nr + 1) * sizeof(*n));

	if (!n)
		return &vmt_enomem;
	*v = n;
	n[*nr].function = strdup(function ? function : "??");
	n[*nr].file = strdup(file ? file : "??");
	n[*nr].line = line;
	n[*nr].inlined = inlined;
	if (!n[*nr].function || !n[*nr].file) {
		free(n[*nr].function);
		free(n[*nr].file);
		return &vmt_enomem;
	}
	(*nr)++;
	return NULL;
}

static bool function_like(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

// The innermost function-like DIE among @p n scopes (from index @p from).
static bool first_function(Dwarf_Die *scopes, int n, int from, Dwarf_Die *ret)
{
	for (int i = from; i < n; i++) {
		if (function_like(&scopes[i])) {
			*ret = scopes[i];
			return true;
		}
	}
	return false;
}

// At most this many nested inlined calls are followed.
#define MAX_INLINE_DEPTH 64

struct vmt_error *dwarf_lines_lookup(struct dwarf_lines *dl, uint64_t addr,
				     struct dwarf_src_line **ret,
				     size_t *nr_ret)
{
	struct dwarf_src_line *v = NULL;
	Dwarf_Die cu, fn, *scopes = NULL;
	Dwarf_Files *files = NULL;
	const char *file = NULL;
	struct vmt_error *err = NULL;
	Dwarf_Line *line;
	size_t nr = 0, nfiles = 0;
	int lineno = 0, n;
	bool have_fn;

	if (!dwarf_addrdie(dl->dw, addr, &cu))
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%#" PRIx64 ": no DWARF compile unit covers it",
					addr);
	line = dwarf_getsrc_die(&cu, addr);
	if (line) {
		file = dwarf_linesrc(line, NULL, NULL);
		dwarf_lineno(line, &lineno);
	}
	if (dwarf_getsrcfiles(&cu, &files, &nfiles) != 0)
		files = NULL;
	n = dwarf_getscopes(&cu, addr, &scopes);
	have_fn = n > 0 && first_function(scopes, n, 0, &fn);
	free(scopes);
	// The innermost function gets the line table's location; each
	// inlined one's call site is the location in the function around
	// it, found among the scopes of the concrete tree holding it
	// (dwarf_getscopes_die(); dwarf_getscopes() goes on through the
	// abstract definition instead).
	for (int depth = 0; have_fn && !err && depth < MAX_INLINE_DEPTH;
	     depth++) {
		bool inlined = dwarf_tag(&fn) == DW_TAG_inlined_subroutine;
		Dwarf_Attribute attr;
		Dwarf_Word w;

		err = push(&v, &nr, die_function_name(&fn), file, lineno,
			   inlined);
		if (!inlined)
			break;
		file = NULL;
		lineno = 0;
		if (files && dwarf_attr(&fn, DW_AT_call_file, &attr) &&
		    dwarf_formudata(&attr, &w) == 0)
			file = dwarf_filesrc(files, w, NULL, NULL);
		if (dwarf_attr(&fn, DW_AT_call_line, &attr) &&
		    dwarf_formudata(&attr, &w) == 0)
			lineno = (int)w;
		n = dwarf_getscopes_die(&fn, &scopes);
		have_fn = n > 1 && first_function(scopes, n, 1, &fn);
		free(scopes);
	}
	if (!err && !nr && (file || lineno))
		err = push(&v, &nr, NULL, file, lineno, false);
	if (err) {
		dwarf_src_lines_free(v, nr);
		return err;
	}
	if (!nr)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%#" PRIx64 ": no line information",
					addr);
	*ret = v;
	*nr_ret = nr;
	return NULL;
}
