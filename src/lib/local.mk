# The program facade, one line a topic, so that additions merge.
libvmtool_internal_la_SOURCES += src/lib/program.c src/lib/program_internal.h
libvmtool_internal_la_SOURCES += src/lib/program_fs.c
libvmtool_internal_la_SOURCES += src/lib/program_list.c
libvmtool_internal_la_SOURCES += src/lib/program_log.c
libvmtool_internal_la_SOURCES += src/lib/program_sys.c
libvmtool_internal_la_SOURCES += src/lib/program_percpu.c
libvmtool_internal_la_SOURCES += src/lib/program_stack.c
libvmtool_internal_la_SOURCES += src/lib/program_runq.c
libvmtool_internal_la_SOURCES += src/lib/program_value.c
libvmtool_internal_la_SOURCES += src/lib/program_page.c
libvmtool_internal_la_SOURCES += src/lib/program_save.c
libvmtool_internal_la_SOURCES += src/lib/program_module.c
libvmtool_internal_la_SOURCES += src/lib/program_kmem.c
libvmtool_internal_la_SOURCES += src/lib/program_names.c
