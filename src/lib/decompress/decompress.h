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

/** One entry of the table in decompress.c; one file per library. */
struct decompressor {
	/** "zlib", "lzo", ... as compression_name(). */
	const char *name;
	/** Library named when support is missing ("liblzo2"). */
	const char *library;
	/** NULL when vmtool was built without the library. */
	struct vmt_error *(*decompress)(const void *in, size_t in_len,
					void *out, size_t out_len);
};

extern const struct decompressor decompressor_zlib;
extern const struct decompressor decompressor_lzo;
extern const struct decompressor decompressor_snappy;
extern const struct decompressor decompressor_zstd;

#endif
