#!/bin/sh
# The API reference: Doxygen over the public headers (doc/Doxyfile.in, as
# `make doc` runs it) must print no warning, so that every public struct
# member, function and parameter stays documented.
set -u
: "${VMTOOL_SRCDIR:?}" "${VMTOOL_CACHE:?}"
if ! command -v doxygen >/dev/null; then
	echo "SKIP: doxygen is not installed (apt-get install doxygen)"
	exit 77
fi
out="$VMTOOL_CACHE/doc"
rm -rf "$out"
mkdir -p "$out/doc" || exit 1
sed -e "s|@abs_top_srcdir@|$VMTOOL_SRCDIR|g" \
    -e "s|@abs_top_builddir@|$out|g" \
    -e "s|@PACKAGE_VERSION@|test|g" \
    "$VMTOOL_SRCDIR/doc/Doxyfile.in" >"$out/Doxyfile"
(cd "$out" && doxygen Doxyfile) >"$out/doxygen.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	cat "$out/doxygen.log"
	echo "FAIL: doxygen exited with $rc"
	exit 1
fi
if grep -qi 'warning\|error' "$out/doxygen.log"; then
	cat "$out/doxygen.log"
	echo "FAIL: $(grep -ci 'warning\|error' "$out/doxygen.log") Doxygen warnings: document what they name in include/vmtool/*.h"
	exit 1
fi
echo "doxygen: no warning over $(ls "$VMTOOL_SRCDIR"/include/vmtool/*.h | wc -l) public headers"
rm -rf "$out"
exit 0
