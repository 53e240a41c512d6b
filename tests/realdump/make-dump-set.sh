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
#   --timeout SEC       bound of the boot until the truth is printed (default 900)
#   --cache DIR         downloads and builds (default ~/.cache/vmtool-realdump)
#   --no-install        do not apt-get install missing tools
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

[ $# -ge 1 ] || usage
out=$1
shift
mem=256M append="" formats="elf kdump-zlib kdump-lzo kdump-snappy"
kernel="" vmlinux="" moddir="" sysmap="" debpkg="" cpu=max smp=2 timeout_s=900
cache=${XDG_CACHE_HOME:-$HOME/.cache}/vmtool-realdump install=1
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift ;;
	--append) append=$2; shift ;;
	--formats) formats=$2; shift ;;
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

# ---------- tools (Debian 12) ----------
need=""
command -v qemu-system-aarch64 >/dev/null || need="$need qemu-system-arm"
command -v aarch64-linux-gnu-gcc >/dev/null || need="$need gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
command -v python3 >/dev/null || need="$need python3"
command -v depmod >/dev/null || need="$need kmod"
command -v timeout >/dev/null || need="$need coreutils"
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
cp "$build/bb/bin/busybox" "$build/stage/bin/busybox"
# busybox applets used by /init (and the task names the truth shows)
for a in sh mount insmod dmesg mkfifo sleep kill cat base64 gzip ls uname true swapoff; do
	ln -s busybox "$build/stage/bin/$a"
done

# ---------- modules: qemu_fw_cfg and what it depends on ----------
if [ -n "$moddir" ] && [ -d "$moddir" ]; then
	rel=$(basename "$moddir")
	mroot=$build/modroot
	mkdir -p "$mroot/lib/modules"
	cp -a "$moddir" "$mroot/lib/modules/$rel"
	depmod -b "$mroot" "$rel" 2>/dev/null || true
	line=$(grep -E '(^|/)qemu_fw_cfg\.ko[^:]*:' "$mroot/lib/modules/$rel/modules.dep" || true)
	if [ -n "$line" ]; then
		mods=""
		# modules.dep lists a module's dependencies after it, deepest last
		for m in ${line#*:}; do mods="$m $mods"; done
		mods="$mods ${line%%:*}"
		: > "$build/stage/lib/modules/load.list"
		for m in $mods; do
			src=$mroot/lib/modules/$rel/$m
			base=$(basename "$m")
			case $base in
			*.xz) xz -dc "$src" > "$build/stage/lib/modules/${base%.xz}"; base=${base%.xz} ;;
			*.zst) zstd -qdc "$src" > "$build/stage/lib/modules/${base%.zst}"; base=${base%.zst} ;;
			*) cp "$src" "$build/stage/lib/modules/$base" ;;
			esac
			echo "$base" >> "$build/stage/lib/modules/load.list"
		done
		log "modules: $(tr '\n' ' ' < "$build/stage/lib/modules/load.list")"
	else
		log "qemu_fw_cfg not in $moddir: assuming built in (VMCOREINFO needs it)"
	fi
	rm -rf "$mroot"
else
	log "no modules dir: qemu_fw_cfg must be built in for the dump to carry VMCOREINFO"
fi

# ---------- workload and initramfs ----------
aarch64-linux-gnu-gcc -static -O1 -pthread -Wall -o "$build/stage/bin/workload" "$here/workload.c"
cp "$here/init.sh" "$build/stage/init"
chmod 755 "$build/stage/init"
$py cpio "$build/stage" "$build/initramfs.cpio.gz"
[ "$kernel" = "$build/Image" ] || cp "$kernel" "$build/Image"

# ---------- boot ----------
console=$out/console.log
sock=$out/qmp.sock
rm -f "$console" "$sock" "$out"/vmcore.*
cmdline="console=ttyAMA0 $append"
qemu=(qemu-system-aarch64 -M virt -cpu "$cpu" -smp "$smp" -m "$mem" -nographic
	-monitor none -serial "file:$console" -kernel "$build/Image"
	-initrd "$build/initramfs.cpio.gz" -append "$cmdline" -device vmcoreinfo
	-qmp "unix:$sock,server=on,wait=off" -nic none -no-reboot)
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
	[ $(($(date +%s) - t_boot)) -lt "$timeout_s" ] || fail "guest not ready after ${timeout_s}s"
	sleep 2
done
log "guest ready after $(($(date +%s) - t_boot))s"
sleep 2
# shellcheck disable=SC2086
$py qmp "$sock" "$out" $formats || fail "QMP dump failed"
wait "$qpid" || true
rm -f "$sock"

# ---------- files of the set ----------
for fmt in $formats; do
	[ "$fmt" = elf ] || [ ! -f "$out/vmcore.$fmt.flat" ] && continue
	$py unflatten "$out/vmcore.$fmt.flat" "$out/vmcore.$fmt"
done
rm -rf "$out/truth"
$py truth "$console" "$out" --image "$build/Image" ${sysmap:+--system-map "$sysmap"}
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
	echo "files:"
	(cd "$out" && ls -l vmcore.* | awk '{print "  " $NF " " $5}')
	echo "generation took $(($(date +%s) - t_start)) s"
} > "$out/PROVENANCE"
log "done in $(($(date +%s) - t_start)) s: $out"
