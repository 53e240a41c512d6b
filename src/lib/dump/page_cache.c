#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "dump/page_cache.h"

#define NO_SLOT UINT32_MAX

struct vmt_error *page_cache_init(struct page_cache *cache, size_t nr,
				  size_t page_size)
{
	size_t nb = 1;

	memset(cache, 0, sizeof(*cache));
	if (!nr || nr >= NO_SLOT || page_size > SIZE_MAX / nr)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"page cache of %zu pages of %zu bytes", nr,
					page_size);
	while (nb < 2 * nr)
		nb <<= 1;
	cache->nr = nr;
	cache->page_size = page_size;
	cache->bucket_mask = nb - 1;
	// Slots are filled as pages come in: on huge pages, the first pass
	// over distinct pages does not also fault in the cache 4 KiB at a time.
	cache->data = bigmem_alloc(nr * page_size);
	cache->keys = bigmem_calloc(nr * sizeof(*cache->keys));
	cache->state = bigmem_calloc(nr * sizeof(*cache->state));
	cache->next = bigmem_calloc(nr * sizeof(*cache->next));
	cache->buckets = bigmem_alloc(nb * sizeof(*cache->buckets));
	if (!cache->data || !cache->keys || !cache->state || !cache->next ||
	    !cache->buckets) {
		page_cache_deinit(cache);
		return &vmt_enomem;
	}
	for (size_t i = 0; i < nb; i++)
		cache->buckets[i] = NO_SLOT;
	return NULL;
}

void page_cache_deinit(struct page_cache *cache)
{
	bigmem_free(cache->data);
	bigmem_free(cache->keys);
	bigmem_free(cache->state);
	bigmem_free(cache->next);
	bigmem_free(cache->buckets);
	memset(cache, 0, sizeof(*cache));
}

static size_t bucket_of(const struct page_cache *cache, uint64_t key)
{
	// Fibonacci hashing spreads runs of consecutive PFNs.
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & cache->bucket_mask;
}

const void *page_cache_lookup(struct page_cache *cache, uint64_t key)
{
	uint32_t i = cache->buckets[bucket_of(cache, key)];

	for (; i != NO_SLOT; i = cache->next[i]) {
		if (cache->keys[i] == key) {
			cache->state[i] = 2;
			cache->hits++;
			return cache->data + (size_t)i * cache->page_size;
		}
	}
	cache->misses++;
	return NULL;
}

bool page_cache_peek(const struct page_cache *cache, uint64_t key)
{
	uint32_t i = cache->buckets[bucket_of(cache, key)];

	for (; i != NO_SLOT; i = cache->next[i])
		if (cache->keys[i] == key)
			return true;
	return false;
}

static void unlink_slot(struct page_cache *cache, size_t slot)
{
	uint32_t *link = &cache->buckets[bucket_of(cache, cache->keys[slot])];

	while (*link != NO_SLOT) {
		if (*link == slot) {
			*link = cache->next[slot];
			break;
		}
		link = &cache->next[*link];
	}
	cache->state[slot] = 0;
}

void *page_cache_reserve(struct page_cache *cache, size_t *slot_ret)
{
	// Clock: give referenced pages a second chance; at most two turns.
	for (;;) {
		size_t i = cache->hand;

		cache->hand = (i + 1) % cache->nr;
		if (cache->state[i] == 2) {
			cache->state[i] = 1;
			continue;
		}
		if (cache->state[i] == 1)
			unlink_slot(cache, i);
		*slot_ret = i;
		return cache->data + i * cache->page_size;
	}
}

void page_cache_insert(struct page_cache *cache, size_t slot, uint64_t key)
{
	size_t b = bucket_of(cache, key);

	cache->keys[slot] = key;
	cache->state[slot] = 1;
	cache->next[slot] = cache->buckets[b];
	cache->buckets[b] = (uint32_t)slot;
}
