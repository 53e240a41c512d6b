// zlib pages (kdump flag 0x1): makedumpfile and QEMU use compress2(), so
// each page is one zlib stream.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "decompress/decompress.h"

static struct vmt_error *zlib_decompress(const void *in, size_t in_len,
					 void *out, size_t out_len)
{
	uLongf dest_len = out_len;
	int ret;

	if (in_len > ULONG_MAX || out_len > ULONG_MAX)
		return vmt_error_format(VMT_ERROR_OVERFLOW,
					"zlib: page of %zu bytes too large", in_len);
	ret = uncompress(out, &dest_len, in, (uLong)in_len);
	if (ret != Z_OK)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"zlib: corrupt page data (%s)",
					ret == Z_BUF_ERROR ? "output larger than a page or input truncated" :
					ret == Z_MEM_ERROR ? "out of memory" :
					"invalid stream");
	if (dest_len != out_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"zlib: page decompressed to %lu bytes, expected %zu",
					(unsigned long)dest_len, out_len);
	return NULL;
}

void zlib_ctx_free(struct decompress_ctx *ctx)
{
	if (ctx->zstream) {
		inflateEnd(ctx->zstream);
		free(ctx->zstream);
		ctx->zstream = NULL;
	}
}

// One inflate stream for every page, reset between them: a page costs no
// allocation, and a small read stops once its bytes are out.
static struct vmt_error *zlib_prefix(struct decompress_ctx *ctx,
				     const void *in, size_t in_len, void *out,
				     size_t out_len, size_t want,
				     size_t *produced_ret)
{
	z_stream *zs = ctx->zstream;
	int ret;

	if (in_len > UINT_MAX || out_len > UINT_MAX)
		return vmt_error_format(VMT_ERROR_OVERFLOW,
					"zlib: page of %zu bytes too large", in_len);
	if (!zs) {
		zs = calloc(1, sizeof(*zs));
		if (!zs)
			return &vmt_enomem;
		if (inflateInit(zs) != Z_OK) {
			free(zs);
			return &vmt_enomem;
		}
		ctx->zstream = zs;
	} else if (inflateReset(zs) != Z_OK) {
		return vmt_error_format(VMT_ERROR_BAD_DATA, "zlib: cannot reset");
	}
	zs->next_in = (Bytef *)(uintptr_t)in;
	zs->avail_in = (uInt)in_len;
	zs->next_out = out;
	zs->avail_out = (uInt)want;
	ret = inflate(zs, want == out_len ? Z_FINISH : Z_NO_FLUSH);
	if (ret == Z_STREAM_END) {
		if (zs->total_out != out_len)
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"zlib: page decompressed to %lu bytes, expected %zu",
						(unsigned long)zs->total_out,
						out_len);
		*produced_ret = out_len;
		return NULL;
	}
	// Stopped because the output asked for is full.
	if ((ret == Z_OK || ret == Z_BUF_ERROR) && !zs->avail_out &&
	    want < out_len) {
		*produced_ret = want;
		return NULL;
	}
	return vmt_error_format(VMT_ERROR_BAD_DATA,
				"zlib: corrupt page data (%s)",
				ret == Z_BUF_ERROR ? "output larger than a page or input truncated" :
				ret == Z_MEM_ERROR ? "out of memory" :
				"invalid stream");
}

const struct decompressor decompressor_zlib = {
	.name = "zlib",
	.library = "zlib",
	.decompress = zlib_decompress,
	.prefix = zlib_prefix,
};
