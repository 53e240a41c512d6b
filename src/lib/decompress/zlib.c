// zlib pages (kdump flag 0x1): makedumpfile and QEMU use compress2(), so
// each page is one zlib stream.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <limits.h>
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

const struct decompressor decompressor_zlib = {
	.name = "zlib",
	.library = "zlib",
	.decompress = zlib_decompress,
};
