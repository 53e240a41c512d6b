#!/bin/sh
# The interactive session (prompt, completion, help, history) through a
# pseudo-terminal.
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}"
exec python3 "$VMTOOL_SRCDIR/tests/integration/check_session.py" "$VMTOOL" \
	"$VMTOOL_SRCDIR/testdata/sample/vmcore.kdump-zlib"
