#!/bin/sh
# The long local fuzzing campaign of one target: run it (libFuzzer's fork
# mode, which goes on after a finding and keeps it) in chunks under
# `nice -n 19` until it has used CPU_SECONDS of CPU, then print its
# executions, coverage and findings.
#
#   tests/fuzz/run-long.sh BUILDDIR TARGET [CPU_SECONDS]   (default 1800)
#
# BUILDDIR is configured with --enable-fuzzing. The working corpus grows
# in BUILDDIR/fuzz-work/TARGET (seeded from tests/fuzz/corpus/TARGET);
# findings land in BUILDDIR/fuzz-work/TARGET-findings/; the log of every
# chunk in BUILDDIR/fuzz-work/TARGET.log.
set -eu
builddir=$(cd "$1" && pwd)
target=$2
budget=${3:-1800}
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
bin=$builddir/tests/fuzz/$target
work=$builddir/fuzz-work/$target
findings=$builddir/fuzz-work/$target-findings
log=$builddir/fuzz-work/$target.log
chunk=${FUZZ_CHUNK_SECONDS:-600}

test -x "$bin" || { echo "$bin: not built (make fuzz-targets in a --enable-fuzzing build)" >&2; exit 2; }
mkdir -p "$work" "$findings"
cp -n "$srcdir/tests/fuzz/corpus/$target"/* "$work"/ 2>/dev/null || true
: >>"$log"
cpu=0
execs=0
round=0
while [ "$cpu" -lt "$budget" ]; do
	round=$((round + 1))
	out=$builddir/fuzz-work/$target.round$round
	# The CPU time of the run and of its fuzzing subprocesses.
	/usr/bin/time -f "cputime %U %S" -o "$out.time" \
		nice -n 19 "$bin" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 \
		-ignore_ooms=1 -max_total_time="$chunk" -timeout=20 \
		-rss_limit_mb=2560 -malloc_limit_mb=2048 \
		-artifact_prefix="$findings/" "$work" >"$out" 2>&1 || true
	cat "$out" >>"$log"
	used=$(awk '/^cputime/ { printf "%d", $2 + $3 }' "$out.time")
	cpu=$((cpu + used))
	last=$(grep -E '^#[0-9]+: cov:' "$out" | tail -n 1)
	n=$(printf '%s\n' "$last" | sed -n 's/^#\([0-9]*\):.*/\1/p')
	execs=$((execs + ${n:-0}))
	echo "$target round $round: ${used}s CPU (total ${cpu}s): $last"
	rm -f "$out" "$out.time"
done
cov=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 | sed 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/')
nfind=$(find "$findings" -type f | wc -l)
echo "SUMMARY $target: ${cpu}s CPU, $execs executions, $cov, corpus $(ls "$work" | wc -l) inputs, $nfind findings in $findings"
