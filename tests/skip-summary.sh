#!/bin/sh
# After `make check`: which tests, or parts of tests, were skipped, and why.
# A test that exits 77 is listed with the first line of its log; a test that
# ran but left something out says so in its log on lines starting "SKIP: ".
# usage: skip-summary.sh LOG...
n=0
for log in "$@"; do
	[ -f "$log" ] || continue
	name=${log%.log}
	trs=$name.trs
	if [ -f "$trs" ] && grep -q '^:test-result: SKIP' "$trs"; then
		why=$(grep -v '^[[:space:]]*$' "$log" | head -n 1)
		echo "skipped: $name: ${why:-no reason given}"
		n=$((n + 1))
	else
		lines=$(grep '^SKIP: ' "$log")
		if [ -n "$lines" ]; then
			printf '%s\n' "$lines" | sed "s|^SKIP: |skipped in $name: |"
			n=$((n + $(printf '%s\n' "$lines" | wc -l)))
		fi
	fi
done
if [ "$n" -eq 0 ]; then
	echo "make check: nothing skipped"
else
	echo "make check: $n skipped, listed above (the real-dump tests need ../shared/dumps beside the checkout)"
fi
