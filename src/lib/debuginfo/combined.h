// Every symbol and type source of one program, asked in order of
// preference; sources inside the dump are loaded on first use.
#ifndef VMT_DEBUGINFO_COMBINED_H
#define VMT_DEBUGINFO_COMBINED_H

#include "base/warnings.h"
#include "debuginfo/debuginfo.h"
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

	int kallsyms_state; // 0 untried, 1 loaded, -1 failed
	struct symtab kallsyms;
	int btf_state;
	struct typedb *btf;
	char btf_how[160];
	/**
	 * Why a source inside the dump or the vmlinux failed to load, kept
	 * so that a symbol or type it would have given names the cause (a
	 * lost page, a bad layout) rather than only "not found".
	 */
	struct vmt_error *kallsyms_err, *btf_err, *dwarf_err;

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
/** Remember a symbol found by a fallback; @p how is kept in warnings. */
void debuginfo_add_derived(struct debuginfo *di, const char *name,
			   uint64_t addr, const char *how);

/** How derived symbol @p name was found, or "". */
const char *debuginfo_derived_how(struct debuginfo *di, const char *name);

struct vmt_error *debuginfo_find_type(struct debuginfo *di, const char *name,
				      const struct vmt_type **ret);
/** "dwarf", "btf" or NULL when no type source loads. */
const char *debuginfo_type_source(struct debuginfo *di);

#endif
