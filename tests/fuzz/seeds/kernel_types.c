// A few kernel types as a vmlinux describes them, compiled into the seed
// inputs of the type-source fuzz targets: to BTF (clang -target bpf -g)
// and to DWARF (gcc -g). Not the kernel's code: shapes that exercise the
// readers (nested anonymous members, bitfields, arrays, function
// pointers, self-references, enums, typedefs, qualifiers, declarations).
typedef unsigned long long u64;
typedef unsigned int u32;
typedef int pid_t;

struct list_head {
	struct list_head *next, *prev;
};

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID,
		PIDTYPE_MAX };

struct thread_info {
	unsigned long flags;
	u64 ttbr0;
	union {
		u64 preempt_count;
		struct {
			u32 count;
			u32 need_resched;
		} preempt;
	};
	u32 cpu;
};

struct maple_tree {
	union {
		unsigned int ma_lock;
		void *ma_external_lock;
	};
	unsigned int ma_flags;
	void *ma_root;
};

struct maple_enode;
struct file;

struct vm_area_struct {
	union {
		struct {
			unsigned long vm_start;
			unsigned long vm_end;
		};
		void *vm_rcu;
	};
	struct mm_struct *vm_mm;
	union {
		const unsigned long vm_flags;
		unsigned long __vm_flags;
	};
	unsigned long vm_pgoff;
	struct file *vm_file;
	const struct vm_operations_struct *vm_ops;
};

struct vm_operations_struct {
	void (*open)(struct vm_area_struct *area);
	const char *(*name)(struct vm_area_struct *vma);
};

struct mm_struct {
	struct {
		struct maple_tree mm_mt;
		unsigned long mmap_base;
		volatile unsigned long task_size;
		u64 *pgd;
		int map_count;
		unsigned long total_vm, start_brk, brk, start_stack;
	};
	unsigned long cpu_bitmap[];
};

struct sched_entity {
	u64 exec_start;
	unsigned int on_rq;
};

struct task_struct {
	struct thread_info thread_info;
	unsigned int __state;
	void *stack;
	int on_cpu;
	unsigned int cpu;
	struct sched_entity se;
	unsigned int sched_reset_on_fork : 1;
	unsigned int sched_contributes_to_load : 1;
	unsigned int sched_migrated : 1;
	unsigned int : 0;
	unsigned int in_execve : 1;
	struct list_head tasks;
	struct mm_struct *mm, *active_mm;
	int exit_state;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct list_head thread_node;
	const char comm[16];
	enum pid_type type;
	struct task_struct *restrict self;
	char pad[2][3];
};

struct task_struct init_task;
struct mm_struct init_mm;
struct vm_area_struct some_vma;
struct vm_operations_struct some_ops;
enum pid_type some_pid_type;
struct maple_enode *some_enode;
pid_t some_pid;
u64 some_u64;

int main(void);
int main(void)
{
	return init_task.pid;
}
