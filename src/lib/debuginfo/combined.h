// Every symbol and type source of one program, asked in order of
// preference; sources inside the dump are loaded on first use.
#ifndef VMT_DEBUGINFO_COMBINED_H
#define VMT_DEBUGINFO_COMBINED_H

#include "base/warnings.h"
#include "debuginfo/debuginfo.h"
#include "debuginfo/dwarf_lines.h"
#include "vmtool/program.h"

/**
 * What the layers above tell symbol lookups (program.c fills it): how to
 * strip an address and where the kernel image lies, which the debuginfo
 * layer cannot know by itself, and how to find more symbols on demand.
 */
struct debuginfo_ops {
	/** Strip MTE/KASAN tags and PAC bits. */
	uint64_t (*untag)(void *arg, uint64_t addr);
	/** The kernel image [start, end); false if unknown. */
	bool (*kimage)(void *arg, uint64_t *start_ret, uint64_t *end_ret);
	/**
	 * Find symbols no table has: derived ones (init_task by scan) and
	 * the modules' (called once, when a lookup finds nothing).
	 */
	void (*load_more)(void *arg);
};

/** One range of a module's memory: text, data, init text, ... */
struct debuginfo_module_range {
	uint64_t start;
	uint64_t end; // exclusive
};

#define DEBUGINFO_MODULE_RANGES 8

/** A module's symbols (from its own kallsyms), and where it lies. */
struct debuginfo_module {
	char *name;
	struct debuginfo_module_range ranges[DEBUGINFO_MODULE_RANGES];
	size_t nr_ranges;
	struct symtab syms;
};

struct debuginfo {
	enum vmt_sym_source only;
	read_kvirt_fn *read;
	/** Optional (debuginfo_set_map): kernel memory in place. */
	map_kvirt_fn *map;
	void *read_arg;
	const struct vmcoreinfo *vi;
	struct warnings *warnings;
	/** Where to scan for BTF when no symbol marks it. */
	uint64_t kimage_start;

	bool have_vmlinux;
	/**
	 * Its build-id matched VMCOREINFO's: its ELF symbols are the
	 * kallsyms in the dump and more, so kallsyms is not read for names.
	 */
	bool vmlinux_verified;
	char *vmlinux_path;
	struct symtab elf;
	int dwarf_state; // 0 untried, 1 loaded, -1 failed
	struct typedb *dwarf;
	/** Types of the vmlinux's .BTF, preferred to its DWARF (cheaper). */
	int vmlinux_btf_state;
	struct typedb *vmlinux_btf;
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

	const struct debuginfo_ops *ops;
	void *ops_arg;
	int load_more_state; // 0 not yet, 1 running, 2 done
	/** Modules' symbol tables (debuginfo_add_module). */
	struct debuginfo_module *modules;
	size_t nr_modules;
};

struct vmt_error *debuginfo_init(struct debuginfo *di,
				 const struct vmcoreinfo *vi,
				 read_kvirt_fn *read, void *arg,
				 struct warnings *warnings,
				 enum vmt_sym_source only);
void debuginfo_deinit(struct debuginfo *di);

/**
 * Kernel memory in place for what is read whole and kept (the dump's BTF),
 * with the read function's argument.
 */
void debuginfo_set_map(struct debuginfo *di, map_kvirt_fn *map);

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
/**
 * Like debuginfo_symbol_by_name(), and if no table has @p name, find
 * derived and module symbols first (ops->load_more) and ask again.
 */
struct vmt_error *debuginfo_symbol_by_name_all(struct debuginfo *di,
					       const char *name,
					       struct vmt_symbol *ret);
/**
 * The symbol that covers @p addr (tags and PAC bits stripped first), and
 * the offset into it. A symbol covers its size where known; else up to
 * the next symbol, within the kernel image or its module's range; a
 * section-end marker (_etext, _end, ...) covers only its own address.
 * NOT_FOUND, naming the nearest symbol, when none covers @p addr. ret->size
 * is the size known or inferred from the next symbol (0 if neither).
 */
struct vmt_error *debuginfo_symbol_by_addr(struct debuginfo *di,
					   uint64_t addr,
					   struct vmt_symbol *ret,
					   uint64_t *offset_ret);
/**
 * Fill in @p sym's size where its table keeps none (kallsyms, VMCOREINFO)
 * as debuginfo_symbol_by_addr() infers it.
 */
void debuginfo_infer_size(struct debuginfo *di, struct vmt_symbol *sym);

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
/** Same, for an object of @p size bytes (0 = unknown). */
void debuginfo_add_derived_sized(struct debuginfo *di, const char *name,
				 uint64_t addr, uint64_t size,
				 const char *how);

/** Run ops->load_more once (not while it runs). */
void debuginfo_load_more(struct debuginfo *di);

/**
 * Add module @p name's symbols, which cover @p ranges (at most
 * DEBUGINFO_MODULE_RANGES). Takes @p syms's contents (finished with
 * symtab_finish()) and leaves it empty; also on failure.
 */
struct vmt_error *debuginfo_add_module(struct debuginfo *di, const char *name,
				       const struct debuginfo_module_range *ranges,
				       size_t nr_ranges, struct symtab *syms);

/** The module whose ranges hold @p addr (untagged), or NULL. */
const struct debuginfo_module *debuginfo_module_at(const struct debuginfo *di,
						   uint64_t addr);

/**
 * The symbol tables to ask, best first, loaded (kallsyms decoded on
 * first use): @p tabs has room for 4. Returns how many.
 */
size_t debuginfo_symbol_tables(struct debuginfo *di, struct symtab **tabs);

/** A symbol record of entry @p e of @p tab. */
void debuginfo_fill_symbol(const struct symtab *tab,
			   const struct symtab_entry *e,
			   struct vmt_symbol *ret);

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
 * The type of global variable @p name: from the vmlinux's DWARF, else from
 * the dump's BTF (which has per-CPU variables only). @p source_ret: "dwarf"
 * or "btf"; @p section_ret: the BTF data section listing it (".data..percpu")
 * or "" (may be NULL). NOT_FOUND saying which sources were asked.
 */
struct vmt_error *debuginfo_variable_type(struct debuginfo *di,
					  const char *name,
					  const struct vmt_type **ret,
					  const char **source_ret,
					  const char **section_ret);

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
