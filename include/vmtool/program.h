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
	/** Number of entries in overrides. */
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
	/** What precedes '=' ("OSRELEASE", "SYMBOL(swapper_pg_dir)"). */
	const char *key;
	/** What follows '=', as the kernel wrote it. */
	const char *value;
	/** A later line has the same key (and wins). */
	bool superseded;
};

/** A range of physical addresses, end exclusive. */
struct vmt_phys_range {
	/** The first physical address of the range. */
	uint64_t start;
	/** One past its last physical address. */
	uint64_t end;
};

/** Facts about the opened dump. */
struct vmt_dump_info {
	/** "elf", "kdump", "flattened" or "split". */
	const char *format;
	/** Compressions seen in the dump ("zlib", "lzo", "snappy", "zstd", "none"). */
	const char *const *compression;
	/** Number of entries in compression. */
	size_t nr_compression;
	/** Kernel page size (PAGESIZE), or the dump's block size if unknown. */
	uint32_t page_size;
	/** kdump block size, or 0 for ELF. */
	uint32_t block_size;
	/** kdump header_version, or 0. */
	int header_version;
	/** VMCOREINFO OSRELEASE (the kernel release), "" if none. */
	const char *osrelease;
	/**
	 * "aarch64" (from the ELF machine, VMCOREINFO's arm64 keys or the
	 * kdump header), else the kdump header's utsname machine, else
	 * "unknown".
	 */
	const char *machine;
	/** NT_PRSTATUS notes in the dump, else the kdump header's nr_cpus. */
	uint32_t nr_cpus;
	/** Whether crash_time is known. */
	bool has_crash_time;
	/**
	 * Seconds since the Unix epoch at the crash: VMCOREINFO CRASHTIME,
	 * else a nonzero kdump header timestamp.
	 */
	uint64_t crash_time;
	/** The kdump header says the dump was not completed (pages lost). */
	bool incomplete;
	/** kdump dump_level, or -1. */
	int dump_level;
	/** The RAM ranges the dump describes, sorted. */
	const struct vmt_phys_range *phys_ranges;
	/** Number of entries in phys_ranges. */
	size_t nr_phys_ranges;
	/** The VMCOREINFO text in use ("" if none), vmcoreinfo_len bytes. */
	const char *vmcoreinfo_raw;
	/** Length of vmcoreinfo_raw in bytes. */
	size_t vmcoreinfo_len;
	/** Where VMCOREINFO came from ("ELF note", "kdump sub-header", file). */
	const char *vmcoreinfo_origin;
	/** The VMCOREINFO lines, in the order written. */
	const struct vmt_kv *vmcoreinfo;
	/** Number of entries in vmcoreinfo. */
	size_t nr_vmcoreinfo;
	/** The dump's files as given to vmt_program_open(). */
	const char *const *files;
	/** Number of entries in files. */
	size_t nr_files;
};

/** Borrowed facts about the dump, valid as long as @p prog. */
const struct vmt_dump_info *vmt_program_dump_info(struct vmt_program *prog);

/** Registers of one CPU from NT_PRSTATUS. */
struct vmt_cpu_regs {
	/** pr_pid: the pid of the task that was running. */
	uint32_t pid;
	/** General-purpose registers x0..x30. */
	uint64_t x[31];
	/** Stack pointer. */
	uint64_t sp;
	/** Program counter. */
	uint64_t pc;
	/** PSTATE. */
	uint64_t pstate;
};

/** CPU registers of the dump's NT_PRSTATUS notes. Borrowed. */
void vmt_program_cpu_regs(struct vmt_program *prog,
			  const struct vmt_cpu_regs **ret, size_t *nr_ret);

/**
 * Number of CPUs of the dumped kernel: nr_cpu_ids, else the highest CPU of
 * __cpu_possible_mask + 1, else the dump's NT_PRSTATUS notes (`explain`
 * says which). NOT_FOUND when none is known.
 */
struct vmt_error *vmt_program_nr_cpus(struct vmt_program *prog,
				      unsigned int *ret);

/**
 * Address of CPU @p cpu's copy of the per-CPU variable @p name
 * (DEFINE_PER_CPU). The per-CPU areas come from __per_cpu_offset, or are
 * derived from the runqueues where that symbol is missing (`explain`).
 */
struct vmt_error *vmt_program_per_cpu_address(struct vmt_program *prog,
					      const char *name,
					      unsigned int cpu, uint64_t *ret);

/**
 * per_cpu_ptr(@p ptr, @p cpu): CPU @p cpu's copy of the per-CPU data a
 * __percpu pointer points at, static (&var) or from alloc_percpu(). Needs
 * __per_cpu_start (its symbol, or derived; `explain` says which).
 */
struct vmt_error *vmt_program_per_cpu_ptr(struct vmt_program *prog,
					  uint64_t ptr, unsigned int cpu,
					  uint64_t *ret);

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

/** The most page-table levels a walk records (arm64 has at most 5). */
#define VMT_MAX_PT_LEVELS 6

/** One step of a page-table walk. */
struct vmt_pt_level {
	/** Architectural level: -1 .. 3. */
	int level;
	/** Linux name: "pgd", "p4d", "pud", "pmd", "pte". */
	const char *name;
	/** The entry's index in its table. */
	uint32_t index;
	/** Physical address of the entry. */
	uint64_t entry_paddr;
	/** The entry's value (the descriptor). */
	uint64_t entry;
};

/** A translated address. */
struct vmt_translation {
	/** The address translated, as given. */
	uint64_t vaddr;
	/** What the walk found. */
	enum vmt_vtop_status status;
	/** Valid when status is MAPPED, EXCLUDED or NOT_IN_DUMP or PROT_NONE. */
	bool has_paddr;
	/** The physical address (has_paddr). */
	uint64_t paddr;
	/** Size of the mapping (page or block), 0 if none. */
	uint64_t page_size;
	/** Where the byte lives in the dump, if present there. */
	bool has_file_offset;
	/** The dump file holding it (has_file_offset). */
	const char *file;
	/** Its offset in that file (has_file_offset). */
	uint64_t file_offset;
	/** File offset points at compressed data ("kdump" page). */
	bool file_offset_compressed;
	/** The walk, top level first. */
	struct vmt_pt_level levels[VMT_MAX_PT_LEVELS];
	/** Number of entries of levels in use. */
	int nr_levels;
	/** For SWAP: the swap device's number (the swp_entry_t's type). */
	uint64_t swap_type;
	/** For SWAP: the page's offset on that device, in pages. */
	uint64_t swap_offset;
	/** "linear", "kimage", "vmalloc", "modules", "vmemmap", "user", ... */
	const char *region;
	/** Formula result for linear/kimage addresses, to compare with the walk. */
	bool has_formula_paddr;
	/** What the formula gives (has_formula_paddr). */
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

/** What kind of value a vmt_layout_item holds. */
enum vmt_layout_value_kind {
	/** Words ("flipped (5.4+)", "LPA2 ..."); or a note (empty value). */
	VMT_LAYOUT_TEXT = 0,
	/** A count, size or bit width, in vmt_layout_item::number. */
	VMT_LAYOUT_NUMBER,
	/**
	 * A 64-bit address, or an offset or mask of addresses (PHYS_OFFSET,
	 * kimage_voffset, KERNELPACMASK), in vmt_layout_item::number.
	 */
	VMT_LAYOUT_ADDRESS,
	/** Not known: neither given nor derivable. */
	VMT_LAYOUT_UNKNOWN,
};

/** One explained layout value. */
struct vmt_layout_item {
	/** The value's name ("VA_BITS", "PAGE_OFFSET", "kimage_voffset"). */
	const char *name;
	/** Formatted value ("0xffff000000000000", "48", "LPA2"). */
	char value[64];
	/** How to read the value. */
	enum vmt_layout_value_kind kind;
	/** The value of a NUMBER or ADDRESS item. */
	uint64_t number;
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
	/** The symbol's name. */
	const char *name;
	/** Its run-time address (KASLR offset applied). */
	uint64_t address;
	/** 0 when unknown. */
	uint64_t size;
	/** nm-style letter: 'T', 't', 'D', 'd', 'B', 'R', ... or '?' */
	char type;
	/** "dwarf", "elf", "kallsyms", "vmcoreinfo", "derived" ... */
	const char *source;
	/** The module the symbol belongs to, or NULL for the core kernel. */
	const char *module;
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

/**
 * Byte offset of @p member ("tasks", "se.cfs_rq": nested members with
 * dots, anonymous members looked into) in struct or union @p type
 * ("task_struct", "struct task_struct"). NOT_FOUND if either is unknown;
 * UNSUPPORTED for a bitfield.
 */
struct vmt_error *vmt_program_member_offset(struct vmt_program *prog,
					    const char *type,
					    const char *member,
					    uint64_t *ret);

/** Which source types come from ("dwarf" or "btf"). */
const char *vmt_program_type_source(struct vmt_program *prog);

/** A task (thread). */
struct vmt_task {
	/** task->pid (the thread id; 0 for the idle tasks). */
	int pid;
	/** task->tgid (the process id). */
	int tgid;
	/** The tgid of task->real_parent, as /proc's PPid (0 for init_task). */
	int ppid;
	/** task->comm, NUL-terminated. */
	char comm[16];
	/** /proc letter: R S D T t Z X I. */
	char state;
	/** Address of the task_struct. */
	uint64_t task;
	/** task->mm, 0 for a kernel thread or an exited task. */
	uint64_t mm;
	/**
	 * The CPU it runs on (oncpu), else the one it last ran on
	 * (task->cpu); -1 if unknown.
	 */
	int cpu;
	/** Current on cpu at dump time (see vmt_program_cpu_task()). */
	bool oncpu;
	/** A kernel thread: PF_KTHREAD, or an idle task (pid 0). */
	bool kthread;
	/** Low end of its kernel stack (task->stack), 0 if unknown. */
	uint64_t stack;
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

/**
 * The task current on CPU @p cpu at dump time: the one whose stack holds
 * the CPU's saved sp, else the runqueue's curr (the CPU's idle task when
 * nothing else ran). Every CPU has exactly one; NOT_FOUND (saying why)
 * when the dump does not tell. @p how_ret (may be NULL) says how it was
 * decided; borrowed like the task.
 */
struct vmt_error *vmt_program_cpu_task(struct vmt_program *prog,
				       unsigned int cpu,
				       const struct vmt_task **ret,
				       const char **how_ret);

/** Find a task by pid. NOT_FOUND if none. */
struct vmt_error *vmt_program_task_by_pid(struct vmt_program *prog, int pid,
					  const struct vmt_task **ret);

/** One VMA, as /proc/PID/maps shows it. */
struct vmt_vma {
	/** Address of the struct vm_area_struct. */
	uint64_t vma;
	/** vm_start: the first address. */
	uint64_t start;
	/** vm_end: one past the last address. */
	uint64_t end;
	/** vm_flags (VM_READ, VM_WRITE, ...). */
	uint64_t flags;
	/** "rwxp" as /proc/PID/maps prints them (p private, s shared). */
	char perms[5];
	/** Offset in the mapped file, in bytes (vm_pgoff << PAGE_SHIFT). */
	uint64_t offset;
	/** The mapped file's device: major number (0 when anonymous). */
	unsigned int dev_major;
	/** The mapped file's device: minor number (0 when anonymous). */
	unsigned int dev_minor;
	/** The mapped file's inode number (0 when anonymous). */
	uint64_t inode;
	/** Path or "[heap]" etc., "" when anonymous. Owned by the list. */
	char *path;
};

/** Memory facts of a task. */
struct vmt_mm_info {
	/** Address of the mm_struct (0: no user memory). */
	uint64_t mm;
	/** mm->pgd: kernel virtual address of the top page table. */
	uint64_t pgd;
	/** Resident pages: file, anonymous and shmem counters of rss_stat. */
	uint64_t rss_pages;
	/** mm->total_vm, in pages. */
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

/**
 * Call @p fn with every symbol name that starts with @p prefix (for
 * completion), source by source: a name several sources know comes
 * several times. Stops when @p fn returns false. The name is borrowed for
 * the call.
 */
void vmt_program_symbol_names(struct vmt_program *prog, const char *prefix,
			      bool (*fn)(const char *name, void *arg),
			      void *arg);

/** Library version string. */
const char *vmt_version(void);

/** Compressors built in ("zlib lzo snappy zstd"). */
const char *vmt_build_features(void);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_PROGRAM_H */
