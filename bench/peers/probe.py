#!/usr/bin/python3
"""What drgn and libkdumpfile can do with one dump file, step by step.

usage: probe.py drgn CORE BANNER_ADDR [VMLINUX]
       probe.py kdumpfile FILE BANNER_ADDR
       probe.py kdumpfile-info FILE   (open + format + release: a timing)

Prints one line per step: "STEP: ok VALUE" or "STEP: FAIL the error".
BANNER_ADDR is linux_banner's run-time address (hex): a virtual read.
"""
import sys


def step(name, f):
    try:
        r = f()
        shown = r if isinstance(r, (str, int)) else ""
        print("%s: ok %.70s" % (name, shown))
        return r if r is not None else True
    except Exception as e:
        msg = str(e).splitlines()[0] if str(e) else ""
        print("%s: FAIL %s: %s" % (name, type(e).__name__, msg))
        return None


def drgn_probe(core, banner, vmlinux):
    import drgn
    from drgn.helpers.linux.pid import for_each_task
    from drgn.helpers.linux.printk import get_printk_records

    prog = drgn.Program()
    if not step("open", lambda: prog.set_core_dump(core)):
        return
    step("release (VMCOREINFO)", lambda: prog["UTS_RELEASE"].string_().decode())
    step("read linux_banner", lambda: prog.read(banner, 13).decode())
    if vmlinux:
        step("load vmlinux", lambda: prog.load_debug_info([vmlinux]))
    step("log", lambda: "%d records" % len(get_printk_records(prog)))
    step("ps", lambda: "%d tasks" % sum(1 for _ in for_each_task(prog)))
    step("bt 1", lambda: "%d frames" % len(prog.stack_trace(1)))


def kdf_probe(path, banner):
    import kdumpfile
    k = step("open", lambda: kdumpfile.kdumpfile(path))
    if not k:
        return
    step("format", lambda: k.attr["file.format"])
    step("release", lambda: k.attr["linux.uts.release"])

    def read():
        k.attr["addrxlat.ostype"] = "linux"
        ctx = k.get_addrxlat_ctx()
        # Debian's 0.5.1 binding calls a missing ctx.cb_read_caps().
        ctx.cb_read_caps = lambda: ctx.next_read_caps()[0]
        return bytes(k.read(kdumpfile.KDUMP_KVADDR, banner, 13)).decode()
    step("read linux_banner", read)


def kdf_info(path):
    import kdumpfile
    k = kdumpfile.kdumpfile(path)
    print(k.attr["file.format"], k.attr["linux.uts.release"])


if __name__ == "__main__":
    if sys.argv[1] == "drgn":
        drgn_probe(sys.argv[2], int(sys.argv[3], 16),
                   sys.argv[4] if len(sys.argv) > 4 else None)
    elif sys.argv[1] == "kdumpfile":
        kdf_probe(sys.argv[2], int(sys.argv[3], 16))
    elif sys.argv[1] == "kdumpfile-info":
        kdf_info(sys.argv[2])
    else:
        sys.exit(__doc__)
