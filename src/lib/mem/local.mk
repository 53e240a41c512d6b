# files of src/lib/mem
libvmtool_internal_la_SOURCES += src/lib/mem/address_space.c \
	src/lib/mem/address_space.h \
	src/lib/mem/vmcoreinfo_recover.c src/lib/mem/vmcoreinfo_recover.h
