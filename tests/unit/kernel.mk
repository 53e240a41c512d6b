# Check suites of kernel
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_maple_tree tests/unit/test_vma_flags \
	tests/unit/test_d_path
TESTS += tests/unit/test_maple_tree tests/unit/test_vma_flags \
	tests/unit/test_d_path
tests_unit_test_maple_tree_SOURCES = tests/unit/test_maple_tree.c
tests_unit_test_maple_tree_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_maple_tree_LDADD = libvmtool_internal.la $(CHECK_LIBS)
tests_unit_test_vma_flags_SOURCES = tests/unit/test_vma_flags.c
tests_unit_test_vma_flags_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_vma_flags_LDADD = libvmtool_internal.la $(CHECK_LIBS)
tests_unit_test_d_path_SOURCES = tests/unit/test_d_path.c
tests_unit_test_d_path_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_d_path_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# Tasks and maps of the real dumps of ../shared/dumps (skips without them).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_kernel_real
TESTS += tests/unit/test_kernel_real
tests_unit_test_kernel_real_SOURCES = tests/unit/test_kernel_real.c
tests_unit_test_kernel_real_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_kernel_real_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# task_list() over a fake struct kernel: built from the sources, without
# libvmtool_internal, since the test defines the kernel_* functions.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_task_list
TESTS += tests/unit/test_task_list
tests_unit_test_task_list_SOURCES = tests/unit/test_task_list.c \
	src/lib/kernel/task.c src/lib/kernel/proc_fmt.c \
	src/lib/base/error.c src/lib/base/warnings.c
tests_unit_test_task_list_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_task_list_LDADD = $(CHECK_LIBS)
endif

# List and rb-tree walks over memory laid out in a buffer.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_list
TESTS += tests/unit/test_list
tests_unit_test_list_SOURCES = tests/unit/test_list.c
tests_unit_test_list_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_list_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# The kernel log parsers and `sys` helpers on structures built in memory.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_printk
TESTS += tests/unit/test_printk
tests_unit_test_printk_SOURCES = tests/unit/test_printk.c
tests_unit_test_printk_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_printk_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_sysinfo
TESTS += tests/unit/test_sysinfo
tests_unit_test_sysinfo_SOURCES = tests/unit/test_sysinfo.c
tests_unit_test_sysinfo_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_sysinfo_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# log and sys of the real dumps of ../shared/dumps (skips without them).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_printk_real
TESTS += tests/unit/test_printk_real
tests_unit_test_printk_real_SOURCES = tests/unit/test_printk_real.c
tests_unit_test_printk_real_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_printk_real_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# percpu_load() over a fake struct kernel (defines the kernel_* functions).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_percpu
TESTS += tests/unit/test_percpu
tests_unit_test_percpu_SOURCES = tests/unit/test_percpu.c \
	src/lib/kernel/percpu.c src/lib/base/error.c
tests_unit_test_percpu_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_percpu_LDADD = $(CHECK_LIBS)
endif

# Per-CPU areas, current tasks and stack facts of the real dumps.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_stack_real
TESTS += tests/unit/test_stack_real
tests_unit_test_stack_real_SOURCES = tests/unit/test_stack_real.c
tests_unit_test_stack_real_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_stack_real_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# runq_read() over runqueues laid out in a buffer.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_runq
TESTS += tests/unit/test_runq
tests_unit_test_runq_SOURCES = tests/unit/test_runq.c
tests_unit_test_runq_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_runq_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# Typed values over types built by hand and memory in a buffer.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_value
TESTS += tests/unit/test_value
tests_unit_test_value_SOURCES = tests/unit/test_value.c
tests_unit_test_value_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_value_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# The memmap walker over struct pages laid out in memory.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_memmap
TESTS += tests/unit/test_memmap
tests_unit_test_memmap_SOURCES = tests/unit/test_memmap.c
tests_unit_test_memmap_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_memmap_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# The memmap of the real dumps of ../shared/dumps (skips without them).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_memmap_real
TESTS += tests/unit/test_memmap_real
tests_unit_test_memmap_real_SOURCES = tests/unit/test_memmap_real.c
tests_unit_test_memmap_real_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_memmap_real_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# Kernel objects in memory buffers: vmalloc areas, modules, SLUB slabs,
# per-CPU offsets.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_vmalloc tests/unit/test_module \
	tests/unit/test_slab
TESTS += tests/unit/test_vmalloc tests/unit/test_module tests/unit/test_slab
tests_unit_test_vmalloc_SOURCES = tests/unit/test_vmalloc.c
tests_unit_test_vmalloc_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_vmalloc_LDADD = libvmtool_internal.la $(CHECK_LIBS)
tests_unit_test_module_SOURCES = tests/unit/test_module.c
tests_unit_test_module_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_module_LDADD = libvmtool_internal.la $(CHECK_LIBS)
tests_unit_test_slab_SOURCES = tests/unit/test_slab.c
tests_unit_test_slab_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_slab_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif
