# files of src/lib/vmcoreinfo
libvmtool_internal_la_SOURCES += src/lib/vmcoreinfo/vmcoreinfo.c \
	src/lib/vmcoreinfo/vmcoreinfo.h
