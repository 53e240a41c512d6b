#!/bin/sh
# README, vmtool(1), vmtool-json(7) and `help` against what vmtool does:
# every command documented with its options, every example run as written
# (tests/integration/check_manual.py).
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}"
for tool in jq bash; do
	if ! command -v $tool >/dev/null; then
		echo "SKIP: $tool is not installed (the manual's examples use it; scripts/install-deps installs it)"
		exit 77
	fi
done
exec python3 "$VMTOOL_SRCDIR/tests/integration/check_manual.py" "$VMTOOL" "$VMTOOL_SRCDIR"
