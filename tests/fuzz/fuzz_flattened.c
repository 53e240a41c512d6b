// makedumpfile's flattened stream: the 4096-byte header, the record index
// (overlaps, holes, order), and the kdump file it reassembles.
#include "fuzz_dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 16 || memcmp(data, "makedumpfile", 12))
		return 0;
	fuzz_open_parts(&data, &size, 1);
	return 0;
}
