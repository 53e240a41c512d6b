# Run by the drgn CLI (drgn -q -c CORE [-s VMLINUX] --no-default-symbols
# drgn_task.py TASK): the same task as a vmtool command, printed.
#   info   the kernel release (loads the debug info: what open costs)
#   log    the kernel log (get_dmesg)
#   ps     every task: pid, ppid, state, comm
#   bt PID the stack trace of PID
import sys

from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_dmesg
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
else:
    sys.exit("unknown task " + task)
