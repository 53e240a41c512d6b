vmtool_SOURCES = src/cli/main.c src/cli/cmd.h src/cli/output.c \
	src/cli/output.h src/cli/cmd_info.c src/cli/cmd_rd.c \
	src/cli/cmd_vtop.c src/cli/cmd_sym.c src/cli/cmd_ps.c src/cli/cmd_vm.c \
	src/cli/cmd_mod.c
vmtool_SOURCES += src/cli/cmd_kmem.c
vmtool_LDADD = libvmtool_internal.la
