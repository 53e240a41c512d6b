// libsnappy's C binding (snappy-c.h), reached through a table so that the
// library can be loaded on first use rather than at start-up.
#ifndef VMTOOL_DECOMPRESS_SNAPPY_LIB_H
#define VMTOOL_DECOMPRESS_SNAPPY_LIB_H

#include <stddef.h>

#include "base/error.h"

#ifdef HAVE_SNAPPY
#include <snappy-c.h>

struct snappy_lib {
	snappy_status (*compress)(const char *input, size_t input_length,
				  char *compressed, size_t *compressed_length);
	snappy_status (*uncompress)(const char *compressed,
				    size_t compressed_length,
				    char *uncompressed,
				    size_t *uncompressed_length);
	size_t (*max_compressed_length)(size_t source_length);
	snappy_status (*uncompressed_length)(const char *compressed,
					     size_t compressed_length,
					     size_t *result);
};

/**
 * The library, loaded on the first call (thread-safe). NULL if it cannot
 * be, with *@p err (when @p err is not NULL) saying which file and why.
 */
const struct snappy_lib *snappy_lib(struct vmt_error **err);
#endif

#endif
