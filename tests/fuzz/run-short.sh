#!/bin/sh
# Fuzz every target briefly (CI): SECONDS each (default 12, so the dozen
# targets take under three minutes), starting from the committed corpus,
# with a fixed seed (FUZZ_SEED, default 1) so that a run repeats what an
# earlier one with the same seed tried (a longer local run with the same
# seed covers CI's). Any finding fails the run and is left in
# BUILDDIR/fuzz-short/.
#
#   tests/fuzz/run-short.sh BUILDDIR [SECONDS]
#
# BUILDDIR must be configured with --enable-fuzzing (clang); without
# clang, CI skips this (exit 77).
set -eu
builddir=$(cd "$1" && pwd)
seconds=${2:-12}
seed=${FUZZ_SEED:-1}
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
command -v clang >/dev/null 2>&1 || { echo "run-short: no clang: skipped"; exit 77; }
make -C "$builddir" -s fuzz-targets >/dev/null
out=$builddir/fuzz-short
rm -rf "$out"
mkdir -p "$out"
failed=0
for bin in $(make -C "$builddir" -s --no-print-directory print-fuzz-targets); do
	target=$(basename "$bin")
	mkdir -p "$out/$target"
	# Inputs it finds go to a scratch copy; the committed corpus is read.
	if "$builddir/$bin" -seed="$seed" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -malloc_limit_mb=2048 \
		-artifact_prefix="$out/$target/" "$out/$target" \
		"$srcdir/tests/fuzz/corpus/$target" >"$out/$target.log" 2>&1; then
		echo "$target: $(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$out/$target.log" | tail -n 1)"
	else
		echo "$target: FINDING (see $out/$target.log)"
		tail -n 30 "$out/$target.log"
		failed=1
	fi
done
exit $failed
