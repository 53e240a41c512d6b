// The typed-value layer over types built by hand and memory in a buffer:
// the gdb-style display of nested structs, arrays with repeats, strings,
// bitfields, enums, pointers and symbols; expressions (members, elements,
// *, &, casts, per-CPU variables, unknown types); unreadable memory.
#include <stdint.h>

#include "testutil.h"
#include "kernel/value.h"

#define BASE 0xffff800010000000ULL
#define OBJ (BASE + 0x100)
#define STR (BASE + 0x800)
#define ARR (BASE + 0x900)
#define FUNC 0xffff800008001000ULL
#define PCPU0 (BASE + 0xa00)
#define PCPU1 (BASE + 0xb00)
#define MYSTERY (BASE + 0xc00)

static uint8_t bytes[0x1000];
static struct vmt_fake_mem mem = { BASE, bytes, sizeof(bytes) };

static const struct vmt_type t_void = { .kind = VMT_TYPE_VOID,
					.name = "void" };
static const struct vmt_type t_int = { .kind = VMT_TYPE_INT, .name = "int",
				       .size = 4, .is_signed = true };
static const struct vmt_type t_uint = { .kind = VMT_TYPE_INT,
					.name = "unsigned int", .size = 4 };
static const struct vmt_type t_ushort = { .kind = VMT_TYPE_INT,
					  .name = "short unsigned int",
					  .size = 2 };
static const struct vmt_type t_char = { .kind = VMT_TYPE_INT,
					.name = "char", .size = 1 };
static const struct vmt_type t_long = { .kind = VMT_TYPE_INT,
					.name = "long int", .size = 8,
					.is_signed = true };
static const struct vmt_type t_int128 = { .kind = VMT_TYPE_INT,
					  .name = "__int128", .size = 16,
					  .is_signed = true };
static const struct vmt_type t_bool = { .kind = VMT_TYPE_BOOL,
					.name = "_Bool", .size = 1 };
static const struct vmt_type t_char_ptr = { .kind = VMT_TYPE_POINTER,
					    .size = 8, .target = &t_char };
static const struct vmt_type t_void_ptr = { .kind = VMT_TYPE_POINTER,
					    .size = 8, .target = &t_void };
static const struct vmt_type t_func = { .kind = VMT_TYPE_FUNCTION,
					.target = &t_void };
static const struct vmt_type t_func_ptr = { .kind = VMT_TYPE_POINTER,
					    .size = 8, .target = &t_func };
static const struct vmt_type_enumerator colors[] = {
	{ "RED", 0 }, { "GREEN", 1 }, { "BLUE", 4 },
};
static const struct vmt_type t_color = { .kind = VMT_TYPE_ENUM,
					 .name = "color", .size = 4,
					 .enumerators = colors,
					 .nr_enumerators = 3 };
static const struct vmt_type t_name8 = { .kind = VMT_TYPE_ARRAY, .size = 8,
					 .target = &t_char, .nelems = 8 };
static const struct vmt_type t_comm16 = { .kind = VMT_TYPE_ARRAY,
					  .size = 16, .target = &t_char,
					  .nelems = 16 };
static const struct vmt_type t_long3 = { .kind = VMT_TYPE_ARRAY, .size = 24,
					 .target = &t_long, .nelems = 3 };
static const struct vmt_type t_int20 = { .kind = VMT_TYPE_ARRAY, .size = 80,
					 .target = &t_int, .nelems = 20 };
static const struct vmt_type_member inner_members[] = {
	{ "x", 0, 0, &t_ushort },
	{ "c", 16, 0, &t_char },
};
static const struct vmt_type t_inner = { .kind = VMT_TYPE_STRUCT,
					 .name = "inner", .size = 4,
					 .members = inner_members,
					 .nr_members = 2 };
static const struct vmt_type t_list_head;
static const struct vmt_type t_list_ptr = { .kind = VMT_TYPE_POINTER,
					    .size = 8,
					    .target = &t_list_head };
static const struct vmt_type_member list_members[] = {
	{ "next", 0, 0, &t_list_ptr },
	{ "prev", 64, 0, &t_list_ptr },
};
static const struct vmt_type t_list_head = { .kind = VMT_TYPE_STRUCT,
					     .name = "list_head", .size = 16,
					     .members = list_members,
					     .nr_members = 2 };
static const struct vmt_type_member anon_members[] = {
	{ "u1", 0, 0, &t_int },
	{ "u2", 0, 0, &t_ushort },
};
static const struct vmt_type t_anon = { .kind = VMT_TYPE_UNION, .size = 4,
					.members = anon_members,
					.nr_members = 2 };
static const struct vmt_type_member outer_members[] = {
	{ "a", 0, 0, &t_int },
	{ "in", 32, 0, &t_inner },
	{ "name", 64, 0, &t_name8 },
	{ "arr", 128, 0, &t_long3 },
	{ "next", 320, 0, &t_list_ptr },
	{ "e", 384, 0, &t_color },
	{ "flag", 416, 0, &t_bool },
	{ "bf1", 432, 3, &t_uint },
	{ "bf2", 435, 5, &t_int },
	{ NULL, 448, 0, &t_anon },
	{ "fn", 512, 0, &t_func_ptr },
	{ "str", 576, 0, &t_char_ptr },
};
static const struct vmt_type t_outer = { .kind = VMT_TYPE_STRUCT,
					 .name = "outer", .size = 80,
					 .members = outer_members,
					 .nr_members = 12 };
// A declaration of struct outer, as DWARF keeps one behind a pointer.
static const struct vmt_type t_outer_fwd = { .kind = VMT_TYPE_FWD,
					     .name = "outer" };
static const struct vmt_type t_outer_fwd_ptr = { .kind = VMT_TYPE_POINTER,
						 .size = 8,
						 .target = &t_outer_fwd };
static const struct vmt_type t_list3 = { .kind = VMT_TYPE_ARRAY, .size = 48,
					 .target = &t_list_head, .nelems = 3 };

static struct value_types *types;
static struct value_env env;

static void put(uint64_t addr, uint64_t v, int size)
{
	for (int i = 0; i < size; i++)
		bytes[addr - BASE + i] = (uint8_t)(v >> (8 * i));
}

static struct vmt_error *find_type(void *arg, const char *name,
				   const struct vmt_type **ret)
{
	(void)arg;
	if (!strcmp(name, "struct outer") || !strcmp(name, "outer"))
		*ret = &t_outer;
	else if (!strcmp(name, "struct list_head"))
		*ret = &t_list_head;
	else
		return vmt_error_format(VMT_ERROR_NOT_FOUND, "no type %s",
					name);
	return NULL;
}

static struct vmt_error *variable(void *arg, const char *name,
				  struct value_var *ret)
{
	(void)arg;
	memset(ret, 0, sizeof(*ret));
	ret->type_source = "test";
	if (!strcmp(name, "outer_var")) {
		ret->address = OBJ;
		ret->type = &t_outer;
	} else if (!strcmp(name, "outer_ptr")) {
		ret->address = BASE + 0xd00;
		ret->type = &t_outer_fwd_ptr;
	} else if (!strcmp(name, "ints")) {
		ret->address = ARR;
		ret->type = &t_int20;
	} else if (!strcmp(name, "pcpu")) {
		ret->per_cpu = true;
		ret->type = &t_long;
	} else if (!strcmp(name, "mystery")) {
		ret->address = MYSTERY;
		snprintf(ret->why_unknown, sizeof(ret->why_unknown),
			 "type of mystery unknown");
	} else if (!strcmp(name, "my_func")) {
		ret->address = FUNC;
		ret->function = true;
	} else {
		return vmt_error_format(VMT_ERROR_NOT_FOUND, "no symbol %s",
					name);
	}
	return NULL;
}

static struct vmt_error *nr_cpus(void *arg, unsigned int *ret)
{
	(void)arg;
	*ret = 2;
	return NULL;
}

static struct vmt_error *per_cpu(void *arg, const char *name,
				 unsigned int cpu, uint64_t *ret)
{
	(void)arg;
	if (strcmp(name, "pcpu") || cpu > 1)
		return vmt_error_format(VMT_ERROR_NOT_FOUND, "no CPU %u", cpu);
	*ret = cpu ? PCPU1 : PCPU0;
	return NULL;
}

static bool symbolize(void *arg, uint64_t addr, char *buf, size_t size)
{
	(void)arg;
	if (addr < FUNC || addr >= FUNC + 0x40)
		return false;
	if (addr == FUNC)
		snprintf(buf, size, "my_func");
	else
		snprintf(buf, size, "my_func+%#llx",
			 (unsigned long long)(addr - FUNC));
	return true;
}

static void setup(void)
{
	memset(bytes, 0, sizeof(bytes));
	vmt_ck_no_err(value_types_create(&types));
	memset(&env, 0, sizeof(env));
	env.read = vmt_fake_mem_read;
	env.read_arg = &mem;
	env.find_type = find_type;
	env.variable = variable;
	env.nr_cpus = nr_cpus;
	env.per_cpu = per_cpu;
	env.symbolize = symbolize;
	env.types = types;
	// struct outer at OBJ.
	put(OBJ + 0, (uint32_t)-5, 4);
	put(OBJ + 4, 513, 2);
	put(OBJ + 6, 'A', 1);
	memcpy(&bytes[OBJ + 8 - BASE], "abc", 3);
	put(OBJ + 16, 1, 8);
	put(OBJ + 24, 2, 8);
	put(OBJ + 32, 3, 8);
	put(OBJ + 40, BASE + 0x40, 8);
	put(OBJ + 48, 4, 4);
	put(OBJ + 52, 1, 1);
	// bf1 = 5 (bits 0-2 of byte 54), bf2 = -3 (bits 3-7: 0b11101).
	put(OBJ + 54, 5 | (0x1d << 3), 1);
	put(OBJ + 56, 0x41414141, 4);
	put(OBJ + 64, FUNC, 8);
	put(OBJ + 72, STR, 8);
	memcpy(&bytes[STR - BASE], "hello\n\"x\"", 10);
	put(BASE + 0xd00, OBJ, 8);
	put(PCPU0, 100, 8);
	put(PCPU1, 101, 8);
	put(MYSTERY, 0x1234, 8);
}

static void teardown(void)
{
	value_types_destroy(types);
}

// The display of @p v with @p opts.
static char *show(const struct vmt_value *v,
		  const struct vmt_format_options *opts)
{
	struct vmt_value_node *tree;
	char *text;

	vmt_ck_no_err(value_tree(&env, v, opts, &tree));
	vmt_ck_no_err(vmt_value_node_format(tree, opts, 0, &text));
	vmt_value_node_destroy(tree);
	return text;
}

static void ck_show(const struct vmt_value *v,
		    const struct vmt_format_options *opts, const char *want)
{
	char *text = show(v, opts);

	ck_assert_msg(!strcmp(text, want), "got:\n%s\nwant:\n%s", text, want);
	free(text);
}

START_TEST(nested_struct_as_gdb_prints_it)
{
	struct vmt_value v;
	char want[1024];

	value_object(&v, &t_outer, OBJ);
	snprintf(want, sizeof(want),
		 "{\n"
		 "  a = -5,\n"
		 "  in = {\n"
		 "    x = 513,\n"
		 "    c = 65 'A'\n"
		 "  },\n"
		 "  name = \"abc\\000\\000\\000\\000\",\n"
		 "  arr = {1, 2, 3},\n"
		 "  next = 0x%llx,\n"
		 "  e = BLUE,\n"
		 "  flag = true,\n"
		 "  bf1 = 5,\n"
		 "  bf2 = -3,\n"
		 "  {\n"
		 "    u1 = 1094795585,\n"
		 "    u2 = 16705\n"
		 "  },\n"
		 "  fn = 0x%llx <my_func>,\n"
		 "  str = 0x%llx \"hello\\n\\\"x\\\"\"\n"
		 "}",
		 (unsigned long long)(BASE + 0x40), (unsigned long long)FUNC,
		 (unsigned long long)STR);
	ck_show(&v, NULL, want);
}
END_TEST

START_TEST(hex_shows_integers_and_bitfields_in_their_width)
{
	struct vmt_format_options opts = { .hex = true };
	struct vmt_value v, m;

	value_object(&v, &t_outer, OBJ);
	vmt_ck_no_err(value_path(&env, &v, "a", &m));
	ck_show(&m, &opts, "0xfffffffb");
	vmt_ck_no_err(value_path(&env, &v, "bf2", &m));
	ck_show(&m, &opts, "0x1d");
	ck_show(&m, NULL, "-3");
	vmt_ck_no_err(value_path(&env, &v, "in.c", &m));
	ck_show(&m, &opts, "0x41 'A'");
	// An enum stays its name.
	vmt_ck_no_err(value_path(&env, &v, "e", &m));
	ck_show(&m, &opts, "BLUE");
}
END_TEST

START_TEST(enum_without_enumerator_is_a_number)
{
	struct vmt_value v, m;

	put(OBJ + 48, 3, 4);
	value_object(&v, &t_outer, OBJ);
	vmt_ck_no_err(value_path(&env, &v, "e", &m));
	ck_show(&m, NULL, "3");
}
END_TEST

START_TEST(char_arrays_follow_gdbs_string_rules)
{
	struct vmt_value v;

	// comm of the idle task: the last NUL is left out, six remain.
	memcpy(&bytes[STR - BASE], "swapper/0\0\0\0\0\0\0", 16);
	value_object(&v, &t_comm16, STR);
	ck_show(&v, NULL, "\"swapper/0\\000\\000\\000\\000\\000\\000\"");
	// All NULs: fifteen shown, more than ten, so a repeat block.
	memset(&bytes[STR - BASE], 0, 16);
	ck_show(&v, NULL, "'\\000' <repeats 15 times>");
	// A run in the middle, and a full array keeps its last byte.
	memset(&bytes[STR - BASE], 'z', 16);
	memcpy(&bytes[STR - BASE], "ab", 2);
	bytes[STR - BASE + 15] = 'q';
	ck_show(&v, NULL, "\"ab\", 'z' <repeats 13 times>, \"q\"");
}
END_TEST

START_TEST(char_array_cut_at_the_element_limit)
{
	struct vmt_format_options opts = { .max_elements = 4 };
	struct vmt_value v;

	memcpy(&bytes[STR - BASE], "abcdefgh", 8);
	value_object(&v, &t_name8, STR);
	ck_show(&v, &opts, "\"abcd\"...");
}
END_TEST

START_TEST(array_runs_and_limit_as_gdb_counts_them)
{
	struct vmt_format_options opts = { .max_elements = 5 };
	struct vmt_value v;

	value_object(&v, &t_int20, ARR);
	ck_show(&v, NULL, "{0 <repeats 20 times>}");
	put(ARR, 7, 4);
	ck_show(&v, NULL, "{7, 0 <repeats 19 times>}");
	// Ten equal elements are shown one by one.
	for (int i = 0; i < 10; i++)
		put(ARR + 4 * (10 + i), 9, 4);
	ck_show(&v, NULL, "{7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}");
	// The limit: five elements, then "...".
	ck_show(&v, &opts, "{7, 0, 0, 0, 0...}");
}
END_TEST

START_TEST(array_of_structs_pretty)
{
	struct vmt_value v;
	char want[512];

	put(ARR, 0x10, 8);
	put(ARR + 8, 0x20, 8);
	value_object(&v, &t_list3, ARR);
	snprintf(want, sizeof(want),
		 "{{\n"
		 "    next = 0x10,\n"
		 "    prev = 0x20\n"
		 "  }, {\n"
		 "    next = 0x0,\n"
		 "    prev = 0x0\n"
		 "  }, {\n"
		 "    next = 0x0,\n"
		 "    prev = 0x0\n"
		 "  }}");
	ck_show(&v, NULL, want);
}
END_TEST

START_TEST(tree_merges_runs_and_keeps_values)
{
	struct vmt_value_node *tree;
	struct vmt_value v;

	put(ARR, 7, 4);
	value_object(&v, &t_int20, ARR);
	vmt_ck_no_err(value_tree(&env, &v, NULL, &tree));
	ck_assert_int_eq(tree->kind, VMT_NODE_ARRAY);
	ck_assert_uint_eq(tree->nr_elements, 20);
	ck_assert_uint_eq(tree->nr_children, 2);
	ck_assert_int_eq(tree->children[0].s, 7);
	ck_assert_uint_eq(tree->children[0].repeat, 1);
	ck_assert_uint_eq(tree->children[1].repeat, 19);
	ck_assert(!tree->truncated);
	vmt_value_node_destroy(tree);
}
END_TEST

START_TEST(int128_in_decimal_and_hex)
{
	struct vmt_format_options hex = { .hex = true };
	struct vmt_value v;

	// 2^64 + 5
	put(ARR, 5, 8);
	put(ARR + 8, 1, 8);
	value_object(&v, &t_int128, ARR);
	ck_show(&v, NULL, "18446744073709551621");
	ck_show(&v, &hex, "0x10000000000000005");
	put(ARR, ~0ULL, 8);
	put(ARR + 8, ~0ULL, 8);
	ck_show(&v, NULL, "-1");
}
END_TEST

START_TEST(unreadable_member_and_unreadable_object)
{
	struct vmt_value_node *tree;
	struct vmt_value v, m;
	char *text;

	// str points outside memory: the pointer shows, its string cannot.
	put(OBJ + 72, 0xffff900000000000ULL, 8);
	value_object(&v, &t_outer, OBJ);
	vmt_ck_no_err(value_path(&env, &v, "str", &m));
	text = show(&m, NULL);
	ck_assert_msg(!strncmp(text, "0xffff900000000000 <error: ", 27), "%s",
		      text);
	free(text);
	// An object not in memory at all is an error, not a tree.
	value_object(&v, &t_outer, 0xffff900000000000ULL);
	vmt_ck_err(value_tree(&env, &v, NULL, &tree), VMT_ERROR_FAULT);
}
END_TEST

// Evaluate @p expr and show the result.
static char *eval_show(const char *expr, struct vmt_eval_result *r)
{
	vmt_ck_no_err(value_eval(&env, expr, r));
	return show(&r->value, NULL);
}

static void ck_eval(const char *expr, const char *want)
{
	struct vmt_eval_result r;
	char *text = eval_show(expr, &r);

	ck_assert_msg(!strcmp(text, want), "%s: got %s, want %s", expr, text,
		      want);
	free(text);
	vmt_eval_result_deinit(&r);
}

START_TEST(expressions_reach_members_and_elements)
{
	struct vmt_eval_result r;
	char want[64];

	ck_eval("outer_var.in.x", "513");
	ck_eval("outer_var.arr[2]", "3");
	ck_eval("outer_var . arr [ 0x1 ]", "2");
	ck_eval("ints[0]", "0");
	ck_eval("*outer_var.str", "104 'h'");
	ck_eval("outer_var.str[1]", "101 'e'");
	ck_eval("-outer_var.a", "5");
	// Through a pointer to a declaration, resolved by name.
	ck_eval("outer_ptr->in.c", "65 'A'");
	ck_eval("(*outer_ptr).bf2", "-3");
	ck_eval("outer_ptr.flag", "true");
	// Address-of, and casts of numbers to pointers.
	snprintf(want, sizeof(want), "%#llx", (unsigned long long)(OBJ + 8));
	ck_eval("&outer_var.name", want);
	snprintf(want, sizeof(want), "((struct outer *)%#llx)->in.x",
		 (unsigned long long)OBJ);
	ck_eval(want, "513");
	ck_eval("(unsigned char)outer_var.a", "251 '\\373'");
	ck_eval("(long)outer_var.a", "-5");
	// A variable alone is named as such.
	vmt_ck_no_err(value_eval(&env, " outer_var ", &r));
	ck_assert(r.is_variable);
	ck_assert_str_eq(r.type_source, "test");
	vmt_eval_result_deinit(&r);
	vmt_ck_no_err(value_eval(&env, "outer_var.a", &r));
	ck_assert(!r.is_variable);
	vmt_eval_result_deinit(&r);
}
END_TEST

START_TEST(per_cpu_variables)
{
	struct vmt_eval_result r;

	vmt_ck_no_err(value_eval(&env, "pcpu", &r));
	ck_assert(r.per_cpu);
	ck_assert(!r.per_cpu_all);
	ck_assert_uint_eq(r.nr_cpus, 2);
	ck_assert_uint_eq(r.per_cpu_addresses[0], PCPU0);
	ck_assert_uint_eq(r.per_cpu_addresses[1], PCPU1);
	ck_assert_ptr_eq(r.value.type, &t_long);
	vmt_eval_result_deinit(&r);
	vmt_ck_no_err(value_eval(&env, "pcpu:a", &r));
	ck_assert(r.per_cpu_all);
	vmt_eval_result_deinit(&r);
	vmt_ck_no_err(value_eval(&env, "pcpu:1", &r));
	ck_assert_str_eq(r.label, "per_cpu(pcpu, 1)");
	vmt_eval_result_deinit(&r);
	ck_eval("pcpu:1", "101");
	vmt_ck_err(value_eval(&env, "pcpu + 1", &r), VMT_ERROR_INVALID_ARGUMENT);
	vmt_ck_err(value_eval(&env, "*pcpu", &r), VMT_ERROR_INVALID_ARGUMENT);
	vmt_ck_err(value_eval(&env, "pcpu:7", &r), VMT_ERROR_NOT_FOUND);
}
END_TEST

START_TEST(unknown_type_shows_the_word_and_says_why)
{
	struct vmt_eval_result r;
	char *text = eval_show("mystery", &r);
	char want[64];

	ck_assert_str_eq(text, "4660");
	ck_assert_msg(strstr(r.note, "type of mystery unknown"), "%s", r.note);
	ck_assert_ptr_null(r.type_source);
	free(text);
	vmt_eval_result_deinit(&r);
	// Members need a cast; its address and a cast work.
	vmt_ck_err(value_eval(&env, "mystery.x", &r), VMT_ERROR_NOT_FOUND);
	snprintf(want, sizeof(want), "%#llx", (unsigned long long)MYSTERY);
	ck_eval("&mystery", want);
	ck_eval("(unsigned int)mystery", "4660");
	ck_eval("((struct list_head *)&mystery)->next", "0x1234");
}
END_TEST

START_TEST(functions_give_their_address)
{
	struct vmt_eval_result r;
	char *text = eval_show("my_func", &r), want[64];

	snprintf(want, sizeof(want), "%#llx <my_func>",
		 (unsigned long long)FUNC);
	ck_assert_str_eq(text, want);
	ck_assert(r.note[0]);
	free(text);
	vmt_eval_result_deinit(&r);
}
END_TEST

START_TEST(bad_expressions_are_errors)
{
	struct vmt_eval_result r;
	static const char *const bad[] = {
		"", "outer_var.", "outer_var[", "(struct outer *", "1 2",
		"outer_var.a.b", "outer_var.nope", "*outer_var.a",
		"(struct nope *)0", "nosuch", "outer_var $", "((((",
		"(unsigned banana)1",
	};

	static char deep[20001];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vmt_error *err = value_eval(&env, bad[i], &r);

		ck_assert_msg(err, "'%s' evaluated", bad[i]);
		vmt_error_destroy(err);
		vmt_eval_result_deinit(&r);
	}
	// Nesting is bounded, not a stack overflow: 10000 '(' and '*'.
	for (size_t i = 0; i < 10000; i++) {
		deep[i] = '(';
		deep[10000 + i] = '*';
	}
	vmt_ck_err(value_eval(&env, deep, &r), VMT_ERROR_INVALID_ARGUMENT);
	vmt_ck_err(value_eval(&env, deep + 10000, &r),
		   VMT_ERROR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(void_pointer_cannot_be_followed)
{
	struct vmt_value v, d;

	memset(&v, 0, sizeof(v));
	v.type = &t_void_ptr;
	v.bits = OBJ;
	vmt_ck_err(value_deref(&env, &v, &d), VMT_ERROR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(declarations_read_as_c)
{
	static const struct vmt_type t_char_ptr4 = {
		.kind = VMT_TYPE_ARRAY, .size = 32, .target = &t_char_ptr,
		.nelems = 4
	};
	static const struct vmt_type t_ptr_to_arr = {
		.kind = VMT_TYPE_POINTER, .size = 8, .target = &t_name8
	};
	char buf[128];

	vmt_type_declaration(&t_char_ptr4, "p", buf, sizeof(buf));
	ck_assert_str_eq(buf, "char *p[4]");
	vmt_type_declaration(&t_ptr_to_arr, "p", buf, sizeof(buf));
	ck_assert_str_eq(buf, "char (*p)[8]");
	vmt_type_declaration(&t_func_ptr, "fn", buf, sizeof(buf));
	ck_assert_str_eq(buf, "void (*fn)()");
	vmt_type_declaration(&t_list_ptr, NULL, buf, sizeof(buf));
	ck_assert_str_eq(buf, "struct list_head *");
	vmt_type_declaration(&t_comm16, "comm", buf, sizeof(buf));
	ck_assert_str_eq(buf, "char comm[16]");
}
END_TEST

START_TEST(base_types_for_casts)
{
	const struct vmt_type *a = value_base_type(types, "unsigned long");
	const struct vmt_type *b = value_base_type(types, "long unsigned int");

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(a->size, 8);
	ck_assert(!a->is_signed);
	ck_assert_uint_eq(value_base_type(types, "short")->size, 2);
	ck_assert(!value_base_type(types, "char")->is_signed);
	ck_assert(value_base_type(types, "signed char")->is_signed);
	ck_assert_ptr_null(value_base_type(types, "long short"));
	ck_assert_ptr_null(value_base_type(types, "unsigned banana"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("value");
	TCase *tc = tcase_create("value");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, nested_struct_as_gdb_prints_it);
	tcase_add_test(tc, hex_shows_integers_and_bitfields_in_their_width);
	tcase_add_test(tc, enum_without_enumerator_is_a_number);
	tcase_add_test(tc, char_arrays_follow_gdbs_string_rules);
	tcase_add_test(tc, char_array_cut_at_the_element_limit);
	tcase_add_test(tc, array_runs_and_limit_as_gdb_counts_them);
	tcase_add_test(tc, array_of_structs_pretty);
	tcase_add_test(tc, tree_merges_runs_and_keeps_values);
	tcase_add_test(tc, int128_in_decimal_and_hex);
	tcase_add_test(tc, unreadable_member_and_unreadable_object);
	tcase_add_test(tc, expressions_reach_members_and_elements);
	tcase_add_test(tc, per_cpu_variables);
	tcase_add_test(tc, unknown_type_shows_the_word_and_says_why);
	tcase_add_test(tc, functions_give_their_address);
	tcase_add_test(tc, bad_expressions_are_errors);
	tcase_add_test(tc, void_pointer_cannot_be_followed);
	tcase_add_test(tc, declarations_read_as_c);
	tcase_add_test(tc, base_types_for_casts);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
