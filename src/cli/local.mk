vmtool_SOURCES = src/cli/main.c src/cli/cmd.h src/cli/cli.h \
	src/cli/output.c src/cli/output.h src/cli/cmdutil.c src/cli/run.c \
	src/cli/batch.c src/cli/session.c src/cli/cmd_help.c \
	src/cli/cmd_info.c src/cli/cmd_rd.c \
	src/cli/cmd_vtop.c src/cli/cmd_sym.c src/cli/cmd_ps.c src/cli/cmd_vm.c
vmtool_CFLAGS = $(AM_CFLAGS) $(LIBEDIT_CFLAGS)
vmtool_LDADD = libvmtool_internal.la $(LIBEDIT_LIBS)
