#!/bin/sh
# /init of the guest built by make-dump-set.sh (busybox-static sh).
# Sets up a quiet, stable machine, starts the workload and the other tasks,
# prints the truth on the console between markers, then idles without forking.
# Marker lines (parsed by realdump.py):
#   =====BEGIN FILE <name> base64=====  ... base64 lines ...  =====END FILE=====
#   =====BEGIN FILE <name> plain=====   ... text lines ...    =====END FILE=====
#   =====VMTOOL-READY=====
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs -o size=16m tmpfs /tmp
# no kernel messages between our markers
dmesg -n 1

say() { echo "=====INIT $*====="; }

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
emit sys_kernel_vmcoreinfo.txt /sys/kernel/vmcoreinfo
emitcmd fw_cfg_etc.txt ls -l /sys/firmware/qemu_fw_cfg/by_name/etc
emitcmd sysctls.txt sh -c 'for f in /sys/kernel/mm/transparent_hugepage/enabled /proc/sys/kernel/randomize_va_space /proc/sys/vm/overcommit_memory /proc/sys/vm/compaction_proactiveness; do [ -e $f ] && echo "$f $(cat $f)"; done'
emitcmd kallsyms.gz sh -c 'gzip -c < /proc/kallsyms'
emit workload.txt /tmp/workload.txt
# every task that exists now (the glob is expanded by pid 1 itself: no
# transient child is in it); tasks gone meanwhile are skipped
for d in /proc/[0-9]*; do
	p=${d#/proc/}
	[ -d "$d" ] || continue
	for f in stat status maps cmdline stack wchan; do
		emit "proc/$p/$f" "$d/$f"
	done
	emitcmd "proc/$p/tasks" ls "$d/task"
	for t in "$d"/task/*; do
		tid=${t##*/}
		[ "$tid" = "$p" ] && continue
		emit "proc/$p/task_${tid}_stat" "$t/stat"
		emit "proc/$p/task_${tid}_stack" "$t/stack"
	done
done
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
while :; do
	read x < /tmp/fifo2
done
