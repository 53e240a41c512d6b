#!/usr/bin/env python3
"""VMCOREINFO recovery: a copy of each dump without its VMCOREINFO (written
by strip_vmcoreinfo.py into the cache dir) must give the same answers as the
original for info, vtop linux_banner, ps and vm --maps of every truth pid.

usage: check_vmcoreinfo_recovery.py VMTOOL CACHEDIR SETDIR...
A set's dump is its kdump-zlib file, else its (xz) ELF. Exit 0 if all agree."""
import json, lzma, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))

def run(vmtool, args):
    r = subprocess.run([vmtool, "-q"] + args, capture_output=True, timeout=300)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")

def dump_of(setdir, cache):
    for name in ("vmcore.kdump-zlib", "vmcore.elf", "vmcore.proc.elf"):
        p = os.path.join(setdir, name)
        if os.path.exists(p):
            return p
        if os.path.exists(p + ".xz"):
            out = os.path.join(cache, os.path.basename(setdir.rstrip("/")) + "-" + name)
            if not os.path.exists(out):
                with lzma.open(p + ".xz") as i, open(out + ".tmp", "wb") as o:
                    shutil.copyfileobj(i, o, 1 << 20)
                os.rename(out + ".tmp", out)
            return out
    return None

def answers(vmtool, path, pids):
    out = {}
    rc, o, e = run(vmtool, ["--json", path, "info"])
    info = json.loads(o) if rc == 0 else {"exit": rc, "stderr": e}
    for k in ("files", "vmcoreinfo_origin"):
        info.pop(k, None)
    out["info"] = info
    rc, o, _ = run(vmtool, ["--json", path, "vtop", "linux_banner"])
    vt = json.loads(o) if rc == 0 else rc
    for r in vt if isinstance(vt, list) else []:
        r.pop("file", None)  # the copy's own name
    out["vtop linux_banner"] = vt
    out["ps"] = run(vmtool, ["--json", path, "ps"])[:2]
    for pid in pids:
        out[f"vm --maps {pid}"] = run(vmtool, [path, "vm", "--maps", pid])[:2]
    return out

def main():
    vmtool, cache, sets = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(cache, exist_ok=True)
    bad = total = 0
    for setdir in sets:
        name = os.path.basename(setdir.rstrip("/"))
        path = dump_of(setdir, cache)
        if not path:
            continue
        procdir = os.path.join(setdir, "truth", "proc")
        pids = sorted((p for p in os.listdir(procdir)
                       if os.path.getsize(os.path.join(procdir, p, "maps")) > 0),
                      key=int) if os.path.isdir(procdir) else []
        # Without a note everywhere; a damaged note too on small dumps.
        for how in (["--damage"], []) if os.path.getsize(path) < (64 << 20) else ([],):
            b, t = check_copy(vmtool, cache, name, path, pids, how)
            bad += b
            total += t
    print(f"vmcoreinfo recovery: {total - bad}/{total}")
    return 1 if bad or not total else 0

def check_copy(vmtool, cache, name, path, pids, how):
    bad = total = 0
    label = name + (" (damaged note)" if how else " (no note)")
    stripped = os.path.join(cache, name + "-novmcoreinfo")
    subprocess.run([sys.executable, os.path.join(HERE, "strip_vmcoreinfo.py")] + how + [path, stripped],
                   check=True)
    try:
        rc, o, e = run(vmtool, ["--json", stripped, "info"])
        origin = json.loads(o).get("vmcoreinfo_origin", "") if rc == 0 else ""
        total += 1
        if not origin.startswith("recovered from memory"):
            bad += 1
            print(f"FAIL {label}: vmcoreinfo_origin {origin!r} (exit {rc}: {e.strip()[:200]})")
        want, got = answers(vmtool, path, pids), answers(vmtool, stripped, pids)
        for k in want:
            total += 1
            if want[k] != got[k]:
                bad += 1
                print(f"FAIL {label}: {k} differs: {str(got[k])[:200]}")
        print(f"{label}: {origin}; {len(want)} answers compared")
    finally:
        os.unlink(stripped)
    return bad, total

if __name__ == "__main__":
    sys.exit(main())
