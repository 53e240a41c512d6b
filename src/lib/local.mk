libvmtool_internal_la_SOURCES += src/lib/program.c src/lib/program_internal.h \
	src/lib/program_fs.c src/lib/program_list.c
libvmtool_internal_la_SOURCES += src/lib/program_log.c
libvmtool_internal_la_SOURCES += src/lib/program_sys.c
