// kdump-compressed files: disk_dump_header, kdump_sub_header (VMCOREINFO,
// notes, split fields), both bitmaps, page descriptors and page data in
// every compression.
#include "fuzz_dump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8 || (memcmp(data, "KDUMP   ", 8) &&
			 memcmp(data, "DISKDUMP", 8)))
		return 0;
	fuzz_open_parts(&data, &size, 1);
	return 0;
}
