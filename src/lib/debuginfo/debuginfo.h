// Symbols and types from every source, combined in order of preference:
// DWARF/ELF from a vmlinux, kallsyms in the dump, BTF in the dump,
// VMCOREINFO, and derived values (fallbacks that say how they were found).
#ifndef VMT_DEBUGINFO_H
#define VMT_DEBUGINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "debuginfo/symtab.h"
#include "debuginfo/typedb.h"
#include "vmcoreinfo/vmcoreinfo.h"
#include "vmtool/program.h"

/** Read kernel virtual memory (arg is the caller's). */
typedef struct vmt_error *read_kvirt_fn(void *arg, uint64_t vaddr, void *buf,
					size_t len);

/**
 * [@p vaddr, +@p len) of kernel memory in place, read-only, valid while
 * the dump is open (an ELF dump's mapped file data); NULL where it is not
 * so stored: then read it.
 */
typedef const void *map_kvirt_fn(void *arg, uint64_t vaddr, size_t len);

/**
 * Decode the kallsyms tables in kernel memory, located through the
 * SYMBOL(kallsyms_*) lines of @p vi, into @p tab (source "kallsyms").
 * Adds and sorts (symtab_finish) on success; leaves @p tab as it was on
 * error. With @p map (may be NULL), tables that can be had in place are
 * used there, neither read nor copied; they must outlive @p tab.
 */
struct vmt_error *kallsyms_load(read_kvirt_fn *read, map_kvirt_fn *map,
				void *arg, const struct vmcoreinfo *vi,
				struct symtab *tab);

/**
 * Parse BTF bytes (a vmlinux's .BTF section, or __start_BTF..__stop_BTF).
 * Copies what it needs.
 */
struct vmt_error *btf_typedb_create(const void *data, size_t size,
				    struct typedb **ret);

/**
 * Find BTF in kernel memory: through __start_BTF/__stop_BTF in @p syms if
 * present, else by scanning [@p scan_start, @p scan_end) for the BTF header.
 * @p how_ret says which ("symbols __start_BTF..__stop_BTF" or "scan at ...").
 */
struct vmt_error *btf_find_in_memory(read_kvirt_fn *read, void *arg,
				     const struct symtab *syms,
				     uint64_t scan_start, uint64_t scan_end,
				     void **data_ret, size_t *size_ret,
				     char *how_ret, size_t how_size);

/**
 * btf_typedb_create() using @p data in place in @p map (@p map_len bytes
 * from mmap), which the db unmaps when destroyed, or at once on failure.
 */
struct vmt_error *btf_typedb_create_mapped(void *map, size_t map_len,
					   const void *data, size_t size,
					   struct typedb **ret);

/** The types of a vmlinux's .BTF section (NOT_FOUND if it has none). */
struct vmt_error *elf_btf_load(const char *path, struct typedb **ret);

/**
 * btf_find_in_memory() and btf_typedb_create() in one: the blob found is
 * the db's (no copy), and each candidate of a scan is checked by loading
 * it, so the records are walked once. With @p map (may be NULL), a blob
 * that can be had in place is used there, neither read nor copied.
 */
struct vmt_error *btf_load_from_memory(read_kvirt_fn *read,
				       map_kvirt_fn *map, void *arg,
				       const struct symtab *syms,
				       uint64_t scan_start, uint64_t scan_end,
				       struct typedb **ret, char *how_ret,
				       size_t how_size);

/** DWARF types of @p path through libdw. */
struct vmt_error *dwarf_typedb_create(const char *path, struct typedb **ret);

/**
 * DWARF types of the ELF file held in @p data (copied), named @p name in
 * messages. For tests and fuzzers.
 */
struct vmt_error *dwarf_typedb_create_mem(const void *data, size_t size,
					  const char *name,
					  struct typedb **ret);

/**
 * ELF symbols (.symtab) of vmlinux @p path into @p tab (source "elf"),
 * relocated by @p kaslr_offset (absolute symbols are not moved). Also
 * writes its GNU build-id as lower-case hex to @p build_id_ret ("" if it
 * has none), for the check against VMCOREINFO BUILD-ID.
 */
struct vmt_error *elf_symtab_load(const char *path, uint64_t kaslr_offset,
				  struct symtab *tab, char *build_id_ret,
				  size_t build_id_size);

#endif
