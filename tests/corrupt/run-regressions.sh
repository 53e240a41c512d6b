#!/bin/sh
# The findings of issue 11, each checked on a damaged dump (make check).
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}"
build=$(dirname "$VMTOOL")
exec python3 "$VMTOOL_SRCDIR/tests/corrupt/regressions.py" --vmtool "$VMTOOL" \
	--mkvmcore "${MKVMCORE:-$build/tests/tools/mkvmcore}" \
	--work "$build/tests/corrupt-regressions"
