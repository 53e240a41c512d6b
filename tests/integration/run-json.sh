#!/bin/sh
# vmtool's --json output against schema/*.schema.json (python3-jsonschema):
# every command, success and failure, single and in batches, on the bundled
# sample; every command in one batch on each set of ../shared/dumps.
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}"
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: python3-jsonschema is not installed (scripts/install-deps installs it)"
	exit 77
fi
sample="$VMTOOL_SRCDIR/testdata/sample/vmcore.kdump-zlib"
checker="$VMTOOL_SRCDIR/tests/integration/check_json.py"
rc=0
python3 "$checker" "$VMTOOL" "$VMTOOL_SRCDIR/schema" "$sample" || rc=1
if [ -n "${VMTOOL_SHARED_DUMPS:-}" ]; then
	sets=""
	for d in "$VMTOOL_SHARED_DUMPS"/*/; do
		[ -d "$d/truth" ] && sets="$sets $d"
	done
	mkdir -p "$VMTOOL_CACHE"
	# shellcheck disable=SC2086
	python3 "$checker" "$VMTOOL" "$VMTOOL_SRCDIR/schema" --batch-only $sets || rc=1
else
	echo "SKIP: ../shared/dumps is absent: JSON checked on the bundled sample only"
fi
exit $rc
