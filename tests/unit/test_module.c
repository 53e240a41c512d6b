// struct module and the module list laid out in a buffer: the list walk
// (in order, cycle-checked, unformed modules skipped), sizes and bases as
// /proc/modules prints them for the 6.4+ mem[] and the older layouts,
// finding a struct module by scanning and the list head from it, and a
// module's own kallsyms.
#include <stdint.h>

#include "testutil_mem.h"
#include "debuginfo/symtab.h"
#include "kernel/module.h"

#define BASE 0xffff800000000000ULL
#define SIZE (64 * 4096)
#define HEAD (BASE + 0x100)	  // `modules`, in "kernel data"
#define MOD1 (BASE + 0x10000)	  // struct module of mod1
#define MOD2 (BASE + 0x20000)
#define MOD3 (BASE + 0x30000)

static struct vmt_fake_mem mem;

// An arbitrary layout (not the kernel's): the code must use the offsets.
static struct module_layout mem_layout(void)
{
	struct module_layout l = {
		.state = 4, .list = 16, .name = 40, .name_size = 56,
		.mkobj_mod = 200, .taints = 216, .kallsyms = 224,
		.has_refcnt = true, .refcnt = 232,
		.has_mem = true, .mem = 256, .mem_stride = 32, .mem_base = 8,
		.mem_size = 16, .nr_mem = 7,
		.ks_symtab = 0, .ks_num_symtab = 8, .ks_strtab = 16,
		.ks_typetab = 24, .has_typetab = true,
	};

	return l;
}

static struct module_layout old_layout(void)
{
	struct module_layout l = mem_layout();

	l.has_mem = false;
	l.core_layout = 256;
	l.init_layout = 320;
	l.layout_base = 0;
	l.layout_size = 8;
	l.layout_text_size = 12;
	l.layout_ro_size = 16;
	l.has_ro_after_init_size = true;
	l.layout_ro_after_init_size = 20;
	return l;
}

static void setup(void)
{
	vmt_fake_mem_alloc(&mem, BASE, SIZE);
}

static void teardown(void)
{
	vmt_fake_mem_free(&mem);
}

static void put_module(const struct module_layout *l, uint64_t mod,
		       const char *name, uint32_t state, uint64_t text,
		       uint32_t text_size, uint32_t data_size)
{
	vmt_fake_mem_put32(&mem, mod + l->state, state);
	vmt_fake_mem_puts(&mem, mod + l->name, name);
	vmt_fake_mem_put64(&mem, mod + l->mkobj_mod, mod);
	vmt_fake_mem_put64(&mem, mod + l->taints, 1u << 12 | 1u << 13); // O, E
	vmt_fake_mem_put32(&mem, mod + l->refcnt, 3);
	if (l->has_mem) {
		vmt_fake_mem_put64(&mem, mod + l->mem + l->mem_base, text);
		vmt_fake_mem_put32(&mem, mod + l->mem + l->mem_size, text_size);
		vmt_fake_mem_put64(&mem, mod + l->mem + l->mem_stride + l->mem_base,
			       text + text_size);
		vmt_fake_mem_put32(&mem, mod + l->mem + l->mem_stride + l->mem_size,
			       data_size);
	} else {
		uint64_t core = mod + l->core_layout;

		vmt_fake_mem_put64(&mem, core + l->layout_base, text);
		vmt_fake_mem_put32(&mem, core + l->layout_text_size, text_size);
		vmt_fake_mem_put32(&mem, core + l->layout_ro_size, text_size + 0x1000);
		vmt_fake_mem_put32(&mem, core + l->layout_ro_after_init_size,
			       text_size + 0x1000);
		vmt_fake_mem_put32(&mem, core + l->layout_size,
			       text_size + 0x1000 + data_size);
	}
}

static void link_modules(const struct module_layout *l)
{
	uint64_t ring[] = { HEAD, MOD1 + l->list, MOD2 + l->list };

	vmt_fake_mem_ring(&mem, ring, 3);
}

START_TEST(lists_modules_in_order_with_proc_modules_sizes)
{
	struct module_layout l = mem_layout();
	struct vmt_module *mods;
	size_t n;

	put_module(&l, MOD1, "qemu_fw_cfg", 0, 0xffff800000001000ULL, 0x2000,
		   0x4000);
	put_module(&l, MOD2, "8021q", 1, 0xffff800000008000ULL, 0x1000, 0x1000);
	link_modules(&l);
	vmt_ck_no_err(module_list(&l, vmt_fake_mem_read, &mem, HEAD, 100, &mods,
				  &n));
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(mods[0].name, "qemu_fw_cfg");
	ck_assert_uint_eq(mods[0].module, MOD1);
	ck_assert_uint_eq(mods[0].base, 0xffff800000001000ULL);
	ck_assert_uint_eq(mods[0].size, 0x6000);
	ck_assert_str_eq(mods[0].state, "Live");
	ck_assert_int_eq(mods[0].refcount, 2);
	ck_assert_str_eq(mods[0].taint_flags, "OE");
	ck_assert_uint_eq(mods[0].mem[VMT_MODULE_MEM_DATA].size, 0x4000);
	ck_assert_str_eq(mods[1].name, "8021q");
	ck_assert_str_eq(mods[1].state, "Loading");
	free(mods);
}
END_TEST

// Before 6.4: one core block, split by text_size/ro_size; its size and
// the init layout's make /proc/modules' size.
START_TEST(splits_the_older_core_layout)
{
	struct module_layout l = old_layout();
	struct vmt_module m;

	put_module(&l, MOD1, "old", 0, 0xffff800000001000ULL, 0x2000, 0x3000);
	vmt_fake_mem_put64(&mem, MOD1 + l.init_layout + l.layout_base,
		       0xffff800000040000ULL);
	vmt_fake_mem_put32(&mem, MOD1 + l.init_layout + l.layout_text_size, 0x1000);
	vmt_fake_mem_put32(&mem, MOD1 + l.init_layout + l.layout_ro_size, 0x1000);
	vmt_fake_mem_put32(&mem, MOD1 + l.init_layout + l.layout_size, 0x1800);
	vmt_ck_no_err(module_read(&l, vmt_fake_mem_read, &mem, MOD1, &m));
	ck_assert_uint_eq(m.base, 0xffff800000001000ULL);
	ck_assert_uint_eq(m.size, 0x6000 + 0x1800);
	ck_assert_uint_eq(m.mem[VMT_MODULE_MEM_TEXT].size, 0x2000);
	ck_assert_uint_eq(m.mem[VMT_MODULE_MEM_RODATA].base,
			  0xffff800000003000ULL);
	ck_assert_uint_eq(m.mem[VMT_MODULE_MEM_RODATA].size, 0x1000);
	ck_assert_uint_eq(m.mem[VMT_MODULE_MEM_RO_AFTER_INIT].size, 0);
	ck_assert_uint_eq(m.mem[VMT_MODULE_MEM_DATA].base,
			  0xffff800000004000ULL);
	ck_assert_uint_eq(m.mem[VMT_MODULE_MEM_DATA].size, 0x3000);
	ck_assert_uint_eq(m.mem[VMT_MODULE_MEM_INIT_TEXT].size, 0x1000);
	ck_assert_uint_eq(m.mem[VMT_MODULE_MEM_INIT_DATA].size, 0x800);
}
END_TEST

START_TEST(skips_unformed_modules)
{
	struct module_layout l = mem_layout();
	struct vmt_module *mods;
	size_t n;

	put_module(&l, MOD1, "a", 3, 0xffff800000001000ULL, 0x1000, 0x1000);
	put_module(&l, MOD2, "b", 0, 0xffff800000008000ULL, 0x1000, 0x1000);
	link_modules(&l);
	vmt_ck_no_err(module_list(&l, vmt_fake_mem_read, &mem, HEAD, 100, &mods,
				  &n));
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(mods[0].name, "b");
	free(mods);
}
END_TEST

// head -> 1 -> 2 -> 3 -> 2: the cycle is caught, the modules before it
// are kept and the error names the node.
START_TEST(a_cyclic_list_gives_the_modules_before_the_cycle)
{
	struct module_layout l = mem_layout();
	uint64_t ring[] = { HEAD, MOD1 + l.list, MOD2 + l.list, MOD3 + l.list };
	struct vmt_module *mods;
	struct vmt_error *err;
	size_t n;

	put_module(&l, MOD1, "a", 0, 0xffff800000001000ULL, 0x1000, 0x1000);
	put_module(&l, MOD2, "b", 0, 0xffff800000008000ULL, 0x1000, 0x1000);
	put_module(&l, MOD3, "c", 0, 0xffff80000000c000ULL, 0x1000, 0x1000);
	vmt_fake_mem_ring(&mem, ring, 4);
	vmt_fake_mem_put64(&mem, MOD3 + l.list, MOD2 + l.list);
	err = module_list(&l, vmt_fake_mem_read, &mem, HEAD, 100, &mods, &n);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, VMT_ERROR_BAD_DATA);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(mods[2].name, "c");
	vmt_error_destroy(err);
	free(mods);
}
END_TEST

START_TEST(validates_struct_module)
{
	struct module_layout l = mem_layout();

	put_module(&l, MOD1, "ok_name", 0, 0xffff800000001000ULL, 0x1000, 0);
	put_module(&l, MOD2, "b", 0, 0xffff800000008000ULL, 0x1000, 0);
	link_modules(&l);
	ck_assert(module_is_valid(&l, vmt_fake_mem_read, &mem, MOD1));
	vmt_fake_mem_puts(&mem, MOD1 + l.name, "bad name");
	ck_assert(!module_is_valid(&l, vmt_fake_mem_read, &mem, MOD1));
	vmt_fake_mem_puts(&mem, MOD1 + l.name, "ok_name");
	vmt_fake_mem_put32(&mem, MOD1 + l.state, 4);
	ck_assert(!module_is_valid(&l, vmt_fake_mem_read, &mem, MOD1));
	vmt_fake_mem_put32(&mem, MOD1 + l.state, 0);
	vmt_fake_mem_put64(&mem, MOD1 + l.mkobj_mod, MOD2);
	ck_assert(!module_is_valid(&l, vmt_fake_mem_read, &mem, MOD1));
	vmt_fake_mem_put64(&mem, MOD1 + l.mkobj_mod, MOD1);
	// A neighbour that does not point back.
	vmt_fake_mem_put64(&mem, MOD2 + l.list + 8, HEAD);
	ck_assert(!module_is_valid(&l, vmt_fake_mem_read, &mem, MOD1));
}
END_TEST

static bool in_module(void *arg, uint64_t addr)
{
	(void)arg;
	return addr >= BASE + 0x10000;
}

// Without the `modules` symbol: find a struct module in module memory by
// its mkobj.mod, then the head on its list ring.
START_TEST(finds_a_module_by_scanning_then_the_list_head)
{
	struct vmt_fake_hole hole = { &mem, MOD2 - 0x1000, MOD2 };
	struct module_layout l = mem_layout();
	uint64_t mod = 0, head = 0;

	put_module(&l, MOD1, "a", 0, 0xffff800000001000ULL, 0x1000, 0);
	put_module(&l, MOD2, "b", 0, 0xffff800000008000ULL, 0x1000, 0);
	link_modules(&l);
	// A decoy: a word that points at itself minus the offset, but no
	// module around it.
	vmt_fake_mem_put64(&mem, MOD2 + 0x800 + l.mkobj_mod, MOD2 + 0x800);
	// An unreadable page in the middle of the scanned range.
	ck_assert(module_scan(&l, vmt_fake_hole_read, &hole, MOD2 - 0x2000,
			      MOD2 + 0x2000, &mod));
	ck_assert_uint_eq(mod, MOD2);
	ck_assert(!module_scan(&l, vmt_fake_mem_read, &mem, MOD2 + 0x1000,
			       MOD2 + 0x4000, &mod));
	vmt_ck_no_err(module_find_head(&l, vmt_fake_mem_read, &mem, mod, in_module,
				       NULL, &head));
	ck_assert_uint_eq(head, HEAD);
}
END_TEST

static void put_sym(uint64_t at, uint32_t name, uint8_t info, uint64_t value,
		    uint64_t size)
{
	vmt_fake_mem_put32(&mem, at, name);
	vmt_fake_mem_at(&mem, at + 4, 1)[0] = info;
	vmt_fake_mem_put64(&mem, at + 8, value);
	vmt_fake_mem_put64(&mem, at + 16, size);
}

START_TEST(reads_a_modules_own_kallsyms)
{
	struct module_layout l = mem_layout();
	uint64_t ks = MOD1 + 0x1000, symtab = ks + 0x100, strtab = ks + 0x400,
		 typetab = ks + 0x500;
	const struct symtab_entry *e;
	struct vmt_module m;
	struct symtab tab;

	put_module(&l, MOD1, "a", 0, 0xffff800000001000ULL, 0x1000, 0);
	vmt_fake_mem_put64(&mem, MOD1 + l.kallsyms, ks);
	vmt_fake_mem_put64(&mem, ks + l.ks_symtab, symtab);
	vmt_fake_mem_put32(&mem, ks + l.ks_num_symtab, 4);
	vmt_fake_mem_put64(&mem, ks + l.ks_strtab, strtab);
	vmt_fake_mem_put64(&mem, ks + l.ks_typetab, typetab);
	// [0] the null symbol, [1] $x, [2] a_init, [3] a_show
	put_sym(symtab + 24, 1, 0, 0xffff800000001000ULL, 0);
	put_sym(symtab + 48, 4, 0x12, 0xffff800000001000ULL, 0x40);
	put_sym(symtab + 72, 11, 0x02, 0xffff800000001040ULL, 0x30);
	memcpy(vmt_fake_mem_at(&mem, strtab, 18), "\0$x\0a_init\0a_show", 18);
	memcpy(vmt_fake_mem_at(&mem, typetab, 4), "?tTt", 4);
	vmt_ck_no_err(module_read(&l, vmt_fake_mem_read, &mem, MOD1, &m));
	ck_assert_uint_eq(m.nr_symbols, 4);
	symtab_init(&tab, "kallsyms");
	vmt_ck_no_err(module_symbols(&l, vmt_fake_mem_read, &mem, &m, &tab));
	ck_assert_uint_eq(tab.nr, 2); // the null name and $x are left out
	e = symtab_lookup_name(&tab, "a_init");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->address, 0xffff800000001000ULL);
	ck_assert_uint_eq(e->size, 0x40);
	ck_assert_int_eq(e->type, 'T');
	e = symtab_lookup_name(&tab, "a_show");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->type, 't');
	ck_assert_ptr_null(symtab_lookup_name(&tab, "$x"));
	symtab_deinit(&tab);
	// A claimed count past the bound is refused, not allocated.
	vmt_fake_mem_put32(&mem, ks + l.ks_num_symtab, 0x7fffffff);
	symtab_init(&tab, "kallsyms");
	vmt_ck_err(module_symbols(&l, vmt_fake_mem_read, &mem, &m, &tab),
		   VMT_ERROR_BAD_DATA);
	symtab_deinit(&tab);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("module");
	TCase *tc = tcase_create("module");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lists_modules_in_order_with_proc_modules_sizes);
	tcase_add_test(tc, splits_the_older_core_layout);
	tcase_add_test(tc, skips_unformed_modules);
	tcase_add_test(tc, a_cyclic_list_gives_the_modules_before_the_cycle);
	tcase_add_test(tc, validates_struct_module);
	tcase_add_test(tc, finds_a_module_by_scanning_then_the_list_head);
	tcase_add_test(tc, reads_a_modules_own_kallsyms);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
