// Symbol table: lookups by name and by address, ties, sizes.
#include <string.h>

#include "testutil.h"
#include "debuginfo/symtab.h"

static void fill(struct symtab *tab)
{
	symtab_init(tab, "test");
	// Added out of order on purpose.
	vmt_ck_no_err(symtab_add(tab, "beta", 0x2000, 0x10, 'T'));
	vmt_ck_no_err(symtab_add(tab, "alpha", 0x1000, 0, 't'));
	vmt_ck_no_err(symtab_add(tab, "alpha_global", 0x1000, 0, 'T'));
	vmt_ck_no_err(symtab_add(tab, "alpha_local2", 0x1000, 0, 't'));
	vmt_ck_no_err(symtab_add(tab, "gamma", 0x3000, 0, 'D'));
	vmt_ck_no_err(symtab_add(tab, "dup", 0x4000, 0, 'd'));
	vmt_ck_no_err(symtab_add(tab, "dup", 0x5000, 0, 'd'));
	vmt_ck_no_err(symtab_finish(tab));
}

START_TEST(finds_by_name)
{
	struct symtab tab;
	const struct symtab_entry *e;

	fill(&tab);
	e = symtab_lookup_name(&tab, "gamma");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->address, 0x3000);
	ck_assert_int_eq(e->type, 'D');
	ck_assert_ptr_null(symtab_lookup_name(&tab, "gamm"));
	ck_assert_ptr_null(symtab_lookup_name(&tab, "zeta"));
	ck_assert_ptr_null(symtab_lookup_name(&tab, ""));
	// Duplicate names: the first one added.
	ck_assert_uint_eq(symtab_lookup_name(&tab, "dup")->address, 0x4000);
	symtab_deinit(&tab);
}
END_TEST

START_TEST(finds_by_address)
{
	struct symtab tab;

	fill(&tab);
	ck_assert_ptr_null(symtab_lookup_addr(&tab, 0xfff));
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x3000)->name, "gamma");
	// Unknown size: everything up to the next symbol.
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x3fff)->name, "gamma");
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x4000)->name, "dup");
	ck_assert_str_eq(symtab_lookup_addr(&tab, UINT64_MAX)->name, "dup");
	symtab_deinit(&tab);
}
END_TEST

START_TEST(prefers_global_at_same_address)
{
	struct symtab tab;

	fill(&tab);
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x1000)->name,
			 "alpha_global");
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x1800)->name,
			 "alpha_global");
	symtab_deinit(&tab);
}
END_TEST

START_TEST(known_size_ending_before_address_misses)
{
	struct symtab tab;

	fill(&tab);
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x2000)->name, "beta");
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x200f)->name, "beta");
	ck_assert_ptr_null(symtab_lookup_addr(&tab, 0x2010));
	ck_assert_ptr_null(symtab_lookup_addr(&tab, 0x2fff));
	symtab_deinit(&tab);
}
END_TEST

START_TEST(empty_and_truncated_tables)
{
	struct symtab tab;

	symtab_init(&tab, "empty");
	ck_assert_ptr_null(symtab_lookup_name(&tab, "x"));
	ck_assert_ptr_null(symtab_lookup_addr(&tab, 0));
	vmt_ck_no_err(symtab_finish(&tab));
	ck_assert_ptr_null(symtab_lookup_addr(&tab, 0));
	symtab_deinit(&tab);

	fill(&tab);
	symtab_truncate(&tab, 2);
	vmt_ck_no_err(symtab_finish(&tab));
	ck_assert_uint_eq(tab.nr, 2);
	ck_assert_ptr_null(symtab_lookup_name(&tab, "gamma"));
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x1004)->name, "alpha");
	symtab_deinit(&tab);
}
END_TEST

START_TEST(many_symbols)
{
	struct symtab tab;
	char name[32];

	symtab_init(&tab, "many");
	for (unsigned i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "s%u", (i * 7919) % 10000);
		vmt_ck_no_err(symtab_add(&tab, name,
					 0x10000 + 16 * (uint64_t)((i * 7919) % 10000),
					 16, 't'));
	}
	vmt_ck_no_err(symtab_finish(&tab));
	for (unsigned k = 0; k < 10000; k += 97) {
		snprintf(name, sizeof(name), "s%u", k);
		ck_assert_uint_eq(symtab_lookup_name(&tab, name)->address,
				  0x10000 + 16 * (uint64_t)k);
		ck_assert_str_eq(
			symtab_lookup_addr(&tab, 0x10000 + 16 * (uint64_t)k + 15)
				->name,
			name);
	}
	symtab_deinit(&tab);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("symtab");
	TCase *tc = tcase_create("lookup");

	tcase_add_test(tc, finds_by_name);
	tcase_add_test(tc, finds_by_address);
	tcase_add_test(tc, prefers_global_at_same_address);
	tcase_add_test(tc, known_size_ending_before_address_misses);
	tcase_add_test(tc, empty_and_truncated_tables);
	tcase_add_test(tc, many_symbols);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
