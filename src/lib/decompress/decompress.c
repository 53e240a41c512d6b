// The table of page decompressors; each library is one file.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "decompress/decompress.h"

static struct vmt_error *copy_none(const void *in, size_t in_len, void *out,
				   size_t out_len);

static const struct decompressor decompressor_none = {
	.name = "none",
	.library = "",
	.decompress = copy_none,
};

static const struct decompressor *const decompressors[COMPRESSION_COUNT] = {
	[COMPRESSION_NONE] = &decompressor_none,
	[COMPRESSION_ZLIB] = &decompressor_zlib,
	[COMPRESSION_LZO] = &decompressor_lzo,
	[COMPRESSION_SNAPPY] = &decompressor_snappy,
	[COMPRESSION_ZSTD] = &decompressor_zstd,
};

static struct vmt_error *copy_none(const void *in, size_t in_len, void *out,
				   size_t out_len)
{
	if (in_len != out_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"uncompressed page has %zu bytes, expected %zu",
					in_len, out_len);
	memcpy(out, in, out_len);
	return NULL;
}

const char *compression_name(enum compression c)
{
	if ((unsigned int)c >= COMPRESSION_COUNT)
		return "unknown";
	return decompressors[c]->name;
}

bool compression_available(enum compression c)
{
	return (unsigned int)c < COMPRESSION_COUNT && decompressors[c]->decompress;
}

struct vmt_error *decompress(enum compression c, const void *in,
			     size_t in_len, void *out, size_t out_len)
{
	const struct decompressor *d;

	if ((unsigned int)c >= COMPRESSION_COUNT)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"unknown compression %d", (int)c);
	d = decompressors[c];
	if (!d->decompress)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"page compressed with %s, but vmtool was built without %s",
					c == COMPRESSION_LZO ? "LZO" : d->name,
					d->library);
	return d->decompress(in, in_len, out, out_len);
}

struct vmt_error *decompress_ctx_create(struct decompress_ctx **ret)
{
	struct decompress_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return &vmt_enomem;
	*ret = ctx;
	return NULL;
}

void decompress_ctx_destroy(struct decompress_ctx *ctx)
{
	if (!ctx)
		return;
	zlib_ctx_free(ctx);
	free(ctx);
}

static struct vmt_error *missing(enum compression c)
{
	const struct decompressor *d = decompressors[c];

	return vmt_error_format(VMT_ERROR_UNSUPPORTED,
				"page compressed with %s, but vmtool was built without %s",
				c == COMPRESSION_LZO ? "LZO" : d->name,
				d->library);
}

struct vmt_error *decompress_with(struct decompress_ctx *ctx,
				  enum compression c, const void *in,
				  size_t in_len, void *out, size_t out_len)
{
	size_t produced;

	if ((unsigned int)c < COMPRESSION_COUNT && decompressors[c]->prefix &&
	    c != COMPRESSION_LZO)
		return decompressors[c]->prefix(ctx, in, in_len, out, out_len,
						out_len, &produced);
	return decompress(c, in, in_len, out, out_len);
}

struct vmt_error *decompress_prefix(struct decompress_ctx *ctx,
				    enum compression c, const void *in,
				    size_t in_len, void *out, size_t out_len,
				    size_t want, size_t *produced_ret)
{
	struct vmt_error *err;

	if ((unsigned int)c >= COMPRESSION_COUNT)
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"unknown compression %d", (int)c);
	if (want > out_len)
		want = out_len;
	if (decompressors[c]->prefix)
		return decompressors[c]->prefix(ctx, in, in_len, out, out_len,
						want, produced_ret);
	if (!decompressors[c]->decompress)
		return missing(c);
	err = decompressors[c]->decompress(in, in_len, out, out_len);
	if (!err)
		*produced_ret = out_len;
	return err;
}
