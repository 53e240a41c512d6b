libvmtool_internal_la_SOURCES += src/lib/base/error.c src/lib/base/error.h \
	src/lib/base/bytes.h src/lib/base/bigmem.c src/lib/base/bigmem.h \
	src/lib/base/warnings.c src/lib/base/warnings.h \
	src/lib/base/input_file.c src/lib/base/input_file.h
