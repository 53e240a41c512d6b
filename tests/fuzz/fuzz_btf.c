// BTF: the header, string and type sections, every record kind, the
// checks made at load, and types converted lazily on lookup (members,
// bitfields, enums, arrays, reference chains). A second mode finds the
// blob in memory by scanning, as for a dump without __start_BTF.
#include <inttypes.h>

#include "fuzz_types.h"
#include "debuginfo/debuginfo.h"

#define BASE UINT64_C(0xffff800080000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct typedb *db = NULL;
	struct vmt_error *err;
	void *blob = NULL;
	size_t blob_size;
	char how[160];

	if (size && data[0] == 'S') {
		// The blob sits somewhere after the first byte of memory.
		struct fuzz_image im = { data, size, BASE,
					 VMT_FAULT_NOT_IN_DUMP };

		err = btf_find_in_memory(fuzz_read_image, &im, NULL, BASE + 1,
					 BASE + size, &blob, &blob_size, how,
					 sizeof(how));
		if (err) {
			fuzz_check_error(err);
			return 0;
		}
		FUZZ_ASSERT(blob_size <= size);
		err = btf_typedb_create(blob, blob_size, &db);
		free(blob);
	} else {
		err = btf_typedb_create(data, size, &db);
	}
	if (err) {
		fuzz_check_error(err);
		return 0;
	}
	fuzz_exercise_types(db);
	typedb_destroy(db);
	return 0;
}
