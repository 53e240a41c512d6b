// __per_cpu_start without its symbol (see percpu_start.h).
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "kernel/kernel_ctx.h"
#include "kernel/percpu_start.h"

// __per_cpu_offset is __read_mostly data, near init_task in .data: scan
// this far either side of it.
#define SCAN_RANGE (32u << 20)
#define CHUNK (64u << 10)

// Whether the chunk at @p a holds the array; see percpu_scan_offsets().
static bool scan_chunk(kread_fn *read, void *arg, uint64_t a, uint8_t *buf,
		       size_t span, const uint64_t *base, unsigned int first,
		       unsigned int nr_cpus, uint64_t page_size,
		       uint64_t image_start, uint64_t image_end,
		       uint64_t *array_ret, uint64_t *start_ret)
{
	size_t len = CHUNK + span;

	if (!vmt_error_ok(read(arg, a, buf, len))) {
		// The tail may run off the mapping: try without it.
		len = CHUNK;
		if (!vmt_error_ok(read(arg, a, buf, len)))
			return false;
	}
	for (size_t i = 0; i + span <= len; i += 8) {
		uint64_t start = base[first] - load_le64(buf + i);
		bool ok = start % page_size == 0 && start >= image_start &&
			  start < image_end;

		for (unsigned int c = first + 1; ok && c < nr_cpus; c++)
			ok = !base[c] || load_le64(buf + i + (c - first) * 8) ==
						 base[c] - start;
		if (ok) {
			*array_ret = a + i - (uint64_t)first * 8;
			*start_ret = start;
			return true;
		}
	}
	return false;
}

bool percpu_scan_offsets(kread_fn *read, void *arg, uint64_t from,
			 uint64_t to, uint64_t near, const uint64_t *base,
			 unsigned int nr_cpus, uint64_t page_size,
			 uint64_t image_start, uint64_t image_end,
			 uint64_t *array_ret, uint64_t *start_ret)
{
	unsigned int first = nr_cpus, known = 0;
	bool hit = false;
	uint8_t *buf;
	size_t span;

	for (unsigned int c = 0; c < nr_cpus; c++) {
		if (!base[c])
			continue;
		if (first == nr_cpus)
			first = c;
		known++;
	}
	if (known < 2 || !page_size)
		return false;
	// The array from CPU first on: the words a match needs in one read.
	span = (size_t)(nr_cpus - first) * 8;
	buf = malloc(CHUNK + span);
	if (!buf)
		return false;
	from &= ~(uint64_t)(CHUNK - 1);
	near &= ~(uint64_t)(CHUNK - 1);
	if (near < from)
		near = from;
	// Outward from near: the chunk at near, then one below and one above
	// at each distance.
	for (uint64_t d = 0;
	     !hit && (near - from >= d || (to > near && to - near > d));
	     d += CHUNK) {
		bool below = d && near - from >= d;
		bool above = to > near && to - near > d;

		if (below)
			hit = scan_chunk(read, arg, near - d, buf, span, base,
					 first, nr_cpus, page_size, image_start,
					 image_end, array_ret, start_ret);
		if (!hit && above)
			hit = scan_chunk(read, arg, near + d, buf, span, base,
					 first, nr_cpus, page_size, image_start,
					 image_end, array_ret, start_ret);
	}
	free(buf);
	return hit;
}

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

struct vmt_error *percpu_find_start(struct kernel *k, const struct percpu *pc,
				    uint64_t *ret)
{
	uint64_t anchor, image_start, image_end, array, start, from, to;
	char how[200];

	if (pc->section_start) {
		*ret = pc->section_start;
		return NULL;
	}
	if (vmt_error_ok(kernel_symbol(k, "__per_cpu_start", ret)))
		return NULL;
	if (pc->nr_bases < 2)
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"__per_cpu_start: no symbol, and %u per-CPU base%s known (two are needed to find __per_cpu_offset)",
					pc->nr_bases,
					pc->nr_bases == 1 ? "" : "s");
	if (!vmt_error_ok(kernel_symbol(k, "init_task", &anchor)) &&
	    !vmt_error_ok(kernel_symbol(k, "init_uts_ns", &anchor)))
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"__per_cpu_start: no symbol, and no init_task or init_uts_ns to search __per_cpu_offset from");
	image_start = k->layout->kimage_start.value;
	image_end = k->layout->kimage_end.value;
	from = anchor - SCAN_RANGE > image_start && anchor > SCAN_RANGE ?
		       anchor - SCAN_RANGE : image_start;
	to = anchor + SCAN_RANGE < image_end ? anchor + SCAN_RANGE : image_end;
	if (!percpu_scan_offsets(kread, k, from, to, anchor, pc->base,
				 pc->nr_cpus,
				 kernel_page_size(k), image_start, image_end,
				 &array, &start))
		return vmt_error_format(VMT_ERROR_NOT_FOUND,
					"__per_cpu_start: no symbol, and no __per_cpu_offset array (base[n] - a page-aligned image address) within %u MiB of %#" PRIx64,
					SCAN_RANGE >> 20, anchor);
	snprintf(how, sizeof(how),
		 "found by scanning kernel data for words equal to each CPU's per-CPU base minus one page-aligned image address (__per_cpu_start %#" PRIx64 ")",
		 start);
	// Only the CPUs' entries are known to be the array's.
	kernel_add_derived_sized(k, "__per_cpu_offset", array,
				 (uint64_t)pc->nr_cpus * 8, how);
	*ret = start;
	return NULL;
}
