#!/usr/bin/env python3
"""Write the seed inputs of the fuzz targets (tests/fuzz/corpus/*/seed-*).

Seeds come from the test writer (tests/tools/mkvmcore), from the real
structures of the bundled sample and of ../shared/dumps when present
(headers and notes, kallsyms tables, page-table walks, maple trees), and
from tests/fuzz/seeds/kernel_types.c compiled to BTF and DWARF. The seeds
are committed; run this again only to change them:

    tests/fuzz/make-seeds.py --builddir build

Inputs a fuzzer finds are kept beside the seeds under other names
(crash-*, finding-*, cov-*); this script only replaces seed-* files.
"""
import argparse
import glob
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile

SRCDIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(SRCDIR, "testdata", "sample", "vmcore.kdump-zlib")
TMP = tempfile.mkdtemp(prefix="vmtool-seeds.")
written = {}


def write(target, name, data):
    if ONLY and target not in ONLY:
        return
    d = os.path.join(SRCDIR, "tests", "fuzz", "corpus", "fuzz_" + target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)
    written[target] = written.get(target, 0) + len(data)


def mkvmcore(spec, name):
    """Build a dump from a spec; returns the bytes of each file written."""
    path = os.path.join(TMP, name)
    with open(path + ".spec", "w") as f:
        f.write(spec)
    subprocess.run([MKVMCORE, path + ".spec", path], check=True,
                   stdout=subprocess.DEVNULL)
    if os.path.exists(path):
        return [open(path, "rb").read()]
    parts = []
    i = 1
    while os.path.exists("%s.%d" % (path, i)):
        parts.append(open("%s.%d" % (path, i), "rb").read())
        i += 1
    return parts


def vmtool(dump, *args):
    return subprocess.run([VMTOOL, "-q", dump] + list(args), check=True,
                          stdout=subprocess.PIPE).stdout


def vmtool_json(dump, *args):
    out = subprocess.run([VMTOOL, "-q", "--json", dump] + list(args),
                         check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def read_virt(dump, addr, n):
    return vmtool(dump, "rd", "-8", "%#x" % addr, str(n), "--raw")


def u32(b, o=0):
    return struct.unpack_from("<I", b, o)[0]


def u64(b, o=0):
    return struct.unpack_from("<Q", b, o)[0]


# ---- dump formats (mkvmcore) ----

VMCI = ("vmcoreinfo OSRELEASE=6.12.0\nvmcoreinfo PAGESIZE=4096\n"
        "vmcoreinfo NUMBER(VA_BITS)=48\nvmcoreinfo NUMBER(TCR_EL1_T1SZ)=0x10\n"
        "vmcoreinfo NUMBER(kimage_voffset)=0xffff7fff40000000\n"
        "vmcoreinfo NUMBER(PHYS_OFFSET)=0x40000000\n"
        "vmcoreinfo SYMBOL(swapper_pg_dir)=ffff800081000000\n"
        "vmcoreinfo KERNELOFFSET=0\n")
PAGES = ("page 0x1000 pattern 0x1122334455667788\npage 0x2000 zero\n"
         "page 0x3000 exclude\npage 0x4000 random 7\n"
         "fill 0x5000 0x1000 pattern-by-address\n")


def dump_seeds():
    small = "cpus 2\nram 0x0 0x6000\n" + PAGES + VMCI
    # ELF
    for name, extra in [
            ("le", ""), ("be", "endian big\n"),
            ("memsz", "elf_memsz_extra 0x2000\nram 0x20000 0x2000\n"),
            ("cut", "corrupt truncate end -3000\n"),
            ("incomplete-flag", "elf_incomplete yes\n"),
            ("no-vmcoreinfo", "cpus 1\nram 0x0 0x4000\nvmcoreinfo none\n")]:
        spec = "format elf\n" + extra + (small if name != "no-vmcoreinfo"
                                         else "")
        write("elf", name, mkvmcore(spec, "elf-" + name)[0])
    # kdump
    for name, extra in [
            ("zlib", "compression zlib\n"), ("none", "compression none\n"),
            ("lzo", "compression lzo\n"), ("snappy", "compression snappy\n"),
            ("zstd", "compression zstd\n"), ("mixed", "compression mixed\n"),
            ("be", "endian big\ncompression mixed\n"),
            ("incomplete", "incomplete yes\npage 0x5000 lost\n"),
            ("v1", "header_version 1\n"), ("v2", "header_version 2\n"),
            ("v3", "header_version 3\n"), ("v4", "header_version 4\n"),
            ("v5", "header_version 5\n")]:
        spec = "format kdump\nblock_size 4096\n" + extra + small
        write("kdump", name, mkvmcore(spec, "kdump-" + name)[0])
    # 64K blocks: the sample's head below.
    spec = ("format kdump\nblock_size 16384\ncompression mixed\ncpus 1\n"
            "ram 0x0 0x8000\nram 0x10000 0x4000\n" + VMCI)
    write("kdump", "bs16384", mkvmcore(spec, "kdump-bs16384")[0])
    # flattened
    for name, extra in [("zlib", "compression zlib\n"),
                        ("be", "endian big\ncompression none\n"),
                        ("incomplete", "incomplete yes\npage 0x5000 lost\n")]:
        spec = "format kdump\nflattened yes\nblock_size 4096\n" + extra + small
        write("flattened", name, mkvmcore(spec, "flat-" + name)[0])
    # split sets, packed as fuzz_split reads them
    for n in (2, 3):
        spec = "format kdump\nsplit %d\nblock_size 4096\n%s" % (n, small)
        parts = mkvmcore(spec, "split%d" % n)
        data = bytes([n - 2]) + b"".join(struct.pack("<I", len(p))
                                         for p in parts) + b"".join(parts)
        write("split", "parts%d" % n, data)


def real_dump_seeds(shared):
    """Header, program headers and notes of real dumps, cut after them."""
    # The sample (kdump, 64K blocks): everything up to the first page data.
    data = open(SAMPLE, "rb").read()
    block = u32(data, 428)
    sub = u32(data, 432)
    bitmap_blocks = u32(data, 436)
    desc = (1 + sub + bitmap_blocks) * block
    write("kdump", "sample-head", data[:desc + 64 * 24])
    if not shared:
        return
    for elf in sorted(glob.glob("/tmp/vmtool-truthcheck/*/vmcore*.elf")):
        head = open(elf, "rb").read(1 << 16)
        phoff, phnum = u64(head, 32), struct.unpack_from("<H", head, 56)[0]
        end = phoff + 56 * phnum
        for i in range(phnum):
            p = phoff + 56 * i
            if u32(head, p) == 4:  # PT_NOTE
                end = max(end, u64(head, p + 8) + u64(head, p + 32))
        with open(elf, "rb") as f:
            write("elf", "real-" + os.path.basename(os.path.dirname(elf)),
                  f.read(end))
    flat = os.path.join(shared, "k612-64k-va52", "vmcore.kdump-zlib.flat")
    if os.path.exists(flat):
        with open(flat, "rb") as f:
            write("flattened", "real-k612-64k-head", f.read(4096 + 3 * 65536 + 32))


# ---- VMCOREINFO ----

def vmcoreinfo_seeds(shared):
    write("vmcoreinfo", "sample", vmtool(SAMPLE, "vmcoreinfo"))
    for path in sorted(glob.glob(os.path.join(shared or "/nonexistent", "*",
                                              "truth",
                                              "vmcoreinfo_from_dump.txt"))):
        write("vmcoreinfo", "real-" + path.split(os.sep)[-3],
              open(path, "rb").read())
    write("vmcoreinfo", "16k-va47",
          b"OSRELEASE=5.15.0\nPAGESIZE=16384\nNUMBER(VA_BITS)=47\n"
          b"NUMBER(TCR_EL1_T1SZ)=0x11\nNUMBER(PHYS_OFFSET)=0x80000000\n"
          b"NUMBER(kimage_voffset)=0xffff7fff80000000\nKERNELOFFSET=0\n"
          b"SYMBOL(swapper_pg_dir)=ffff800009c80000\n"
          b"SYMBOL(_stext)=ffff800008010000\nCRASHTIME=1700000000\n")
    write("vmcoreinfo", "64k-va52-at-48",
          b"OSRELEASE=6.6.0\r\nPAGESIZE=65536\r\nNUMBER(VA_BITS)=52\r\n"
          b"NUMBER(tcr_el1_t1sz)=0x10\r\nNUMBER(PHYS_OFFSET)=0xfff1000040000000\r\n"
          b"NUMBER(kimage_voffset)=0xffff7fffc0000000\r\n"
          b"NUMBER(MAX_PHYSMEM_BITS)=52\r\nKERNELOFFSET=1a2b0000\r\n"
          b"SYMBOL(_stext)=ffff800080010000\r\nNUMBER(KERNELPACMASK)=0xff7f000000000000\r\n")
    write("vmcoreinfo", "old-kernel-nuls",
          b"OSRELEASE=4.14.0\nPAGESIZE=4096\nSYMBOL(_text)=ffff000008080000\n"
          b"SYMBOL(_stext)=ffff000008081000\nNUMBER(kimage_voffset)=0xfffeffffc0000000\n"
          b"NUMBER(PHYS_OFFSET)=0x40000000\nOFFSET(page.flags)=0\nSIZE(page)=64\n"
          b"LENGTH(mem_section)=1024\nCRASHTIME=-1\nbroken line\n=x\nX=\n\0\0\0\0")


# ---- kallsyms ----

def kallsyms_image(tables):
    """Six offsets, then the memory: num_syms, relative_base, token index
    and table, names, offsets (names before offsets so that the names
    table ends where the next one starts)."""
    names, num, ttable, tindex, offsets, rbase = tables
    mem = bytearray()

    def put(b, align=8):
        while len(mem) % align:
            mem.append(0)
        at = len(mem)
        mem.extend(b)
        return at

    o_num = put(struct.pack("<I", num))
    o_rbase = put(struct.pack("<Q", rbase))
    o_tindex = put(tindex)
    o_ttable = put(ttable)
    o_names = put(names)
    o_offsets = put(offsets, 4)
    put(b"\0" * 8)
    return struct.pack("<6I", o_names, o_num, o_ttable, o_tindex, o_offsets,
                       o_rbase) + bytes(mem)


def kallsyms_real(dump, nsyms):
    addr = {}
    for line in vmtool(dump, "sym", "kallsyms_names", "kallsyms_num_syms",
                       "kallsyms_token_table", "kallsyms_token_index",
                       "kallsyms_offsets", "kallsyms_relative_base"
                       ).decode().splitlines():
        f = line.split()
        addr[f[2]] = int(f[0], 16)
    tindex = read_virt(dump, addr["kallsyms_token_index"], 512)
    ttable = read_virt(dump, addr["kallsyms_token_table"],
                       addr["kallsyms_token_index"] - addr["kallsyms_token_table"])
    rbase = u64(read_virt(dump, addr["kallsyms_relative_base"], 8))
    raw = read_virt(dump, addr["kallsyms_names"], 64 * nsyms + 64)
    off = 0
    for _ in range(nsyms):
        n = raw[off]
        off += 1
        if n & 0x80:
            n = (n & 0x7f) | raw[off] << 7
            off += 1
        off += n
    offsets = read_virt(dump, addr["kallsyms_offsets"], 4 * nsyms)
    return kallsyms_image((raw[:off], nsyms, ttable, tindex, offsets, rbase))


def kallsyms_synthetic():
    # Token i is one letter for i < 26, the type letters next, else two.
    tokens = [bytes([ord("a") + i]) for i in range(26)]
    tokens += [b"T", b"t", b"D", b"d", b"R", b"_"]
    while len(tokens) < 256:
        i = len(tokens)
        tokens.append(bytes([ord("a") + i % 26, ord("a") + i // 26 % 26]))
    ttable = b""
    tindex = b""
    for t in tokens:
        tindex += struct.pack("<H", len(ttable))
        ttable += t + b"\0"
    syms = [("T", "start_kernel"), ("t", "do_one"), ("D", "init_task"),
            ("R", "linux_banner"), ("T", "x" * 140)]
    names = b""
    offsets = b""
    for i, (t, name) in enumerate(syms):
        toks = [tokens.index(t.encode())]
        toks += [tokens.index(c.encode()) if c != "_" else 31
                 for c in name]
        n = len(toks)
        names += bytes([n]) if n < 128 else bytes([0x80 | n & 0x7f, n >> 7])
        names += bytes(toks)
        offsets += struct.pack("<i", 0x10000 * i)
    return kallsyms_image((names, len(syms), ttable, tindex, offsets,
                           0xffff800080000000))


# ---- BTF and DWARF ----

def type_seeds():
    src = os.path.join(SRCDIR, "tests", "fuzz", "seeds", "kernel_types.c")
    obj = os.path.join(TMP, "types.bpf.o")
    subprocess.run(["clang", "-target", "bpf", "-g", "-O2", "-c", src, "-o",
                    obj], check=True)
    btf = os.path.join(TMP, "types.btf")
    subprocess.run(["llvm-objcopy", "--dump-section", ".BTF=" + btf, obj],
                   check=True)
    blob = open(btf, "rb").read()
    write("btf", "kernel-types", blob)
    write("btf", "scan-kernel-types", b"S" + b"\xa5" * 23 + blob + b"\0" * 8)
    for v in (4, 5):
        out = os.path.join(TMP, "types-dwarf%d" % v)
        subprocess.run(["aarch64-linux-gnu-gcc", "-g", "-gdwarf-%d" % v,
                        "-fno-eliminate-unused-debug-types", "-O0",
                        "-nostdlib", "-static", "-Wl,-e,main",
                        "-Wl,--build-id=none", src, "-o", out], check=True)
        write("dwarf", "kernel-types-dwarf%d" % v, open(out, "rb").read())


# ---- page tables ----

PAGE_INDEX = {4096: 0, 16384: 1, 65536: 2}
VA_INDEX = {36: 0, 39: 1, 42: 2, 47: 3, 48: 4, 52: 5}


def walk_seed(levels, vaddr, page_size, va_bits, actual, pa52):
    """fuzz_pgtable input: the entries of a real walk, each at its PA
    modulo the page size in a one-page memory read with wrap-around."""
    cfg = PAGE_INDEX[page_size] | 0x20 | (0x10 if pa52 else 0)
    head = bytes([cfg, 0, VA_INDEX[va_bits], 1 if actual != va_bits else 0])
    head += struct.pack("<4Q", vaddr, vaddr, vaddr ^ 0x1000, 0)
    mem = bytearray(page_size)
    for lv in levels:
        at = int(lv["entry_addr"], 16) % page_size
        struct.pack_into("<Q", mem, at, int(lv["entry"], 16))
    return head + bytes(mem)


def pgtable_seeds(dumps):
    for name, dump in dumps:
        info = vmtool_json(dump, "info")
        vi = info["vmcoreinfo"]
        page = int(vi.get("PAGESIZE", "4096"))
        va = int(vi.get("NUMBER(VA_BITS)", "48"))
        t1 = vi.get("NUMBER(TCR_EL1_T1SZ)")
        actual = 64 - int(t1, 0) if t1 else va
        pa52 = vi.get("NUMBER(MAX_PHYSMEM_BITS)") == "52"
        walks = vmtool_json(dump, "vtop", "_stext")
        ps = [t for t in vmtool_json(dump, "ps") if t["comm"] == "workload"]
        if ps:
            walks += vmtool_json(dump, "vtop", "-u", str(ps[0]["pid"]),
                                 "0x10000000")
        for i, w in enumerate(walks):
            if w.get("levels"):
                write("pgtable", "real-%s-%d" % (name, i),
                      walk_seed(w["levels"], int(w["vaddr"], 16), page, va,
                                actual, pa52))
    for page in (4096, 16384, 65536):
        for va in (36, 39, 42, 47, 48, 52):
            head = bytes([PAGE_INDEX[page] | 0x20, 0, VA_INDEX[va], 0])
            head += struct.pack("<4Q", 0xffff800081234000, 0x7fff12345000,
                                0x400000, 0xfff0000012345678)
            mem = bytearray(256)
            for i in range(0, 256, 8):
                # table, block, page and invalid descriptors, pointing back
                struct.pack_into("<Q", mem, i, [0x40000003, 0x40200001,
                                                0x40001f03, 0][i // 8 % 4])
            write("pgtable", "geometry-%dk-va%d" % (page >> 10, va),
                  head + bytes(mem))


# ---- maple trees ----

MAPLE_BASE = 0xffff000010000000
# per maple_type: slot offset, number of slots; children for range/arange
MAPLE_SLOTS = {0: (8, 31), 1: (128, 16), 2: (128, 16), 3: (80, 10)}


def maple_real(dump, mm, mm_mt_off, limit=24):
    root = u64(read_virt(dump, mm + mm_mt_off + 8, 8))
    nodes = []  # (real address, bytes)
    index = {}

    def visit(enode):
        addr = enode & ~0xff
        if addr in index or len(nodes) >= limit:
            return None
        index[addr] = len(nodes)
        nodes.append([addr, bytearray(read_virt(dump, addr, 256))])
        k = index[addr]
        t = (enode >> 3) & 0xf
        if t in (2, 3):
            off, n = MAPLE_SLOTS[t]
            for s in range(n):
                child = u64(nodes[k][1], off + 8 * s)
                if child and (child & 3) == 0 and child > 4096:
                    ck = visit(child)
                    new = (MAPLE_BASE + 256 * ck if ck is not None else 0)
                    struct.pack_into("<Q", nodes[k][1], off + 8 * s,
                                     new | (child & 0xff) if new else 0)
        return k

    if not (root & 3) == 2 or root <= 4096:
        return None
    visit(root & ~2)
    image = b"".join(bytes(b) for _, b in nodes)
    head = bytes([4, 0, 0, 0]) + struct.pack("<Q", MAPLE_BASE | (root & 0xff))
    return head + image


def maple_synthetic():
    # A range_64 root with two leaf children, then a dense child.
    mem = bytearray(4 * 256)

    def put(node, off, v):
        struct.pack_into("<Q", mem, 256 * node + off, v)

    def enode(i, t):
        return (MAPLE_BASE + 256 * i) | t << 3 | 4

    put(0, 8, 0xfff)          # pivot[0]
    put(0, 16, 0x1fff)        # pivot[1]
    put(0, 128, enode(1, 1))
    put(0, 136, enode(2, 1))
    put(0, 144, enode(3, 0))
    mem[248] = 2
    for leaf, lo in ((1, 0), (2, 0x1000)):
        put(leaf, 8, lo + 0x7ff)
        put(leaf, 16, lo + 0xfff)
        put(leaf, 128, 0xffff0000a0000000 + lo)
        put(leaf, 136, 0)
        mem[256 * leaf + 248] = 1
    for i in range(31):
        put(3, 8 + 8 * i, 0xffff0000b0000000 + 8 * i if i % 3 else 0)
    return bytes([0, 0, 2, 0]) + bytes(mem)


def maple_seeds(dumps):
    write("maple", "synthetic", maple_synthetic())
    write("maple", "leaf-root", bytes([0, 0, 1, 3]) + b"\x10" * 256)
    for name, dump in dumps:
        off = None
        for line in vmtool(dump, "struct", "mm_struct").decode().splitlines():
            if "mm_mt;" in line:
                off = int(line.split("]")[0].strip("[ "))
        if off is None:
            continue
        # The two processes with the largest trees.
        seeds = []
        for t in vmtool_json(dump, "ps"):
            if t["mm"] and t["pid"] == t["tgid"]:
                seed = maple_real(dump, int(t["mm"], 16), off)
                if seed:
                    seeds.append((len(seed), t["comm"], seed))
        for _, comm, seed in sorted(seeds, reverse=True)[:2]:
            write("maple", "real-%s-%s" % (name, comm), seed)


# ---- task lists (the fake kernel of fuzz_tasks.c) ----

def tasks_seed(old, init_symbol, scan_size=0):
    size = max(0x4000, scan_size)
    mem = bytearray(size)
    task = lambda i: 0x1000 + 0x100 * i
    sig = lambda i: 0x3000 + 0x40 * i
    base = 0xffff800081000000

    def p64(off, v):
        struct.pack_into("<Q", mem, off, v)

    def p32(off, v):
        struct.pack_into("<I", mem, off, v)

    def link(a, b):
        p64(a, base + b)
        p64(b + 8, base + a)

    # pid, tgid, comm, state, mm, parent, signal
    tasks = [(0, 0, b"swapper/0", 0, 0, 0, 0), (2, 2, b"kthreadd", 1, 0, 0, 1),
             (1, 1, b"init", 1, 0xffff000012340000, 0, 2),
             (7, 1, b"init-thread", 0x402, 0xffff000012340000, 0, 2),
             (9, 9, b"zombie", 0x80, 0, 2, 4)]
    for i, (pid, tgid, comm, state, mm, parent, s) in enumerate(tasks):
        t = task(i)
        p32(t + 0x20, pid)
        p32(t + 0x24, tgid)
        mem[t + 0x30:t + 0x30 + len(comm)] = comm
        if old:
            p64(t + 0x00, state)
        else:
            p32(t + 0x04, state)
        p32(t + 0x40, 0x20 if pid == 9 else 0)
        p64(t + 0x48, mm)
        p64(t + 0x50, base + task(parent))
        p64(t + 0x58, base + sig(s))
        p64(t + 0x70, base if i == 0 else base + 0x4000 * i)
        p32(t + 0x7c, i % 2)
    for a, b in ((0, 1), (1, 2), (2, 4), (4, 0)):
        link(task(a) + 0x10, task(b) + 0x10)
    if old:
        # thread_group: a ring through the threads of each process
        for i in range(5):
            link(task(i) + 0x60, task(i) + 0x60)
        link(task(2) + 0x60, task(3) + 0x60)
        link(task(3) + 0x60, task(2) + 0x60)
    else:
        for s, members in ((0, [0]), (1, [1]), (2, [2, 3]), (4, [4])):
            ring = [sig(s) + 8] + [task(m) + 0x60 for m in members]
            for a, b in zip(ring, ring[1:] + ring[:1]):
                link(a, b)
    # runqueues in two per-CPU areas (rq->curr at 0x10, rq->idle at
    # 0x18), the areas' bases, then the IRQ stacks' low ends; the CPU count
    p64(0x3800 + 0x10, base + task(0))
    p64(0x3800 + 0x18, base + task(0))
    p64(0x3840 + 0x10, base + task(2))
    p64(0x3840 + 0x18, base + task(4))
    p64(0x3900, base)
    p64(0x3908, base + 0x40)
    p64(0x3920, base + 0x8000)
    p64(0x3928, base + 0xc000)
    p32(0x3980, 2)
    mode = (1 if init_symbol else 0) | (2 if old else 0) | 4 | 8 | 0x10
    head = bytes([mode]) + struct.pack("<4H", task(0) // 8, 0x3800 // 8,
                                       0x3900 // 8, 0x3980 // 8)
    return head + bytes(mem)


# The printk ring of test_printk.c's layout (struct printk_ringbuffer at
# BASE): prb_desc_ring {count_bits@4, descs@16, infos@24, tail_id@32,
# head_id@40} at +8, prb_data_ring {data@0, size_bits@12, head_lpos@16,
# tail_lpos@24} at +64; 32-byte descriptors {text_blk_lpos {next@0,
# begin@8}, state_var@16}; 96-byte infos {ts_nsec@0, seq@8, caller_id@16,
# text_len@20, facility@22, flags_level@23, dev_info@28}.
def printk_ring_seed(texts, count_bits=4, size_bits=10, wrap=False):
    base = 0xffff800010000000
    descs, infos, data = 0x100, 0x400, 0x1000
    mem = bytearray(data + (1 << size_bits))
    p64 = lambda off, v: struct.pack_into("<Q", mem, off, v)
    count, size = 1 << count_bits, 1 << size_bits
    lpos = size - 24 if wrap else 0
    first_id = count  # ids start past the initial reserved ones
    for i, t in enumerate(texts):
        rid = first_id + i
        d = descs + 32 * (rid % count)
        n = (len(t) + 8 + 7) & ~7
        if (lpos % size) + n > size:  # wraps: the block starts at 0
            begin, blk = lpos, lpos - lpos % size + size
        else:
            begin, blk = lpos, lpos
        p64(data + blk % size, rid)
        mem[data + blk % size + 8:data + blk % size + 8 + len(t)] = t
        nxt = blk + n
        p64(d + 0, nxt)
        p64(d + 8, begin)
        p64(d + 16, (2 << 62) | rid)  # finalized
        inf = infos + 96 * (rid % count)
        p64(inf + 0, 1000000 * (i + 1))
        p64(inf + 8, i + 1)
        struct.pack_into("<IHBB", mem, inf + 16, 0x100 + i, len(t), 0,
                         6 << 5)
        lpos = nxt
    struct.pack_into("<I", mem, 8 + 4, count_bits)
    p64(8 + 16, base + descs)
    p64(8 + 24, base + infos)
    p64(8 + 32, first_id)
    p64(8 + 40, first_id + len(texts) - 1)
    p64(64 + 0, base + data)
    struct.pack_into("<I", mem, 64 + 12, size_bits)
    p64(64 + 16, lpos)
    p64(64 + 24, size - 24 if wrap else 0)
    return bytes(mem)


# log_buf records of test_printk.c's layout: a 20-byte header {ts_nsec@0,
# len@8 (u16), text_len@10, dict_len@12, facility@14, flags_level@15,
# caller_id@16}, text, dict, padded to 8.
def printk_logbuf_seed(texts, flags):
    buf = bytearray()
    for i, t in enumerate(texts):
        n = (20 + len(t) + 7) & ~7
        rec = bytearray(n)
        struct.pack_into("<QHHHBBI", rec, 0, 1000 * (i + 1), n, len(t), 0,
                         0, 4 << 5, 0x80000001)
        rec[20:20 + len(t)] = t
        buf += rec
    buf += bytes(32)
    head = struct.pack("<BIIIQ", flags | 1, len(buf), 0, len(buf) - 32, 5)
    return head + bytes(buf)


# Stack memory for the arm64 unwinder (fuzz_unwind.c): a task stack at MEM
# with a chain of frame records to the final record in the pt_regs at its
# top, an exception frame from EL1 in the middle, and an IRQ stack whose
# records lead to the task stack.
def unwind_seed(flags, irq):
    mem_base, stack = 0xffff000080000000, 0x4000
    text = 0xffff800010000000
    mem = bytearray(2 * stack)
    p64 = lambda off, v: struct.pack_into("<Q", mem, off, v)
    pt_size, pt_frame = 0x150, 0x130
    final = stack - pt_size + pt_frame
    # final record, zeroed (a kernel thread's)
    p64(final, 0)
    p64(final + 8, 0)
    # EL1 exception frame at 0x3000: pt_regs with x29 -> 0x3f00
    pt = 0x3000
    p64(pt + 8 * 29, mem_base + 0x3f00)
    p64(pt + 8 * 30, text + 0x500)
    p64(pt + 0xf8, mem_base + 0x3200)
    p64(pt + 0x100, text + 0x610)
    p64(pt + 0x108, 0x5)  # EL1h
    p64(pt + pt_frame, mem_base + 0x3f00)
    p64(pt + pt_frame + 8, text + 0x610)
    # records: 0x2000 -> 0x2100 -> (entry code) pt_regs stackframe
    p64(0x2000, mem_base + 0x2100)
    p64(0x2008, text + 0x210)
    p64(0x2100, mem_base + pt + pt_frame)
    p64(0x2108, text + 0x8010)  # in entry code
    p64(0x3f00, mem_base + final)
    p64(0x3f08, text + 0x720)
    start_fp = mem_base + 0x2000
    if irq:
        # IRQ stack record -> task stack chain
        p64(stack + 0x3000, mem_base + 0x2000)
        p64(stack + 0x3008, text + 0x330)
        start_fp = mem_base + stack + 0x3000
    regs = struct.pack("<5Q", text + 0x120, start_fp - 0x40, start_fp,
                       text + 0x300, 0x5)
    return bytes([flags | (2 if irq else 0)]) + regs + b"\0\0" + bytes(mem)


ONLY = None


def main():
    global MKVMCORE, VMTOOL, ONLY
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--shared", default=os.path.join(SRCDIR, "..", "shared",
                                                     "dumps"))
    ap.add_argument("--only", nargs="+", metavar="TARGET",
                    help="write the seeds of these targets only (e.g. "
                    "printk unwind tasks); the others stay as they are")
    a = ap.parse_args()
    if a.only:
        ONLY = set(a.only)
    MKVMCORE = os.path.join(a.builddir, "tests", "tools", "mkvmcore")
    VMTOOL = os.path.join(a.builddir, "vmtool")
    shared = a.shared if os.path.isdir(a.shared) else None
    for f in glob.glob(os.path.join(SRCDIR, "tests", "fuzz", "corpus", "*",
                                    "seed-*")):
        if not ONLY or os.path.basename(os.path.dirname(f))[5:] in ONLY:
            os.unlink(f)
    if ONLY:
        local_seeds()
        shutil.rmtree(TMP)
        report()
        return

    dump_seeds()
    real_dump_seeds(shared)
    vmcoreinfo_seeds(shared)
    write("kallsyms", "sample-60", kallsyms_real(SAMPLE, 60))
    write("kallsyms", "synthetic", kallsyms_synthetic())
    type_seeds()
    dumps = [("sample", SAMPLE)]
    if shared:
        for s, f in (("debian61", "debian61-kaslr/vmcore.kdump-zlib"),
                     ("k612-64k", "k612-64k-va52/vmcore.kdump-zlib.flat")):
            if os.path.exists(os.path.join(shared, f)):
                dumps.append((s, os.path.join(shared, f)))
    pgtable_seeds(dumps)
    maple_seeds(dumps)
    local_seeds()
    write("json", "nested", bytes([0x80, 1, 10, 0x81, 0, 2, 5, 65, 66, 67,
                                   68, 69, 3] + [0xff] * 8))
    write("json", "strings", bytes([1, 3, 2, 8]) + b"a\"\\\n\t\x01\xff\x7f" +
          bytes([8, 4]) + b"abc\0" + bytes([9, 3, 1, 0, 0, 0, 0] + [1] * 8 +
                                          [3]) + b"msg" + bytes([0, 1, 2]))
    write("json", "deep", bytes([0x85] * 90))
    shutil.rmtree(TMP)
    report()


def local_seeds():
    """The seeds built here, without dumps or tools."""
    write("tasks", "new-layout", tasks_seed(False, True))
    write("tasks", "old-layout", tasks_seed(True, True))
    write("tasks", "scan-init-task", tasks_seed(False, False, 0x10020))
    texts = [b"Booting Linux on physical CPU 0x0000000000 [0x410fd083]",
             b"Linux version 6.12.0 (gcc) #1 SMP PREEMPT", b"",
             b"Kernel command line: console=ttyAMA0",
             b"Unable to handle kernel NULL pointer dereference\nat 0x0"]
    for fmt in (0, 0x3e):
        write("printk", "ring-%02x" % fmt,
              bytes([fmt]) + printk_ring_seed(texts))
    write("printk", "ring-wrapped", bytes([0x12]) +
          printk_ring_seed(texts * 4, count_bits=3, size_bits=8, wrap=True))
    write("printk", "logbuf", printk_logbuf_seed(texts, 0x1a))
    for flags in (0, 1, 8, 0x25):
        for irq in (False, True):
            write("unwind", "%02x%s" % (flags, "-irq" if irq else ""),
                  unwind_seed(flags, irq))


def report():
    for t in sorted(written):
        print("%-12s %8d bytes of seeds" % (t, written[t]))


if __name__ == "__main__":
    main()
