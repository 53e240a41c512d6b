// Pure pieces of /proc output: vm_flags -> perms, task state letters,
// [heap]/[stack], path escaping and whole maps lines. Expected strings are
// copied from the guests' /proc/PID/maps in ../shared/dumps/*/truth and
// from the rules of fs/proc/task_mmu.c and include/linux/sched.h.
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "kernel/task.h"

// include/linux/mm.h
#define VM_READ 0x1
#define VM_WRITE 0x2
#define VM_EXEC 0x4
#define VM_SHARED 0x8
#define VM_MAYREAD 0x10
#define VM_MAYWRITE 0x20
#define VM_MAYEXEC 0x40
#define VM_MAYSHARE 0x80
#define VM_GROWSDOWN 0x100

START_TEST(perms_follow_read_write_exec_and_mayshare)
{
	char p[5];

	vma_perms(0, p);
	ck_assert_str_eq(p, "---p");
	vma_perms(VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC,
		  p);
	ck_assert_str_eq(p, "r-xp");
	vma_perms(VM_READ | VM_WRITE | VM_GROWSDOWN, p);
	ck_assert_str_eq(p, "rw-p");
	vma_perms(VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE, p);
	ck_assert_str_eq(p, "rw-s");
	// A read-only shared file mapping: VM_MAYSHARE without VM_SHARED.
	vma_perms(VM_READ | VM_MAYSHARE, p);
	ck_assert_str_eq(p, "r--s");
	// VM_SHARED alone does not make 's'.
	vma_perms(VM_READ | VM_SHARED, p);
	ck_assert_str_eq(p, "r--p");
	vma_perms(VM_READ | VM_WRITE | VM_EXEC | 0xfffffffffffff000ULL, p);
	ck_assert_str_eq(p, "rwxp");
}
END_TEST

START_TEST(state_letters_as_proc_shows_them)
{
	// TASK_RUNNING, INTERRUPTIBLE, UNINTERRUPTIBLE, __TASK_STOPPED,
	// __TASK_TRACED, EXIT_DEAD, EXIT_ZOMBIE, TASK_PARKED
	ck_assert_int_eq(task_state_char(0, 0), 'R');
	ck_assert_int_eq(task_state_char(0x1, 0), 'S');
	ck_assert_int_eq(task_state_char(0x2, 0), 'D');
	ck_assert_int_eq(task_state_char(0x4, 0), 'T');
	// TASK_STOPPED = TASK_WAKEKILL | __TASK_STOPPED
	ck_assert_int_eq(task_state_char(0x104, 0), 'T');
	ck_assert_int_eq(task_state_char(0x8, 0), 't');
	ck_assert_int_eq(task_state_char(0, 0x10), 'X');
	ck_assert_int_eq(task_state_char(0, 0x20), 'Z');
	// A zombie's __state is TASK_DEAD (0x80), outside TASK_REPORT.
	ck_assert_int_eq(task_state_char(0x80, 0x20), 'Z');
	ck_assert_int_eq(task_state_char(0x40, 0), 'P');
	// TASK_IDLE = UNINTERRUPTIBLE | NOLOAD -> I; NOLOAD alone is R.
	ck_assert_int_eq(task_state_char(0x402, 0), 'I');
	ck_assert_int_eq(task_state_char(0x400, 0), 'R');
	// TASK_KILLABLE = WAKEKILL | UNINTERRUPTIBLE -> D
	ck_assert_int_eq(task_state_char(0x102, 0), 'D');
	// TASK_FREEZABLE | INTERRUPTIBLE -> S; frozen and RT lock waits -> D
	ck_assert_int_eq(task_state_char(0x2001, 0), 'S');
	ck_assert_int_eq(task_state_char(0x8001, 0), 'D');
	ck_assert_int_eq(task_state_char(0x1000, 0), 'D');
}
END_TEST

START_TEST(heap_and_stack_by_brk_and_start_stack)
{
	const uint64_t sb = 0x18270000, brk = 0x18292000, ss = 0xffffc3b57e60;

	ck_assert_str_eq(vma_heap_or_stack(0x18270000, 0x18292000, brk, sb, ss,
					   true),
			 "[heap]");
	ck_assert_str_eq(vma_heap_or_stack(0xffffc3b36000, 0xffffc3b58000, brk,
					   sb, ss, true),
			 "[stack]");
	ck_assert_ptr_null(vma_heap_or_stack(0x10000000, 0x10003000, brk, sb,
					     ss, true));
	// A VMA ending where the heap starts: only the old test (<= 6.5)
	// calls it the heap.
	ck_assert_ptr_null(vma_heap_or_stack(0x004a6000, 0x18270000, brk, sb,
					     ss, true));
	ck_assert_str_eq(vma_heap_or_stack(0x004a6000, 0x18270000, brk, sb, ss,
					   false),
			 "[heap]");
	// start_stack at the very end of the VMA still counts.
	ck_assert_str_eq(vma_heap_or_stack(0x1000, 0x2000, 0, 0, 0x2000, true),
			 "[stack]");
	ck_assert_ptr_null(vma_heap_or_stack(0x1000, 0x2000, 0, 0, 0x2001,
					     true));
}
END_TEST

START_TEST(newline_in_a_path_is_escaped_in_octal)
{
	char *s = NULL;

	vmt_ck_no_err(vma_escape_path("/tmp/a\nb\n", &s));
	ck_assert_str_eq(s, "/tmp/a\\012b\\012");
	free(s);
	vmt_ck_no_err(vma_escape_path("/dev/zero (deleted)", &s));
	ck_assert_str_eq(s, "/dev/zero (deleted)");
	free(s);
}
END_TEST

static void ck_line(uint64_t start, uint64_t end, const char *perms,
		    uint64_t offset, unsigned int maj, unsigned int min,
		    uint64_t ino, const char *path, const char *want)
{
	struct vmt_vma v = {
		.start = start, .end = end, .offset = offset,
		.dev_major = maj, .dev_minor = min, .inode = ino,
		.path = (char *)path,
	};
	char *line = NULL;

	strcpy(v.perms, perms);
	vmt_ck_no_err(vma_format_maps_line(&v, &line));
	ck_assert_str_eq(line, want);
	free(line);
}

START_TEST(maps_lines_match_the_guest)
{
	// Lines of k612-4k-va52/truth/proc/50/maps.
	ck_line(0x400000, 0x48c000, "r-xp", 0, 0, 2, 10, "/bin/workload",
		"00400000-0048c000 r-xp 00000000 00:02 10                                 /bin/workload\n");
	ck_line(0x49c000, 0x4a0000, "r--p", 0x8c000, 0, 2, 10, "/bin/workload",
		"0049c000-004a0000 r--p 0008c000 00:02 10                                 /bin/workload\n");
	ck_line(0x4a6000, 0x4af000, "rw-p", 0, 0, 0, 0, "",
		"004a6000-004af000 rw-p 00000000 00:00 0 \n");
	ck_line(0x123456000000, 0x123456003000, "rw-p", 0, 0, 0, 0, NULL,
		"123456000000-123456003000 rw-p 00000000 00:00 0 \n");
	ck_line(0xffffb8ad2000, 0xffffb8ad4000, "rw-s", 0, 0, 1, 2,
		"/dev/zero (deleted)",
		"ffffb8ad2000-ffffb8ad4000 rw-s 00000000 00:01 2                          /dev/zero (deleted)\n");
	ck_line(0xffffb8b18000, 0xffffb8b1c000, "rw-s", 0, 0, 0xd, 4,
		"/tmp/wl_shared_file",
		"ffffb8b18000-ffffb8b1c000 rw-s 00000000 00:0d 4                          /tmp/wl_shared_file\n");
	ck_line(0xffffc3b36000, 0xffffc3b58000, "rw-p", 0, 0, 0, 0, "[stack]",
		"ffffc3b36000-ffffc3b58000 rw-p 00000000 00:00 0                          [stack]\n");
	ck_line(0x4000000000000, 0x4000000002000, "rw-p", 0, 0, 0, 0, "",
		"4000000000000-4000000002000 rw-p 00000000 00:00 0 \n");
	// A prefix already wider than the pad width: seq_pad() adds no fill
	// but still its one space after the prefix's own.
	ck_line(0xffffffffffff0000ULL, 0xffffffffffffffffULL, "r--s",
		0x123456789abcULL, 0xfff, 0xfffff, 18446744073709551615ULL,
		"/x",
		"ffffffffffff0000-ffffffffffffffff r--s 123456789abc fff:fffff 18446744073709551615  /x\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vma_flags");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, perms_follow_read_write_exec_and_mayshare);
	tcase_add_test(tc, state_letters_as_proc_shows_them);
	tcase_add_test(tc, heap_and_stack_by_brk_and_start_stack);
	tcase_add_test(tc, newline_in_a_path_is_escaped_in_octal);
	tcase_add_test(tc, maps_lines_match_the_guest);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
