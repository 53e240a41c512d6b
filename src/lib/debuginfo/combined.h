// Every symbol and type source of one program, asked in order of
// preference; sources inside the dump are loaded on first use.
#ifndef VMT_DEBUGINFO_COMBINED_H
#define VMT_DEBUGINFO_COMBINED_H

#include "base/warnings.h"
#include "debuginfo/debuginfo.h"
#include "debuginfo/dwarf_lines.h"
#include "vmtool/program.h"

struct debuginfo {
	enum vmt_sym_source only;
	read_kvirt_fn *read;
	void *read_arg;
	const struct vmcoreinfo *vi;
	struct warnings *warnings;
	/** Where to scan for BTF when no symbol marks it. */
	uint64_t kimage_start;

	bool have_vmlinux;
	char *vmlinux_path;
	struct symtab elf;
	int dwarf_state; // 0 untried, 1 loaded, -1 failed
	struct typedb *dwarf;
	/** KASLR offset the vmlinux's addresses are moved by. */
	uint64_t kaslr_offset;
	/** Line tables of the vmlinux, opened on first use. */
	int lines_state; // 0 untried, 1 open, -1 failed
	struct dwarf_lines *lines;

	int kallsyms_state; // 0 untried, 1 loaded, -1 failed
	struct symtab kallsyms;
	int btf_state;
	struct typedb *btf;
	char btf_how[160];

	struct symtab vmcoreinfo_syms;
	/** Symbols found by fallbacks (e.g. init_task by scan), and how. */
	struct symtab derived;
	char **derived_how;
};

struct vmt_error *debuginfo_init(struct debuginfo *di,
				 const struct vmcoreinfo *vi,
				 read_kvirt_fn *read, void *arg,
				 struct warnings *warnings,
				 enum vmt_sym_source only);
void debuginfo_deinit(struct debuginfo *di);

/**
 * Load a vmlinux (ELF symbols + DWARF) and check it against VMCOREINFO
 * BUILD-ID; refuse a mismatch unless @p force.
 */
struct vmt_error *debuginfo_add_vmlinux(struct debuginfo *di,
					const char *path, uint64_t kaslr_offset,
					bool force);

struct vmt_error *debuginfo_symbol_by_name(struct debuginfo *di,
					   const char *name,
					   struct vmt_symbol *ret);
struct vmt_error *debuginfo_symbol_by_addr(struct debuginfo *di,
					   uint64_t addr,
					   struct vmt_symbol *ret,
					   uint64_t *offset_ret);
/**
 * Like debuginfo_symbol_by_addr(), and when the source gives no size
 * (kallsyms), the size up to the next symbol of that source, as
 * /proc/kallsyms users and %pS/%pB see it.
 */
struct vmt_error *debuginfo_symbol_extent(struct debuginfo *di, uint64_t addr,
					  struct vmt_symbol *ret,
					  uint64_t *offset_ret);

/**
 * Call @p fn with each symbol name that starts with @p prefix, source by
 * source (a name in several sources comes several times), until @p fn
 * returns false.
 */
void debuginfo_symbol_names(struct debuginfo *di, const char *prefix,
			    bool (*fn)(const char *name, void *arg),
			    void *arg);

/** Remember a symbol found by a fallback; @p how is kept in warnings. */
void debuginfo_add_derived(struct debuginfo *di, const char *name,
			   uint64_t addr, const char *how);

/** How derived symbol @p name was found, or "". */
const char *debuginfo_derived_how(struct debuginfo *di, const char *name);

struct vmt_error *debuginfo_find_type(struct debuginfo *di, const char *name,
				      const struct vmt_type **ret);
/**
 * Offset and size of variable @p name in data section @p section, from
 * BTF's DATASEC records (the dump's BTF, also when a vmlinux gives the
 * types: DWARF has no such records). NOT_FOUND when absent.
 */
struct vmt_error *debuginfo_section_var(struct debuginfo *di,
					const char *section, const char *name,
					uint64_t *offset_ret,
					uint64_t *size_ret);

/**
 * Source lines of runtime code address @p addr from the vmlinux's DWARF
 * (see dwarf_lines_lookup()). NOT_FOUND without a vmlinux.
 */
struct vmt_error *debuginfo_source_lines(struct debuginfo *di, uint64_t addr,
					 struct dwarf_src_line **ret,
					 size_t *nr_ret);

/** "dwarf", "btf" or NULL when no type source loads. */
const char *debuginfo_type_source(struct debuginfo *di);

#endif
