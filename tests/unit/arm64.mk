# Check suites of arm64 (layout, page-table walker, real dumps)
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_arm64_layout tests/unit/test_arm64_pgtable \
	tests/unit/test_arm64_real
TESTS += tests/unit/test_arm64_layout tests/unit/test_arm64_pgtable \
	tests/unit/test_arm64_real

tests_unit_test_arm64_layout_SOURCES = tests/unit/test_arm64_layout.c
tests_unit_test_arm64_layout_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_arm64_layout_LDADD = libvmtool_internal.la $(CHECK_LIBS)

tests_unit_test_arm64_pgtable_SOURCES = tests/unit/test_arm64_pgtable.c
tests_unit_test_arm64_pgtable_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_arm64_pgtable_LDADD = libvmtool_internal.la $(CHECK_LIBS)

tests_unit_test_arm64_real_SOURCES = tests/unit/test_arm64_real.c
tests_unit_test_arm64_real_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_arm64_real_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# Frame-record unwinding over synthetic stacks.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_arm64_unwind
TESTS += tests/unit/test_arm64_unwind
tests_unit_test_arm64_unwind_SOURCES = tests/unit/test_arm64_unwind.c
tests_unit_test_arm64_unwind_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_arm64_unwind_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif
