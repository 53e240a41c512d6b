// What every fuzz target shares: the libFuzzer entry point's prototype, a
// reader that takes typed values off the front of an input, and the
// replay hook for `make check` in a fuzzing build.
//
// A target is one file, tests/fuzz/fuzz_NAME.c, that includes this header
// and defines LLVMFuzzerTestOneInput(); its corpus is tests/fuzz/corpus/
// fuzz_NAME/. Without --enable-fuzzing, replay.c supplies main() and runs
// the corpus; with it, libFuzzer does.
#ifndef VMT_FUZZ_H
#define VMT_FUZZ_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// Inputs are consumed front to back; once they run out, every read gives
// zeros, so a short input is still a valid (if dull) case.
struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	uint8_t v = 0;

	if (in->size) {
		v = in->data[0];
		in->data++;
		in->size--;
	}
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)fuzz_u8(in) << (8 * i);
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_input *in)
{
	return (uint64_t)fuzz_u32(in) | (uint64_t)fuzz_u32(in) << 32;
}

// Take @p n bytes (fewer if the input ends); returns where they start.
static inline const uint8_t *fuzz_bytes(struct fuzz_input *in, size_t n,
					size_t *got)
{
	const uint8_t *p = in->data;

	if (n > in->size)
		n = in->size;
	in->data += n;
	in->size -= n;
	*got = n;
	return p;
}

// A target checks a property of the code under test with this: a
// violation aborts, which both libFuzzer and the replay driver report.
#define FUZZ_ASSERT(cond)                                                     \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: fuzz property violated: %s\n", \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

// Every error a library call returns must say something.
static inline void fuzz_check_error(struct vmt_error *err)
{
	if (!err)
		return;
	FUZZ_ASSERT(err->message && err->message[0]);
	vmt_error_destroy(err);
}

// Kernel memory made of the fuzz input: @p size bytes mapped at @p base;
// a read outside them is a fault of kind @p fault.
struct fuzz_image {
	const uint8_t *data;
	size_t size;
	uint64_t base;
	enum vmt_fault_kind fault;
};

static inline struct vmt_error *fuzz_read_image(void *arg, uint64_t vaddr,
						void *buf, size_t len)
{
	const struct fuzz_image *im = arg;

	if (vaddr < im->base || vaddr - im->base > im->size ||
	    len > im->size - (vaddr - im->base))
		return vmt_error_fault(im->fault, vaddr, "%#" PRIx64 " %s", vaddr,
				       im->fault == VMT_FAULT_EXCLUDED ?
					       "excluded" : "not in dump");
	memcpy(buf, im->data + (vaddr - im->base), len);
	return NULL;
}

#ifdef VMT_FUZZING
int LLVMFuzzerInitialize(int *argc, char ***argv);

// `make check` runs each target with no arguments and VMTOOL_SRCDIR set:
// then libFuzzer only runs the target's corpus (-runs=0), as replay.c
// does in a build without libFuzzer.
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char *args[4];
	static char corpus[4096];
	const char *srcdir = getenv("VMTOOL_SRCDIR");
	const char *name;

	if (*argc != 1 || !srcdir || !*srcdir)
		return 0;
	name = strrchr((*argv)[0], '/');
	name = name ? name + 1 : (*argv)[0];
	if (!strncmp(name, "lt-", 3))
		name += 3;
	snprintf(corpus, sizeof(corpus), "%s/tests/fuzz/corpus/%s", srcdir,
		 name);
	args[0] = (*argv)[0];
	args[1] = (char *)"-runs=0";
	args[2] = corpus;
	args[3] = NULL;
	*argc = 3;
	*argv = args;
	return 0;
}
#endif

#endif
