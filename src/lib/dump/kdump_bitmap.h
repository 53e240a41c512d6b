// A kdump bitmap read on demand: chunks of it are read when asked for and
// kept in a small cache, and bitmap 2's rank (set bits before a PFN, which
// numbers the page descriptors) comes from prefix counts per chunk,
// computed as far as queries reach. Memory depends on what is read, never
// on the size of the machine the dump claims; holes of sparse files and of
// flattened streams are skipped without reading them.
#ifndef VMT_DUMP_KDUMP_BITMAP_H
#define VMT_DUMP_KDUMP_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "source/source.h"

#define KDUMP_BITMAP_CACHE 8

struct kdump_bitmap_chunk {
	uint64_t index;  // chunk number
	uint64_t stamp;  // last use, for eviction; 0 = empty
	uint64_t *words; // host order, bits past the end cleared
	// Rank mode: set bits before each 8-word block of the chunk.
	uint32_t *block_rank;
};

struct kdump_bitmap {
	struct source *src;
	/** "1st" or "2nd", for messages. */
	const char *what;
	/** File offset of bit 0 (PFN 0). */
	uint64_t off;
	/** Bits that count (max_mapnr); later ones read as clear. */
	uint64_t nbits;
	/** Chunk size in bits (a multiple of 512) and the number of chunks. */
	uint64_t chunk_bits;
	uint64_t nr_chunks;
	/** Whether rank() is used (bitmap 2): prefix counts are kept. */
	bool rank;
	/** prefix[i] = set bits in chunks [0, i), for i <= nr_prefix. */
	uint64_t *prefix;
	uint64_t nr_prefix;
	size_t prefix_cap;
	uint64_t clock;
	struct kdump_bitmap_chunk cache[KDUMP_BITMAP_CACHE];
	/** Scratch for counting chunks that are not cached. */
	uint64_t *scratch;
	/** Chunks read from the file so far (tests and benchmarks). */
	uint64_t chunk_reads;
};

/**
 * Set up @p bm over @p nbits bits at @p off of @p src (borrowed; must
 * outlive @p bm). Reads nothing yet.
 */
struct vmt_error *kdump_bitmap_init(struct kdump_bitmap *bm,
				    struct source *src, uint64_t off,
				    uint64_t nbits, bool rank,
				    const char *what);
void kdump_bitmap_deinit(struct kdump_bitmap *bm);

/** Whether bit @p n is set (false past nbits). */
struct vmt_error *kdump_bitmap_test(struct kdump_bitmap *bm, uint64_t n,
				    bool *ret);

/** Set bits in [0, @p n) (rank mode only; @p n <= nbits). */
struct vmt_error *kdump_bitmap_rank(struct kdump_bitmap *bm, uint64_t n,
				    uint64_t *ret);

/**
 * The first run of set bits at or after @p from: [*start_ret, *end_ret),
 * or *start_ret == nbits if none. Scans chunk by chunk, skipping holes.
 */
struct vmt_error *kdump_bitmap_next_run(struct kdump_bitmap *bm,
					uint64_t from, uint64_t *start_ret,
					uint64_t *end_ret);

/** Set bits in @p n words: the CPU's popcount instruction where it has one. */
uint64_t kdump_popcount_words(const uint64_t *words, size_t n);

/** The same in portable code (what CPUs without the instruction run). */
uint64_t kdump_popcount_words_portable(const uint64_t *words, size_t n);

#endif
