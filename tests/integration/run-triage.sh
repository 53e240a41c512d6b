#!/bin/sh
# examples/triage: one JSON line per dump, on the bundled sample (under odd
# names, as a split set, truncated, beside files that are no dumps) and on
# every set of ../shared/dumps (its ELF decompressed into the test cache,
# and its other files): the release, the panic of the oops set with its
# PID and backtrace, no panic elsewhere, and the exit status.
set -u
: "${VMTOOL:?}" "${VMTOOL_SRCDIR:?}" "${VMTOOL_CACHE:?}"
for tool in jq bash xz; do
	if ! command -v $tool >/dev/null; then
		echo "SKIP: $tool is not installed (scripts/install-deps installs it)"
		exit 77
	fi
done
triage="$VMTOOL_SRCDIR/examples/triage"
sample="$VMTOOL_SRCDIR/testdata/sample/vmcore.kdump-zlib"
work="$VMTOOL_CACHE/triage"
rc=0
fail() {
	echo "FAIL: $*"
	rc=1
}
# The value of jq filter $2 on the line of dump $1 in report $3.
field() {
	jq -c --arg d "$1" "select(.dump == \$d) | $2" "$3"
}
export VMTOOL

# --- the bundled sample -------------------------------------------------
rm -rf "$work/sample"
mkdir -p "$work/sample/sub dir" || exit 1
ln -s "$sample" "$work/sample/a b"
ln -s "$sample" "$work/sample/sub dir/new
line"
ln -s "$sample" "$work/sample/-dash"
echo "not a dump" >"$work/sample/dmesg.txt"
cp "$(command -v xz)" "$work/sample/an-executable" # ELF, not ET_CORE
head -c 200000 "$sample" >"$work/sample/truncated"
"$VMTOOL" -q "$sample" save -c --split 3 "$work/sample/sub dir/part" >/dev/null ||
	fail "save --split 3"
out="$work/sample.jsonl"
bash "$triage" -j 2 "$work/sample" >"$out"
got=$?
[ $got -eq 1 ] || fail "a truncated dump among them: exit $got, not 1"
n=$(wc -l <"$out")
[ "$n" -eq 5 ] || fail "5 lines (3 names of the sample, a split set, a truncated file), got $n"
jq -e . "$out" >/dev/null || fail "the report is not JSON Lines"
release=$(cat "$VMTOOL_SRCDIR/testdata/sample/truth/uname-r.txt")
last=$("$VMTOOL" -q "$sample" log | tail -n 1 | jq -R .)
tasks=$("$VMTOOL" -q --json "$sample" ps | jq length)
for d in "$work/sample/a b" "$work/sample/-dash" "$work/sample/sub dir/new
line" "$work/sample/sub dir/part.1"; do
	line=$(field "$d" '[.ok, .release, .panic, .backtrace, .tasks, (.log_tail | length), .log_tail[-1]]' "$out")
	want="[true,\"$release\",null,null,$tasks,20,$last]"
	[ "$line" = "$want" ] || fail "$d: $line, expected $want"
done
files=$(field "$work/sample/sub dir/part.1" '.files | map(split("/")[-1])' "$out")
[ "$files" = '["part.1","part.2","part.3"]' ] ||
	fail "the split set: files $files"
line=$(field "$work/sample/truncated" '[.ok, .exit, .error.kind, .release]' "$out")
[ "$line" = '[false,3,"corrupt",null]' ] ||
	fail "the truncated dump: $line, expected [false,3,\"corrupt\",null]"
# Explicit operands, a name starting with '-', -n, -j 1: same answers.
(cd "$work/sample" && bash "$triage" -j 1 -n 3 -- -dash "a b") >"$out.2"
got=$?
[ $got -eq 0 ] || fail "two readable dumps: exit $got, not 0"
line=$(jq -c '[.dump, .ok, (.log_tail | length)]' "$out.2" | tr '\n' ' ')
[ "$line" = '["./-dash",true,3] ["a b",true,3] ' ] || fail "operands: $line"
# A missing operand is a usage error; so is a bad option.
bash "$triage" "$work/nonexistent" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a missing operand is not exit 2"
bash "$triage" -x "$work/sample" >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown option is not exit 2"
[ $rc -eq 0 ] && echo "triage on the sample: ok ($(wc -l <"$out") lines)"

# --- the shared sets -----------------------------------------------------
if [ -z "${VMTOOL_SHARED_DUMPS:-}" ]; then
	echo "SKIP: ../shared/dumps is absent: triage checked on the bundled sample only"
	exit $rc
fi
rm -rf "$work/shared"
for set in "$VMTOOL_SHARED_DUMPS"/*/; do
	set=${set%/}
	name=${set##*/}
	[ -d "$set/truth" ] || continue
	mkdir -p "$work/shared/$name" "$VMTOOL_CACHE/$name"
	for f in "$set"/vmcore*; do
		case $f in
		*.xz)
			# The test cache the unit tests use (testutil.h vmt_set_elf).
			base=${f##*/}
			elf="$VMTOOL_CACHE/$name/${base%.xz}"
			if [ ! -s "$elf" ]; then
				xz -dc "$f" >"$elf.tmp.$$" && mv "$elf.tmp.$$" "$elf" ||
					{ fail "xz -d $f"; continue; }
			fi
			ln -s "$elf" "$work/shared/$name/${base%.xz}" ;;
		*) ln -s "$f" "$work/shared/$name/${f##*/}" ;;
		esac
	done
done
out="$work/shared.jsonl"
bash "$triage" -j 2 "$work/shared" >"$out"
got=$?
[ $got -eq 0 ] || fail "the shared sets: exit $got, not 0"
for set in "$VMTOOL_SHARED_DUMPS"/*/; do
	set=${set%/}
	name=${set##*/}
	[ -d "$set/truth" ] || continue
	release=$(cat "$set/truth/uname-r.txt")
	panic=null
	if [ -f "$set/truth/panic_console.txt" ]; then
		panic=$(sed -n 's/^\[[ 0-9.]*\] \(Kernel panic - not syncing: .*\)$/\1/p' \
			"$set/truth/panic_console.txt" | head -n 1 | tr -d '\r' | jq -R .)
	fi
	for f in "$work/shared/$name"/*; do
		line=$(field "$f" '[.ok, .release, .panic]' "$out")
		want="[true,\"$release\",$panic]"
		[ "$line" = "$want" ] || fail "$name/${f##*/}: $line, expected $want"
		[ "$panic" = null ] && continue
		line=$(field "$f" '[.panic_pid, .backtrace_pid, (.backtrace | any(test("^v?panic\\+0x")))]' "$out")
		[ "$line" = "[1,1,true]" ] ||
			fail "$name/${f##*/}: [panic_pid, backtrace_pid, panic in the backtrace] = $line, expected [1,1,true]"
		echo "$name/${f##*/}: $(field "$f" '{panic, panic_pid, panic_comm, backtrace: .backtrace[:4]}' "$out")"
	done
done
[ $rc -eq 0 ] && echo "triage on the shared sets: ok ($(wc -l <"$out") lines)"
exit $rc
