// Access to kernel objects: reads through the kernel page tables, symbol
// addresses and member offsets by name, and a place for warnings.
#ifndef VMT_KERNEL_H
#define VMT_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/warnings.h"
#include "vmtool/program.h"

struct kernel;

/** Read kernel virtual memory. */
struct vmt_error *kernel_read(struct kernel *k, uint64_t vaddr, void *buf,
			      size_t len);
struct vmt_error *kernel_read_u64(struct kernel *k, uint64_t vaddr,
				  uint64_t *ret);
struct vmt_error *kernel_read_u32(struct kernel *k, uint64_t vaddr,
				  uint32_t *ret);
/** Read a NUL-terminated string of at most @p size - 1 bytes. */
struct vmt_error *kernel_read_string(struct kernel *k, uint64_t vaddr,
				     char *buf, size_t size);

/** Read user memory through the page table at @p pgd_paddr. */
struct vmt_error *kernel_read_user(struct kernel *k, uint64_t pgd_paddr,
				   uint64_t vaddr, void *buf, size_t len);

/** Physical address of a kernel virtual address (for mm->pgd). */
struct vmt_error *kernel_virt_to_phys(struct kernel *k, uint64_t vaddr,
				      uint64_t *ret);

/** Address of symbol @p name (data or text), from any source. */
struct vmt_error *kernel_symbol(struct kernel *k, const char *name,
				uint64_t *ret);

/**
 * The symbol at or below @p addr: its address and name (borrowed, valid
 * as long as the program). NOT_FOUND if none.
 */
struct vmt_error *kernel_symbol_by_addr(struct kernel *k, uint64_t addr,
					uint64_t *start_ret,
					const char **name_ret);

/**
 * GENMASK(63, VA bits in effect): the bits a kernel address has set and a
 * pointer authentication code may replace (KERNELPACMASK).
 */
uint64_t kernel_pac_mask(struct kernel *k);

/** Whether @p addr lies in the vmalloc area (a vmap'ed stack). */
bool kernel_is_vmalloc(struct kernel *k, uint64_t addr);

/**
 * Byte offset of member @p member ("tasks", "thread_info.cpu") of struct
 * @p type. NOT_FOUND if the struct or member does not exist.
 */
struct vmt_error *kernel_member_offset(struct kernel *k, const char *type,
				       const char *member, uint64_t *ret);

/** Like kernel_member_offset() and also the member's size in bytes. */
struct vmt_error *kernel_member(struct kernel *k, const char *type,
				const char *member, uint64_t *offset_ret,
				uint64_t *size_ret);

/**
 * Offset (from the section start) and size of variable @p name in data
 * section @p section (".data..percpu"), from BTF's DATASEC records.
 */
struct vmt_error *kernel_section_var(struct kernel *k, const char *section,
				     const char *name, uint64_t *offset_ret,
				     uint64_t *size_ret);

/** Whether struct @p type has member @p member. */
bool kernel_has_member(struct kernel *k, const char *type, const char *member);

/** Size of struct @p type. */
struct vmt_error *kernel_type_size(struct kernel *k, const char *type,
				   uint64_t *ret);

/** Find a type (as vmt_program_find_type). */
struct vmt_error *kernel_find_type(struct kernel *k, const char *name,
				   const struct vmt_type **ret);

/** Kernel page size. */
uint64_t kernel_page_size(struct kernel *k);

/** NT_PRSTATUS registers. */
void kernel_cpu_regs(struct kernel *k, const struct vmt_cpu_regs **ret,
		     size_t *nr_ret);

/** Kernel OSRELEASE ("6.1.0-..."), or "". */
const char *kernel_osrelease(struct kernel *k);

/**
 * Remember a symbol no source had, found by a fallback; @p how says how
 * (shown by `explain` and as a warning).
 */
void kernel_add_derived_symbol(struct kernel *k, const char *name,
			       uint64_t addr, const char *how);

/**
 * Like kernel_add_derived_symbol(), for an object of struct @p type (its
 * size bounds the symbol's address answers; 0 if the type is unknown).
 */
void kernel_add_derived_object(struct kernel *k, const char *name,
			       uint64_t addr, const char *type,
			       const char *how);

/** Like kernel_add_derived_symbol(), for an object of @p size bytes. */
void kernel_add_derived_sized(struct kernel *k, const char *name,
			      uint64_t addr, uint64_t size, const char *how);

/** Record a warning. */
void kernel_warn(struct kernel *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
