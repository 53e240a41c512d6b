# Sourced by the run-*.sh that check real dump sets against their truth/.
# truth_sets MESSAGE: sets $sets to the bundled sample and each
# $VMTOOL_SHARED_DUMPS/*/ that has a truth/ folder; prints MESSAGE when
# ../shared/dumps is absent; exits 77 when there is no set at all.
truth_sets() {
	sets=""
	[ -d "$VMTOOL_SRCDIR/testdata/sample/truth" ] && sets="$VMTOOL_SRCDIR/testdata/sample"
	if [ -n "${VMTOOL_SHARED_DUMPS:-}" ]; then
		for d in "$VMTOOL_SHARED_DUMPS"/*/; do
			[ -d "$d/truth" ] && sets="$sets $d"
		done
	else
		echo "$1"
	fi
	if [ -z "$sets" ]; then
		echo "SKIP: no dump set with truth/ (no testdata/sample, no ../shared/dumps)"
		exit 77
	fi
}
