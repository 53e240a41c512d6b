// snappy pages (kdump flag 0x4), through snappy's C binding (loaded on
// first use: snappy_lib.c).
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "decompress/decompress.h"

#ifdef HAVE_SNAPPY
#include "decompress/snappy_lib.h"

static struct vmt_error *snappy_decompress(const void *in, size_t in_len,
					   void *out, size_t out_len)
{
	struct vmt_error *err = NULL;
	const struct snappy_lib *lib = snappy_lib(&err);
	size_t dest_len;

	if (!lib)
		return err;
	// Check the stored length first: snappy_uncompress() fails without
	// saying why when the output buffer is too small.
	if (lib->uncompressed_length(in, in_len, &dest_len) != SNAPPY_OK)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"snappy: corrupt page data (bad length header)");
	if (dest_len != out_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"snappy: page decompresses to %zu bytes, expected %zu",
					dest_len, out_len);
	if (lib->uncompress(in, in_len, out, &dest_len) != SNAPPY_OK ||
	    dest_len != out_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"snappy: corrupt page data");
	return NULL;
}
#endif

const struct decompressor decompressor_snappy = {
	.name = "snappy",
	.library = "libsnappy",
#ifdef HAVE_SNAPPY
	.decompress = snappy_decompress,
#endif
};
