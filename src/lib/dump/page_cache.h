// A bounded cache of decompressed pages keyed by PFN (clock eviction):
// its memory is fixed at init, whatever the size of the dump.
#ifndef VMT_DUMP_PAGE_CACHE_H
#define VMT_DUMP_PAGE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct page_cache {
	size_t nr;
	size_t page_size;
	unsigned char *data;
	uint64_t *keys;
	// 0 = free, 1 = valid, 2 = valid and referenced since the hand passed.
	uint8_t *state;
	uint32_t *next;
	uint32_t *buckets;
	size_t bucket_mask;
	size_t hand;
	// Statistics, for tests and benchmarks.
	uint64_t hits;
	uint64_t misses;
};

/** Set up @p nr entries of @p page_size bytes. */
struct vmt_error *page_cache_init(struct page_cache *cache, size_t nr,
				  size_t page_size);
void page_cache_deinit(struct page_cache *cache);

/** The cached page of @p key, or NULL. */
const void *page_cache_lookup(struct page_cache *cache, uint64_t key);

/** Whether @p key is cached, without counting a hit or a miss. */
bool page_cache_peek(const struct page_cache *cache, uint64_t key);

/**
 * Take a slot to fill (evicting its old page); commit it with
 * page_cache_insert() once filled, or leave it free on failure.
 */
void *page_cache_reserve(struct page_cache *cache, size_t *slot_ret);

/** Make the filled @p slot the page of @p key. */
void page_cache_insert(struct page_cache *cache, size_t slot, uint64_t key);

#endif
