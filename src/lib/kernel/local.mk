# files of src/lib/kernel, one line a topic, so that additions merge
libvmtool_internal_la_SOURCES += src/lib/kernel/kernel.c src/lib/kernel/kernel.h src/lib/kernel/kernel_ctx.h src/lib/kernel/kread.h
libvmtool_internal_la_SOURCES += src/lib/kernel/task.c src/lib/kernel/task.h src/lib/kernel/proc_fmt.c
libvmtool_internal_la_SOURCES += src/lib/kernel/vma.c
libvmtool_internal_la_SOURCES += src/lib/kernel/maple_tree.c src/lib/kernel/maple_tree.h
libvmtool_internal_la_SOURCES += src/lib/kernel/d_path.c src/lib/kernel/d_path.h
libvmtool_internal_la_SOURCES += src/lib/kernel/list.c src/lib/kernel/list.h
libvmtool_internal_la_SOURCES += src/lib/kernel/rbtree.c src/lib/kernel/rbtree.h
libvmtool_internal_la_SOURCES += src/lib/kernel/fs.c src/lib/kernel/fs.h src/lib/kernel/mount.c
# The kernel log (printk ring buffer, log_buf) and `sys`.
libvmtool_internal_la_SOURCES += src/lib/kernel/printk.c src/lib/kernel/printk.h \
	src/lib/kernel/printk_parse.h src/lib/kernel/printk_common.c \
	src/lib/kernel/printk_ring.c src/lib/kernel/printk_logbuf.c \
	src/lib/kernel/printk_format.c
libvmtool_internal_la_SOURCES += src/lib/kernel/sysinfo.c src/lib/kernel/sysinfo.h \
	src/lib/kernel/sysinfo_memory.c src/lib/kernel/sysinfo_time.c \
	src/lib/kernel/sysinfo_panic.c
libvmtool_internal_la_SOURCES += src/lib/kernel/percpu.c src/lib/kernel/percpu.h
libvmtool_internal_la_SOURCES += src/lib/kernel/stack.c src/lib/kernel/stack.h
libvmtool_internal_la_SOURCES += src/lib/kernel/runq.c src/lib/kernel/runq.h
libvmtool_internal_la_SOURCES += src/lib/kernel/value.c src/lib/kernel/value.h \
	src/lib/kernel/value_types.c src/lib/kernel/value_tree.c \
	src/lib/kernel/value_format.c src/lib/kernel/value_expr.c
libvmtool_internal_la_SOURCES += src/lib/kernel/memmap.c src/lib/kernel/memmap.h \
	src/lib/kernel/memmap_stat.c src/lib/kernel/memmap_stat.h \
	src/lib/kernel/memmap_free.c src/lib/kernel/memmap_free.h
libvmtool_internal_la_SOURCES += src/lib/kernel/vmalloc.c src/lib/kernel/vmalloc.h
libvmtool_internal_la_SOURCES += src/lib/kernel/module.c src/lib/kernel/module.h src/lib/kernel/module_find.c
libvmtool_internal_la_SOURCES += src/lib/kernel/slab.c src/lib/kernel/slab.h
libvmtool_internal_la_SOURCES += src/lib/kernel/kmem.c src/lib/kernel/kmem.h
libvmtool_internal_la_SOURCES += src/lib/kernel/percpu_start.c src/lib/kernel/percpu_start.h
