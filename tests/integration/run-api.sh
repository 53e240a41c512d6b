#!/bin/sh
# The installed API: each public header compiles on its own, pedantically,
# and libvmtool.so exports nothing but vmt_ names.
set -u
: "${VMTOOL_SRCDIR:?}"
builddir=$(dirname "${VMTOOL:?}")
rc=0
for h in "$VMTOOL_SRCDIR"/include/vmtool/*.h; do
	printf '#include "vmtool/%s"\n' "$(basename "$h")" |
		${CC:-cc} -std=c11 -Wall -Wextra -pedantic -Werror -I"$VMTOOL_SRCDIR/include" \
			-x c -fsyntax-only - || { echo "FAIL: $h does not compile alone"; rc=1; }
done
so=$(ls "$builddir"/.libs/libvmtool.so.* 2>/dev/null | head -n 1)
if [ -n "$so" ]; then
	bad=$(nm -D --defined-only "$so" | awk '$2 ~ /[TDBR]/ && $3 !~ /^vmt_/ { print $3 }')
	if [ -n "$bad" ]; then
		echo "FAIL: exports without vmt_: $bad"; rc=1
	else
		echo "$(nm -D --defined-only "$so" | grep -c ' T vmt_') vmt_ functions exported, nothing else"
	fi
else
	echo "no shared library built: export check skipped"
fi
exit $rc
