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
		while IFS= read -r line; do
			echo "skipped in $name: ${line#SKIP: }"
			n=$((n + 1))
		done <<EOT
$(grep '^SKIP: ' "$log")
EOT
	fi
done
if [ "$n" -eq 0 ]; then
	echo "make check: nothing skipped (real dumps from ../shared/dumps included)"
else
	echo "make check: $n skipped (see above; ../shared/dumps beside the checkout enables the real-dump tests)"
fi
