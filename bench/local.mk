# Benchmarks: `make bench` builds the C programs and runs bench/run-bench.py,
# which prints figures (never pass/fail) against drgn and libkdumpfile.
# Built only on demand, so `make` and `make check` do not pay for them.
EXTRA_PROGRAMS = bench/bench_translate bench/bench_read bench/bench_save
CLEANFILES += $(EXTRA_PROGRAMS)
bench_bench_translate_SOURCES = bench/bench_translate.c
bench_bench_translate_LDADD = libvmtool_internal.la
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

.PHONY: bench
bench: vmtool$(EXEEXT) $(EXTRA_PROGRAMS)
	VMTOOL_SHARED_DUMPS=$${VMTOOL_SHARED_DUMPS:-$$(d='$(abs_top_srcdir)/../shared/dumps'; test -d "$$d" && echo "$$d")} \
	VMTOOL_CACHE=$${VMTOOL_CACHE:-$(BENCH_CACHE)} \
	$(BENCH_PY_CMD) $(abs_top_srcdir)/bench/run-bench.py \
		--builddir '$(abs_top_builddir)' --srcdir '$(abs_top_srcdir)'
# README's comparison with crash, drgn, libkdumpfile and makedumpfile (run
# by hand in a build directory: ../bench/compare-peers.sh).
EXTRA_DIST += bench/compare-peers.sh bench/peers/probe.py bench/peers/drgn_task.py
