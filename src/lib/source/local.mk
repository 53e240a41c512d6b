# files of src/lib/source
libvmtool_internal_la_SOURCES += src/lib/source/source.h \
	src/lib/source/source.c src/lib/source/file.c src/lib/source/mem.c \
	src/lib/source/flattened.c src/lib/source/extents.c \
	src/lib/source/extents.h
