libvmtool_internal_la_SOURCES += src/lib/program.c src/lib/program_internal.h
libvmtool_internal_la_SOURCES += src/lib/program_module.c
libvmtool_internal_la_SOURCES += src/lib/program_page.c
libvmtool_internal_la_SOURCES += src/lib/program_percpu.c
libvmtool_internal_la_SOURCES += src/lib/program_kmem.c
