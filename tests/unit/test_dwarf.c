// DWARF types: the same C definitions are compiled into this program
// (for offsetof and bitfield positions) and, at test time, by gcc -g into
// a small executable that dwarf_typedb_create reads.
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "debuginfo/debuginfo.h"
#include "debuginfo/dwarf_lines.h"

// Defines the types here and keeps their text for gcc.
#define TYPES_AND_TEXT(...)   \
	__VA_ARGS__           \
	static const char types_text[] = #__VA_ARGS__;

TYPES_AND_TEXT(
	enum dw_color { DW_RED = 0, DW_GREEN = 5, DW_NEG = -3 };
	typedef unsigned long dw_ulong;
	typedef const dw_ulong dw_cul;
	struct dw_opaque;
	struct dw_list { struct dw_list *next, *prev; };
	struct dw_node {
		struct dw_node *self;
		int value;
		unsigned int flags : 3;
		unsigned int mode : 5;
		signed int delta : 7;
		char name[6];
		short grid[2][3];
		union {
			long u_long;
			struct { int a_lo; int a_hi; };
		};
		struct dw_list list;
		enum dw_color color;
		dw_cul count;
		volatile int *vp;
		char *const cp;
		struct dw_opaque *opaque;
		int (*fn)(int);
		_Bool ok;
		double dbl;
		unsigned long long big : 40;
		unsigned long long rest : 24;
		char tail[];
	};
	typedef struct dw_node dw_node_t;
	union dw_un { int i; char c[12]; };
)

// The definition of dw_opaque lives in a second compilation unit.
static const char opaque_text[] =
	"struct dw_opaque { long x; int y; };\n"
	"struct dw_opaque dw_opaque_var;\n"
	"char dw_banner[] = \"banner\";\n";

static const char vars_text[] =
	"\nstruct dw_node *dw_node_p; dw_node_t *dw_node_tp;"
	" union dw_un dw_un_v; enum dw_color dw_color_v;\n"
	"extern char dw_banner[]; extern struct dw_opaque dw_opaque_var;\n"
	"char *dw_use(void) { return dw_banner; }\n"
	"void *dw_use2(void) { return &dw_opaque_var; }\n"
	"int main(void) { return 0; }\n";

static char workdir[256];

// Compile the two CUs with @p dwarf_flag; returns the executable's path.
static bool build(const char *dwarf_flag, char *out, size_t out_size)
{
	char a[300], b[300], cmd[2400];
	FILE *f;

	snprintf(a, sizeof(a), "%s/types.c", workdir);
	snprintf(b, sizeof(b), "%s/opaque.c", workdir);
	snprintf(out, out_size, "%s/types%s.elf", workdir, dwarf_flag);
	f = fopen(a, "w");
	ck_assert(f);
	fprintf(f, "%s%s", types_text, vars_text);
	fclose(f);
	f = fopen(b, "w");
	ck_assert(f);
	fputs(opaque_text, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "gcc -O0 -g %s -o '%s' '%s' '%s' 2>'%s/gcc.log'", dwarf_flag,
		 out, a, b, workdir);
	return system(cmd) == 0;
}

// Bit offset and width of a bitfield, found by setting it in a zeroed
// object and looking at which bits changed (little-endian host).
#define BITFIELD(member, off_ret, size_ret)                                \
	do {                                                               \
		struct dw_node n;                                          \
		const uint8_t *p = (const uint8_t *)&n;                    \
		int first = -1, last = -1;                                 \
		memset(&n, 0, sizeof(n));                                  \
		n.member = 0;                                              \
		n.member--; /* all ones, whatever the width */       \
		for (int i = 0; i < (int)sizeof(n) * 8; i++)               \
			if (p[i / 8] >> (i % 8) & 1) {                     \
				if (first < 0)                             \
					first = i;                         \
				last = i;                                  \
			}                                                  \
		*(off_ret) = (uint64_t)first;                              \
		*(size_ret) = (uint32_t)(last - first + 1);                \
	} while (0)

static void check_types(const char *path)
{
	struct typedb *db;
	const struct vmt_type *node, *t;
	const struct vmt_type_member *m;
	uint64_t bits, want_off;
	uint32_t want_size;
	char name[128];

	vmt_ck_no_err(dwarf_typedb_create(path, &db));
	vmt_ck_no_err(typedb_find(db, "struct dw_node", &node));
	ck_assert_int_eq(node->kind, VMT_TYPE_STRUCT);
	ck_assert_uint_eq(node->size, sizeof(struct dw_node));
	ck_assert_uint_eq(node->nr_members, 20);

#define AT(path_, field)                                                   \
	do {                                                               \
		vmt_ck_no_err(type_member(node, path_, &bits, &m));        \
		ck_assert_msg(bits == 8 * offsetof(struct dw_node, field), \
			      "%s: %s at bit %" PRIu64 ", want %zu", path, \
			      path_, bits,                                 \
			      8 * offsetof(struct dw_node, field));        \
		ck_assert_uint_eq(m->bit_size, 0);                         \
	} while (0)
	AT("self", self);
	AT("value", value);
	AT("name", name);
	AT("grid", grid);
	AT("u_long", u_long);
	AT("a_lo", a_lo);
	AT("a_hi", a_hi);
	AT("list", list);
	AT("list.prev", list.prev);
	AT("color", color);
	AT("count", count);
	AT("vp", vp);
	AT("cp", cp);
	AT("opaque", opaque);
	AT("fn", fn);
	AT("ok", ok);
	AT("dbl", dbl);
	AT("tail", tail);
#undef AT

#define BITS(path_)                                                         \
	do {                                                                \
		BITFIELD(path_, &want_off, &want_size);                     \
		vmt_ck_no_err(type_member(node, #path_, &bits, &m));        \
		ck_assert_msg(bits == want_off && m->bit_size == want_size, \
			      "%s: " #path_ " at %" PRIu64 ":%u, want %" PRIu64 \
			      ":%u", path, bits, m->bit_size, want_off,     \
			      want_size);                                   \
	} while (0)
	BITS(flags);
	BITS(mode);
	BITS(delta);
	BITS(big);
	BITS(rest);
#undef BITS

	// Member types.
	vmt_ck_no_err(type_member(node, "self", &bits, &m));
	ck_assert_int_eq(m->type->kind, VMT_TYPE_POINTER);
	ck_assert_ptr_eq(m->type->target, node); // cycle resolved once
	vmt_ck_no_err(type_member(node, "grid", &bits, &m));
	ck_assert_uint_eq(m->type->nelems, 2);
	ck_assert_uint_eq(m->type->size, sizeof(((struct dw_node *)0)->grid));
	ck_assert_uint_eq(m->type->target->nelems, 3);
	ck_assert_uint_eq(m->type->target->size, 3 * sizeof(short));
	type_name(m->type, name, sizeof(name));
	ck_assert_str_eq(name, "short int [2][3]");
	vmt_ck_no_err(type_member(node, "tail", &bits, &m));
	ck_assert_int_eq(m->type->kind, VMT_TYPE_ARRAY);
	ck_assert_uint_eq(m->type->nelems, 0);
	vmt_ck_no_err(type_member(node, "count", &bits, &m));
	ck_assert_int_eq(m->type->kind, VMT_TYPE_TYPEDEF);
	ck_assert_uint_eq(m->type->size, sizeof(dw_cul));
	ck_assert_int_eq(m->type->target->kind, VMT_TYPE_CONST);
	ck_assert_str_eq(m->type->target->target->name, "dw_ulong");
	ck_assert_str_eq(type_strip(m->type)->name, "long unsigned int");
	vmt_ck_no_err(type_member(node, "vp", &bits, &m));
	type_name(m->type, name, sizeof(name));
	ck_assert_str_eq(name, "volatile int *");
	vmt_ck_no_err(type_member(node, "cp", &bits, &m));
	type_name(m->type, name, sizeof(name));
	ck_assert_str_eq(name, "char *const");
	vmt_ck_no_err(type_member(node, "fn", &bits, &m));
	ck_assert_int_eq(m->type->target->kind, VMT_TYPE_FUNCTION);
	vmt_ck_no_err(type_member(node, "ok", &bits, &m));
	ck_assert_int_eq(m->type->kind, VMT_TYPE_BOOL);
	vmt_ck_no_err(type_member(node, "dbl", &bits, &m));
	ck_assert_int_eq(m->type->kind, VMT_TYPE_FLOAT);
	// Declared here, defined in the other CU: through the pointer it stays
	// a declaration; looked up by name, the definition is found.
	vmt_ck_no_err(type_member(node, "opaque", &bits, &m));
	ck_assert_int_eq(m->type->target->kind, VMT_TYPE_FWD);
	ck_assert_str_eq(m->type->target->name, "dw_opaque");
	vmt_ck_no_err(typedb_find(db, m->type->target->name, &t));
	ck_assert_int_eq(t->kind, VMT_TYPE_STRUCT);
	ck_assert_uint_eq(t->size, 16);
	ck_assert_uint_eq(t->nr_members, 2);

	vmt_ck_no_err(typedb_find(db, "enum dw_color", &t));
	ck_assert_uint_eq(t->size, sizeof(enum dw_color));
	ck_assert(t->is_signed);
	ck_assert_uint_eq(t->nr_enumerators, 3);
	ck_assert_str_eq(t->enumerators[1].name, "DW_GREEN");
	ck_assert_int_eq(t->enumerators[1].value, DW_GREEN);
	ck_assert_int_eq(t->enumerators[2].value, DW_NEG);

	vmt_ck_no_err(typedb_find(db, "dw_node_t", &t));
	ck_assert_int_eq(t->kind, VMT_TYPE_TYPEDEF);
	ck_assert_ptr_eq(t->target, node);
	vmt_ck_no_err(typedb_find(db, "dw_un", &t));
	ck_assert_int_eq(t->kind, VMT_TYPE_UNION);
	ck_assert_uint_eq(t->size, sizeof(union dw_un));
	vmt_ck_no_err(typedb_find(db, "struct dw_opaque", &t));
	ck_assert_uint_eq(t->size, 16);
	vmt_ck_err(typedb_find(db, "struct dw_nothing", &t),
		   VMT_ERROR_NOT_FOUND);
	// Variables: their types; a definition (a sized array, a complete
	// struct) over another unit's extern declaration.
	vmt_ck_no_err(typedb_var_type(db, "dw_node_p", &t, NULL));
	ck_assert_int_eq(t->kind, VMT_TYPE_POINTER);
	ck_assert_ptr_eq(type_strip(t->target), node);
	vmt_ck_no_err(typedb_var_type(db, "dw_node_tp", &t, NULL));
	ck_assert_int_eq(type_strip(t)->kind, VMT_TYPE_POINTER);
	vmt_ck_no_err(typedb_var_type(db, "dw_color_v", &t, NULL));
	ck_assert_int_eq(t->kind, VMT_TYPE_ENUM);
	vmt_ck_no_err(typedb_var_type(db, "dw_banner", &t, NULL));
	ck_assert_int_eq(t->kind, VMT_TYPE_ARRAY);
	ck_assert_uint_eq(t->nelems, 7);
	vmt_ck_no_err(typedb_var_type(db, "dw_opaque_var", &t, NULL));
	ck_assert_int_eq(t->kind, VMT_TYPE_STRUCT);
	ck_assert_uint_eq(t->nr_members, 2);
	vmt_ck_err(typedb_var_type(db, "dw_no_such_var", &t, NULL),
		   VMT_ERROR_NOT_FOUND);
	// A type name is no variable, nor a variable a type.
	vmt_ck_err(typedb_var_type(db, "dw_node_t", &t, NULL),
		   VMT_ERROR_NOT_FOUND);
	vmt_ck_err(typedb_find(db, "dw_color_v", &t), VMT_ERROR_NOT_FOUND);
	typedb_destroy(db);
}

static void run_variant(const char *flag)
{
	char path[400];

	ck_assert_msg(build(flag, path, sizeof(path)), "gcc %s failed (see %s/gcc.log)",
		      flag, workdir);
	check_types(path);
}

START_TEST(layout_dwarf5)
{
	run_variant("-gdwarf-5");
}
END_TEST

START_TEST(layout_dwarf4)
{
	run_variant("-gdwarf-4");
}
END_TEST

START_TEST(layout_dwarf2)
{
	// DWARF 2/3 describe bitfields with DW_AT_bit_offset/byte_size.
	run_variant("-gdwarf-2");
}
END_TEST

START_TEST(rejects_files_without_dwarf)
{
	char path[300];
	struct typedb *db;
	FILE *f;

	vmt_ck_err(dwarf_typedb_create("/nonexistent/vmlinux", &db),
		   VMT_ERROR_OS);
	snprintf(path, sizeof(path), "%s/not-elf", workdir);
	f = fopen(path, "w");
	ck_assert(f);
	fputs("this is not an ELF file\n", f);
	fclose(f);
	vmt_ck_err(dwarf_typedb_create(path, &db), VMT_ERROR_BAD_DATA);
}
END_TEST

static void ck_refused(struct vmt_error *err, const char *path,
		       const char *kind)
{
	ck_assert(err);
	ck_assert_int_eq(err->code, VMT_ERROR_UNSUPPORTED);
	ck_assert_msg(strstr(err->message, path) && strstr(err->message, kind),
		      "%s", err->message);
	vmt_error_destroy(err);
}

// Every reader of a vmlinux or debug file refuses a FIFO without waiting
// in open() for a writer that never comes (the test case's timeout
// catches a hang), and a directory, naming the file and its kind.
START_TEST(debug_files_that_are_not_files_are_refused)
{
	const char *kinds[2] = { "a FIFO", "a directory" };
	char paths[2][300];

	snprintf(paths[0], sizeof(paths[0]), "%s/fifo", workdir);
	ck_assert_int_eq(mkfifo(paths[0], 0600), 0);
	snprintf(paths[1], sizeof(paths[1]), "%s", workdir);
	for (int i = 0; i < 2; i++) {
		struct dwarf_lines *lines = NULL;
		struct typedb *db = NULL;
		struct symtab tab;

		ck_refused(dwarf_typedb_create(paths[i], &db), paths[i],
			   kinds[i]);
		ck_refused(elf_btf_load(paths[i], &db), paths[i], kinds[i]);
		ck_refused(dwarf_lines_open(paths[i], &lines), paths[i],
			   kinds[i]);
		symtab_init(&tab, "vmlinux");
		ck_refused(elf_symtab_load(paths[i], 0, &tab, NULL, 0),
			   paths[i], kinds[i]);
		symtab_deinit(&tab);
	}
	unlink(paths[0]);
}
END_TEST

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	Suite *s;
	TCase *tc;
	int ret;
	char cmd[300];

	if (system("gcc --version >/dev/null 2>&1") != 0) {
		printf("gcc not found: cannot build DWARF test input, skipping\n");
		return 77;
	}
	snprintf(workdir, sizeof(workdir), "%s/vmtool-dwarf-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(workdir)) {
		perror("mkdtemp");
		return 99;
	}
	s = suite_create("dwarf");
	tc = tcase_create("layout");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, layout_dwarf5);
	tcase_add_test(tc, layout_dwarf4);
	tcase_add_test(tc, layout_dwarf2);
	tcase_add_test(tc, rejects_files_without_dwarf);
	tcase_add_test(tc, debug_files_that_are_not_files_are_refused);
	suite_add_tcase(s, tc);
	ret = vmt_ck_run(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", workdir);
	return ret;
}
