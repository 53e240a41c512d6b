"""Read and edit crash dump files for the corrupt-dump suite: the places
of every structure (so that damage lands where it is meant to), and pages
replaced in place (ELF) or appended uncompressed (kdump, where the page's
descriptor is pointed at the new copy), so that kernel objects inside a
compressed dump can be damaged too.

Formats as ARM64-REFERENCE.md section 2.8 and makedumpfile's IMPLEMENTATION
describe them; written independently of vmtool's readers.
"""
import struct
import zlib

ELF_MAGIC = b"\x7fELF"
KDUMP_SIGS = (b"KDUMP   ", b"DISKDUMP")
FLAT_SIG = b"makedumpfile"


def kind_of(data):
    if data[:4] == ELF_MAGIC:
        return "elf"
    if data[:8] in KDUMP_SIGS:
        return "kdump"
    if data[:12] == FLAT_SIG:
        return "flattened"
    return None


def unflatten(data):
    """The kdump file a flattened stream describes, and the record list
    [(stream offset of the record header, target offset, size)]."""
    out = bytearray()
    recs = []
    off = 4096
    while off + 16 <= len(data):
        target, size = struct.unpack_from(">qq", data, off)
        if target == -1:
            break
        recs.append((off, target, size))
        if len(out) < target + size:
            out.extend(b"\0" * (target + size - len(out)))
        out[target:target + size] = data[off + 16:off + 16 + size]
        off += 16 + size
    return out, recs


class Kdump:
    """A kdump-compressed file held in a bytearray."""

    def __init__(self, data):
        self.data = bytearray(data)
        d = self.data
        v = struct.unpack_from("<i", d, 8)[0]
        self.be = not 1 <= v <= 6
        self.e = ">" if self.be else "<"
        self.version = struct.unpack_from(self.e + "i", d, 8)[0]
        f = self.e
        self.status = struct.unpack_from(f + "I", d, 424)[0]
        self.block_size = struct.unpack_from(f + "I", d, 428)[0]
        self.sub_hdr_size = struct.unpack_from(f + "I", d, 432)[0]
        self.bitmap_blocks = struct.unpack_from(f + "I", d, 436)[0]
        self.max_mapnr = struct.unpack_from(f + "I", d, 440)[0]
        sh = self.block_size
        self.sub_header = sh
        if self.version >= 6:
            self.max_mapnr = struct.unpack_from(f + "Q", d, sh + 96)[0]
        self.split = (struct.unpack_from(f + "i", d, sh + 12)[0]
                      if self.version >= 2 else 0)
        self.vmcoreinfo = (struct.unpack_from(f + "QQ", d, sh + 32)
                           if self.version >= 3 else (0, 0))
        self.notes = (struct.unpack_from(f + "QQ", d, sh + 48)
                      if self.version >= 4 else (0, 0))
        self.bitmap1 = (1 + self.sub_hdr_size) * self.block_size
        half = self.bitmap_blocks * self.block_size // 2
        self.bitmap2 = self.bitmap1 + half
        self.desc = self.bitmap1 + 2 * half
        bm = bytes(d[self.bitmap2:self.bitmap2 + (self.max_mapnr + 7) // 8])
        # Descriptor index of each present PFN, in order.
        self.pfns = []
        if self.max_mapnr < 1 << 26:
            for i, byte in enumerate(bm):
                if byte:
                    self.pfns += [8 * i + b for b in range(8)
                                  if byte >> b & 1 and 8 * i + b < self.max_mapnr]
        self.index = {p: i for i, p in enumerate(self.pfns)}

    def structures(self):
        """(name, offset, size) of each structure, in file order."""
        s = [("header", 0, 464), ("sub_header", self.sub_header, 104),
             ("bitmap1", self.bitmap1, self.bitmap2 - self.bitmap1),
             ("bitmap2", self.bitmap2, self.desc - self.bitmap2),
             ("descriptors", self.desc, 24 * len(self.pfns))]
        if self.vmcoreinfo[1]:
            s.append(("vmcoreinfo", self.vmcoreinfo[0], self.vmcoreinfo[1]))
        if self.notes[1]:
            s.append(("notes", self.notes[0], self.notes[1]))
        if self.pfns:
            off, size, _, _ = self.descriptor(self.pfns[0])
            s.append(("page_data", off, size))
        return sorted(s, key=lambda x: x[1])

    def desc_offset(self, pfn):
        return self.desc + 24 * self.index[pfn]

    def descriptor(self, pfn):
        return struct.unpack_from(self.e + "qIIQ", self.data,
                                  self.desc_offset(pfn))

    def read_page(self, pfn):
        """The page's bytes, or None (not present, or a compression this
        module cannot undo)."""
        if pfn not in self.index:
            return None
        off, size, flags, _ = self.descriptor(pfn)
        raw = bytes(self.data[off:off + size])
        if flags == 0:
            return raw
        if flags == 1:
            return zlib.decompress(raw)
        return None

    def write_page(self, pfn, page):
        """Store @page uncompressed at the end and point the descriptor
        there."""
        assert len(page) == self.block_size
        off = len(self.data)
        self.data.extend(page)
        struct.pack_into(self.e + "qII", self.data, self.desc_offset(pfn),
                         off, self.block_size, 0)

    def read_phys(self, paddr, n):
        pfn, at = divmod(paddr, self.block_size)
        page = self.read_page(pfn)
        if page is None or at + n > len(page):
            return None
        return page[at:at + n]

    def patch_phys(self, paddr, new):
        """Overwrite bytes at a physical address (within one page)."""
        pfn, at = divmod(paddr, self.block_size)
        page = self.read_page(pfn)
        if page is None or at + len(new) > len(page):
            return False
        page = bytearray(page)
        page[at:at + len(new)] = new
        self.write_page(pfn, bytes(page))
        return True


class Elf:
    """An ELF64 vmcore held in a bytearray."""

    def __init__(self, data):
        self.data = bytearray(data)
        d = self.data
        self.e = ">" if d[5] == 2 else "<"
        f = self.e
        self.phoff = struct.unpack_from(f + "Q", d, 32)[0]
        self.phentsize = struct.unpack_from(f + "H", d, 54)[0]
        self.phnum = struct.unpack_from(f + "H", d, 56)[0]
        self.phdrs = []
        for i in range(self.phnum):
            p = self.phoff + i * self.phentsize
            t, _, off, _, paddr, filesz, memsz = struct.unpack_from(
                f + "IIQQQQQ", d, p)
            self.phdrs.append((p, t, off, paddr, filesz, memsz))

    def structures(self):
        s = [("ehdr", 0, 64), ("phdrs", self.phoff,
                                self.phnum * self.phentsize)]
        for p, t, off, paddr, filesz, _ in self.phdrs:
            if t == 4:
                s.append(("notes", off, filesz))
            elif t == 1 and filesz:
                s.append(("load", off, filesz))
        return sorted(s, key=lambda x: x[1])

    def notes(self):
        """(name, type, offset of the note header, desc offset, descsz)."""
        out = []
        for _, t, off, _, filesz, _ in self.phdrs:
            if t != 4:
                continue
            at, end = off, off + filesz
            while at + 12 <= end:
                namesz, descsz, ntype = struct.unpack_from(self.e + "III",
                                                           self.data, at)
                name = bytes(self.data[at + 12:at + 12 + namesz]).rstrip(b"\0")
                desc = at + 12 + (namesz + 3) // 4 * 4
                out.append((name, ntype, at, desc, descsz))
                at = desc + (descsz + 3) // 4 * 4
                if not namesz and not descsz:
                    break
        return out

    def file_offset(self, paddr):
        for _, t, off, start, filesz, _ in self.phdrs:
            if t == 1 and start <= paddr < start + filesz:
                return off + paddr - start
        return None

    def read_phys(self, paddr, n):
        at = self.file_offset(paddr)
        return None if at is None else bytes(self.data[at:at + n])

    def patch_phys(self, paddr, new):
        at = self.file_offset(paddr)
        if at is None or at + len(new) > len(self.data):
            return False
        self.data[at:at + len(new)] = new
        return True


def open_dump(data):
    k = kind_of(data)
    if k == "elf":
        return Elf(data)
    if k == "kdump":
        return Kdump(data)
    if k == "flattened":
        return Kdump(unflatten(data)[0])
    return None
