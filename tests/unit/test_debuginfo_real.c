// Symbols and types from the real dumps in $VMTOOL_SHARED_DUMPS, checked
// against the guest's own /proc/kallsyms, VMCOREINFO's SIZE/OFFSET lines,
// and (where the set ships one) the vmlinux's DWARF and ELF symbols.
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"
#include "debuginfo/debuginfo.h"
#include "dump/dump.h"
#include "vmcoreinfo/vmcoreinfo.h"

struct set {
	char name[256];
	char dir[1024];
	struct dump *dump;
	struct vmcoreinfo vi;
	uint64_t kimage_voffset;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Kernel image addresses: PA = VA - kimage_voffset.
static struct vmt_error *read_kimage(void *arg, uint64_t vaddr, void *buf,
				     size_t len)
{
	struct set *s = arg;

	return dump_read_phys(s->dump, vaddr - s->kimage_voffset, buf, len);
}

static bool exists(const char *path)
{
	return access(path, R_OK) == 0;
}

// Decompress @p xz into @p out once (name.tmp, then rename).
static bool unxz(const char *xz, const char *out)
{
	char cmd[4000], tmp[1600];

	if (exists(out))
		return true;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", out, (long)getpid());
	snprintf(cmd, sizeof(cmd), "xz -dkc '%s' > '%s'", xz, tmp);
	if (system(cmd) != 0) {
		unlink(tmp);
		return false;
	}
	return rename(tmp, out) == 0;
}

static void mkdirs(const char *path)
{
	char buf[1400];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

static void open_set(struct set *s, const char *dumps, const char *name)
{
	static const char *const files[] = {
		"vmcore.kdump-zlib", "vmcore.kdump-zlib.flat",
		"vmcore.mdf-lzo-d31.kdump",
	};
	static const char *const xz_files[] = { "vmcore.elf", "vmcore.proc.elf" };
	char path[1500] = "";
	const char *p = path;

	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->dir, sizeof(s->dir), "%s/%s", dumps, name);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", s->dir, files[i]);
		if (exists(path))
			break;
		path[0] = '\0';
	}
	// A set with only an xz-compressed ELF (a kexec capture's
	// /proc/vmcore): decompress it once into the cache.
	for (size_t i = 0; !path[0] && i < sizeof(xz_files) / sizeof(xz_files[0]);
	     i++) {
		const char *cache = getenv("VMTOOL_CACHE");
		char xz[1400], dir[1200];

		snprintf(xz, sizeof(xz), "%s/%s.xz", s->dir, xz_files[i]);
		if (!exists(xz))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", cache && *cache ? cache :
					   "/tmp/vmtool-cache", name);
		mkdirs(dir);
		snprintf(path, sizeof(path), "%s/%s", dir, xz_files[i]);
		if (!unxz(xz, path))
			path[0] = '\0';
	}
	ck_assert_msg(path[0], "%s: no dump file", name);
	vmt_ck_no_err(dump_open(&p, 1, &s->dump));
	ck_assert_msg(s->dump->vmcoreinfo, "%s: no VMCOREINFO", name);
	vmt_ck_no_err(vmcoreinfo_parse(s->dump->vmcoreinfo,
				       s->dump->vmcoreinfo_len, &s->vi));
	ck_assert(vmcoreinfo_number(&s->vi, "kimage_voffset",
				    &s->kimage_voffset));
}

static void close_set(struct set *s)
{
	vmcoreinfo_deinit(&s->vi);
	dump_destroy(s->dump);
}

// Core kernel lines of truth/kallsyms.gz ("addr type name"); module lines
// have a fourth field.
struct truth_sym {
	char *name;
	uint64_t addr;
	char type;
	bool unique;
};

static int truth_cmp(const void *a, const void *b)
{
	return strcmp(((const struct truth_sym *)a)->name,
		      ((const struct truth_sym *)b)->name);
}

static struct truth_sym *load_truth(const struct set *s, size_t *nr_ret)
{
	char path[1400], line[1024];
	struct truth_sym *syms = NULL;
	size_t nr = 0, cap = 0;
	gzFile f;

	snprintf(path, sizeof(path), "%s/truth/kallsyms.gz", s->dir);
	f = gzopen(path, "rb");
	ck_assert_msg(f, "%s: cannot open", path);
	while (gzgets(f, line, sizeof(line))) {
		char name[512], type, extra[512];
		uint64_t addr;

		if (sscanf(line, "%" SCNx64 " %c %511s %511s", &addr, &type,
			   name, extra) != 3)
			continue;
		if (nr == cap) {
			cap = cap ? cap * 2 : 4096;
			syms = realloc(syms, cap * sizeof(*syms));
			ck_assert(syms);
		}
		syms[nr].name = strdup(name);
		syms[nr].addr = addr;
		syms[nr].type = type;
		nr++;
	}
	gzclose(f);
	qsort(syms, nr, sizeof(*syms), truth_cmp);
	for (size_t i = 0; i < nr; i++)
		syms[i].unique =
			(i == 0 || strcmp(syms[i - 1].name, syms[i].name)) &&
			(i + 1 == nr || strcmp(syms[i + 1].name, syms[i].name));
	*nr_ret = nr;
	return syms;
}

static void free_truth(struct truth_sym *syms, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(syms[i].name);
	free(syms);
}

// A value from truth/kernel_symbols_derived.txt ("name link runtime T").
static bool derived_symbol(const struct set *s, const char *want,
			   uint64_t *ret)
{
	char path[1400], line[512], name[256];
	uint64_t link, runtime;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/truth/kernel_symbols_derived.txt",
		 s->dir);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%255s %" SCNx64 " %" SCNx64, name, &link,
			   &runtime) == 3 &&
		    !strcmp(name, want)) {
			*ret = runtime;
			found = true;
		}
	fclose(f);
	return found;
}

// Every SIZE(x) and OFFSET(x.y) of VMCOREINFO that names a type the BTF
// has must agree with it.
static void check_vmcoreinfo_layout(const struct set *s, struct typedb *db)
{
	size_t checked = 0, absent = 0;

	for (size_t i = 0; i < s->vi.nr_entries; i++) {
		const char *key = s->vi.entries[i].key;
		uint64_t want = strtoull(s->vi.entries[i].value, NULL, 10);
		char tname[128], *dot;
		const struct vmt_type *t;
		const struct vmt_type_member *m;
		struct vmt_error *err;
		uint64_t bits;
		bool is_size = !strncmp(key, "SIZE(", 5);

		if (!is_size && strncmp(key, "OFFSET(", 7))
			continue;
		snprintf(tname, sizeof(tname), "%s", key + (is_size ? 5 : 7));
		tname[strcspn(tname, ")")] = '\0';
		dot = strchr(tname, '.');
		if (dot)
			*dot = '\0';
		err = typedb_find(db, tname, &t);
		if (err) {
			// e.g. SIZE(mem_section) where the BTF lacks it.
			vmt_error_destroy(err);
			absent++;
			continue;
		}
		if (is_size) {
			ck_assert_msg(t->size == want,
				      "%s: %s: BTF size %" PRIu64 ", want %" PRIu64,
				      s->name, key, t->size, want);
		} else {
			vmt_ck_no_err(type_member(t, dot + 1, &bits, &m));
			ck_assert_msg(bits == want * 8,
				      "%s: %s: BTF bit offset %" PRIu64
				      ", want %" PRIu64 " bytes",
				      s->name, key, bits, want);
		}
		checked++;
	}
	printf("%s: VMCOREINFO SIZE/OFFSET agreeing with BTF: %zu (%zu "
	       "naming types absent from BTF)\n",
	       s->name, checked, absent);
	ck_assert_uint_gt(checked, 30);
}


// Members of @p a and @p b agree one for one, recursing into anonymous
// struct/union members.
static size_t compare_members(const char *set, const char *what,
			      const struct vmt_type *a,
			      const struct vmt_type *b)
{
	size_t n = 0;

	ck_assert_msg(a->nr_members == b->nr_members,
		      "%s: %s: %zu DWARF members, %zu BTF", set, what,
		      a->nr_members, b->nr_members);
	ck_assert_msg(a->size == b->size, "%s: %s: size %" PRIu64 " vs %" PRIu64,
		      set, what, a->size, b->size);
	for (size_t i = 0; i < a->nr_members; i++) {
		const struct vmt_type_member *x = &a->members[i];
		const struct vmt_type_member *y = &b->members[i];
		const struct vmt_type *xt = type_strip(x->type);
		const struct vmt_type *yt = type_strip(y->type);

		ck_assert_msg((!x->name && !y->name) ||
				      (x->name && y->name &&
				       !strcmp(x->name, y->name)),
			      "%s: %s member %zu: %s vs %s", set, what, i,
			      x->name ? x->name : "(anon)",
			      y->name ? y->name : "(anon)");
		ck_assert_msg(x->bit_offset == y->bit_offset &&
				      x->bit_size == y->bit_size,
			      "%s: %s.%s: bits %" PRIu64 ":%u vs %" PRIu64 ":%u",
			      set, what, x->name ? x->name : "(anon)",
			      x->bit_offset, x->bit_size, y->bit_offset,
			      y->bit_size);
		ck_assert_msg(xt->size == yt->size,
			      "%s: %s.%s: size %" PRIu64 " vs %" PRIu64, set,
			      what, x->name ? x->name : "(anon)", xt->size,
			      yt->size);
		n++;
		if (!x->name && (xt->kind == VMT_TYPE_STRUCT ||
				 xt->kind == VMT_TYPE_UNION))
			n += compare_members(set, what, xt, yt);
	}
	return n;
}

static void check_vmlinux(struct set *s, struct typedb *btf,
			  const struct symtab *kallsyms,
			  const struct truth_sym *truth, size_t nr_truth)
{
	static const char *const types[] = {
		"struct task_struct",	 "struct mm_struct", "struct vm_area_struct",
		"struct maple_tree",	 "struct file",	     "struct dentry",
	};
	char xz[1400], dir[1400], out[1500], build_id[129];
	const char *cache = getenv("VMTOOL_CACHE");
	const char *want_id = vmcoreinfo_get(&s->vi, "BUILD-ID");
	struct typedb *dw;
	struct symtab elf;
	uint64_t kaslr = 0;
	size_t compared = 0, sampled = 0;
	double t0;

	snprintf(xz, sizeof(xz), "%s/vmlinux.xz", s->dir);
	if (!exists(xz)) {
		printf("%s: no vmlinux in the set; DWARF/ELF checks skipped\n",
		       s->name);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%s", cache && *cache ? cache :
				   "/tmp/vmtool-cache", s->name);
	mkdirs(dir);
	snprintf(out, sizeof(out), "%s/vmlinux", dir);
	if (!unxz(xz, out)) {
		printf("%s: cannot decompress %s (xz missing?); DWARF/ELF "
		       "checks skipped\n", s->name, xz);
		return;
	}

	t0 = now();
	vmt_ck_no_err(dwarf_typedb_create(out, &dw));
	printf("%s: DWARF index %.3f s\n", s->name, now() - t0);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct vmt_type *a, *b;

		vmt_ck_no_err(typedb_find(dw, types[i], &a));
		vmt_ck_no_err(typedb_find(btf, types[i], &b));
		compared += compare_members(s->name, types[i], a, b);
	}
	printf("%s: DWARF and BTF agree on %zu members of %zu types\n",
	       s->name, compared, sizeof(types) / sizeof(types[0]));
	typedb_destroy(dw);

	ck_assert(vmcoreinfo_kerneloffset(&s->vi, &kaslr));
	symtab_init(&elf, "elf");
	vmt_ck_no_err(elf_symtab_load(out, kaslr, &elf, build_id,
				      sizeof(build_id)));
	ck_assert_msg(want_id && !strcmp(build_id, want_id),
		      "%s: vmlinux build-id %s, VMCOREINFO %s", s->name,
		      build_id, want_id ? want_id : "(none)");
	// Every 37th unique kallsyms symbol: ELF gives the same address.
	for (size_t i = 0; i < nr_truth; i += 37) {
		const struct symtab_entry *e;

		if (!truth[i].unique)
			continue;
		e = symtab_lookup_name(&elf, truth[i].name);
		if (!e) // generated by the final link (kallsyms tables ...)
			continue;
		ck_assert_msg(e->address == truth[i].addr,
			      "%s: ELF %s = %#" PRIx64 ", kallsyms %#" PRIx64,
			      s->name, truth[i].name, e->address,
			      truth[i].addr);
		ck_assert_msg(symtab_lookup_name(kallsyms, truth[i].name)
					      ->address == e->address,
			      "%s: %s", s->name, truth[i].name);
		ck_assert_msg(e->type == truth[i].type,
			      "%s: ELF %s type %c, kallsyms %c", s->name,
			      truth[i].name, e->type, truth[i].type);
		sampled++;
	}
	printf("%s: ELF .symtab (KERNELOFFSET %#" PRIx64 ") agrees with "
	       "kallsyms on %zu sampled symbols; build-id %s matches\n",
	       s->name, kaslr, sampled, build_id);
	ck_assert_uint_gt(sampled, 100);
	symtab_deinit(&elf);
}

static void check_set(const char *dumps, const char *name)
{
	struct set s = { 0 };
	struct symtab ks;
	struct truth_sym *truth;
	size_t nr_truth, unique = 0, matched = 0, types_ok = 0;
	uint64_t stext, start_btf;
	const struct vmt_type *task;
	struct typedb *btf;
	char how[200];
	void *data;
	size_t size;
	double t0, t_ks, t_find, t_parse;

	open_set(&s, dumps, name);

	symtab_init(&ks, "kallsyms");
	t0 = now();
	vmt_ck_no_err(kallsyms_load(read_kimage, NULL, &s, &s.vi, &ks));
	t_ks = now() - t0;

	truth = load_truth(&s, &nr_truth);
	ck_assert_uint_eq(ks.nr, nr_truth);
	for (size_t i = 0; i < nr_truth; i++) {
		const struct symtab_entry *e;

		if (!truth[i].unique)
			continue;
		unique++;
		e = symtab_lookup_name(&ks, truth[i].name);
		ck_assert_msg(e, "%s: %s missing", name, truth[i].name);
		ck_assert_msg(e->address == truth[i].addr,
			      "%s: %s at %#" PRIx64 ", truth %#" PRIx64, name,
			      truth[i].name, e->address, truth[i].addr);
		matched++;
		types_ok += e->type == truth[i].type;
	}
	printf("%s: kallsyms %zu symbols in %.3f s; unique names matched "
	       "%zu/%zu, types %zu/%zu\n",
	       name, ks.nr, t_ks, matched, unique, types_ok, unique);
	ck_assert_uint_eq(matched, unique);
	ck_assert_uint_eq(types_ok, unique);

	// BTF: by symbols where kallsyms has them, else by scanning.
	ck_assert(vmcoreinfo_symbol(&s.vi, "_stext", &stext));
	t0 = now();
	vmt_ck_no_err(btf_find_in_memory(read_kimage, &s, &ks, stext,
					 stext + (64u << 20), &data, &size, how,
					 sizeof(how)));
	t_find = now() - t0;
	t0 = now();
	vmt_ck_no_err(btf_typedb_create(data, size, &btf));
	t_parse = now() - t0;
	printf("%s: BTF %zu bytes found by %s in %.3f s, parsed in %.3f s\n",
	       name, size, how, t_find, t_parse);
	if (symtab_lookup_name(&ks, "__start_BTF")) {
		// The scan finds the same bytes as the symbols.
		void *scanned;
		size_t scanned_size;
		char how2[200];

		t0 = now();
		vmt_ck_no_err(btf_find_in_memory(read_kimage, &s, NULL, stext,
						 stext + (64u << 20), &scanned,
						 &scanned_size, how2,
						 sizeof(how2)));
		printf("%s: BTF also found by %s in %.3f s\n", name, how2,
		       now() - t0);
		ck_assert_uint_eq(scanned_size, size);
		ck_assert(!memcmp(scanned, data, size));
		ck_assert_uint_eq(strtoull(strstr(how2, "0x"), NULL, 16),
				  symtab_lookup_name(&ks, "__start_BTF")->address);
		free(scanned);
	} else {
		// The scan must land where System.map says BTF starts.
		ck_assert(derived_symbol(&s, "__start_BTF", &start_btf));
		ck_assert_msg(strstr(how, "scan"), "%s", how);
		uint64_t found = strtoull(strstr(how, "0x"), NULL, 16);
		ck_assert_msg(found == start_btf, "%s: scan at %#" PRIx64
			      ", __start_BTF %#" PRIx64, name, found,
			      start_btf);
	}
	vmt_ck_no_err(typedb_find(btf, "struct task_struct", &task));
	{
		static const char *const members[] = { "pid", "tgid", "comm",
						       "mm", "tasks",
						       "thread_info.flags" };
		printf("%s: struct task_struct size %" PRIu64 ":", name,
		       task->size);
		for (size_t i = 0; i < sizeof(members) / sizeof(*members);
		     i++) {
			uint64_t bits;

			vmt_ck_no_err(type_member(task, members[i], &bits,
						  NULL));
			printf(" %s@%" PRIu64, members[i], bits / 8);
		}
		printf("\n");
	}
	check_vmcoreinfo_layout(&s, btf);
	check_vmlinux(&s, btf, &ks, truth, nr_truth);

	typedb_destroy(btf);
	free(data);
	free_truth(truth, nr_truth);
	symtab_deinit(&ks);
	close_set(&s);
}

START_TEST(every_shared_dump_set)
{
	const char *dumps = vmt_shared_dumps();
	struct dirent **ents;
	int n, done = 0;

	n = scandir(dumps, &ents, NULL, alphasort);
	ck_assert_msg(n >= 0, "%s: %s", dumps, strerror(errno));
	for (int i = 0; i < n; i++) {
		char truth[1400];

		snprintf(truth, sizeof(truth), "%s/%s/truth/kallsyms.gz", dumps,
			 ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && exists(truth)) {
			check_set(dumps, ents[i]->d_name);
			done++;
		}
		free(ents[i]);
	}
	free(ents);
	ck_assert_int_gt(done, 0);
}
END_TEST

int main(void)
{
	Suite *s;
	TCase *tc;

	if (!vmt_shared_dumps()) {
		printf("VMTOOL_SHARED_DUMPS is not set: no real dumps to "
		       "check, skipping\n");
		return 77;
	}
	s = suite_create("debuginfo_real");
	tc = tcase_create("sets");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, every_shared_dump_set);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
