// ELF .symtab of a vmlinux through libelf, relocated by the KASLR offset,
// and the vmlinux's GNU build-id.
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/input_file.h"
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

// The nm letter of a symbol in each section, computed once per section
// (a vmlinux has ~40 sections and ~10^5 symbols).
static char *section_letters(Elf *elf, size_t *nr_ret)
{
	size_t nr;
	char *letters;

	if (elf_getshdrnum(elf, &nr) || !nr)
		return NULL;
	letters = malloc(nr);
	if (!letters)
		return NULL;
	for (size_t i = 0; i < nr; i++) {
		GElf_Sym sym = { .st_shndx = (Elf64_Section)i,
				 .st_info = GELF_ST_INFO(STB_LOCAL, STT_NOTYPE) };

		letters[i] = i < SHN_LORESERVE ? nm_letter(&sym, elf) : '?';
	}
	*nr_ret = nr;
	return letters;
}

// nm_letter() with the section's letter from @p letters.
static char letter_of(const GElf_Sym *sym, Elf *elf, const char *letters,
		      size_t nr)
{
	unsigned bind = GELF_ST_BIND(sym->st_info);
	unsigned type = GELF_ST_TYPE(sym->st_info);
	char c;

	if (!letters || sym->st_shndx == SHN_ABS ||
	    sym->st_shndx == SHN_COMMON || sym->st_shndx >= nr)
		return nm_letter(sym, elf);
	c = letters[sym->st_shndx];
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
	struct vmt_error *err = NULL;
	size_t nr_letters = 0;
	char *letters = section_letters(elf, &nr_letters);

	while (!err && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data, *strdata;
		Elf_Scn *strscn;
		const char *strings;
		size_t n;

		if (!gelf_getshdr(scn, &shdr)) {
			err = elf_err(path, "section header");
			break;
		}
		if (shdr.sh_type != SHT_SYMTAB)
			continue;
		found = true;
		data = elf_getdata(scn, NULL);
		strscn = elf_getscn(elf, shdr.sh_link);
		strdata = strscn ? elf_getdata(strscn, NULL) : NULL;
		if (!data || !shdr.sh_entsize || !strdata || !strdata->d_size ||
		    ((const char *)strdata->d_buf)[strdata->d_size - 1]) {
			err = elf_err(path, ".symtab data");
			break;
		}
		// The names stay where they are, in one copy of the string
		// table: no allocation per symbol.
		strings = symtab_store(tab, strdata->d_buf, strdata->d_size);
		if (!strings) {
			err = &vmt_enomem;
			break;
		}
		n = shdr.sh_size / shdr.sh_entsize;
		for (size_t i = 1; i < n; i++) {
			GElf_Sym sym;
			unsigned type;
			uint64_t addr;

			if (!gelf_getsym(data, (int)i, &sym)) {
				err = elf_err(path, ".symtab entry");
				break;
			}
			type = GELF_ST_TYPE(sym.st_info);
			if (type == STT_SECTION || type == STT_FILE ||
			    sym.st_shndx == SHN_UNDEF)
				continue;
			// "$x", "$d" (and "$x.n") are AArch64 mapping
			// symbols (AAELF64): they mark code and data, they
			// do not name anything, and would shadow the
			// function at the same address.
			if (sym.st_name >= strdata->d_size ||
			    !strings[sym.st_name] ||
			    strings[sym.st_name] == '$')
				continue;
			// Absolute symbols are values, not addresses: KASLR
			// does not move them.
			addr = sym.st_value;
			if (sym.st_shndx != SHN_ABS)
				addr += kaslr_offset;
			err = symtab_add_stored(tab, strings + sym.st_name, addr,
						sym.st_size,
						letter_of(&sym, elf, letters,
							  nr_letters));
			if (err)
				break;
		}
	}
	free(letters);
	if (!err && !found)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%s: no .symtab (stripped?)", path);
	return err;
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
	err = input_file_open(path, "a vmlinux", false, &fd, NULL);
	if (err)
		return err;
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
