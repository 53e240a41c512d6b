#!/usr/bin/env python3
"""The corrupt-dump suite: damaged variants of the bundled sample, of
synthetic dumps (mkvmcore) and of ../shared/dumps (when present), each run
through every command under the sanitizers, with a time limit and a limit
on memory.

    corrupt.py --vmtool build-san/vmtool --mkvmcore build/tests/tools/mkvmcore
               --work DIR [--count N] [--seed S] [--jobs J] [--shared DIR]
               [--plain-vmtool build/vmtool]

Variants: truncation at every structure boundary and at random points; bit
flips and boundary values in headers, sub-headers, bitmaps, descriptors,
notes, program headers, flattened records, VMCOREINFO lines; many and huge
PT_NOTE/PT_LOAD tables; sizes claimed far beyond the file; and inside the
kernel's memory (pages rewritten in place, or appended uncompressed to a
kdump): page-table entries, task lists, maple nodes, kallsyms tables, BTF.

A run passes when vmtool exits 0 (the damage is outside what the commands
read) or 1 or 3 with messages that say where (the file, an address or
offset, or the object asked for); never a signal, a sanitizer report or
leak, a timeout, another exit code, or a bare "out of memory".

Variants are written under --work (never beside the inputs) and removed
after their run unless they fail. Prints the counts; exits 1 on a failure.
"""
import argparse
import concurrent.futures
import copy
import json
import os
import random
import re
import resource
import shutil
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dumpfile  # noqa: E402

SRCDIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(SRCDIR, "testdata", "sample", "vmcore.kdump-zlib")
SAN_RE = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|"
                    r"runtime error:|UndefinedBehaviorSanitizer|"
                    r"requested allocation size|allocation-size-too-big|"
                    r"out-of-memory \(malloc")
BOUNDARY64 = [0, 1, 0x7fffffffffffffff, 0x8000000000000000,
              0xffffffffffffffff, 0xfffffffffffffff0, 0x100000000, 0xffffffff,
              0x1000, 0x10000000000]
BOUNDARY32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0xfff]


# ---------------------------------------------------------------- bases --

class Base:
    """A dump to damage: its files, format, and what is known about it."""

    def __init__(self, name, paths, kind):
        self.name = name
        self.paths = paths
        self.kind = kind  # elf, kdump, flattened, split
        self.data = [open(p, "rb").read() for p in paths]
        self.targets = []   # (label, paddr, length) inside kernel memory
        self.vmcoreinfo = b""
        self.pid = None      # a user process, for rd -u / vtop -u
        self.user_addr = None
        self.pages = []      # physical addresses known to be present

    def parsed(self, i=0):
        """The parsed file @p i, over a private copy of its bytes (the
        parse itself is done once)."""
        if not hasattr(self, "_parsed"):
            self._parsed = [dumpfile.open_dump(d) for d in self.data]
        p = self._parsed[i]
        if p is None:
            return None
        p = copy.copy(p)
        if self.kind != "flattened":
            p.data = bytearray(self.data[i])
        return p


def vmtool_json(vmtool, paths, *args):
    p = subprocess.run([vmtool, "-q", "--json"] + paths + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       timeout=300)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return None


def vmtool_text(vmtool, paths, *args):
    return subprocess.run([vmtool, "-q"] + paths + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          timeout=300).stdout.decode(errors="replace")


def members(vmtool, paths, struct_name):
    out = {}
    for line in vmtool_text(vmtool, paths, "struct",
                            struct_name).splitlines():
        # Members of anonymous structs and unions count (mm_struct keeps
        # everything in one); the first of a name wins.
        m = re.match(r"\s*\[\s*(\d+)\]\s+\S.*?(\w+)(\[\d+\])*;$", line)
        if m:
            out.setdefault(m.group(2), int(m.group(1)))
    return out


def vtop_many(vmtool, paths, addrs, pid=None):
    """{vaddr: translation} for those that are mapped, in one run."""
    out = {}
    for i in range(0, len(addrs), 200):
        args = ["vtop"] + (["-u", str(pid)] if pid else []) + \
            ["%#x" % a for a in addrs[i:i + 200]]
        for t in vmtool_json(vmtool, paths, *args) or []:
            if isinstance(t, dict) and t.get("status") == "mapped":
                out[int(t["vaddr"], 16)] = t
    return out


def discover(vmtool, base):
    """Kernel objects of a base dump, by physical address: from vmtool's
    own answers on the pristine dump."""
    paths = base.paths
    info = vmtool_json(vmtool, paths, "info") or {}
    base.vmcoreinfo = "\n".join("%s=%s" % kv for kv in
                                (info.get("vmcoreinfo") or {}).items())
    for r in info.get("phys_ranges") or []:
        base.pages.append(int(r["start"], 16))
    wanted = []  # (label, vaddr, length, pid)

    def add(label, vaddr, length, pid=None):
        wanted.append((label, vaddr, length, pid))

    syms = {}
    for line in vmtool_text(vmtool, paths, "sym", "linux_banner", "init_task",
                            "kallsyms_num_syms", "kallsyms_names",
                            "kallsyms_token_table", "kallsyms_token_index",
                            "kallsyms_offsets", "kallsyms_relative_base",
                            "__start_BTF", "swapper_pg_dir", "init_mm",
                            "_stext").splitlines():
        f = line.split()
        if len(f) >= 3:
            syms[f[2]] = int(f[0], 16)
    for name in ("kallsyms_num_syms", "kallsyms_token_index",
                 "kallsyms_token_table", "kallsyms_names", "kallsyms_offsets",
                 "kallsyms_relative_base"):
        if name in syms:
            add(name, syms[name], 64)
    if "__start_BTF" in syms:
        add("btf-header", syms["__start_BTF"], 24)
        add("btf-types", syms["__start_BTF"] + 4096, 256)
    if "linux_banner" in syms:
        add("linux_banner", syms["linux_banner"], 16)
    tasks = vmtool_json(vmtool, paths, "ps") or []
    tm = members(vmtool, paths, "task_struct")
    for t in tasks[:6] + [t for t in tasks if t["comm"] == "workload"][:2]:
        task = int(t["task"], 16)
        for m in ("tasks", "pid", "comm", "mm", "signal", "thread_node",
                  "real_parent", "__state", "stack"):
            if m in tm:
                add("task-" + m, task + tm[m], 16)
    mmm = members(vmtool, paths, "mm_struct")
    procs = [t for t in tasks if t.get("mm") and t["pid"] == t["tgid"]]
    for t in procs[:4]:
        if "mm_mt" not in mmm:
            break
        mm = int(t["mm"], 16)
        add("maple-root", mm + mmm["mm_mt"] + 8, 8)
        raw = vmtool_read(vmtool, paths, mm + mmm["mm_mt"] + 8, 8)
        root = struct.unpack("<Q", raw)[0] if len(raw) == 8 else 0
        if (root & 3) == 2 and root > 4096:
            node = root & ~0xff
            add("maple-node", node, 256)
            ntype = root >> 3 & 0xf
            slot_off = 80 if ntype == 3 else 128
            raw = vmtool_read(vmtool, paths, node + slot_off, 32)
            for i in range(len(raw) // 8):
                child = struct.unpack_from("<Q", raw, 8 * i)[0]
                if child > 4096 and not child & 3:
                    add("maple-node", child & ~0xff, 256)
        if base.pid is None and t["comm"] != "init":
            vms = vmtool_json(vmtool, paths, "vm", str(t["pid"]))
            # One entry per argument (the JSON contract).
            if isinstance(vms, list):
                vms = vms[0] if vms else None
            if isinstance(vms, dict) and vms.get("vmas"):
                base.pid = t["pid"]
                base.user_addr = int(vms["vmas"][0]["start"], 16)
                for v in vms["vmas"][:6]:
                    add("vma", int(v["vma"], 16), 64)
    if base.pid:
        add("user-page", base.user_addr, 16, base.pid)
    targets = []
    for pid in set(w[3] for w in wanted):
        got = vtop_many(vmtool, paths, sorted(set(
            w[1] for w in wanted if w[3] == pid)), pid)
        for label, vaddr, length, p in wanted:
            t = got.get(vaddr) if p == pid else None
            if not t:
                continue
            targets.append((label, int(t["paddr"], 16), length))
            for lv in t.get("levels") or []:
                targets.append(("pgtable-" + lv["level"],
                                int(lv["entry_addr"], 16), 8))
    base.targets = targets


def vmtool_read(vmtool, paths, addr, n):
    return subprocess.run([vmtool, "-q"] + paths +
                          ["rd", "-8", "%#x" % addr, str(n), "--raw"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          timeout=300).stdout


def kdump_to_elf(kd):
    """A compact ELF of a kdump's memory: non-zero 4K pages in the file,
    zero pages as p_memsz only."""
    page = 4096
    runs = []   # [paddr, data, zero_len]
    for pfn in kd.pfns:
        block = kd.read_page(pfn)
        if block is None:
            continue
        for at in range(0, len(block), page):
            pa = pfn * kd.block_size + at
            chunk = block[at:at + page]
            zero = chunk.count(0) == len(chunk)
            last = runs[-1] if runs else None
            if last and last[0] + len(last[1]) + last[2] == pa and \
                    (zero or not last[2]):
                if zero:
                    last[2] += page
                else:
                    last[1] += chunk
            else:
                runs.append([pa, bytearray() if zero else bytearray(chunk),
                             page if zero else 0])
    notes = bytes(kd.data[kd.notes[0]:kd.notes[0] + kd.notes[1]])
    vmci = bytes(kd.data[kd.vmcoreinfo[0]:kd.vmcoreinfo[0] + kd.vmcoreinfo[1]])
    if vmci:
        name = b"VMCOREINFO\0\0"
        notes += struct.pack("<III", 11, len(vmci), 0) + name + vmci + \
            b"\0" * (-len(vmci) % 4)
    phnum = 1 + len(runs)
    off = 64 + 56 * phnum
    ph = struct.pack("<IIQQQQQQ", 4, 0, off, 0, 0, len(notes), len(notes), 4)
    body = bytearray(notes)
    off += len(notes)
    for pa, data, zero in runs:
        ph += struct.pack("<IIQQQQQQ", 1, 7, off, pa, pa, len(data),
                          len(data) + zero, page)
        body += data
        off += len(data)
    ehdr = bytearray(64)
    ehdr[0:7] = b"\x7fELF\x02\x01\x01"
    struct.pack_into("<HHIQQQIHHHHHH", ehdr, 16, 4, 183, 1, 0, 64, 0, 0, 64,
                     56, phnum, 0, 0, 0)
    return bytes(ehdr + ph + body)


SPEC = ("cpus 2\nram 0x40000000 0x40000\nram 0x48000000 0x10000\n"
        "page 0x40001000 pattern 0x1122334455667788\npage 0x40002000 zero\n"
        "page 0x40003000 exclude\npage 0x40004000 random 7\n"
        "vmcoreinfo OSRELEASE=6.12.0\nvmcoreinfo PAGESIZE=4096\n"
        "vmcoreinfo NUMBER(VA_BITS)=48\nvmcoreinfo NUMBER(TCR_EL1_T1SZ)=0x10\n"
        "vmcoreinfo NUMBER(kimage_voffset)=0xffff7fff40000000\n"
        "vmcoreinfo NUMBER(PHYS_OFFSET)=0x40000000\n"
        "vmcoreinfo SYMBOL(swapper_pg_dir)=ffff800080010000\n"
        "vmcoreinfo SYMBOL(_stext)=ffff800080010000\n"
        "vmcoreinfo SYMBOL(kallsyms_names)=ffff800080020000\n"
        "vmcoreinfo KERNELOFFSET=0\nvmcoreinfo CRASHTIME=1700000000\n")


def make_bases(args, work):
    bases = []
    d = os.path.join(work, "bases")
    os.makedirs(d, exist_ok=True)

    def mk(name, spec):
        sp = os.path.join(d, name + ".spec")
        with open(sp, "w") as f:
            f.write(spec)
        out = os.path.join(d, name)
        subprocess.run([args.mkvmcore, sp, out], check=True,
                       stdout=subprocess.DEVNULL)
        if os.path.exists(out):
            return [out]
        parts, i = [], 1
        while os.path.exists("%s.%d" % (out, i)):
            parts.append("%s.%d" % (out, i))
            i += 1
        return parts

    sample = Base("sample", [SAMPLE], "kdump")
    discover(args.vmtool, sample)
    bases.append(sample)
    # The sample as a compact ELF: kernel objects in an ELF too.
    elf = os.path.join(d, "sample.elf")
    with open(elf, "wb") as f:
        f.write(kdump_to_elf(dumpfile.Kdump(sample.data[0])))
    b = Base("sample-elf", [elf], "elf")
    b.targets, b.pid, b.user_addr = sample.targets, sample.pid, sample.user_addr
    b.vmcoreinfo, b.pages = sample.vmcoreinfo, sample.pages
    bases.append(b)
    for name, extra, kind in [
            ("synth-elf", "format elf\n", "elf"),
            ("synth-elf-be", "format elf\nendian big\n", "elf"),
            ("synth-kdump-zlib", "format kdump\ncompression zlib\n", "kdump"),
            ("synth-kdump-mixed", "format kdump\ncompression mixed\n"
             "incomplete yes\npage 0x40005000 lost\n", "kdump"),
            ("synth-kdump-16k", "format kdump\nblock_size 16384\n"
             "compression none\n", "kdump"),
            ("synth-kdump-be", "format kdump\nendian big\n", "kdump"),
            ("synth-kdump-v1", "format kdump\nheader_version 1\n", "kdump"),
            ("synth-flat", "format kdump\nflattened yes\n", "flattened"),
            ("synth-split", "format kdump\nsplit 2\n", "split"),
            ("synth-split3", "format kdump\nsplit 3\ncompression none\n",
             "split")]:
        b = Base(name, mk(name, extra + SPEC), kind)
        b.pages = [0x40000000, 0x40001000, 0x48000000]
        bases.append(b)
    if args.shared and os.path.isdir(args.shared):
        for name, rel, kind in [
                ("debian61", "debian61-kaslr/vmcore.kdump-zlib", "kdump"),
                ("k612-4k-va52", "k612-4k-va52/vmcore.kdump-zlib", "kdump"),
                ("k612-64k-flat", "k612-64k-va52/vmcore.kdump-zlib.flat",
                 "flattened"),
                ("debian61-lzo", "debian61-kaslr/vmcore.mdf-lzo-d31.kdump",
                 "kdump")]:
            p = os.path.join(args.shared, rel)
            if os.path.exists(p):
                b = Base(name, [p], kind)
                if kind != "flattened" and "lzo" not in name:
                    discover(args.vmtool, b)
                bases.append(b)
    return bases


# ------------------------------------------------------------- variants --

class Variant:
    def __init__(self, base, kind, what, files):
        self.base = base
        self.kind = kind   # the mutator
        self.what = what   # a description: where and what
        self.files = files  # list of bytes, one per file


def flip(data, at, rng, nbits=1):
    for _ in range(nbits):
        data[at] ^= 1 << rng.randrange(8)


def put(data, at, fmt, value):
    if 0 <= at and at + struct.calcsize(fmt) <= len(data):
        struct.pack_into(fmt, data, at, value & ((1 << (8 * struct.calcsize(fmt))) - 1))


def structures(base, i=0):
    p = base.parsed(i)
    if p is None:
        return []
    if base.kind == "flattened":
        # The stream's own structures: header and record headers.
        _, recs = dumpfile.unflatten(base.data[i])
        s = [("flat-header", 0, 4096)]
        s += [("flat-record", off, 16) for off, _, _ in recs[:64]]
        return s
    return p.structures()


def m_truncate(base, rng):
    i = rng.randrange(len(base.data))
    data = base.data[i]
    s = structures(base, i)
    if s and rng.random() < 0.7:
        name, off, size = rng.choice(s)
        cut = rng.choice([off, off + 1, off + size // 2,
                          max(off + size - 1, 0), off + size])
        what = "cut at %#x (%s at %#x+%#x)" % (cut, name, off, size)
    else:
        cut = rng.randrange(len(data) + 1)
        what = "cut at %#x (random)" % cut
    files = list(base.data)
    files[i] = data[:min(cut, len(data))]
    return Variant(base, "truncate", "%s: %s" % (os.path.basename(
        base.paths[i]), what), files)


def m_flip_structure(base, rng):
    i = rng.randrange(len(base.data))
    s = [x for x in structures(base, i) if x[2] > 0]
    if not s:
        return None
    name, off, size = rng.choice(s)
    data = bytearray(base.data[i])
    size = min(size, len(data) - off)
    if size <= 0:
        return None
    n = rng.choice([1, 1, 2, 4, 16])
    spots = []
    for _ in range(n):
        at = off + rng.randrange(min(size, 4096 if name.startswith("bitmap")
                                     or name == "descriptors" else size))
        flip(data, at, rng)
        spots.append(at)
    files = list(base.data)
    files[i] = bytes(data)
    return Variant(base, "flip-" + name, "%s: %d bit(s) at %s" % (
        name, n, ",".join("%#x" % a for a in spots[:4])), files)


KDUMP_FIELDS = [  # (offset from header or sub-header, size, name)
    ("h", 8, 4, "header_version"), ("h", 408, 8, "timestamp"),
    ("h", 424, 4, "status"), ("h", 428, 4, "block_size"),
    ("h", 432, 4, "sub_hdr_size"), ("h", 436, 4, "bitmap_blocks"),
    ("h", 440, 4, "max_mapnr"), ("h", 460, 4, "nr_cpus"),
    ("s", 8, 4, "dump_level"), ("s", 12, 4, "split"),
    ("s", 16, 8, "start_pfn"), ("s", 24, 8, "end_pfn"),
    ("s", 32, 8, "offset_vmcoreinfo"), ("s", 40, 8, "size_vmcoreinfo"),
    ("s", 48, 8, "offset_note"), ("s", 56, 8, "size_note"),
    ("s", 80, 8, "start_pfn_64"), ("s", 88, 8, "end_pfn_64"),
    ("s", 96, 8, "max_mapnr_64")]
ELF_FIELDS = [(16, 2, "e_type"), (18, 2, "e_machine"), (32, 8, "e_phoff"),
              (40, 8, "e_shoff"), (48, 4, "e_flags"), (54, 2, "e_phentsize"),
              (56, 2, "e_phnum"), (5, 1, "ei_data"), (4, 1, "ei_class")]
PH_FIELDS = [(0, 4, "p_type"), (8, 8, "p_offset"), (24, 8, "p_paddr"),
             (32, 8, "p_filesz"), (40, 8, "p_memsz")]


def boundary(rng, size, file_size, extra=()):
    vals = list(BOUNDARY64 if size == 8 else BOUNDARY32 if size == 4 else
                [0, 1, 0xff, 0xffff, 0x7fff, 0x8000])
    vals += [file_size, file_size + 1, file_size - 1, file_size * 64,
             rng.getrandbits(8 * size)] + list(extra)
    return rng.choice(vals) & ((1 << (8 * size)) - 1)


def m_fields(base, rng):
    """Boundary values in header fields (kdump, ELF, program headers,
    flattened records)."""
    i = rng.randrange(len(base.data))
    data = bytearray(base.data[i])
    p = base.parsed(i)
    size_of = {1: "B", 2: "H", 4: "I", 8: "Q"}
    if base.kind == "flattened":
        _, recs = dumpfile.unflatten(base.data[i])
        if not recs:
            return None
        off, _, _ = rng.choice(recs[:64])
        field = rng.choice([(0, "record offset"), (8, "record size")])
        v = boundary(rng, 8, len(data), [(1 << 63) - 1, 1 << 40])
        struct.pack_into(">Q", data, off + field[0], v)
        what = "%s at %#x = %#x" % (field[1], off + field[0], v)
    elif isinstance(p, dumpfile.Kdump):
        where, off, size, name = rng.choice(KDUMP_FIELDS)
        at = off + (p.sub_header if where == "s" else 0)
        v = boundary(rng, size, len(data), [p.max_mapnr * 2, p.max_mapnr + 1,
                                            1 << 34, p.block_size * 2])
        put(data, at, p.e + size_of[size], v)
        what = "%s at %#x = %#x" % (name, at, v)
    elif isinstance(p, dumpfile.Elf):
        if rng.random() < 0.5 or not p.phdrs:
            off, size, name = rng.choice(ELF_FIELDS)
            at = off
        else:
            ph = rng.choice(p.phdrs)
            off, size, name = rng.choice(PH_FIELDS)
            at = ph[0] + off
        v = boundary(rng, size, len(data), [0xffff, 62, 183, 4, 1])
        put(data, at, p.e + size_of[size], v)
        what = "%s at %#x = %#x" % (name, at, v)
    else:
        return None
    files = list(base.data)
    files[i] = bytes(data)
    return Variant(base, "field", what, files)


def m_descriptors(base, rng):
    p = base.parsed(0)
    if not isinstance(p, dumpfile.Kdump) or not p.pfns or base.kind != "kdump":
        return None
    data = bytearray(base.data[0])
    pfn = rng.choice(p.pfns[:64] + p.pfns[-64:] + [rng.choice(p.pfns)])
    at = p.desc_offset(pfn)
    field = rng.choice([(0, 8, "offset"), (8, 4, "size"), (12, 4, "flags")])
    v = boundary(rng, field[1], len(data), [p.block_size, p.block_size + 1,
                                            0x3f, 0x21, 0x8])
    put(data, at + field[0], p.e + ("Q" if field[1] == 8 else "I"), v)
    return Variant(base, "descriptor", "descriptor of PFN %#x at %#x: %s = %#x"
                   % (pfn, at, field[2], v), [bytes(data)])


def m_notes(base, rng):
    if base.kind not in ("kdump", "elf"):
        return None
    p = base.parsed(0)
    data = bytearray(base.data[0])
    if isinstance(p, dumpfile.Elf):
        notes = p.notes()
        if not notes:
            return None
        name, _, hdr, desc, descsz = rng.choice(notes)
        choice = rng.randrange(4)
        if choice == 0:
            v = boundary(rng, 4, len(data))
            put(data, hdr, p.e + "I", v)
            what = "namesz of note %s at %#x = %#x" % (name, hdr, v)
        elif choice == 1:
            v = boundary(rng, 4, len(data), [descsz - 1, 0, 391])
            put(data, hdr + 4, p.e + "I", v)
            what = "descsz of note %s at %#x = %#x" % (name, hdr, v)
        elif choice == 2:
            put(data, hdr + 8, p.e + "I", rng.choice([0, 1, 6, 0xffffffff]))
            what = "type of note %s at %#x" % (name, hdr)
        else:
            for _ in range(8):
                if descsz:
                    flip(data, desc + rng.randrange(descsz), rng)
            what = "bits of note %s data at %#x" % (name, desc)
        return Variant(base, "note", what, [bytes(data)])
    if isinstance(p, dumpfile.Kdump) and p.notes[1]:
        off, size = p.notes
        at = off + rng.randrange(size)
        flip(data, at, rng, rng.choice([1, 3]))
        return Variant(base, "note", "kdump notes byte %#x" % at,
                       [bytes(data)])
    return None


VMCI_KEYS = {
    "NUMBER(VA_BITS)": ["0", "1", "47", "53", "64", "99999", "-1", "36"],
    "PAGESIZE": ["0", "3", "1099511627776", "65536", "512"],
    "NUMBER(TCR_EL1_T1SZ)": ["0", "0x40", "0xc", "0xffffffffffffffff"],
    "NUMBER(kimage_voffset)": ["0", "0xffffffffffffffff", "0x1"],
    "NUMBER(PHYS_OFFSET)": ["0xfff0000000000000", "0", "0xffffffffffffffff"],
    "KERNELOFFSET": ["ffffffffffffffff", "0", "1"],
    "SYMBOL(swapper_pg_dir)": ["0", "ffffffffffffffff", "ffff000000000000"],
    "SYMBOL(_stext)": ["0", "ffffffffffffffff"],
    "NUMBER(MAX_PHYSMEM_BITS)": ["0", "64", "99"],
    "CRASHTIME": ["99999999999999999", "-9223372036854775808", "x"],
    "SYMBOL(kallsyms_num_syms)": ["0", "ffffffffffffffff"],
    "SYMBOL(kallsyms_names)": ["ffffffffffffff00"],
    "OSRELEASE": ["", "9999.9999.9999", "x" * 200],
    "NUMBER(KERNELPACMASK)": ["0xffffffffffffffff"],
}


def m_vmcoreinfo(base, rng):
    """Change, delete or duplicate VMCOREINFO lines, in place (the text
    keeps its size: shorter lines are padded with NULs)."""
    p = base.parsed(0)
    if base.kind not in ("kdump", "elf") or p is None:
        return None
    data = bytearray(base.data[0])
    if isinstance(p, dumpfile.Kdump):
        off, size = p.vmcoreinfo
    else:
        notes = [n for n in p.notes() if n[0] == b"VMCOREINFO"]
        if not notes:
            return None
        off, size = notes[0][3], notes[0][4]
    if not size:
        return None
    text = bytes(data[off:off + size])
    lines = text.rstrip(b"\0").split(b"\n")
    choice = rng.randrange(4)
    keys = [k for k in VMCI_KEYS if any(l.startswith(k.encode() + b"=")
                                        for l in lines)]
    if choice < 2 and keys:
        key = rng.choice(keys)
        val = rng.choice(VMCI_KEYS[key])
        lines = [key.encode() + b"=" + val.encode()
                 if l.startswith(key.encode() + b"=") else l for l in lines]
        what = "VMCOREINFO %s=%s" % (key, val)
    elif choice == 2 and lines:
        k = rng.randrange(len(lines))
        what = "VMCOREINFO line %d deleted (%s)" % (k, lines[k][:40])
        del lines[k]
    else:
        k = rng.randrange(len(lines)) if lines else 0
        lines[k:k] = [b"\x01garbage=\xff\xfe", b"NUMBER(VA_BITS)=48",
                      b"SYMBOL(x"]
        what = "VMCOREINFO garbage lines at %d" % k
    new = b"\n".join(lines)
    if len(new) > size:
        new = new[:size]
    data[off:off + size] = new + b"\0" * (size - len(new))
    return Variant(base, "vmcoreinfo", what, [bytes(data)])


def m_notes_tables(base, rng):
    """ELF with many or huge PT_NOTE / PT_LOAD tables, sizes past EOF."""
    p = base.parsed(0)
    if not isinstance(p, dumpfile.Elf) or not p.phdrs:
        return None
    data = bytearray(base.data[0])
    choice = rng.randrange(5)
    if choice == 0:
        # Every header a PT_NOTE over the whole file.
        n = len(p.phdrs)
        for ph in p.phdrs:
            struct.pack_into(p.e + "I", data, ph[0], 4)
            struct.pack_into(p.e + "QQQ", data, ph[0] + 8, 0, 0, 0)
            struct.pack_into(p.e + "QQ", data, ph[0] + 32, len(data), len(data))
        what = "%d PT_NOTE headers over the whole file" % n
    elif choice == 1:
        # 65535 program headers (PN_XNUM) claimed, past the end.
        struct.pack_into(p.e + "H", data, 56, rng.choice([0xffff, 0xfffe]))
        what = "e_phnum = 0xffff/0xfffe"
    elif choice == 2:
        # The table appended again, many times, for real.
        table = bytes(data[p.phoff:p.phoff + p.phnum * p.phentsize])
        copies = rng.choice([50, 500, 1100])
        new_off = len(data)
        data += table * copies
        struct.pack_into(p.e + "Q", data, 32, new_off)
        struct.pack_into(p.e + "H", data, 56,
                         min(0xfffe, p.phnum * copies))
        what = "%d copies of the program headers" % copies
    elif choice == 3:
        ph = rng.choice(p.phdrs)
        struct.pack_into(p.e + "QQ", data, ph[0] + 32, 1 << 62, 1 << 62)
        what = "p_filesz = p_memsz = 2^62 at %#x" % ph[0]
    else:
        ph = rng.choice(p.phdrs)
        struct.pack_into(p.e + "Q", data, ph[0] + 8, len(data) - 8)
        what = "p_offset 8 bytes before EOF at %#x" % ph[0]
    return Variant(base, "phdr-table", what, [bytes(data)])


def m_claims(base, rng):
    """Sizes claimed far beyond the file (kdump)."""
    p = base.parsed(0)
    if not isinstance(p, dumpfile.Kdump) or base.kind != "kdump":
        return None
    data = bytearray(base.data[0])
    choice = rng.randrange(4)
    sh = p.sub_header
    if choice == 0 and p.version >= 6:
        v = rng.choice([1 << 34, 1 << 40, (1 << 63) - 1])
        put(data, sh + 96, p.e + "Q", v)
        what = "max_mapnr_64 = %#x" % v
    elif choice == 1:
        v = rng.choice([1 << 20, 0xffffffff, 1 << 31])
        put(data, 436, p.e + "I", v)
        what = "bitmap_blocks = %#x" % v
    elif choice == 2 and p.version >= 3:
        put(data, sh + 40, p.e + "Q", rng.choice([1 << 40, 1 << 20, 1 << 63]))
        what = "size_vmcoreinfo huge"
    else:
        put(data, sh + 56, p.e + "Q", rng.choice([1 << 40, 64 << 20, 1 << 63]))
        what = "size_note huge"
    return Variant(base, "claim", what, [bytes(data)])


def m_flat_claims(base, rng):
    """A flattened stream whose one record lands far beyond the data: the
    file it describes is huge and sparse, and the kdump header inside
    claims bitmaps to match (issue 11's finding 3: memory sized from the
    claim, not the file). Only with --include-finding3."""
    if base.kind != "flattened" or not INCLUDE_FINDING3:
        return None
    data = bytearray(base.data[0])
    _, recs = dumpfile.unflatten(bytes(data))
    if not recs:
        return None
    off, target, size = recs[-1]
    far = rng.choice([1 << 34, 1 << 40, 1 << 46])
    struct.pack_into(">q", data, off, far)
    return Variant(base, "flat-claim", "last record moved to offset %#x"
                   % far, [bytes(data)])


INCLUDE_FINDING3 = False


def m_kernel(base, rng):
    """Damage a kernel object inside the dump's memory."""
    if not base.targets or base.kind not in ("kdump", "elf"):
        return None
    # Each kind of object as likely as another (walks give many page-table
    # entries).
    classes = sorted(set(t[0] for t in base.targets))
    cls = rng.choice(classes)
    label, paddr, length = rng.choice([t for t in base.targets
                                       if t[0] == cls])
    p = base.parsed(0)
    at = paddr + 8 * rng.randrange(max(1, length // 8))
    old = p.read_phys(at, 8)
    if old is None:
        return None
    old = struct.unpack("<Q", old)[0]
    choice = rng.randrange(6)
    if choice == 0:
        new = old ^ (1 << rng.randrange(64))
    elif choice == 1:
        new = 0
    elif choice == 2:
        new = 0xffffffffffffffff
    elif choice == 3:
        other = rng.choice(base.targets)
        new = other[1] if label.startswith("pgtable") else \
            old - (old & 0xffff) + (other[1] & 0xffff)  # nearby, wrong
    elif choice == 4:
        new = old ^ rng.getrandbits(64)
    else:
        # Point at itself: a cycle for lists and trees.
        new = (old & 0xffff000000000000) | (at & 0x0000ffffffffffff) \
            if old >> 48 else at | 3
    if not p.patch_phys(at, struct.pack("<Q", new)):
        return None
    return Variant(base, "kernel-" + label.split("-")[0],
                   "%s: word at physical %#x: %#x -> %#x" % (label, at, old,
                                                            new),
                   [bytes(p.data)])


def m_page_data(base, rng):
    """Garbage in compressed page data (decompressors on bad input)."""
    p = base.parsed(0)
    if not isinstance(p, dumpfile.Kdump) or not p.pfns or base.kind != "kdump":
        return None
    data = bytearray(base.data[0])
    pfn = rng.choice(p.pfns)
    off, size, flags, _ = p.descriptor(pfn)
    if not size or off + size > len(data):
        return None
    for _ in range(rng.choice([1, 4, 64])):
        flip(data, off + rng.randrange(size), rng)
    return Variant(base, "page-data", "page data of PFN %#x at %#x (flags %#x)"
                   % (pfn, off, flags), [bytes(data)])


def m_split(base, rng):
    """Split sets: a part dropped, given twice, in another order, or with
    its split fields changed."""
    if base.kind != "split":
        return None
    files = list(base.data)
    choice = rng.randrange(4)
    if choice == 0 and len(files) > 1:
        k = rng.randrange(len(files))
        del files[k]
        what = "part %d dropped" % (k + 1)
    elif choice == 1:
        k = rng.randrange(len(files))
        files.insert(rng.randrange(len(files) + 1), files[k])
        what = "part %d given twice" % (k + 1)
    elif choice == 2:
        rng.shuffle(files)
        what = "parts shuffled"
    else:
        k = rng.randrange(len(files))
        d = bytearray(files[k])
        kd = dumpfile.Kdump(d)
        field = rng.choice([(12, 4, "split"), (80, 8, "start_pfn_64"),
                            (88, 8, "end_pfn_64")])
        v = boundary(rng, field[1], len(d), [kd.max_mapnr, kd.max_mapnr + 1])
        put(d, kd.sub_header + field[0], kd.e + ("I" if field[1] == 4
                                                  else "Q"), v)
        files[k] = bytes(d)
        what = "part %d: %s = %#x" % (k + 1, field[2], v)
    return Variant(base, "split", what, files)


MUTATORS = [(m_truncate, 3), (m_flip_structure, 4), (m_fields, 4),
            (m_descriptors, 2), (m_notes, 2), (m_vmcoreinfo, 3),
            (m_notes_tables, 1), (m_claims, 1), (m_kernel, 6),
            (m_page_data, 1), (m_split, 2),
            # Weight 0 unless --include-finding3 (the other variants of a
            # seed stay the same either way).
            (m_flat_claims, 0)]


def make_variant(bases, rng):
    for _ in range(100):
        m = rng.choices([m for m, _ in MUTATORS],
                        weights=[w for _, w in MUTATORS])[0]
        base = rng.choice(bases)
        v = m(base, rng)
        if v:
            return v
    raise RuntimeError("no mutator applies")


# ------------------------------------------------------------- running --

def commands(base, outdir=None):
    """The batch run on each variant; save writes into @outdir (the
    variant's own folder) when given."""
    pid = base.pid or 1
    ua = base.user_addr or 0x400000
    page = base.pages[0] if base.pages else 0x40000000
    return ["info", "vmcoreinfo", "explain", "ps", "vm --all",
            "vm --maps %d" % pid,
            "sym init_task linux_banner _stext 0xffff800080010000",
            "rd linux_banner 4", "rd -p %#x 4" % page, "rd -p -64 %#x 2" % (page + 0x1ff8),
            "rd -u %d %#x 2" % (pid, ua), "vtop linux_banner init_task",
            "vtop -u %d %#x" % (pid, ua), "ptov %#x" % page,
            "struct task_struct", "struct mm_struct", "whatis init_task",
            # The kernel log, stacks, system facts, modules, memory
            # accounting, runqueues and kernel objects (issues 9, 13, 14).
            "log", "log -t -m", "sys", "bt -a", "bt -f %d" % pid, "runq",
            "task %d" % pid, "files %d" % pid, "mount",
            "p jiffies", "mod", "kmem -i", "kmem -s",
            "kmem init_task", "foreach bt", "save --mem-usage"] + (
                ["save -f -l %s" % os.path.join(outdir, "saved.kdump")]
                if outdir else [])


# What a message may name to say where: an address or offset, a PFN, a
# pid, a VMCOREINFO line, the symbol, type or member asked for (besides
# the file, checked by name). A null pointer is "at 0": printf's %#x
# writes zero without its 0x.
NAMED = re.compile(r"0x[0-9a-f]+|\bat 0\b|[0-9a-f]{8,}|offset|PFN|pid \d+|"
                   r"line \d+|symbol \S+|type \S+|struct \S+|named \S+|"
                   r"\b[a-z_]\w*\.[a-z_]\w*\b|no task|VMCOREINFO|"
                   r"--vmcoreinfo|usage", re.I)


def limits():
    # Plain builds: 4 GiB of address space. (ASan reserves terabytes of
    # shadow: its own options bound it instead.)
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


def run_vmtool(vmtool, files, cmds, timeout, plain):
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ("detect_leaks=1:abort_on_error=0:exitcode=86:"
                           "max_allocation_size_mb=3072:"
                           "allocator_may_return_null=0:"
                           "hard_rss_limit_mb=4096:detect_odr_violation=0")
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:exitcode=87"
    env["LSAN_OPTIONS"] = "exitcode=88"
    try:
        p = subprocess.run([vmtool] + files, input="\n".join(cmds).encode(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=env,
                           preexec_fn=limits if plain else None)
        return p.returncode, p.stdout, p.stderr.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return "timeout", b"", (e.stderr or b"").decode(errors="replace")


def judge(rc, err, files):
    """None if the run passes, else why not."""
    if rc == "timeout":
        return "timeout"
    if rc < 0:
        return "signal %d" % -rc
    if SAN_RE.search(err):
        return "sanitizer: " + SAN_RE.search(err).group(0)
    if rc not in (0, 1, 3):
        return "exit %d" % rc
    names = [os.path.basename(f) for f in files]
    for line in err.splitlines():
        if not line.startswith("vmtool: ") or line.startswith("vmtool: warning:"):
            continue
        msg = line[8:]
        if re.search(r"out of memory$", msg) and ":" not in msg.rsplit(
                "out of memory", 1)[0]:
            return "bare out of memory: " + line
        if not NAMED.search(msg) and not any(n in msg for n in names):
            return "message names no file, address or object: " + line
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vmtool", required=True)
    ap.add_argument("--plain-vmtool")
    ap.add_argument("--mkvmcore", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--shared", default=os.path.join(SRCDIR, "..", "shared",
                                                     "dumps"))
    ap.add_argument("--no-shared", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep every variant")
    ap.add_argument("--kinds", help="run only the variants of these kinds "
                    "(comma-separated, as the counts name them), out of the "
                    "same seeded --count")
    ap.add_argument("--include-finding3", action="store_true",
                    help="also flattened streams that claim a huge sparse "
                    "file (issue 11 finding 3, fixed on h/perf)")
    args = ap.parse_args()
    global INCLUDE_FINDING3
    INCLUDE_FINDING3 = args.include_finding3
    if INCLUDE_FINDING3:
        MUTATORS[-1] = (m_flat_claims, 1)
    if args.no_shared:
        args.shared = None
    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    t0 = time.time()
    bases = make_bases(args, work)
    print("bases: %s (%.0f s)" % (", ".join("%s (%d targets)" % (
        b.name, len(b.targets)) for b in bases), time.time() - t0))
    sys.stdout.flush()
    rng = random.Random(args.seed)
    specs = [random.Random(rng.getrandbits(64)) for _ in range(args.count)]
    lock = threading.Lock()
    counts = {"variants": 0, "runs": 0, "pass": 0, "fail": 0}
    by_exit = {}
    by_kind = {}
    failures = []
    # A plain build runs under a 4 GiB address-space limit; an ASan one
    # under its own allocation and RSS limits (it reserves terabytes).
    sanitized = b"__asan_init" in open(args.vmtool, "rb").read()
    vmtools = [(args.vmtool, not sanitized)]
    if args.plain_vmtool:
        vmtools.append((args.plain_vmtool, True))
    print("vmtool: %s (%s)" % (args.vmtool, "ASan+UBSan" if sanitized else
                               "plain, 4 GiB address space"))

    kinds = set(args.kinds.split(",")) if args.kinds else None

    def one(idx, r):
        v = make_variant(bases, r)
        if kinds is not None and v.kind not in kinds:
            return
        d = os.path.join(work, "v%05d" % idx)
        os.makedirs(d)
        files = []
        for k, data in enumerate(v.files):
            f = os.path.join(d, "%s.%d" % (v.base.name, k + 1))
            with open(f, "wb") as fh:
                fh.write(data)
            files.append(f)
        results = []
        for vmtool, plain in vmtools:
            rc, _, err = run_vmtool(vmtool, files, commands(v.base, d),
                                    args.timeout, plain)
            why = judge(rc, err, files)
            results.append((rc, why, err))
        with lock:
            counts["variants"] += 1
            kind = by_kind.setdefault(v.kind, [0, 0])
            kind[0] += 1
            for rc, why, err in results:
                counts["runs"] += 1
                by_exit[str(rc)] = by_exit.get(str(rc), 0) + 1
                if why:
                    counts["fail"] += 1
                    kind[1] += 1
                    failures.append((idx, v, why, err))
                    print("FAIL v%05d %s [%s] %s: %s\n  %s" % (
                        idx, v.base.name, v.kind, v.what, why,
                        "\n  ".join(err.strip().splitlines()[-6:])))
                else:
                    counts["pass"] += 1
            if counts["variants"] % 500 == 0:
                print("... %d variants, %d failures (%.0f s)" % (
                    counts["variants"], counts["fail"], time.time() - t0))
            sys.stdout.flush()
        if args.keep or any(why for _, why, _ in results):
            with open(os.path.join(d, "WHAT"), "w") as f:
                f.write("%s [%s] %s\ncommands:\n%s\n" % (
                    v.base.name, v.kind, v.what,
                    "\n".join(commands(v.base, d))))
        else:
            shutil.rmtree(d)

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for f in concurrent.futures.as_completed(
                [ex.submit(one, i, r) for i, r in enumerate(specs)]):
            f.result()
    print("corrupt-dump suite: %d variants (seed %d), %d runs: %d passed, "
          "%d failed, in %.0f s" % (counts["variants"], args.seed,
                                    counts["runs"], counts["pass"],
                                    counts["fail"], time.time() - t0))
    print("exit codes: " + ", ".join("%s: %d" % kv for kv in
                                     sorted(by_exit.items())))
    print("variants by kind (failed): " + ", ".join(
        "%s %d (%d)" % (k, n, f) for k, (n, f) in sorted(by_kind.items())))
    if not failures and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
