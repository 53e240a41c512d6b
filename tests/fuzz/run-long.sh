#!/bin/sh
# The long local fuzzing campaign of one target: run it in chunks under
# `nice -n 19` until it has used CPU_SECONDS of CPU (not wall time: on a
# shared machine a chunk gets what it gets), then print its executions,
# coverage and findings. A chunk that finds something (a crash, a leak, a
# timeout, an allocation over the limit) ends the run, so that it can be
# fixed first; its input is in the findings folder.
#
#   tests/fuzz/run-long.sh BUILDDIR TARGET [CPU_SECONDS]   (default 1800)
#
# BUILDDIR is configured with --enable-fuzzing. The working corpus grows
# in BUILDDIR/fuzz-work/TARGET (seeded from tests/fuzz/corpus/TARGET);
# findings land in BUILDDIR/fuzz-work/TARGET-findings/; the log of every
# chunk in BUILDDIR/fuzz-work/TARGET.log; the CPU seconds and executions
# of every chunk, over all campaigns, in BUILDDIR/fuzz-work/TARGET.ledger
# (so that a campaign spread over several days adds up). To pause a
# campaign without losing the CPU time of the running chunk: touch
# BUILDDIR/fuzz-work/STOP and send SIGINT to the fuzzer; the chunk is
# counted and no other starts (remove STOP to go on).
set -eu
builddir=$(cd "$1" && pwd)
target=$2
budget=${3:-1800}
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
bin=$builddir/tests/fuzz/$target
work=$builddir/fuzz-work/$target
findings=$builddir/fuzz-work/$target-findings
log=$builddir/fuzz-work/$target.log
ledger=$builddir/fuzz-work/$target.ledger
chunk=${FUZZ_CHUNK_SECONDS:-600}

test -x "$bin" || { echo "$bin: not built (make fuzz-targets in a --enable-fuzzing build)" >&2; exit 2; }
mkdir -p "$work" "$findings"
cp -n "$srcdir/tests/fuzz/corpus/$target"/* "$work"/ 2>/dev/null || true
: >>"$log"
cpu=0
execs=0
round=0
found=0
stop=$builddir/fuzz-work/STOP
while [ "$cpu" -lt "$budget" ] && [ ! -e "$stop" ]; do
	round=$((round + 1))
	# Named by this shell's PID too: two campaigns of one target may run
	# at once (one per CPU), sharing the corpus and the ledger.
	out=$builddir/fuzz-work/$target.$$.round$round
	before=$(find "$findings" -type f | wc -l)
	# The CPU time of the run (one process: no fork mode, whose jobs
	# reload the corpus again and again).
	/usr/bin/time -f "cputime %U %S" -o "$out.time" \
		nice -n 19 "$bin" -max_total_time="$chunk" -timeout=20 \
		-rss_limit_mb=2560 -malloc_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$findings/" "$work" >"$out" 2>&1 || true
	cat "$out" >>"$log"
	used=$(awk '/^cputime/ { printf "%d", $2 + $3 }' "$out.time")
	cpu=$((cpu + used))
	n=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$out" | tail -n 1)
	# An interrupted chunk prints no final stats: its last status line.
	[ -n "$n" ] || n=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$out" | tail -n 1)
	execs=$((execs + ${n:-0}))
	last=$(grep -E '^#[0-9]+' "$out" | grep 'cov:' | tail -n 1)
	echo "$(date -u +%FT%TZ) $used ${n:-0}" >>"$ledger"
	echo "$target round $round: ${used}s CPU (total ${cpu}s), ${n:-0} executions: $last"
	rm -f "$out" "$out.time"
	if [ "$(find "$findings" -type f | wc -l)" -gt "$before" ]; then
		found=1
		echo "$target: FINDING in round $round: $(ls -t "$findings" | head -n 1)"
		break
	fi
done
cov=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -n 1 | sed 's/.*\(cov: [0-9]* ft: [0-9]*\).*/\1/')
nfind=$(find "$findings" -type f | wc -l)
echo "SUMMARY $target: ${cpu}s CPU, $execs executions, $cov, corpus $(ls "$work" | wc -l) inputs, $nfind findings in $findings"
awk -v t="$target" '{ c += $2; e += $3 } END { printf "CAMPAIGN %s: %ds CPU, %d executions in %d chunks\n", t, c, e, NR }' "$ledger"
exit $found
