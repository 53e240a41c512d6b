#!/bin/bash
# Make one real arm64 dump set with in-guest truth (see README.md here).
# usage: make-dump-set.sh OUTDIR [options]
#   --mem SIZE          guest RAM (default 256M)
#   --append ARGS       extra kernel command line (e.g. "mem=96M init_on_free=1")
#   --formats "F..."    dump formats (default "elf kdump-zlib kdump-lzo kdump-snappy")
#   --kernel IMAGE      boot this arm64 Image instead of the Debian one
#   --vmlinux FILE      boot this arm64 vmlinux (Image made with objcopy, System.map with nm)
#   --modules-dir DIR   its modules (lib/modules/<release> folder; for qemu_fw_cfg)
#   --system-map FILE   its System.map (for kaslr.txt / kernel_symbols_derived.txt)
#   --debian-kernel PKG Debian package (default: what linux-image-arm64 depends on)
#   --cpu CPU --smp N   QEMU -cpu (default max) and -smp (default 2)
#   --timeout SEC       bound of the boot until the truth is printed, and in
#                       panic mode of the capture too (default 900)
#   --cache DIR         downloads and builds (default ~/.cache/vmtool-realdump)
#   --no-install        do not apt-get install missing tools
# Panic mode (a real panic captured by a kexec capture kernel as /proc/vmcore):
#   --panic             crash the guest after its truth; no QEMU dump
#   --trigger T         sysrq (echo c > /proc/sysrq-trigger; default) or
#                       lkdtm:TYPE (a kernel with LKDTM, e.g. lkdtm:EXCEPTION)
#   --crashkernel SIZE  crashkernel= of the first kernel (default 160M)
#   --mdf "F..."        makedumpfile outputs made in the capture kernel, each
#                       COMPRESSION-dLEVEL (lzo, zlib, snappy, zstd, plain);
#                       default "lzo-d31 zlib-d31", "" for none
#   --panic-delay SEC   seconds between the truth and the trigger (default 5)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

[ $# -ge 1 ] || usage
out=$1
shift
mem="" append="" formats="elf kdump-zlib kdump-lzo kdump-snappy" formats_set=0
kernel="" vmlinux="" moddir="" sysmap="" debpkg="" cpu=max smp=2 timeout_s=900
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmtool-realdump install=1
panic=0 trigger=sysrq crashkernel=160M mdf="lzo-d31 zlib-d31" panic_delay=5
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift ;;
	--append) append=$2; shift ;;
	--formats) formats=$2; formats_set=1; shift ;;
	--panic) panic=1 ;;
	--trigger) trigger=$2; shift ;;
	--crashkernel) crashkernel=$2; shift ;;
	--mdf) mdf=$2; shift ;;
	--panic-delay) panic_delay=$2; shift ;;
	--kernel) kernel=$(realpath "$2"); shift ;;
	--vmlinux) vmlinux=$(realpath "$2"); shift ;;
	--modules-dir) moddir=$(realpath "$2"); shift ;;
	--system-map) sysmap=$(realpath "$2"); shift ;;
	--debian-kernel) debpkg=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--smp) smp=$2; shift ;;
	--timeout) timeout_s=$2; shift ;;
	--cache) cache=$2; shift ;;
	--no-install) install=0 ;;
	-h|--help) usage ;;
	*) echo "make-dump-set.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done

die() { echo "make-dump-set.sh: $*" >&2; exit 1; }
log() { echo "== $*"; }
t_start=$(date +%s)
if [ $panic = 1 ]; then
	# one set is one moment: QEMU's snapshot before the crash is not it
	[ $formats_set = 0 ] || die "--formats has no meaning with --panic (the set is /proc/vmcore)"
	formats=""
	case $trigger in
	sysrq | lkdtm:[A-Z]*) ;;
	*) die "--trigger: sysrq or lkdtm:TYPE, not $trigger" ;;
	esac
	for f in $mdf; do
		case $f in
		lzo-d[0-9]* | zlib-d[0-9]* | snappy-d[0-9]* | zstd-d[0-9]* | plain-d[0-9]*) ;;
		*) die "--mdf: COMPRESSION-dLEVEL (lzo, zlib, snappy, zstd, plain), not $f" ;;
		esac
	done
	# room for the first kernel beside the capture kernel's reserved region
	mem=${mem:-512M}
	append="crashkernel=$crashkernel crash_kexec_post_notifiers no_hash_pointers panic=1${append:+ $append}"
fi
mem=${mem:-256M}

# ---------- tools (Debian 12) ----------
need=""
command -v qemu-system-aarch64 >/dev/null || need="$need qemu-system-arm"
command -v aarch64-linux-gnu-gcc >/dev/null || need="$need gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
command -v python3 >/dev/null || need="$need python3"
command -v depmod >/dev/null || need="$need kmod"
command -v timeout >/dev/null || need="$need coreutils"
command -v readelf >/dev/null || need="$need binutils"
command -v modinfo >/dev/null || need="$need kmod"
if [ -n "$need" ]; then
	[ $install = 1 ] || die "missing packages:$need"
	log "installing$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
py="python3 $here/realdump.py"

mkdir -p "$out" "$cache"
out=$(realpath "$out")
build=$out/build
rm -rf "$build"
mkdir -p "$build/stage/bin" "$build/stage/lib/modules" "$build/stage/proc" \
	"$build/stage/sys" "$build/stage/dev" "$build/stage/tmp"

# ---------- Debian arm64 packages: kernel and busybox-static ----------
fetch() { # PKG -> path of the .deb in the cache
	local f
	f=$(ls "$cache"/"${1%%:*}"_*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		if ! dpkg --print-foreign-architectures | grep -qx arm64; then
			[ $install = 1 ] || die "arm64 not a dpkg architecture (dpkg --add-architecture arm64)"
			dpkg --add-architecture arm64
			apt-get update -qq
		fi
		(cd "$cache" && apt-get download -qq "$1:arm64" >/dev/null 2>&1) ||
			{ apt-get update -qq && (cd "$cache" && apt-get download -qq "$1:arm64"); } ||
			die "apt-get download $1:arm64 failed"
		f=$(ls "$cache"/"${1%%:*}"_*.deb | head -n1)
	fi
	echo "$f"
}
kdesc=""
if [ -n "$vmlinux" ]; then
	# what arch/arm64/boot/Makefile does to make the Image (OBJCOPYFLAGS there)
	aarch64-linux-gnu-objcopy -O binary -R .note -R .note.gnu.build-id -R .comment -S \
		"$vmlinux" "$out/build/Image.from-vmlinux"
	[ -n "$sysmap" ] || { aarch64-linux-gnu-nm -n "$vmlinux" > "$out/build/System.map" &&
		sysmap=$out/build/System.map; }
	kernel=$out/build/Image.from-vmlinux
	kdesc="Image made from vmlinux $vmlinux (build id $(aarch64-linux-gnu-readelf -n "$vmlinux" |
		sed -n 's/.*Build ID: //p' | head -n1))"
elif [ -z "$kernel" ]; then
	if [ -z "$debpkg" ]; then
		debpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
			sed -n 's/.*Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n1)
		[ -n "$debpkg" ] || { dpkg --add-architecture arm64; apt-get update -qq;
			debpkg=$(apt-cache depends linux-image-arm64:arm64 |
				sed -n 's/.*Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n1); }
		[ -n "$debpkg" ] || die "cannot find the Debian arm64 kernel package"
		# the unsigned package holds the same Image without the signature
		apt-cache show "$debpkg-unsigned:arm64" >/dev/null 2>&1 && debpkg=$debpkg-unsigned
	fi
	log "kernel package $debpkg"
	kdeb=$(fetch "$debpkg")
	kx=$cache/${debpkg}.x
	[ -d "$kx" ] || { dpkg-deb -x "$kdeb" "$kx.tmp" && mv "$kx.tmp" "$kx"; }
	kernel=$(ls "$kx"/boot/vmlinuz-* | head -n1)
	moddir=$(ls -d "$kx"/lib/modules/* | head -n1)
	[ -n "$sysmap" ] || sysmap=$(ls "$kx"/boot/System.map-* 2>/dev/null | head -n1 || true)
	kdesc="Debian $debpkg ($(dpkg-deb -f "$kdeb" Version))"
else
	kdesc="given Image $kernel"
fi
[ -f "$kernel" ] || die "no kernel Image: $kernel"
bbdeb=$(fetch busybox-static)
dpkg-deb -x "$bbdeb" "$build/bb"
# busybox and the applets a /init uses (and the task names the truth shows)
stage_busybox() { # STAGEDIR APPLET...
	local d=$1 a
	shift
	cp "$build/bb/bin/busybox" "$d/bin/busybox"
	for a in "$@"; do ln -s busybox "$d/bin/$a"; done
}
stage_busybox "$build/stage" sh mount umount insmod dmesg mkfifo mkdir rm sleep kill cat \
	base64 gzip ls uname true swapoff grep

# ---------- modules: a module and what it depends on, from modinfo ----------
# stage_modules STAGEDIR MODULE...: copies each module that is not built in,
# dependencies first, into STAGEDIR/lib/modules and lists them in load.list
# (the order /init loads them in); prints what is left built in
stage_modules() {
	local d=$1/lib/modules order="" m
	shift
	mkdir -p "$d"
	: > "$d/load.list"
	[ -n "$moddir" ] && [ -d "$moddir" ] || { echo "$*"; return 0; }
	modfile() { find "$moddir" -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" | head -n1; }
	add() { # MODULE: its dependencies (modinfo's depends=) before it
		local f dep
		case " $order " in *" $1 "*) return 0 ;; esac
		f=$(modfile "$1")
		[ -n "$f" ] || { left_builtin="$left_builtin $1"; return 0; }
		for dep in $(modinfo -F depends "$f" | tr , ' '); do add "$dep"; done
		order="$order $1"
		local base
		base=$(basename "$f")
		case $base in
		*.xz) xz -dc "$f" > "$d/${base%.xz}"; base=${base%.xz} ;;
		*.zst) zstd -qdc "$f" > "$d/${base%.zst}"; base=${base%.zst} ;;
		*) cp "$f" "$d/$base" ;;
		esac
		echo "$base" >> "$d/load.list"
	}
	left_builtin=""
	for m in "$@"; do add "$m"; done
	echo "$left_builtin"
}
left=$(stage_modules "$build/stage" qemu_fw_cfg)
[ -z "$left" ] || log "qemu_fw_cfg not a module here: assuming built in (VMCOREINFO needs it)"
[ ! -s "$build/stage/lib/modules/load.list" ] ||
	log "modules: $(tr '\n' ' ' < "$build/stage/lib/modules/load.list")"

# ---------- workload and initramfs ----------
aarch64-linux-gnu-gcc -static -O1 -pthread -Wall -o "$build/stage/bin/workload" "$here/workload.c"
cp "$here/init.sh" "$build/stage/init"
chmod 755 "$build/stage/init"
mkdir -p "$build/stage/mnt"
[ "$kernel" = "$build/Image" ] || cp "$kernel" "$build/Image"
mem_mb=$(echo "$mem" | awk '/[Gg]$/ { print int($0) * 1024; next } { print int($0) }')
slot_mb=$((mem_mb + 64))
if [ $panic = 1 ]; then
	# ---------- panic mode: kexec-tools, makedumpfile, the capture initramfs ----------
	# Debian's arm64 packages and the libraries they need, found through
	# their Depends: (lib* packages only; DT_NEEDED decides what is staged)
	pkgroot=$build/pkgroot
	mkdir -p "$pkgroot"
	pkglist=$cache/panic-packages.txt
	if [ ! -s "$pkglist" ]; then
		# one apt-cache call per level of the dependency tree
		pkgs="" level="kexec-tools makedumpfile"
		while [ -n "$level" ]; do
			new=""
			for p in $level; do
				case " $pkgs " in *" $p "*) ;; *) pkgs="$pkgs $p" new="$new $p:arm64" ;; esac
			done
			[ -n "$new" ] || break
			# shellcheck disable=SC2086
			level=$(apt-cache depends $new 2>/dev/null |
				sed -n 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: \(\(lib\|zlib\)[a-z0-9.+-]*\)\(:arm64\)\{0,1\}$/\2/p' |
				sort -u)
		done
		echo $pkgs > "$pkglist"
	fi
	for p in $(cat "$pkglist"); do
		dpkg-deb -x "$(fetch "$p")" "$pkgroot"
	done
	kexec_ver=$(dpkg-deb -f "$(fetch kexec-tools)" Version)
	mdf_ver=$(dpkg-deb -f "$(fetch makedumpfile)" Version)
	log "kexec-tools $kexec_ver, makedumpfile $mdf_ver (Debian arm64)"
	mkdir -p "$build/stage/boot" "$build/stage/etc"
	cp "$pkgroot/sbin/kexec" "$build/stage/bin/kexec"
	$py libs "$pkgroot" "$build/stage" "$build/stage/bin/kexec"

	cap=$build/capture
	mkdir -p "$cap/bin" "$cap/proc" "$cap/sys" "$cap/dev" "$cap/tmp" "$cap/etc"
	stage_busybox "$cap" sh mount insmod stat sleep dmesg cat base64 ls poweroff sync
	aarch64-linux-gnu-gcc -static -O2 -Wall -o "$cap/bin/vmcore-copy" "$here/vmcore-copy.c"
	cp "$pkgroot/usr/bin/makedumpfile" "$cap/bin/makedumpfile"
	$py libs "$pkgroot" "$cap" "$cap/bin/makedumpfile"
	left=$(stage_modules "$cap" virtio_mmio virtio_blk)
	[ -z "$left" ] || log "capture kernel: assuming built in:$left"
	cp "$here/capture-init.sh" "$cap/init"
	chmod 755 "$cap/init"
	printf 'SLOT_MB=%s\nMDF="%s"\n' "$slot_mb" "$mdf" > "$cap/etc/capture.conf"
	$py cpio "$cap" "$build/stage/boot/capture-initrd"
	cp "$build/Image" "$build/stage/boot/Image"
	# cma=0: the capture kernel's default CMA area would take 64 MiB of the
	# reserved region
	capture_append="console=ttyAMA0 nr_cpus=1 reset_devices rdinit=/init panic=1 cma=0"
	{
		echo "PANIC=$trigger"
		echo "STEXT_OFFSET=$($py stext-offset "$build/Image")"
		echo "PANIC_DELAY=$panic_delay"
		echo "CAPTURE_APPEND=\"$capture_append\""
	} > "$build/stage/etc/realdump.conf"
	# the capture kernel's output: slot 0 /proc/vmcore, then one slot per
	# makedumpfile format (a sparse file: only what is written takes room)
	nslots=1
	for f in $mdf; do nslots=$((nslots + 1)); done
	rm -f "$build/capture-disk.img"
	truncate -s $((nslots * slot_mb))M "$build/capture-disk.img"
	initrd=$build/initramfs.cpio
else
	initrd=$build/initramfs.cpio.gz
fi
$py cpio "$build/stage" "$initrd"

# ---------- boot ----------
console=$out/console.log
sock=$out/qmp.sock
rm -f "$console" "$sock" "$out"/vmcore.*
cmdline="console=ttyAMA0 $append"
qemu=(qemu-system-aarch64 -M virt -cpu "$cpu" -smp "$smp" -m "$mem" -nographic
	-monitor none -serial "file:$console" -kernel "$build/Image"
	-initrd "$initrd" -append "$cmdline" -device vmcoreinfo
	-qmp "unix:$sock,server=on,wait=off" -nic none -no-reboot)
[ $panic = 0 ] || qemu+=(-drive "file=$build/capture-disk.img,if=none,format=raw,id=kd0"
	-device virtio-blk-device,drive=kd0)
log "booting: ${qemu[*]}"
t_boot=$(date +%s)
# the whole run (boot + dumps) is bounded; the dumps add their own time
timeout --kill-after=10 $((timeout_s + 1800)) "${qemu[@]}" </dev/null &
qpid=$!
fail() {
	echo "make-dump-set.sh: $*" >&2
	echo "---- last 40 console lines ($console) ----" >&2
	tail -n 40 "$console" 2>/dev/null | tr -d '\r' >&2 || true
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	exit 1
}
while ! grep -q '^=====VMTOOL-READY=====' "$console" 2>/dev/null; do
	kill -0 "$qpid" 2>/dev/null || fail "QEMU ended before the guest was ready"
	if grep -q '^=====INIT kexec-failed' "$console" 2>/dev/null; then
		tr -d '\r' < "$console" | grep -i crashkernel >&2 || true
		fail "kexec could not load the capture kernel (is crashkernel= reserved? above)"
	fi
	[ $(($(date +%s) - t_boot)) -lt "$timeout_s" ] || fail "guest not ready after ${timeout_s}s"
	sleep 2
done
t_ready=$(date +%s)
log "guest ready after $((t_ready - t_boot))s"
if grep -q '^=====INIT workload did not finish' "$console"; then
	tr -d '\r' < "$console" | grep -a '^WL' | tail -n 5 >&2 || true
	fail "the workload did not finish (a set without its pages is no use)"
fi
if [ $panic = 1 ]; then
	# the guest crashes itself; the capture kernel saves /proc/vmcore and
	# powers off, which ends QEMU
	while kill -0 "$qpid" 2>/dev/null; do
		[ $(($(date +%s) - t_ready)) -lt "$timeout_s" ] ||
			fail "the capture kernel did not finish within ${timeout_s}s of the trigger"
		sleep 2
	done
	wait "$qpid" || true
	t_captured=$(date +%s)
	tr -d '\r' < "$console" > "$build/console.txt"
	grep -q '^=====CAPTURE done at ' "$build/console.txt" ||
		fail "the capture kernel did not finish (no CAPTURE done marker)"
	log "captured $((t_captured - t_ready))s after READY"
	marker() { sed -n "s/^=====CAPTURE $1 at [0-9.]*=====\$/\\1/p" "$build/console.txt" | tail -n1; }
	size=$(marker 'vmcore-size \([0-9]*\)')
	[ -n "$size" ] && [ "$(marker 'vmcore-rc \([0-9]*\)')" = 0 ] ||
		fail "the capture kernel could not copy /proc/vmcore"
	$py extract "$build/capture-disk.img" 0 "$size" "$out/vmcore.proc.elf"
	slot=1
	for f in $mdf; do
		rc=$(marker "mdf $f slot $slot rc \\([0-9]*\\)")
		if [ "$rc" = 0 ]; then
			$py unflatten "$build/capture-disk.img" "$out/vmcore.mdf-$f.kdump" \
				--offset $((slot * slot_mb * 1048576))
		else
			echo "make-dump-set.sh: makedumpfile $f failed in the capture kernel (rc ${rc:-none}):" >&2
			tail -n 5 "$build/log/makedumpfile-$f.log" 2>/dev/null >&2 || true
		fi
		slot=$((slot + 1))
	done
	rm -f "$build/capture-disk.img"
else
	sleep 2
	# shellcheck disable=SC2086
	$py qmp "$sock" "$out" $formats || fail "QMP dump failed"
	wait "$qpid" || true
fi
rm -f "$sock"

# ---------- files of the set ----------
for fmt in $formats; do
	[ "$fmt" = elf ] || [ ! -f "$out/vmcore.$fmt.flat" ] && continue
	$py unflatten "$out/vmcore.$fmt.flat" "$out/vmcore.$fmt"
done
rm -rf "$out/truth"
$py truth "$console" "$out" --image "$build/Image" ${sysmap:+--system-map "$sysmap"}
$py verify "$out" > "$build/verify.txt" || { cat "$build/verify.txt"; die "the set's files do not agree with its truth"; }
cat "$build/verify.txt"
qver=$(qemu-system-aarch64 --version | head -n1)
{
	echo "set: $(basename "$out")"
	echo "kernel: $kdesc, release $(cat "$out/truth/uname-r.txt" 2>/dev/null)"
	echo "page size: $(sed -n 's/^PAGESIZE=//p' "$out/truth/vmcoreinfo_from_dump.txt"), VA_BITS $(sed -n 's/^NUMBER(VA_BITS)=//p' "$out/truth/vmcoreinfo_from_dump.txt")"
	echo "qemu: $qver, TCG on $(uname -m)"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "generator: tests/realdump/make-dump-set.sh (vmtool)"
	echo "command line:"
	printf '%q ' "${qemu[@]}" | sed "s#$out#OUT#g"
	echo
	echo
	echo "kaslr:"
	cat "$out/truth/kaslr.txt"
	echo
	if [ $panic = 1 ]; then
		echo "crash and capture (a real panic, not a QEMU snapshot):"
		echo "- first kernel: $(grep -m1 'Crash kernel' "$out/truth/iomem.txt" | sed 's/^ *//')"
		echo "  (crashkernel=$crashkernel); /init loaded the capture kernel (the same Image) with"
		echo "  Debian kexec-tools:arm64 $kexec_ver: $(sed -n 's/^=====INIT kexec-loaded \(.*\)=====$/\1/p' "$build/console.txt")"
		echo "  Image --initrd=capture-initrd --append=\"$capture_append\""
		echo "- the usual workload and truth, then ${panic_delay} s after READY, by pid 1 with shell builtins"
		echo "  only (no new task): echo 8 > /proc/sys/kernel/printk; echo 1 > /proc/sys/kernel/panic_on_oops;"
		case $trigger in
		sysrq) echo "  echo 1 > /proc/sys/kernel/sysrq; echo c > /proc/sysrq-trigger" ;;
		*) echo "  echo ${trigger#lkdtm:} > /sys/kernel/debug/provoke-crash/DIRECT" ;;
		esac
		echo "- the crashed kernel's console from the trigger on (truth/panic_console.txt):"
		grep -E 'Kernel panic - not syncing|Internal error|Unable to handle|CPU: [0-9]+ .*PID|Starting crashdump' \
			"$out/truth/panic_console.txt" | sed 's/^/    /'
		echo "  its kernel lines are appended to truth/dmesg.txt (truth/dmesg_at_truth_time.txt is dmesg"
		echo "  as read at truth time)"
		echo "- capture kernel: $(cat "$out/truth/capture_cmdline.txt" 2>/dev/null)"
		echo "  dd of /proc/vmcore ($size bytes) -> vmcore.proc.elf; in the capture kernel too, Debian"
		echo "  makedumpfile:arm64 $mdf_ver: makedumpfile -F <compression> -d <level> /proc/vmcore, the"
		echo "  flattened output unflattened on the host (realdump.py unflatten = makedumpfile -R):"
		for f in $mdf; do echo "    vmcore.mdf-$f.kdump"; done
		echo "  VMCOREINFO $(grep -m1 '^CRASHTIME=' "$out/truth/vmcoreinfo_from_dump.txt" || echo "(no CRASHTIME)")"
		echo "- time: first boot to READY $((t_ready - t_boot)) s, READY to the capture's power-off $((t_captured - t_ready)) s"
		echo
	fi
	echo "guest uptime at each step of /init (s):$(tr -d '\r' < "$console" |
		sed -n 's/^=====INIT-TIME \(.*\)=====$/ \1;/p' | tr -d '\n')"
	[ $panic = 0 ] || echo "capture kernel uptime at each step (s):$(sed -n \
		's/^=====CAPTURE \(.*\) at \([0-9.]*\)=====$/ \1 \2;/p' "$build/console.txt" | tr -d '\n')"
	echo
	echo "checks (realdump.py verify, without vmtool):"
	sed 's/^/  /' "$build/verify.txt"
	echo
	echo "files:"
	(cd "$out" && ls -l vmcore.* | awk '{print "  " $NF " " $5}')
	echo "generation took $(($(date +%s) - t_start)) s"
} > "$out/PROVENANCE"
# what only served to build the initramfs (hundreds of MB): gone
rm -rf "$build/stage" "$build/capture" "$build/pkgroot" "$build/bb"
log "done in $(($(date +%s) - t_start)) s: $out"
