# files of src/lib/kernel
libvmtool_internal_la_SOURCES += src/lib/kernel/kernel.c src/lib/kernel/kernel.h src/lib/kernel/kernel_ctx.h
libvmtool_internal_la_SOURCES += src/lib/kernel/memmap.c src/lib/kernel/memmap.h \
	src/lib/kernel/memmap_stat.c src/lib/kernel/memmap_stat.h
libvmtool_internal_la_SOURCES += src/lib/kernel/task.c src/lib/kernel/task.h \
	src/lib/kernel/vma.c src/lib/kernel/proc_fmt.c \
	src/lib/kernel/maple_tree.c src/lib/kernel/maple_tree.h \
	src/lib/kernel/d_path.c src/lib/kernel/d_path.h src/lib/kernel/kread.h
libvmtool_internal_la_SOURCES += src/lib/kernel/list.c src/lib/kernel/list.h \
	src/lib/kernel/vmalloc.c src/lib/kernel/vmalloc.h \
	src/lib/kernel/module.c src/lib/kernel/module.h \
	src/lib/kernel/module_find.c
libvmtool_internal_la_SOURCES += src/lib/kernel/percpu.c src/lib/kernel/percpu.h
libvmtool_internal_la_SOURCES += src/lib/kernel/slab.c src/lib/kernel/slab.h \
	src/lib/kernel/kmem.c src/lib/kernel/kmem.h \
	src/lib/kernel/percpu_start.c src/lib/kernel/percpu_start.h
