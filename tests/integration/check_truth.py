#!/usr/bin/env python3
"""Check vmtool against the truth/ folder of real dump sets.

usage: check_truth.py [--vmlinux] VMTOOL SETDIR...

A set folder holds one or more vmcore* files and truth/ as the generator in
tests/realdump writes it. For each set: every dump file gives the same
workload words at their physical addresses; linux_banner (when its address
is known) reads as /proc/version; a sample of kallsyms resolves; ps agrees
with final_ps.txt; `vm --maps PID` equals proc/PID/maps byte for byte;
every present workload page comes back from `vtop -u` and `rd -u`; on
every dump file, `bt` gives each sleeping task the frames of its
proc/PID/stack in order, ps marks one task per CPU and each of them gets a
named first frame, and (truth/panic_console.txt) the panicking task's trace
holds panic and the frames the kernel printed below it; `mod` equals modules.txt; `kmem` of each vmallocinfo area (real addresses
only) gives its range, size and caller; `kmem -s` has slabinfo's caches
with their slot size and objects per slab.
Prints each mismatch and a summary; exit 0 only if everything matched.
With --vmlinux, a set's vmlinux (the file `vmlinux`, or `vmlinux.xz`
decompressed into $VMTOOL_CACHE) is passed with -k, so symbols and types
come from ELF and DWARF instead of kallsyms and BTF; sets without one are
skipped.
"""
import lzma, shutil, gzip, json, os, struct, subprocess, sys

EXTRA = []  # options put before every command (e.g. -k VMLINUX)

def run(vmtool, args, binary=False):
    r = subprocess.run([vmtool] + EXTRA + args, capture_output=True, timeout=300)
    out = r.stdout if binary else r.stdout.decode(errors="replace")
    return r.returncode, out, r.stderr.decode(errors="replace").strip()

def read(setdir, name):
    path = os.path.join(setdir, "truth", name)
    if not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        return f.read()

class Result:
    def __init__(self):
        self.ok, self.bad = {}, []
    def check(self, what, good, why):
        n = self.ok.setdefault(what, [0, 0])
        n[1] += 1
        if good:
            n[0] += 1
        else:
            self.bad.append(why)

def dumps_of(setdir):
    """The set's dump files; a set that ships only xz-compressed ones (a
    kexec capture's /proc/vmcore) has them decompressed once into the cache."""
    files = sorted(os.path.join(setdir, f) for f in os.listdir(setdir)
                   if f.startswith("vmcore") and not f.endswith(".xz"))
    if files:
        return files
    cache = os.path.join(os.environ.get("VMTOOL_CACHE") or "/tmp/vmtool-cache",
                         os.path.basename(setdir.rstrip("/")))
    for f in sorted(os.listdir(setdir)):
        if f.startswith("vmcore") and f.endswith(".xz"):
            out = os.path.join(cache, f[:-3])
            if not os.path.exists(out):
                # A name of its own: other tests may decompress it too.
                os.makedirs(cache, exist_ok=True)
                tmp = f"{out}.tmp.{os.getpid()}"
                with lzma.open(os.path.join(setdir, f)) as i, open(tmp, "wb") as o:
                    shutil.copyfileobj(i, o, 1 << 20)
                os.replace(tmp, out)
            files.append(out)
    return files

def workload(setdir):
    rows = []
    for line in (read(setdir, "workload_va_pa.tsv") or "").splitlines()[1:]:
        f = line.split("\t")
        if len(f) >= 8 and int(f[4], 16):
            rows.append((f[0], int(f[3], 16), int(f[5], 16), int(f[7], 16)))
    return rows

def check_set(vmtool, setdir, res):
    name = os.path.basename(setdir.rstrip("/"))
    files = dumps_of(setdir)
    if not files:
        res.check("dump files", False, f"{name}: no vmcore* file")
        return
    # ps, maps and user pages need every page: not a makedumpfile file that
    # left user pages out (a kexec-captured set sorts vmcore.mdf-* first)
    main = next((f for f in files if not os.path.basename(f).startswith("vmcore.mdf-")), files[0])
    pages = workload(setdir)
    for path in files:
        rc, out, err = run(vmtool, ["--json", path, "info"])
        try:
            level = json.loads(out).get("dump_level", -1)
        except ValueError:
            res.check("info", False, f"{name}/{os.path.basename(path)}: info: exit {rc} {err[:80]}")
            continue
        # makedumpfile dump level 8 excludes user pages: they must be
        # reported excluded (exit 1), not read as something else.
        user_excluded = level > 0 and level & 8
        for _, _, pa, word in pages[::5]:
            rc, out, err = run(vmtool, [path, "rd", "-p", "-64", hex(pa + 64), "1", "--raw"], True)
            if user_excluded:
                res.check("excluded pages", rc == 1 and "excluded" in err,
                          f"{name}/{os.path.basename(path)}: pa {pa + 64:#x}: want 'excluded' and exit 1, got exit {rc} {err[:80]}")
                continue
            got = struct.unpack("<Q", out)[0] if rc == 0 and len(out) == 8 else None
            res.check("physical words", got == word,
                      f"{name}/{os.path.basename(path)}: pa {pa + 64:#x}: want {word:#x}, got {got} {err[:80]}")
    # linux_banner, from kernel_symbols_derived.txt or kallsyms
    version = (read(setdir, "version.txt") or "").splitlines()
    derived = {}
    for line in (read(setdir, "kernel_symbols_derived.txt") or "").splitlines():
        f = line.split()
        if len(f) >= 3 and not line.startswith("#"):
            derived[f[0]] = int(f[2], 16)
    if version and "linux_banner" in derived:
        want = version[0].encode()
        rc, out, err = run(vmtool, [main, "rd", "-8", hex(derived["linux_banner"]), str(len(want)), "--raw"], True)
        res.check("banner", rc == 0 and out == want, f"{name}: linux_banner: {out[:40]!r} {err[:80]}")
    # kallsyms: every 50th unique core symbol
    ks = os.path.join(setdir, "truth", "kallsyms.gz")
    if os.path.exists(ks):
        seen, addr = {}, {}
        with gzip.open(ks, "rt", errors="replace") as f:
            for line in f:
                p = line.split()
                if len(p) >= 3:
                    seen[p[2]] = seen.get(p[2], 0) + 1
                    if len(p) == 3:
                        addr[p[2]] = int(p[0], 16)
        names = sorted(n for n in addr if seen[n] == 1)[::50]
        for i in range(0, len(names), 200):
            chunk = names[i:i + 200]
            rc, out, err = run(vmtool, ["--json", main, "sym"] + chunk)
            got = {}
            try:
                for r in json.loads(out):
                    got.setdefault(r["name"], int(r["address"], 16))
            except (ValueError, TypeError, KeyError):
                pass
            for n in chunk:
                res.check("kallsyms", got.get(n) == addr[n], f"{name}: sym {n}: want {addr[n]:#x} got {got.get(n)}")
    # ps
    rc, out, err = run(vmtool, ["--json", main, "ps"])
    try:
        tasks = {t["pid"]: t for t in json.loads(out)}
    except (ValueError, TypeError, KeyError):
        tasks = {}
    for line in (read(setdir, "final_ps.txt") or "").splitlines():
        f = line.split()
        if line.startswith("#") or len(f) < 4:
            continue
        pid, comm, state, ppid = int(f[0]), f[1], f[2], int(f[3])
        t = tasks.get(pid)
        if not t:
            res.check("ps", False, f"{name}: pid {pid} ({comm}) missing {err[:80]}")
            continue
        # /proc adds a workqueue description (kworker/0:1-events) and shows
        # long kthread names whole; task->comm keeps 15 characters.
        c = t["comm"]
        comm_ok = comm == c or comm.startswith((c + "-", c + "+")) or (len(c) == 15 and comm.startswith(c))
        # pid 1 took the snapshot (R then); kernel threads may have run since.
        state_ok = state == t["state"] or ((pid == 1 or ppid in (0, 2)) and "R" in (state, t["state"]))
        res.check("ps", comm_ok and state_ok and t["ppid"] == ppid,
                  f"{name}: pid {pid}: truth {comm} {state} {ppid}, got {c} {t['state']} {t['ppid']}")
    # maps
    procdir = os.path.join(setdir, "truth", "proc")
    for pid in sorted(os.listdir(procdir) if os.path.isdir(procdir) else [], key=lambda p: int(p) if p.isdigit() else 0):
        want = read(setdir, f"proc/{pid}/maps")
        if want and want.strip():
            rc, out, err = run(vmtool, [main, "vm", "--maps", pid])
            res.check("maps", rc == 0 and out == want, f"{name}: vm --maps {pid}: exit {rc} {err[:80] if rc else 'differs'}")
    for path in files:
        check_stacks(vmtool, name, setdir, path, res)
    check_objects(vmtool, setdir, main, res)
    check_files_mounts(vmtool, setdir, main, res)
    # user pages
    by_pid = {}
    for pid, va, pa, word in pages:
        by_pid.setdefault(pid, []).append((va, pa, word))
    for pid, rows in by_pid.items():
        rc, out, err = run(vmtool, ["--json", main, "vtop", "-u", pid] + [hex(v) for v, _, _ in rows])
        try:
            got = json.loads(out)
        except ValueError:
            got = []
        for i, (va, pa, word) in enumerate(rows):
            r = got[i] if i < len(got) and got[i] else {}
            gpa = int(r["paddr"], 16) if r.get("paddr") else None
            res.check("vtop -u", gpa == pa, f"{name}: pid {pid} {va:#x}: want {pa:#x} got {gpa} {err[:60]}")
        for va, pa, word in rows[::4]:
            rc, out, err = run(vmtool, [main, "rd", "-u", pid, "-64", hex(va + 64), "1", "--raw"], True)
            got_w = struct.unpack("<Q", out)[0] if rc == 0 and len(out) == 8 else None
            res.check("rd -u", got_w == word, f"{name}: pid {pid} {va + 64:#x}: want {word:#x} got {got_w} {err[:60]}")

# Tasks that ran between the truth capture and the dump: pid 1 took it,
# the RCU grace-period kthread wakes on its own.
RACY = ("rcu_sched", "rcu_preempt")

def frame_label(f):
    return f"{f['symbol']}+{f['offset']:#x}" if f.get("symbol") else f.get("pc")

def in_order(want, got):
    it = iter(got)
    return all(any(w == g for g in it) for w in want)

def panic_trace(text):
    """(pid, frames below panic/vpanic) of the last call trace the console
    shows that has them, without the +0x0 frames (the return address of a
    call that never returned, printed as the next function's start)."""
    pid, traces = None, []
    for line in text.splitlines():
        body = line.split("] ", 1)[1] if line.startswith("[") and "] " in line else line
        if pid is None and " PID: " in body and "CPU: " in body:
            pid = int(body.split(" PID: ", 1)[1].split()[0])
        if body.strip() == "Call trace:":
            traces.append([])
        elif traces and body.startswith(" ") and "+0x" in body:
            traces[-1].append(body.split()[0].split("/")[0])
    for t in reversed(traces):
        names = [w.split("+")[0] for w in t]
        for k, n in enumerate(names):
            if n in ("panic", "vpanic"):
                return pid, [w for w in t[k + 1:] if not w.endswith("+0x0")]
    return pid, None

def check_stacks(vmtool, name, setdir, path, res):
    label = f"{name}/{os.path.basename(path)}"
    rc, out, err = run(vmtool, ["--json", path, "ps"])
    try:
        ps = json.loads(out)
    except ValueError:
        res.check("bt", False, f"{label}: ps exit {rc} {err[:80]}")
        return
    rc, out, err = run(vmtool, ["--json", path, "bt"] + [str(t["pid"]) for t in ps])
    try:
        bts = json.loads(out)
    except ValueError:
        bts = []
    res.check("bt", rc == 0 and len(bts) == len(ps), f"{label}: bt exit {rc} {err[:80]}")
    by_task = {b["task"]: b for b in bts if "task" in b}
    rc, out, _ = run(vmtool, ["--json", path, "info"])
    try:
        ncpu = json.loads(out).get("cpus") or 0
    except ValueError:
        ncpu = 0
    oncpu = [t.get("cpu") for t in ps if t.get("oncpu")]
    for c in set(range(ncpu)) | set(oncpu):
        res.check("one task per cpu", oncpu.count(c) == 1, f"{label}: {oncpu.count(c)} tasks on CPU {c}")
    for t in ps:
        # pid 0 is every CPU's idle task: bt 0 is swapper/0's trace.
        b = by_task.get(t["task"]) if t["pid"] else None
        frames = (b or {}).get("frames") or []
        if t.get("oncpu") and t["pid"]:
            res.check("bt on-cpu", bool(frames) and bool(frames[0].get("symbol")),
                      f"{label}: pid {t['pid']} on CPU {t.get('cpu')}: {[frame_label(f) for f in frames[:3]]}")
            continue
        want = read(setdir, f"proc/{t['pid']}/stack")
        if not b or not want or t["pid"] == 1 or t["comm"] in RACY:
            continue
        want = [l.split("] ", 1)[1].split("/")[0] for l in want.splitlines() if "] " in l]
        got = [frame_label(f) for f in frames]
        res.check("bt stacks", in_order(want, got), f"{label}: pid {t['pid']} ({t['comm']}): {want} not in order in {got}")
    pid, want = panic_trace(read(setdir, "panic_console.txt") or "")
    if pid is not None and want is not None:
        rc, out, err = run(vmtool, ["--json", path, "bt", str(pid)])
        try:
            frames = json.loads(out)[0].get("frames") or []
        except (ValueError, IndexError, AttributeError):
            frames = []
        got = [frame_label(f) for f in frames]
        res.check("bt panic", any(f.get("symbol") in ("panic", "vpanic") for f in frames) and in_order(want, got),
                  f"{label}: panicking pid {pid}: {want} not in order in {got}")
def check_objects(vmtool, setdir, main, res):
    """mod against /proc/modules, kmem of each /proc/vmallocinfo area (where
    the guest printed real addresses) and kmem -s against /proc/slabinfo."""
    name = os.path.basename(setdir.rstrip("/"))
    want = {}
    for line in (read(setdir, "modules.txt") or "").splitlines():
        f = line.split()
        if len(f) >= 6:
            want[f[0]] = (int(f[1]), int(f[-1], 16))
    rc, out, err = run(vmtool, ["--json", main, "mod"])
    try:
        got = {m["name"]: m for m in json.loads(out) if "name" in m}
    except (ValueError, TypeError):
        got = None
    res.check("mod", got is not None and set(got) == set(want),
              f"{name}: mod: {sorted(got) if got is not None else err[:80]}, truth {sorted(want)}")
    for m, (size, base) in want.items():
        g = (got or {}).get(m, {})
        res.check("mod", g.get("size") == size and g.get("base") == hex(base),
                  f"{name}: module {m}: want {size} {base:#x}, got {g.get('size')} {g.get('base')}")
    # /proc/vmallocinfo: "start-end size caller ..." or "... unpurged vm_area"
    rows = []
    for line in (read(setdir, "vmallocinfo.txt") or "").splitlines():
        f = line.split()
        if len(f) < 3 or "-" not in f[0] or not f[0].startswith("0xffff"):
            continue  # hashed pointers (no no_hash_pointers) cannot be checked
        start, end = (int(x, 16) for x in f[0].split("-"))
        caller = "unpurged" if f[2] == "unpurged" else f[2].split("+")[0]
        rows.append((start, end, int(f[1]), caller))
    if rows:
        rc, out, err = run(vmtool, ["--json", main, "kmem"] + [hex(r[0]) for r in rows])
        try:
            got = json.loads(out)
        except ValueError:
            got = []
        gone = []
        for i, (start, end, size, caller) in enumerate(rows):
            k = got[i] if i < len(got) and isinstance(got[i], dict) else {}
            if k.get("region") == "kernel image":
                continue  # the image's own areas (paging_init): a symbol answers
            vm = k.get("vmalloc") or {}
            if caller == "unpurged" and "awaiting purge are not known" in (k.get("note") or ""):
                # Up to 6.8 the freed areas' list is a static data symbol:
                # without CONFIG_KALLSYMS_ALL (Debian) and a vmlinux, vmtool
                # must say it cannot know, not call the area something else.
                res.check("vmalloc unpurged, list unknown", k.get("kind") == "unknown" and not vm,
                          f"{name}: kmem {start:#x}: {k.get('kind')} {vm}")
                continue
            if not vm and "awaiting purge are not known" in (k.get("note") or ""):
                # A busy area of the capture that is in no busy list at the
                # dump: freed in between (a task that exited: its stack),
                # now on the purge list vmtool cannot see here. A few of
                # those are the guest's life going on; more would be a
                # walk that misses areas.
                gone.append(start)
                continue
            gcaller = "unpurged" if vm.get("kind") == "unpurged" else (vm.get("caller_symbol") or "").split("+")[0]
            res.check("vmalloc areas", vm.get("start") == hex(start) and vm.get("end") == hex(end)
                      and vm.get("size") == size and gcaller == caller,
                      f"{name}: kmem {start:#x}: want {size} {caller}, got {k.get('kind')} {vm.get('size')} {gcaller} {err[:60]}")
        res.check("vmalloc areas freed since the capture (at most 1 in 20)",
                  len(gone) * 20 <= len(rows),
                  f"{name}: {len(gone)} of {len(rows)} areas in no busy list: {[hex(a) for a in gone[:5]]}")
    # /proc/slabinfo: "name active_objs num_objs objsize objperslab pagesperslab : ..."
    slab = {}
    for line in (read(setdir, "slabinfo.txt") or "").splitlines():
        f = line.split()
        if len(f) > 5 and not line.startswith(("#", "slabinfo")) and f[3].isdigit():
            slab[f[0]] = (int(f[3]), int(f[4]))
    if slab:
        rc, out, err = run(vmtool, ["--json", main, "kmem", "-s"])
        try:
            got = {c["name"]: c for c in json.loads(out) if "name" in c}
        except (ValueError, TypeError):
            got = {}
        for c, (objsize, per_slab) in slab.items():
            g = got.get(c, {})
            # slabinfo's objsize is the slot (kmem_cache.size)
            res.check("slab caches", g.get("slot_size") == objsize and g.get("objects_per_slab") == per_slab,
                      f"{name}: slab {c}: want {objsize} x{per_slab}, got {g.get('slot_size')} x{g.get('objects_per_slab')} {err[:60]}")

def check_files_mounts(vmtool, setdir, main, res):
    """files PID against proc/PID/fd.tsv, mount against mounts.txt."""
    name = os.path.basename(setdir.rstrip("/"))
    procdir = os.path.join(setdir, "truth", "proc")
    for pid in sorted(os.listdir(procdir) if os.path.isdir(procdir) else [], key=str):
        text = read(setdir, f"proc/{pid}/fd.tsv")
        if not text or pid == "1":
            continue  # pid 1's fds change while it prints them
        want = {}
        for line in text.splitlines()[1:]:
            f = line.split("\t")
            if len(f) >= 2 and f[0].isdigit():
                want[int(f[0])] = f[1]
        rc, out, err = run(vmtool, ["--json", main, "files", pid])
        try:
            got = {e["fd"]: e.get("path") for e in json.loads(out)[0]["files"]}
        except (ValueError, TypeError, KeyError, IndexError):
            got = None
        res.check("files", got == want,
                  f"{name}: files {pid}: want {want}, got {got} {err[:80]}")
    text = read(setdir, "mounts.txt")
    if text:
        want = sorted(tuple(l.split()[:3]) for l in text.splitlines() if len(l.split()) >= 3)
        rc, out, err = run(vmtool, ["--json", main, "mount", "1"])
        try:
            got = sorted((m["devname"], m["path"], m["fstype"]) for m in json.loads(out))
        except (ValueError, TypeError, KeyError):
            got = None
        res.check("mounts", got == want, f"{name}: mount: want {want}, got {got} {err[:80]}")


def vmlinux_of(setdir):
    plain = os.path.join(setdir, "vmlinux")
    if os.path.exists(plain):
        return plain
    packed = plain + ".xz"
    if not os.path.exists(packed):
        return None
    cache = os.path.join(os.environ.get("VMTOOL_CACHE", "/tmp/vmtool-cache"),
                         os.path.basename(setdir.rstrip("/")))
    out = os.path.join(cache, "vmlinux")
    if not os.path.exists(out):
        os.makedirs(cache, exist_ok=True)
        tmp = f"{out}.tmp.{os.getpid()}"
        with open(tmp, "wb") as f:
            subprocess.run(["xz", "-dc", packed], stdout=f, check=True)
        os.replace(tmp, out)
    return out

def sets_to_check(args, extra, skipped):
    """The sets of ARGS = [--vmlinux] VMTOOL SETDIR... as (vmtool, setdir,
    with_vmlinux), one at a time, with EXTRA (a module's options list) set to
    -k and the set's vmlinux under --vmlinux; a set without one is skipped,
    printing SKIPPED(name). None when ARGS are not a usage."""
    with_vmlinux = bool(args) and args[0] == "--vmlinux"
    if with_vmlinux:
        args = args[1:]
    if len(args) < 2:
        return None

    def each():
        for setdir in args[1:]:
            extra[:] = []
            if with_vmlinux:
                vmlinux = vmlinux_of(setdir)
                if not vmlinux:
                    print(skipped(os.path.basename(setdir.rstrip("/"))))
                    continue
                extra[:] = ["-k", vmlinux]
            yield args[0], setdir, with_vmlinux
    return each()

def main():
    sets = sets_to_check(sys.argv[1:], EXTRA, lambda name: f"SKIP: {name}: no vmlinux, so no checks with -k")
    if sets is None:
        print(__doc__)
        return 2
    res = Result()
    for vmtool, setdir, _ in sets:
        check_set(vmtool, setdir, res)
    if not res.ok:
        print("truth: no set to check")
        return 0
    for why in res.bad[:40]:
        print("  " + why)
    ok = bool(res.ok) and all(a == n for a, n in res.ok.values())
    print("truth: " + "; ".join(f"{w} {a}/{n}" for w, (a, n) in res.ok.items()) + ("" if ok else "  FAILS"))
    return 0 if ok else 1

if __name__ == "__main__":
    sys.exit(main())
