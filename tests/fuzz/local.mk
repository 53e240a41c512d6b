# Fuzz targets: one libFuzzer target per parser. A target is one file,
# tests/fuzz/fuzz_NAME.c (its corpus in tests/fuzz/corpus/fuzz_NAME/), plus
# its line here. `make check` replays every corpus file through each
# target: with --enable-fuzzing through libFuzzer (-runs=0), otherwise
# through replay.c's main(). tests/fuzz/run-short.sh fuzzes each briefly
# (CI); tests/fuzz/run-long.sh is the long local campaign.
FUZZ_TARGETS = tests/fuzz/fuzz_elf
FUZZ_TARGETS += tests/fuzz/fuzz_kdump
FUZZ_TARGETS += tests/fuzz/fuzz_flattened
FUZZ_TARGETS += tests/fuzz/fuzz_split
FUZZ_TARGETS += tests/fuzz/fuzz_vmcoreinfo
FUZZ_TARGETS += tests/fuzz/fuzz_kallsyms
FUZZ_TARGETS += tests/fuzz/fuzz_btf
FUZZ_TARGETS += tests/fuzz/fuzz_dwarf
FUZZ_TARGETS += tests/fuzz/fuzz_pgtable
FUZZ_TARGETS += tests/fuzz/fuzz_maple
FUZZ_TARGETS += tests/fuzz/fuzz_tasks
FUZZ_TARGETS += tests/fuzz/fuzz_json
FUZZ_TARGETS += tests/fuzz/fuzz_printk
FUZZ_TARGETS += tests/fuzz/fuzz_unwind

check_PROGRAMS += $(FUZZ_TARGETS)
TESTS += $(FUZZ_TARGETS)

# Build the targets only (for run-short.sh and run-long.sh).
fuzz-targets: $(FUZZ_TARGETS)
.PHONY: fuzz-targets

if FUZZING
FUZZ_DRIVER =
else
check_LTLIBRARIES = tests/fuzz/libreplay.la
tests_fuzz_libreplay_la_SOURCES = tests/fuzz/replay.c
FUZZ_DRIVER = tests/fuzz/libreplay.la
endif

# Programs without an _LDADD of their own (the fuzz targets, whose sources
# default to their name + .c) link the library and the fuzzing driver.
LDADD = $(FUZZ_DRIVER) libvmtool_internal.la $(FUZZ_ENGINE)

# The JSON writer is the CLI's: built into its target.
tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c src/cli/output.c
tests_fuzz_fuzz_json_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src/cli
# The task walker reads through the kernel_* calls its target fakes, so it
# is built from its sources rather than the library (like test_task_list).
tests_fuzz_fuzz_tasks_SOURCES = tests/fuzz/fuzz_tasks.c \
	src/lib/kernel/task.c src/lib/kernel/proc_fmt.c \
	src/lib/base/error.c src/lib/base/warnings.c
tests_fuzz_fuzz_tasks_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_tasks_LDADD = $(FUZZ_DRIVER) $(FUZZ_ENGINE)

EXTRA_DIST += tests/fuzz/fuzz.h tests/fuzz/fuzz_dump.h \
	tests/fuzz/fuzz_types.h tests/fuzz/corpus tests/fuzz/run-short.sh \
	tests/fuzz/run-long.sh tests/fuzz/make-seeds.py tests/fuzz/seeds

print-fuzz-targets:
	@echo $(FUZZ_TARGETS)
.PHONY: print-fuzz-targets
