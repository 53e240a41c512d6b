// Symbol table: lookups by name and by address, ties, sizes.
#include <stdlib.h>
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

// Lazy names: hashed at load, decoded only for what a lookup returns.
static const char *const lazy_names[] = { "alpha", "beta", "dup", "dup",
					  "gamma" };
static unsigned decodes;

static bool decode_name(void *arg, size_t index, char *buf, size_t size)
{
	(void)arg;
	decodes++;
	if (index >= 5 || strlen(lazy_names[index]) >= size)
		return false;
	strcpy(buf, lazy_names[index]);
	return true;
}

static void no_destroy(void *arg)
{
	(void)arg;
}

START_TEST(lazy_names_decode_only_what_is_returned)
{
	struct symtab tab;
	struct symtab_lazy *lazy = calloc(1, sizeof(*lazy));

	symtab_init(&tab, "lazy");
	for (size_t i = 0; i < 5; i++)
		vmt_ck_no_err(symtab_add_lazy(&tab, symtab_hash(lazy_names[i]),
					      0x1000 * (i + 1), 0, 'T'));
	lazy->decode = decode_name;
	lazy->destroy = no_destroy;
	symtab_set_lazy(&tab, lazy);
	decodes = 0;
	vmt_ck_no_err(symtab_finish(&tab));
	// Only the duplicate pair was compared by name.
	ck_assert_uint_eq(decodes, 2);
	ck_assert_uint_eq(symtab_lookup_name(&tab, "gamma")->address, 0x5000);
	ck_assert_uint_eq(decodes, 3);
	ck_assert_ptr_null(symtab_lookup_name(&tab, "delta"));
	ck_assert_uint_eq(decodes, 3);
	// The first of two equal names wins; decoded names are kept.
	ck_assert_uint_eq(symtab_lookup_name(&tab, "dup")->address, 0x3000);
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x2004)->name, "beta");
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0x2008)->name, "beta");
	ck_assert_uint_eq(decodes, 4);
	symtab_deinit(&tab);
}
END_TEST

START_TEST(stored_names_are_not_copied)
{
	static const char strtab[] = "\0one\0two\0";
	struct symtab tab;
	const char *store;

	symtab_init(&tab, "elf");
	vmt_ck_no_err(symtab_add(&tab, "before", 0x10, 0, 't'));
	store = symtab_store(&tab, strtab, sizeof(strtab));
	ck_assert_ptr_nonnull(store);
	vmt_ck_no_err(symtab_add_stored(&tab, store + 1, 0x100, 0, 'T'));
	vmt_ck_no_err(symtab_add_stored(&tab, store + 5, 0x200, 0, 'T'));
	vmt_ck_no_err(symtab_add(&tab, "after", 0x300, 0, 't'));
	vmt_ck_no_err(symtab_finish(&tab));
	ck_assert_ptr_eq(symtab_lookup_name(&tab, "two")->name, store + 5);
	ck_assert_uint_eq(symtab_lookup_name(&tab, "one")->address, 0x100);
	ck_assert_uint_eq(symtab_lookup_name(&tab, "before")->address, 0x10);
	ck_assert_uint_eq(symtab_lookup_name(&tab, "after")->address, 0x300);
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
	tcase_add_test(tc, lazy_names_decode_only_what_is_returned);
	tcase_add_test(tc, stored_names_are_not_copied);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
