// The modules' symbol tables, kept beside the core kernel's: the kernel
// layer finds each module (kernel/module.c) and hands its symbols here, so
// every lookup by name or address sees them.
#include <stdlib.h>
#include <string.h>

#include "debuginfo/combined.h"

struct vmt_error *debuginfo_add_module(struct debuginfo *di, const char *name,
				       const struct debuginfo_module_range *ranges,
				       size_t nr_ranges, struct symtab *syms)
{
	struct debuginfo_module *mods, *m;

	if (nr_ranges > DEBUGINFO_MODULE_RANGES) {
		symtab_deinit(syms);
		return vmt_error_format(VMT_ERROR_INVALID_ARGUMENT,
					"module %s: %zu ranges (at most %d)",
					name, nr_ranges,
					DEBUGINFO_MODULE_RANGES);
	}
	mods = realloc(di->modules, (di->nr_modules + 1) * sizeof(*mods));
	if (!mods) {
		symtab_deinit(syms);
		return &vmt_enomem;
	}
	di->modules = mods;
	m = &mods[di->nr_modules];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	if (!m->name) {
		symtab_deinit(syms);
		return &vmt_enomem;
	}
	memcpy(m->ranges, ranges, nr_ranges * sizeof(*ranges));
	m->nr_ranges = nr_ranges;
	// The table moves: its arena and arrays now belong to the module.
	m->syms = *syms;
	symtab_init(syms, syms->source);
	di->nr_modules++;
	return NULL;
}

const struct debuginfo_module *debuginfo_module_at(const struct debuginfo *di,
						   uint64_t addr)
{
	for (size_t i = 0; i < di->nr_modules; i++) {
		const struct debuginfo_module *m = &di->modules[i];

		for (size_t r = 0; r < m->nr_ranges; r++)
			if (addr >= m->ranges[r].start &&
			    addr < m->ranges[r].end)
				return m;
	}
	return NULL;
}
