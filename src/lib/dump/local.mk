# files of src/lib/dump
libvmtool_internal_la_SOURCES += src/lib/dump/dump.h src/lib/dump/probe.c \
	src/lib/dump/notes.c src/lib/dump/elf_vmcore.c \
	src/lib/dump/kdump_compressed.c src/lib/dump/kdump_bitmap.c \
	src/lib/dump/kdump_bitmap.h src/lib/dump/page_cache.c \
	src/lib/dump/page_cache.h
