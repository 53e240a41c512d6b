#!/usr/bin/env python3
"""Kernel objects by name on real dump sets: runq, p, task, foreach,
struct, list -s and set.

usage: check_kobj.py [--vmlinux] VMTOOL SETDIR...

On the first dump file of each set (truth/ as tests/realdump writes it):
- runq lists every CPU of the dump (truth/cpuinfo.txt), each with the task
  ps marks current on it; every queued task is one of ps's, runnable (R)
  unless marked delayed, and the queued tasks and the running one (when not
  idle) add up to rq->nr_running;
- p: the kernel release in init_uts_ns is truth/uname-r.txt (with a vmlinux
  by name, without one through a cast, since BTF has no type for it, and
  the uncast name fails saying to cast); each CPU's runqueues:N has cpu N
  and the current task runq found; p runqueues lists the same struct rq
  addresses; p init_task.comm is swapper/0 with a vmlinux;
- task 1 names init (its task_struct's pid and comm); struct
  task_struct.pid,comm of its task gives 1 and init; list -s over the task
  list from it starts with init and names thread-group leaders of ps only;
  in a batch, set 1 makes task show pid 1 and set -c 0 makes bt show the
  task ps marks current on CPU 0;
- foreach task -R pid,comm has one entry per task of ps, in order, each
  with that task's pid and comm; foreach bt one per task; foreach -u files
  one per user process.
With --vmlinux a set's vmlinux is passed with -k (sets without one are
skipped). Prints each mismatch and a summary; exit 0 only if all matched.
"""
import json, os, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_truth import Result, dumps_of, read, vmlinux_of  # noqa: E402

EXTRA = []


def run_json(vmtool, dump, args):
    r = subprocess.run([vmtool, "-q", "--json"] + EXTRA + [dump] + args,
                       capture_output=True, timeout=600)
    try:
        doc = json.loads(r.stdout.decode(errors="replace"))
    except ValueError:
        doc = None
    return r.returncode, doc, r.stderr.decode(errors="replace").strip()


def check_set(vmtool, setdir, res, with_vmlinux):
    name = os.path.basename(setdir.rstrip("/")) + (" -k" if with_vmlinux else "")
    files = dumps_of(setdir)
    if not files:
        res.check("dump files", False, f"{name}: no vmcore* file")
        return
    dump = files[0]
    rc, ps, err = run_json(vmtool, dump, ["ps"])
    if rc or not isinstance(ps, list):
        res.check("ps", False, f"{name}: ps: exit {rc} {err[:100]}")
        return
    by_task = {t["task"]: t for t in ps}
    current = {t["cpu"]: t["task"] for t in ps if t["oncpu"]}
    cpus = (read(setdir, "cpuinfo.txt") or "").count("processor")

    # runq
    rc, rq, err = run_json(vmtool, dump, ["runq"])
    ok = rc == 0 and isinstance(rq, list) and all("error" not in c for c in rq)
    res.check("runq", ok, f"{name}: runq: exit {rc} {err[:100]} {str(rq)[:100]}")
    if not ok:
        rq = []
    res.check("runq CPUs", [c.get("cpu") for c in rq] == list(range(cpus)),
              f"{name}: runq CPUs {[c.get('cpu') for c in rq]}, cpuinfo has {cpus}")
    for c in rq:
        cpu = c["cpu"]
        res.check("runq current", c["current"]["task"] == current.get(cpu),
                  f"{name}: CPU {cpu}: runq current {c['current']}, ps marks {current.get(cpu)}")
        for e in c["queued"]:
            t = by_task.get(e["task"])
            res.check("runq queued", t is not None and t["pid"] == e["pid"]
                      and (e["delayed"] or t["state"] == "R"),
                      f"{name}: CPU {cpu}: queued {e} is not a runnable task of ps ({t})")
        running = 0 if c["current"]["pid"] == 0 else 1
        res.check("runq nr_running", len(c["queued"]) + running == c["nr_running"],
                  f"{name}: CPU {cpu}: {len(c['queued'])} queued + {running} running, nr_running {c['nr_running']}")

    # p
    release = (read(setdir, "uname-r.txt") or "").strip()
    if with_vmlinux:
        rc, r, err = run_json(vmtool, dump, ["p", "init_uts_ns.name.release"])
        res.check("p release", rc == 0 and r and r["value"] == release and r["type_source"] == "dwarf",
                  f"{name}: p init_uts_ns.name.release: exit {rc} {err[:100]} {r and r.get('value')!r}, want {release!r}")
        rc, r, err = run_json(vmtool, dump, ["p", "init_task.comm"])
        res.check("p init_task.comm", rc == 0 and r and r["value"] == "swapper/0"
                  and r["type"] == "char [16]",
                  f"{name}: p init_task.comm: exit {rc} {err[:100]} {r}")
    else:
        rc, r, err = run_json(vmtool, dump, ["p", "((struct uts_namespace *)&init_uts_ns)->name.release"])
        res.check("p release", rc == 0 and r and r["value"] == release,
                  f"{name}: p (cast)->name.release: exit {rc} {err[:100]} {r and r.get('value')!r}, want {release!r}")
        rc, r, err = run_json(vmtool, dump, ["p", "init_uts_ns.name.release"])
        res.check("p unknown type", rc == 1 and r and "cast" in r["error"]["message"],
                  f"{name}: p init_uts_ns.name.release without a type: exit {rc} {r}")
    rc, r, err = run_json(vmtool, dump, ["p", "runqueues"])
    addrs = [e["address"] for e in (r or {}).get("per_cpu") or []]
    res.check("p per-CPU", rc == 0 and addrs == [c["rq"] for c in rq] and r["type"] == "struct rq",
              f"{name}: p runqueues: exit {rc} {err[:100]} {addrs} vs runq {[c['rq'] for c in rq]}")
    for c in rq:
        rc, r, err = run_json(vmtool, dump, ["p", f"runqueues:{c['cpu']}"])
        v = (r or {}).get("value") or {}
        res.check("p runqueues:N", rc == 0 and v.get("cpu") == c["cpu"]
                  and v.get("curr") == c["current"]["task"] and r["address"] == c["rq"],
                  f"{name}: p runqueues:{c['cpu']}: exit {rc} {err[:100]} cpu {v.get('cpu')} curr {v.get('curr')}")

    # task
    rc, r, err = run_json(vmtool, dump, ["task", "1"])
    ts = (r[0].get("task_struct") or {}) if isinstance(r, list) and r else {}
    res.check("task 1", rc == 0 and r[0]["comm"] == "init" and ts.get("pid") == 1
              and ts.get("comm") == "init",
              f"{name}: task 1: exit {rc} {err[:100]} pid {ts.get('pid')} comm {ts.get('comm')}")

    # struct and list -s on task_struct, set in a batch
    t1 = next((t for t in ps if t["pid"] == 1), None)
    if t1:
        rc, r, err = run_json(vmtool, dump, ["struct", "task_struct.pid,comm", t1["task"]])
        m = {x["name"]: x["value"] for x in (r or {}).get("members") or []}
        res.check("struct members", rc == 0 and m == {"pid": 1, "comm": "init"},
                  f"{name}: struct task_struct.pid,comm {t1['task']}: exit {rc} {err[:100]} {m}")
        rc, r, err = run_json(vmtool, dump, ["list", "-o", "task_struct.tasks", "-s",
                                             "task_struct.pid,comm", t1["task"]])
        vals = (r or {}).get("values") or []
        leaders = {(t["pid"], t["comm"]) for t in ps if t["pid"] == t["tgid"]}
        res.check("list -s", rc == 0 and vals and vals[0] == {"pid": 1, "comm": "init"}
                  and len(vals) == len(r["entries"])
                  and all((v["pid"], v["comm"]) in leaders for v in vals),
                  f"{name}: list -s task_struct.pid,comm: exit {rc} {err[:100]} {vals[:3]}")
        p = subprocess.run([vmtool, "-q", "--json"] + EXTRA + [dump, "-c", "set 1; task -R pid; set -c 0; bt"],
                           capture_output=True, timeout=600)
        env = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
        ok = len(env) == 4 and env[1]["result"][0]["members"][0]["value"] == 1 \
            and env[3]["result"][0]["task"] == current.get(0)
        res.check("set", ok, f"{name}: set 1; task; set -c 0; bt: exit {p.returncode} {str(env)[:200]}")

    # foreach
    rc, r, err = run_json(vmtool, dump, ["foreach", "task", "-R", "pid,comm"])
    good = rc == 0 and isinstance(r, list) and len(r) == len(ps)
    for t, e in zip(ps, r if good else []):
        m = {x["name"]: x["value"] for x in e.get("members") or [] if "name" in x}
        good = good and e["task"] == t["task"] and m.get("pid") == t["pid"] and m.get("comm") == t["comm"]
    res.check("foreach task", good,
              f"{name}: foreach task -R pid,comm: exit {rc} {err[:100]} {len(r or [])} entries for {len(ps)} tasks")
    rc, r, err = run_json(vmtool, dump, ["foreach", "bt"])
    res.check("foreach bt", rc == 0 and isinstance(r, list) and [e.get("task") for e in r] == [t["task"] for t in ps],
              f"{name}: foreach bt: exit {rc} {err[:100]} {len(r or [])} entries for {len(ps)} tasks")
    user = sorted({t["pid"] for t in ps if not t["kthread"]})
    rc, r, err = run_json(vmtool, dump, ["foreach", "-u", "files"])
    res.check("foreach files", rc == 0 and isinstance(r, list) and sorted(e.get("pid") for e in r) == user,
              f"{name}: foreach -u files: exit {rc} {err[:100]} pids {[e.get('pid') for e in r or []]} want {user}")


def main():
    args = sys.argv[1:]
    with_vmlinux = bool(args) and args[0] == "--vmlinux"
    if with_vmlinux:
        args = args[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    vmtool, res = args[0], Result()
    for setdir in args[1:]:
        EXTRA[:] = []
        if with_vmlinux:
            vmlinux = vmlinux_of(setdir)
            if not vmlinux:
                print(f"{os.path.basename(setdir.rstrip('/'))}: no vmlinux, skipped")
                continue
            EXTRA[:] = ["-k", vmlinux]
        check_set(vmtool, setdir, res, with_vmlinux)
    for what, (good, total) in sorted(res.ok.items()):
        print(f"{what}: {good}/{total}")
    for why in res.bad[:50]:
        print("FAIL:", why)
    return 1 if res.bad else 0


if __name__ == "__main__":
    sys.exit(main())
