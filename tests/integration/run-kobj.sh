#!/bin/sh
# runq, p, task and foreach against the truth of real dump sets: the
# bundled sample and ../shared/dumps/* where present, without and with each
# set's vmlinux (check_kobj.py says what is checked).
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}"
rc=0
sets=""
[ -d "$VMTOOL_SRCDIR/testdata/sample/truth" ] && sets="$VMTOOL_SRCDIR/testdata/sample"
if [ -n "${VMTOOL_SHARED_DUMPS:-}" ]; then
	for d in "$VMTOOL_SHARED_DUMPS"/*/; do
		[ -d "$d/truth" ] && sets="$sets $d"
	done
else
	echo "../shared/dumps is absent: checking the bundled sample only"
fi
if [ -z "$sets" ]; then
	echo "SKIP: no dump set with truth/ (no testdata/sample, no ../shared/dumps)"
	exit 77
fi
mkdir -p "$VMTOOL_CACHE"
python3 "$VMTOOL_SRCDIR/tests/integration/check_kobj.py" "$VMTOOL" $sets || rc=1
python3 "$VMTOOL_SRCDIR/tests/integration/check_kobj.py" --vmlinux "$VMTOOL" $sets || rc=1
exit $rc
