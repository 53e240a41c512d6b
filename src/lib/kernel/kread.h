// The one way kernel walkers read memory, so that a unit test can hand
// them structures laid out in a buffer instead of a dump.
#ifndef VMT_KERNEL_KREAD_H
#define VMT_KERNEL_KREAD_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/** Read @p len bytes of kernel virtual memory at @p addr into @p buf. */
typedef struct vmt_error *kread_fn(void *arg, uint64_t addr, void *buf,
				   size_t len);

/** Read a little-endian u64 at @p addr through @p read. */
struct vmt_error *kread_u64(kread_fn *read, void *arg, uint64_t addr,
			    uint64_t *ret);

/** Read a little-endian u32 at @p addr through @p read. */
struct vmt_error *kread_u32(kread_fn *read, void *arg, uint64_t addr,
			    uint32_t *ret);

/** The kread_fn of a dump: kernel_read() of the struct kernel @p kernel. */
struct vmt_error *kernel_kread(void *kernel, uint64_t addr, void *buf,
			       size_t len);

#endif
