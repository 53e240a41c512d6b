#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debuginfo/combined.h"

struct vmt_error *debuginfo_init(struct debuginfo *di,
				 const struct vmcoreinfo *vi,
				 read_kvirt_fn *read, void *arg,
				 struct warnings *warnings,
				 enum vmt_sym_source only)
{
	struct vmt_error *err;

	memset(di, 0, sizeof(*di));
	di->vi = vi;
	di->read = read;
	di->read_arg = arg;
	di->warnings = warnings;
	di->only = only;
	symtab_init(&di->elf, "elf");
	symtab_init(&di->kallsyms, "kallsyms");
	symtab_init(&di->vmcoreinfo_syms, "vmcoreinfo");
	symtab_init(&di->derived, "derived");
	// VMCOREINFO's SYMBOL() lines are a symbol source like any other.
	// Added last line first: the table keeps the first of a name, and
	// in VMCOREINFO the last line wins.
	for (size_t i = vi->nr_entries; i-- > 0;) {
		const char *sym;
		char name[128];
		uint64_t addr;
		size_t len;

		if (!vmcoreinfo_entry_symbol(&vi->entries[i], &sym, &len,
					     &addr) ||
		    len >= sizeof(name))
			continue;
		memcpy(name, sym, len);
		name[len] = '\0';
		err = symtab_add(&di->vmcoreinfo_syms, name, addr, 0, '?');
		if (err)
			return err;
	}
	err = symtab_finish(&di->vmcoreinfo_syms);
	if (err)
		return err;
	return symtab_finish(&di->derived);
}

void debuginfo_set_map(struct debuginfo *di, map_kvirt_fn *map)
{
	di->map = map;
}

void debuginfo_deinit(struct debuginfo *di)
{
	symtab_deinit(&di->elf);
	symtab_deinit(&di->kallsyms);
	symtab_deinit(&di->vmcoreinfo_syms);
	for (size_t i = 0; i < di->derived.nr; i++)
		free(di->derived_how[i]);
	free(di->derived_how);
	symtab_deinit(&di->derived);
	for (size_t i = 0; i < di->nr_modules; i++) {
		free(di->modules[i].name);
		symtab_deinit(&di->modules[i].syms);
	}
	free(di->modules);
	typedb_destroy(di->dwarf);
	typedb_destroy(di->vmlinux_btf);
	dwarf_lines_close(di->lines);
	free(di->vmlinux_path);
	typedb_destroy(di->btf);
	vmt_error_destroy(di->kallsyms_err);
	vmt_error_destroy(di->btf_err);
	vmt_error_destroy(di->dwarf_err);
	memset(di, 0, sizeof(*di));
}

struct vmt_error *debuginfo_add_vmlinux(struct debuginfo *di,
					const char *path, uint64_t kaslr_offset,
					bool force)
{
	const char *want = vmcoreinfo_get(di->vi, "BUILD-ID");
	char build_id[128] = "";
	struct vmt_error *err;

	err = elf_symtab_load(path, kaslr_offset, &di->elf, build_id,
			      sizeof(build_id));
	if (err)
		return err;
	if (want && build_id[0] && strcasecmp(want, build_id) != 0) {
		if (!force)
			return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
				"%s: build-id %s does not match the dump's VMCOREINFO BUILD-ID %s (use --force to use it anyway)",
				path, build_id, want);
		warnings_add(di->warnings,
			     "%s: build-id %s does not match the dump's %s; used because of --force",
			     path, build_id, want);
	} else if (!want || !build_id[0]) {
		warnings_add(di->warnings,
			     "%s: cannot check that it matches the dump (no %s build-id)",
			     path, want ? "vmlinux" : "VMCOREINFO");
	} else {
		di->vmlinux_verified = true;
	}
	// DWARF is indexed on the first type lookup: symbols alone need none.
	di->vmlinux_path = strdup(path);
	if (!di->vmlinux_path)
		return &vmt_enomem;
	di->have_vmlinux = true;
	di->kaslr_offset = kaslr_offset;
	return NULL;
}

static bool allowed(const struct debuginfo *di, enum vmt_sym_source src)
{
	return di->only == VMT_SYM_SOURCE_ANY || di->only == src;
}

static void load_kallsyms(struct debuginfo *di)
{
	struct vmt_error *err;

	if (di->kallsyms_state)
		return;
	err = kallsyms_load(di->read, di->map, di->read_arg, di->vi,
			    &di->kallsyms);
	if (err) {
		warnings_add(di->warnings, "kallsyms from the dump: %s",
			     err->message);
		di->kallsyms_err = err;
		symtab_deinit(&di->kallsyms);
		symtab_init(&di->kallsyms, "kallsyms");
		symtab_finish(&di->kallsyms);
		di->kallsyms_state = -1;
		return;
	}
	di->kallsyms_state = 1;
}

static void fill_symbol(const struct symtab *tab,
			const struct symtab_entry *e, struct vmt_symbol *ret)
{
	ret->name = e->name;
	ret->address = e->address;
	ret->size = e->size;
	ret->type = e->type;
	ret->source = tab->source;
	ret->module = NULL;
}

void debuginfo_fill_symbol(const struct symtab *tab,
			   const struct symtab_entry *e,
			   struct vmt_symbol *ret)
{
	fill_symbol(tab, e, ret);
}

static struct symtab *table_ready(struct debuginfo *di, struct symtab *tab)
{
	if (tab == &di->kallsyms)
		load_kallsyms(di);
	return tab;
}

// The tables to ask, best first. kallsyms is decoded when first asked
// (see table_ready), so a name the vmlinux has needs no decoding.
static size_t symbol_tables(struct debuginfo *di, struct symtab **tabs)
{
	size_t n = 0;

	if (di->have_vmlinux && allowed(di, VMT_SYM_SOURCE_DWARF))
		tabs[n++] = &di->elf;
	// kallsyms is made from the vmlinux's symbols: with the vmlinux
	// verified, decoding it could find nothing more.
	if (allowed(di, VMT_SYM_SOURCE_KALLSYMS) &&
	    !(di->vmlinux_verified && di->only == VMT_SYM_SOURCE_ANY))
		tabs[n++] = &di->kallsyms;
	if (allowed(di, VMT_SYM_SOURCE_VMCOREINFO))
		tabs[n++] = &di->vmcoreinfo_syms;
	if (di->only == VMT_SYM_SOURCE_ANY)
		tabs[n++] = &di->derived;
	return n;
}

size_t debuginfo_symbol_tables(struct debuginfo *di, struct symtab **tabs)
{
	size_t n = symbol_tables(di, tabs);

	for (size_t i = 0; i < n; i++)
		table_ready(di, tabs[i]);
	return n;
}

struct vmt_error *debuginfo_symbol_by_name(struct debuginfo *di,
					   const char *name,
					   struct vmt_symbol *ret)
{
	struct symtab *tabs[4];
	size_t n = symbol_tables(di, tabs);

	for (size_t i = 0; i < n; i++) {
		const struct symtab_entry *e =
			symtab_lookup_name(table_ready(di, tabs[i]), name);

		if (e) {
			fill_symbol(tabs[i], e, ret);
			return NULL;
		}
	}
	// Modules come after the core kernel, as in /proc/kallsyms.
	for (size_t i = 0;
	     i < di->nr_modules && allowed(di, VMT_SYM_SOURCE_KALLSYMS); i++) {
		const struct symtab_entry *e =
			symtab_lookup_name(&di->modules[i].syms, name);

		if (e) {
			fill_symbol(&di->modules[i].syms, e, ret);
			ret->module = di->modules[i].name;
			return NULL;
		}
	}
	// A source that could not be read may be why: say so.
	if (di->kallsyms_err && allowed(di, VMT_SYM_SOURCE_KALLSYMS))
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"symbol %s not found (the dump's kallsyms could not be read: %s)",
					name, di->kallsyms_err->message);
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "symbol %s not found",
				name);
}

void debuginfo_load_more(struct debuginfo *di)
{
	if (di->load_more_state || !di->ops || !di->ops->load_more)
		return;
	di->load_more_state = 1;
	di->ops->load_more(di->ops_arg);
	di->load_more_state = 2;
}

void debuginfo_symbol_names(struct debuginfo *di, const char *prefix,
			    bool (*fn)(const char *name, void *arg),
			    void *arg)
{
	struct symtab *tabs[4];
	size_t n = symbol_tables(di, tabs), len = strlen(prefix);

	for (size_t i = 0; i < n; i++) {
		const struct symtab *tab = table_ready(di, tabs[i]);

		for (size_t k = 0; k < tab->nr; k++) {
			// kallsyms names are decoded here, one by one.
			const char *name = symtab_entry_name(tab, k);

			if (name && !strncmp(name, prefix, len) &&
			    !fn(name, arg))
				return;
		}
	}
}

struct vmt_error *debuginfo_symbol_by_name_all(struct debuginfo *di,
					       const char *name,
					       struct vmt_symbol *ret)
{
	struct vmt_error *err = debuginfo_symbol_by_name(di, name, ret);

	if (!err || err->code != VMT_ERROR_NOT_FOUND || di->load_more_state)
		return err;
	vmt_error_destroy(err);
	debuginfo_load_more(di);
	return debuginfo_symbol_by_name(di, name, ret);
}

void debuginfo_add_derived(struct debuginfo *di, const char *name,
			   uint64_t addr, const char *how)
{
	debuginfo_add_derived_sized(di, name, addr, 0, how);
}

void debuginfo_add_derived_sized(struct debuginfo *di, const char *name,
				 uint64_t addr, uint64_t size,
				 const char *how)
{
	char **hows = realloc(di->derived_how,
			      (di->derived.nr + 1) * sizeof(*hows));
	struct vmt_error *err;

	if (!hows)
		return;
	di->derived_how = hows;
	hows[di->derived.nr] = strdup(how);
	err = symtab_add(&di->derived, name, addr, size, '?');
	if (!err)
		err = symtab_finish(&di->derived);
	if (err) {
		free(hows[di->derived.nr]);
		vmt_error_destroy(err);
		return;
	}
	warnings_add(di->warnings, "%s at %#" PRIx64 ": %s", name, addr, how);
}

const char *debuginfo_derived_how(struct debuginfo *di, const char *name)
{
	for (size_t i = 0; i < di->derived.nr; i++)
		if (!strcmp(di->derived.entries[i].name, name))
			return di->derived_how[i] ? di->derived_how[i] : "";
	return "";
}

static void load_btf(struct debuginfo *di)
{
	struct vmt_error *err;
	if (di->btf_state)
		return;
	const struct symtab_entry *etext;
	uint64_t scan_start = di->kimage_start;

	load_kallsyms(di);
	// BTF sits in the read-only data after the text: start a scan there.
	etext = symtab_lookup_name(&di->kallsyms, "_etext");
	if (etext && etext->address > scan_start &&
	    etext->address - scan_start < (64 << 20))
		scan_start = etext->address;
	err = btf_load_from_memory(di->read, di->map, di->read_arg,
				   &di->kallsyms,
				   scan_start, scan_start + (64 << 20), &di->btf,
				   di->btf_how, sizeof(di->btf_how));
	if (err) {
		warnings_add(di->warnings, "BTF from the dump: %s",
			     err->message);
		di->btf_err = err;
		di->btf_state = -1;
		return;
	}
	di->btf_state = 1;
}

static void load_dwarf(struct debuginfo *di)
{
	struct vmt_error *err;

	if (di->dwarf_state)
		return;
	err = dwarf_typedb_create(di->vmlinux_path, &di->dwarf);
	if (err) {
		warnings_add(di->warnings, "DWARF of %s: %s", di->vmlinux_path,
			     err->message);
		di->dwarf_err = err;
		di->dwarf_state = -1;
		return;
	}
	di->dwarf_state = 1;
}

// The vmlinux's .BTF: pahole made it from the same DWARF, and it loads
// in milliseconds where a DWARF lookup can read all of .debug_info.
static void load_vmlinux_btf(struct debuginfo *di)
{
	struct vmt_error *err;

	if (di->vmlinux_btf_state)
		return;
	err = elf_btf_load(di->vmlinux_path, &di->vmlinux_btf);
	if (err) {
		if (err->code != VMT_ERROR_NOT_FOUND)
			warnings_add(di->warnings, "%s", err->message);
		vmt_error_destroy(err);
		di->vmlinux_btf_state = -1;
		return;
	}
	snprintf(di->btf_how, sizeof(di->btf_how),
		 "the .BTF section of the vmlinux (its DWARF with --sym-source dwarf)");
	di->vmlinux_btf_state = 1;
}

// The vmlinux's .BTF where it stands for its DWARF (not with --sym-source
// dwarf), or NULL.
static struct typedb *vmlinux_btf(struct debuginfo *di)
{
	if (!di->have_vmlinux || !allowed(di, VMT_SYM_SOURCE_DWARF) ||
	    di->only == VMT_SYM_SOURCE_DWARF)
		return NULL;
	load_vmlinux_btf(di);
	return di->vmlinux_btf;
}

static struct typedb *type_source(struct debuginfo *di)
{
	struct typedb *db = vmlinux_btf(di);

	if (db)
		return db;
	if (di->have_vmlinux && allowed(di, VMT_SYM_SOURCE_DWARF)) {
		// DWARF itself only when asked for (--sym-source dwarf) or
		// when the vmlinux has no BTF.
		load_dwarf(di);
		if (di->dwarf)
			return di->dwarf;
	}
	if (allowed(di, VMT_SYM_SOURCE_BTF) ||
	    di->only == VMT_SYM_SOURCE_KALLSYMS) {
		load_btf(di);
		return di->btf;
	}
	return NULL;
}

struct vmt_error *debuginfo_find_type(struct debuginfo *di, const char *name,
				      const struct vmt_type **ret)
{
	struct typedb *db = type_source(di);

	if (!db) {
		// Name what failed: the vmlinux's DWARF, the dump's BTF and,
		// when BTF had no symbols to go by, the kallsyms behind them.
		if (di->dwarf_err)
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"type %s: no type information: %s",
						name, di->dwarf_err->message);
		if (di->btf_err && di->kallsyms_err)
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"type %s: no type information: no vmlinux given, and BTF could not be found in the dump (%s), nor its symbols read from kallsyms (%s)",
						name, di->btf_err->message,
						di->kallsyms_err->message);
		if (di->btf_err)
			return vmt_error_format(VMT_ERROR_NOT_FOUND,
						"type %s: no type information: no vmlinux given, and BTF could not be read from the dump: %s",
						name, di->btf_err->message);
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
			"type %s: no type information (no vmlinux given and no BTF found in the dump)",
			name);
	}
	return typedb_find(db, name, ret);
}

struct vmt_error *debuginfo_section_var(struct debuginfo *di,
					const char *section, const char *name,
					uint64_t *offset_ret,
					uint64_t *size_ret)
{
	struct typedb *db;

	if (!allowed(di, VMT_SYM_SOURCE_BTF) &&
	    di->only != VMT_SYM_SOURCE_KALLSYMS)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%s %s: BTF not allowed as a source",
					section, name);
	// The vmlinux's .BTF has the same DATASEC records as the dump's,
	// which would cost decoding kallsyms and searching the dump for it.
	db = vmlinux_btf(di);
	if (db)
		return typedb_section_var(db, section, name, offset_ret,
					  size_ret);
	load_btf(di);
	if (!di->btf)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%s %s: no BTF found in the dump",
					section, name);
	return typedb_section_var(di->btf, section, name, offset_ret,
				  size_ret);
}

struct vmt_error *debuginfo_variable_type(struct debuginfo *di,
					  const char *name,
					  const struct vmt_type **ret,
					  const char **source_ret,
					  const char **section_ret)
{
	const char *section = "";
	struct vmt_error *err;

	if (di->have_vmlinux && allowed(di, VMT_SYM_SOURCE_DWARF)) {
		load_dwarf(di);
		if (di->dwarf) {
			err = typedb_var_type(di->dwarf, name, ret, &section);
			if (!err) {
				*source_ret = "dwarf";
				if (section_ret)
					*section_ret = section;
				return NULL;
			}
			if (err->code != VMT_ERROR_NOT_FOUND)
				return err;
			vmt_error_destroy(err);
		}
	}
	if (allowed(di, VMT_SYM_SOURCE_BTF) ||
	    di->only == VMT_SYM_SOURCE_KALLSYMS) {
		load_btf(di);
		if (di->btf) {
			err = typedb_var_type(di->btf, name, ret, &section);
			if (!err) {
				*source_ret = "btf";
				if (section_ret)
					*section_ret = section;
				return NULL;
			}
			if (err->code != VMT_ERROR_NOT_FOUND)
				return err;
			vmt_error_destroy(err);
		}
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND,
				"type of %s unknown: %s%s", name,
				di->have_vmlinux ?
					"the vmlinux's DWARF does not describe it" :
					"no vmlinux (-k) for DWARF",
				di->btf ? ", and the dump's BTF describes only per-CPU variables" :
					  ", and no BTF in the dump");
}

struct vmt_error *debuginfo_source_lines(struct debuginfo *di, uint64_t addr,
					 struct dwarf_src_line **ret,
					 size_t *nr_ret)
{
	struct vmt_error *err;

	if (!di->have_vmlinux)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"source lines need a vmlinux (-k)");
	if (!di->lines_state) {
		err = dwarf_lines_open(di->vmlinux_path, &di->lines);
		if (err) {
			warnings_add(di->warnings, "line tables of %s: %s",
				     di->vmlinux_path, err->message);
			vmt_error_destroy(err);
			di->lines_state = -1;
		} else {
			di->lines_state = 1;
		}
	}
	if (!di->lines)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"%s has no usable DWARF line tables",
					di->vmlinux_path);
	return dwarf_lines_lookup(di->lines, addr - di->kaslr_offset, ret,
				  nr_ret);
}

const char *debuginfo_type_source(struct debuginfo *di)
{
	struct typedb *db = type_source(di);

	return db ? db->source : NULL;
}
