# files of src/lib/debuginfo
libvmtool_internal_la_SOURCES += src/lib/debuginfo/combined.c src/lib/debuginfo/combined.h \
	src/lib/debuginfo/debuginfo.h \
	src/lib/debuginfo/symtab.c src/lib/debuginfo/symtab.h \
	src/lib/debuginfo/nearest.c src/lib/debuginfo/module_syms.c \
	src/lib/debuginfo/typedb.c src/lib/debuginfo/typedb.h \
	src/lib/debuginfo/kallsyms.c src/lib/debuginfo/btf.c \
	src/lib/debuginfo/dwarf.c src/lib/debuginfo/elf_symtab.c
libvmtool_internal_la_SOURCES += src/lib/debuginfo/dwarf_lines.c src/lib/debuginfo/dwarf_lines.h
libvmtool_internal_la_SOURCES += src/lib/debuginfo/type_decl.c
