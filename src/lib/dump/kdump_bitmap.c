// kdump bitmaps on demand (see kdump_bitmap.h). Layout: bit n (LSB first
// in byte n / 8) is PFN n, ARM64-REFERENCE.md section 2.8; as little-endian
// 64-bit words the numbering holds on any host.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/kdump_bitmap.h"

// Chunks of 64 KiB (2 GiB of 4 KiB pages), larger for claims so big that
// more than 2^16 chunks would be needed, up to 1 MiB.
#define CHUNK_BYTES_MIN (64u << 10)
#define CHUNK_BYTES_MAX (1u << 20)
#define CHUNKS_TARGET (1u << 16)
// Words per rank block inside a chunk.
#define BLOCK_WORDS 8

// ---- popcount: the instruction where the CPU has it ----

uint64_t kdump_popcount_words_portable(const uint64_t *w, size_t n)
{
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t x = w[i];

		// SWAR (bit-parallel) count: no table, no instruction needed.
		x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
		x = (x & UINT64_C(0x3333333333333333)) +
		    ((x >> 2) & UINT64_C(0x3333333333333333));
		x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
		c += (x * UINT64_C(0x0101010101010101)) >> 56;
	}
	return c;
}

#if defined(__x86_64__) && defined(__GNUC__)
// x86-64's baseline lacks POPCNT (SSE4.2/ABM era); compile a variant that
// uses it and pick it at run time.
__attribute__((target("popcnt"))) static uint64_t
popcount_popcnt(const uint64_t *w, size_t n)
{
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += (uint64_t)__builtin_popcountll(w[i]);
	return c;
}

static uint64_t (*popcount_impl)(const uint64_t *, size_t);

uint64_t kdump_popcount_words(const uint64_t *words, size_t n)
{
	if (!popcount_impl) {
		__builtin_cpu_init();
		popcount_impl = __builtin_cpu_supports("popcnt") ?
					popcount_popcnt :
					kdump_popcount_words_portable;
	}
	return popcount_impl(words, n);
}
#else
// Elsewhere (arm64: CNT) the compiler's builtin is the instruction.
uint64_t kdump_popcount_words(const uint64_t *words, size_t n)
{
#if defined(__GNUC__) && defined(__aarch64__)
	uint64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += (uint64_t)__builtin_popcountll(words[i]);
	return c;
#else
	return kdump_popcount_words_portable(words, n);
#endif
}
#endif

static inline uint64_t popcount1(uint64_t w)
{
	return kdump_popcount_words(&w, 1);
}

// ---- chunks ----

static uint64_t chunk_words(const struct kdump_bitmap *bm)
{
	return bm->chunk_bits / 64;
}

struct vmt_error *kdump_bitmap_init(struct kdump_bitmap *bm,
				    struct source *src, uint64_t off,
				    uint64_t nbits, bool rank,
				    const char *what)
{
	uint64_t bytes = (nbits + 7) / 8, chunk = CHUNK_BYTES_MIN;

	memset(bm, 0, sizeof(*bm));
	bm->src = src;
	bm->what = what;
	bm->off = off;
	bm->nbits = nbits;
	bm->rank = rank;
	while (chunk < CHUNK_BYTES_MAX && bytes / chunk > CHUNKS_TARGET)
		chunk *= 2;
	bm->chunk_bits = (uint64_t)chunk * 8;
	bm->nr_chunks = (nbits + bm->chunk_bits - 1) / bm->chunk_bits;
	bm->scratch = malloc(chunk);
	if (!bm->scratch)
		return &vmt_enomem;
	return NULL;
}

void kdump_bitmap_deinit(struct kdump_bitmap *bm)
{
	for (int i = 0; i < KDUMP_BITMAP_CACHE; i++) {
		free(bm->cache[i].words);
		free(bm->cache[i].block_rank);
	}
	free(bm->prefix);
	free(bm->scratch);
	memset(bm, 0, sizeof(*bm));
}

// Read chunk @p index into @p words (host order, bits past nbits clear),
// reading only what is not a hole.
static struct vmt_error *read_chunk(struct kdump_bitmap *bm, uint64_t index,
				    uint64_t *words)
{
	uint64_t first_bit = index * bm->chunk_bits;
	uint64_t bits = bm->nbits - first_bit < bm->chunk_bits ?
				bm->nbits - first_bit : bm->chunk_bits;
	uint64_t nbytes = (bits + 7) / 8, start = bm->off + first_bit / 8;
	uint64_t at = 0;
	unsigned char *raw = (unsigned char *)words;

	memset(words, 0, (size_t)chunk_words(bm) * 8);
	bm->chunk_reads++;
	while (at < nbytes) {
		uint64_t data = source_next_data(bm->src, start + at);
		uint64_t n;
		struct vmt_error *err;

		if (data >= start + nbytes)
			break;
		at = data - start;
		// Up to the next 64 KiB boundary: a hole after it is looked
		// for again.
		n = CHUNK_BYTES_MIN - (at % CHUNK_BYTES_MIN);
		if (n > nbytes - at)
			n = nbytes - at;
		err = source_read(bm->src, raw + at, (size_t)n, start + at);
		if (err)
			return vmt_error_wrap(err, "kdump %s bitmap, bits %#" PRIx64
					      "..%#" PRIx64,
					      bm->what, first_bit,
					      first_bit + bits);
		at += n;
	}
	for (uint64_t i = 0; i < (bits + 63) / 64; i++)
		words[i] = load_le64(raw + 8 * i);
	if (bits % 64)
		words[bits / 64] &= (UINT64_C(1) << (bits % 64)) - 1;
	return NULL;
}

// The cached chunk @p index, read if needed.
static struct vmt_error *get_chunk(struct kdump_bitmap *bm, uint64_t index,
				   struct kdump_bitmap_chunk **ret)
{
	struct kdump_bitmap_chunk *victim = &bm->cache[0];
	struct vmt_error *err;

	for (int i = 0; i < KDUMP_BITMAP_CACHE; i++) {
		struct kdump_bitmap_chunk *c = &bm->cache[i];

		if (c->stamp && c->index == index) {
			c->stamp = ++bm->clock;
			*ret = c;
			return NULL;
		}
		if (c->stamp < victim->stamp)
			victim = c;
	}
	if (!victim->words) {
		victim->words = malloc((size_t)chunk_words(bm) * 8);
		if (!victim->words)
			return &vmt_enomem;
	}
	if (bm->rank && !victim->block_rank) {
		victim->block_rank =
			malloc((size_t)(chunk_words(bm) / BLOCK_WORDS) *
			       sizeof(*victim->block_rank));
		if (!victim->block_rank)
			return &vmt_enomem;
	}
	victim->stamp = 0;
	err = read_chunk(bm, index, victim->words);
	if (err)
		return err;
	if (bm->rank) {
		uint32_t r = 0;

		for (uint64_t b = 0; b < chunk_words(bm) / BLOCK_WORDS; b++) {
			victim->block_rank[b] = r;
			r += (uint32_t)kdump_popcount_words(
				victim->words + b * BLOCK_WORDS, BLOCK_WORDS);
		}
	}
	victim->index = index;
	victim->stamp = ++bm->clock;
	*ret = victim;
	return NULL;
}

struct vmt_error *kdump_bitmap_test(struct kdump_bitmap *bm, uint64_t n,
				    bool *ret)
{
	struct kdump_bitmap_chunk *c;
	struct vmt_error *err;
	uint64_t in;

	if (n >= bm->nbits) {
		*ret = false;
		return NULL;
	}
	err = get_chunk(bm, n / bm->chunk_bits, &c);
	if (err)
		return err;
	in = n % bm->chunk_bits;
	*ret = c->words[in / 64] >> (in % 64) & 1;
	return NULL;
}

// Set bits of chunk @p index, counted without keeping it (unless cached).
static struct vmt_error *count_chunk(struct kdump_bitmap *bm, uint64_t index,
				     uint64_t *ret)
{
	uint64_t first_bit = index * bm->chunk_bits;
	uint64_t start = bm->off + first_bit / 8;
	uint64_t bytes = (bm->chunk_bits / 8);
	struct vmt_error *err;

	for (int i = 0; i < KDUMP_BITMAP_CACHE; i++) {
		struct kdump_bitmap_chunk *c = &bm->cache[i];

		if (c->stamp && c->index == index) {
			*ret = kdump_popcount_words(c->words, chunk_words(bm));
			return NULL;
		}
	}
	// A chunk that is all hole counts nothing: not even read.
	if (source_next_data(bm->src, start) >= start + bytes) {
		*ret = 0;
		return NULL;
	}
	err = read_chunk(bm, index, bm->scratch);
	if (err)
		return err;
	*ret = kdump_popcount_words(bm->scratch, chunk_words(bm));
	return NULL;
}

// Extend the prefix counts through chunk @p index (prefix[index] valid).
static struct vmt_error *prefix_through(struct kdump_bitmap *bm,
					uint64_t index)
{
	if (!bm->prefix) {
		bm->prefix_cap = 64;
		bm->prefix = malloc(bm->prefix_cap * sizeof(*bm->prefix));
		if (!bm->prefix)
			return &vmt_enomem;
		bm->prefix[0] = 0;
		bm->nr_prefix = 0;
	}
	if (index + 1 > bm->prefix_cap) {
		size_t cap = bm->prefix_cap;
		uint64_t *p;

		while (cap < index + 1)
			cap *= 2;
		p = realloc(bm->prefix, cap * sizeof(*p));
		if (!p)
			return &vmt_enomem;
		bm->prefix = p;
		bm->prefix_cap = cap;
	}
	while (bm->nr_prefix < index) {
		uint64_t n;
		struct vmt_error *err = count_chunk(bm, bm->nr_prefix, &n);

		if (err)
			return err;
		bm->prefix[bm->nr_prefix + 1] = bm->prefix[bm->nr_prefix] + n;
		bm->nr_prefix++;
	}
	return NULL;
}

struct vmt_error *kdump_bitmap_rank(struct kdump_bitmap *bm, uint64_t n,
				    uint64_t *ret)
{
	uint64_t index, in, w, r;
	struct kdump_bitmap_chunk *c;
	struct vmt_error *err;

	if (n > bm->nbits)
		n = bm->nbits;
	index = n / bm->chunk_bits;
	in = n % bm->chunk_bits;
	err = prefix_through(bm, index);
	if (err)
		return err;
	r = bm->prefix[index];
	if (!in) {
		*ret = r;
		return NULL;
	}
	err = get_chunk(bm, index, &c);
	if (err)
		return err;
	w = in / 64;
	r += c->block_rank[w / BLOCK_WORDS];
	r += kdump_popcount_words(c->words + w / BLOCK_WORDS * BLOCK_WORDS,
				  w % BLOCK_WORDS);
	if (in % 64)
		r += popcount1(c->words[w] & ((UINT64_C(1) << (in % 64)) - 1));
	*ret = r;
	return NULL;
}

// The first bit at or after @p from equal to @p value, or nbits.
static struct vmt_error *find_bit(struct kdump_bitmap *bm, uint64_t from,
				  bool value, uint64_t *ret)
{
	while (from < bm->nbits) {
		uint64_t index = from / bm->chunk_bits;
		uint64_t base = index * bm->chunk_bits;
		struct kdump_bitmap_chunk *c;
		struct vmt_error *err;

		if (value) {
			// Looking for a set bit: holes are skipped unread.
			uint64_t start = bm->off + from / 8;
			uint64_t data = source_next_data(bm->src, start);

			if (data > start) {
				uint64_t bit = (data - bm->off) * 8;

				if (bit >= bm->nbits)
					break;
				from = bit;
				continue;
			}
		}
		err = get_chunk(bm, index, &c);
		if (err)
			return err;
		for (uint64_t in = from - base; in < bm->chunk_bits &&
						base + in < bm->nbits;) {
			uint64_t w = c->words[in / 64];

			if (!value)
				w = ~w;
			w >>= in % 64;
			if (w) {
				uint64_t bit = base + in +
					       (uint64_t)__builtin_ctzll(w);

				*ret = bit < bm->nbits ? bit : bm->nbits;
				return NULL;
			}
			in = (in / 64 + 1) * 64;
		}
		from = base + bm->chunk_bits;
	}
	*ret = bm->nbits;
	return NULL;
}

struct vmt_error *kdump_bitmap_next_run(struct kdump_bitmap *bm,
					uint64_t from, uint64_t *start_ret,
					uint64_t *end_ret)
{
	struct vmt_error *err;
	uint64_t start, end;

	err = find_bit(bm, from, true, &start);
	if (!err && start < bm->nbits)
		err = find_bit(bm, start, false, &end);
	else
		end = start;
	if (err)
		return err;
	*start_ret = start;
	*end_ret = end;
	return NULL;
}
