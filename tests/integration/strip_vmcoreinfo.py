#!/usr/bin/env python3
"""Copy a dump without its VMCOREINFO: usage: strip_vmcoreinfo.py [--damage] IN OUT

--damage: keep the VMCOREINFO but rename its SYMBOL(_stext) key (a damaged
note: the layout cannot be built from it) instead of removing it.

ELF: every PT_NOTE segment is rewritten without its "VMCOREINFO" notes (the
other notes move up, p_filesz shrinks; PT_LOAD data stays where it was).
kdump-compressed: the sub-header's offset_vmcoreinfo/size_vmcoreinfo are
zeroed and a "VMCOREINFO" note among the sub-header's notes is renamed
"XMCOREINFO" (same size), so no reader takes it for VMCOREINFO.
Only OUT is written. Exits 1 if IN held no VMCOREINFO at all."""
import shutil, struct, sys

def align4(n):
    return (n + 3) & ~3

def notes_without_vmcoreinfo(blob):
    out, off, dropped = b"", 0, 0
    while off + 12 <= len(blob):
        namesz, descsz, ntype = struct.unpack_from("<III", blob, off)
        end = off + 12 + align4(namesz) + align4(descsz)
        if end > len(blob):
            break
        name = blob[off + 12:off + 12 + namesz].rstrip(b"\0")
        if name == b"VMCOREINFO":
            dropped += 1
        else:
            out += blob[off:end]
        off = end
    return out, dropped

def strip_elf(f):
    f.seek(0)
    eh = f.read(64)
    phoff, = struct.unpack_from("<Q", eh, 32)
    phentsize, phnum = struct.unpack_from("<HH", eh, 54)
    dropped = 0
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        ph = bytearray(f.read(phentsize))
        ptype, = struct.unpack_from("<I", ph, 0)
        if ptype != 4:  # PT_NOTE
            continue
        offset, = struct.unpack_from("<Q", ph, 8)
        filesz, = struct.unpack_from("<Q", ph, 32)
        f.seek(offset)
        blob = f.read(filesz)
        kept, n = notes_without_vmcoreinfo(blob)
        dropped += n
        f.seek(offset)
        f.write(kept + b"\0" * (filesz - len(kept)))
        struct.pack_into("<Q", ph, 32, len(kept))
        struct.pack_into("<Q", ph, 40, len(kept))  # p_memsz
        f.seek(phoff + i * phentsize)
        f.write(ph)
    return dropped

def strip_kdump(f):
    f.seek(0)
    hdr = f.read(4096)
    version, = struct.unpack_from("<i", hdr, 8)
    # disk_dump_header: signature[8], header_version, utsname (6 x 65),
    # padding to 8 (408), timestamp (16), status, block_size at 428
    block_size, = struct.unpack_from("<i", hdr, 428)
    sh = block_size
    f.seek(sh)
    sub = bytearray(f.read(64))
    size_vmcoreinfo, = struct.unpack_from("<Q", sub, 40)
    dropped = 1 if version >= 3 and size_vmcoreinfo else 0
    struct.pack_into("<QQ", sub, 32, 0, 0)
    f.seek(sh)
    f.write(sub)
    if version >= 4:
        off_note, size_note = struct.unpack_from("<QQ", sub, 48)
        f.seek(off_note)
        blob = bytearray(f.read(size_note))
        off = 0
        while off + 12 <= len(blob):
            namesz, descsz, _ = struct.unpack_from("<III", blob, off)
            if blob[off + 12:off + 12 + namesz].rstrip(b"\0") == b"VMCOREINFO":
                blob[off + 12] = ord("X")
                dropped += 1
            off += 12 + align4(namesz) + align4(descsz)
        f.seek(off_note)
        f.write(blob)
    return dropped

def damage(f):
    """Rename SYMBOL(_stext) in the first 1 MiB (the notes and sub-header)."""
    f.seek(0)
    head = f.read(1 << 20)
    at = head.find(b"SYMBOL(_stext)=")
    if at < 0:
        return 0
    f.seek(at)
    f.write(b"SYMBOL(_xtext)=")
    return 1

def main():
    args = sys.argv[1:]
    damaged = args and args[0] == "--damage"
    src, dst = args[-2], args[-1]
    shutil.copyfile(src, dst)
    with open(dst, "r+b") as f:
        if damaged:
            if not damage(f):
                sys.exit(f"{src}: no SYMBOL(_stext)= in its first MiB")
            return
        magic = f.read(8)
        if magic[:4] == b"\x7fELF":
            dropped = strip_elf(f)
        elif magic in (b"KDUMP   ", b"DISKDUMP"):
            dropped = strip_kdump(f)
        else:
            sys.exit(f"{src}: neither ELF nor kdump-compressed")
    if not dropped:
        sys.exit(f"{src}: no VMCOREINFO to strip")

if __name__ == "__main__":
    main()
