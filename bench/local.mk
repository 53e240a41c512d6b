# Benchmarks: `make bench` builds the C programs and runs bench/run-bench.py,
# which prints figures (never pass/fail) against drgn and libkdumpfile.
# Built only on demand, so `make` and `make check` do not pay for them.
EXTRA_PROGRAMS = bench/bench_vtop
EXTRA_PROGRAMS += bench/bench_read
EXTRA_PROGRAMS += bench/bench_spawn
EXTRA_PROGRAMS += bench/bench_save
EXTRA_PROGRAMS += bench/bench_floor
if HAVE_LIBKDUMPFILE
EXTRA_PROGRAMS += bench/peer_kdumpfile
endif
CLEANFILES += $(EXTRA_PROGRAMS)
bench_bench_spawn_SOURCES = bench/bench_spawn.c
bench_bench_floor_SOURCES = bench/bench_floor.c
bench_bench_vtop_SOURCES = bench/bench_vtop.c
bench_bench_vtop_LDADD = libvmtool_internal.la
# libkdumpfile's C API (Debian's libkdumpfile-dev): the peer, never linked
# into vmtool.
bench_peer_kdumpfile_SOURCES = bench/peer_kdumpfile.c
bench_peer_kdumpfile_CFLAGS = $(AM_CFLAGS) $(LIBKDUMPFILE_CFLAGS)
bench_peer_kdumpfile_LDADD = $(LIBKDUMPFILE_LIBS)
bench_bench_read_SOURCES = bench/bench_read.c
bench_bench_read_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS)
bench_bench_read_LDADD = libvmtool_internal.la $(ZLIB_LIBS) $(LZO_LIBS)
bench_bench_save_SOURCES = bench/bench_save.c
bench_bench_save_CFLAGS = $(AM_CFLAGS) $(ZSTD_CFLAGS)
bench_bench_save_LDADD = libvmtool_internal.la $(ZSTD_LIBS)
EXTRA_DIST += bench/run-bench.py bench/README.md

# The peers' Python modules are Debian's (python3-drgn, python3-libkdumpfile).
BENCH_PY_CMD = /usr/bin/python3
BENCH_CACHE = /tmp/vmtool-cache

# BENCH_ARGS: e.g. --rounds 9, --quick, --instructions (callgrind counts).
BENCH_ARGS =

.PHONY: bench
bench: vmtool$(EXEEXT) $(EXTRA_PROGRAMS) tests/tools/mkvmcore$(EXEEXT)
	VMTOOL_SHARED_DUMPS=$${VMTOOL_SHARED_DUMPS:-$$(d='$(abs_top_srcdir)/../shared/dumps'; test -d "$$d" && echo "$$d")} \
	VMTOOL_CACHE=$${VMTOOL_CACHE:-$(BENCH_CACHE)} \
	$(BENCH_PY_CMD) $(abs_top_srcdir)/bench/run-bench.py \
		--builddir '$(abs_top_builddir)' --srcdir '$(abs_top_srcdir)' $(BENCH_ARGS)
# README's comparison with crash, drgn, libkdumpfile and makedumpfile (run
# by hand in a build directory: ../bench/compare-peers.sh).
EXTRA_DIST += bench/compare-peers.sh bench/peers/probe.py bench/peers/drgn_task.py
