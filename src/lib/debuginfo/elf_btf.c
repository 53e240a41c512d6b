// The .BTF section of a vmlinux: the same types as its DWARF (pahole
// makes it from the DWARF at build time), loaded in a few milliseconds
// where DWARF takes hundreds (a lookup DWARF does not index early reads
// all of .debug_info).
#include <errno.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/input_file.h"
#include "debuginfo/debuginfo.h"

// More is not a kernel's BTF (btf.c refuses it too).
#define ELF_BTF_MAX_SIZE (256u << 20)

#ifdef MAP_POPULATE
#define MAP_POPULATE_IF_ANY MAP_POPULATE
#else
#define MAP_POPULATE_IF_ANY 0
#endif

struct vmt_error *elf_btf_load(const char *path, struct typedb **ret)
{
	struct vmt_error *err = NULL;
	GElf_Shdr shdr = { 0 };
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	bool found = false;
	size_t delta, map_len;
	struct stat st;
	void *map;
	Elf *elf;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return vmt_error_format(VMT_ERROR_BAD_DATA, "%s: libelf: %s",
					path, elf_errmsg(-1));
	err = input_file_open(path, "a vmlinux", false, &fd, &st);
	if (err)
		return err;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF ||
	    elf_getshdrstrndx(elf, &shstrndx)) {
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "%s: not an ELF file: %s", path,
				       elf_errmsg(-1));
		goto out;
	}
	while (!found && (scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		found = name && !strcmp(name, ".BTF") &&
			shdr.sh_type == SHT_PROGBITS;
	}
	if (!found) {
		err = vmt_error_format(VMT_ERROR_NOT_FOUND,
				       "%s: no .BTF section", path);
		goto out;
	}
	if (!shdr.sh_size || shdr.sh_size > ELF_BTF_MAX_SIZE) {
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "%s: .BTF section of %" PRIu64 " bytes",
				       path, (uint64_t)shdr.sh_size);
		goto out;
	}
	if (shdr.sh_offset > (uint64_t)st.st_size ||
	    (uint64_t)st.st_size - shdr.sh_offset < shdr.sh_size) {
		err = vmt_error_format(VMT_ERROR_BAD_DATA,
				       "%s: .BTF at offset %#" PRIx64 " (%" PRIu64
				       " bytes) runs past the end of the file (%" PRIu64
				       " bytes)",
				       path, (uint64_t)shdr.sh_offset,
				       (uint64_t)shdr.sh_size, (uint64_t)st.st_size);
		goto out;
	}
	// Used in place, mapped with its pages populated at once: read into
	// new memory it cost ~330 page faults (k612's vmlinux), a third of
	// what -k adds to a command. The size was checked against the file's
	// just above; a file cut short while vmtool runs is not defended.
	delta = (size_t)(shdr.sh_offset % (uint64_t)sysconf(_SC_PAGESIZE));
	map_len = delta + (size_t)shdr.sh_size;
	map = mmap(NULL, map_len, PROT_READ, MAP_PRIVATE | MAP_POPULATE_IF_ANY,
		   fd, (off_t)(shdr.sh_offset - delta));
	if (map == MAP_FAILED) {
		err = vmt_error_os(errno, path, "mmap .BTF at offset %#" PRIx64,
				   (uint64_t)shdr.sh_offset);
		goto out;
	}
	err = btf_typedb_create_mapped(map, map_len, (char *)map + delta,
				       (size_t)shdr.sh_size, ret);
	if (err)
		err = vmt_error_wrap(err, "%s: .BTF", path);
out:
	elf_end(elf);
	close(fd);
	return err;
}
