// kallsyms decoding: tables built here the way scripts/kallsyms.c lays
// them out (6.12 and 6.1 orders), served from a buffer by the read
// callback.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/error.h"
#include "debuginfo/debuginfo.h"

#define BASE 0xffff800080000000ull

struct image {
	uint8_t buf[1 << 16];
	size_t len;
};

static struct vmt_error *read_image(void *arg, uint64_t vaddr, void *out,
				    size_t len)
{
	struct image *im = arg;

	if (vaddr < BASE || vaddr - BASE > im->len ||
	    len > im->len - (vaddr - BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, vaddr,
				       "%#" PRIx64 " not in the test image",
				       vaddr);
	memcpy(out, im->buf + (vaddr - BASE), len);
	return NULL;
}

// The image in place, as a mapped ELF dump gives it; counts what it hands
// out. Each map is of one table.
static size_t mapped_bytes;

static const void *map_image(void *arg, uint64_t vaddr, size_t len)
{
	struct image *im = arg;

	if (vaddr < BASE || vaddr - BASE > im->len ||
	    len > im->len - (vaddr - BASE))
		return NULL;
	mapped_bytes += len;
	return im->buf + (vaddr - BASE);
}

static size_t read_bytes;

static struct vmt_error *read_image_counted(void *arg, uint64_t vaddr,
					    void *out, size_t len)
{
	read_bytes += len;
	return read_image(arg, vaddr, out, len);
}

static const void *map_nothing(void *arg, uint64_t vaddr, size_t len)
{
	(void)arg;
	(void)vaddr;
	(void)len;
	return NULL;
}

static uint64_t put(struct image *im, const void *p, size_t n)
{
	uint64_t at = BASE + im->len;

	ck_assert(im->len + n <= sizeof(im->buf));
	memcpy(im->buf + im->len, p, n);
	im->len += n;
	return at;
}

static void align(struct image *im, size_t a)
{
	while (im->len % a)
		im->buf[im->len++] = 0;
}

static uint64_t put32(struct image *im, uint32_t v)
{
	uint8_t b[4] = { v, v >> 8, v >> 16, v >> 24 };

	return put(im, b, 4);
}

static uint64_t put64(struct image *im, uint64_t v)
{
	uint64_t at = put32(im, (uint32_t)v);

	put32(im, (uint32_t)(v >> 32));
	return at;
}

// The test's tokens: bytes 0x20..0x7e stand for themselves; a few unused
// byte values stand for longer strings, as scripts/kallsyms.c would
// produce by merging frequent pairs.
static const char *const multi[] = {
	[0x01] = "Tdo_",  [0x02] = "_work", [0x03] = "tsys_",
	[0x04] = "init_", [0x05] = "ta",
};

static const char *token_of(int b, char *one)
{
	if (b < (int)(sizeof(multi) / sizeof(multi[0])) && multi[b])
		return multi[b];
	if (b >= 0x20 && b < 0x7f) {
		one[0] = (char)b;
		one[1] = '\0';
		return one;
	}
	return "";
}

// Greedy encoding of "type letter + name" with the tokens above.
static size_t encode(const char *s, uint8_t *out)
{
	size_t n = 0;

	while (*s) {
		int best = -1;
		size_t best_len = 0;

		for (int b = 1; b < (int)(sizeof(multi) / sizeof(multi[0]));
		     b++) {
			size_t l = strlen(multi[b]);

			if (l > best_len && !strncmp(s, multi[b], l)) {
				best = b;
				best_len = l;
			}
		}
		if (best < 0) {
			best = (uint8_t)*s;
			best_len = 1;
		}
		out[n++] = (uint8_t)best;
		s += best_len;
	}
	return n;
}

struct sym {
	const char *typed_name; // type letter + name
	uint64_t addr;
};

struct tables {
	uint64_t num_syms, names, markers, token_table, token_index, offsets,
		relative_base;
};

static void put_names(struct image *im, const struct sym *syms, size_t n,
		      struct tables *t)
{
	t->names = BASE + im->len;
	for (size_t i = 0; i < n; i++) {
		uint8_t enc[1024], hdr[2];
		size_t len = encode(syms[i].typed_name, enc);

		if (len < 0x80) {
			hdr[0] = (uint8_t)len;
			put(im, hdr, 1);
		} else {
			// "big" symbol (6.1+): 7 low bits, then the rest.
			hdr[0] = (uint8_t)(0x80 | (len & 0x7f));
			hdr[1] = (uint8_t)(len >> 7);
			put(im, hdr, 2);
		}
		put(im, enc, len);
	}
	align(im, 4);
	t->markers = put32(im, 0);
}

static void put_tokens(struct image *im, struct tables *t)
{
	uint16_t index[256];
	char one[2];

	t->token_table = BASE + im->len;
	for (int b = 0; b < 256; b++) {
		const char *tok = token_of(b, one);

		index[b] = (uint16_t)(BASE + im->len - t->token_table);
		put(im, tok, strlen(tok) + 1);
	}
	align(im, 8);
	t->token_index = BASE + im->len;
	for (int b = 0; b < 256; b++) {
		uint8_t le[2] = { (uint8_t)index[b], (uint8_t)(index[b] >> 8) };

		put(im, le, 2);
	}
	align(im, 8);
}

static void put_offsets(struct image *im, const struct sym *syms, size_t n,
			uint64_t rel_base, bool absolute_percpu,
			struct tables *t)
{
	t->offsets = BASE + im->len;
	for (size_t i = 0; i < n; i++) {
		int64_t off;

		if (!absolute_percpu)
			off = (int64_t)(syms[i].addr - rel_base);
		else if (syms[i].addr < 0x80000000ull)
			off = (int64_t)syms[i].addr; // absolute (percpu)
		else
			off = (int64_t)(rel_base - syms[i].addr) - 1;
		put32(im, (uint32_t)off);
	}
	align(im, 8);
	t->relative_base = put64(im, rel_base);
}

// 6.12 order: num_syms, names, markers, token_table, token_index,
// offsets, relative_base.
static void build_612(struct image *im, const struct sym *syms, size_t n,
		      uint64_t rel_base, struct tables *t)
{
	memset(im, 0, sizeof(*im));
	t->num_syms = put32(im, (uint32_t)n);
	put_names(im, syms, n, t);
	put_tokens(im, t);
	put_offsets(im, syms, n, rel_base, false, t);
}

// 6.1 order: offsets, relative_base, num_syms, names, markers,
// token_table, token_index.
static void build_61(struct image *im, const struct sym *syms, size_t n,
		     uint64_t rel_base, bool absolute_percpu,
		     struct tables *t)
{
	memset(im, 0, sizeof(*im));
	put64(im, 0); // something before, so no table sits at BASE
	put_offsets(im, syms, n, rel_base, absolute_percpu, t);
	t->num_syms = put32(im, (uint32_t)n);
	align(im, 8);
	put_names(im, syms, n, t);
	put_tokens(im, t);
}

static void make_vmcoreinfo(const struct tables *t, struct vmcoreinfo *vi)
{
	char text[1024];
	int n = snprintf(text, sizeof(text),
			 "OSRELEASE=6.12.0\n"
			 "SYMBOL(kallsyms_names)=%" PRIx64 "\n"
			 "SYMBOL(kallsyms_num_syms)=%" PRIx64 "\n"
			 "SYMBOL(kallsyms_token_table)=%" PRIx64 "\n"
			 "SYMBOL(kallsyms_token_index)=%" PRIx64 "\n"
			 "SYMBOL(kallsyms_offsets)=%" PRIx64 "\n"
			 "SYMBOL(kallsyms_relative_base)=%" PRIx64 "\n",
			 t->names, t->num_syms, t->token_table,
			 t->token_index, t->offsets, t->relative_base);

	vmt_ck_no_err(vmcoreinfo_parse(text, (size_t)n, vi));
}

static char long_name[300];

static const struct sym *test_syms(size_t *n)
{
	static struct sym syms[] = {
		{ "T_text", 0xffff93ca86200000ull },
		{ "T_stext", 0xffff93ca86210000ull },
		{ "Tdo__work", 0xffff93ca86210040ull },
		{ "tsys_read", 0xffff93ca86211000ull },
		{ "Dinit_task", 0xffff93ca86a00000ull },
		{ "dstatic_data", 0xffff93ca86a01000ull },
		{ "Rtarget_work", 0xffff93ca86500000ull },
		{ NULL, 0xffff93ca86300000ull }, // long_name
		{ "bbss_thing", 0xffff93ca86b00000ull },
	};

	if (!long_name[0]) {
		// 1 + 199 + 1 = 201 tokens (no multi-char token in it): the
		// length needs two bytes.
		long_name[0] = 'T';
		for (int i = 1; i < 200; i++)
			long_name[i] = (char)('a' + i % 26);
		long_name[200] = 'Z';
		long_name[201] = '\0';
	}
	syms[7].typed_name = long_name;
	*n = sizeof(syms) / sizeof(syms[0]);
	return syms;
}

static void check_decoded(const struct symtab *tab, const struct sym *syms,
			  size_t n)
{
	ck_assert_uint_eq(tab->nr, n);
	for (size_t i = 0; i < n; i++) {
		const struct symtab_entry *e =
			symtab_lookup_name(tab, syms[i].typed_name + 1);

		ck_assert_msg(e, "%.40s missing", syms[i].typed_name + 1);
		ck_assert_uint_eq(e->address, syms[i].addr);
		ck_assert_int_eq(e->type, syms[i].typed_name[0]);
	}
}

START_TEST(decodes_612_layout)
{
	struct image *im = malloc(sizeof(*im));
	struct tables t;
	struct vmcoreinfo vi;
	struct symtab tab;
	size_t n;
	const struct sym *syms = test_syms(&n);
	uint8_t enc[16];

	// The tokens really are used: "Tdo__work" is two of them.
	ck_assert_uint_eq(encode("Tdo__work", enc), 2);
	build_612(im, syms, n, 0xffff93ca86200000ull, &t);
	make_vmcoreinfo(&t, &vi);
	symtab_init(&tab, "kallsyms");
	vmt_ck_no_err(kallsyms_load(read_image, NULL, im, &vi, &tab));
	check_decoded(&tab, syms, n);
	ck_assert_str_eq(symtab_lookup_addr(&tab, 0xffff93ca86210044ull)->name,
			 "do__work");
	ck_assert_uint_eq(strlen(symtab_lookup_addr(&tab,
						    0xffff93ca86300000ull)
					 ->name),
			  200);
	symtab_deinit(&tab);
	vmcoreinfo_deinit(&vi);
	free(im);
}
END_TEST

// Offsets and names used in place where the dump maps them: the same
// table, with only the small tables read; where nothing maps, all read.
START_TEST(decodes_in_place)
{
	struct image *im = malloc(sizeof(*im));
	struct tables t;
	struct vmcoreinfo vi;
	struct symtab tab;
	size_t n, read_in_place;
	const struct sym *syms = test_syms(&n);

	build_61(im, syms, n, 0xffff93ca86200000ull, false, &t);
	make_vmcoreinfo(&t, &vi);
	symtab_init(&tab, "kallsyms");
	read_bytes = mapped_bytes = 0;
	vmt_ck_no_err(kallsyms_load(read_image_counted, map_image, im, &vi,
				    &tab));
	read_in_place = read_bytes;
	ck_assert_uint_ge(mapped_bytes, n * 4);
	check_decoded(&tab, syms, n);
	symtab_deinit(&tab);

	symtab_init(&tab, "kallsyms");
	read_bytes = 0;
	vmt_ck_no_err(kallsyms_load(read_image_counted, map_nothing, im, &vi,
				    &tab));
	check_decoded(&tab, syms, n);
	// The offsets (4 bytes a symbol) and the names were read this time.
	ck_assert_uint_ge(read_bytes, read_in_place + n * 5);
	symtab_deinit(&tab);
	vmcoreinfo_deinit(&vi);
	free(im);
}
END_TEST

START_TEST(decodes_61_layout)
{
	struct image *im = malloc(sizeof(*im));
	struct tables t;
	struct vmcoreinfo vi;
	struct symtab tab;
	size_t n;
	const struct sym *syms = test_syms(&n);

	build_61(im, syms, n, 0xffff93ca86200000ull, false, &t);
	make_vmcoreinfo(&t, &vi);
	symtab_init(&tab, "kallsyms");
	vmt_ck_no_err(kallsyms_load(read_image, NULL, im, &vi, &tab));
	check_decoded(&tab, syms, n);
	symtab_deinit(&tab);
	vmcoreinfo_deinit(&vi);
	free(im);
}
END_TEST

START_TEST(decodes_absolute_percpu_offsets)
{
	static const struct sym syms[] = {
		{ "Dfixed_percpu_data", 0x0 },
		{ "Dcpu_number", 0x1000 },
		{ "T_text", 0xffffffff81000000ull },
		{ "T_stext", 0xffffffff81001000ull },
		{ "tsys_write", 0xffffffff81002340ull },
		{ "Tdo_exit", 0xffffffff81100000ull },
		{ "Dinit_task", 0xffffffff82a00000ull },
	};
	struct image *im = malloc(sizeof(*im));
	struct tables t;
	struct vmcoreinfo vi;
	struct symtab tab;

	build_61(im, syms, 7, 0xffffffff81000000ull, true, &t);
	make_vmcoreinfo(&t, &vi);
	symtab_init(&tab, "kallsyms");
	vmt_ck_no_err(kallsyms_load(read_image, NULL, im, &vi, &tab));
	check_decoded(&tab, syms, 7);
	symtab_deinit(&tab);
	vmcoreinfo_deinit(&vi);
	free(im);
}
END_TEST

// Each corruption gives an error (never a hang) and leaves the table
// untouched.
static void expect_error(struct image *im, const struct tables *t,
			 enum vmt_error_code code, const char *needle)
{
	struct vmcoreinfo vi;
	struct symtab tab;
	struct vmt_error *err;

	make_vmcoreinfo(t, &vi);
	symtab_init(&tab, "kallsyms");
	err = kallsyms_load(read_image, NULL, im, &vi, &tab);
	ck_assert_msg(err, "expected an error containing %s", needle);
	ck_assert_msg(err->code == code, "code %d: %s", err->code,
		      err->message);
	ck_assert_msg(strstr(err->message, needle), "%s lacks %s",
		      err->message, needle);
	ck_assert_uint_eq(tab.nr, 0);
	vmt_error_destroy(err);
	symtab_deinit(&tab);
	vmcoreinfo_deinit(&vi);
}

START_TEST(rejects_corrupt_tables)
{
	struct image *im = malloc(sizeof(*im));
	struct tables t;
	size_t n;
	const struct sym *syms = test_syms(&n);
	char addr[32];

	// num_syms larger than the tables hold: the offsets table, which
	// has one entry per symbol, does not fit before the next table.
	build_612(im, syms, n, 0xffff93ca86200000ull, &t);
	im->buf[t.num_syms - BASE] = (uint8_t)(n + 2);
	snprintf(addr, sizeof(addr), "%#" PRIx64, t.offsets);
	expect_error(im, &t, VMT_ERROR_BAD_DATA, addr);

	// The last name's length reaching past the names (and the
	// markers after them) into the token table.
	build_612(im, syms, n, 0xffff93ca86200000ull, &t);
	{
		size_t off = 0, len;
		uint8_t enc[1024];

		for (size_t i = 0; i + 1 < n; i++) {
			len = encode(syms[i].typed_name, enc);
			off += (len < 0x80 ? 1 : 2) + len;
		}
		len = encode(syms[n - 1].typed_name, enc);
		ck_assert_uint_lt(len, 0x70);
		im->buf[t.names - BASE + off] = (uint8_t)(len + 0x10);
		expect_error(im, &t, VMT_ERROR_BAD_DATA, "runs past");
	}

	// Implausible count.
	build_612(im, syms, n, 0xffff93ca86200000ull, &t);
	memcpy(im->buf + (t.num_syms - BASE), "\x00\x00\x00\x00", 4);
	expect_error(im, &t, VMT_ERROR_BAD_DATA, "kallsyms_num_syms");
	memcpy(im->buf + (t.num_syms - BASE), "\xff\xff\xff\xff", 4);
	expect_error(im, &t, VMT_ERROR_BAD_DATA, "kallsyms_num_syms");

	// A token index past the token table.
	build_612(im, syms, n, 0xffff93ca86200000ull, &t);
	memcpy(im->buf + (t.token_index - BASE) + 2 * 'a', "\xff\x7f", 2);
	expect_error(im, &t, VMT_ERROR_BAD_DATA, "kallsyms_token_index");

	// A zero-length symbol.
	build_612(im, syms, n, 0xffff93ca86200000ull, &t);
	im->buf[t.names - BASE] = 0;
	expect_error(im, &t, VMT_ERROR_BAD_DATA, "is empty");

	// A "big" length making a name longer than KSYM_NAME_LEN.
	build_612(im, syms, n, 0xffff93ca86200000ull, &t);
	{
		struct image *big = malloc(sizeof(*big));
		struct sym one[] = { { long_name, 0xffff93ca86300000ull } };
		char huge[700];

		memset(huge, 'x', sizeof(huge) - 1);
		huge[0] = 'T';
		huge[sizeof(huge) - 1] = '\0';
		one[0].typed_name = huge;
		build_612(big, one, 1, 0xffff93ca86200000ull, &t);
		expect_error(big, &t, VMT_ERROR_BAD_DATA, "longer than");
		free(big);
	}

	// Tables outside readable memory: a fault naming the table.
	build_612(im, syms, n, 0xffff93ca86200000ull, &t);
	t.offsets = BASE + sizeof(im->buf) * 4;
	expect_error(im, &t, VMT_ERROR_FAULT, "kallsyms_offsets");
	free(im);
}
END_TEST

START_TEST(missing_vmcoreinfo_symbols)
{
	static const char text[] = "OSRELEASE=5.15.0\n";
	struct vmcoreinfo vi;
	struct symtab tab;
	struct image im = { .len = 0 };

	vmt_ck_no_err(vmcoreinfo_parse(text, sizeof(text) - 1, &vi));
	symtab_init(&tab, "kallsyms");
	vmt_ck_err(kallsyms_load(read_image, NULL, &im, &vi, &tab),
		   VMT_ERROR_NOT_FOUND);
	symtab_deinit(&tab);
	vmcoreinfo_deinit(&vi);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kallsyms");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, decodes_612_layout);
	tcase_add_test(tc, decodes_61_layout);
	tcase_add_test(tc, decodes_in_place);
	tcase_add_test(tc, decodes_absolute_percpu_offsets);
	tcase_add_test(tc, rejects_corrupt_tables);
	tcase_add_test(tc, missing_vmcoreinfo_symbols);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
