#!/bin/sh
# VMCOREINFO recovery: copies of the bundled sample (note removed, note
# damaged) and of each set in ../shared/dumps (note removed) must answer as
# the originals do. The copies are written into the build tree and removed.
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}" "${VMTOOL_CACHE:?}"
. "$VMTOOL_SRCDIR/tests/integration/truth-sets.sh"
truth_sets "SKIP: ../shared/dumps is absent: recovery checked on the bundled sample only"
exec python3 "$VMTOOL_SRCDIR/tests/integration/check_vmcoreinfo_recovery.py" \
	"$VMTOOL" "$VMTOOL_CACHE/vmcoreinfo-recovery" $sets
