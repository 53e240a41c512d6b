// The .BTF section of a vmlinux: the same types as its DWARF (pahole
// makes it from the DWARF at build time), loaded in a few milliseconds
// where DWARF takes hundreds (a lookup DWARF does not index early reads
// all of .debug_info).
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debuginfo/debuginfo.h"

// More is not a kernel's BTF (btf.c refuses it too).
#define ELF_BTF_MAX_SIZE (256u << 20)

struct vmt_error *elf_btf_load(const char *path, struct typedb **ret)
{
	struct vmt_error *err = NULL;
	GElf_Shdr shdr = { 0 };
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	bool found = false;
	uint8_t *buf;
	Elf *elf;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return vmt_error_format(VMT_ERROR_BAD_DATA, "%s: libelf: %s",
					path, elf_errmsg(-1));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmt_error_os(errno, path, "open");
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
	buf = malloc(shdr.sh_size);
	if (!buf) {
		err = &vmt_enomem;
		goto out;
	}
	for (size_t done = 0; done < shdr.sh_size;) {
		ssize_t n = pread(fd, buf + done, shdr.sh_size - done,
				  (off_t)(shdr.sh_offset + done));

		if (n <= 0) {
			err = n < 0 ? vmt_error_os(errno, path,
						   "read .BTF at offset %#" PRIx64,
						   (uint64_t)shdr.sh_offset) :
				      vmt_error_format(VMT_ERROR_BAD_DATA,
						       "%s: .BTF runs past the end of the file",
						       path);
			free(buf);
			goto out;
		}
		done += (size_t)n;
	}
	err = btf_typedb_create_owned(buf, shdr.sh_size, ret);
	if (err)
		err = vmt_error_wrap(err, "%s: .BTF", path);
out:
	elf_end(elf);
	close(fd);
	return err;
}
