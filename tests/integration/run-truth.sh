#!/bin/sh
# vmtool against real dumps and the truth captured inside their guests:
# the bundled sample always, and ../shared/dumps/* where present (then also
# the project's acceptance checker, truthcheck.py, when it is there).
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
python3 "$VMTOOL_SRCDIR/tests/integration/check_truth.py" "$VMTOOL" $sets || rc=1
checker="${VMTOOL_SHARED_DUMPS:-/nonexistent}/../tools/truthcheck.py"
if [ -f "$checker" ]; then
	# It caches decompressed ELF files under $TMPDIR (shared by builds).
	python3 "$checker" --vmtool "$VMTOOL" all || rc=1
fi
exit $rc
