# Run by the drgn CLI (drgn -q -c CORE [-s VMLINUX] --no-default-symbols
# drgn_task.py TASK): the same task as a vmtool command, printed.
#   info   the kernel release (loads the debug info: what open costs)
#   log    the kernel log (get_dmesg)
#   ps     every task: pid, ppid, state, comm
#   bt PID the stack trace of PID
#   bta    the stack trace of the task current on every online CPU
#   sys    release, version, nodename, CPUs, memory, uptime, load, tasks
#          and the panic line of the log (what vmtool's sys prints)
import sys

from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.cpumask import for_each_online_cpu
from drgn.helpers.linux.printk import get_dmesg
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.sched import task_state_to_char

task = sys.argv[1]
if task == "info":
    print(prog["UTS_RELEASE"].string_().decode())
    print(prog["init_uts_ns"].name.release.string_().decode())
elif task == "log":
    sys.stdout.write(get_dmesg(prog).decode(errors="replace"))
elif task == "ps":
    for t in for_each_task(prog):
        print(int(t.pid), int(t.real_parent.pid), task_state_to_char(t),
              t.comm.string_().decode())
elif task == "bt":
    print(prog.stack_trace(int(sys.argv[2])))
elif task == "bta":
    for cpu in for_each_online_cpu(prog):
        t = per_cpu(prog["runqueues"], cpu).curr  # drgn 0.0.22: no cpu_curr
        print("CPU", cpu, "PID", int(t.pid), t.comm.string_().decode())
        print(prog.stack_trace(t))
elif task == "sys":
    uts = prog["init_uts_ns"].name
    for field in ("release", "version", "nodename", "machine"):
        print(field, getattr(uts, field).string_().decode())
    print("cpus", len(list(for_each_online_cpu(prog))))
    print("memory", int(prog["_totalram_pages"].counter) * int(prog["PAGE_SIZE"]))
    print("jiffies_64", int(prog["jiffies_64"]))  # HZ is no symbol here
    print("load", [int(x) for x in prog["avenrun"]])
    print("tasks", sum(1 for _ in for_each_task(prog)))
    for line in get_dmesg(prog).decode(errors="replace").splitlines():
        if "Kernel panic - not syncing" in line:
            print("panic", line)
else:
    sys.exit("unknown task " + task)
