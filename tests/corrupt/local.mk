# The corrupt-dump suite: the findings of issue 11 as regression checks,
# and damaged variants of real and synthetic dumps run through every
# command (a fixed sample in make check, >= 10,000 in make check-corrupt).
TESTS += tests/corrupt/run-regressions.sh tests/corrupt/run-corrupt.sh
EXTRA_DIST += tests/corrupt/run-regressions.sh tests/corrupt/regressions.py \
	tests/corrupt/dumpfile.py tests/corrupt/corrupt.py \
	tests/corrupt/run-corrupt.sh

# At least 10,000 variants, with ../shared/dumps when present; prints the
# counts (set VMTOOL_CORRUPT_COUNT, _SEED, _JOBS to change them).
check-corrupt: vmtool$(EXEEXT) tests/tools/mkvmcore$(EXEEXT)
	VMTOOL_SHARED_DUMPS=$$(d='$(abs_top_srcdir)/../shared/dumps'; test -d "$$d" && echo "$$d") \
	VMTOOL='$(abs_top_builddir)/vmtool' VMTOOL_SRCDIR='$(abs_top_srcdir)' \
	VMTOOL_CORRUPT_COUNT=$${VMTOOL_CORRUPT_COUNT:-10000} \
	VMTOOL_CORRUPT_SEED=$${VMTOOL_CORRUPT_SEED:-1111} VMTOOL_CORRUPT_SHARED=1 \
	$(top_srcdir)/tests/corrupt/run-corrupt.sh
.PHONY: check-corrupt

clean-local: clean-corrupt
clean-corrupt:
	rm -rf tests/corrupt-regressions tests/corrupt-work
.PHONY: clean-corrupt
