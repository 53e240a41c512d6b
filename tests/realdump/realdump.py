#!/usr/bin/env python3
"""Helpers of make-dump-set.sh (host side).

  realdump.py cpio STAGEDIR OUT.cpio.gz     newc archive of STAGEDIR (owner 0:0) + /dev/console
  realdump.py qmp SOCKET OUTDIR FORMAT...   stop the guest, dump-guest-memory per format, quit
  realdump.py unflatten IN.flat OUT         makedumpfile flattened format -> normal file
  realdump.py truth CONSOLE.log SETDIR [--image IMAGE] [--system-map MAP]
                                            console markers -> SETDIR/truth/, derived symbols
"""
import base64, gzip, json, os, re, socket, stat, struct, sys, time


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
    with gzip.open(dest, "wb", compresslevel=9) as out:
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
def cmd_unflatten(src, dst):
    with open(src, "rb") as i, open(dst + ".tmp", "wb") as o:
        hdr = i.read(4096)
        if len(hdr) != 4096 or not hdr.startswith(b"makedumpfile"):
            raise SystemExit(f"{src}: offset 0: not a flattened makedumpfile file")
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


def cmd_truth(console, setdir, image=None, sysmap=None):
    tdir = os.path.join(setdir, "truth")
    files = parse_console(console)
    if "final_ps.txt" not in files:
        raise SystemExit(f"{console}: no final_ps.txt block: the guest did not finish its report")
    for name, data in files.items():
        p = os.path.join(tdir, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as o:
            o.write(data)
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
    elf = os.path.join(setdir, "vmcore.elf")
    if os.path.exists(elf):
        for name, typ, desc in elf_notes(elf):
            if name == "VMCOREINFO":
                vmci = desc.rstrip(b"\0").decode("latin-1")
        with open(os.path.join(tdir, "vmcoreinfo_from_dump.txt"), "w") as o:
            o.write(vmci)
    derive_symbols(tdir, files, vmci, image, sysmap)
    print(f"truth: {len(files)} files, {len(rows) - 1} workload rows -> {tdir}")


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
            img = open(image, "rb").read()
            if img[:2] == b"\x1f\x8b":
                img = gzip.decompress(img)
            stext_off, how = 0x10000, "_stext - 64K"
            if img[:2] == b"MZ" and len(img) > 0x40:
                pe, = struct.unpack_from("<I", img, 0x3c)
                if img[pe:pe + 4] == b"PE\0\0":
                    stext_off, = struct.unpack_from("<I", img, pe + 24 + 20)
                    how = "_stext - PE BaseOfCode"
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


def main(argv):
    if len(argv) >= 3 and argv[0] == "cpio":
        cmd_cpio(argv[1], argv[2])
    elif len(argv) >= 4 and argv[0] == "qmp":
        cmd_qmp(argv[1], argv[2], argv[3:])
    elif len(argv) == 3 and argv[0] == "unflatten":
        cmd_unflatten(argv[1], argv[2])
    elif len(argv) >= 3 and argv[0] == "truth":
        opts = dict(zip(argv[3::2], argv[4::2]))
        cmd_truth(argv[1], argv[2], opts.get("--image"), opts.get("--system-map"))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
