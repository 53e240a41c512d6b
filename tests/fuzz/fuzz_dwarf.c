// DWARF through libdw: an ELF file with .debug_info (a small vmlinux),
// indexed CU by CU and converted on lookup (members, bitfields, arrays,
// declarations resolved to definitions, self-references).
#include "fuzz_types.h"
#include "debuginfo/debuginfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct typedb *db = NULL;
	struct vmt_error *err;

	if (size < 4 || memcmp(data, "\177ELF", 4))
		return 0;
	err = dwarf_typedb_create_mem(data, size, "vmlinux", &db);
	if (err) {
		fuzz_check_error(err);
		return 0;
	}
	fuzz_exercise_types(db);
	typedb_destroy(db);
	return 0;
}
