#!/bin/sh
# VMCOREINFO recovery: copies of the bundled sample (note removed, note
# damaged) and of each set in ../shared/dumps (note removed) must answer as
# the originals do. The copies are written into the build tree and removed.
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}" "${VMTOOL_CACHE:?}"
sets="$VMTOOL_SRCDIR/testdata/sample"
if [ -n "${VMTOOL_SHARED_DUMPS:-}" ]; then
	for d in "$VMTOOL_SHARED_DUMPS"/*/; do
		[ -d "$d/truth" ] && sets="$sets $d"
	done
else
	echo "SKIP: ../shared/dumps is absent: recovery checked on the bundled sample only"
fi
exec python3 "$VMTOOL_SRCDIR/tests/integration/check_vmcoreinfo_recovery.py" \
	"$VMTOOL" "$VMTOOL_CACHE/vmcoreinfo-recovery" $sets
