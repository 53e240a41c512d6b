libvmtool_internal_la_SOURCES += src/lib/program.c src/lib/program_internal.h \
	src/lib/program_names.c
