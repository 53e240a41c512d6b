#!/bin/sh
# The corrupt-dump suite in make check: a fixed seeded sample of
# VMTOOL_CORRUPT_COUNT variants (default 300) of the bundled sample and of
# synthetic dumps; with VMTOOL_CORRUPT_SHARED=1 (make check-corrupt) also of
# ../shared/dumps when present.
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}"
build=$(dirname "$VMTOOL")
shared=
shared=--no-shared
if [ "${VMTOOL_CORRUPT_SHARED:-0}" = 1 ] && [ -n "${VMTOOL_SHARED_DUMPS:-}" ]; then
	shared="--shared $VMTOOL_SHARED_DUMPS"
fi
exec python3 "$VMTOOL_SRCDIR/tests/corrupt/corrupt.py" --vmtool "$VMTOOL" \
	--mkvmcore "${MKVMCORE:-$build/tests/tools/mkvmcore}" \
	--work "$build/tests/corrupt-work" --count "${VMTOOL_CORRUPT_COUNT:-300}" \
	--seed "${VMTOOL_CORRUPT_SEED:-11}" --jobs "${VMTOOL_CORRUPT_JOBS:-2}" $shared
