// zstd pages (kdump flag 0x20): one zstd frame per page.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "decompress/decompress.h"

#ifdef HAVE_ZSTD
#include <zstd.h>

static struct vmt_error *zstd_decompress(const void *in, size_t in_len,
					 void *out, size_t out_len)
{
	size_t ret = ZSTD_decompress(out, out_len, in, in_len);

	if (ZSTD_isError(ret))
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"zstd: corrupt page data (%s)",
					ZSTD_getErrorName(ret));
	if (ret != out_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"zstd: page decompressed to %zu bytes, expected %zu",
					ret, out_len);
	return NULL;
}
#endif

const struct decompressor decompressor_zstd = {
	.name = "zstd",
	.library = "libzstd",
#ifdef HAVE_ZSTD
	.decompress = zstd_decompress,
#endif
};
