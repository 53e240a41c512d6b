// Helpers shared by the Check suites.
#ifndef VMT_TESTUTIL_H
#define VMT_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmtool/error.h"

// Fail the test with the error's message if @p expr returned an error.
#define vmt_ck_no_err(expr)                                                   \
	do {                                                                  \
		struct vmt_error *_err = (expr);                              \
		ck_assert_msg(!_err, "%s: %s", #expr,                         \
			      _err ? _err->message : "");                     \
	} while (0)

// Fail unless @p expr returned an error of @p code; the error is freed.
#define vmt_ck_err(expr, expected_code)                                       \
	do {                                                                  \
		struct vmt_error *_err = (expr);                              \
		ck_assert_msg(_err, "%s: expected an error", #expr);          \
		ck_assert_msg(_err->code == (expected_code),                  \
			      "%s: code %d, want %d (%s)", #expr, _err->code, \
			      (int)(expected_code), _err->message);           \
		vmt_error_destroy(_err);                                      \
	} while (0)

// Run @p s; exit status 0 only if every test passed.
static inline int vmt_ck_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

// Directory of ../shared/dumps, or NULL (tests then skip with exit 77).
static inline const char *vmt_shared_dumps(void)
{
	const char *dir = getenv("VMTOOL_SHARED_DUMPS");

	return dir && *dir ? dir : NULL;
}

// The ELF dump of set @p set_dir (named @p set), decompressed once from
// its vmcore.elf.xz or vmcore.proc.elf.xz into $VMTOOL_CACHE/SET/ (or
// /tmp/vmtool-cache/SET/). Writes the path to @p out; false if none.
static inline bool vmt_set_elf(const char *set_dir, const char *set,
			       char *out, size_t size)
{
	static const char *const names[] = { "vmcore.elf", "vmcore.proc.elf" };
	const char *cache = getenv("VMTOOL_CACHE");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char xz[2048], dir[2048], tmp[2200], cmd[4400];
		struct stat st;

		snprintf(xz, sizeof(xz), "%s/%s.xz", set_dir, names[i]);
		if (stat(xz, &st))
			continue;
		snprintf(dir, sizeof(dir), "%s", cache && *cache ? cache :
					       "/tmp/vmtool-cache");
		mkdir(dir, 0755);
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s", set);
		mkdir(dir, 0755);
		snprintf(out, size, "%s/%s", dir, names[i]);
		if (!stat(out, &st))
			return true;
		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", out, (long)getpid());
		snprintf(cmd, sizeof(cmd), "xz -dkc '%s' > '%s'", xz, tmp);
		if (system(cmd) || rename(tmp, out)) {
			unlink(tmp);
			return false;
		}
		return true;
	}
	return false;
}

#endif
