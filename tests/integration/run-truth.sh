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
	echo "SKIP: ../shared/dumps is absent: truth checked on the bundled sample only"
fi
if [ -z "$sets" ]; then
	echo "SKIP: no dump set with truth/ (no testdata/sample, no ../shared/dumps)"
	exit 77
fi
python3 "$VMTOOL_SRCDIR/tests/integration/check_truth.py" "$VMTOOL" $sets || rc=1
# The same with each set's vmlinux (ELF symbols + DWARF) where it has one.
mkdir -p "$VMTOOL_CACHE"
python3 "$VMTOOL_SRCDIR/tests/integration/check_truth.py" --vmlinux "$VMTOOL" $sets || rc=1
# A vmlinux that does not match the dump is refused, naming both build-ids.
a="${VMTOOL_SHARED_DUMPS:-}/k612-4k-va52" b="$VMTOOL_CACHE/k612-64k-va52/vmlinux"
if [ -f "$a/vmcore.kdump-zlib" ] && [ -f "$b" ]; then
	"$VMTOOL" -k "$b" "$a/vmcore.kdump-zlib" sym init_uts_ns >/dev/null 2>"$VMTOOL_CACHE/mismatch.err"
	got=$?
	if [ $got -ne 0 ] && grep -q "does not match" "$VMTOOL_CACHE/mismatch.err"; then
		echo "mismatched vmlinux refused: $(cat "$VMTOOL_CACHE/mismatch.err")"
	else
		echo "FAIL: a mismatched vmlinux was not refused (exit $got)"; rc=1
	fi
	"$VMTOOL" --force -k "$b" "$a/vmcore.kdump-zlib" info >/dev/null 2>&1 || { echo "FAIL: --force did not accept it"; rc=1; }
fi
checker="${VMTOOL_SHARED_DUMPS:-/nonexistent}/../tools/truthcheck.py"
if [ -f "$checker" ]; then
	# It caches decompressed ELF files under $TMPDIR (shared by builds).
	# The checks of what is built so far (each issue adds its own).
	python3 "$checker" --vmtool "$VMTOOL" ${VMTOOL_TRUTHCHECKS:-info translation symbols tasks log stacks sys objects} || rc=1
fi
exit $rc
