// VMCOREINFO parser: every line kind, malformed lines, real notes.
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "vmcoreinfo/vmcoreinfo.h"

#define PARSE(text, vi) vmcoreinfo_parse(text, sizeof(text) - 1, vi)

START_TEST(parses_every_line_kind)
{
	static const char text[] =
		"OSRELEASE=6.12.117\n"
		"BUILD-ID=f838db93e5d45ab3b8d373c93725987d30163279\n"
		"PAGESIZE=16384\n"
		"SYMBOL(swapper_pg_dir)=ffff93ca86732000\n"
		"OFFSET(page.flags)=0\n"
		"OFFSET(list_head.next)=8\n"
		"SIZE(page)=64\n"
		"LENGTH(mem_section)=131072\n"
		"NUMBER(VA_BITS)=48\n"
		"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
		"NUMBER(kimage_voffset)=0xffff93ca46000000\n"
		"KERNELOFFSET=13ca06200000\n"
		"CRASHTIME=1700000000\n"
		"CONFIG_KALLSYMS=y\n";
	struct vmcoreinfo vi;
	uint64_t v;

	vmt_ck_no_err(PARSE(text, &vi));
	ck_assert_uint_eq(vi.nr_entries, 14);
	ck_assert_uint_eq(vi.nr_warnings, 0);
	ck_assert_uint_eq(vi.page_size, 16384);
	ck_assert_str_eq(vi.osrelease, "6.12.117");
	ck_assert_str_eq(vmcoreinfo_get(&vi, "BUILD-ID"),
			 "f838db93e5d45ab3b8d373c93725987d30163279");
	ck_assert(vmcoreinfo_symbol(&vi, "swapper_pg_dir", &v));
	ck_assert_uint_eq(v, 0xffff93ca86732000);
	ck_assert(vmcoreinfo_offset(&vi, "page.flags", &v));
	ck_assert_uint_eq(v, 0);
	ck_assert(vmcoreinfo_offset(&vi, "list_head.next", &v));
	ck_assert_uint_eq(v, 8);
	ck_assert(vmcoreinfo_size(&vi, "page", &v));
	ck_assert_uint_eq(v, 64);
	ck_assert(vmcoreinfo_length(&vi, "mem_section", &v));
	ck_assert_uint_eq(v, 131072);
	ck_assert(vmcoreinfo_number(&vi, "VA_BITS", &v));
	ck_assert_uint_eq(v, 48);
	ck_assert(vmcoreinfo_number(&vi, "PAGE_BUDDY_MAPCOUNT_VALUE", &v));
	ck_assert_int_eq((int64_t)v, -268435456);
	ck_assert(vmcoreinfo_number(&vi, "kimage_voffset", &v));
	ck_assert_uint_eq(v, 0xffff93ca46000000);
	ck_assert(vmcoreinfo_kerneloffset(&vi, &v));
	ck_assert_uint_eq(v, 0x13ca06200000);
	ck_assert(vmcoreinfo_crashtime(&vi, &v));
	ck_assert_uint_eq(v, 1700000000);
	ck_assert_str_eq(vmcoreinfo_get(&vi, "CONFIG_KALLSYMS"), "y");
	// The raw text is kept as given.
	ck_assert_uint_eq(vi.raw_len, sizeof(text) - 1);
	ck_assert_str_eq(vi.raw, text);
	vmcoreinfo_deinit(&vi);
}
END_TEST

START_TEST(absent_keys_are_not_found)
{
	static const char text[] = "PAGESIZE=4096\nSYMBOL(_stext)=ffff800080000000\n";
	struct vmcoreinfo vi;
	uint64_t v = 7;

	vmt_ck_no_err(PARSE(text, &vi));
	ck_assert(!vmcoreinfo_number(&vi, "VA_BITS", &v));
	ck_assert(!vmcoreinfo_symbol(&vi, "_text", &v));
	// A prefix of a present name is not that name.
	ck_assert(!vmcoreinfo_symbol(&vi, "_stex", &v));
	ck_assert(!vmcoreinfo_kerneloffset(&vi, &v));
	ck_assert(!vmcoreinfo_crashtime(&vi, &v));
	ck_assert_ptr_null(vmcoreinfo_get(&vi, "OSRELEASE"));
	ck_assert_ptr_null(vi.osrelease);
	ck_assert_uint_eq(v, 7);
	vmcoreinfo_deinit(&vi);
}
END_TEST

START_TEST(tolerates_nul_padding_crlf_and_no_last_newline)
{
	static const char text[] = "OSRELEASE=6.1.0\r\n\0PAGESIZE=65536\r\n"
				   "NUMBER(VA_BITS)=52\0\0\0\0\0\0\0";
	struct vmcoreinfo vi;
	uint64_t v;

	vmt_ck_no_err(PARSE(text, &vi));
	ck_assert_uint_eq(vi.nr_warnings, 0);
	ck_assert_uint_eq(vi.nr_entries, 3);
	ck_assert_str_eq(vi.osrelease, "6.1.0");
	ck_assert_uint_eq(vi.page_size, 65536);
	ck_assert(vmcoreinfo_number(&vi, "VA_BITS", &v));
	ck_assert_uint_eq(v, 52);
	ck_assert_str_eq(vi.raw, "OSRELEASE=6.1.0\r\nPAGESIZE=65536\r\n"
				 "NUMBER(VA_BITS)=52");
	ck_assert_uint_eq(vi.raw_len, strlen(vi.raw));
	vmcoreinfo_deinit(&vi);
}
END_TEST

START_TEST(malformed_lines_are_warnings)
{
	static const char text[] = "OSRELEASE=6.12.0\n"
				   "garbage line\n"
				   "=novalue\n"
				   "NUMBER(VA_BITS)=4x8\n"
				   "SYMBOL(_stext)=zzzz\n"
				   "OFFSET(page.flags)=\n"
				   "PAGESIZE=4000\n"
				   "NUMBER(TCR_EL1_T1SZ)=0x10\n";
	struct vmcoreinfo vi;
	uint64_t v;

	vmt_ck_no_err(PARSE(text, &vi));
	ck_assert_uint_eq(vi.nr_entries, 2);
	ck_assert_uint_eq(vi.nr_warnings, 6);
	ck_assert_str_eq(vi.warnings[0], "line 2: no '=': garbage line");
	ck_assert_str_eq(vi.warnings[1], "line 3: empty key: =novalue");
	ck_assert_str_eq(vi.warnings[2],
			 "line 4: not a number: NUMBER(VA_BITS)=4x8");
	ck_assert_str_eq(vi.warnings[3],
			 "line 5: not a hex address: SYMBOL(_stext)=zzzz");
	ck_assert_str_eq(vi.warnings[4],
			 "line 6: not a number: OFFSET(page.flags)=");
	ck_assert_str_eq(vi.warnings[5],
			 "line 7: PAGESIZE not a power of two: PAGESIZE=4000");
	// The bad lines are not used; the good ones are.
	ck_assert(!vmcoreinfo_number(&vi, "VA_BITS", &v));
	ck_assert(!vmcoreinfo_symbol(&vi, "_stext", &v));
	ck_assert_uint_eq(vi.page_size, 0);
	ck_assert(vmcoreinfo_number(&vi, "TCR_EL1_T1SZ", &v));
	ck_assert_uint_eq(v, 16);
	vmcoreinfo_deinit(&vi);
}
END_TEST

START_TEST(rejects_out_of_range_numbers)
{
	static const char text[] = "NUMBER(A)=18446744073709551616\n"
				   "NUMBER(B)=0x10000000000000000\n"
				   "NUMBER(C)=-9223372036854775809\n"
				   "NUMBER(D)=18446744073709551615\n"
				   "NUMBER(E)=-9223372036854775808\n"
				   "NUMBER(F)= 5\n"
				   "NUMBER(G)=+5\n"
				   "PAGESIZE=8589934592\n";
	struct vmcoreinfo vi;
	uint64_t v;

	vmt_ck_no_err(PARSE(text, &vi));
	ck_assert_uint_eq(vi.nr_warnings, 6);
	ck_assert(!vmcoreinfo_number(&vi, "A", &v));
	ck_assert(!vmcoreinfo_number(&vi, "B", &v));
	ck_assert(!vmcoreinfo_number(&vi, "C", &v));
	ck_assert(vmcoreinfo_number(&vi, "D", &v));
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert(vmcoreinfo_number(&vi, "E", &v));
	ck_assert_uint_eq(v, 0x8000000000000000);
	ck_assert(!vmcoreinfo_number(&vi, "F", &v));
	ck_assert(!vmcoreinfo_number(&vi, "G", &v));
	ck_assert_uint_eq(vi.page_size, 0);
	vmcoreinfo_deinit(&vi);
}
END_TEST

START_TEST(duplicate_keys_last_wins)
{
	static const char text[] = "NUMBER(VA_BITS)=48\nOSRELEASE=a\n"
				   "NUMBER(VA_BITS)=52\nOSRELEASE=b\n";
	struct vmcoreinfo vi;
	uint64_t v;

	vmt_ck_no_err(PARSE(text, &vi));
	ck_assert_uint_eq(vi.nr_entries, 4);
	ck_assert(vmcoreinfo_number(&vi, "VA_BITS", &v));
	ck_assert_uint_eq(v, 52);
	ck_assert_str_eq(vi.osrelease, "b");
	vmcoreinfo_deinit(&vi);
}
END_TEST

START_TEST(number_accepts_lowercase_key)
{
	static const char text[] = "NUMBER(tcr_el1_t1sz)=0xc\n";
	static const char both[] = "NUMBER(tcr_el1_t1sz)=0x19\n"
				   "NUMBER(TCR_EL1_T1SZ)=0x10\n";
	struct vmcoreinfo vi;
	uint64_t v;

	vmt_ck_no_err(PARSE(text, &vi));
	ck_assert(vmcoreinfo_number(&vi, "TCR_EL1_T1SZ", &v));
	ck_assert_uint_eq(v, 12);
	ck_assert(vmcoreinfo_number(&vi, "tcr_el1_t1sz", &v));
	ck_assert_uint_eq(v, 12);
	vmcoreinfo_deinit(&vi);

	// The exact spelling is preferred over a later case variant.
	vmt_ck_no_err(PARSE(both, &vi));
	ck_assert(vmcoreinfo_number(&vi, "tcr_el1_t1sz", &v));
	ck_assert_uint_eq(v, 0x19);
	ck_assert(vmcoreinfo_number(&vi, "TCR_EL1_T1SZ", &v));
	ck_assert_uint_eq(v, 0x10);
	vmcoreinfo_deinit(&vi);
}
END_TEST

START_TEST(merge_overlays_other)
{
	static const char base[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
				   "NUMBER(VA_BITS)=48\nSYMBOL(_stext)=ffff800080010000";
	static const char over[] = "NUMBER(VA_BITS)=52\nPAGESIZE=65536\n"
				   "KERNELOFFSET=1000\n";
	struct vmcoreinfo vi, other, again;
	uint64_t v;

	vmt_ck_no_err(PARSE(base, &vi));
	vmt_ck_no_err(PARSE(over, &other));
	vmt_ck_no_err(vmcoreinfo_merge(&vi, &other));
	vmcoreinfo_deinit(&other);
	ck_assert(vmcoreinfo_number(&vi, "VA_BITS", &v));
	ck_assert_uint_eq(v, 52);
	ck_assert_uint_eq(vi.page_size, 65536);
	ck_assert_str_eq(vi.osrelease, "6.1.0");
	ck_assert(vmcoreinfo_symbol(&vi, "_stext", &v));
	ck_assert_uint_eq(v, 0xffff800080010000);
	ck_assert(vmcoreinfo_kerneloffset(&vi, &v));
	ck_assert_uint_eq(v, 0x1000);
	// The merged raw text parses to the same result.
	ck_assert_str_eq(vi.raw,
			 "OSRELEASE=6.1.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
			 "SYMBOL(_stext)=ffff800080010000\n"
			 "NUMBER(VA_BITS)=52\nPAGESIZE=65536\nKERNELOFFSET=1000\n");
	vmt_ck_no_err(vmcoreinfo_parse(vi.raw, vi.raw_len, &again));
	ck_assert_uint_eq(again.nr_entries, vi.nr_entries);
	ck_assert_uint_eq(again.page_size, 65536);
	vmcoreinfo_deinit(&again);
	vmcoreinfo_deinit(&vi);
}
END_TEST

START_TEST(empty_or_all_bad_text_is_an_error)
{
	struct vmcoreinfo vi;

	vmt_ck_err(vmcoreinfo_parse("", 0, &vi), VMT_ERROR_BAD_DATA);
	vmt_ck_err(vmcoreinfo_parse("\0\0\0\0", 4, &vi), VMT_ERROR_BAD_DATA);
	vmt_ck_err(PARSE("PAGESIZE=4k\n", &vi), VMT_ERROR_BAD_DATA);
}
END_TEST

// Values read by eye from each set's truth/vmcoreinfo_from_dump.txt.
static const struct real_case {
	const char *set;
	size_t nr_entries;
	uint32_t page_size;
	const char *osrelease;
	const char *build_id;
	uint64_t va_bits, t1sz, kerneloffset, kimage_voffset, swapper_pg_dir;
	uint64_t pacmask;
} real_cases[] = {
	{ "debian61-kaslr", 113, 4096, "6.1.0-50-arm64",
	  "338d20205ee321570ed1bbd998bf2e1a2b8aa92c", 48, 0x10, 0x509623200000,
	  0xffffd095eb000000, 0xffffd0962c853000, 0xffff000000000000 },
	{ "k612-4k-va52", 110, 4096, "6.12.117",
	  "f838db93e5d45ab3b8d373c93725987d30163279", 52, 0xc, 0x13ca06200000,
	  0xffff93ca46000000, 0xffff93ca86732000, 0 },
	{ "k612-64k-va52", 110, 65536, "6.12.117",
	  "d6e70c5a33d85932cf80a288870b8e44cbcc722a", 52, 0xc, 0x4bb1dcc00000,
	  0xffffcbb21ca00000, 0xffffcbb25d200000, 0 },
};

START_TEST(parses_real_notes)
{
	const struct real_case *c = &real_cases[_i];
	char path[4096], *text;
	struct vmcoreinfo vi;
	size_t len;
	uint64_t v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/truth/vmcoreinfo_from_dump.txt",
		 vmt_shared_dumps(), c->set);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s absent, not checked\n", path);
		return;
	}
	text = malloc(1 << 20);
	ck_assert_ptr_nonnull(text);
	len = fread(text, 1, 1 << 20, f);
	fclose(f);

	vmt_ck_no_err(vmcoreinfo_parse(text, len, &vi));
	free(text);
	ck_assert_uint_eq(vi.nr_warnings, 0);
	ck_assert_uint_eq(vi.nr_entries, c->nr_entries);
	ck_assert_uint_eq(vi.page_size, c->page_size);
	ck_assert_str_eq(vi.osrelease, c->osrelease);
	ck_assert_str_eq(vmcoreinfo_get(&vi, "BUILD-ID"), c->build_id);
	ck_assert(vmcoreinfo_number(&vi, "VA_BITS", &v));
	ck_assert_uint_eq(v, c->va_bits);
	ck_assert(vmcoreinfo_number(&vi, "TCR_EL1_T1SZ", &v));
	ck_assert_uint_eq(v, c->t1sz);
	ck_assert(vmcoreinfo_number(&vi, "tcr_el1_t1sz", &v));
	ck_assert_uint_eq(v, c->t1sz);
	ck_assert(vmcoreinfo_kerneloffset(&vi, &v));
	ck_assert_uint_eq(v, c->kerneloffset);
	ck_assert(vmcoreinfo_number(&vi, "kimage_voffset", &v));
	ck_assert_uint_eq(v, c->kimage_voffset);
	ck_assert(vmcoreinfo_symbol(&vi, "swapper_pg_dir", &v));
	ck_assert_uint_eq(v, c->swapper_pg_dir);
	ck_assert(vmcoreinfo_number(&vi, "KERNELPACMASK", &v));
	ck_assert_uint_eq(v, c->pacmask);
	ck_assert(vmcoreinfo_number(&vi, "PHYS_OFFSET", &v));
	ck_assert_uint_eq(v, 0x40000000);
	ck_assert(vmcoreinfo_offset(&vi, "page.flags", &v));
	ck_assert_uint_eq(v, 0);
	ck_assert(vmcoreinfo_size(&vi, "page", &v));
	ck_assert_uint_eq(v, 64);
	vmcoreinfo_deinit(&vi);
}
END_TEST

// A million lines (17 MiB) parse in time linear in their size: this ran
// past 15 minutes when each line grew the table by one and each SYMBOL()
// line was looked up by a scan. Check's default timeout bounds it.
START_TEST(a_million_lines_parse_in_linear_time)
{
	size_t n = 1000000, len = 0;
	char *text = malloc(n * 48 + 64);
	struct vmcoreinfo vi;
	uint64_t v;

	ck_assert_ptr_nonnull(text);
	len += (size_t)sprintf(text, "OSRELEASE=6.12.0\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "SYMBOL(sym_%07zu)=%zx\n", i,
				       0xffff800000000000 + i);
	vmt_ck_no_err(vmcoreinfo_parse(text, len, &vi));
	ck_assert_uint_eq(vi.nr_entries, n + 1);
	ck_assert(vmcoreinfo_symbol(&vi, "sym_0999999", &v));
	ck_assert_uint_eq(v, 0xffff800000000000 + 999999);
	vmcoreinfo_deinit(&vi);
	free(text);
}
END_TEST

// Malformed lines are warned about one by one up to a limit, then counted:
// a note of garbage does not become a million warnings.
START_TEST(warnings_for_malformed_lines_are_bounded)
{
	size_t n = 100000, len = 0;
	char *text = malloc(n * 16 + 64);
	struct vmcoreinfo vi;

	ck_assert_ptr_nonnull(text);
	len += (size_t)sprintf(text, "OSRELEASE=6.12.0\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "junk %zu\n", i);
	vmt_ck_no_err(vmcoreinfo_parse(text, len, &vi));
	ck_assert_uint_eq(vi.nr_warnings, VMCOREINFO_MAX_WARNINGS + 1);
	ck_assert_ptr_nonnull(strstr(vi.warnings[VMCOREINFO_MAX_WARNINGS],
				     "99980 more"));
	vmcoreinfo_deinit(&vi);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmcoreinfo");
	TCase *tc = tcase_create("parse");
	TCase *big = tcase_create("big");

	tcase_add_test(tc, parses_every_line_kind);
	tcase_add_test(tc, absent_keys_are_not_found);
	tcase_add_test(tc, tolerates_nul_padding_crlf_and_no_last_newline);
	tcase_add_test(tc, malformed_lines_are_warnings);
	tcase_add_test(tc, rejects_out_of_range_numbers);
	tcase_add_test(tc, duplicate_keys_last_wins);
	tcase_add_test(tc, number_accepts_lowercase_key);
	tcase_add_test(tc, merge_overlays_other);
	tcase_add_test(tc, empty_or_all_bad_text_is_an_error);
	// Linear: a few seconds at most even under a loaded machine's
	// sanitizers; quadratic parsing took more than 15 minutes.
	tcase_add_test(big, a_million_lines_parse_in_linear_time);
	tcase_set_timeout(big, 120);
	suite_add_tcase(s, big);
	tcase_add_test(tc, warnings_for_malformed_lines_are_bounded);
	suite_add_tcase(s, tc);
	if (vmt_shared_dumps()) {
		TCase *real = tcase_create("real");

		tcase_add_loop_test(real, parses_real_notes, 0,
				    sizeof(real_cases) / sizeof(real_cases[0]));
		suite_add_tcase(s, real);
	} else {
		fprintf(stderr, "VMTOOL_SHARED_DUMPS unset: real notes not checked\n");
	}
	return vmt_ck_run(s);
}
