# Check suites of dump
# mkvmcore: synthetic dumps for the tests below (links only the
# compression libraries, never libvmtool: an independent writer).
noinst_PROGRAMS += tests/tools/mkvmcore
tests_tools_mkvmcore_SOURCES = tests/tools/mkvmcore.c
tests_tools_mkvmcore_CFLAGS = $(AM_CFLAGS) $(ZLIB_CFLAGS) $(ZSTD_CFLAGS)
tests_tools_mkvmcore_LDADD = $(ZLIB_LIBS) $(LZO_LIBS) $(SNAPPY_LINK_LIBS) $(ZSTD_LIBS)
EXTRA_DIST += tests/tools/mkvmcore_run.h

if HAVE_CHECK
check_PROGRAMS += tests/unit/test_dump_synth tests/unit/test_dump_corrupt \
	tests/unit/test_kdump_bitmap tests/unit/test_decompress
TESTS += tests/unit/test_dump_synth tests/unit/test_dump_corrupt \
	tests/unit/test_kdump_bitmap tests/unit/test_decompress
tests_unit_test_decompress_SOURCES = tests/unit/test_decompress.c
tests_unit_test_decompress_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(ZLIB_CFLAGS)
tests_unit_test_decompress_LDADD = libvmtool_internal.la $(CHECK_LIBS) \
	$(ZLIB_LIBS) $(LZO_LIBS)
tests_unit_test_kdump_bitmap_SOURCES = tests/unit/test_kdump_bitmap.c
tests_unit_test_kdump_bitmap_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_kdump_bitmap_LDADD = libvmtool_internal.la $(CHECK_LIBS)
tests_unit_test_dump_synth_SOURCES = tests/unit/test_dump_synth.c
tests_unit_test_dump_synth_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMKVMCORE_PATH='"$(abs_top_builddir)/tests/tools/mkvmcore"'
tests_unit_test_dump_synth_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_dump_synth_LDADD = libvmtool_internal.la $(CHECK_LIBS)
tests_unit_test_dump_synth_DEPENDENCIES = libvmtool_internal.la tests/tools/mkvmcore
tests_unit_test_dump_corrupt_SOURCES = tests/unit/test_dump_corrupt.c
tests_unit_test_dump_corrupt_CPPFLAGS = $(AM_CPPFLAGS) \
	-DMKVMCORE_PATH='"$(abs_top_builddir)/tests/tools/mkvmcore"'
tests_unit_test_dump_corrupt_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_dump_corrupt_LDADD = libvmtool_internal.la $(CHECK_LIBS)
tests_unit_test_dump_corrupt_DEPENDENCIES = libvmtool_internal.la tests/tools/mkvmcore
endif

# The readers on the real dumps of ../shared/dumps (skips without them).
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_dump_real
TESTS += tests/unit/test_dump_real
tests_unit_test_dump_real_SOURCES = tests/unit/test_dump_real.c
tests_unit_test_dump_real_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) \
	$(LIBELF_CFLAGS) $(ZLIB_CFLAGS)
tests_unit_test_dump_real_LDADD = libvmtool_internal.la $(CHECK_LIBS) \
	$(LIBELF_LIBS) $(ZLIB_LIBS)
endif
EXTRA_DIST += testdata/synth-kdump-mixed-16k.spec testdata/synth-elf-split-ram.spec

# The dump writers of `save` over a synthetic machine.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_writer
TESTS += tests/unit/test_writer
tests_unit_test_writer_SOURCES = tests/unit/test_writer.c
tests_unit_test_writer_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_writer_LDADD = libvmtool_internal.la $(CHECK_LIBS)
endif

# save on the real dumps of ../shared/dumps: makedumpfile's file, the page
# sets of levels 0/1/17, libkdumpfile and makedumpfile -R reading the output.
if HAVE_CHECK
check_PROGRAMS += tests/unit/test_save_real
TESTS += tests/unit/test_save_real
tests_unit_test_save_real_SOURCES = tests/unit/test_save_real.c
tests_unit_test_save_real_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBKDUMPFILE_CFLAGS)
tests_unit_test_save_real_LDADD = libvmtool_internal.la $(CHECK_LIBS) $(LIBKDUMPFILE_LIBS)
endif
