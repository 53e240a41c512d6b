// Page decompressors, one table: kdump page flags map to an entry.
#ifndef VMT_DECOMPRESS_H
#define VMT_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum compression {
	COMPRESSION_NONE,
	COMPRESSION_ZLIB,
	COMPRESSION_LZO,
	COMPRESSION_SNAPPY,
	COMPRESSION_ZSTD,
	COMPRESSION_COUNT,
};

/** "none", "zlib", "lzo", "snappy", "zstd". */
const char *compression_name(enum compression c);

/** Whether support for @p c was built in. */
bool compression_available(enum compression c);

/**
 * Decompress @p in into exactly @p out_len bytes of @p out. An error says
 * which library is missing, or that the data is corrupt.
 */
struct vmt_error *decompress(enum compression c, const void *in,
			     size_t in_len, void *out, size_t out_len);

/**
 * State kept between pages (zlib: one inflate stream, reset per page, not
 * allocated per page). One per dump; not thread-safe.
 */
struct decompress_ctx;

struct vmt_error *decompress_ctx_create(struct decompress_ctx **ret);
/** Free @p ctx; accepts NULL. */
void decompress_ctx_destroy(struct decompress_ctx *ctx);

/** decompress(), reusing @p ctx's state. */
struct vmt_error *decompress_with(struct decompress_ctx *ctx,
				  enum compression c, const void *in,
				  size_t in_len, void *out, size_t out_len);

/**
 * The start of a page: at least @p want of the @p out_len bytes it
 * decompresses to (all of them when the format cannot stop early), into
 * @p out. *@p produced_ret says how many are valid (>= @p want). A small
 * read near the start of a page costs a fraction of the page.
 */
struct vmt_error *decompress_prefix(struct decompress_ctx *ctx,
				    enum compression c, const void *in,
				    size_t in_len, void *out, size_t out_len,
				    size_t want, size_t *produced_ret);

/** One entry of the table in decompress.c; one file per library. */
struct decompressor {
	/** "zlib", "lzo", ... as compression_name(). */
	const char *name;
	/** Library named when support is missing ("liblzo2"). */
	const char *library;
	/** NULL when vmtool was built without the library. */
	struct vmt_error *(*decompress)(const void *in, size_t in_len,
					void *out, size_t out_len);
	/**
	 * Optional: decompress() with the context (@p want == @p out_len)
	 * or only a prefix of at least @p want bytes.
	 */
	struct vmt_error *(*prefix)(struct decompress_ctx *ctx, const void *in,
				    size_t in_len, void *out, size_t out_len,
				    size_t want, size_t *produced_ret);
};

/** State of the formats that keep some (decompress.c owns it). */
struct decompress_ctx {
	/** zlib: a z_stream, NULL until the first zlib page. */
	void *zstream;
};

/**
 * LZO1X decoding (Documentation/staging/lzo.rst) that stops once @p want
 * bytes are out: what decompress_prefix() uses for LZO pages. -1 on
 * corrupt input.
 */
int lzo1x_decode_prefix(const uint8_t *in, size_t in_len, uint8_t *out,
			size_t out_len, size_t want, size_t *produced_ret);

/** Free zlib's stream in @p ctx (zlib.c). */
void zlib_ctx_free(struct decompress_ctx *ctx);

extern const struct decompressor decompressor_zlib;
extern const struct decompressor decompressor_lzo;
extern const struct decompressor decompressor_snappy;
extern const struct decompressor decompressor_zstd;

#endif
