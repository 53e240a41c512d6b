// ELF note areas (PT_NOTE of an ELF vmcore, offset_note of a kdump file):
// VMCOREINFO and NT_PRSTATUS; other notes (QEMU's own) are skipped.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "dump/dump.h"

#define NT_PRSTATUS_TYPE 1
#define EM_AARCH64_VALUE 183

// aarch64 struct elf_prstatus (include/uapi/linux/elfcore.h with
// arch/arm64 ELF_NGREG = 34): pr_pid at 32, pr_reg (x0..x30, sp, pc,
// pstate) at 112, then pr_fpvalid.
#define PRSTATUS_PID_OFF 32
#define PRSTATUS_REG_OFF 112
#define PRSTATUS_NREGS 34
#define PRSTATUS_MIN_SIZE (PRSTATUS_REG_OFF + PRSTATUS_NREGS * 8)
// arm64's CONFIG_NR_CPUS is at most 4096 (arch/arm64/Kconfig): one
// NT_PRSTATUS per CPU.
#define MAX_CPU_NOTES 4096

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static struct vmt_error *add_prstatus(struct dump *dump, const unsigned char *desc,
				      bool be)
{
	struct vmt_cpu_regs *cpus, *c;
	const unsigned char *reg = desc + PRSTATUS_REG_OFF;

	if (dump->nr_cpus >= MAX_CPU_NOTES)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"more than %d NT_PRSTATUS notes (arm64 has at most %d CPUs)",
					MAX_CPU_NOTES, MAX_CPU_NOTES);
	// Grown by doubling (powers of two): linear in the notes.
	if (!(dump->nr_cpus & (dump->nr_cpus - 1))) {
		size_t cap = dump->nr_cpus ? 2 * dump->nr_cpus : 1;

		cpus = realloc(dump->cpus, cap * sizeof(*cpus));
		if (!cpus)
			return &vmt_enomem;
		dump->cpus = cpus;
	}
	c = &dump->cpus[dump->nr_cpus++];
	memset(c, 0, sizeof(*c));
	c->pid = load32(desc + PRSTATUS_PID_OFF, be);
	for (int i = 0; i < 31; i++)
		c->x[i] = load64(reg + 8 * i, be);
	c->sp = load64(reg + 8 * 31, be);
	c->pc = load64(reg + 8 * 32, be);
	c->pstate = load64(reg + 8 * 33, be);
	return NULL;
}

struct vmt_error *dump_parse_notes(struct dump *dump, const void *notes,
				   size_t len, bool big_endian)
{
	const unsigned char *p = notes;
	size_t off = 0;
	unsigned char *all;

	// Keep the areas whole: `save` carries them into what it writes.
	all = realloc(dump->notes, dump->notes_len + len + 1);
	if (!all)
		return &vmt_enomem;
	memcpy(all + dump->notes_len, notes, len);
	dump->notes = all;
	dump->notes_len += len;

	while (len - off >= 12) {
		uint32_t namesz = load32(p + off, big_endian);
		uint32_t descsz = load32(p + off + 4, big_endian);
		uint32_t type = load32(p + off + 8, big_endian);
		size_t name_off = off + 12, desc_off, name_len;
		const char *name = (const char *)p + name_off;
		struct vmt_error *err;

		// Note areas may be padded with zeros at the end.
		if (!namesz && !descsz && !type)
			break;
		if (namesz > len - name_off ||
		    align4(namesz) > len - name_off ||
		    descsz > len - name_off - align4(namesz))
			return vmt_error_format(VMT_ERROR_BAD_DATA,
						"ELF note at offset %#zx of the note area: name of %u and data of %u bytes run past its end (%zu bytes)",
						off, namesz, descsz, len);
		desc_off = name_off + align4(namesz);
		name_len = strnlen(name, namesz);

		if (name_len == 10 && !memcmp(name, "VMCOREINFO", 10)) {
			if (descsz > DUMP_MAX_VMCOREINFO_SIZE)
				return vmt_error_format(
					VMT_ERROR_BAD_DATA,
					"VMCOREINFO note at offset %#zx of the note area has %u bytes (more than %u: not VMCOREINFO)",
					off, descsz, DUMP_MAX_VMCOREINFO_SIZE);
			// The first copy wins: a kdump sub-header's VMCOREINFO
			// is read before its notes.
			if (!dump->vmcoreinfo) {
				dump->vmcoreinfo = malloc(descsz ? descsz : 1);
				if (!dump->vmcoreinfo)
					return &vmt_enomem;
				memcpy(dump->vmcoreinfo, p + desc_off, descsz);
				dump->vmcoreinfo_len = descsz;
				dump->vmcoreinfo_origin = "ELF note";
				dump->vmcoreinfo_offset = desc_off;
			}
		} else if (name_len == 4 && !memcmp(name, "CORE", 4) &&
			   type == NT_PRSTATUS_TYPE &&
			   (dump->machine == EM_AARCH64_VALUE || !dump->machine)) {
			if (descsz < PRSTATUS_MIN_SIZE)
				return vmt_error_format(VMT_ERROR_BAD_DATA,
							"NT_PRSTATUS note at offset %#zx of the note area has %u bytes, expected at least %d for aarch64",
							off, descsz, PRSTATUS_MIN_SIZE);
			err = add_prstatus(dump, p + desc_off, big_endian);
			if (err)
				return err;
		}
		// The last note's data need not be padded.
		off = desc_off + descsz;
		off = align4(off) <= len ? align4(off) : len;
	}
	return NULL;
}
