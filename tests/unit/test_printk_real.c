// `log` and `sys` on the real dumps of $VMTOOL_SHARED_DUMPS: every line the
// guest's dmesg printed (truth/dmesg.txt) appears, in order, in the log
// formatted as the kernel does, for every dump file of every set (the
// xz-compressed ELF too, decompressed once into $VMTOOL_CACHE); and `sys`
// agrees with truth/uname-a.txt, cpuinfo.txt, iomem.txt and, where the set
// has one, the panic of panic_console.txt.
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "kernel/printk.h"
#include "program_internal.h"
#include "vmtool/vmtool.h"

static const char *dumps_dir, *cache_dir;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = 2 * cap + 8192;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n);
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static char *truth(const char *set, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/truth/%s", dumps_dir, set, name);
	return slurp(path);
}

// The whole log as `vmtool log` prints it.
static char *format_log(const struct vmt_log *log)
{
	struct vmt_log_format fmt = { .time = true };
	size_t len = 0, cap = 1;
	char *all = calloc(1, 1);

	ck_assert_ptr_nonnull(all);
	for (size_t i = 0; i < log->nr_records; i++) {
		char *text;
		size_t n;

		vmt_ck_no_err(vmt_log_format_record(&log->records[i], &fmt,
						    &text));
		n = strlen(text);
		if (len + n + 1 > cap) {
			cap = 2 * (len + n + 1);
			all = realloc(all, cap);
			ck_assert_ptr_nonnull(all);
		}
		memcpy(all + len, text, n + 1);
		len += n;
		free(text);
	}
	return all;
}

// Every non-empty truth line is a whole line of @p got, in order; returns
// the number missing (the first one printed).
static int lines_in_order(const char *label, char *want, const char *got)
{
	const char *at = got;
	char *save = NULL;
	int missing = 0, found = 0;

	for (char *w = strtok_r(want, "\n", &save); w;
	     w = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(w);
		const char *p = at;

		if (w[strspn(w, " \t\r")] == '\0')
			continue; // blank lines are not compared
		for (;;) {
			p = strstr(p, w);
			if (!p || ((p == got || p[-1] == '\n') && p[n] == '\n'))
				break;
			p++;
		}
		if (!p) {
			if (!missing++)
				fprintf(stderr, "%s: truth line not in order in the log: %s\n",
					label, w);
			continue;
		}
		at = p + n;
		found++;
	}
	ck_assert_msg(found > 50, "%s: only %d truth lines", label, found);
	return missing;
}

static uint64_t iomem_ram(const char *set)
{
	char *text = truth(set, "iomem.txt"), *save = NULL;
	uint64_t sum = 0;

	ck_assert_ptr_nonnull(text);
	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned long long a, b;

		if (l[0] != ' ' && strstr(l, ": System RAM") &&
		    sscanf(l, "%llx-%llx", &a, &b) == 2)
			sum += b - a + 1;
	}
	free(text);
	return sum;
}

static int count_cpus(const char *set)
{
	char *text = truth(set, "cpuinfo.txt"), *p;
	int n = 0;

	ck_assert_ptr_nonnull(text);
	for (p = text; (p = strstr(p, "processor")); p++)
		n += p == text || p[-1] == '\n';
	free(text);
	return n;
}

static int check_sys(struct vmt_program *prog, const char *set,
		     const char *label)
{
	const struct vmt_sysinfo *s;
	char *uname = truth(set, "uname-a.txt");
	char *panic = truth(set, "panic_console.txt");
	int bad = 0;

	vmt_ck_no_err(vmt_program_sysinfo(prog, &s));
	ck_assert_ptr_nonnull(uname);
	// "Linux NODENAME RELEASE VERSION aarch64 GNU/Linux"
	bad += !s->known[VMT_SYS_RELEASE] || !strstr(uname, s->release);
	bad += !s->known[VMT_SYS_VERSION] || !strstr(uname, s->version);
	bad += !s->known[VMT_SYS_NODENAME] || strncmp(uname + 6, s->nodename,
						      strlen(s->nodename));
	bad += strcmp(s->machine, "aarch64") != 0;
	bad += !s->known[VMT_SYS_CPUS] || (int)s->cpus != count_cpus(set);
	bad += !s->known[VMT_SYS_MEMORY] || s->memory != iomem_ram(set);
	bad += !s->known[VMT_SYS_UPTIME] || !s->known[VMT_SYS_TASKS];
	bad += !s->known[VMT_SYS_PANIC];
	if (panic && strstr(panic, "Kernel panic - not syncing: ")) {
		// The set of a real panic: the Oops of pid 1 on CPU 0.
		bad += !strstr(s->panic, "Oops: Fatal exception");
		bad += !s->known[VMT_SYS_PANIC_CPU] || s->panic_cpu != 0;
		bad += !s->known[VMT_SYS_PANIC_PID] || s->panic_pid != 1;
	} else {
		bad += s->panic[0] != '\0';
	}
	if (bad)
		fprintf(stderr, "%s: sys: %d fields differ from the truth (release %s, memory %" PRIu64 ", cpus %u, panic \"%s\")\n",
			label, bad, s->release, s->memory, s->cpus, s->panic);
	free(uname);
	free(panic);
	return bad;
}

// Without VMCOREINFO's printk lines the types (BTF in the dump) give the
// same layout: the fallback, checked against the lines on a real kernel.
static void check_layout_from_types(struct vmt_program *prog,
				    const char *label)
{
	static const char *const prefixes[] = {
		"SIZE(printk", "OFFSET(printk", "SIZE(prb", "OFFSET(prb",
		"SIZE(dev_printk", "OFFSET(dev_printk", "LENGTH(printk",
		"SIZE(atomic_long_t", "OFFSET(atomic_long_t",
	};
	struct printk_ring_layout full, typed;
	struct vmcoreinfo stripped;
	char how[256], *text, *out;
	size_t len = 0;

	text = strdup(prog->vi.raw);
	ck_assert_ptr_nonnull(text);
	out = text;
	for (char *line = prog->vi.raw; *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
		bool drop = false;

		for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++)
			drop |= !strncmp(line, prefixes[i], strlen(prefixes[i]));
		if (!drop) {
			memmove(out + len, line, n);
			len += n;
		}
		line += n;
	}
	vmt_ck_no_err(vmcoreinfo_parse(text, len, &stripped));
	ck_assert(!vmcoreinfo_get(&stripped, "OFFSET(printk_info.seq)"));
	vmt_ck_no_err(printk_ring_layout_init(&prog->kernel, &prog->vi, &full,
					      how, sizeof(how)));
	ck_assert_msg(strstr(how, "0 from the types"), "%s: %s", label, how);
	vmt_ck_no_err(printk_ring_layout_init(&prog->kernel, &stripped, &typed,
					      how, sizeof(how)));
	ck_assert_msg(strstr(how, "0 values from VMCOREINFO"), "%s: %s", label,
		      how);
	ck_assert_msg(!memcmp(&full, &typed, sizeof(full)),
		      "%s: the layout from the types differs from VMCOREINFO's",
		      label);
	// The bitfields as the types have them: where the layout took them.
	{
		struct printk_bits b;

		ck_assert_msg(printk_bits_from_types(&prog->kernel, "printk_info",
						     &b), "%s: no printk_info.level in the types",
			      label);
		ck_assert_uint_eq(b.facility, full.info_facility);
		ck_assert_uint_eq(b.flags_level, full.info_flags_level);
		ck_assert_uint_eq(b.level_shift, full.level_shift);
		ck_assert_uint_eq(b.level_bits, full.level_bits);
		ck_assert_uint_eq(b.flags_shift, full.flags_shift);
		ck_assert_uint_eq(b.flags_bits, full.flags_bits);
	}
	vmcoreinfo_deinit(&stripped);
	free(text);
}

static int check_file(const char *set, const char *path, const char *name,
		      bool with_sys)
{
	struct vmt_program_options opts = { 0 };
	const struct vmt_log *log;
	struct vmt_program *prog;
	char label[PATH_MAX], *want, *got;
	int bad;

	snprintf(label, sizeof(label), "%s/%s", set, name);
	vmt_ck_no_err(vmt_program_open(&path, 1, &opts, &prog));
	vmt_ck_no_err(vmt_program_log(prog, &log));
	ck_assert_str_eq(log->format, "printk_ringbuffer");
	ck_assert_uint_eq(log->nr_damaged, 0);
	want = truth(set, "dmesg.txt");
	ck_assert_ptr_nonnull(want);
	got = format_log(log);
	bad = lines_in_order(label, want, got);
	free(want);
	free(got);
	if (with_sys) {
		bad += check_sys(prog, set, label);
		check_layout_from_types(prog, label);
	}
	vmt_program_destroy(prog);
	return bad;
}

START_TEST(every_dmesg_line_in_every_dump_file)
{
	struct dirent *de;
	int files = 0, bad = 0;
	DIR *top = opendir(dumps_dir);

	ck_assert_msg(top, "%s: unreadable", dumps_dir);
	while ((de = readdir(top))) {
		char setdir[PATH_MAX];
		struct dirent *fe;
		bool sys_done = false;
		DIR *sd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(setdir, sizeof(setdir), "%s/%s", dumps_dir, de->d_name);
		sd = opendir(setdir);
		if (!sd)
			continue;
		while ((fe = readdir(sd))) {
			char path[2 * PATH_MAX], name[NAME_MAX + 1];
			size_t n = strlen(fe->d_name);

			if (strncmp(fe->d_name, "vmcore", 6))
				continue;
			snprintf(name, sizeof(name), "%s", fe->d_name);
			if (n > 3 && !strcmp(fe->d_name + n - 3, ".xz")) {
				char xz[2 * PATH_MAX];

				name[n - 3] = '\0';
				snprintf(xz, sizeof(xz), "%s/%s", setdir,
					 fe->d_name);
				snprintf(path, sizeof(path), "%s/%s/%s",
					 cache_dir, de->d_name, name);
				ck_assert_msg(vmt_unxz_cached(xz, path),
					      "cannot decompress %s", xz);
			} else {
				snprintf(path, sizeof(path), "%s/%s", setdir,
					 fe->d_name);
			}
			bad += check_file(de->d_name, path, name, !sys_done);
			sys_done = true;
			files++;
		}
		closedir(sd);
	}
	closedir(top);
	fprintf(stderr, "test_printk_real: %d dump files, %d mismatches\n",
		files, bad);
	ck_assert_int_gt(files, 0);
	ck_assert_int_eq(bad, 0);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;

	dumps_dir = vmt_shared_dumps();
	if (!dumps_dir) {
		printf("VMTOOL_SHARED_DUMPS is not set: no real dumps to check, skipping\n");
		return 77;
	}
	cache_dir = getenv("VMTOOL_CACHE");
	if (!cache_dir || !*cache_dir)
		cache_dir = "tests/cache";
	s = suite_create("printk_real");
	tc = tcase_create("real");
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, every_dmesg_line_in_every_dump_file);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
