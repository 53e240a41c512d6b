#!/usr/bin/env python3
"""The findings of issue 11, one check each, on damaged copies of the
bundled sample and of mkvmcore dumps (written under the build tree). Each
check failed before its fix: a crash, a hang, a leak, a wrong exit code or
a message that named neither file nor structure.

    regressions.py --vmtool build/vmtool --mkvmcore build/tests/tools/mkvmcore
                   --work DIR
"""
import argparse
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dumpfile  # noqa: E402

SRCDIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(SRCDIR, "testdata", "sample", "vmcore.kdump-zlib")
SAN = "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer"

failures = []
passes = 0


def run(args, timeout=60, stdin=None):
    """(exit code or -signal or 'timeout', stdout, stderr)."""
    try:
        p = subprocess.run([VMTOOL] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout,
                           stdin=subprocess.DEVNULL if stdin is None else stdin)
        return p.returncode, p.stdout.decode(errors="replace"), \
            p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired:
        return "timeout", "", ""


def check(name, cond, detail=""):
    global passes
    if cond:
        passes += 1
    else:
        failures.append("%s: %s" % (name, detail))
        print("FAIL: %s: %s" % (name, detail[:600]))


def expect(name, args, rc, err_re=None, out_re=None, timeout=60):
    """Run vmtool; check the exit code, no sanitizer report, and that
    stderr/stdout match."""
    got, out, err = run(args, timeout=timeout)
    detail = "exit %s, want %s; stderr: %s" % (got, rc, err.strip()[-500:])
    check(name, got == rc and not re.search(SAN, err), detail)
    if err_re:
        check(name + " (message)", re.search(err_re, err, re.S),
              "stderr %r does not match %r" % (err.strip()[-400:], err_re))
    if out_re:
        check(name + " (output)", re.search(out_re, out, re.S),
              "stdout %r does not match %r" % (out[:300], out_re))
    return out, err


def write(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def mkvmcore(name, spec):
    sp = os.path.join(WORK, name + ".spec")
    with open(sp, "w") as f:
        f.write(spec)
    out = os.path.join(WORK, name)
    subprocess.run([MKVMCORE, sp, out], check=True, stdout=subprocess.DEVNULL)
    return out


def vmtool_json(dump, *args):
    return json.loads(run(["-q", "--json", dump] + list(args))[1])


SPEC = ("cpus 2\nram 0x40000000 0x20000\npage 0x40001000 pattern 0x1122\n"
        "vmcoreinfo OSRELEASE=6.12.0\nvmcoreinfo PAGESIZE=4096\n"
        "vmcoreinfo NUMBER(VA_BITS)=48\nvmcoreinfo NUMBER(TCR_EL1_T1SZ)=0x10\n"
        "vmcoreinfo NUMBER(kimage_voffset)=0xffff7fff40000000\n"
        "vmcoreinfo NUMBER(PHYS_OFFSET)=0x40000000\n"
        "vmcoreinfo SYMBOL(swapper_pg_dir)=ffff800081000000\n"
        "vmcoreinfo SYMBOL(_stext)=ffff800080010000\n"
        "vmcoreinfo KERNELOFFSET=0\n")


def finding1_crash_time():
    """gmtime() returns NULL for a time it cannot convert."""
    vi = write("crashtime.txt", b"CRASHTIME=99999999999999999\n")
    expect("F1 CRASHTIME far beyond year 2^31", ["--vmcoreinfo", vi, SAMPLE,
                                                 "info"], 0,
           out_re=r"crash time:.*99999999999999999")
    d = bytearray(open(SAMPLE, "rb").read())
    struct.pack_into("<q", d, 408, 0x7fffffffffffffff)  # header timestamp
    expect("F1 kdump timestamp INT64_MAX", [write("ts.kdump", d), "info"], 0,
           out_re=r"crash time:")
    vi = write("crashtime-neg.txt", b"CRASHTIME=-9223372036854775808\n")
    expect("F1 CRASHTIME INT64_MIN", ["--json", "--vmcoreinfo", vi, SAMPLE,
                                      "info"], 0)
    # `sys` (found by make check-corrupt: its date formatting overflowed
    # on INT64_MIN ns; 2^63 s overflowed the conversion to ns).
    for name, text in (("crashtime.txt", b"CRASHTIME=99999999999999999\n"),
                       ("crashtime-neg.txt",
                        b"CRASHTIME=-9223372036854775808\n")):
        vi = write(name, text)
        expect("F1 sys with " + text.decode().strip(),
               ["--vmcoreinfo", vi, SAMPLE, "sys"], 0,
               out_re=r"DATE:")
        expect("F1 sys --json with " + text.decode().strip(),
               ["--json", "--vmcoreinfo", vi, SAMPLE, "sys"], 0)


def elf_with_notes(nr_notes, note_size, sparse_size):
    """An ELF whose nr_notes PT_NOTE headers all claim the same region."""
    path = os.path.join(WORK, "notes%d.elf" % nr_notes)
    phoff = 64
    ehdr = bytearray(64)
    ehdr[0:4] = b"\x7fELF"
    ehdr[4], ehdr[5], ehdr[6] = 2, 1, 1
    struct.pack_into("<HHIQQQIHHHHHH", ehdr, 16, 4, 183, 1, 0, phoff, 0, 0,
                     64, 56, nr_notes, 0, 0, 0)
    ph = b"".join(struct.pack("<IIQQQQQQ", 4, 0, 1 << 20, 0, 0, note_size,
                              note_size, 4) for _ in range(nr_notes))
    with open(path, "wb") as f:
        f.write(ehdr + ph)
        f.truncate(sparse_size)
    return path


def finding2_hangs():
    # Each note is small enough alone; all of them claim 64 GiB.
    p = elf_with_notes(1024, 64 << 20, (64 << 20) + (1 << 20))
    expect("F2 1024 PT_NOTE headers of 64 MiB", [p, "info"], 3,
           err_re=r"notes%d\.elf.*PT_NOTE" % 1024, timeout=20)
    # A PT_LOAD claiming 2^62 bytes of zero-filled RAM: kmem -i and save
    # --mem-usage walked every page of it (found by the corrupt-dump
    # suite after the merge of kmem and save). Refused at open, naming it.
    e = dumpfile.Elf(open(mkvmcore("hugeload.elf", "format elf\n" + SPEC),
                          "rb").read())
    for ph, t, _, _, _, _ in e.phdrs:
        if t == 1:
            struct.pack_into(e.e + "Q", e.data, ph + 40, 1 << 62)
            break
    p = write("hugeload.elf", e.data)
    for cmd in (["kmem", "-i"], ["save", "--mem-usage"]):
        expect("F3 PT_LOAD of 2^62 bytes: " + " ".join(cmd), [p] + cmd, 3,
               err_re=r"hugeload\.elf: PT_LOAD \d+: .*past 2\^52",
               timeout=20)
    # VMCOREINFO of a million lines: linear.
    lines = b"".join(b"SYMBOL(sym_%07d)=ffff8000%08x\n" % (i, i)
                     for i in range(1000000))
    big = write("big-vmcoreinfo.txt", b"OSRELEASE=6.12.0\n" + lines)
    expect("F2 --vmcoreinfo of 1M SYMBOL lines", ["--vmcoreinfo", big, SAMPLE,
                                                  "sym", "sym_0999999"], 0,
           out_re=r"ffff80000\s*00f423f|ffff800000f423f", timeout=60)
    expect("F2 info --json with 1M VMCOREINFO lines",
           ["--json", "--vmcoreinfo", big, SAMPLE, "info"], 0, timeout=60)
    # An ELF VMCOREINFO note of 17 MiB is refused like kdump's.
    base = open(mkvmcore("vmci.elf", "format elf\n" + SPEC), "rb").read()
    e = dumpfile.Elf(base)
    vmci = [n for n in e.notes() if n[0] == b"VMCOREINFO"][0]
    d = bytearray(base)
    struct.pack_into("<I", d, vmci[2] + 4, 17 << 20)
    for p in e.phdrs:
        if p[1] == 4:
            struct.pack_into("<QQ", d, p[0] + 32, (17 << 20) + 4096,
                             (17 << 20) + 4096)
    d.extend(b"SYMBOL(x)=1\n" * ((17 << 20) // 12 + 400))
    expect("F2 ELF VMCOREINFO note of 17 MiB", [write("vmci17.elf", d),
                                                 "info"], 3,
           err_re=r"vmci17\.elf.*VMCOREINFO", timeout=20)
    # A FIFO as the dump: no hang in open().
    fifo = os.path.join(WORK, "fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    expect("F2 FIFO as the dump", [fifo, "info"], 3,
           err_re=r"fifo.*not a regular file", timeout=10)
    expect("F2 FIFO as the vmlinux", ["-k", fifo, SAMPLE, "info"], 3,
           err_re=r"fifo.*not a regular file.*vmlinux", timeout=10)


def finding4_leaks():
    expect("F4 file of 3 bytes", [write("tiny", b"\x7fEL"), "info"], 3,
           err_re=r"tiny")
    expect("F4 empty file", [write("empty", b""), "info"], 3, err_re=r"empty")
    # ps and vm without any type information.
    d = mkvmcore("notypes.kdump", "format kdump\n" + SPEC)
    expect("F4 ps without type information", [d, "ps"], 1,
           err_re=r"no type information")
    expect("F4 vm without type information", [d, "vm", "1"], 1)


def sample_head(n):
    return open(SAMPLE, "rb").read(n)


def finding5_exits():
    # A kdump cut in its page data is incomplete at open.
    cut = write("cut.kdump", sample_head(3000000))
    out, _ = expect("F5 cut kdump: info", ["--json", cut, "info"], 0)
    check("F5 cut kdump is incomplete", '"incomplete":true' in out.replace(" ", ""),
          out[:300])
    # ps names the lost page, also with -q.
    expect("F5 cut kdump: ps names the cause", ["-q", cut, "ps"], 1,
           err_re=r"lost.*(ends|end of the file)")
    # A corrupt maple tree: vm --all prints the rest, names the node,
    # exits 1.
    k = dumpfile.Kdump(open(SAMPLE, "rb").read())
    tasks = vmtool_json(SAMPLE, "ps")
    wl = [t for t in tasks if t["comm"] == "workload" and t["pid"] == t["tgid"]][0]
    mm = int(wl["mm"], 16)
    off = None
    for line in run(["-q", SAMPLE, "struct", "mm_struct"])[1].splitlines():
        if "mm_mt;" in line:
            off = int(line.split("]")[0].strip("[ "))
    root = int(run(["-q", SAMPLE, "rd", "-64", "%#x" % (mm + off + 8), "1"])[1]
               .split()[1], 16)
    node = root & ~0xff
    ntype = root >> 3 & 0xf
    slot_off = 80 if ntype == 3 else 128
    paddr = int(vmtool_json(SAMPLE, "vtop", "%#x" % node)[0]["paddr"], 16)
    slot1 = k.read_phys(paddr + slot_off + 8, 8)
    child = struct.unpack("<Q", slot1)[0]
    # The second child gets an unknown node type (15).
    k.patch_phys(paddr + slot_off + 8, struct.pack("<Q", child | 0x78))
    mp = write("maple.kdump", k.data)
    out, err = expect("F5 corrupt maple tree: vm --all", [mp, "vm", "--all"], 1,
                      err_re=r"maple.*(%x|%x)" % (child & ~0xff, child | 0x78))
    check("F5 vm --all still prints the other tasks",
          out.count("PID:") >= 3, out[:200])
    check("F5 vm --all prints the VMAs before the break",
          re.search(r'COMMAND: "workload"(?:[^\n]*\n){4}[0-9a-f]{16} ', out),
          out[:600])
    # A corrupt split field in a single file names the file, exit 3.
    d = bytearray(open(mkvmcore("split.kdump", "format kdump\n" + SPEC),
                       "rb").read())
    kd = dumpfile.Kdump(d)
    struct.pack_into("<i", d, kd.sub_header + 12, 1)
    struct.pack_into("<QQ", d, kd.sub_header + 80, 0x10, 0x20)
    expect("F5 corrupt split field", [write("split1.kdump", d), "info"], 3,
           err_re=r"split1\.kdump.*split")
    # An x86-64 ELF is refused, naming the machine.
    d = bytearray(open(mkvmcore("x86.elf", "format elf\n" + SPEC), "rb").read())
    struct.pack_into("<H", d, 18, 62)
    expect("F5 x86-64 ELF", [write("x86.elf", d), "info"], 3,
           err_re=r"x86\.elf.*(x86-64|machine 62)")
    # No VMCOREINFO at all: info works; a VMCOREINFO of no usable line is
    # replaced by the kernel's copy in memory when there is one, else info
    # still works on the physical view, with a warning that names the file
    # and the note's offset.
    d = mkvmcore("novmci.elf", "format elf\ncpus 1\nram 0x40000000 0x4000\n"
                 "vmcoreinfo none\n")
    expect("F5 dump without VMCOREINFO: info", [d, "info"], 0,
           err_re=r"no VMCOREINFO")
    d = mkvmcore("badvmci.elf", "format elf\ncpus 1\nram 0x40000000 0x4000\n"
                 "vmcoreinfo garbage without equals\n")
    expect("F5 VMCOREINFO of no usable line", [d, "info"], 0,
           err_re=r"badvmci\.elf: VMCOREINFO \(ELF note at offset 0x")
    # A kernel thread has no mm: its vm is whole, not "incomplete" (after
    # the merge cmd_vm.c read the mm info it never filled: garbage on
    # stderr and, by chance, exit 1).
    _, err = expect("F5 vm of a kernel thread", [SAMPLE, "vm", "2"], 0)
    check("F5 vm of a kernel thread (no break named)",
          "incomplete" not in err, "stderr: %r" % err[-300:])
    # A bad VA_BITS is named when a symbol cannot be found.
    expect("F5 bad VA_BITS", ["--set", "VA_BITS=47", SAMPLE, "sym",
                              "init_task"], 1, err_re=r"VA_BITS")


def corrupt_suite_findings():
    """What make check-corrupt (seed 1111) found after the five."""
    # v01230: without OFFSET(mem_section.section_mem_map) the offset's
    # "none" + 8 wrapped around in 32 bits and passed the size check:
    # the memmap check read far outside its buffer (ASan SEGV).
    d = open(SAMPLE, "rb").read()
    key = b"OFFSET(mem_section.section_mem_map)="
    check("C1 sample has the key", key in d)
    dump = write("no-section-mem-map.kdump", d.replace(key, b"X" + key[1:]))
    expect("C1 kmem -i without OFFSET(mem_section.section_mem_map)",
           [dump, "kmem", "-i"], 0)
    # v01219: a PT_LOAD whose p_memsz claims 1 TiB of zero fill: the
    # memory-usage walk went page by page (over a minute, a time-out);
    # now a run of pages without struct pages is one step.
    import corrupt  # noqa: E402 (kdump_to_elf)
    elf = bytearray(corrupt.kdump_to_elf(dumpfile.Kdump(d)))
    phoff, phnum = struct.unpack_from("<Q", elf, 32)[0], \
        struct.unpack_from("<H", elf, 56)[0]
    loads = [phoff + 56 * i for i in range(phnum)
             if struct.unpack_from("<I", elf, phoff + 56 * i)[0] == 1]
    check("C2 sample ELF has PT_LOADs", loads)
    for claim in (1 << 40, 1 << 50):
        ph = bytearray(elf)
        struct.pack_into("<Q", ph, loads[-1] + 40, claim)
        path = write("zero-fill-%d.elf" % claim.bit_length(), ph)
        for cmd in (["save", "--mem-usage"], ["kmem", "-i"]):
            expect("C2 %s with p_memsz %#x" % (" ".join(cmd), claim),
                   ["-q", path] + cmd, 0, timeout=30)
        # Writing it (v01219, v04534 under save -f -l: past the time
        # limit, page by page into gigabytes of descriptors): refused
        # before a byte is written, naming the file and the claim.
        out = os.path.join(WORK, "saved.kdump")
        if os.path.exists(out):
            os.unlink(out)
        expect("C2 save -f -l with p_memsz %#x" % claim,
               ["-q", path, "save", "-f", "-l", out], 3,
               err_re=r"zero-fill-%d\.elf: \d+ bytes, .*zero fill past "
               r"p_filesz .* physical 0x[0-9a-f]+" % claim.bit_length(),
               timeout=30)
        check("C2 save -f -l with p_memsz %#x wrote nothing" % claim,
              not os.path.exists(out))
    # RAM far up the physical space, with its data in the file: the
    # bitmaps up to it are the kdump format's due, however sparse (the
    # bound above must not refuse a sparse machine).
    ph = bytearray(elf)
    struct.pack_into("<Q", ph, loads[-1] + 24, 1 << 38)
    path = write("sparse.elf", ph)
    out = os.path.join(WORK, "saved-sparse.kdump")
    expect("C2 save -f -l of RAM at 256 GiB", ["-q", path, "save", "-f", "-l",
                                             out], 0, timeout=30)
    check("C2 save -f -l of RAM at 256 GiB wrote its bitmaps",
          os.path.exists(out) and os.path.getsize(out) > (1 << 38) >> 12 >> 2)
    # But data at the top of the physical space in a file of megabytes is
    # a wild p_paddr: bitmaps of 2 x 2^37 bytes would not be a sparse
    # machine's (a bit flip away from the sample's 0x4xxxxxxx).
    ph = bytearray(elf)
    struct.pack_into("<Q", ph, loads[-1] + 24, 1 << 51)
    path = write("wild-paddr.elf", ph)
    out = os.path.join(WORK, "saved-wild.kdump")
    expect("C2 save -f -l of data at physical 2^51", ["-q", path, "save",
                                                       "-f", "-l", out], 3,
           err_re=r"wild-paddr\.elf: \d+ bytes, but its PT_LOADs put data up "
           r"to physical 0x8[0-9a-f]+: the output's bitmaps would take \d+ "
           r"bytes, more than 64 times the input", timeout=30)
    # A zero fill the file can account for is written as zeros.
    ph = bytearray(elf)
    struct.pack_into("<Q", ph, loads[-1] + 40, 1 << 30)
    path = write("zero-fill-small.elf", ph)
    out = os.path.join(WORK, "saved-small.kdump")
    expect("C2 save -f -l with p_memsz 1 GiB", ["-q", path, "save", "-f",
                                                   "-l", out], 0, timeout=30)
    base = struct.unpack_from("<Q", ph, loads[-1] + 24)[0]
    filesz = struct.unpack_from("<Q", ph, loads[-1] + 32)[0]
    expect("C2 the saved zero fill reads as zeros",
           ["-q", out, "rd", "-p", "%#x" % (base + filesz + (1 << 29)), "2"],
           0, out_re=r"0000000000000000 0000000000000000")
    # v02140: a PT_LOAD whose p_filesz runs far past the file (its pages
    # lost) and no VMCOREINFO note: the search for VMCOREINFO text in
    # memory went through every claimed page (a time-out); now it scans
    # only pages whose data is in the file.
    ph = bytearray(elf)
    at = ph.find(b"VMCOREINFO\0")
    check("C3 sample ELF has the VMCOREINFO note", at > 0)
    ph[at] = ord("X")
    # Nor any copy of its text in memory: the search goes on to the end.
    ph = bytearray(bytes(ph).replace(b"OSRELEASE=", b"XSRELEASE="))
    struct.pack_into("<QQ", ph, loads[-1] + 32, 1 << 50, 1 << 50)
    path = write("lost-claim.elf", ph)
    expect("C3 info with 2^50 bytes lost and no VMCOREINFO note",
           ["-q", path, "info"], 0, timeout=30)
    # save would write bitmaps for 2^38 PFNs of which the file has none
    # (v02140 under save -f -l: past the time limit).
    expect("C3 save -f -l with 2^50 bytes lost",
           ["-q", path, "save", "-f", "-l", os.path.join(WORK, "lost.kdump")],
           3, err_re=r"lost-claim\.elf: \d+ bytes, .*RAM up to physical "
           r"0x[0-9a-f]+ \(data in the file up to 0x[0-9a-f]+, the rest lost",
           timeout=30)


def page_fields_past_struct_page():
    """v09354 (make check-corrupt, seed 1111): VMCOREINFO's struct page
    offsets past SIZE(page) were read past the buffer of one struct page
    (ASan heap-buffer-overflow in kmem -i)."""
    d = open(SAMPLE, "rb").read()
    for field, bad in ((b"OFFSET(page._refcount)=52", b"OFFSET(page._refcount)=99"),
                       (b"OFFSET(page.private)=40", b"OFFSET(page.private)=98")):
        check("P1 sample has " + field.decode().strip(), field in d)
        path = write("page-field.kdump", d.replace(field, bad))
        for cmd in (["kmem", "-i"], ["save", "--mem-usage"]):
            expect("P1 %s with %s" % (" ".join(cmd), bad.decode().strip()),
                   ["-q", path] + cmd, 0)


def mapped_file_truncated():
    """An ELF dump is read in place from a mapping: a file cut short
    while vmtool reads it must end in an error, not a bus error."""
    import time
    import corrupt  # noqa: E402 (kdump_to_elf)
    elf = corrupt.kdump_to_elf(dumpfile.Kdump(open(SAMPLE, "rb").read()))
    path = write("shrinking.elf", elf)
    _, out, _ = run(["-q", path, "sym", "linux_banner"])
    addr = int(out.split()[0], 16) if out.strip() else 0
    check("M1 linux_banner found", addr, out)
    # Without -q: a file found cut short at open is said in a warning.
    p = subprocess.Popen([VMTOOL, path], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # The walk maps the page-table pages; the next walk goes through the
    # same ones, now beyond the end of the file.
    p.stdin.write(b"vtop %#x\n" % addr)
    p.stdin.flush()
    # A loaded machine may not have opened the file yet: then the open
    # itself finds it cut short, which must be an error as well.
    time.sleep(2)
    os.truncate(path, 64 << 10)
    p.stdin.write(b"vtop %#x\nvtop %#x\n" % (addr + 0x1000, addr + 0x200000))
    p.stdin.close()
    try:
        err = p.stderr.read().decode(errors="replace")
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc, err = "timeout", ""
    check("M1 file truncated while read: an error, not a signal",
          rc in (1, 3) and not re.search(SAN, err),
          "exit %s; stderr: %s" % (rc, err.strip()[-400:]))
    check("M1 file truncated while read: said so",
          re.search(r"shorter|end of file|truncated|incomplete|lost", err),
          "stderr: %s" % err.strip()[-400:])


def main():
    global VMTOOL, MKVMCORE, WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmtool", required=True)
    ap.add_argument("--mkvmcore", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    VMTOOL, MKVMCORE, WORK = a.vmtool, a.mkvmcore, a.work
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    finding1_crash_time()
    finding2_hangs()
    finding4_leaks()
    finding5_exits()
    corrupt_suite_findings()
    page_fields_past_struct_page()
    mapped_file_truncated()
    print("%d passed, %d failed" % (passes, len(failures)))
    if not failures:
        shutil.rmtree(WORK, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
