// Test helpers: run mkvmcore on a spec text in a temporary folder, and the
// page contents mkvmcore promises (its spec language, not the reader's code).
#ifndef VMT_MKVMCORE_RUN_H
#define VMT_MKVMCORE_RUN_H

#include <check.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MKVMCORE_PATH
#define MKVMCORE_PATH "tests/tools/mkvmcore"
#endif

static char mkv_dir[4096];

static inline const char *mkv_tool(void)
{
	const char *p = getenv("MKVMCORE");

	return p && *p ? p : MKVMCORE_PATH;
}

// A fresh folder per test process (Check forks each test).
static inline const char *mkv_tmpdir(void)
{
	if (!mkv_dir[0]) {
		const char *t = getenv("TMPDIR");

		snprintf(mkv_dir, sizeof(mkv_dir), "%s/mkvmcore.XXXXXX",
			 t && *t ? t : "/tmp");
		ck_assert_ptr_nonnull(mkdtemp(mkv_dir));
	}
	return mkv_dir;
}

static inline void mkv_cleanup(void)
{
	char cmd[4200];

	if (!mkv_dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", mkv_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", mkv_dir);
	mkv_dir[0] = '\0';
}

// Write @p spec and build @p name from it; the output path goes to @p out
// (split dumps: @p out is the stem, the parts are out.1 .. out.N).
static inline void mkv_build(const char *spec, const char *name, char *out,
			     size_t out_size)
{
	char spec_path[4200], cmd[9000];
	FILE *f;
	int rc;

	snprintf(spec_path, sizeof(spec_path), "%s/%s.spec", mkv_tmpdir(),
		 name);
	snprintf(out, out_size, "%s/%s", mkv_tmpdir(), name);
	f = fopen(spec_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(spec, f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' >/dev/null", mkv_tool(),
		 spec_path, out);
	rc = system(cmd);
	ck_assert_msg(rc == 0, "%s failed (%d)", cmd, rc);
}

static inline uint8_t *mkv_slurp(const char *path, size_t *size_ret)
{
	struct stat st;
	uint8_t *data;
	FILE *f = fopen(path, "rb");

	ck_assert_msg(f, "%s", path);
	ck_assert_int_eq(fstat(fileno(f), &st), 0);
	data = malloc(st.st_size ? st.st_size : 1);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_eq(fread(data, 1, st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*size_ret = st.st_size;
	return data;
}

// Page kinds of the spec language.
enum mkv_kind { MKV_DEFAULT, MKV_PATTERN, MKV_BYADDR, MKV_ZERO };

// The 64-bit word at @p paddr (8-aligned) of a page of @p kind starting at
// @p page: the formulas documented in tests/tools/mkvmcore.c.
static inline uint64_t mkv_word(enum mkv_kind kind, uint64_t param,
				uint64_t page, uint64_t paddr)
{
	switch (kind) {
	case MKV_PATTERN:
		return param ^ ((paddr - page) / 8);
	case MKV_BYADDR:
		return paddr;
	case MKV_ZERO:
		return 0;
	default:
		return paddr ^ 0x5a5a5a5a5a5a5a5aULL;
	}
}

static inline uint64_t mkv_load(const uint8_t *p, bool big_endian)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[big_endian ? 7 - i : i] << (8 * i);
	return v;
}

// Index of the first word of @p buf (holding @p len bytes of the page at
// @p page, from @p paddr on) that differs from @p kind, or -1.
static inline long mkv_first_bad(const uint8_t *buf, size_t len,
				 enum mkv_kind kind, uint64_t param,
				 uint64_t page, uint64_t paddr, bool big_endian)
{
	for (size_t i = 0; i + 8 <= len; i += 8) {
		if (mkv_load(buf + i, big_endian) !=
		    mkv_word(kind, param, page, paddr + i))
			return (long)(i / 8);
	}
	return -1;
}

#endif
