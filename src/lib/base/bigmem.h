// Large working arrays (symbol tables, copies of kernel regions) on huge
// pages where the kernel offers them (transparent huge pages in "madvise"
// mode, Debian's default): one page fault per 2 MiB instead of one per
// 4 KiB. A fault costs ~10 µs on a virtual machine (bench/bench_floor.c);
// `ps` on Debian's 6.1 dump took ~900 of them loading kallsyms. Small
// arrays come from malloc, as before.
#ifndef VMT_BIGMEM_H
#define VMT_BIGMEM_H

#include <stddef.h>

/** @p len bytes, not initialized (like malloc), or NULL. */
void *bigmem_alloc(size_t len);

/** @p len zeroed bytes, or NULL. */
void *bigmem_calloc(size_t len);

/**
 * @p p (from bigmem_alloc/bigmem_realloc, or NULL) resized to @p len
 * bytes, like realloc: what is added is not initialized. NULL (and @p p
 * untouched) on failure.
 */
void *bigmem_realloc(void *p, size_t len);

void bigmem_free(void *p);

#endif
