#!/bin/bash
# vmtool beside crash, drgn, libkdumpfile and makedumpfile on the bundled
# sample and the shared dump sets: what each can open and answer (with and
# without a vmlinux), then timings of the same tasks on the same dump. The
# figures of README's comparison come from this script.
#
# usage: bench/compare-peers.sh [-r ROUNDS] [-p] [-t]
#   -r ROUNDS  timing rounds (default 10)
#   -p         only the capabilities     -t  only the timings
# environment: VMTOOL (default ./vmtool of the current build directory),
#   VMTOOL_SHARED_DUMPS (default ../shared/dumps beside the source tree),
#   VMTOOL_CACHE (decompressed ELF and vmlinux files; default
#   tests/cache in the current directory, what make check uses).
#
# Peers are Debian 12's: crash 8.0.2 (an x86_64 build), python3-drgn 0.0.22
# (its CLI, /usr/bin/drgn), python3-libkdumpfile 0.5.1 (/usr/bin/python3),
# makedumpfile 1.7.2 (an x86_64 build). Every peer runs as a process of its
# own, as a user would run it; its first error line is printed as it wrote
# it. Timings: each command is one process (start-up, opening the dump and,
# where given, loading the vmlinux included), the files in the page cache;
# the commands of a task run in turn, round after round (interleaved, so a
# change in the machine's load touches them all), and each cell is the
# median and the range over the rounds. The load average is printed before
# and after: figures taken on a loaded machine are upper bounds.
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
rounds=10
do_caps=true
do_times=true
while getopts ':r:pt' opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	p) do_times=false ;;
	t) do_caps=false ;;
	*) sed -n 's/^# usage: /usage: /p' "$0" >&2; exit 2 ;;
	esac
done
VMTOOL=${VMTOOL:-$PWD/vmtool}
SHARED=${VMTOOL_SHARED_DUMPS:-$src/../shared/dumps}
CACHE=${VMTOOL_CACHE:-$PWD/tests/cache}
PY=/usr/bin/python3
PROBE="$here/peers/probe.py"
DRGN_TASK="$here/peers/drgn_task.py"
[ -x "$VMTOOL" ] || { echo "no vmtool at $VMTOOL (run in a build directory, or set VMTOOL)" >&2; exit 2; }
[ -d "$SHARED" ] || { echo "no dump sets at $SHARED (set VMTOOL_SHARED_DUMPS)" >&2; exit 2; }
out=$(mktemp -d "${TMPDIR:-/tmp}/compare-peers.XXXXXX")
trap 'rm -rf "$out"' EXIT

# $CACHE/SET/NAME from SHARED/SET/NAME.xz, once.
unxz_cached() {
	local xz=$1 dst=$2
	[ -s "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")"
	xz -dc "$xz" >"$dst.tmp.$$" && mv "$dst.tmp.$$" "$dst"
}

# The dumps: "FILE VMLINUX BANNER TRUTHDIR" lines (VMLINUX "-" if none).
dumps=()
banner_of() { awk '$1 == "linux_banner" { print $3 }' "$1/kernel_symbols_derived.txt"; }
sample=$src/testdata/sample
sample_vmlinux=-
# The sample runs the kernel of k612-4k-va52 (testdata/sample/PROVENANCE).
if [ -f "$SHARED/k612-4k-va52/vmlinux.xz" ]; then
	sample_vmlinux=$CACHE/k612-4k-va52/vmlinux
	unxz_cached "$SHARED/k612-4k-va52/vmlinux.xz" "$sample_vmlinux"
fi
dumps+=("$sample/vmcore.kdump-zlib|$sample_vmlinux|$(banner_of "$sample/truth")")
for set in "$SHARED"/*/; do
	set=${set%/}
	name=${set##*/}
	[ -d "$set/truth" ] || continue
	vmlinux=-
	if [ -f "$set/vmlinux.xz" ]; then
		vmlinux=$CACHE/$name/vmlinux
		unxz_cached "$set/vmlinux.xz" "$vmlinux"
	fi
	for f in "$set"/vmcore*; do
		case $f in
		*.xz) dst=$CACHE/$name/$(basename "${f%.xz}")
		      unxz_cached "$f" "$dst"; f=$dst ;;
		esac
		dumps+=("$f|$vmlinux|$(banner_of "$set/truth")")
	done
done

short() { # a dump's name for the tables: SET/FILE
	local f=$1
	case $f in
	"$sample"/*) echo "sample/${f##*/}" ;;
	*) echo "$(basename "$(dirname "$f")")/${f##*/}" ;;
	esac
}
first_error() { # the first line of $1 that looks like an error, else the last
	grep -m1 -E '^(crash|vmtool|makedumpfile|[a-z_]+): |FAIL|[Ee]rror|Can.t|not ' "$1" ||
		grep -v '^$' "$1" | tail -n 1
}
result() { # "ok" or the error, from exit status $1 and output file $2
	if [ "$1" -eq 0 ]; then echo ok; else echo "FAIL ($1): $(first_error "$2")"; fi
}

echo "# compare-peers: $(date -u +%FT%TZ) on $(uname -m), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# vmtool $("$VMTOOL" --version | head -n1 | cut -d' ' -f2), $(crash --version 2>/dev/null | grep -m1 crash), drgn $($PY -c 'import drgn; print(drgn.__version__)'), libkdumpfile $(dpkg-query -W -f '${Version}' python3-libkdumpfile), makedumpfile $(dpkg-query -W -f '${Version}' makedumpfile)"

if $do_caps; then
	echo
	echo "## What each opens and answers (DUMP | peer | step | result)"
	for d in "${dumps[@]}"; do
		IFS='|' read -r f vmlinux banner <<<"$d"
		s=$(short "$f")
		k=()
		[ "$vmlinux" != - ] && k=(-k "$vmlinux")
		# vmtool: without a vmlinux, then with it.
		for cmd in info sys ps log "bt 1"; do
			# shellcheck disable=SC2086
			"$VMTOOL" -q "$f" $cmd >"$out/o" 2>&1
			echo "$s | vmtool | $cmd | $(result $? "$out/o")"
			if [ "$vmlinux" != - ]; then
				# shellcheck disable=SC2086
				"$VMTOOL" -q "${k[@]}" "$f" $cmd >"$out/o" 2>&1
				echo "$s | vmtool -k vmlinux | $cmd | $(result $? "$out/o")"
			fi
		done
		# crash: it needs a vmlinux (the namelist) for a dump.
		printf 'sys\nexit\n' | timeout 120 crash -s "$f" >"$out/o" 2>&1
		echo "$s | crash | open without vmlinux | $(result $? "$out/o")"
		if [ "$vmlinux" != - ]; then
			printf 'sys\nlog\nexit\n' | timeout 120 crash -s "$vmlinux" "$f" >"$out/o" 2>&1
			rc=$?
			[ $rc -eq 0 ] && ! grep -q RELEASE "$out/o" && rc=1
			echo "$s | crash -s vmlinux | sys | $(result $rc "$out/o")"
		fi
		# drgn, without and with the vmlinux.
		timeout 300 $PY "$PROBE" drgn "$f" "$banner" >"$out/o" 2>&1
		sed "s/^/$(printf '%s' "$s" | sed 's/[\/&]/\\&/g') | drgn | /; s/: ok/ | ok/; s/: FAIL/ | FAIL/" "$out/o"
		if [ "$vmlinux" != - ]; then
			timeout 300 $PY "$PROBE" drgn "$f" "$banner" "$vmlinux" >"$out/o" 2>&1
			sed "s/^/$(printf '%s' "$s" | sed 's/[\/&]/\\&/g') | drgn -s vmlinux | /; s/: ok/ | ok/; s/: FAIL/ | FAIL/" "$out/o"
		fi
		# libkdumpfile: a dump reader (no tasks, log or stacks of its own).
		timeout 300 $PY "$PROBE" kdumpfile "$f" "$banner" >"$out/o" 2>&1
		sed "s/^/$(printf '%s' "$s" | sed 's/[\/&]/\\&/g') | libkdumpfile | /; s/: ok/ | ok/; s/: FAIL/ | FAIL/" "$out/o"
		# makedumpfile, an x86_64 build, on an arm64 dump.
		case $(od -An -c -N8 "$f" | tr -d ' ') in
		*ELF*)
			timeout 300 makedumpfile --mem-usage "$f" >"$out/o" 2>&1
			echo "$s | makedumpfile | --mem-usage | $(result $? "$out/o")"
			rm -f "$out/d31"
			timeout 300 makedumpfile -d 31 -l "$f" "$out/d31" >"$out/o" 2>&1
			echo "$s | makedumpfile | -d 31 -l | $(result $? "$out/o")"
			timeout 300 makedumpfile --dump-dmesg "$f" "$out/dmesg" >"$out/o" 2>&1
			echo "$s | makedumpfile | --dump-dmesg | $(result $? "$out/o")"
			;;
		makedump*)
			rm -f "$out/r"
			timeout 300 makedumpfile -R "$out/r" <"$f" >"$out/o" 2>&1
			rc=$?
			if [ $rc -eq 0 ]; then
				# The file -R writes reads as the flattened stream
				# does (but for its format and name).
				"$VMTOOL" -q -c 'info; ps; log' "$f" 2>&1 |
					grep -v '^format:\|^files:' >"$out/a"
				"$VMTOOL" -q -c 'info; ps; log' "$out/r" 2>&1 |
					grep -v '^format:\|^files:' >"$out/b"
				cmp -s "$out/a" "$out/b" || { rc=1; echo "vmtool info, ps and log differ" >"$out/o"; }
			fi
			echo "$s | makedumpfile | -R | $(result $rc "$out/o")"
			;;
		*)
			rm -f "$out/d31"
			timeout 300 makedumpfile -d 31 -l "$f" "$out/d31" >"$out/o" 2>&1
			echo "$s | makedumpfile | -d 31 -l | $(result $? "$out/o")"
			;;
		esac
	done
fi

if $do_times; then
	# The one shared dump every peer that analyses can open: a kexec
	# capture's /proc/vmcore (real p_vaddr) with its vmlinux.
	set=k612-4k-va48-oops
	f=$CACHE/$set/vmcore.proc.elf
	v=$CACHE/$set/vmlinux
	unxz_cached "$SHARED/$set/vmcore.proc.elf.xz" "$f"
	unxz_cached "$SHARED/$set/vmlinux.xz" "$v"
	echo
	echo "## Timings on $set/vmcore.proc.elf ($(du -h --apparent-size "$f" | cut -f1) ELF, vmlinux $(du -h --apparent-size "$v" | cut -f1)), $rounds interleaved rounds"
	ROUNDS=$rounds VMTOOL=$VMTOOL F=$f V=$v DRGN_TASK=$DRGN_TASK PROBE=$PROBE $PY - <<'EOF'
import os, statistics, subprocess, time
e = os.environ
vm, f, v = e["VMTOOL"], e["F"], e["V"]
drgn = ["drgn", "-q", "-c", f, "-s", v, "--no-default-symbols", e["DRGN_TASK"]]
tasks = [
    ("open + info", [
        ("vmtool", [vm, "-q", f, "info"]),
        ("vmtool -k", [vm, "-q", "-k", v, f, "info"]),
        ("drgn -s", drgn + ["info"]),
        ("libkdumpfile", ["/usr/bin/python3", e["PROBE"], "kdumpfile-info", f])]),
    ("log (dmesg)", [
        ("vmtool", [vm, "-q", f, "log"]),
        ("vmtool -k", [vm, "-q", "-k", v, f, "log"]),
        ("drgn -s", drgn + ["log"])]),
    ("ps", [
        ("vmtool", [vm, "-q", f, "ps"]),
        ("vmtool -k", [vm, "-q", "-k", v, f, "ps"]),
        ("drgn -s", drgn + ["ps"])]),
    ("bt 1 (the panicking task)", [
        ("vmtool", [vm, "-q", f, "bt", "1"]),
        ("vmtool -k", [vm, "-q", "-k", v, f, "bt", "1"]),
        ("drgn -s", drgn + ["bt", "1"])]),
    ("bt -a (each CPU's current task)", [
        ("vmtool", [vm, "-q", f, "bt", "-a"]),
        ("vmtool -k", [vm, "-q", "-k", v, f, "bt", "-a"]),
        ("drgn -s", drgn + ["bta"])]),
    ("sys", [
        ("vmtool", [vm, "-q", f, "sys"]),
        ("vmtool -k", [vm, "-q", "-k", v, f, "sys"]),
        ("drgn -s", drgn + ["sys"])]),
]
peers = ["vmtool", "vmtool -k", "drgn -s", "libkdumpfile"]
rounds = int(e["ROUNDS"])
print("load average before: " + open("/proc/loadavg").read().strip())
rows = []
for task, cmds in tasks:
    times = {name: [] for name, _ in cmds}
    lines, fail = {}, {}
    for name, argv in cmds:  # a warm-up run each, which also checks it works
        r = subprocess.run(argv, capture_output=True)
        lines[name] = r.stdout.count(b"\n")
        if r.returncode:
            fail[name] = (r.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
    for _ in range(rounds):
        for name, argv in cmds:
            if name in fail:
                continue
            t0 = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - t0)
    cells = []
    for p in peers:
        if p not in times:
            cells.append("—")
        elif p in fail:
            cells.append("fails: " + fail[p][:60])
        else:
            t = sorted(times[p])
            cells.append("%.0f ms (%.0f–%.0f), %d lines" % (
                statistics.median(t) * 1000, t[0] * 1000, t[-1] * 1000, lines[p]))
    rows.append("| %s | %s |" % (task, " | ".join(cells)))
print("| task | vmtool (no vmlinux) | vmtool -k vmlinux | drgn 0.0.22 -s vmlinux | libkdumpfile 0.5.1 |")
print("| --- | --- | --- | --- | --- |")
print("\n".join(rows))
print("load average after: " + open("/proc/loadavg").read().strip())
EOF
fi
