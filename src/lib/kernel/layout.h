// What every kernel reader's layout init does: look up member offsets and
// optional symbols by name, with errors that say which member was missing.
#ifndef VMT_KERNEL_LAYOUT_H
#define VMT_KERNEL_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel.h"

/**
 * kernel_member_offset() of @p member in struct @p type; an error names
 * the member as "type.member".
 */
struct vmt_error *layout_offset(struct kernel *k, const char *type,
				const char *member, uint64_t *ret);

/** Like layout_offset() and also the member's size in bytes. */
struct vmt_error *layout_member(struct kernel *k, const char *type,
				const char *member, uint64_t *offset_ret,
				uint64_t *size_ret);

/** One member offset of a layout: where in the layout struct it goes. */
struct layout_field {
	const char *type, *member;
	size_t at; // offsetof() the uint64_t in the layout struct
};

/**
 * layout_offset() of each of @p nr @p fields into @p layout; the first
 * missing one is the error.
 */
struct vmt_error *layout_offsets(struct kernel *k, void *layout,
				 const struct layout_field *fields, size_t nr);

/** The address of symbol @p name, 0 if the kernel has none. */
uint64_t layout_symbol_or_zero(struct kernel *k, const char *name);

#endif
