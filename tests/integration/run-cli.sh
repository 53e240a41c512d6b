#!/bin/sh
# The vmtool command on synthetic dumps from mkvmcore: exit codes, JSON,
# batch mode, --json placement, --vmcoreinfo, corrupt input.
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}"
MKVMCORE=${MKVMCORE:-$(dirname "$VMTOOL")/tests/tools/mkvmcore}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
expect_rc() { # WANT DESC CMD...
	want=$1 desc=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"; rc=$?
	if [ "$rc" -eq "$want" ]; then ok; else fail "$desc: exit $rc, want $want ($(head -c 200 "$tmp/err"))"; fi
}
json_get() { # FILE EXPR
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

"$MKVMCORE" "$VMTOOL_SRCDIR/testdata/synth-kdump-mixed-16k.spec" "$tmp/d.kdump" >/dev/null || { echo "mkvmcore failed"; exit 1; }
D=$tmp/d.kdump

expect_rc 0 "--version" "$VMTOOL" --version
grep -q zlib "$tmp/out" && ok || fail "--version does not list zlib"
expect_rc 2 "no arguments" "$VMTOOL"
expect_rc 2 "unknown command" "$VMTOOL" "$D" frobnicate
expect_rc 2 "bad rd count" "$VMTOOL" "$D" rd -p 0x40004000 zero

expect_rc 0 "info --json" "$VMTOOL" --json "$D" info
[ "$(json_get "$tmp/out" 'd["format"]')" = kdump ] && ok || fail "info: format is not kdump"
[ "$(json_get "$tmp/out" 'd["page_size"]')" = 16384 ] && ok || fail "info: page_size is not 16384"
[ "$(json_get "$tmp/out" '" ".join(sorted(d["compression"]))')" = "lzo none snappy zlib zstd" ] && ok || fail "info: compressions $(json_get "$tmp/out" 'd["compression"]')"
[ "$(json_get "$tmp/out" 'd["vmcoreinfo"]["OSRELEASE"]')" = 6.12.0-synth ] && ok || fail "info: OSRELEASE"
expect_rc 0 "--json among command options" "$VMTOOL" "$D" info --json
json_get "$tmp/out" 'd["cpus"]' >/dev/null 2>&1 && ok || fail "info --json (after the command) is not JSON"

# The page at 0x40004000 holds pattern ^ word index (mkvmcore's rule).
expect_rc 0 "rd -p --raw" "$VMTOOL" "$D" rd -p -64 0x40004008 1 --raw
[ "$(od -An -tx8 "$tmp/out" | tr -d ' ')" = 1122334455667789 ] && ok || fail "rd -p word: $(od -An -tx8 "$tmp/out")"
expect_rc 1 "rd -p excluded page" "$VMTOOL" "$D" rd -p 0x4000c000
grep -q "excluded" "$tmp/err" && grep -q "4000c000" "$tmp/err" && ok || fail "excluded page message: $(cat "$tmp/err")"
expect_rc 1 "rd -p hole" "$VMTOOL" "$D" rd -p 0x60000000
grep -q "60000000" "$tmp/err" && ok || fail "hole message names no address: $(cat "$tmp/err")"
expect_rc 1 "rd -p lost page" "$VMTOOL" "$D" rd -p 0x40010000
expect_rc 0 "rd -p text" "$VMTOOL" "$D" rd -p 0x40004000 4
grep -q "^40004000:  1122334455667788 1122334455667789" "$tmp/out" && ok || fail "rd text format: $(head -2 "$tmp/out")"

# Errors name what they know as fields: address and PFN (16K pages here),
# file and offset.
expect_rc 1 "rd -p excluded page --json" "$VMTOOL" --json "$D" rd -p 0x4000c000
[ "$(json_get "$tmp/out" '(d["error"]["kind"], d["error"]["address"], d["error"]["pfn"], d["error"]["code"])')" = "('excluded', '0x4000c000', 65539, 1)" ] && ok || fail "excluded page error fields: $(cat "$tmp/out")"
head -c 3000 "$D" >"$tmp/short.kdump"
expect_rc 3 "truncated dump --json" "$VMTOOL" --json "$tmp/short.kdump" info
[ "$(json_get "$tmp/out" '(d["error"]["kind"], d["error"]["file"].endswith("short.kdump"), d["error"]["offset"])')" = "('corrupt', True, 16384)" ] && ok || fail "truncated dump error fields: $(cat "$tmp/out")"

# Batch mode: commands on standard input, the dump opened once.
printf 'info\nrd -p -32 0x40004000 2\nvmcoreinfo\n' | "$VMTOOL" "$D" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "^format:" "$tmp/out" && grep -q "^OSRELEASE=6.12.0-synth" "$tmp/out" && grep -q "^40004000:" "$tmp/out" && ok || fail "batch mode: $(cat "$tmp/err")"

# --vmcoreinfo overrides; a malformed line is a warning naming the line.
printf 'OSRELEASE=9.9.9-override\nNUMBER(VA_BITS)=forty\n' >"$tmp/vi.txt"
expect_rc 0 "--vmcoreinfo" "$VMTOOL" --json --vmcoreinfo "$tmp/vi.txt" "$D" info
[ "$(json_get "$tmp/out" 'd["osrelease"]')" = 9.9.9-override ] && ok || fail "--vmcoreinfo did not override OSRELEASE"
grep -q "line 2" "$tmp/err" && ok || fail "malformed VMCOREINFO line not reported: $(cat "$tmp/err")"

# Corrupt and missing input: exit 3 and a message naming the file.
head -c 3000 "$D" >"$tmp/trunc.kdump"
expect_rc 3 "truncated dump" "$VMTOOL" "$tmp/trunc.kdump" info
grep -q "trunc.kdump" "$tmp/err" && ok || fail "truncated: message does not name the file: $(cat "$tmp/err")"
printf 'not a dump at all\n' >"$tmp/junk"
expect_rc 3 "not a dump" "$VMTOOL" "$tmp/junk" info
expect_rc 3 "missing file" "$VMTOOL" "$tmp/nonexistent" info

# vmtool never writes to its input.
sum=$(md5sum <"$D")
"$VMTOOL" "$D" info >/dev/null 2>&1
[ "$(md5sum <"$D")" = "$sum" ] && ok || fail "the dump changed"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
