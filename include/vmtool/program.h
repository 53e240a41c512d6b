/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file program.h
 * A vmt_program is one opened crash dump: its memory, layout, symbols,
 * types and kernel objects. Result records are plain data; the program
 * itself is opaque.
 */
#ifndef VMTOOL_PROGRAM_H
#define VMTOOL_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"
#include "vmtool/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmt_program;

/** Where symbols may come from (for --sym-source). */
enum vmt_sym_source {
	VMT_SYM_SOURCE_ANY = 0,
	VMT_SYM_SOURCE_DWARF,       /**< ELF symtab + DWARF of a vmlinux */
	VMT_SYM_SOURCE_KALLSYMS,    /**< kallsyms tables inside the dump */
	VMT_SYM_SOURCE_BTF,         /**< BTF inside the dump (types only) */
	VMT_SYM_SOURCE_VMCOREINFO,  /**< SYMBOL()/OFFSET()/SIZE() lines */
};

/** Options for vmt_program_open(). Zero-initialize, then set. */
struct vmt_program_options {
	/** VMCOREINFO text file that supplies or overrides the dump's. */
	const char *vmcoreinfo_path;
	/** vmlinux with symbols and DWARF, or NULL. */
	const char *vmlinux_path;
	/** Accept a vmlinux that does not match the dump. */
	bool force;
	/** Restrict symbol/type lookups to one source. */
	enum vmt_sym_source sym_source;
	/** KEY=VALUE strings that override layout inputs (--set). */
	const char *const *overrides;
	size_t nr_overrides;
};

/**
 * Open a dump made of @p nr_paths files (more than one for a split set).
 * The format is detected from content. Files are opened read-only.
 */
struct vmt_error *vmt_program_open(const char *const *paths, size_t nr_paths,
				   const struct vmt_program_options *opts,
				   struct vmt_program **ret);

/** Close and free @p prog; accepts NULL. */
void vmt_program_destroy(struct vmt_program *prog);

/**
 * Warnings collected so far (malformed VMCOREINFO lines, derived values,
 * broken lists). Borrowed; valid until the next call on @p prog.
 */
void vmt_program_warnings(struct vmt_program *prog, const char *const **ret,
			  size_t *nr_ret);

/** One VMCOREINFO line. */
struct vmt_kv {
	const char *key;
	const char *value;
	/** A later line has the same key (and wins). */
	bool superseded;
};

/** A range of physical addresses, end exclusive. */
struct vmt_phys_range {
	uint64_t start;
	uint64_t end;
};

/** Facts about the opened dump. */
struct vmt_dump_info {
	/** "elf", "kdump", "flattened" or "split". */
	const char *format;
	/** Compressions seen in the dump ("zlib", "lzo", "snappy", "zstd", "none"). */
	const char *const *compression;
	size_t nr_compression;
	/** Kernel page size (PAGESIZE), or the dump's block size if unknown. */
	uint32_t page_size;
	/** kdump block size, or 0 for ELF. */
	uint32_t block_size;
	/** kdump header_version, or 0. */
	int header_version;
	const char *osrelease;
	const char *machine;
	uint32_t nr_cpus;
	bool has_crash_time;
	uint64_t crash_time;
	bool incomplete;
	/** kdump dump_level, or -1. */
	int dump_level;
	const struct vmt_phys_range *phys_ranges;
	size_t nr_phys_ranges;
	const char *vmcoreinfo_raw;
	size_t vmcoreinfo_len;
	/** Where VMCOREINFO came from ("ELF note", "kdump sub-header", file). */
	const char *vmcoreinfo_origin;
	const struct vmt_kv *vmcoreinfo;
	size_t nr_vmcoreinfo;
	const char *const *files;
	size_t nr_files;
};

/** Borrowed facts about the dump, valid as long as @p prog. */
const struct vmt_dump_info *vmt_program_dump_info(struct vmt_program *prog);

/** Registers of one CPU from NT_PRSTATUS. */
struct vmt_cpu_regs {
	uint32_t pid;
	uint64_t x[31];
	uint64_t sp;
	uint64_t pc;
	uint64_t pstate;
};

/** CPU registers of the dump's NT_PRSTATUS notes. Borrowed. */
void vmt_program_cpu_regs(struct vmt_program *prog,
			  const struct vmt_cpu_regs **ret, size_t *nr_ret);

/** Read physical memory. A FAULT error tells excluded / not in dump. */
struct vmt_error *vmt_program_read_phys(struct vmt_program *prog,
					uint64_t paddr, void *buf, size_t len);

/** Read kernel virtual memory, across pages. */
struct vmt_error *vmt_program_read_virt(struct vmt_program *prog,
					uint64_t vaddr, void *buf, size_t len);

/** Read user memory of task @p pid (its mm's page tables). */
struct vmt_error *vmt_program_read_user(struct vmt_program *prog, int pid,
					uint64_t vaddr, void *buf, size_t len);

/** Outcome of a translation. */
enum vmt_vtop_status {
	VMT_VTOP_MAPPED,
	VMT_VTOP_NOT_MAPPED,
	VMT_VTOP_EXCLUDED,
	VMT_VTOP_NOT_IN_DUMP,
	VMT_VTOP_SWAP,
	VMT_VTOP_PROT_NONE,
	VMT_VTOP_INVALID,
};

/** "mapped", "not_mapped", ... as used in JSON. */
const char *vmt_vtop_status_name(enum vmt_vtop_status status);

#define VMT_MAX_PT_LEVELS 6

/** One step of a page-table walk. */
struct vmt_pt_level {
	/** Architectural level: -1 .. 3. */
	int level;
	/** Linux name: "pgd", "p4d", "pud", "pmd", "pte". */
	const char *name;
	uint32_t index;
	uint64_t entry_paddr;
	uint64_t entry;
};

/** A translated address. */
struct vmt_translation {
	uint64_t vaddr;
	enum vmt_vtop_status status;
	/** Valid when status is MAPPED, EXCLUDED or NOT_IN_DUMP or PROT_NONE. */
	bool has_paddr;
	uint64_t paddr;
	/** Size of the mapping (page or block), 0 if none. */
	uint64_t page_size;
	/** Where the byte lives in the dump, if present there. */
	bool has_file_offset;
	const char *file;
	uint64_t file_offset;
	/** File offset points at compressed data ("kdump" page). */
	bool file_offset_compressed;
	/** The walk, top level first. */
	struct vmt_pt_level levels[VMT_MAX_PT_LEVELS];
	int nr_levels;
	/** For SWAP. */
	uint64_t swap_type;
	uint64_t swap_offset;
	/** "linear", "kimage", "vmalloc", "modules", "vmemmap", "user", ... */
	const char *region;
	/** Formula result for linear/kimage addresses, to compare with the walk. */
	bool has_formula_paddr;
	uint64_t formula_paddr;
	/** Non-NULL if something disagreed or failed; static storage. */
	char note[160];
};

/** Translate a kernel virtual address through swapper_pg_dir. */
struct vmt_error *vmt_program_vtop(struct vmt_program *prog, uint64_t vaddr,
				   struct vmt_translation *ret);

/** Translate a user virtual address of task @p pid. */
struct vmt_error *vmt_program_vtop_user(struct vmt_program *prog, int pid,
					uint64_t vaddr,
					struct vmt_translation *ret);

/** The linear-map address of @p paddr. */
struct vmt_error *vmt_program_ptov(struct vmt_program *prog, uint64_t paddr,
				   uint64_t *ret);

/** One explained layout value. */
struct vmt_layout_item {
	const char *name;
	/** Formatted value ("0xffff000000000000", "48", "LPA2"). */
	char value[64];
	/** Where it came from ("VMCOREINFO NUMBER(VA_BITS)", "derived: ..."). */
	char source[160];
};

/** The arm64 layout with the source of each value. Borrowed. */
struct vmt_error *vmt_program_explain(struct vmt_program *prog,
				      const struct vmt_layout_item **ret,
				      size_t *nr_ret);

/** Disagreements found while building the layout. Borrowed. */
void vmt_program_disagreements(struct vmt_program *prog,
			       const char *const **ret, size_t *nr_ret);

/** A symbol. */
struct vmt_symbol {
	const char *name;
	uint64_t address;
	/** 0 when unknown. */
	uint64_t size;
	/** nm-style letter: 'T', 't', 'D', 'd', 'B', 'R', ... or '?' */
	char type;
	/** "dwarf", "elf", "kallsyms", "vmcoreinfo", "derived" ... */
	const char *source;
};

/** Look a symbol up by name. NOT_FOUND if no source has it. */
struct vmt_error *vmt_program_symbol_by_name(struct vmt_program *prog,
					     const char *name,
					     struct vmt_symbol *ret);

/** The symbol containing (or preceding) @p address, and the offset. */
struct vmt_error *vmt_program_symbol_by_addr(struct vmt_program *prog,
					     uint64_t address,
					     struct vmt_symbol *ret,
					     uint64_t *offset_ret);

/**
 * Find a type by name: "task_struct" (struct, union, typedef, enum, in that
 * order), or "struct task_struct", "union x", "enum y". Borrowed.
 */
struct vmt_error *vmt_program_find_type(struct vmt_program *prog,
					const char *name,
					const struct vmt_type **ret);

/** Which source types come from ("dwarf" or "btf"). */
const char *vmt_program_type_source(struct vmt_program *prog);

/** A task (thread). */
struct vmt_task {
	int pid;
	int tgid;
	int ppid;
	char comm[16];
	/** /proc letter: R S D T t Z X I. */
	char state;
	uint64_t task;
	uint64_t mm;
	int cpu;
	bool oncpu;
	bool kthread;
};

/**
 * Every task, processes and threads, in task-list order. Borrowed; valid
 * as long as @p prog.
 */
struct vmt_error *vmt_program_tasks(struct vmt_program *prog,
				    const struct vmt_task **ret,
				    size_t *nr_ret);

/**
 * Why the list vmt_program_tasks() gave is incomplete: the first list cut
 * short (a read error, a cycle, a NULL pointer, too many entries) or task
 * that could not be read, naming the object; every one is also a warning.
 * NULL when every list was walked to its end (or the tasks were not
 * loaded). Borrowed; valid as long as @p prog.
 */
const struct vmt_error *vmt_program_tasks_broken(struct vmt_program *prog);

/** Find a task by pid. NOT_FOUND if none. */
struct vmt_error *vmt_program_task_by_pid(struct vmt_program *prog, int pid,
					  const struct vmt_task **ret);

/** One VMA, as /proc/PID/maps shows it. */
struct vmt_vma {
	uint64_t vma;
	uint64_t start;
	uint64_t end;
	uint64_t flags;
	char perms[5];
	uint64_t offset;
	unsigned int dev_major;
	unsigned int dev_minor;
	uint64_t inode;
	/** Path or "[heap]" etc., "" when anonymous. Owned by the list. */
	char *path;
};

/** Memory facts of a task. */
struct vmt_mm_info {
	uint64_t mm;
	uint64_t pgd;
	uint64_t rss_pages;
	uint64_t total_vm_pages;
	/**
	 * "" when every VMA was read. Else the VMA tree or list broke
	 * part-way (a corrupt maple node, an unreadable VMA): the VMAs
	 * before the break are listed, and this names what broke.
	 */
	char broken[512];
};

/** The VMAs of task @p pid, in address order. Free with vmt_vmas_free(). */
struct vmt_error *vmt_program_task_vmas(struct vmt_program *prog, int pid,
					struct vmt_mm_info *mm_ret,
					struct vmt_vma **ret, size_t *nr_ret);

/**
 * Format @p vma as one line of /proc/PID/maps, newline included, into a
 * new string (free() it).
 */
struct vmt_error *vmt_vma_format_maps_line(const struct vmt_vma *vma,
					   char **ret);

/** Free a list returned by vmt_program_task_vmas(). */
void vmt_vmas_free(struct vmt_vma *vmas, size_t nr);

/** Library version string. */
const char *vmt_version(void);

/** Compressors built in ("zlib lzo snappy zstd"). */
const char *vmt_build_features(void);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_PROGRAM_H */
