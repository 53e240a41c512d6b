#!/usr/bin/env python3
"""Helpers of make-dump-set.sh (host side).

  realdump.py cpio STAGEDIR OUT.cpio[.gz]   newc archive of STAGEDIR (owner 0:0) + /dev/console
                                            (gzip-compressed when OUT ends in .gz)
  realdump.py qmp SOCKET OUTDIR FORMAT...   stop the guest, dump-guest-memory per format, quit
  realdump.py unflatten IN.flat OUT [--offset N]
                                            makedumpfile flattened format (at byte N of IN)
                                            -> normal file
  realdump.py extract DISK OFFSET SIZE OUT  SIZE bytes of DISK at OFFSET -> OUT
  realdump.py libs PKGROOT STAGEDIR BIN...  copy the shared libraries BIN... need (DT_NEEDED,
                                            transitively) from the extracted packages in
                                            PKGROOT to STAGEDIR/lib
  realdump.py truth CONSOLE.log SETDIR [--image IMAGE] [--system-map MAP]
                                            console markers -> SETDIR/truth/, derived symbols
                                            (and, after a panic, panic_console.txt)
  realdump.py stext-offset IMAGE            _stext - _text of an arm64 Image (PE BaseOfCode)
  realdump.py verify SETDIR                 check the set's ELF files against truth/ without
                                            vmtool: VMCOREINFO note, NT_PRSTATUS notes,
                                            workload pages at their physical addresses,
                                            linux_banner; kernel p_vaddr in /proc/vmcore
"""
import base64, gzip, json, os, re, shutil, socket, stat, struct, subprocess, sys, time


# ---------- cpio (newc, "070701"; see the kernel's Documentation/driver-api/early-userspace) ----------
def _cpio_entry(out, name, mode, data=b"", rdev=(0, 0), ino=[1]):
    ino[0] += 1
    nb = name.encode() + b"\0"
    hdr = "070701" + "".join("%08X" % v for v in (
        ino[0], mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0))
    out.write(hdr.encode() + nb)
    out.write(b"\0" * ((4 - (110 + len(nb)) % 4) % 4))
    out.write(data)
    out.write(b"\0" * ((4 - len(data) % 4) % 4))


def cmd_cpio(stage, dest):
    # a large initramfs (panic mode carries the capture kernel's Image) is
    # left uncompressed: inflating it under TCG costs more than copying it
    opener = (lambda: gzip.open(dest, "wb", compresslevel=9)) if dest.endswith(".gz") \
        else (lambda: open(dest, "wb"))
    with opener() as out:
        for root, dirs, files in os.walk(stage):
            dirs.sort()
            rel = os.path.relpath(root, stage)
            if rel != ".":
                _cpio_entry(out, rel, stat.S_IFDIR | 0o755)
            for f in sorted(files):
                p = os.path.join(root, f)
                name = os.path.normpath(os.path.join(rel, f))
                st = os.lstat(p)
                if stat.S_ISLNK(st.st_mode):
                    _cpio_entry(out, name, stat.S_IFLNK | 0o777, os.readlink(p).encode())
                else:
                    with open(p, "rb") as fh:
                        _cpio_entry(out, name, stat.S_IFREG | (st.st_mode & 0o777), fh.read())
        # the kernel opens /dev/console for init before anything is mounted
        _cpio_entry(out, "dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
        _cpio_entry(out, "TRAILER!!!", 0)


# ---------- QMP ----------
class Qmp:
    def __init__(self, path, timeout):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.f = self.s.makefile("rwb")
        self._read()  # greeting
        self.call("qmp_capabilities")

    def _read(self):
        line = self.f.readline()
        if not line:
            raise RuntimeError("QMP: connection closed")
        return json.loads(line)

    def call(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        self.f.flush()
        while True:
            r = self._read()
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError(f"QMP {cmd}: {r['error']}")
            # events (STOP, DUMP_COMPLETED, ...) are skipped


def cmd_qmp(sock, outdir, formats):
    q = Qmp(sock, 1800)
    q.call("stop")
    have = {f for f in q.call("query-dump-guest-memory-capability").get("formats", [])}
    for fmt in formats:
        if fmt not in have:
            # e.g. Debian's QEMU 7.2 is built without LZO
            print(f"skipped {fmt}: this QEMU offers only {sorted(have)}")
            continue
        name = "vmcore.elf" if fmt == "elf" else f"vmcore.{fmt}.flat"
        path = os.path.abspath(os.path.join(outdir, name))
        t = time.time()
        q.call("dump-guest-memory", paging=False, protocol="file:" + path, format=fmt)
        os.chmod(path, 0o644)
        print(f"dumped {fmt} -> {name} ({os.path.getsize(path)} bytes, {time.time() - t:.1f} s)")
    try:
        q.call("quit")
    except (RuntimeError, OSError):
        pass


# ---------- flattened format (makedumpfile's, as QEMU 7.2 writes kdump-*) ----------
# A 4096-byte header starting "makedumpfile", type and version as big-endian
# int64 (1, 1); then records {int64 offset, int64 size} big-endian + size bytes,
# ended by offset = size = -1.
def cmd_unflatten(src, dst, offset=0):
    with open(src, "rb") as i, open(dst + ".tmp", "wb") as o:
        i.seek(offset)
        hdr = i.read(4096)
        if len(hdr) != 4096 or not hdr.startswith(b"makedumpfile"):
            raise SystemExit(f"{src}: offset {offset}: not a flattened makedumpfile file")
        while True:
            pos = i.tell()
            rec = i.read(16)
            if len(rec) != 16:
                raise SystemExit(f"{src}: offset {pos}: truncated record header")
            off, size = struct.unpack(">qq", rec)
            if off == -1 and size == -1:
                break
            if off < 0 or size < 0:
                raise SystemExit(f"{src}: offset {pos}: bad record {off} {size}")
            data = i.read(size)
            if len(data) != size:
                raise SystemExit(f"{src}: offset {pos}: truncated record of {size} bytes")
            o.seek(off)
            o.write(data)
    os.rename(dst + ".tmp", dst)


def cmd_extract(disk, offset, size, dst):
    with open(disk, "rb") as i, open(dst + ".tmp", "wb") as o:
        i.seek(offset)
        left = size
        while left:
            b = i.read(min(left, 1 << 20))
            if not b:
                raise SystemExit(f"{disk}: offset {offset + size - left}: ends before {size} bytes")
            o.write(b)
            left -= len(b)
    os.rename(dst + ".tmp", dst)


# ---------- shared libraries for the guest's dynamically linked tools ----------
def elf_needed(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def cmd_libs(pkgroot, stage, bins):
    """Copy what BINs need into STAGE/lib: the loader /lib/ld-linux-aarch64.so.1
    (their PT_INTERP) and the libraries (found there by the loader's default path)."""
    dirs = [os.path.join(pkgroot, d) for d in ("lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu",
                                               "lib", "usr/lib")]
    libdir = os.path.join(stage, "lib")
    os.makedirs(libdir, exist_ok=True)
    todo, seen, missing = list(bins), set(), []
    while todo:
        f = todo.pop()
        for so in elf_needed(f):
            if so in seen:
                continue
            seen.add(so)
            src = next((os.path.join(d, so) for d in dirs if os.path.exists(os.path.join(d, so))), None)
            if not src:
                missing.append(f"{so} (needed by {os.path.basename(f)})")
                continue
            dst = os.path.join(libdir, so)
            shutil.copyfile(os.path.realpath(src), dst)
            os.chmod(dst, 0o755)
            todo.append(dst)
    if missing:
        raise SystemExit("libs: not in the downloaded packages: " + ", ".join(missing))
    print(f"libs: {len(seen)} libraries for {' '.join(os.path.basename(b) for b in bins)}")


# ---------- console -> truth ----------
BEGIN = re.compile(r"^=====BEGIN FILE (\S+) (base64|plain)=====$")


def parse_console(path):
    files, cur, kind, buf = {}, None, None, []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("latin-1").rstrip("\r\n").rstrip("\r")
            if cur is None:
                m = BEGIN.match(line)
                if m:
                    cur, kind, buf = m.group(1), m.group(2), []
                continue
            if line == "=====END FILE=====":
                if kind == "base64":
                    files[cur] = base64.b64decode("".join(buf))
                else:
                    files[cur] = "".join(l + "\n" for l in buf).encode("latin-1")
                cur = None
                continue
            buf.append(line)
    # the guest's bundle of many files: "\n@@VMTOOL-FILE NAME@@\n" before each
    bundle = files.pop("@bundle", None)
    if bundle is not None:
        parts = re.split(rb"\n@@VMTOOL-FILE ([^\n@]+)@@\n", bundle)
        for k in range(1, len(parts) - 1, 2):
            files[parts[k].decode("latin-1")] = parts[k + 1]
    return files


def elf_notes(path):
    """[(name, type, desc)] of the PT_NOTE segments of a 64-bit little-endian ELF."""
    out = []
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            return out
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        for k in range(phnum):
            f.seek(phoff + k * phentsize)
            p_type, _, p_off, _, _, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
            if p_type != 4:
                continue
            f.seek(p_off)
            data = f.read(p_filesz)
            o = 0
            while o + 12 <= len(data):
                nsz, dsz, typ = struct.unpack_from("<III", data, o)
                o += 12
                name = data[o:o + nsz].rstrip(b"\0").decode("latin-1")
                o += (nsz + 3) & ~3
                out.append((name, typ, data[o:o + dsz]))
                o += (dsz + 3) & ~3
    return out


KLINE = re.compile(r"^\[\s*\d+\.\d{6}\] ")


def panic_console(path):
    """The console lines from the generator's trigger marker to the crashed
    kernel's last line ("Bye!" on arm64: machine_kexec), or None."""
    lines = [raw.decode("latin-1").rstrip("\r\n").replace("\r", "")
             for raw in open(path, "rb")]
    start = next((i for i, l in enumerate(lines) if l.startswith("=====VMTOOL-PANIC ")), None)
    if start is None:
        return None
    out = []
    for l in lines[start + 1:]:
        # the capture kernel starts over (its first line), or its /init speaks
        if "Booting Linux on physical CPU" in l or l.startswith("=====CAPTURE"):
            break
        out.append(l)
        if KLINE.match(l) and l.rstrip().endswith("] Bye!"):
            break
    return out


SELECTED = ["_text", "_stext", "_etext", "_sinittext", "_einittext", "_end", "_sdata", "_edata",
            "linux_banner", "init_task", "init_mm", "swapper_pg_dir", "idmap_pg_dir",
            "tramp_pg_dir", "init_uts_ns", "vmcoreinfo_data", "vmcoreinfo_note", "vmcoreinfo_size",
            "kallsyms_names", "kallsyms_offsets", "kallsyms_relative_base", "kallsyms_num_syms",
            "kallsyms_token_table", "kallsyms_token_index", "kallsyms_markers", "__start_BTF",
            "__stop_BTF", "prb", "printk_rb_static", "memstart_addr", "kimage_voffset",
            "mem_section", "contig_page_data", "crashk_res", "runqueues", "__per_cpu_offset",
            "init_pid_ns", "init_thread_union", "jiffies_64", "jiffies", "__start___ksymtab"]


def cmd_truth(console, setdir, image=None, sysmap=None):
    tdir = os.path.join(setdir, "truth")
    files = parse_console(console)
    if "final_ps.txt" not in files:
        raise SystemExit(f"{console}: no final_ps.txt block: the guest did not finish its report")
    # a kexec-captured panic: the console from the trigger on, whose kernel
    # lines the crashed kernel logged after the truth's dmesg was read
    pc = panic_console(console)
    if pc is not None:
        files["panic_console.txt"] = "".join(l + "\n" for l in pc).encode("latin-1")
        before = files.get("dmesg.txt", b"")
        files["dmesg_at_truth_time.txt"] = before
        files["dmesg.txt"] = before + "".join(l + "\n" for l in pc if KLINE.match(l)).encode("latin-1")
    for name, data in files.items():
        # log/...: the generator's own logs, kept beside the set, not truth
        p = os.path.join(setdir, "build", name) if name.startswith("log/") else os.path.join(tdir, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as o:
            o.write(data)
    if "kallsyms.gz" in files:
        want, got = set(SELECTED), {}
        for line in gzip.decompress(files["kallsyms.gz"]).decode("latin-1").splitlines():
            f = line.split()
            if len(f) == 3 and f[2] in want and f[2] not in got:
                got[f[2]] = line
        with open(os.path.join(tdir, "kallsyms_selected.txt"), "w") as o:
            o.write("".join(got[n] + "\n" for n in SELECTED if n in got))
    # the page table of the workload, from its own report
    rows = ["pid\tregion\tidx\tva\tpfn\tpa\tflags\tword_at_off64\ttag"]
    for line in files.get("workload.txt", b"").decode("latin-1").splitlines():
        f = line.split()
        if f[:1] == ["WLPAGE"] and len(f) == 10:
            rows.append("\t".join(f[1:]))
    with open(os.path.join(tdir, "workload_va_pa.tsv"), "w") as o:
        o.write("\n".join(rows) + "\n")
    # VMCOREINFO as the dump carries it
    vmci = ""
    elf = next((p for p in (os.path.join(setdir, n) for n in ("vmcore.elf", "vmcore.proc.elf"))
                if os.path.exists(p)), "")
    if elf:
        for name, typ, desc in elf_notes(elf):
            if name == "VMCOREINFO":
                vmci = desc.rstrip(b"\0").decode("latin-1")
        with open(os.path.join(tdir, "vmcoreinfo_from_dump.txt"), "w") as o:
            o.write(vmci)
    derive_symbols(tdir, files, vmci, image, sysmap)
    print(f"truth: {len(files)} files, {len(rows) - 1} workload rows -> {tdir}")


def stext_offset(img):
    """(_stext - _text, how it is known) of an arm64 Image: _stext starts
    .text, which the PE header (arm64 efi-header.S) names as BaseOfCode;
    without a PE header, SEGMENT_ALIGN (64K)."""
    if img[:2] == b"MZ" and len(img) > 0x40:
        pe, = struct.unpack_from("<I", img, 0x3c)
        if img[pe:pe + 4] == b"PE\0\0":
            return struct.unpack_from("<I", img, pe + 24 + 20)[0], "_stext - PE BaseOfCode"
    return 0x10000, "_stext - 64K"


def read_image(path):
    img = open(path, "rb").read()
    return gzip.decompress(img) if img[:2] == b"\x1f\x8b" else img


def derive_symbols(tdir, files, vmci, image, sysmap):
    ksyms = {}
    for line in gzip.decompress(files.get("kallsyms.gz", b"")).decode("latin-1").splitlines() \
            if "kallsyms.gz" in files else []:
        p = line.split()
        if len(p) == 3:
            ksyms.setdefault(p[2], int(p[0], 16))
    vi = dict(l.split("=", 1) for l in vmci.splitlines() if "=" in l)
    lines, note = [], []
    stext_rt = ksyms.get("_stext")
    kaslr, stext_link, source = None, None, None
    link = {}
    if sysmap and os.path.exists(sysmap) and os.path.getsize(sysmap) > 1000:
        for line in open(sysmap, errors="replace"):
            p = line.split()
            if len(p) == 3:
                link.setdefault(p[2], (int(p[0], 16), p[1]))
        if "_stext" in link and stext_rt is not None:
            stext_link = link["_stext"][0]
            kaslr = stext_rt - stext_link
            source = f"System.map ({os.path.basename(sysmap)})"
    if kaslr is None and "KERNELOFFSET" in vi:
        # arm64 VMCOREINFO carries kaslr_offset() as KERNELOFFSET
        kaslr = int(vi["KERNELOFFSET"], 16)
        if stext_rt is not None:
            stext_link = stext_rt - kaslr
        source = "VMCOREINFO KERNELOFFSET (no System.map: link addresses = runtime - offset)"
    with open(os.path.join(tdir, "kaslr.txt"), "w") as o:
        if kaslr is None:
            o.write("kaslr_offset unknown (no System.map and no KERNELOFFSET in VMCOREINFO)\n")
        else:
            o.write(f"kaslr_offset {kaslr:#x}\nkaslr_active {'yes' if kaslr else 'no'}\n")
            if stext_link is not None:
                o.write(f"stext_link {stext_link:#x}\nstext_runtime {stext_rt:#x}\n")
            o.write(f"source {source}\n")
    if kaslr is None:
        return None
    want = ["_text", "_stext", "_etext", "_sinittext", "_einittext", "_sdata", "_edata", "_end",
            "linux_banner", "init_task", "init_mm", "swapper_pg_dir", "idmap_pg_dir",
            "init_uts_ns", "vmcoreinfo_data", "vmcoreinfo_note", "kallsyms_names",
            "kallsyms_offsets", "kallsyms_relative_base", "kallsyms_num_syms",
            "kallsyms_token_table", "kallsyms_token_index", "kallsyms_markers",
            "__start_BTF", "__stop_BTF", "prb", "printk_rb_static", "clear_seq",
            "memstart_addr", "kimage_voffset", "mem_section", "node_data", "runqueues",
            "__per_cpu_offset", "init_pid_ns", "modules", "jiffies_64", "vmap_area_list",
            "high_memory", "max_pfn"]
    out = {}
    if link:
        for n in want:
            if n in link:
                out[n] = (link[n][0], link[n][0] + kaslr, link[n][1], "System.map")
    else:
        for n in want:
            if n in ksyms:
                out[n] = (ksyms[n] - kaslr, ksyms[n], "T", "kallsyms")
        for k, v in vi.items():
            m = re.match(r"SYMBOL\((\w+)\)$", k)
            # SYMBOL(mem_section) is the value of the pointer, not its address
            if m and m.group(1) not in out and m.group(1) != "mem_section":
                rt = int(v, 16)
                out[m.group(1)] = (rt - kaslr, rt, "D", "VMCOREINFO")
        # _text and linux_banner: the Image is loaded flat from _text, so a
        # byte's offset in the Image file is its offset from _text; _stext
        # starts .text, which the PE header (arm64 efi-header.S) names as
        # BaseOfCode; without a PE header, SEGMENT_ALIGN (64K) after _text
        ver = files.get("version.txt", b"")
        if image and stext_rt is not None:
            img = read_image(image)
            stext_off, how = stext_offset(img)
            text_rt = stext_rt - stext_off
            out.setdefault("_text", (text_rt - kaslr, text_rt, "T", how))
            at = img.find(ver) if ver else -1
            if at >= 0 and img.find(ver, at + 1) < 0 and "linux_banner" not in out:
                rt = text_rt + at
                out["linux_banner"] = (rt - kaslr, rt, "D", "_text + offset of the banner in the Image")
    with open(os.path.join(tdir, "kernel_symbols_derived.txt"), "w") as o:
        o.write(f"# name link_addr runtime_addr type source  (runtime = link + {kaslr:#x})\n")
        for n, (l, r, t, s) in out.items():
            o.write(f"{n} {l:#x} {r:#x} {t} {s}\n")
    return kaslr


def elf_loads(path):
    """[(p_vaddr, p_paddr, p_offset, p_filesz)] of the PT_LOAD segments."""
    out = []
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        for k in range(phnum):
            f.seek(phoff + k * phentsize)
            p_type, _, p_off, p_va, p_pa, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
            if p_type == 1:
                out.append((p_va, p_pa, p_off, p_filesz))
    return out


def cmd_verify(setdir):
    """The set's ELF files against its truth, read here without vmtool."""
    tdir = os.path.join(setdir, "truth")
    rd = lambda n: open(os.path.join(tdir, n), errors="replace").read() \
        if os.path.exists(os.path.join(tdir, n)) else ""
    version = (rd("version.txt").splitlines() or [""])[0].encode()
    banner = None
    for line in rd("kernel_symbols_derived.txt").splitlines():
        f = line.split()
        if len(f) >= 3 and f[0] == "linux_banner":
            banner = int(f[2], 16)
    pages = []
    for line in rd("workload_va_pa.tsv").splitlines()[1:]:
        f = line.split("\t")
        if len(f) >= 8 and int(f[4], 16):
            pages.append((int(f[5], 16), int(f[7], 16)))
    ncpu = sum(1 for l in rd("cpuinfo.txt").splitlines() if l.startswith("processor"))
    bad = 0
    for name in ("vmcore.elf", "vmcore.proc.elf"):
        path = os.path.join(setdir, name)
        if not os.path.exists(path):
            continue
        notes = elf_notes(path)
        loads = elf_loads(path)
        vmci = next((d.rstrip(b"\0").decode("latin-1") for n, t, d in notes if n == "VMCOREINFO"), "")
        vi = dict(l.split("=", 1) for l in vmci.splitlines() if "=" in l)
        prstatus = sum(1 for n, t, _ in notes if n == "CORE" and t == 1)
        f = open(path, "rb")

        def read_pa(pa, n):
            for va, spa, off, sz in loads:
                if spa <= pa and pa + n <= spa + sz:
                    f.seek(off + pa - spa)
                    return f.read(n)
            return None
        probs = []
        if not vi:
            probs.append("no VMCOREINFO note")
        if ncpu and prstatus != ncpu:
            probs.append(f"{prstatus} NT_PRSTATUS notes for {ncpu} CPUs")
        good = sum(1 for pa, w in pages if read_pa(pa + 64, 8) == struct.pack("<Q", w))
        if not pages:
            probs.append("no present workload page in truth/workload_va_pa.tsv")
        elif good != len(pages):
            probs.append(f"workload pages: {good}/{len(pages)} at their physical address")
        if banner is not None and "NUMBER(kimage_voffset)" in vi:
            pa = (banner - int(vi["NUMBER(kimage_voffset)"], 16)) & ((1 << 64) - 1)
            got = read_pa(pa, len(version))
            if got != version:
                probs.append(f"linux_banner at pa {pa:#x} reads {got!r}")
        else:
            probs.append("linux_banner: no address or no kimage_voffset")
        kva = sum(1 for va, *_ in loads if va >> 48 == 0xffff)
        if name == "vmcore.proc.elf" and kva != len(loads):
            probs.append(f"{len(loads) - kva} PT_LOAD with a p_vaddr that is no kernel address")
        print(f"verify {name}: VMCOREINFO {len(vi)} keys, {prstatus} NT_PRSTATUS, "
              f"{len(loads)} PT_LOAD ({kva} with kernel p_vaddr), workload pages {good}/{len(pages)}, "
              f"linux_banner {'ok' if not any('banner' in p for p in probs) else 'BAD'}"
              + ("" if not probs else "  PROBLEMS: " + "; ".join(probs)))
        bad += bool(probs)
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "cpio":
        cmd_cpio(argv[1], argv[2])
    elif len(argv) >= 4 and argv[0] == "qmp":
        cmd_qmp(argv[1], argv[2], argv[3:])
    elif len(argv) in (3, 5) and argv[0] == "unflatten":
        cmd_unflatten(argv[1], argv[2], int(argv[4]) if len(argv) == 5 else 0)
    elif len(argv) == 5 and argv[0] == "extract":
        cmd_extract(argv[1], int(argv[2]), int(argv[3]), argv[4])
    elif len(argv) >= 4 and argv[0] == "libs":
        cmd_libs(argv[1], argv[2], argv[3:])
    elif len(argv) == 2 and argv[0] == "stext-offset":
        print(hex(stext_offset(read_image(argv[1]))[0]))
    elif len(argv) == 2 and argv[0] == "verify":
        return cmd_verify(argv[1])
    elif len(argv) >= 3 and argv[0] == "truth":
        opts = dict(zip(argv[3::2], argv[4::2]))
        cmd_truth(argv[1], argv[2], opts.get("--image"), opts.get("--system-map"))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
