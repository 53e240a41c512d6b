// Per-CPU data: how many CPUs the dump's kernel had, and where each CPU's
// copy of a per-CPU variable (DEFINE_PER_CPU) lives.
//
// A static per-CPU variable is linked into .data..percpu; at boot
// setup_per_cpu_areas() gives every possible CPU a copy of that section
// (its "unit") and records in __per_cpu_offset[cpu] the distance from the
// link address to the copy (mm/percpu.c, include/asm-generic/percpu.h:
// per_cpu_ptr(&var, cpu) = &var + __per_cpu_offset[cpu]). Here each CPU's
// copy is described by its base: the address of offset 0 of the section in
// that CPU's unit, so CPU n's copy of a variable at section offset o is at
// base[n] + o.
#ifndef VMT_KERNEL_PERCPU_H
#define VMT_KERNEL_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kernel.h"

/**
 * Most CPUs believed: arm64's CONFIG_NR_CPUS is at most 4096 (6.12
 * arch/arm64/Kconfig); twice that leaves room.
 */
#define PERCPU_MAX_CPUS 8192

/** How the per-CPU bases were found. */
enum percpu_source {
	PERCPU_UNKNOWN,
	/** __per_cpu_start + __per_cpu_offset[cpu] (symbols). */
	PERCPU_FROM_OFFSETS,
	/** A task's se.cfs_rq->rq minus runqueues' section offset. */
	PERCPU_FROM_RUNQUEUES,
};

/** What is known about the CPUs and their per-CPU areas. */
struct percpu {
	/** CPUs of the kernel (see cpus_how); bases and flags are this long. */
	unsigned int nr_cpus;
	/**
	 * [cpu]: address of offset 0 of .data..percpu in the CPU's unit;
	 * 0 unknown.
	 */
	uint64_t *base;
	/** How many entries of base are known. */
	unsigned int nr_bases;
	enum percpu_source source;
	/**
	 * [cpu]: set in __cpu_possible_mask / __cpu_online_mask (when
	 * have_masks).
	 */
	bool *possible, *online;
	bool have_masks;
	/**
	 * __per_cpu_start (0 unknown): a __percpu pointer p of any kind
	 * (alloc_percpu() too) is CPU n's base[n] + (p - section_start).
	 */
	uint64_t section_start;
	/** How section_start was found, or why not. */
	char start_how[200];
	/** PERCPU_FROM_RUNQUEUES: runqueues' offset in .data..percpu. */
	uint64_t runqueues_offset;
	/** PERCPU_FROM_RUNQUEUES: [cpu] the task whose se.cfs_rq led there. */
	uint64_t *witness;
	/** How nr_cpus was decided, for explain. */
	char cpus_how[160];
	/** How the bases were found, or why not, for explain. */
	char how[320];
};

/**
 * Find the CPUs and their per-CPU bases: from the symbols __per_cpu_start
 * and __per_cpu_offset where kallsyms or a vmlinux has them, else derived
 * from the scheduler's runqueues (the task list from @p init_task, 0 if
 * unknown). Never fails for want of data: what is unknown is 0 and @p how
 * says why. Free with percpu_destroy().
 */
struct vmt_error *percpu_load(struct kernel *k, uint64_t init_task,
			      struct percpu **ret);

/**
 * Like percpu_load(), but always derive the bases from the runqueues
 * (never __per_cpu_offset): to check the derivation where the symbols
 * exist too.
 */
struct vmt_error *percpu_load_derived(struct kernel *k, uint64_t init_task,
				      struct percpu **ret);

/**
 * Set pc->section_start (__per_cpu_start) without its symbol, from the
 * per-CPU kthread ksoftirqd/N (see percpu.c), or say why not in
 * pc->start_how. percpu_load() does it when the symbol is missing.
 */
void percpu_derive_start(struct kernel *k, struct percpu *pc,
			 uint64_t init_task);

/** Free @p pc; accepts NULL. */
void percpu_destroy(struct percpu *pc);

/**
 * Offset of per-CPU variable @p name in .data..percpu (symbol minus
 * __per_cpu_start, else BTF's DATASEC), and its size (0 when unknown).
 */
struct vmt_error *percpu_var_offset(struct kernel *k, const char *name,
				    uint64_t *offset_ret, uint64_t *size_ret);

/**
 * Address of CPU @p cpu's copy of the per-CPU data at section offset
 * @p offset. NOT_FOUND naming the CPU when its base is unknown.
 */
struct vmt_error *percpu_addr(const struct percpu *pc, unsigned int cpu,
			      uint64_t offset, uint64_t *ret);

/**
 * per_cpu_ptr(@p ptr, @p cpu) of any __percpu pointer (a static
 * variable's address or an alloc_percpu() result): needs section_start.
 */
struct vmt_error *percpu_ptr(const struct percpu *pc, uint64_t ptr,
			     unsigned int cpu, uint64_t *ret);

/** percpu_var_offset() then percpu_addr(). */
struct vmt_error *percpu_var_addr(struct kernel *k, const struct percpu *pc,
				  const char *name, unsigned int cpu,
				  uint64_t *ret);

#endif
