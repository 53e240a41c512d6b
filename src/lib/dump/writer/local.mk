# files of src/lib/dump/writer: the dump writers of `save`
libvmtool_internal_la_SOURCES += src/lib/dump/kdump_format.h \
	src/lib/dump/writer/writer.h src/lib/dump/writer/writer.c \
	src/lib/dump/writer/sink.c src/lib/dump/writer/compress.c \
	src/lib/dump/writer/pool.c src/lib/dump/writer/kdump_writer.c \
	src/lib/dump/writer/elf_writer.c
