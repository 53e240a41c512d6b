// LZO pages (kdump flag 0x2): makedumpfile's lzo1x_1_compress output,
// read with the bounds-checking lzo1x_decompress_safe.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "decompress/decompress.h"

#ifdef HAVE_LZO
#include <pthread.h>
#include <lzo/lzo1x.h>

static int lzo_init_result;
static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;

static void lzo_init_once(void)
{
	lzo_init_result = lzo_init();
}

static struct vmt_error *lzo_decompress(const void *in, size_t in_len,
					void *out, size_t out_len)
{
	lzo_uint dest_len = out_len;
	int ret;

	pthread_once(&lzo_once, lzo_init_once);
	if (lzo_init_result != LZO_E_OK)
		return vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"lzo: lzo_init() failed (%d)", lzo_init_result);
	ret = lzo1x_decompress_safe(in, in_len, out, &dest_len, NULL);
	if (ret != LZO_E_OK)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"lzo: corrupt page data (error %d)", ret);
	if (dest_len != out_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"lzo: page decompressed to %lu bytes, expected %zu",
					(unsigned long)dest_len, out_len);
	return NULL;
}
#endif

// A prefix with our own decoder (liblzo2 cannot stop early); whole pages
// with liblzo2 where it is built in.
static struct vmt_error *lzo_prefix(struct decompress_ctx *ctx,
				    const void *in, size_t in_len, void *out,
				    size_t out_len, size_t want,
				    size_t *produced_ret)
{
	size_t produced;

	(void)ctx;
#ifdef HAVE_LZO
	if (want >= out_len) {
		struct vmt_error *err = lzo_decompress(in, in_len, out, out_len);

		if (!err)
			*produced_ret = out_len;
		return err;
	}
#endif
	if (lzo1x_decode_prefix(in, in_len, out, out_len, want, &produced))
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"lzo: corrupt page data");
	if (want >= out_len && produced != out_len)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"lzo: page decompressed to %zu bytes, expected %zu",
					produced, out_len);
	*produced_ret = produced;
	return NULL;
}

const struct decompressor decompressor_lzo = {
	.name = "lzo",
	.library = "liblzo2",
#ifdef HAVE_LZO
	.decompress = lzo_decompress,
#endif
	.prefix = lzo_prefix,
};
