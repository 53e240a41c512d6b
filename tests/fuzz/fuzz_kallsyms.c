// kallsyms tables decoded from kernel memory: kallsyms_num_syms, the
// token table and index, kallsyms_names (1- and 2-byte lengths) and
// kallsyms_offsets, located through VMCOREINFO SYMBOL() lines.
//
// Input: six little-endian u32 offsets from BASE (names, num_syms,
// token_table, token_index, offsets, relative_base), then the memory at
// BASE. Reads outside it fault, as an excluded page would.
#include <inttypes.h>

#include "fuzz.h"
#include "debuginfo/debuginfo.h"

#define BASE UINT64_C(0xffff800080000000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"kallsyms_names",	 "kallsyms_num_syms",
		"kallsyms_token_table", "kallsyms_token_index",
		"kallsyms_offsets",	 "kallsyms_relative_base",
	};
	struct fuzz_input in = { data, size };
	char text[512];
	size_t len = 0;
	struct vmcoreinfo vi;
	struct symtab tab;
	struct fuzz_image im = { NULL, 0, BASE, VMT_FAULT_EXCLUDED };
	struct vmt_error *err;

	for (int i = 0; i < 6; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
					"SYMBOL(%s)=%" PRIx64 "\n", names[i],
					(uint64_t)(BASE + fuzz_u32(&in)));
	im.data = in.data;
	im.size = in.size;
	err = vmcoreinfo_parse(text, len, &vi);
	FUZZ_ASSERT(!err);
	symtab_init(&tab, "kallsyms");
	err = kallsyms_load(fuzz_read_image, NULL, &im, &vi, &tab);
	if (!err) {
		FUZZ_ASSERT(tab.nr > 0);
		for (size_t i = 0; i < tab.nr; i += 1 + tab.nr / 8) {
			// Names are decoded on demand: through the table.
			const char *name = symtab_entry_name(&tab, i);
			const struct symtab_entry *e;

			FUZZ_ASSERT(name);
			e = symtab_lookup_name(&tab, name);
			FUZZ_ASSERT(e && !strcmp(symtab_entry_name(
						    &tab, (size_t)(e - tab.entries)),
						name));
			e = symtab_lookup_addr(&tab, tab.entries[i].address);
			FUZZ_ASSERT(e && e->address == tab.entries[i].address);
		}
	} else {
		// A failed load leaves the table as it was.
		FUZZ_ASSERT(tab.nr == 0);
	}
	fuzz_check_error(err);
	symtab_deinit(&tab);
	vmcoreinfo_deinit(&vi);
	return 0;
}
