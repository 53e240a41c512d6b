# One line a file, so that additions merge.
vmtool_SOURCES = src/cli/main.c src/cli/cmd.h src/cli/output.c src/cli/output.h
vmtool_SOURCES += src/cli/cli.h src/cli/cmdutil.c src/cli/run.c
vmtool_SOURCES += src/cli/batch.c
vmtool_SOURCES += src/cli/session.c
vmtool_SOURCES += src/cli/cmd_help.c
vmtool_SOURCES += src/cli/cmd_info.c
vmtool_SOURCES += src/cli/cmd_rd.c
vmtool_SOURCES += src/cli/cmd_vtop.c
vmtool_SOURCES += src/cli/cmd_sym.c
vmtool_SOURCES += src/cli/cmd_ps.c
vmtool_SOURCES += src/cli/cmd_vm.c
vmtool_SOURCES += src/cli/cmd_files.c
vmtool_SOURCES += src/cli/cmd_mount.c
vmtool_SOURCES += src/cli/cmd_list.c
vmtool_SOURCES += src/cli/cmd_log.c
vmtool_SOURCES += src/cli/cmd_sys.c
vmtool_SOURCES += src/cli/cmd_bt.c
vmtool_SOURCES += src/cli/cmd_runq.c
vmtool_SOURCES += src/cli/cmd_p.c src/cli/value_out.c src/cli/value_out.h
vmtool_SOURCES += src/cli/cmd_task.c
vmtool_SOURCES += src/cli/cmd_foreach.c
vmtool_SOURCES += src/cli/cmd_kmem.c
vmtool_SOURCES += src/cli/cmd_save.c
vmtool_SOURCES += src/cli/cmd_mod.c
# The session's line editing (libedit).
vmtool_CFLAGS = $(AM_CFLAGS) $(LIBEDIT_CFLAGS)
vmtool_LDADD = libvmtool_internal.la $(LIBEDIT_LIBS)
