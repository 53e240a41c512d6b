// Page compressors for kdump-compressed output, with the settings
// makedumpfile uses (zlib at Z_BEST_SPEED, lzo1x_1, snappy, zstd level
// 1). Each thread has its own state, and a page's output depends only on
// the page, so the file does not depend on the number of threads.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#ifdef HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "decompress/snappy_lib.h"
#include "dump/kdump_format.h"
#include "dump/writer/writer.h"

struct compressor {
	enum compression c;
	size_t page_size;
	size_t cap;
	z_stream z;
	bool z_ready;
	void *lzo_wrkmem;
#ifdef HAVE_SNAPPY
	const struct snappy_lib *snappy;
#endif
#ifdef HAVE_ZSTD
	ZSTD_CCtx *zstd;
#endif
};

#ifdef HAVE_LZO
static int lzo_init_result;
static pthread_once_t lzo_once = PTHREAD_ONCE_INIT;

static void lzo_init_once(void)
{
	lzo_init_result = lzo_init();
}
#endif

uint32_t compression_kdump_flag(enum compression c)
{
	switch (c) {
	case COMPRESSION_ZLIB:
		return KDUMP_COMPRESSED_ZLIB;
	case COMPRESSION_LZO:
		return KDUMP_COMPRESSED_LZO;
	case COMPRESSION_SNAPPY:
		return KDUMP_COMPRESSED_SNAPPY;
	case COMPRESSION_ZSTD:
		return KDUMP_COMPRESSED_ZSTD;
	default:
		return 0;
	}
}

size_t compressor_bound(enum compression c, size_t page_size)
{
	size_t n = page_size;

	switch (c) {
	case COMPRESSION_ZLIB:
		n = compressBound((uLong)page_size);
		break;
	case COMPRESSION_LZO:
		// lzo1x worst case (its documentation).
		n = page_size + page_size / 16 + 64 + 3;
		break;
	case COMPRESSION_SNAPPY:
#ifdef HAVE_SNAPPY
	{
		// Not loaded: compressor_create() fails and says why.
		const struct snappy_lib *lib = snappy_lib(NULL);

		if (lib)
			n = lib->max_compressed_length(page_size);
	}
#endif
		break;
	case COMPRESSION_ZSTD:
#ifdef HAVE_ZSTD
		n = ZSTD_compressBound(page_size);
#endif
		break;
	default:
		break;
	}
	return n > page_size ? n : page_size;
}

static __attribute__((unused)) struct vmt_error *missing(enum compression c)
{
	return vmt_error_format(VMT_ERROR_UNSUPPORTED,
				"vmtool was built without %s: cannot write %s pages",
				compression_name(c), compression_name(c));
}

struct vmt_error *compressor_create(enum compression c, size_t page_size,
				    struct compressor **ret)
{
	struct compressor *cp = calloc(1, sizeof(*cp));

	if (!cp)
		return &vmt_enomem;
	cp->c = c;
	cp->page_size = page_size;
	cp->cap = compressor_bound(c, page_size);
	switch (c) {
	case COMPRESSION_NONE:
		break;
	case COMPRESSION_ZLIB:
		if (deflateInit(&cp->z, Z_BEST_SPEED) != Z_OK) {
			free(cp);
			return vmt_error_format(VMT_ERROR_NO_MEMORY,
						"zlib: deflateInit failed");
		}
		cp->z_ready = true;
		break;
	case COMPRESSION_LZO:
#ifdef HAVE_LZO
		pthread_once(&lzo_once, lzo_init_once);
		if (lzo_init_result != LZO_E_OK) {
			free(cp);
			return vmt_error_format(VMT_ERROR_UNSUPPORTED,
						"lzo: lzo_init() failed (%d)",
						lzo_init_result);
		}
		cp->lzo_wrkmem = malloc(LZO1X_1_MEM_COMPRESS);
		if (!cp->lzo_wrkmem) {
			free(cp);
			return &vmt_enomem;
		}
		break;
#else
		free(cp);
		return missing(c);
#endif
	case COMPRESSION_SNAPPY:
#ifdef HAVE_SNAPPY
	{
		struct vmt_error *err = NULL;

		cp->snappy = snappy_lib(&err);
		if (!cp->snappy) {
			free(cp);
			return err;
		}
		break;
	}
#else
		free(cp);
		return missing(c);
#endif
	case COMPRESSION_ZSTD:
#ifdef HAVE_ZSTD
		cp->zstd = ZSTD_createCCtx();
		if (!cp->zstd) {
			free(cp);
			return &vmt_enomem;
		}
		break;
#else
		free(cp);
		return missing(c);
#endif
	default:
		free(cp);
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"unknown compression %d", (int)c);
	}
	*ret = cp;
	return NULL;
}

void compressor_destroy(struct compressor *cp)
{
	if (!cp)
		return;
	if (cp->z_ready)
		deflateEnd(&cp->z);
	free(cp->lzo_wrkmem);
#ifdef HAVE_ZSTD
	ZSTD_freeCCtx(cp->zstd);
#endif
	free(cp);
}

static struct vmt_error *zlib_page(struct compressor *cp, const void *page,
				   void *out, size_t *len_ret)
{
	int rc;

	// The same zlib stream as compress2(): level 1, default window and
	// memory, one deflate to the end.
	if (deflateReset(&cp->z) != Z_OK)
		return vmt_error_format(VMT_ERROR_BAD_DATA, "zlib: deflateReset failed");
	cp->z.next_in = (Bytef *)(uintptr_t)page;
	cp->z.avail_in = (uInt)cp->page_size;
	cp->z.next_out = out;
	cp->z.avail_out = (uInt)cp->cap;
	rc = deflate(&cp->z, Z_FINISH);
	if (rc != Z_STREAM_END)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"zlib: deflate failed (%d)", rc);
	*len_ret = cp->z.total_out;
	return NULL;
}

struct vmt_error *compressor_page(struct compressor *cp, const void *page,
				  void *out, size_t *len_ret)
{
	struct vmt_error *err = NULL;
	size_t n = 0;

	switch (cp->c) {
	case COMPRESSION_ZLIB:
		err = zlib_page(cp, page, out, &n);
		break;
	case COMPRESSION_LZO:
#ifdef HAVE_LZO
	{
		lzo_uint dst = cp->cap;
		int rc = lzo1x_1_compress(page, cp->page_size, out, &dst,
					  cp->lzo_wrkmem);

		if (rc != LZO_E_OK)
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "lzo: lzo1x_1_compress failed (%d)", rc);
		n = dst;
	}
#endif
		break;
	case COMPRESSION_SNAPPY:
#ifdef HAVE_SNAPPY
	{
		size_t dst = cp->cap;

		if (cp->snappy->compress(page, cp->page_size, out, &dst) !=
		    SNAPPY_OK)
			err = vmt_error_format(VMT_ERROR_BAD_DATA,
					       "snappy: snappy_compress failed");
		n = dst;
	}
#endif
		break;
	case COMPRESSION_ZSTD:
#ifdef HAVE_ZSTD
		n = ZSTD_compressCCtx(cp->zstd, out, cp->cap, page,
				      cp->page_size, 1);
		if (ZSTD_isError(n))
			err = vmt_error_format(VMT_ERROR_BAD_DATA, "zstd: %s",
					       ZSTD_getErrorName(n));
#endif
		break;
	default:
		break;
	}
	if (err)
		return err;
	*len_ret = n && n < cp->page_size ? n : 0;
	return NULL;
}
