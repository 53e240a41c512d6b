# files of src/lib/decompress
libvmtool_internal_la_SOURCES += src/lib/decompress/decompress.h \
	src/lib/decompress/decompress.c src/lib/decompress/zlib.c \
	src/lib/decompress/lzo.c src/lib/decompress/lzo1x_decode.c \
	src/lib/decompress/snappy.c src/lib/decompress/snappy_lib.h \
	src/lib/decompress/snappy_lib.c \
	src/lib/decompress/zstd.c
