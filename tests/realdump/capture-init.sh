#!/bin/sh
# /init of the capture kernel (kdump) built by make-dump-set.sh --panic
# (busybox-static sh). The crashed kernel's memory is /proc/vmcore here; it is
# saved to the virtio-blk disk, which the host reads back after power-off:
#   slot 0 (byte 0):            /proc/vmcore (an ELF file), copied whole
#   slot N (byte N * SLOT_MB MiB): makedumpfile -F (flattened) of the Nth
#                               format of $MDF, e.g. lzo-d31 = -l -d 31
# Both go through vmcore-copy (vmcore-copy.c: O_DIRECT writes; dd wrote at
# about 2 MB/s under TCG).
# Markers (parsed by make-dump-set.sh and realdump.py):
#   =====CAPTURE vmcore-size <bytes> at <uptime>=====
#   =====CAPTURE vmcore-rc <rc> at <uptime>=====
#   =====CAPTURE mdf <format> slot <n> rc <rc> at <uptime>=====
#   =====BEGIN FILE <name> base64===== ... =====END FILE=====
#   =====CAPTURE done at <uptime>=====
export PATH=/bin LD_LIBRARY_PATH=/lib
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs -o size=8m tmpfs /tmp
SLOT_MB=0 MDF=
. /etc/capture.conf

# each marker says the capture kernel's uptime too (a builtin read: no task)
say() {
	read -r up rest < /proc/uptime
	echo "=====CAPTURE $* at $up====="
}
emit() { # NAME FILE
	[ -r "$2" ] || return 0
	echo "=====BEGIN FILE $1 base64====="
	base64 < "$2"
	echo "=====END FILE====="
}
say start

# the virtio-mmio transport and the block driver, where they are modules
if [ -f /lib/modules/load.list ]; then
	while read -r m; do
		[ -n "$m" ] && insmod "/lib/modules/$m" || say "insmod $m failed"
	done < /lib/modules/load.list
fi
n=0
while [ ! -b /dev/vda ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ -b /dev/vda ] || { say "no /dev/vda"; poweroff -f; }

size=$(stat -c %s /proc/vmcore 2>/dev/null)
say "vmcore-size $size"
vmcore-copy /proc/vmcore /dev/vda > /tmp/copy.log 2>&1
say "vmcore-rc $?"
emit log/vmcore-copy.log /tmp/copy.log

slot=1
for f in $MDF; do
	case ${f%-d*} in
	lzo) c=-l ;;
	zlib) c=-c ;;
	snappy) c=-p ;;
	zstd) c=-z ;;
	*) c= ;;
	esac
	# makedumpfile's own status, not dd's, is what the pipe must report
	{ makedumpfile -F $c -d "${f##*-d}" /proc/vmcore 2>/tmp/mdf.log
	  echo $? > /tmp/mdf.rc; } |
		vmcore-copy - /dev/vda $((slot * SLOT_MB * 1048576)) >> /tmp/mdf.log 2>&1
	say "mdf $f slot $slot rc $(cat /tmp/mdf.rc)"
	emit "log/makedumpfile-$f.log" /tmp/mdf.log
	slot=$((slot + 1))
done
sync

dmesg > /tmp/dmesg.txt
emit capture_dmesg.txt /tmp/dmesg.txt
emit capture_iomem.txt /proc/iomem
emit capture_cmdline.txt /proc/cmdline
say done
poweroff -f
