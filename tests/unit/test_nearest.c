// Bounded symbol answers (debuginfo/nearest.c) over tables built by hand:
// a symbol covers its size, else up to the next symbol, within the kernel
// image or its module's memory; section ends cover their own address;
// VMCOREINFO values outside the image name nothing; tags are stripped;
// derived and module symbols are found on demand.
#include <stdint.h>

#include "testutil.h"
#include "base/warnings.h"
#include "debuginfo/combined.h"

#define IMAGE 0xffff800080000000ULL
#define IMAGE_END (IMAGE + 0x2000000)
#define MOD_TEXT 0xffff800000100000ULL

static struct debuginfo di;
static struct vmcoreinfo vi;
static struct warnings warnings;
static int load_more_calls;

static uint64_t untag(void *arg, uint64_t addr)
{
	(void)arg;
	// What arm64_untag does for a 48-bit kernel address.
	return addr | 0xffff000000000000ULL;
}

static bool kimage(void *arg, uint64_t *start, uint64_t *end)
{
	(void)arg;
	*start = IMAGE;
	*end = IMAGE_END;
	return true;
}

// Finds "init_task" the way a scan would, and a module.
static void load_more(void *arg)
{
	struct debuginfo_module_range r[] = { { MOD_TEXT, MOD_TEXT + 0x2000 },
					      { MOD_TEXT + 0x3000,
						MOD_TEXT + 0x4000 } };
	struct symtab syms;

	(void)arg;
	load_more_calls++;
	debuginfo_add_derived_sized(&di, "init_task", IMAGE + 0x1800000, 0x1040,
				    "test scan");
	symtab_init(&syms, "kallsyms");
	vmt_ck_no_err(symtab_add(&syms, "mod_fn", MOD_TEXT + 0x100, 0x40, 't'));
	vmt_ck_no_err(symtab_add(&syms, "mod_last", MOD_TEXT + 0x1000, 0, 't'));
	vmt_ck_no_err(symtab_finish(&syms));
	vmt_ck_no_err(debuginfo_add_module(&di, "mymod", r, 2, &syms));
}

static const struct debuginfo_ops ops = { untag, kimage, load_more };

static struct vmt_error *no_read(void *arg, uint64_t addr, void *buf,
				 size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr, "no memory");
}

static void setup(void)
{
	static const char text[] =
		"SYMBOL(_stext)=ffff800080010000\n"
		"SYMBOL(node_online_map)=ffff800081700000\n"
		"SIZE(nodemask_t)=8\n"
		"SYMBOL(mem_section)=ffff000012340000\n"
		"SYMBOL(kallsyms_names)=ffff800081000000\n";

	vmt_ck_no_err(vmcoreinfo_parse(text, sizeof(text) - 1, &vi));
	memset(&warnings, 0, sizeof(warnings));
	vmt_ck_no_err(debuginfo_init(&di, &vi, no_read, NULL, &warnings,
				     VMT_SYM_SOURCE_ANY));
	// kallsyms "decoded" already: text symbols and section ends only,
	// as without CONFIG_KALLSYMS_ALL.
	vmt_ck_no_err(symtab_add(&di.kallsyms, "_stext", IMAGE + 0x10000, 0, 'T'));
	vmt_ck_no_err(symtab_add(&di.kallsyms, "f1", IMAGE + 0x10000, 0, 't'));
	vmt_ck_no_err(symtab_add(&di.kallsyms, "f2", IMAGE + 0x10100, 0, 'T'));
	vmt_ck_no_err(symtab_add(&di.kallsyms, "last_fn", IMAGE + 0x20000, 0, 'T'));
	vmt_ck_no_err(symtab_add(&di.kallsyms, "_etext", IMAGE + 0x30000, 0, 'D'));
	vmt_ck_no_err(symtab_add(&di.kallsyms, "rodata_obj", IMAGE + 0x30000, 0,
				 'd'));
	vmt_ck_no_err(symtab_add(&di.kallsyms, "_einittext", IMAGE + 0x900000,
				 0, 'T'));
	vmt_ck_no_err(symtab_finish(&di.kallsyms));
	di.kallsyms_state = 1;
	di.ops = &ops;
	load_more_calls = 0;
}

static void teardown(void)
{
	debuginfo_deinit(&di);
	vmcoreinfo_deinit(&vi);
	warnings_deinit(&warnings);
}

static const char *name_at(uint64_t addr, uint64_t *off)
{
	static struct vmt_symbol sym;
	struct vmt_error *err = debuginfo_symbol_by_addr(&di, addr, &sym, off);

	if (err) {
		ck_assert_int_eq(err->code, VMT_ERROR_NOT_FOUND);
		vmt_error_destroy(err);
		return NULL;
	}
	return sym.name;
}

START_TEST(a_symbol_ends_where_the_next_begins)
{
	uint64_t off;

	ck_assert_str_eq(name_at(IMAGE + 0x100ff, &off), "f1");
	ck_assert_uint_eq(off, 0xff);
	ck_assert_str_eq(name_at(IMAGE + 0x10100, &off), "f2");
	ck_assert_uint_eq(off, 0);
	// The last text symbol ends at _etext.
	ck_assert_str_eq(name_at(IMAGE + 0x2ffff, &off), "last_fn");
	ck_assert_int_eq(load_more_calls, 0);
}
END_TEST

START_TEST(a_section_end_covers_only_its_own_address)
{
	uint64_t off;
	struct vmt_symbol sym;

	ck_assert_ptr_null(name_at(IMAGE + 0x900010, &off));
	ck_assert_str_eq(name_at(IMAGE + 0x900000, &off), "_einittext");
	// At the same address as a real symbol, the symbol answers.
	ck_assert_str_eq(name_at(IMAGE + 0x30008, &off), "rodata_obj");
	// The inferred size of a kallsyms symbol, by address and by name.
	vmt_ck_no_err(debuginfo_symbol_by_addr(&di, IMAGE + 0x10004, &sym,
					       &off));
	ck_assert_uint_eq(sym.size, 0x100);
	vmt_ck_no_err(debuginfo_symbol_by_name(&di, "f2", &sym));
	ck_assert_uint_eq(sym.size, 0);
	debuginfo_infer_size(&di, &sym);
	ck_assert_uint_eq(sym.size, 0x20000 - 0x10100);
}
END_TEST

START_TEST(vmcoreinfo_objects_have_their_size)
{
	uint64_t off;

	ck_assert_str_eq(name_at(0xffff800081700004ULL, &off),
			 "node_online_map");
	ck_assert_ptr_null(name_at(0xffff800081700008ULL, &off));
	// SYMBOL(mem_section) is a linear-map value: it names nothing.
	ck_assert_ptr_null(name_at(0xffff000012340010ULL, &off));
	// Nothing outside the image is a core symbol.
	ck_assert_ptr_null(name_at(IMAGE_END + 0x10, &off));
}
END_TEST

START_TEST(derived_and_module_symbols_are_found_on_demand)
{
	struct vmt_symbol sym;
	struct vmt_error *err;
	uint64_t off;

	ck_assert_str_eq(name_at(IMAGE + 0x1800010, &off), "init_task");
	ck_assert_uint_eq(off, 0x10);
	ck_assert_int_eq(load_more_calls, 1);
	ck_assert_ptr_null(name_at(IMAGE + 0x1801040, &off));
	vmt_ck_no_err(debuginfo_symbol_by_addr(&di, MOD_TEXT + 0x104, &sym,
					       &off));
	ck_assert_str_eq(sym.name, "mod_fn");
	ck_assert_str_eq(sym.module, "mymod");
	ck_assert_uint_eq(off, 4);
	// Past mod_fn's size; the last symbol ends with its range.
	ck_assert_ptr_null(name_at(MOD_TEXT + 0x140, &off));
	ck_assert_str_eq(name_at(MOD_TEXT + 0x1fff, &off), "mod_last");
	ck_assert_ptr_null(name_at(MOD_TEXT + 0x2000, &off));
	err = debuginfo_symbol_by_addr(&di, MOD_TEXT + 0x3010, &sym, &off);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, "mymod"), "%s", err->message);
	vmt_error_destroy(err);
	ck_assert_int_eq(load_more_calls, 1);
	vmt_ck_no_err(debuginfo_symbol_by_name(&di, "mod_last", &sym));
	ck_assert_str_eq(sym.module, "mymod");
}
END_TEST

START_TEST(by_name_finds_derived_symbols_once)
{
	struct vmt_symbol sym;

	vmt_ck_err(debuginfo_symbol_by_name(&di, "init_task", &sym),
		   VMT_ERROR_NOT_FOUND);
	vmt_ck_no_err(debuginfo_symbol_by_name_all(&di, "init_task", &sym));
	ck_assert_str_eq(sym.source, "derived");
	ck_assert_uint_eq(sym.size, 0x1040);
	vmt_ck_err(debuginfo_symbol_by_name_all(&di, "nosuch", &sym),
		   VMT_ERROR_NOT_FOUND);
	ck_assert_int_eq(load_more_calls, 1);
}
END_TEST

START_TEST(tags_and_pac_bits_are_stripped)
{
	uint64_t off;

	// A PAC-signed return address into f1, and an MTE-tagged one.
	ck_assert_str_eq(name_at(0x002f800080010004ULL, &off), "f1");
	ck_assert_uint_eq(off, 4);
	ck_assert_str_eq(name_at(0xf4ff800080010104ULL, &off), "f2");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nearest");
	TCase *tc = tcase_create("nearest");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_symbol_ends_where_the_next_begins);
	tcase_add_test(tc, a_section_end_covers_only_its_own_address);
	tcase_add_test(tc, vmcoreinfo_objects_have_their_size);
	tcase_add_test(tc, derived_and_module_symbols_are_found_on_demand);
	tcase_add_test(tc, by_name_finds_derived_symbols_once);
	tcase_add_test(tc, tags_and_pac_bits_are_stripped);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
