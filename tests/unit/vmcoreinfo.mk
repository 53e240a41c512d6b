# Check suites of vmcoreinfo
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_vmcoreinfo
TESTS += tests/unit/test_vmcoreinfo
tests_unit_test_vmcoreinfo_SOURCES = tests/unit/test_vmcoreinfo.c
tests_unit_test_vmcoreinfo_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_vmcoreinfo_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif
