// `sys` MEMORY: the RAM the crashed kernel managed. A kdump capture leaves
// the crash kernel's reserved region out of the dump, but not out of the
// machine, so the dump's ranges are not the answer; the kernel's own
// accounting is: node_present_pages of every online node
// (include/linux/mmzone.h: struct pglist_data), else the memory sections
// marked present (SPARSEMEM: mem_section[].section_mem_map &
// SECTION_MARKED_PRESENT), both findable from VMCOREINFO.
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdlib.h>

#include "base/bytes.h"
#include "kernel/sysinfo.h"

#define SECTION_MARKED_PRESENT 1ULL
// MAX_NUMNODES is 1 << NODES_SHIFT, at most 1 << 10 on any architecture.
#define MAX_NODES 1024
// Reads of the section arrays, at most this much at a time.
#define CHUNK (64 * 1024)

static struct vmt_error *count_sections(const struct mem_section_layout *l,
					kread_fn *read, void *arg,
					uint64_t addr, uint64_t n,
					uint8_t *buf, uint64_t *nr)
{
	uint64_t per = CHUNK / l->section_size;

	for (uint64_t i = 0; i < n; i += per) {
		uint64_t m = n - i < per ? n - i : per;
		struct vmt_error *err;

		err = read(arg, addr + i * l->section_size, buf,
			   m * l->section_size);
		if (err)
			return vmt_error_wrap(err, "mem_section at %#" PRIx64,
					      addr + i * l->section_size);
		for (uint64_t j = 0; j < m; j++)
			if (load_le64(buf + j * l->section_size +
				      l->section_mem_map) &
			    SECTION_MARKED_PRESENT)
				(*nr)++;
	}
	return NULL;
}

struct vmt_error *mem_section_present(const struct mem_section_layout *l,
				      kread_fn *read, void *arg,
				      uint64_t *nr_ret, uint64_t *bytes_ret)
{
	uint64_t nr_sections, per_root, nr = 0;
	struct vmt_error *err = NULL;
	uint8_t *buf;

	if (l->section_size < 8 || l->section_size > 4096 ||
	    l->section_mem_map + 8 > l->section_size ||
	    l->max_physmem_bits > 64 ||
	    l->section_size_bits >= l->max_physmem_bits ||
	    l->max_physmem_bits - l->section_size_bits > 40 || !l->mem_section)
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"mem_section: SIZE %" PRIu64 ", OFFSET(section_mem_map) %" PRIu64
					", SECTION_SIZE_BITS %u, MAX_PHYSMEM_BITS %u do not fit together",
					l->section_size, l->section_mem_map,
					l->section_size_bits,
					l->max_physmem_bits);
	nr_sections = 1ULL << (l->max_physmem_bits - l->section_size_bits);
	// NR_SECTION_ROOTS is NR_MEM_SECTIONS divided by SECTIONS_PER_ROOT:
	// PAGE_SIZE / sizeof(struct mem_section) with SPARSEMEM_EXTREME,
	// 1 without (then mem_section is the static array of sections).
	per_root = l->page_size / l->section_size;
	if (l->nr_roots == nr_sections) {
		per_root = 1;
	} else if (!per_root ||
		   l->nr_roots != (nr_sections + per_root - 1) / per_root) {
		return vmt_error_format(VMT_ERROR_BAD_DATA,
					"mem_section: LENGTH %" PRIu64
					" is neither NR_MEM_SECTIONS %" PRIu64
					" nor its roots at %" PRIu64 " per page",
					l->nr_roots, nr_sections, per_root);
	}
	buf = malloc(CHUNK);
	if (!buf)
		return &vmt_enomem;
	if (per_root == 1) {
		err = count_sections(l, read, arg, l->mem_section, nr_sections,
				     buf, &nr);
	} else {
		uint8_t *roots = malloc(CHUNK);

		err = roots ? NULL : &vmt_enomem;
		// The root pointers, a chunk at a time; a NULL root has no
		// sections.
		for (uint64_t r = 0; r < l->nr_roots && !err; r += CHUNK / 8) {
			uint64_t m = l->nr_roots - r < CHUNK / 8 ?
					     l->nr_roots - r : CHUNK / 8;

			err = read(arg, l->mem_section + 8 * r, roots, 8 * m);
			if (err) {
				err = vmt_error_wrap(err, "mem_section roots at %#" PRIx64,
						     l->mem_section + 8 * r);
				break;
			}
			for (uint64_t i = 0; i < m && !err; i++) {
				uint64_t root = load_le64(roots + 8 * i);

				if (root)
					err = count_sections(l, read, arg,
							     root, per_root,
							     buf, &nr);
			}
		}
		free(roots);
	}
	free(buf);
	if (err)
		return err;
	*nr_ret = nr;
	*bytes_ret = nr << l->section_size_bits;
	return NULL;
}

static struct vmt_error *kread(void *arg, uint64_t addr, void *buf,
			       size_t len)
{
	return kernel_read(arg, addr, buf, len);
}

// The offset of pglist_data.node_present_pages: the types, else the one
// unsigned long between node_start_pfn and node_spanned_pages, which
// VMCOREINFO does export.
static bool present_pages_offset(struct kernel *k, const struct vmcoreinfo *vi,
				 uint64_t *ret, const char **how)
{
	uint64_t start, spanned;

	if (vmt_error_ok(kernel_member_offset(k, "pglist_data",
					      "node_present_pages", ret))) {
		*how = "its offset from the types";
		return true;
	}
	if (vmcoreinfo_offset(vi, "pglist_data.node_start_pfn", &start) &&
	    vmcoreinfo_offset(vi, "pglist_data.node_spanned_pages",
			      &spanned) &&
	    spanned == start + 16) {
		*ret = start + 8;
		*how = "its offset between VMCOREINFO's node_start_pfn and node_spanned_pages";
		return true;
	}
	return false;
}

// Sum node_present_pages over the online nodes: node_data[] (NUMA) with
// node_online_map, or contig_page_data (no NUMA).
static bool node_present(struct kernel *k, const struct vmcoreinfo *vi,
			 struct vmt_sysinfo *s)
{
	uint64_t off, addr, map_addr, map_size, pages, total = 0;
	unsigned int nodes = 0;
	const char *how;

	if (!present_pages_offset(k, vi, &off, &how))
		return false;
	if (vmt_error_ok(kernel_symbol(k, "contig_page_data", &addr))) {
		if (!vmt_error_ok(kernel_read_u64(k, addr + off, &total)))
			return false;
		nodes = 1;
	} else if (vmt_error_ok(kernel_symbol(k, "node_data", &addr)) &&
		   vmt_error_ok(kernel_symbol(k, "node_online_map",
					      &map_addr))) {
		if (!vmcoreinfo_size(vi, "nodemask_t", &map_size))
			map_size = 8;
		for (uint64_t w = 0; w < map_size / 8 && w < MAX_NODES / 64;
		     w++) {
			uint64_t bits, pgdat;

			if (!vmt_error_ok(kernel_read_u64(k, map_addr + 8 * w,
							  &bits)))
				return false;
			for (int b = 0; b < 64; b++) {
				if (!(bits >> b & 1))
					continue;
				if (!vmt_error_ok(kernel_read_u64(
					    k, addr + 8 * (64 * w + b), &pgdat)) ||
				    !pgdat ||
				    !vmt_error_ok(kernel_read_u64(
					    k, pgdat + off, &pages)))
					return false;
				total += pages;
				nodes++;
			}
		}
		if (!nodes)
			return false;
	} else {
		return false;
	}
	s->memory = total * kernel_page_size(k);
	sys_source(s, VMT_SYS_MEMORY, true,
		   "node_present_pages of %u online node%s (%s) x %" PRIu64
		   "-byte pages",
		   nodes, nodes == 1 ? "" : "s", how, kernel_page_size(k));
	return true;
}

void sysinfo_memory(struct kernel *k, const struct vmcoreinfo *vi,
		    struct vmt_sysinfo *s)
{
	struct mem_section_layout l = { .page_size = kernel_page_size(k) };
	uint64_t section_bits, phys_bits, nr, bytes;
	struct vmt_error *err;

	if (node_present(k, vi, s))
		return;
	if (!vmcoreinfo_symbol(vi, "mem_section", &l.mem_section) ||
	    !vmcoreinfo_length(vi, "mem_section", &l.nr_roots) ||
	    !vmcoreinfo_size(vi, "mem_section", &l.section_size) ||
	    !vmcoreinfo_offset(vi, "mem_section.section_mem_map",
			       &l.section_mem_map) ||
	    !vmcoreinfo_number(vi, "SECTION_SIZE_BITS", &section_bits) ||
	    !vmcoreinfo_number(vi, "MAX_PHYSMEM_BITS", &phys_bits)) {
		sys_source(s, VMT_SYS_MEMORY, false,
			   "no node data (node_data/contig_page_data symbols) and VMCOREINFO lacks the mem_section lines");
		return;
	}
	// Out-of-range values are refused by mem_section_present().
	l.section_size_bits = section_bits > 64 ? 64 : (unsigned int)section_bits;
	l.max_physmem_bits = phys_bits > 65 ? 65 : (unsigned int)phys_bits;
	err = mem_section_present(&l, kread, k, &nr, &bytes);
	if (err) {
		sys_source(s, VMT_SYS_MEMORY, false, "%s", err->message);
		vmt_error_destroy(err);
		return;
	}
	s->memory = bytes;
	sys_source(s, VMT_SYS_MEMORY, true,
		   "%" PRIu64 " present memory sections of %" PRIu64
		   " MiB (VMCOREINFO mem_section; no node_data symbol)",
		   nr, ((uint64_t)1 << l.section_size_bits) >> 20);
}
