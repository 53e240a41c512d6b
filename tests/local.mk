# Tests: each area lists its Check suites in its own .mk.
EXTRA_DIST += tests/unit/testutil.h tests/skip-summary.sh
EXTRA_DIST += tests/unit/testutil_mem.h tests/unit/testutil_kernel.h
include tests/unit/base.mk
include tests/unit/dump.mk
include tests/unit/vmcoreinfo.mk
include tests/unit/arm64.mk
include tests/unit/debuginfo.mk
include tests/unit/kernel.mk
include tests/integration/integration.mk

# Real dumps live in ../shared/dumps beside the checkout (absent in a
# user's clone: those tests skip with exit 77 and say why).
AM_TESTS_ENVIRONMENT = \
	VMTOOL_SHARED_DUMPS=$$(d='$(abs_top_srcdir)/../shared/dumps'; test -d "$$d" && echo "$$d"); \
	VMTOOL_CACHE='$(abs_top_builddir)/tests/cache'; \
	VMTOOL='$(abs_top_builddir)/vmtool'; \
	VMTOOL_SRCDIR='$(abs_top_srcdir)'; \
	export VMTOOL_SHARED_DUMPS VMTOOL_CACHE VMTOOL VMTOOL_SRCDIR;
include tests/fuzz/local.mk
include tests/corrupt/local.mk

# After the tests: what was skipped and why, on the terminal (the harness
# only says SKIP).
check-local: check-TESTS
	@$(SHELL) $(top_srcdir)/tests/skip-summary.sh $(TEST_LOGS)
