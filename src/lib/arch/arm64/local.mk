# files of src/lib/arch/arm64
libvmtool_internal_la_SOURCES += src/lib/arch/arm64/layout.c \
	src/lib/arch/arm64/layout.h src/lib/arch/arm64/pgtable.c \
	src/lib/arch/arm64/pgtable.h
libvmtool_internal_la_SOURCES += src/lib/arch/arm64/unwind.c src/lib/arch/arm64/unwind.h
