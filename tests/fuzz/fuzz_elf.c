// ELF vmcores: ELF header, program headers (PT_LOAD overlap and
// truncation, PN_XNUM), PT_NOTE areas (VMCOREINFO, NT_PRSTATUS), then
// reads through the extents.
#include "fuzz_dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// Only ELF: other formats have their own targets.
	if (size < 4 || memcmp(data, "\177ELF", 4))
		return 0;
	fuzz_open_parts(&data, &size, 1);
	return 0;
}
