# Check suites of base
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_bigmem
TESTS += tests/unit/test_bigmem
tests_unit_test_bigmem_SOURCES = tests/unit/test_bigmem.c
tests_unit_test_bigmem_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_bigmem_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif
