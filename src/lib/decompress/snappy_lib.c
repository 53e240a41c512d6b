// libsnappy on first use. It is C++: linking it loads libstdc++ and runs
// its start-up in every command (~1.5 ms of CPU, ~60 page faults on the
// machine of bench/results/2026-12-07*), while only dumps written with
// makedumpfile -p, and `save -p`, need it.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "decompress/snappy_lib.h"

#ifdef HAVE_SNAPPY
#ifdef SNAPPY_SONAME
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct snappy_lib lib;
static char load_error[256];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void *symbol(void *handle, const char *name)
{
	void *p = dlsym(handle, name);

	if (!p && !load_error[0])
		snprintf(load_error, sizeof(load_error), "%s: no symbol %s",
			 SNAPPY_SONAME, name);
	return p;
}

static void load(void)
{
	// Never closed: the table points into it until the process ends.
	void *handle = dlopen(SNAPPY_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!handle) {
		const char *why = dlerror();

		snprintf(load_error, sizeof(load_error), "%s",
			 why ? why : SNAPPY_SONAME ": cannot be loaded");
		return;
	}
	// POSIX: a data pointer from dlsym() converts to a function pointer.
	*(void **)&lib.compress = symbol(handle, "snappy_compress");
	*(void **)&lib.uncompress = symbol(handle, "snappy_uncompress");
	*(void **)&lib.max_compressed_length =
		symbol(handle, "snappy_max_compressed_length");
	*(void **)&lib.uncompressed_length =
		symbol(handle, "snappy_uncompressed_length");
}

const struct snappy_lib *snappy_lib(struct vmt_error **err)
{
	pthread_once(&load_once, load);
	if (!load_error[0])
		return &lib;
	if (err)
		*err = vmt_error_format(VMT_ERROR_UNSUPPORTED,
					"snappy pages need libsnappy: %s",
					load_error);
	return NULL;
}
#else
static const struct snappy_lib lib = {
	.compress = snappy_compress,
	.uncompress = snappy_uncompress,
	.max_compressed_length = snappy_max_compressed_length,
	.uncompressed_length = snappy_uncompressed_length,
};

const struct snappy_lib *snappy_lib(struct vmt_error **err)
{
	(void)err;
	return &lib;
}
#endif
#endif
