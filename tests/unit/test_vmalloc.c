// vmalloc areas laid out in a buffer: vmalloc_walk_list() with each
// area's vm_struct, unpurged areas, a broken area, vmalloc_find().
#include <stdint.h>

#include "testutil_mem.h"
#include "kernel/vmalloc.h"

#define BASE 0xffff000020000000ULL
#define OBJ 128

static struct vmt_fake_mem mem;

static uint64_t obj(int i)
{
	return BASE + (uint64_t)OBJ * i;
}

static void setup(void)
{
	vmt_fake_mem_alloc(&mem, BASE, 64 * OBJ);
}

static void teardown(void)
{
	vmt_fake_mem_free(&mem);
}

// An arbitrary layout (not the kernel's): the code must use the offsets.
static const struct vmalloc_layout vl = {
	.va_start = 8, .va_end = 16, .va_list = 32, .va_vm = 64,
	.vm_addr = 0, .vm_size = 8, .vm_flags = 16, .vm_nr_pages = 24,
	.vm_phys_addr = 32, .vm_caller = 40,
};

static void put_area(int va, uint64_t start, uint64_t end, int vm,
		     uint64_t flags, uint64_t caller)
{
	vmt_fake_mem_put64(&mem, obj(va) + vl.va_start, start);
	vmt_fake_mem_put64(&mem, obj(va) + vl.va_end, end);
	vmt_fake_mem_put64(&mem, obj(va) + vl.va_vm, vm ? obj(vm) : 0);
	if (!vm)
		return;
	vmt_fake_mem_put64(&mem, obj(vm) + vl.vm_addr, start);
	vmt_fake_mem_put64(&mem, obj(vm) + vl.vm_size, end - start);
	vmt_fake_mem_put64(&mem, obj(vm) + vl.vm_flags, flags);
	vmt_fake_mem_put32(&mem, obj(vm) + vl.vm_nr_pages,
		       (uint32_t)((end - start) / 4096 - 1));
	vmt_fake_mem_put64(&mem, obj(vm) + vl.vm_caller, caller);
}

START_TEST(vmalloc_areas_are_read_with_their_vm_struct)
{
	uint64_t ring[] = { obj(0), obj(1) + vl.va_list, obj(2) + vl.va_list,
			    obj(3) + vl.va_list };
	struct vmalloc_area *areas = NULL;
	const struct vmalloc_area *a;
	size_t nr = 0, cap = 0;

	put_area(1, 0xffff800008000000ULL, 0xffff800008005000ULL, 11,
		 VMALLOC_VM_ALLOC, 0xffff800080123456ULL);
	put_area(2, 0xffff800009000000ULL, 0xffff800009002000ULL, 12,
		 VMALLOC_VM_IOREMAP, 0xffff800080200000ULL);
	put_area(3, 0xffff800008010000ULL, 0xffff800008011000ULL, 0, 0, 0);
	vmt_fake_mem_ring(&mem, ring, 4);
	vmt_ck_no_err(vmalloc_walk_list(&vl, vmt_fake_mem_read, &mem, obj(0), 100,
					false, &areas, &nr, &cap));
	ck_assert_uint_eq(nr, 3);
	vmalloc_sort(areas, nr);
	a = vmalloc_find(areas, nr, 0xffff800008004fffULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->vmap_area, obj(1));
	ck_assert_uint_eq(a->size, 0x5000);
	ck_assert_uint_eq(a->nr_pages, 4);
	ck_assert_uint_eq(a->caller, 0xffff800080123456ULL);
	ck_assert_str_eq(vmalloc_kind(a->flags), "vmalloc");
	a = vmalloc_find(areas, nr, 0xffff800009000010ULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(vmalloc_kind(a->flags), "ioremap");
	// vm_map_ram areas have no vm_struct.
	a = vmalloc_find(areas, nr, 0xffff800008010000ULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->vm, 0);
	// Between areas, before the first and at an end: none.
	ck_assert_ptr_null(vmalloc_find(areas, nr, 0xffff800008005000ULL));
	ck_assert_ptr_null(vmalloc_find(areas, nr, 0xffff800007000000ULL));
	ck_assert_ptr_null(vmalloc_find(areas, nr, 0xffff800009002000ULL));
	free(areas);
}
END_TEST

START_TEST(a_broken_area_keeps_the_ones_before_it)
{
	uint64_t ring[] = { obj(0), obj(1) + vl.va_list, obj(2) + vl.va_list,
			    obj(3) + vl.va_list };
	struct vmalloc_area *areas = NULL;
	size_t nr = 0, cap = 0;

	put_area(1, 0xffff800008000000ULL, 0xffff800008005000ULL, 11,
		 VMALLOC_VM_ALLOC, 0);
	// va_end below va_start.
	put_area(2, 0xffff800009000000ULL, 0xffff800008000000ULL, 12,
		 VMALLOC_VM_ALLOC, 0);
	put_area(3, 0xffff800008010000ULL, 0xffff800008011000ULL, 0, 0, 0);
	vmt_fake_mem_ring(&mem, ring, 4);
	vmt_ck_err(vmalloc_walk_list(&vl, vmt_fake_mem_read, &mem, obj(0), 100,
				     false, &areas, &nr, &cap),
		   VMT_ERROR_BAD_DATA);
	ck_assert_uint_eq(nr, 1);
	free(areas);
}
END_TEST

// A lazy list of freed areas: the vm member is the augmented tree's
// subtree_max_size there, never read as a vm_struct.
START_TEST(unpurged_areas_are_marked_and_have_no_vm_struct)
{
	uint64_t ring[] = { obj(0), obj(1) + vl.va_list };
	struct vmalloc_area *areas = NULL;
	size_t nr = 0, cap = 0;

	put_area(1, 0xffff800008000000ULL, 0xffff800008002000ULL, 0, 0, 0);
	vmt_fake_mem_put64(&mem, obj(1) + vl.va_vm, 0x2000); // subtree_max_size
	vmt_fake_mem_ring(&mem, ring, 2);
	vmt_ck_no_err(vmalloc_walk_list(&vl, vmt_fake_mem_read, &mem, obj(0), 100,
					true, &areas, &nr, &cap));
	ck_assert_uint_eq(nr, 1);
	ck_assert(areas[0].unpurged);
	ck_assert_uint_eq(areas[0].vm, 0);
	ck_assert_uint_eq(areas[0].size, 0x2000);
	free(areas);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vmalloc");
	TCase *tv = tcase_create("vmalloc");

	tcase_add_checked_fixture(tv, setup, teardown);
	tcase_add_test(tv, vmalloc_areas_are_read_with_their_vm_struct);
	tcase_add_test(tv, a_broken_area_keeps_the_ones_before_it);
	tcase_add_test(tv, unpurged_areas_are_marked_and_have_no_vm_struct);
	suite_add_tcase(s, tv);
	return vmt_ck_run(s);
}
