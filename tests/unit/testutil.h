// Helpers shared by the Check suites.
#ifndef VMT_TESTUTIL_H
#define VMT_TESTUTIL_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "base/error.h"
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

// Kernel memory held in a buffer: @p size bytes mapped at @p base, for
// walkers that read through a kread_fn. Reads outside it fault.
struct vmt_fake_mem {
	uint64_t base;
	uint8_t *bytes;
	size_t size;
};

static inline struct vmt_error *vmt_fake_mem_read(void *arg, uint64_t addr,
						  void *buf, size_t len)
{
	const struct vmt_fake_mem *m = arg;

	if (addr < m->base || addr - m->base > m->size ||
	    len > m->size - (addr - m->base))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr,
				       "test memory: %#llx not mapped",
				       (unsigned long long)addr);
	memcpy(buf, m->bytes + (addr - m->base), len);
	return NULL;
}

// Store a little-endian 64-bit word at @p addr of @p m.
static inline void vmt_fake_mem_put64(struct vmt_fake_mem *m, uint64_t addr,
				      uint64_t v)
{
	ck_assert_msg(addr >= m->base && addr - m->base + 8 <= m->size,
		      "test memory: %#llx out of the buffer",
		      (unsigned long long)addr);
	for (int i = 0; i < 8; i++)
		m->bytes[addr - m->base + i] = (uint8_t)(v >> (8 * i));
}

// Decompress @p xz into @p out once (kept between runs: written under a
// temporary name, then renamed); false if that fails.
static inline bool vmt_unxz_cached(const char *xz, const char *out)
{
	char cmd[3 * 4096 + 128];
	struct stat st;
	int n;

	if (!stat(out, &st) && st.st_size > 0)
		return true;
	n = snprintf(cmd, sizeof(cmd),
		     "mkdir -p \"$(dirname '%s')\" && xz -dkc '%s' > '%s.tmp.%d' && mv '%s.tmp.%d' '%s'",
		     out, xz, out, (int)getpid(), out, (int)getpid(), out);
	return n > 0 && (size_t)n < sizeof(cmd) && system(cmd) == 0;
}

// A dump file of set @p set of $VMTOOL_SHARED_DUMPS into @p buf: the first
// vmcore* file in name order that is not xz-compressed, else the set's
// vmcore*.xz decompressed once into $VMTOOL_CACHE/SET/ (a kexec capture
// ships only that). False if the set has none.
static inline bool vmt_shared_dump_file(const char *set, char *buf,
					size_t size)
{
	const char *dir = vmt_shared_dumps(), *cache = getenv("VMTOOL_CACHE");
	char cmd[6 * 4096], best[512] = "", best_xz[512] = "";
	struct dirent *de;
	DIR *d;

	if (!dir)
		return false;
	snprintf(cmd, sizeof(cmd), "%s/%s", dir, set);
	d = opendir(cmd);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		size_t len = strlen(n);
		bool xz = len > 3 && !strcmp(n + len - 3, ".xz");
		char *pick = xz ? best_xz : best;

		if (strncmp(n, "vmcore", 6) || len >= sizeof(best))
			continue;
		if (!pick[0] || strcmp(n, pick) < 0)
			snprintf(pick, sizeof(best), "%s", n);
	}
	closedir(d);
	if (best[0]) {
		snprintf(buf, size, "%s/%s/%s", dir, set, best);
		return true;
	}
	if (!best_xz[0])
		return false;
	best_xz[strlen(best_xz) - 3] = '\0';
	snprintf(buf, size, "%s/%s/%s",
		 cache && *cache ? cache : "/tmp/vmtool-cache", set, best_xz);
	snprintf(cmd, sizeof(cmd), "%s/%s/%s.xz", dir, set, best_xz);
	return vmt_unxz_cached(cmd, buf);
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
		char xz[4200];
		struct stat st;

		snprintf(xz, sizeof(xz), "%.4000s/%s.xz", set_dir, names[i]);
		if (stat(xz, &st))
			continue;
		snprintf(out, size, "%s/%s/%s",
			 cache && *cache ? cache : "/tmp/vmtool-cache", set,
			 names[i]);
		return vmt_unxz_cached(xz, out);
	}
	return false;
}

#endif
