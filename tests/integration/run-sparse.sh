#!/bin/sh
# Dumps that claim huge machines: a sparse kdump of 16 TiB (its bitmaps
# alone are 1 GiB of file, almost all hole) and flattened files claiming
# 64 TiB, opened and read under a 256 MiB address-space limit. A
# correctness test, not a timed one: memory must follow what is read, not
# what the header claims (issue 11, finding 3: a small flattened file
# claiming max_mapnr 2^34 used to fill a 2 GiB bitmap and fail with
# "out of memory").
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}"
MKVMCORE=${MKVMCORE:-$(dirname "$VMTOOL")/tests/tools/mkvmcore}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# The limit, unless vmtool cannot even start under it: AddressSanitizer
# reserves terabytes of shadow memory, so a sanitizer build runs the same
# checks without it.
limit=262144
if ! (ulimit -v $limit && exec "$VMTOOL" --version) >/dev/null 2>&1; then
	echo "run-sparse: $VMTOOL does not start under ulimit -v $limit (sanitizers?): checking without the limit"
	limit=unlimited
fi
# vmtool under the address-space limit (KiB), stdout to $tmp/out.
limited() { # DESC WANT_RC ARGS...
	desc=$1 want=$2; shift 2
	(ulimit -v $limit && exec "$VMTOOL" -q "$@") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok; else fail "$desc: exit $rc, want $want ($(head -c 300 "$tmp/err"))"; fi
}
json_get() { # EXPR (on $tmp/out)
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$tmp/out"
}
build() { # SPEC OUT
	"$MKVMCORE" "$1" "$2" >/dev/null || { echo "mkvmcore $1 failed"; exit 1; }
}

# ---- 16 TiB at 4 KiB blocks: max_mapnr 2^32, 6 MiB present ----
spec=$VMTOOL_SRCDIR/testdata/synth-sparse-16t.spec
build "$spec" "$tmp/d16.kdump"
size=$(stat -c %s "$tmp/d16.kdump")
[ "$size" -gt 1073741824 ] && ok || fail "the 16 TiB dump is only $size bytes: its bitmaps are not there"
{ cat "$spec"; echo "flattened yes"; } >"$tmp/flat.spec"
build "$tmp/flat.spec" "$tmp/d16.flat"

for d in "$tmp/d16.kdump" "$tmp/d16.flat"; do
	name=$(basename "$d")
	limited "$name: vtop linux_banner" 0 --json "$d" vtop linux_banner
	[ "$(json_get 'd[0]["status"]')" = mapped ] && ok || fail "$name: linux_banner is not mapped: $(head -c 300 "$tmp/out")"
	[ "$(json_get 'd[0]["paddr"]')" = 0xfffffe05120 ] && ok || fail "$name: linux_banner at $(json_get 'd[0]["paddr"]'), want 0xfffffe05120 (the top of 16 TiB)"
	limited "$name: rd linux_banner" 0 "$d" rd -8 linux_banner 13 --raw
	[ "$(cat "$tmp/out")" = "Linux version" ] && ok || fail "$name: linux_banner reads '$(cat "$tmp/out")'"
	limited "$name: info" 0 --json "$d" info
	[ "$(json_get '[(r["start"], r["end"]) for r in d["phys_ranges"]]')" = "[('0x40000000', '0x40400000'), ('0xfffffe00000', '0x100000000000')]" ] && ok ||
		fail "$name: RAM ranges $(json_get 'd["phys_ranges"]')"
	# Pages excluded or not RAM say which, even 16 TiB up.
	limited "$name: rd -p past RAM" 1 "$d" rd -p 0x80000000000
	grep -q "not RAM" "$tmp/err" && ok || fail "$name: hole message: $(cat "$tmp/err")"
done

# ---- issue 11, finding 3: a small flattened file claiming 2^34 pages ----
cat >"$tmp/f34.spec" <<EOF
format kdump
flattened yes
max_mapnr 0x400000000
vmcoreinfo OSRELEASE=6.12.0-flat
vmcoreinfo PAGESIZE=4096
ram 0x40000000 0x40000
page 0x40001000 pattern 0x1122334455667788
EOF
build "$tmp/f34.spec" "$tmp/f34.flat"
size=$(stat -c %s "$tmp/f34.flat")
[ "$size" -lt 262144 ] && ok || fail "the 2^34-page flattened file is $size bytes, expected a small one"
limited "2^34 flattened: info" 0 --json "$tmp/f34.flat" info
[ "$(json_get 'd["format"]')" = flattened ] && ok || fail "2^34 flattened: format $(json_get 'd["format"]')"
limited "2^34 flattened: rd -p" 0 "$tmp/f34.flat" rd -p -64 0x40001008 1 --raw
[ "$(od -An -tx8 "$tmp/out" | tr -d ' ')" = 1122334455667789 ] && ok || fail "2^34 flattened: word $(od -An -tx8 "$tmp/out")"

echo "run-sparse: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
