// The pure parts of `sys`: HZ and uptime from jiffies, the panic found in
// log records, the boot time from the RTC's record, the present memory
// sections (both mem_section shapes, built in a buffer), /proc/loadavg's
// rounding.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/error.h"
#include "kernel/sysinfo.h"

#define NSEC 1000000000ULL

START_TEST(jiffies_count_from_initial_jiffies)
{
	// INITIAL_JIFFIES = (unsigned int)(-300 * HZ): 5 minutes before the
	// 32-bit wrap.
	ck_assert_uint_eq(jiffies_uptime_nsec(0x100000000ULL - 300 * 250, 250), 0);
	ck_assert_uint_eq(jiffies_uptime_nsec(0x100000000ULL - 300 * 250 + 5, 250),
			  20000000);
	ck_assert_uint_eq(jiffies_uptime_nsec(0x100000000ULL, 1000), 300 * NSEC);
	// Long after the wrap, with HZ 100: one day.
	ck_assert_uint_eq(jiffies_uptime_nsec(0x100000000ULL - 30000 + 8640000, 100),
			  86400 * NSEC);
}
END_TEST

START_TEST(hz_is_the_one_that_matches_another_clock)
{
	// Seen on the k612 sets: jiffies_64 4294902836 at about 42.2 s.
	ck_assert_uint_eq(hz_from_jiffies(4294902836ULL, 42200000000ULL), 250);
	// Early in boot (0.25 s) every wrong HZ is minutes off.
	ck_assert_uint_eq(hz_from_jiffies(0x100000000ULL - 300 * 1000 + 250,
					  250000000), 1000);
	ck_assert_uint_eq(hz_from_jiffies(0x100000000ULL - 300 * 100 + 360000,
					  3600 * NSEC + 700000000), 100);
	ck_assert_uint_eq(hz_from_jiffies(0x100000000ULL - 300 * 300 + 900,
					  3 * NSEC), 300);
	// No usual HZ fits: unknown.
	ck_assert_uint_eq(hz_from_jiffies(0x100000000ULL - 300 * 250 + 250 * 100,
					  1000 * NSEC), 0);
	ck_assert_uint_eq(hz_from_jiffies(5, NSEC), 0);
}
END_TEST

START_TEST(load_average_rounds_as_proc_loadavg)
{
	ck_assert(vmt_sys_load_average(0) == 0.0);
	ck_assert(vmt_sys_load_average(2048) == 1.0);
	// 0.28 on k612-4k-va52: avenrun 573 -> (573 + 10) / 2048 = 0.284...
	ck_assert(vmt_sys_load_average(573) == 0.28);
	// Just below a hundredth rounds up (the + FIXED_1/200).
	ck_assert(vmt_sys_load_average(2048 - 5) == 1.0);
	ck_assert_str_eq(vmt_sys_field_name(VMT_SYS_LOAD_AVERAGE), "load_average");
	ck_assert_str_eq(vmt_sys_field_name(VMT_SYS_NR_FIELDS), "");
}
END_TEST

static struct vmt_log_record R(uint64_t seq, const char *text)
{
	struct vmt_log_record r = { .seq = seq, .ts_nsec = seq * 1000,
				    .text = text, .text_len = strlen(text) };

	return r;
}

START_TEST(finds_the_panic_and_the_oopsing_cpu_line)
{
	// As truth/panic_console.txt of k612-4k-va48-oops, shortened.
	struct vmt_log_record recs[] = {
		R(0, "lkdtm: Performing direct entry EXCEPTION"),
		R(1, "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000"),
		R(2, "Mem abort info:"),
		R(3, "Internal error: Oops: 0000000096000046 [#1] SMP"),
		R(4, "CPU: 0 UID: 0 PID: 1 Comm: init Kdump: loaded Not tainted 6.12.118 #2 "),
		R(5, "Call trace:"),
		R(6, "Kernel panic - not syncing: Oops: Fatal exception"),
		R(7, "WARNING: CPU: 0 PID: 1 at arch/arm64/kernel/machine_kexec.c:172 machine_kexec+0x38/0x1dc"),
		R(8, "CPU: 1 UID: 0 PID: 7 Comm: other Kdump: loaded Tainted: G      D"),
	};
	struct panic_facts pf;

	panic_from_log(recs, 9, &pf);
	ck_assert_uint_eq(pf.record, 6);
	ck_assert_int_eq((int)pf.msg_len, (int)strlen(recs[6].text));
	ck_assert(!memcmp(pf.msg, "Kernel panic - not syncing: Oops: Fatal exception",
			  pf.msg_len));
	ck_assert(pf.has_cpu_line);
	ck_assert_int_eq(pf.cpu, 0);
	ck_assert_int_eq(pf.pid, 1);
	ck_assert_uint_eq(pf.cpu_line_record, 4);
}
END_TEST

START_TEST(a_plain_panic_has_its_cpu_line_after_it)
{
	struct vmt_log_record recs[] = {
		R(0, "CPU: 1 PID: 99 Comm: earlier Not tainted"),
		R(1, "sysrq: Trigger a crash"),
		R(2, "Kernel panic - not syncing: sysrq triggered crash\nsecond line"),
		R(3, "CPU: 1 PID: 77 Comm: sh Not tainted 6.1.0-50-arm64 #1 Debian"),
	};
	struct panic_facts pf;

	panic_from_log(recs, 4, &pf);
	ck_assert_uint_eq(pf.record, 2);
	ck_assert_int_eq((int)pf.msg_len,
			 (int)strlen("Kernel panic - not syncing: sysrq triggered crash"));
	ck_assert(pf.has_cpu_line);
	ck_assert_int_eq(pf.cpu, 1);
	ck_assert_int_eq(pf.pid, 77);
}
END_TEST

START_TEST(an_oops_without_panic_and_no_panic_at_all)
{
	struct vmt_log_record oops[] = {
		R(0, "booting"),
		R(1, "Internal error: Oops - BUG: 00000000f2000800 [#1] SMP"),
		R(2, "Modules linked in:\nCPU: 3 PID: 12 Comm: kworker/3:0 Not tainted"),
	};
	struct vmt_log_record calm[] = {
		R(0, "Booting Linux on physical CPU 0x0000000000 [0x000f0510]"),
		R(1, "CPU: 0 is not a CPU line without PID"),
		R(2, "  Unable to handle kernel: not at the start of the line"),
	};
	struct panic_facts pf;

	panic_from_log(oops, 3, &pf);
	ck_assert_uint_eq(pf.record, 1);
	ck_assert(!memcmp(pf.msg, "Internal error: Oops - BUG", 26));
	ck_assert(pf.has_cpu_line);
	ck_assert_int_eq(pf.cpu, 3);
	ck_assert_int_eq(pf.pid, 12);
	panic_from_log(calm, 3, &pf);
	ck_assert_uint_eq(pf.record, SIZE_MAX);
	ck_assert(!pf.has_cpu_line);
	panic_from_log(NULL, 0, &pf);
	ck_assert_uint_eq(pf.record, SIZE_MAX);
}
END_TEST

START_TEST(boot_time_from_the_rtc_record)
{
	struct vmt_log_record recs[] = {
		R(0, "rtc-pl031 9010000.pl031: registered as rtc0"),
		R(1, "rtc-pl031 9010000.pl031: setting system clock to 2026-11-21T09:10:48 UTC (1795252248)"),
		R(2, "later"),
	};
	struct vmt_log log = { .records = recs, .nr_records = 3 };
	int64_t boot;
	uint64_t seq;

	recs[1].ts_nsec = 3240711696ULL;
	ck_assert(boot_time_from_rtc_line(&log, &boot, &seq));
	ck_assert_int_eq(boot, 1795252248LL * 1000000000LL - 3240711696LL);
	ck_assert_uint_eq(seq, 1);
	recs[1].text = "setting system clock to a date UTC (12345678901234567890)";
	recs[1].text_len = strlen(recs[1].text);
	ck_assert(!boot_time_from_rtc_line(&log, &boot, &seq));
	ck_assert(!boot_time_from_rtc_line(NULL, &boot, &seq));
}
END_TEST

// mem_section in a buffer.
#define BASE 0xffff000020000000ULL
static uint8_t mem[1 << 20];

static struct vmt_error *mem_read(void *arg, uint64_t addr, void *buf,
				  size_t len)
{
	(void)arg;
	if (addr < BASE || addr - BASE > sizeof(mem) ||
	    len > sizeof(mem) - (addr - BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, addr, "test: %#llx",
				       (unsigned long long)addr);
	memcpy(buf, mem + (addr - BASE), len);
	return NULL;
}

static void put64(uint64_t addr, uint64_t v)
{
	memcpy(mem + (addr - BASE), &v, 8);
}

START_TEST(present_sections_of_sparsemem_extreme)
{
	// Debian's arm64 6.1: 32-byte mem_section, 128 per 4K root, 27-bit
	// sections, 48-bit physical addresses: 16384 roots.
	struct mem_section_layout l = {
		.mem_section = BASE, .nr_roots = 16384, .section_size = 32,
		.section_mem_map = 0, .section_size_bits = 27,
		.max_physmem_bits = 48, .page_size = 4096,
	};
	uint64_t root = BASE + 0x40000, nr, bytes;

	memset(mem, 0, sizeof(mem));
	put64(BASE + 8 * 0, root);
	// RAM at 1 GiB: sections 8 and 9 present (flags in the low bits
	// of the encoded mem_map), section 10 has a map but is not present.
	put64(root + 32 * 8, 0xffff000012340000ULL | 0x7);
	put64(root + 32 * 9, 0xffff000012350000ULL | 0x3);
	put64(root + 32 * 10, 0xffff000012360000ULL | 0x2);
	// A second root, further up.
	put64(BASE + 8 * 3, root + 4096);
	put64(root + 4096 + 32 * 127, 1);
	vmt_ck_no_err(mem_section_present(&l, mem_read, NULL, &nr, &bytes));
	ck_assert_uint_eq(nr, 3);
	ck_assert_uint_eq(bytes, 3ULL << 27);
}
END_TEST

START_TEST(present_sections_of_a_static_array)
{
	// Without SPARSEMEM_EXTREME: LENGTH is NR_MEM_SECTIONS itself.
	struct mem_section_layout l = {
		.mem_section = BASE, .nr_roots = 1 << 12, .section_size = 16,
		.section_mem_map = 8, .section_size_bits = 30,
		.max_physmem_bits = 42, .page_size = 65536,
	};
	uint64_t nr, bytes;

	memset(mem, 0, sizeof(mem));
	put64(BASE + 16 * 1 + 8, 1);
	put64(BASE + 16 * 4095 + 8, 1);
	put64(BASE + 16 * 2, 1); // not section_mem_map
	vmt_ck_no_err(mem_section_present(&l, mem_read, NULL, &nr, &bytes));
	ck_assert_uint_eq(nr, 2);
	ck_assert_uint_eq(bytes, 2ULL << 30);
}
END_TEST

START_TEST(mem_section_lines_that_do_not_fit_are_refused)
{
	struct mem_section_layout l = {
		.mem_section = BASE, .nr_roots = 1000, .section_size = 32,
		.section_mem_map = 0, .section_size_bits = 27,
		.max_physmem_bits = 48, .page_size = 4096,
	};
	uint64_t nr, bytes;

	vmt_ck_err(mem_section_present(&l, mem_read, NULL, &nr, &bytes),
		   VMT_ERROR_BAD_DATA);
	l.nr_roots = 16384;
	l.section_size = 1 << 20;
	vmt_ck_err(mem_section_present(&l, mem_read, NULL, &nr, &bytes),
		   VMT_ERROR_BAD_DATA);
	l.section_size = 32;
	l.max_physmem_bits = 20;
	vmt_ck_err(mem_section_present(&l, mem_read, NULL, &nr, &bytes),
		   VMT_ERROR_BAD_DATA);
	// Roots that cannot be read: an error naming them.
	l.max_physmem_bits = 48;
	l.mem_section = BASE + sizeof(mem) - 64;
	vmt_ck_err(mem_section_present(&l, mem_read, NULL, &nr, &bytes),
		   VMT_ERROR_FAULT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sysinfo");
	TCase *tc = tcase_create("sysinfo");

	tcase_add_test(tc, jiffies_count_from_initial_jiffies);
	tcase_add_test(tc, hz_is_the_one_that_matches_another_clock);
	tcase_add_test(tc, load_average_rounds_as_proc_loadavg);
	tcase_add_test(tc, finds_the_panic_and_the_oopsing_cpu_line);
	tcase_add_test(tc, a_plain_panic_has_its_cpu_line_after_it);
	tcase_add_test(tc, an_oops_without_panic_and_no_panic_at_all);
	tcase_add_test(tc, boot_time_from_the_rtc_record);
	tcase_add_test(tc, present_sections_of_sparsemem_extreme);
	tcase_add_test(tc, present_sections_of_a_static_array);
	tcase_add_test(tc, mem_section_lines_that_do_not_fit_are_refused);
	suite_add_tcase(s, tc);
	return vmt_ck_run(s);
}
