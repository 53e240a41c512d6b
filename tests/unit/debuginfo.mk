# Check suites of debuginfo
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_symtab tests/unit/test_kallsyms \
	tests/unit/test_btf tests/unit/test_dwarf \
	tests/unit/test_debuginfo_real
TESTS += tests/unit/test_symtab tests/unit/test_kallsyms \
	tests/unit/test_btf tests/unit/test_dwarf \
	tests/unit/test_debuginfo_real

tests_unit_test_symtab_SOURCES = tests/unit/test_symtab.c
tests_unit_test_symtab_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_symtab_LDADD = libvmtool_internal.la $(CHECK_LIBS)

tests_unit_test_kallsyms_SOURCES = tests/unit/test_kallsyms.c
tests_unit_test_kallsyms_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_kallsyms_LDADD = libvmtool_internal.la $(CHECK_LIBS)

tests_unit_test_btf_SOURCES = tests/unit/test_btf.c
tests_unit_test_btf_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_btf_LDADD = libvmtool_internal.la $(CHECK_LIBS)

# Compiles its input with gcc -g at test time (skips if gcc is absent).
tests_unit_test_dwarf_SOURCES = tests/unit/test_dwarf.c
tests_unit_test_dwarf_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_dwarf_LDADD = libvmtool_internal.la $(CHECK_LIBS)

# Needs VMTOOL_SHARED_DUMPS (skips without); caches vmlinux in VMTOOL_CACHE.
tests_unit_test_debuginfo_real_SOURCES = tests/unit/test_debuginfo_real.c
tests_unit_test_debuginfo_real_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) \
	$(ZLIB_CFLAGS)
tests_unit_test_debuginfo_real_LDADD = libvmtool_internal.la $(CHECK_LIBS) \
	$(ZLIB_LIBS)
endif

# Bounded nearest-symbol answers over tables built by hand.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_nearest
TESTS += tests/unit/test_nearest
tests_unit_test_nearest_SOURCES = tests/unit/test_nearest.c
tests_unit_test_nearest_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_nearest_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif
