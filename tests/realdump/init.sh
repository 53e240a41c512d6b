#!/bin/sh
# /init of the guest built by make-dump-set.sh (busybox-static sh).
# Sets up a quiet, stable machine, starts the workload and the other tasks,
# prints the truth on the console between markers, then idles without forking
# or, in panic mode (/etc/realdump.conf sets PANIC), crashes the kernel into
# the capture kernel loaded with kexec (capture-init.sh is that one's /init).
# Marker lines (parsed by realdump.py):
#   =====BEGIN FILE <name> base64=====  ... base64 lines ...  =====END FILE=====
#   =====BEGIN FILE <name> plain=====   ... text lines ...    =====END FILE=====
#   =====VMTOOL-READY=====
#   =====VMTOOL-PANIC <trigger> uptime <seconds>=====  (panic mode)
#   =====INIT <what happened>=====
export PATH=/bin LD_LIBRARY_PATH=/lib
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs -o size=16m tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# a second tmpfs, so the mount table has more than the bare minimum
mount -t tmpfs -o size=1m,mode=0750 wl-scratch /mnt
# no kernel messages between our markers
dmesg -n 1
# a node name of our own: uname's nodename is read from the dump too
echo vmtool-guest > /proc/sys/kernel/hostname

say() { echo "=====INIT $*====="; }
# where the guest's time goes (uptime; a builtin read: no task)
stamp() {
	read -r up rest < /proc/uptime
	echo "=====INIT-TIME $1 $up====="
}
stamp init
PANIC=
[ -f /etc/realdump.conf ] && . /etc/realdump.conf

# qemu_fw_cfg (and what it needs) so QEMU's vmcoreinfo device gets the note
if [ -f /lib/modules/load.list ]; then
	while read -r m; do
		[ -n "$m" ] && insmod "/lib/modules/$m" || say "insmod $m failed"
	done < /lib/modules/load.list
fi

# keep physical pages where they are: no THP, no compaction, no swap
echo never > /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
echo never > /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null
for kv in vm/compaction_proactiveness=0 vm/compact_unevictable_allowed=0 \
	vm/extfrag_threshold=1000 kernel/kptr_restrict=0 kernel/dmesg_restrict=0 \
	kernel/numa_balancing=0; do
	f=/proc/sys/${kv%%=*}
	[ -e "$f" ] && echo "${kv#*=}" > "$f" 2>/dev/null
done
swapoff -a 2>/dev/null

# panic mode: load the capture kernel now (crashkernel= reserved its room at
# boot); kexec_file_load (-s) where the kernel has it, else kexec_load (the
# Debian 6.1 arm64 kernel has no CONFIG_KEXEC_FILE), after kptr_restrict=0:
# for kexec_load, kexec-tools builds the capture's ELF header from
# /proc/kallsyms (_text), which would read as zeros before. The Image and
# initramfs are then deleted: they live in the reserved region from here on.
if [ -n "$PANIC" ]; then
	# kexec-tools 2.0.25's kexec_load on arm64 takes the kernel's virtual
	# base (and from it PAGE_OFFSET) from _text in /proc/kallsyms. A kernel
	# without CONFIG_KALLSYMS_ALL does not list _text (it lies before
	# _stext, outside the text kallsyms keeps), and the capture's ELF header
	# then has p_vaddr 0 and a wild kernel-text segment. So, for the load
	# only, /proc/kallsyms shows kexec a copy of a few lines plus
	# _text = _stext - STEXT_OFFSET (the Image's PE BaseOfCode; _text is 2 MiB
	# aligned, so only the low 32 bits change).
	bound=
	if ! grep -q ' _text$' /proc/kallsyms; then
		grep -E ' (_stext|_etext|_sinittext|__init_begin|_end)$' /proc/kallsyms \
			> /tmp/kallsyms.kexec
		a=
		while read -r a t n; do
			[ "$n" = _stext ] && break
		done < /tmp/kallsyms.kexec
		hi=${a%????????}
		lo=${a#"$hi"}
		printf '%s%08x T _text\n' "$hi" $((0x$lo - STEXT_OFFSET)) >> /tmp/kallsyms.kexec
		mount --bind /tmp/kallsyms.kexec /proc/kallsyms && bound=1
		say "kexec-kallsyms _text $hi$(printf %08x $((0x$lo - STEXT_OFFSET)))"
	fi
	if /bin/kexec -s -p /boot/Image --initrd=/boot/capture-initrd \
		--append="$CAPTURE_APPEND" 2>/tmp/kexec.log; then
		say "kexec-loaded kexec -s -p (kexec_file_load)"
	elif /bin/kexec -d -p /boot/Image --initrd=/boot/capture-initrd \
		--append="$CAPTURE_APPEND" 2>>/tmp/kexec.log; then
		say "kexec-loaded kexec -p (kexec_load)"
	else
		say "kexec-failed"
	fi
	[ -z "$bound" ] || umount /proc/kallsyms
	rm -f /tmp/kallsyms.kexec
	echo "=====BEGIN FILE log/kexec.log base64====="
	base64 < /tmp/kexec.log
	echo "=====END FILE====="
	rm -f /boot/Image /boot/capture-initrd
fi

stamp setup-done

# the other tasks: sleeping, stopped, a shell looping on a FIFO, a zombie
mkfifo /tmp/fifo /tmp/fifo2
# full paths: busybox sh would run a bare applet name in a forked copy of
# itself (comm "init"), not as its own program
/bin/sleep 1000000 &
/bin/sleep 1000000 &
# let it exec first: stopped before its exec it would keep pid 1's name
sleep 0.5
kill -STOP $!
/bin/sh -c 'while :; do read x < /tmp/fifo; done' &
# sh forks true and becomes sleep, which never reaps it
/bin/sh -c '/bin/true & exec /bin/sleep 1000000' &

/bin/workload /tmp > /tmp/workload.txt 2>&1 &
n=0
while [ ! -e /tmp/wl.done ] && [ $n -lt 600 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ -e /tmp/wl.done ] || say "workload did not finish"
sleep 1
stamp workload-done

emit() { # NAME FILE
	[ -r "$2" ] || return 0
	echo "=====BEGIN FILE $1 base64====="
	base64 < "$2"
	echo "=====END FILE====="
}
emitcmd() { # NAME CMD...
	n=$1
	shift
	echo "=====BEGIN FILE $n base64====="
	"$@" 2>&1 | base64
	echo "=====END FILE====="
}

# the open files of a task, one row per fd: its number, the link's target
# (the path, or pipe:[ino], socket:[ino], anon_inode:[...]; from one `ls -l`
# of /proc/PID/fd rather than a readlink per fd: every fork is slow under
# TCG), and pos, flags (octal), mnt_id, ino of /proc/PID/fdinfo/N
fdtable() { # /proc/PID
	printf 'fd\ttarget\tpos\tflags\tmnt_id\tino\n'
	ls -l "$1/fd" > /tmp/fd.ls 2>/dev/null
	# busybox: "lrwx------ 1 0 0 64 Dec  6 18:29 0 -> /dev/console"
	while read -r perm links user group size mon day time fdn arrow tgt; do
		[ "$arrow" = "->" ] || continue
		pos= fl= mnt= ino=
		while read -r k v rest; do
			case $k in
			pos:) pos=$v ;;
			flags:) fl=$v ;;
			mnt_id:) mnt=$v ;;
			ino:) ino=$v ;;
			esac
		done < "$1/fdinfo/$fdn"
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$fdn" "$tgt" "$pos" "$fl" "$mnt" "$ino"
	done < /tmp/fd.ls
}

emit version.txt /proc/version
emit cmdline.txt /proc/cmdline
emitcmd uname-r.txt uname -r
emitcmd uname-a.txt uname -a
emit meminfo.txt /proc/meminfo
emit iomem.txt /proc/iomem
emit modules.txt /proc/modules
emit vmallocinfo.txt /proc/vmallocinfo
emit zoneinfo.txt /proc/zoneinfo
emit buddyinfo.txt /proc/buddyinfo
emit cpuinfo.txt /proc/cpuinfo
emit interrupts.txt /proc/interrupts
emit slabinfo.txt /proc/slabinfo
emit vmstat.txt /proc/vmstat
emit mounts.txt /proc/mounts
emit mountinfo.txt /proc/self/mountinfo
emit loadavg.txt /proc/loadavg
emit uptime.txt /proc/uptime
emit stat.txt /proc/stat
emit hostname.txt /proc/sys/kernel/hostname
emitcmd sys_kernel_kexec.txt sh -c 'for f in kexec_loaded kexec_crash_loaded kexec_crash_size; do [ -e /sys/kernel/$f ] && echo "$f $(cat /sys/kernel/$f)"; done'
emit sys_kernel_vmcoreinfo.txt /sys/kernel/vmcoreinfo
emitcmd fw_cfg_etc.txt ls -l /sys/firmware/qemu_fw_cfg/by_name/etc
emitcmd sysctls.txt sh -c 'for f in /sys/kernel/mm/transparent_hugepage/enabled /proc/sys/kernel/randomize_va_space /proc/sys/vm/overcommit_memory /proc/sys/vm/compaction_proactiveness; do [ -e $f ] && echo "$f $(cat $f)"; done'
emitcmd kallsyms.gz sh -c 'gzip -c < /proc/kallsyms'
emit workload.txt /tmp/workload.txt
stamp system-truth-done
# every task that exists now (the glob is expanded by pid 1 itself: no
# transient child is in it): its files in one bundle, a single `cat` of
# them all, each after a separator file written with builtins (a fork per
# file would cost minutes under TCG); realdump.py splits it again
mkdir /tmp/sep
# (sh variables are global: these names are used nowhere else)
bundle_list=
bundle_n=0
bundle() { # NAME FILE: FILE's bytes under NAME
	bundle_n=$((bundle_n + 1))
	{
		echo
		echo "@@VMTOOL-FILE $1@@"
	} > /tmp/sep/$bundle_n
	bundle_list="$bundle_list /tmp/sep/$bundle_n $2"
}
for d in /proc/[0-9]*; do
	p=${d#/proc/}
	[ -d "$d" ] || continue
	for f in stat status maps cmdline stack wchan; do
		bundle "proc/$p/$f" "$d/$f"
	done
	for t in "$d"/task/*; do
		echo "${t##*/}"
	done > /tmp/sep/tasks.$p
	bundle "proc/$p/tasks" /tmp/sep/tasks.$p
	for t in "$d"/task/*; do
		tid=${t##*/}
		[ "$tid" = "$p" ] && continue
		bundle "proc/$p/task_${tid}_stat" "$t/stat"
		bundle "proc/$p/task_${tid}_stack" "$t/stack"
	done
	# tasks with open files only (not kernel threads); no fork to find out
	set -- "$d"/fd/*
	if [ -L "$1" ]; then
		fdtable "$d" > /tmp/sep/fd.$p
		bundle "proc/$p/fd.tsv" /tmp/sep/fd.$p
	fi
done
echo "=====BEGIN FILE @bundle base64====="
# shellcheck disable=SC2086
cat $bundle_list 2>/dev/null | base64
echo "=====END FILE====="
rm -rf /tmp/sep
stamp task-truth-done
emitcmd dmesg.txt dmesg

# last: the task list with shell builtins only (no fork), so the set of tasks
# does not change between it and the dump
echo "=====BEGIN FILE final_ps.txt plain====="
echo "# pid comm state ppid (from /proc/PID/stat, taken by pid 1 with shell builtins;"
echo "# pid 1 shows R here; at dump time it sleeps opening /tmp/fifo2)"
for d in /proc/[0-9]*; do
	l=
	read -r l < "$d/stat" 2>/dev/null || [ -n "$l" ] || continue
	c=${l#*(}
	c=${c%)*}
	r=${l##*) }
	set -- $r
	echo "${d#/proc/} $c $1 $2"
done
echo "=====END FILE====="
echo "=====VMTOOL-READY====="
if [ -n "$PANIC" ]; then
	# wait with builtins only (a FIFO opened read-write does not block, and
	# read times out): no new task between the truth and the crash
	read -t "${PANIC_DELAY:-5}" x <> /tmp/fifo2
	read -r up rest < /proc/uptime
	echo "=====VMTOOL-PANIC $PANIC uptime $up====="
	echo "GENERATOR: triggering crash ($PANIC by pid 1, panic_on_oops=1) at uptime $up"
	echo 8 > /proc/sys/kernel/printk
	echo 1 > /proc/sys/kernel/panic_on_oops
	echo 1 > /proc/sys/kernel/sysrq
	case $PANIC in
	sysrq) echo c > /proc/sysrq-trigger ;;
	lkdtm:*) echo "${PANIC#lkdtm:}" > /sys/kernel/debug/provoke-crash/DIRECT ;;
	esac
	say "trigger-returned $PANIC"
fi
while :; do
	read x < /tmp/fifo2
done
