/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file page.h
 * Physical pages as the kernel's memmap describes them: the struct page of
 * a page frame, the class of every page (makedumpfile's dump-level
 * classes: free, page cache, user data, ...), and memory use counted from
 * the memmap and from the kernel's own counters (`kmem -i`).
 */
#ifndef VMTOOL_PAGE_H
#define VMTOOL_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmtool/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vmt_program;

/**
 * What a page frame holds, from its struct page alone. The first classes
 * are the ones makedumpfile's dump levels exclude; the others are kept by
 * every level but told apart for `kmem -i`.
 */
enum vmt_page_class {
	/** No struct page could be read (outside the memmap, or not in the dump). */
	VMT_PAGE_UNKNOWN,
	/** In the buddy allocator (dump level 16). */
	VMT_PAGE_FREE,
	/** Page cache without fs-private data (dump level 2 or 4). */
	VMT_PAGE_CACHE,
	/** Page cache with PG_private, e.g. buffer heads (dump level 4). */
	VMT_PAGE_CACHE_PRIVATE,
	/** Anonymous (swap-backed) user memory (dump level 8). */
	VMT_PAGE_USER,
	/** A hugetlbfs page (user data, dump level 8). */
	VMT_PAGE_HUGETLB,
	/** Logically offline (balloon, memory hot-unplug): never dumped. */
	VMT_PAGE_OFFLINE,
	/** A slab page (kernel, always dumped). */
	VMT_PAGE_SLAB,
	/** A page table page (kernel, always dumped). */
	VMT_PAGE_PAGE_TABLE,
	/** PG_reserved: kernel image, memmap, firmware (always dumped). */
	VMT_PAGE_RESERVED,
	/** Any other page in use by the kernel (always dumped). */
	VMT_PAGE_KERNEL,
	/** Number of classes. */
	VMT_PAGE_CLASS_COUNT,
};

/** "unknown", "free", "cache", "cache_private", "user", "hugetlb", ... */
const char *vmt_page_class_name(enum vmt_page_class cls);

/**
 * The dump-level bit (makedumpfile's `-d`) that excludes @p cls: 2, 4, 8
 * or 16; 4 | 2 for VMT_PAGE_CACHE (either bit excludes it); 0 for classes
 * no level excludes. Offline and hwpoison pages are excluded at every level.
 */
unsigned int vmt_page_class_dump_level(enum vmt_page_class cls);

/** The struct page of one page frame, decoded. */
struct vmt_page {
	/** The page frame number (physical address >> PAGE_SHIFT). */
	uint64_t pfn;
	/** Physical address of the page's first byte. */
	uint64_t paddr;
	/** Kernel virtual address of the struct page. */
	uint64_t page;
	/** page->flags (PG_* bits; see vmt_program_page_flag_names()). */
	uint64_t flags;
	/**
	 * page->mapping: the address_space of a page-cache page, the anon_vma
	 * of an anonymous one with bit 0 set (PAGE_MAPPING_ANON), or 0.
	 */
	uint64_t mapping;
	/** page->index: the page's offset in its mapping, in pages. */
	uint64_t index;
	/** page->private (buffer heads, a free block's order, swap entry). */
	uint64_t private;
	/** page->_refcount. */
	int32_t refcount;
	/** page->_mapcount as stored (page_type on kernels that alias it). */
	int32_t mapcount;
	/** First page of a compound page (folio) of 2^order pages. */
	bool head;
	/** A tail page; head_page is its head's struct page. */
	bool tail;
	/** A tail page: address of its head's struct page; else 0. */
	uint64_t head_page;
	/** Order of the folio (head) or the free buddy block (free head). */
	unsigned int order;
	/** PG_hwpoison is set: the page had a memory error (never dumped). */
	bool hwpoison;
	/** The class of the page (what makedumpfile's dump levels see). */
	enum vmt_page_class cls;
};

/**
 * The struct page of @p pfn. FAULT if the memmap does not cover it or its
 * struct page is not in the dump; UNSUPPORTED if VMCOREINFO lacks the
 * memmap layout.
 */
struct vmt_error *vmt_program_page(struct vmt_program *prog, uint64_t pfn,
				   struct vmt_page *ret);

/**
 * Names of the flags set in @p flags ("locked,uptodate,lru"), from the
 * kernel's enum pageflags (BTF/DWARF) or VMCOREINFO's NUMBER(PG_*); bits
 * without a name are left out. Writes at most @p size bytes (NUL
 * included).
 */
void vmt_program_page_flag_names(struct vmt_program *prog, uint64_t flags,
				 char *buf, size_t size);

/** Pages of each class over every page frame of the dump's RAM. */
struct vmt_mem_usage {
	/** The kernel's page size, in bytes: pages are counted in it. */
	uint64_t page_size;
	/** Page frames the dump describes as RAM. */
	uint64_t ram_pages;
	/** Pages per enum vmt_page_class. */
	uint64_t pages[VMT_PAGE_CLASS_COUNT];
	/** Pages with PG_hwpoison (also counted in their class). */
	uint64_t hwpoison_pages;
	/** Pages not in the dump file (excluded by its level, or lost). */
	uint64_t not_in_dump_pages;
	/** Whether zero_pages was counted (reads every page). */
	bool zero_counted;
	/** Pages filled with zeros, among the ones no class excludes. */
	uint64_t zero_pages;
	/** Non-reserved pages with _refcount > 1 (crash's "shared"). */
	uint64_t shared_pages;
};

/**
 * Classify every page of RAM from the memmap. With @p count_zero, every
 * page a class keeps is read to count the zero-filled ones.
 */
struct vmt_error *vmt_program_mem_usage(struct vmt_program *prog,
					bool count_zero,
					struct vmt_mem_usage *ret);

/** One figure of `kmem -i`, and where it came from. */
struct vmt_mem_figure {
	/** Whether the figure could be computed. */
	bool known;
	/** The figure, in pages of vmt_meminfo::page_size. */
	uint64_t pages;
	/** "memmap", "vm_zone_stat", "vm_node_stat", "_totalram_pages", ... */
	const char *source;
};

/** Memory use as crash's `kmem -i` prints it. */
struct vmt_meminfo {
	/** The kernel's page size, in bytes. */
	uint64_t page_size;
	/**
	 * Memory the kernel manages: _totalram_pages, else the RAM pages of
	 * the memmap that are not PG_reserved.
	 */
	struct vmt_mem_figure total;
	/** Free pages: NR_FREE_PAGES, else the pages in the buddy allocator. */
	struct vmt_mem_figure free;
	/** total - free. */
	struct vmt_mem_figure used;
	/** Pages not PG_reserved with a _refcount above 1 (crash's SHARED). */
	struct vmt_mem_figure shared;
	/** Page-cache pages with PG_private (buffer heads), from the memmap. */
	struct vmt_mem_figure buffers;
	/**
	 * Page cache: NR_FILE_PAGES - NR_SWAPCACHE - buffers, else the
	 * memmap's page-cache pages without PG_private.
	 */
	struct vmt_mem_figure cached;
	/** Slab pages: NR_SLAB_(UN)RECLAIMABLE(_B), else the memmap's. */
	struct vmt_mem_figure slab;
	/** Anonymous pages: NR_ANON_MAPPED, else the memmap's user pages. */
	struct vmt_mem_figure anon;
	/** Swap space: total_swap_pages (unknown without the symbol). */
	struct vmt_mem_figure swap_total;
	/** Free swap space: nr_swap_pages (unknown without the symbol). */
	struct vmt_mem_figure swap_free;
	/** The memmap classification the memmap figures come from. */
	struct vmt_mem_usage usage;
	/**
	 * The kernel's counters as read (known false where a symbol or
	 * enum value is missing): _totalram_pages (or totalram_pages).
	 */
	struct vmt_mem_figure counter_total;
	/** vm_zone_stat[NR_FREE_PAGES], else the zones' vm_stat. */
	struct vmt_mem_figure counter_free;
	/** vm_node_stat[NR_FILE_PAGES]. */
	struct vmt_mem_figure counter_file;
	/** vm_node_stat[NR_SWAPCACHE]. */
	struct vmt_mem_figure counter_swapcache;
	/** vm_node_stat[NR_SHMEM]. */
	struct vmt_mem_figure counter_shmem;
	/** vm_node_stat[NR_ANON_MAPPED]. */
	struct vmt_mem_figure counter_anon;
	/** vm_node_stat: the reclaimable plus unreclaimable slab counters. */
	struct vmt_mem_figure counter_slab;
};

/**
 * Memory use: the memmap classification, and the kernel's counters where
 * their symbols and enum values are known (vm_zone_stat, vm_node_stat,
 * _totalram_pages, or each zone's vm_stat through VMCOREINFO's
 * contig_page_data). Counters win where known; each figure names its
 * source.
 */
struct vmt_error *vmt_program_meminfo(struct vmt_program *prog,
				      struct vmt_meminfo *ret);

#ifdef __cplusplus
}
#endif

#endif /* VMTOOL_PAGE_H */
