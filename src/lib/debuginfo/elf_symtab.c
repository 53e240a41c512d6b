// ELF .symtab of a vmlinux through libelf, relocated by the KASLR offset,
// and the vmlinux's GNU build-id.
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "debuginfo/debuginfo.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

static struct vmt_error *elf_err(const char *path, const char *what)
{
	return vmt_error_format(VMT_ERROR_BAD_DATA, "%s: %s: %s", path, what,
				elf_errmsg(-1));
}

// The letter nm prints for a defined symbol in section @p shdr.
static char nm_letter(const GElf_Sym *sym, Elf *elf)
{
	unsigned bind = GELF_ST_BIND(sym->st_info);
	unsigned type = GELF_ST_TYPE(sym->st_info);
	GElf_Shdr shdr;
	Elf_Scn *scn;
	char c;

	if (sym->st_shndx == SHN_ABS)
		c = 'a';
	else if (sym->st_shndx == SHN_COMMON)
		return 'C';
	else if (!(scn = elf_getscn(elf, sym->st_shndx)) ||
		 !gelf_getshdr(scn, &shdr))
		c = '?';
	else if (shdr.sh_flags & SHF_EXECINSTR)
		c = 't';
	else if (shdr.sh_type == SHT_NOBITS && (shdr.sh_flags & SHF_ALLOC))
		c = 'b';
	else if ((shdr.sh_flags & SHF_ALLOC) && (shdr.sh_flags & SHF_WRITE))
		c = 'd';
	else if (shdr.sh_flags & SHF_ALLOC)
		c = 'r';
	else
		c = 'n';
	if (bind == STB_WEAK)
		return type == STT_OBJECT ? 'V' : 'W';
	if (bind == STB_GLOBAL && c != '?')
		c = (char)(c - 'a' + 'A');
	return c;
}

static struct vmt_error *read_symtab(Elf *elf, const char *path,
				     uint64_t kaslr_offset,
				     struct symtab *tab)
{
	Elf_Scn *scn = NULL;
	bool found = false;
	struct vmt_error *err;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;
		size_t n;

		if (!gelf_getshdr(scn, &shdr))
			return elf_err(path, "section header");
		if (shdr.sh_type != SHT_SYMTAB)
			continue;
		found = true;
		data = elf_getdata(scn, NULL);
		if (!data || !shdr.sh_entsize)
			return elf_err(path, ".symtab data");
		n = shdr.sh_size / shdr.sh_entsize;
		for (size_t i = 1; i < n; i++) {
			GElf_Sym sym;
			const char *name;
			unsigned type;
			uint64_t addr;

			if (!gelf_getsym(data, (int)i, &sym))
				return elf_err(path, ".symtab entry");
			type = GELF_ST_TYPE(sym.st_info);
			if (type == STT_SECTION || type == STT_FILE ||
			    sym.st_shndx == SHN_UNDEF)
				continue;
			name = elf_strptr(elf, shdr.sh_link, sym.st_name);
			// "$x", "$d" (and "$x.n") are AArch64 mapping
			// symbols (AAELF64): they mark code and data, they
			// do not name anything, and would shadow the
			// function at the same address.
			if (!name || !*name || *name == '$')
				continue;
			// Absolute symbols are values, not addresses: KASLR
			// does not move them.
			addr = sym.st_value;
			if (sym.st_shndx != SHN_ABS)
				addr += kaslr_offset;
			err = symtab_add(tab, name, addr, sym.st_size,
					 nm_letter(&sym, elf));
			if (err)
				return err;
		}
	}
	if (!found)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%s: no .symtab (stripped?)", path);
	return NULL;
}

static bool find_build_id(Elf *elf, char *buf, size_t size)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;
		GElf_Nhdr nhdr;
		size_t off = 0, name_off, desc_off, next;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		while ((next = gelf_getnote(data, off, &nhdr, &name_off,
					    &desc_off)) > 0) {
			const uint8_t *desc = (const uint8_t *)data->d_buf +
					      desc_off;

			off = next;
			if (nhdr.n_type != NT_GNU_BUILD_ID ||
			    nhdr.n_namesz != 4 ||
			    memcmp((const char *)data->d_buf + name_off, "GNU",
				   4))
				continue;
			if (size < 2 * (size_t)nhdr.n_descsz + 1)
				return false;
			for (size_t i = 0; i < nhdr.n_descsz; i++)
				snprintf(buf + 2 * i, 3, "%02x", desc[i]);
			return true;
		}
	}
	return false;
}

struct vmt_error *elf_symtab_load(const char *path, uint64_t kaslr_offset,
				  struct symtab *tab, char *build_id_ret,
				  size_t build_id_size)
{
	size_t start_nr = tab->nr;
	struct vmt_error *err;
	Elf *elf;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return elf_err(path, "libelf initialization");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmt_error_os(errno, path, "open");
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		err = elf_err(path, "not an ELF file");
		goto out;
	}
	err = read_symtab(elf, path, kaslr_offset, tab);
	if (!err)
		err = symtab_finish(tab);
	if (!err && build_id_ret && build_id_size &&
	    !find_build_id(elf, build_id_ret, build_id_size))
		build_id_ret[0] = '\0';
out:
	if (err)
		symtab_truncate(tab, start_nr);
	elf_end(elf);
	close(fd);
	return err;
}
