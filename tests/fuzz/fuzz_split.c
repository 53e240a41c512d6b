// Split sets (makedumpfile --split): several kdump files given together,
// checked for being one set and for covering every PFN once.
//
// Input: one byte N (2 + N % 3 parts), N little-endian u32 sizes, then the
// parts back to back (the last takes what is left).
#include "fuzz_dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	const uint8_t *parts[4];
	size_t sizes[4], nr = 2 + fuzz_u8(&in) % 3, len[4];

	for (size_t i = 0; i < nr; i++)
		len[i] = fuzz_u32(&in);
	for (size_t i = 0; i < nr; i++)
		parts[i] = fuzz_bytes(&in, i == nr - 1 ? in.size : len[i],
				      &sizes[i]);
	fuzz_open_parts(parts, sizes, nr);
	return 0;
}
