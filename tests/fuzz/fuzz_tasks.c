// The task-list walker (init_task.tasks, each process's threads, the idle
// tasks from runqueues, init_task found by scanning) over random memory
// behind every pointer, through a fake struct kernel: the walker reads
// only through the kernel_* calls defined here. It must end on any input
// (cycles, wild pointers, huge lists) and never list a task twice.
//
// Input: a mode byte, the offsets (u16, in 8-byte units from MEM_BASE) of
// init_task, runqueues (its offset in a per-CPU area), the per-CPU bases
// and the CPU count (a u32 in memory), then the memory at MEM_BASE. With
// MODE_RUNQUEUES the walker gets per-CPU areas (the bases, up to
// MAX_FUZZ_CPUS) and reads rq->curr and rq->idle there; with MODE_STACKS
// also per-CPU IRQ stacks (their low ends follow the bases).
#include <inttypes.h>
#include <stdarg.h>

#include "fuzz.h"
#include "kernel/percpu.h"
#include "kernel/stack.h"
#include "kernel/task.h"

#define MEM_BASE 0xffff800081000000ULL

struct kernel {
	const uint8_t *mem;
	size_t size;
	uint8_t mode;
	uint64_t sym[4]; // init_task, runqueues, per-CPU bases, CPU count
	unsigned int nr_warnings;
};

enum {
	MODE_INIT_SYMBOL = 1,
	MODE_OLD_LAYOUT = 2,
	MODE_RUNQUEUES = 4,
	MODE_STACKS = 8,
};

#define MAX_FUZZ_CPUS 4

// Two kernels' layouts: 6.7+ (signal->thread_head, __state) and older
// (thread_group, state as a long).
static const struct {
	const char *type, *member;
	uint64_t off, size;
	int layout; // 0 both, 1 new only, 2 old only
} members[] = {
	{ "task_struct", "__state", 0x04, 4, 1 },
	{ "task_struct", "state", 0x00, 8, 2 },
	{ "task_struct", "tasks", 0x10, 16, 0 },
	{ "task_struct", "pid", 0x20, 4, 0 },
	{ "task_struct", "tgid", 0x24, 4, 0 },
	{ "task_struct", "comm", 0x30, 16, 0 },
	{ "task_struct", "exit_state", 0x40, 4, 0 },
	{ "task_struct", "flags", 0x44, 4, 0 },
	{ "task_struct", "mm", 0x48, 8, 0 },
	{ "task_struct", "real_parent", 0x50, 8, 0 },
	{ "task_struct", "signal", 0x58, 8, 0 },
	{ "task_struct", "thread_node", 0x60, 16, 1 },
	{ "task_struct", "thread_group", 0x60, 16, 2 },
	{ "task_struct", "stack", 0x70, 8, 0 },
	{ "task_struct", "on_cpu", 0x78, 4, 0 },
	{ "task_struct", "cpu", 0x7c, 4, 1 },
	{ "task_struct", "thread_info.cpu", 0x7c, 4, 2 },
	{ "signal_struct", "thread_head", 0x08, 16, 1 },
	{ "rq", "curr", 0x10, 8, 0 },
	{ "rq", "idle", 0x18, 8, 0 },
};

struct vmt_error *kernel_read(struct kernel *k, uint64_t vaddr, void *buf,
			      size_t len)
{
	if (vaddr < MEM_BASE || vaddr - MEM_BASE > k->size ||
	    len > k->size - (vaddr - MEM_BASE))
		return vmt_error_fault(VMT_FAULT_NOT_MAPPED, vaddr,
				       "%#" PRIx64 " not mapped", vaddr);
	memcpy(buf, k->mem + (vaddr - MEM_BASE), len);
	return NULL;
}

struct vmt_error *kernel_read_u64(struct kernel *k, uint64_t vaddr,
				  uint64_t *ret)
{
	uint8_t b[8];
	struct vmt_error *err = kernel_read(k, vaddr, b, 8);

	if (!err) {
		*ret = 0;
		for (int i = 0; i < 8; i++)
			*ret |= (uint64_t)b[i] << (8 * i);
	}
	return err;
}

struct vmt_error *kernel_read_u32(struct kernel *k, uint64_t vaddr,
				  uint32_t *ret)
{
	uint64_t v;
	uint8_t b[4];
	struct vmt_error *err = kernel_read(k, vaddr, b, 4);

	if (!err) {
		v = (uint64_t)b[0] | (uint64_t)b[1] << 8 |
		    (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24;
		*ret = (uint32_t)v;
	}
	return err;
}

struct vmt_error *kernel_symbol(struct kernel *k, const char *name,
				uint64_t *ret)
{
	if (!strcmp(name, "init_task") && (k->mode & MODE_INIT_SYMBOL)) {
		*ret = k->sym[0];
		return NULL;
	}
	// The anchor of the init_task scan.
	if (!strcmp(name, "init_uts_ns")) {
		*ret = MEM_BASE + k->size / 2;
		return NULL;
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no symbol %s", name);
}

struct vmt_error *kernel_member(struct kernel *k, const char *type,
				const char *member, uint64_t *offset_ret,
				uint64_t *size_ret)
{
	int layout = k->mode & MODE_OLD_LAYOUT ? 2 : 1;

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		if ((members[i].layout && members[i].layout != layout) ||
		    strcmp(members[i].type, type) ||
		    strcmp(members[i].member, member))
			continue;
		*offset_ret = members[i].off;
		if (size_ret)
			*size_ret = members[i].size;
		return NULL;
	}
	return vmt_error_format(VMT_ERROR_NOT_FOUND, "no %s.%s", type, member);
}

bool kernel_has_member(struct kernel *k, const char *type, const char *member)
{
	uint64_t o, s;

	return vmt_error_ok(kernel_member(k, type, member, &o, &s));
}

uint64_t kernel_page_size(struct kernel *k)
{
	return 4096;
}

void kernel_cpu_regs(struct kernel *k, const struct vmt_cpu_regs **ret,
		     size_t *nr_ret)
{
	static struct vmt_cpu_regs regs[2];

	// The saved sp of each CPU: inside some task's stack, or not.
	regs[0].sp = MEM_BASE + 0x4000 - 0x80;
	regs[1].sp = MEM_BASE + 0x8000 - 0x80;
	*ret = regs;
	*nr_ret = (k->mode >> 4) % 3;
}

void kernel_warn(struct kernel *k, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	FUZZ_ASSERT(buf[0]);
	k->nr_warnings++;
}

void kernel_add_derived_object(struct kernel *k, const char *name,
			       uint64_t addr, const char *type,
			       const char *how)
{
	FUZZ_ASSERT(!strcmp(name, "init_task") && how && how[0]);
	FUZZ_ASSERT(!strcmp(type, "task_struct"));
}

// A u64 of the fuzzed memory, 0 where there is none.
static uint64_t mem_u64(struct kernel *k, uint64_t vaddr)
{
	uint64_t v;

	return vmt_error_ok(kernel_read_u64(k, vaddr, &v)) ? v : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct kernel k = { .mode = fuzz_u8(&in) };
	struct vmt_task *tasks = NULL;
	struct vmt_error *err, *broken = NULL;
	uint64_t bases[MAX_FUZZ_CPUS] = { 0 };
	uint64_t lows[MAX_FUZZ_CPUS][KSTACK_KINDS] = { { 0 } };
	struct percpu pc = { .base = bases };
	struct kernel_stacks ks = { .thread_size = 0x4000, .cpu = lows };
	struct task_list_input tin = { 0 };
	struct task_cpu *cpus = NULL;
	unsigned int nr_cpus = 0;
	size_t nr = 0;

	for (int i = 0; i < 4; i++) {
		uint16_t lo = fuzz_u8(&in);

		k.sym[i] = MEM_BASE + 8ULL * (lo | (uint16_t)fuzz_u8(&in) << 8);
	}
	k.mem = in.data;
	k.size = in.size;
	if (k.mode & MODE_RUNQUEUES) {
		uint32_t n;

		if (!vmt_error_ok(kernel_read_u32(&k, k.sym[3], &n)))
			n = 0;
		pc.nr_cpus = pc.nr_bases = n % (MAX_FUZZ_CPUS + 1);
		for (unsigned int c = 0; c < pc.nr_cpus; c++)
			bases[c] = mem_u64(&k, k.sym[2] + 8 * c);
		tin.percpu = &pc;
		tin.have_runqueues = true;
		tin.runqueues_offset = k.sym[1] - MEM_BASE;
	}
	if (k.mode & MODE_STACKS) {
		ks.nr_cpus = pc.nr_cpus;
		ks.size[KSTACK_IRQ] = 0x4000;
		for (unsigned int c = 0; c < ks.nr_cpus; c++)
			lows[c][KSTACK_IRQ] =
				mem_u64(&k, k.sym[2] + 8 * (MAX_FUZZ_CPUS + c));
		tin.stacks = &ks;
		tin.thread_size = ks.thread_size;
	}
	err = task_list(&k, &tin, &tasks, &nr, &cpus, &nr_cpus, &broken);
	if (err) {
		fuzz_check_error(err);
		return 0;
	}
	FUZZ_ASSERT(nr >= 1);
	// At most one current task per CPU, and it is a listed one.
	for (unsigned int c = 0; c < nr_cpus; c++) {
		size_t marked = 0;

		for (size_t i = 0; i < nr; i++)
			if (tasks[i].oncpu && tasks[i].cpu == (int)c) {
				marked++;
				FUZZ_ASSERT(tasks[i].task == cpus[c].task);
			}
		FUZZ_ASSERT(marked <= 1);
		FUZZ_ASSERT(memchr(cpus[c].how, '\0', sizeof(cpus[c].how)));
	}
	free(cpus);
	// Whatever cut the list short is named, and warned about.
	if (broken)
		FUZZ_ASSERT(k.nr_warnings > 0);
	fuzz_check_error(broken);
	// Each task once, however the lists loop.
	{
		uint64_t *addrs = malloc(nr * sizeof(*addrs));

		FUZZ_ASSERT(addrs);
		for (size_t i = 0; i < nr; i++) {
			addrs[i] = tasks[i].task;
			FUZZ_ASSERT(memchr(tasks[i].comm, '\0',
					   sizeof(tasks[i].comm)));
		}
		qsort(addrs, nr, sizeof(*addrs), cmp_u64);
		for (size_t i = 1; i < nr; i++)
			FUZZ_ASSERT(addrs[i] != addrs[i - 1]);
		free(addrs);
	}
	free(tasks);
	return 0;
}
