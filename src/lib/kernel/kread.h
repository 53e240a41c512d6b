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

#endif
