// `save` on the real dumps of $VMTOOL_SHARED_DUMPS:
// - Debian's ELF at dump level 31 with LZO pages gives the very file
//   makedumpfile 1.7.2 wrote (vmcore.mdf-lzo-d31.kdump): same bitmap 2
//   over every PFN, same bytes;
// - on every set, levels 0, 1 and 17 keep the page sets they define:
//   every RAM page of the input (0), the same with every zero page sharing
//   one block (1), all but the memmap's free pages, whose number agrees
//   with the kernel's NR_FREE_PAGES where it can be read (17);
// - libkdumpfile's C API reads every page of what save writes (each
//   compressor, a split set, ELF) with the bytes vmtool reads from the
//   input, and makedumpfile -R turns the flattened stream into the file
//   save writes directly.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_LIBKDUMPFILE
#include <libkdumpfile/kdumpfile.h>
#endif

#include "testutil.h"
#include "dump/dump.h"
#include "dump/kdump_format.h"
#include "vmtool/vmtool.h"

static const char *dumps_dir;
static char out_dir[512];

static char *out_path(const char *name)
{
	static char buf[8][800];
	static int next;
	char *p = buf[next++ % 8];

	snprintf(p, sizeof(buf[0]), "%s/%s", out_dir, name);
	return p;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static struct vmt_program *open_prog(const char *const *paths, size_t n)
{
	struct vmt_program *prog;

	vmt_ck_no_err(vmt_program_open(paths, n, NULL, &prog));
	return prog;
}

static void save(struct vmt_program *prog, unsigned int level,
		 enum vmt_save_format format, enum vmt_save_compression comp,
		 const char *const *paths, size_t n, struct vmt_save_result *r)
{
	struct vmt_save_options o = {
		.dump_level = level,
		.format = format,
		.compression = comp,
		.paths = paths,
		.nr_paths = n,
		.force = true,
	};

	vmt_ck_no_err(vmt_program_save(prog, &o, r));
}

// The input a set is judged from: its kdump file, else its flattened
// one, else its ELF.
static bool set_input(const char *setdir, const char *set, char *path,
		      size_t size)
{
	static const char *const names[] = { "vmcore.kdump-zlib",
					     "vmcore.kdump-zlib.flat" };

	for (size_t i = 0; i < 2; i++) {
		snprintf(path, size, "%s/%s", setdir, names[i]);
		if (exists(path))
			return true;
	}
	return vmt_set_elf(setdir, set, path, size);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_msg(f, "%s: unreadable", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

// Offset and length of bitmap 2 of a kdump file held in memory.
static void bitmap2_of(const unsigned char *f, size_t len, size_t *off,
		       size_t *size)
{
	uint32_t bs, sub, blocks;

	ck_assert_uint_gt(len, KDUMP_DH_SIZE);
	memcpy(&bs, f + KDUMP_DH_BLOCK_SIZE, 4);
	memcpy(&sub, f + KDUMP_DH_SUB_HDR_SIZE, 4);
	memcpy(&blocks, f + KDUMP_DH_BITMAP_BLOCKS, 4);
	*size = (size_t)blocks * bs / 2;
	*off = (size_t)(1 + sub) * bs + *size;
	ck_assert_uint_le(*off + *size, len);
}

START_TEST(debian_level_31_is_makedumpfiles_file)
{
	char setdir[4096], elf[4096], ref[4200];
	const char *in = elf, *out = out_path("d31.kdump");
	struct vmt_save_result r;
	struct vmt_program *prog;
	unsigned char *a, *b;
	size_t alen, blen, aoff, asize, boff, bsize, diff = 0;

	snprintf(setdir, sizeof(setdir), "%s/debian61-kaslr", dumps_dir);
	snprintf(ref, sizeof(ref), "%s/vmcore.mdf-lzo-d31.kdump", setdir);
	if (!exists(ref) || !vmt_set_elf(setdir, "debian61-kaslr", elf,
					 sizeof(elf))) {
		fprintf(stderr, "no debian61-kaslr set with its makedumpfile file: skipped\n");
		return;
	}
	if (!vmt_save_compression_available(VMT_SAVE_LZO)) {
		fprintf(stderr, "built without LZO: skipped\n");
		return;
	}
	prog = open_prog(&in, 1);
	save(prog, 31, VMT_SAVE_KDUMP, VMT_SAVE_LZO, &out, 1, &r);
	vmt_program_destroy(prog);
	a = slurp(out, &alen);
	b = slurp(ref, &blen);
	bitmap2_of(a, alen, &aoff, &asize);
	bitmap2_of(b, blen, &boff, &bsize);
	ck_assert_uint_eq(asize, bsize);
	for (size_t i = 0; i < asize * 8; i++)
		if ((a[aoff + i / 8] ^ b[boff + i / 8]) >> (i % 8) & 1) {
			if (diff++ < 10)
				fprintf(stderr, "PFN %#zx: bitmap 2 differs\n", i);
		}
	ck_assert_uint_eq(diff, 0);
	fprintf(stderr, "debian61-kaslr -d 31 -l: %" PRIu64 " pages kept, bitmap 2 identical over %zu PFNs; file %s\n",
		r.kept_pages, asize * 8,
		alen == blen && !memcmp(a, b, alen) ? "identical" : "differs");
	ck_assert_uint_eq(alen, blen);
	ck_assert(!memcmp(a, b, alen));
	free(a);
	free(b);
	unlink(out);
}
END_TEST

// What a level keeps, checked page by page against the input.
static int check_levels(const char *set, const char *input)
{
	const char *in = input;
	const char *o0 = out_path("l0.kdump"), *o1 = out_path("l1.kdump");
	const char *o17 = out_path("l17.kdump");
	struct vmt_program *prog = open_prog(&in, 1);
	struct vmt_save_result r0, r1, r17;
	struct vmt_mem_usage u;
	struct vmt_meminfo mi;
	struct dump *d0, *d1, *d17;
	const struct vmt_dump_info *info = vmt_program_dump_info(prog);
	uint64_t ps = info->page_size, zero_off = 0, nzero = 0, nfree = 0;
	unsigned char *page = malloc(ps);
	int bad = 0;

	vmt_ck_no_err(vmt_program_mem_usage(prog, false, &u));
	// No offline or poisoned page: level 0 must keep all of RAM.
	ck_assert_uint_eq(u.pages[VMT_PAGE_OFFLINE], 0);
	ck_assert_uint_eq(u.hwpoison_pages, 0);
	save(prog, 0, VMT_SAVE_KDUMP, VMT_SAVE_NONE, &o0, 1, &r0);
	save(prog, 1, VMT_SAVE_KDUMP, VMT_SAVE_ZLIB, &o1, 1, &r1);
	save(prog, 17, VMT_SAVE_KDUMP, VMT_SAVE_ZLIB, &o17, 1, &r17);
	vmt_ck_no_err(dump_open(&o0, 1, &d0));
	vmt_ck_no_err(dump_open(&o1, 1, &d1));
	vmt_ck_no_err(dump_open(&o17, 1, &d17));
	for (size_t i = 0; i < info->nr_phys_ranges; i++) {
		const struct vmt_phys_range *rg = &info->phys_ranges[i];

		for (uint64_t a = rg->start / ps * ps; a < rg->end; a += ps) {
			struct dump_location l0, l1, l17;
			struct vmt_page pg;
			bool zero = true;

			vmt_ck_no_err(vmt_program_read_phys(prog, a, page, ps));
			for (uint64_t k = 0; k < ps && zero; k++)
				zero = !page[k];
			vmt_ck_no_err(dump_locate(d0, a, &l0));
			vmt_ck_no_err(dump_locate(d1, a, &l1));
			vmt_ck_no_err(dump_locate(d17, a, &l17));
			vmt_ck_no_err(vmt_program_page(prog, a / ps, &pg));
			if (l0.state != DUMP_PAGE_PRESENT ||
			    l1.state != DUMP_PAGE_PRESENT) {
				if (bad++ < 10)
					fprintf(stderr, "%s: %#" PRIx64 " missing at level 0 or 1\n",
						set, a);
				continue;
			}
			// Level 1: zero pages, and only they, share a block.
			if (zero) {
				if (!nzero++)
					zero_off = l1.file_offset;
				if (l1.file_offset != zero_off || l1.compressed)
					bad++;
			} else if (nzero && l1.file_offset == zero_off) {
				bad++;
			}
			nfree += pg.cls == VMT_PAGE_FREE;
			if ((l17.state == DUMP_PAGE_PRESENT) ==
			    (pg.cls == VMT_PAGE_FREE)) {
				if (bad++ < 10)
					fprintf(stderr, "%s: %#" PRIx64 " is %s but %s at level 17\n",
						set, a, vmt_page_class_name(pg.cls),
						l17.state == DUMP_PAGE_PRESENT ?
							"kept" : "excluded");
			}
		}
	}
	ck_assert_uint_eq(r0.kept_pages, r0.ram_pages);
	ck_assert_uint_eq(r1.kept_pages, r0.kept_pages);
	ck_assert_uint_eq(r1.zero_pages, nzero);
	ck_assert_uint_eq(r17.excluded[VMT_PAGE_FREE], nfree);
	ck_assert_uint_eq(r17.kept_pages + nfree, r0.kept_pages);
	vmt_ck_no_err(vmt_program_meminfo(prog, &mi));
	if (mi.counter_free.known) {
		uint64_t c = mi.counter_free.pages;

		fprintf(stderr, "%s: level 17 excluded %" PRIu64 " free pages, NR_FREE_PAGES %" PRIu64 "\n",
			set, nfree, c);
		ck_assert_uint_le(c > nfree ? c - nfree : nfree - c, 256);
	}
	fprintf(stderr, "%s: levels 0/1/17 keep %" PRIu64 "/%" PRIu64 "/%" PRIu64
		" of %" PRIu64 " pages (%" PRIu64 " zero, %" PRIu64 " free)\n",
		set, r0.kept_pages, r1.kept_pages, r17.kept_pages, r0.ram_pages,
		nzero, nfree);
	dump_destroy(d0);
	dump_destroy(d1);
	dump_destroy(d17);
	free(page);
	vmt_program_destroy(prog);
	unlink(o0);
	unlink(o1);
	unlink(o17);
	return bad;
}

START_TEST(levels_keep_their_page_sets)
{
	struct dirent *de;
	DIR *top = opendir(dumps_dir);
	int sets = 0, bad = 0;

	ck_assert_ptr_nonnull(top);
	while ((de = readdir(top))) {
		char setdir[4096], input[4200];

		if (de->d_name[0] == '.')
			continue;
		snprintf(setdir, sizeof(setdir), "%s/%s", dumps_dir, de->d_name);
		if (!set_input(setdir, de->d_name, input, sizeof(input)))
			continue;
		sets++;
		bad += check_levels(de->d_name, input);
	}
	closedir(top);
	ck_assert_int_gt(sets, 0);
	ck_assert_int_eq(bad, 0);
}
END_TEST

#ifdef HAVE_LIBKDUMPFILE
// libkdumpfile reads @p paths; every RAM page must read as vmtool reads
// it from the input, or be missing exactly where vmtool finds it missing
// in the output. libkdumpfile 0.5.1 reads the page just below a PT_LOAD
// as zeros (QEMU's own ELF too): counted apart, allowed only for ELF.
static int compare_with_libkdumpfile(struct vmt_program *in,
				     const char *const *paths, size_t n,
				     bool elf, const char *what)
{
	const struct vmt_dump_info *info = vmt_program_dump_info(in);
	uint64_t ps = info->page_size, pages = 0, missing = 0, quirk = 0;
	unsigned char *want = malloc(ps), *got = malloc(ps);
	struct vmt_program *out = open_prog(paths, n);
	kdump_ctx_t *ctx = kdump_new();
	int fds[8], bad = 0;

	for (size_t i = 0; i < n; i++)
		fds[i] = open(paths[i], O_RDONLY);
	ck_assert_msg(kdump_open_fdset(ctx, (unsigned int)n, fds) == KDUMP_OK,
		      "%s: libkdumpfile: %s", what, kdump_get_err(ctx));
	for (size_t i = 0; i < info->nr_phys_ranges; i++) {
		const struct vmt_phys_range *rg = &info->phys_ranges[i];

		for (uint64_t a = rg->start / ps * ps; a < rg->end; a += ps) {
			size_t len = ps;
			kdump_status st = kdump_read(ctx, KDUMP_MACHPHYSADDR, a,
						     got, &len);
			struct vmt_error *err;
			bool ours;

			err = vmt_program_read_phys(out, a, want, ps);
			ours = !err;
			vmt_error_destroy(err);
			vmt_ck_no_err(vmt_program_read_phys(in, a, want, ps));
			pages++;
			if (st == KDUMP_OK && len == ps && ours) {
				if (memcmp(want, got, ps) && bad++ < 10)
					fprintf(stderr, "%s: %#" PRIx64 " differs\n",
						what, a);
				continue;
			}
			if (st != KDUMP_OK && !ours) {
				missing++;
				continue;
			}
			if (st == KDUMP_OK && !ours && elf) {
				bool zero = true;

				for (uint64_t k = 0; k < ps && zero; k++)
					zero = !got[k];
				err = vmt_program_read_phys(out, a + ps, want, ps);
				if (zero && !err) {
					quirk++;
					continue;
				}
				vmt_error_destroy(err);
			}
			if (bad++ < 10)
				fprintf(stderr, "%s: %#" PRIx64 ": libkdumpfile %s, vmtool %s\n",
					what, a, st == KDUMP_OK ? "reads it" :
					kdump_get_err(ctx), ours ? "reads it" :
					"does not");
		}
	}
	fprintf(stderr, "%s: libkdumpfile read %" PRIu64 " pages: %" PRIu64
		" as vmtool, %" PRIu64 " missing in both, %" PRIu64
		" zero pages below a PT_LOAD (libkdumpfile quirk), %d mismatches\n",
		what, pages, pages - missing - quirk, missing, quirk, bad);
	kdump_free(ctx);
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	vmt_program_destroy(out);
	free(want);
	free(got);
	return bad;
}
#endif

static bool have_makedumpfile(void)
{
	return !system("makedumpfile -v > /dev/null 2>&1");
}

static int check_interop(const char *set, const char *input, bool all_comps)
{
	static const enum vmt_save_compression comps[] = {
		VMT_SAVE_ZLIB, VMT_SAVE_LZO, VMT_SAVE_SNAPPY, VMT_SAVE_ZSTD,
	};
	const char *in = input;
	struct vmt_program *prog = open_prog(&in, 1);
	struct vmt_save_result r;
	const char *k = out_path("i.kdump");
	const char *parts[3] = { out_path("i.1"), out_path("i.2"), out_path("i.3") };
	const char *e = out_path("i.elf");
	int bad = 0;

	(void)set;
	for (size_t c = 0; c < sizeof(comps) / sizeof(comps[0]); c++) {
		// Every compressor on the small set, one on the big one.
		if (!vmt_save_compression_available(comps[c]) ||
		    (!all_comps && comps[c] != VMT_SAVE_LZO))
			continue;
		save(prog, 31, VMT_SAVE_KDUMP, comps[c], &k, 1, &r);
#ifdef HAVE_LIBKDUMPFILE
		{
			char what[256];

			snprintf(what, sizeof(what), "%s -d 31 %s", set,
				 vmt_save_compression_name(comps[c]));
			bad += compare_with_libkdumpfile(prog, &k, 1, false, what);
		}
#endif
	}
	// The flattened stream, replayed by makedumpfile -R, is the file.
	if (have_makedumpfile()) {
		struct vmt_save_options o = { .dump_level = 31, .compression = VMT_SAVE_ZLIB,
					      .flattened = true };
		const char *flat = out_path("i.flat"), *rearranged = out_path("i.R");
		unsigned char *a, *b;
		size_t alen, blen;
		char cmd[2000];

		o.fd = open(flat, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		ck_assert_int_ge(o.fd, 0);
		vmt_ck_no_err(vmt_program_save(prog, &o, &r));
		close(o.fd);
		save(prog, 31, VMT_SAVE_KDUMP, VMT_SAVE_ZLIB, &k, 1, &r);
		unlink(rearranged);
		snprintf(cmd, sizeof(cmd), "makedumpfile -R '%s' < '%s' > /dev/null 2>&1",
			 rearranged, flat);
		ck_assert_int_eq(system(cmd), 0);
		a = slurp(k, &alen);
		b = slurp(rearranged, &blen);
		ck_assert_uint_eq(alen, blen);
		ck_assert_msg(!memcmp(a, b, alen),
			      "%s: makedumpfile -R of the flattened stream differs from the file",
			      set);
		fprintf(stderr, "%s: makedumpfile -R of save -F is save's file (%zu bytes)\n",
			set, alen);
		free(a);
		free(b);
		unlink(flat);
		unlink(rearranged);
	}
	save(prog, 0, VMT_SAVE_KDUMP, VMT_SAVE_ZLIB, parts, 3, &r);
	save(prog, 31, VMT_SAVE_ELF, VMT_SAVE_NONE, &e, 1, &r);
#ifdef HAVE_LIBKDUMPFILE
	{
		char what[256];

		snprintf(what, sizeof(what), "%s -d 0 --split 3", set);
		bad += compare_with_libkdumpfile(prog, parts, 3, false, what);
		snprintf(what, sizeof(what), "%s -E -d 31", set);
		bad += compare_with_libkdumpfile(prog, &e, 1, true, what);
	}
#endif
	vmt_program_destroy(prog);
	unlink(k);
	unlink(e);
	for (int i = 0; i < 3; i++)
		unlink(parts[i]);
	return bad;
}

START_TEST(other_tools_read_what_save_writes)
{
	static const char *const sets[] = { "debian61-kaslr", "k612-64k-va52" };
	int done = 0, bad = 0;

	for (size_t i = 0; i < 2; i++) {
		char setdir[4096], input[4200];

		snprintf(setdir, sizeof(setdir), "%s/%s", dumps_dir, sets[i]);
		if (!set_input(setdir, sets[i], input, sizeof(input)))
			continue;
		done++;
		bad += check_interop(sets[i], input, i == 1);
	}
	if (!done)
		fprintf(stderr, "neither debian61-kaslr nor k612-64k-va52: skipped\n");
	ck_assert_int_eq(bad, 0);
}
END_TEST

// Remove what a failed test left behind (its files are not unlinked).
static void cleanup_out_dir(void)
{
	struct dirent *de;
	DIR *d = opendir(out_dir);

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlink(out_path(de->d_name));
	if (d)
		closedir(d);
	rmdir(out_dir);
}

int main(void)
{
	Suite *s;
	TCase *tc;
	const char *cache = getenv("VMTOOL_CACHE");
	int rc;

	dumps_dir = vmt_shared_dumps();
	if (!dumps_dir) {
		printf("VMTOOL_SHARED_DUMPS is not set: no real dumps to save, skipping\n");
		return 77;
	}
	snprintf(out_dir, sizeof(out_dir), "%s/save-real-XXXXXX",
		 cache && *cache ? cache : "/tmp");
	if (cache && *cache)
		mkdir(cache, 0755);
	if (!mkdtemp(out_dir)) {
		perror(out_dir);
		return 1;
	}
	s = suite_create("save_real");
	tc = tcase_create("real");
	tcase_set_timeout(tc, 1800);
	tcase_add_test(tc, debian_level_31_is_makedumpfiles_file);
	tcase_add_test(tc, levels_keep_their_page_sets);
	tcase_add_test(tc, other_tools_read_what_save_writes);
	suite_add_tcase(s, tc);
	rc = vmt_ck_run(s);
	cleanup_out_dir();
	return rc;
}
