#!/bin/sh
# runq, p, task and foreach against the truth of real dump sets: the
# bundled sample and ../shared/dumps/* where present, without and with each
# set's vmlinux (check_kobj.py says what is checked).
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}"
rc=0
. "$VMTOOL_SRCDIR/tests/integration/truth-sets.sh"
truth_sets "../shared/dumps is absent: checking the bundled sample only"
mkdir -p "$VMTOOL_CACHE"
python3 "$VMTOOL_SRCDIR/tests/integration/check_kobj.py" "$VMTOOL" $sets || rc=1
python3 "$VMTOOL_SRCDIR/tests/integration/check_kobj.py" --vmlinux "$VMTOOL" $sets || rc=1
exit $rc
