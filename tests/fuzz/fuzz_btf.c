// BTF: the header, string and type sections, every record kind, the
// checks made at load, and types converted lazily on lookup (members,
// bitfields, enums, arrays, reference chains). A second mode finds the
// blob in memory by scanning, as for a dump without __start_BTF.
#include <inttypes.h>

#include "fuzz_types.h"
#include "debuginfo/debuginfo.h"

#define BASE UINT64_C(0xffff800080000000)

struct image {
	const uint8_t *data;
	size_t size;
};

static struct vmt_error *read_image(void *arg, uint64_t vaddr, void *buf,
				    size_t len)
{
	const struct image *im = arg;

	if (vaddr < BASE || vaddr - BASE > im->size ||
	    len > im->size - (vaddr - BASE))
		return vmt_error_fault(VMT_FAULT_NOT_IN_DUMP, vaddr,
				       "%#" PRIx64 " not in dump", vaddr);
	memcpy(buf, im->data + (vaddr - BASE), len);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct typedb *db = NULL;
	struct vmt_error *err;
	void *blob = NULL;
	size_t blob_size;
	char how[160];

	if (size && data[0] == 'S') {
		// The blob sits somewhere after the first byte of memory.
		struct image im = { data, size };

		err = btf_find_in_memory(read_image, &im, NULL, BASE + 1,
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
