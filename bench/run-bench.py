#!/usr/bin/python3
"""vmtool benchmarks against drgn and libkdumpfile, on the real dumps.

Prints figures only (never pass/fail): each peer ratio is measured in this
run, on the same file, and says which file it used. A peer that cannot open
or read a file is reported as "peer failed: <its error>" and the other files
of the set are tried.

usage: run-bench.py --builddir DIR [--srcdir DIR]
environment: VMTOOL_SHARED_DUMPS (the dump sets; required), VMTOOL_CACHE
(where the decompressed ELF and vmlinux files are kept; default
/tmp/vmtool-cache).

Peers run in child processes (this script with --worker), so a crash in a
peer's library is a reported failure, not the end of the run.
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

DEBIAN_VMLINUX = '/usr/lib/debug/boot/vmlinux-6.1.0-50-arm64'
PEER_TIMEOUT = 120


# ---------------------------------------------------------------- workers
# Each worker prints one JSON object on stdout.

def _drgn_program(core, fix):
    """A drgn Program on @core. @fix, for QEMU's ELF (p_vaddr = p_paddr, so
    drgn has no virtual address for swapper_pg_dir and its page-table walk
    recurses): [pgd_va, size, kimage_voffset] adds one segment mapping the
    top-level table through kimage_voffset; every other address still goes
    through drgn's own page-table walk."""
    import drgn
    prog = drgn.Program()
    prog.set_core_dump(core)
    if fix:
        pgd, size, voff = fix
        prog.add_memory_segment(
            pgd, size,
            lambda addr, count, offset, physical: prog.read(addr - voff, count, True),
            False)
    return prog


def _kdf_context(path):
    """libkdumpfile with its addrxlat context. Debian's 0.5.1 binding calls
    ctx.cb_read_caps(), which is missing and whose default returns a tuple:
    give it one that returns the capability number."""
    import kdumpfile
    k = kdumpfile.kdumpfile(path)
    k.attr['addrxlat.ostype'] = 'linux'
    ctx = k.get_addrxlat_ctx()
    ctx.cb_read_caps = lambda: ctx.next_read_caps()[0]
    return k, ctx, k.get_addrxlat_sys()


def _err(e):
    return '%s: %s' % (type(e).__name__, str(e).splitlines()[0] if str(e) else '')


def w_drgn_open(a):
    import drgn
    times = []
    try:
        for _ in range(a['n']):
            t0 = time.perf_counter()
            prog = drgn.Program()
            prog.set_core_dump(a['path'])
            times.append(time.perf_counter() - t0)
    except Exception as e:
        return {'ok': False, 'error': _err(e)}
    res = {'ok': True, 'times': times}
    try:
        res['banner'] = _drgn_program(a['path'], a.get('fix')).read(a['banner'], 13).decode('latin-1')
    except Exception as e:
        res['read_error'] = _err(e)
    return res


def w_kdf_open(a):
    import kdumpfile
    times = []
    try:
        for _ in range(a['n']):
            t0 = time.perf_counter()
            k = kdumpfile.kdumpfile(a['path'])
            fmt = k.attr['file.format']
            times.append(time.perf_counter() - t0)
    except Exception as e:
        return {'ok': False, 'error': _err(e)}
    res = {'ok': True, 'times': times, 'format': str(fmt)}
    try:
        k, _, _ = _kdf_context(a['path'])
        res['banner'] = bytes(k.read(kdumpfile.KDUMP_KVADDR, a['banner'], 13)).decode('latin-1')
    except Exception as e:
        res['read_error'] = _err(e)
    return res


def _addresses(path):
    with open(path) as f:
        return [int(line, 16) for line in f if line.strip()]


def w_drgn_translate(a):
    addrs = _addresses(a['addrs'])
    try:
        prog = _drgn_program(a['path'], a.get('fix'))
    except Exception as e:
        return {'ok': False, 'error': _err(e)}
    faults, first = 0, None
    read = prog.read
    t0 = time.perf_counter()
    for addr in addrs:
        try:
            read(addr, 1)
        except Exception as e:
            faults += 1
            first = first or _err(e)
    t = time.perf_counter() - t0
    return {'ok': faults < len(addrs), 'n': len(addrs), 'time': t,
            'faults': faults, 'error': first}


def w_kdf_translate(a):
    import addrxlat
    addrs = _addresses(a['addrs'])
    try:
        k, ctx, sys_ = _kdf_context(a['path'])
    except Exception as e:
        return {'ok': False, 'error': _err(e)}
    faults, first = 0, None
    full, kv, mp = addrxlat.FullAddress, addrxlat.KVADDR, addrxlat.MACHPHYSADDR
    t0 = time.perf_counter()
    for addr in addrs:
        fa = full(kv, addr)
        try:
            fa.conv(mp, ctx, sys_)
        except Exception as e:
            faults += 1
            first = first or _err(e)
    t = time.perf_counter() - t0
    return {'ok': faults < len(addrs), 'n': len(addrs), 'time': t,
            'faults': faults, 'error': first}


def w_kdf_read(a):
    """Every block of the ranges by physical address, as bench_read does."""
    import kdumpfile
    try:
        k = kdumpfile.kdumpfile(a['path'])
    except Exception as e:
        return {'ok': False, 'error': _err(e)}
    bs, n, faults, first = a['block'], 0, 0, None
    t0 = time.perf_counter()
    for start, end in a['ranges']:
        for pa in range(start, end - bs + 1, bs):
            try:
                k.read(kdumpfile.KDUMP_MACHPHYSADDR, pa, bs)
                n += 1
            except Exception as e:
                faults += 1
                first = first or _err(e)
    t = time.perf_counter() - t0
    return {'ok': n > 0, 'time': t, 'blocks': n, 'faults': faults, 'error': first}


def w_drgn_sym(a):
    import drgn
    times, addr, mode = [], None, 'core'
    for _ in range(a['n']):
        t0 = time.perf_counter()
        try:
            prog = _drgn_program(a['path'], a.get('fix'))
        except Exception as e:
            # No core drgn can read: vmlinux alone (link addresses).
            mode = 'vmlinux only (core: %s)' % _err(e)
            prog = drgn.Program(drgn.Platform(
                drgn.Architecture.AARCH64,
                drgn.PlatformFlags.IS_64_BIT | drgn.PlatformFlags.IS_LITTLE_ENDIAN))
        try:
            prog.load_debug_info([a['vmlinux']])
            addr = prog.symbol('init_uts_ns').address
        except Exception as e:
            return {'ok': False, 'error': _err(e)}
        times.append(time.perf_counter() - t0)
    return {'ok': True, 'times': times, 'address': addr, 'mode': mode}


def _maple_entries(prog, root):
    """Leaf entries of a maple tree in index order (lib/maple_tree.c: the
    root is tagged 0b10 when it is a node; a node pointer carries its type
    in bits 3-6; 16 slots and 15 pivots in range_64/leaf_64, 10 and 9 in
    arange_64; a zero pivot past slot 0 ends the node's data). Drgn 0.0.22
    has no maple-tree or for_each_vma helper."""
    from drgn import Object
    node_t = prog.type('struct maple_node *')
    out = []

    def walk(entry, hi, is_node):
        if not entry:
            return
        if not is_node:
            out.append(entry)
            return
        typ = (entry >> 3) & 0xf
        node = Object(prog, node_t, value=entry & ~0xff)
        if typ == 3:
            slots, pivots, n = node.ma64.slot, node.ma64.pivot, 10
        elif typ in (1, 2):
            slots, pivots, n = node.mr64.slot, node.mr64.pivot, 16
        else:
            raise ValueError('maple node %#x: type %d' % (entry, typ))
        for i in range(n):
            end = pivots[i].value_() if i < n - 1 else hi
            if i > 0 and end == 0:
                break
            s = slots[i].value_()
            if typ == 1:
                if s:
                    out.append(s)
            else:
                walk(s, end, True)
            if end >= hi:
                break

    walk(root, (1 << 64) - 1, (root & 3) == 2 and root > 4096)
    return out


def w_drgn_vm(a):
    from drgn import Object
    from drgn.helpers.linux.fs import d_path
    from drgn.helpers.linux.pid import for_each_task
    t0 = time.perf_counter()
    try:
        prog = _drgn_program(a['path'], a.get('fix'))
        prog.load_debug_info([a['vmlinux']])
    except Exception as e:
        return {'ok': False, 'error': _err(e)}
    t1 = time.perf_counter()
    lines = []
    try:
        vma_t = prog.type('struct vm_area_struct *')
        for task in for_each_task(prog):
            mm = task.mm
            if not mm or task.pid != task.tgid:
                continue
            lines.append('PID: %d  COMMAND: "%s"' % (task.pid, task.comm.string_().decode()))
            for v in _maple_entries(prog, mm.mm_mt.ma_root.value_()):
                vma = Object(prog, vma_t, value=v)
                f = vma.vm_file
                lines.append('%x %16x %16x %8x  %s' % (
                    v, vma.vm_start.value_(), vma.vm_end.value_(),
                    vma.vm_flags.value_(),
                    d_path(f.f_path).decode('latin-1') if f else ''))
    except Exception as e:
        return {'ok': False, 'error': _err(e)}
    t2 = time.perf_counter()
    return {'ok': True, 'load': t1 - t0, 'list': t2 - t1, 'total': t2 - t0,
            'tasks': sum(1 for x in lines if x.startswith('PID')),
            'vmas': sum(1 for x in lines if not x.startswith('PID'))}


WORKERS = {n[2:]: f for n, f in globals().items() if n.startswith('w_')}


def run_worker(name, **args):
    """Run a worker in a child process; a crash or timeout is a failure."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, os.path.abspath(__file__),
                            '--worker', name, json.dumps(args)],
                           capture_output=True, text=True, timeout=PEER_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {'ok': False, 'error': 'timed out after %d s' % PEER_TIMEOUT}
    wall = time.perf_counter() - t0
    lines = p.stdout.strip().splitlines()
    if p.returncode or not lines:
        err = (p.stderr.strip().splitlines() or ['exit status %d' % p.returncode])[-1]
        return {'ok': False, 'error': err}
    res = json.loads(lines[-1])
    res['wall'] = wall  # the whole child: interpreter start and imports too
    return res


# ---------------------------------------------------------------- driver

class Bench:
    def __init__(self, builddir, shared, cache):
        self.vmtool = os.path.join(builddir, 'vmtool')
        self.bench_read = os.path.join(builddir, 'bench', 'bench_read')
        self.bench_translate = os.path.join(builddir, 'bench', 'bench_translate')
        self.bench_save_bin = os.path.join(builddir, 'bench', 'bench_save')
        self.shared, self.cache = shared, cache
        self.summary = []  # (issue, figure, value, goal/peer, file)
        self.sets = {}

    # -- helpers
    def row(self, issue, what, value, note=''):
        self.summary.append((issue, what, value, note))

    def decompressed(self, setname, name):
        """$cache/<set>/<name> from <name>.xz, made once (.tmp then rename)."""
        src = os.path.join(self.shared, setname, name + '.xz')
        dst = os.path.join(self.cache, setname, name)
        if os.path.exists(dst):
            return dst
        if not os.path.exists(src):
            return None
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        tmp = '%s.tmp.%d' % (dst, os.getpid())
        with open(tmp, 'wb') as out:
            subprocess.run(['xz', '-dkc', src], stdout=out, check=True)
        os.rename(tmp, dst)
        return dst

    def vmtool_run(self, args, stdin=None):
        """Wall time, exit status, and the peak RSS of one vmtool run."""
        # stderr to a file: a pipe could fill while stdin is still written.
        with tempfile.TemporaryFile() as errf:
            t0 = time.perf_counter()
            p = subprocess.Popen([self.vmtool, '-q'] + args,
                                 stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=errf)
            if stdin:
                p.stdin.write(stdin.encode())
                p.stdin.close()
            _, status, ru = os.wait4(p.pid, 0)
            t = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            errf.seek(0)
            err = errf.read().decode(errors='replace')
        return t, p.returncode, ru.ru_maxrss, err

    def vmtool_median(self, args, n):
        times = []
        for _ in range(n):
            t, rc, _, err = self.vmtool_run(args)
            if rc:
                return None, err.strip().splitlines()[-1] if err.strip() else 'exit %d' % rc
            times.append(t)
        return statistics.median(times), None

    def load_sets(self):
        for d in sorted(glob.glob(os.path.join(self.shared, '*', 'truth'))):
            d = os.path.dirname(d)
            name = os.path.basename(d)
            s = {'dir': d, 'files': []}
            vi = {}
            with open(os.path.join(d, 'truth', 'vmcoreinfo_from_dump.txt')) as f:
                for line in f:
                    if '=' in line:
                        k, v = line.strip().split('=', 1)
                        vi[k] = v
            syms = {}
            with open(os.path.join(d, 'truth', 'kernel_symbols_derived.txt')) as f:
                for line in f:
                    w = line.split()
                    if len(w) >= 3 and not line.startswith('#'):
                        syms[w[0]] = int(w[2], 16)
            s['banner'] = syms['linux_banner']
            s['fix'] = [int(vi['SYMBOL(swapper_pg_dir)'], 16), int(vi['PAGESIZE']),
                        int(vi['NUMBER(kimage_voffset)'], 16)]
            elf = self.decompressed(name, 'vmcore.elf')
            if elf:
                s['files'].append(elf)
            s['files'] += sorted(f for f in glob.glob(os.path.join(d, 'vmcore.*'))
                                 if not f.endswith('.xz'))
            s['vmlinux'] = self.decompressed(name, 'vmlinux')
            if not s['vmlinux'] and name.startswith('debian61'):
                for cand in (os.path.join(self.cache, name, 'vmlinux'), DEBIAN_VMLINUX):
                    if os.path.exists(cand):
                        s['vmlinux'] = cand
            self.sets[name] = s

    @staticmethod
    def short(path):
        return '/'.join(path.split('/')[-2:])

    # -- issue 2: open, info, peers' ability to open
    def bench_open(self):
        print('\n== Issue 2a: open + info latency (median of 10; vmtool: whole process, '
              'peers: in-process open, interpreter start and import excluded)')
        floor, _ = self.vmtool_median(['--version'], 10)
        print('(process floor: `vmtool --version` takes %.2f ms from here)' % (floor * 1e3))
        self.row('2a', 'process floor (vmtool --version)', '%.2f ms' % (floor * 1e3), '')
        print('%-40s %10s %10s %12s' % ('file', 'vmtool', 'drgn', 'libkdumpfile'))
        self.can = {}
        for name, s in self.sets.items():
            for f in s['files']:
                vt, verr = self.vmtool_median([f, 'info'], 10)
                _, rc, _, rerr = self.vmtool_run([f, 'rd', '%#x' % s['banner'], '2'])
                dr = run_worker('drgn_open', path=f, n=10, banner=s['banner'],
                                fix=s['fix'] if f.endswith('.elf') else None)
                kd = run_worker('kdf_open', path=f, n=10, banner=s['banner'])
                self.can[f] = {'vmtool': (verr is None, verr, rc == 0, rerr.strip()),
                               'drgn': dr, 'kdf': kd}

                def fmt(r):
                    return '%.2f ms' % (statistics.median(r['times']) * 1e3) if r['ok'] else 'failed'
                print('%-40s %10s %10s %12s' % (self.short(f),
                      '%.2f ms' % (vt * 1e3) if vt else 'failed', fmt(dr), fmt(kd)))
                for peer, r in (('drgn', dr), ('libkdumpfile', kd)):
                    if not r['ok']:
                        print('    %s: peer failed: %s' % (peer, r['error']))
                if vt:
                    self.row('2a', 'info latency ' + self.short(f), '%.2f ms' % (vt * 1e3),
                             'drgn %s, libkdumpfile %s' % (fmt(dr), fmt(kd)))
        print('\n== Who can open and read each file (read = linux_banner through its kernel VA)')
        print('%-40s %-16s %-26s %-22s' % ('file', 'vmtool', 'drgn 0.0.22', 'libkdumpfile 0.5.1'))
        for f, c in self.can.items():
            v = c['vmtool']
            cells = ['open ok' if v[0] else 'OPEN FAILS', 'read ok' if v[2] else 'READ FAILS']
            line = '%-40s %-16s' % (self.short(f), '/'.join(cells))
            notes = []
            for peer, r in (('drgn', c['drgn']), ('libkdumpfile', c['kdf'])):
                if not r['ok']:
                    cell = 'OPEN FAILS'
                elif 'read_error' in r:
                    cell = 'open ok/READ FAILS'
                    notes.append('%s read: %s' % (peer, r['read_error']))
                else:
                    cell = 'open ok/read ok'
                line += ' %-26s' % cell if peer == 'drgn' else ' %-22s' % cell
            print(line)
            for n in notes:
                print('    ' + n)
        print('  (drgn reads on QEMU ELF files use a one-page swapper_pg_dir segment added by '
              'this script; without it drgn fails with "recursive address translation")')

    # -- issue 2b/2c: sequential read, RSS
    def bench_reads(self):
        print('\n== Issue 2b: sequential read of every present block: library vs bare '
              'pread + zlib uncompress()/lzo1x_decompress_safe() (goal <= 1.2)')
        for name, s in self.sets.items():
            for f in s['files']:
                if not (f.endswith('.kdump-zlib') or f.endswith('.kdump') or f.endswith('.flat')):
                    continue
                p = subprocess.run([self.bench_read, '-r', '5', f], capture_output=True, text=True)
                print('-- ' + self.short(f))
                print('   ' + (p.stdout + p.stderr).strip().replace('\n', '\n   '))
                out = dict(l.split(': ', 1) for l in p.stdout.splitlines() if ': ' in l)
                if 'ratio library/bare' in out:
                    self.row('2b', 'read library/bare ' + self.short(f), out['ratio library/bare'],
                             'goal <= 1.2; library ' + out['library'].split('= ')[-1].split(' (')[0])
                if 'library' in out and not f.endswith('.flat'):
                    info = json.loads(subprocess.run([self.vmtool, '-q', '--json', f, 'info'],
                                                     capture_output=True, text=True).stdout)
                    ranges = [[int(r['start'], 16), int(r['end'], 16)] for r in info['phys_ranges']]
                    kd = run_worker('kdf_read', path=f, block=info['block_size'], ranges=ranges)
                    lib = float(out['library'].split('median of 5: ')[1].split(' s')[0])
                    if kd['ok']:
                        print('   libkdumpfile (Python loop, kdumpfile.read per block): %.3f s for %d blocks'
                              '%s -> vmtool library %.1fx faster' % (
                                  kd['time'], kd['blocks'],
                                  ' (and %d faults on blocks not in the dump)' % kd['faults'] if kd['faults'] else '',
                                  kd['time'] / lib))
                        self.row('2b', 'read libkdumpfile/vmtool ' + self.short(f),
                                 '%.1fx' % (kd['time'] / lib), 'libkdumpfile through Python')
                    else:
                        print('   libkdumpfile: peer failed: ' + kd['error'])
        print('\n== Issue 2c: peak RSS (getrusage of the child)')
        for name, s in self.sets.items():
            if not name.startswith('debian61'):
                continue
            for f in s['files']:
                if f.endswith('.mdf-lzo-d31.kdump'):
                    continue
                ranges = json.loads(subprocess.run([self.vmtool, '-q', '--json', f, 'info'],
                                                   capture_output=True, text=True).stdout)['phys_ranges']
                start, end = int(ranges[0]['start'], 16), int(ranges[-1]['end'], 16)
                t, rc, rss, err = self.vmtool_run([f, 'rd', '-p', '-8', '%#x' % start, '%d' % (end - start), '--raw'])
                print('%-40s vmtool rd -p (one %d MiB --raw read): %.2f s, rc %d, peak RSS %d MiB' % (
                    self.short(f), (end - start) >> 20, t, rc, rss >> 10))
                cmds = ''.join('rd -p -64 %#x 512 --raw\n' % pa for pa in range(start, end, 4096))
                t2, rc2, rss2, _ = self.vmtool_run([f], stdin=cmds)
                print('%-40s vmtool rd -p page by page (%d commands on stdin): %.2f s, rc %d, peak RSS %d MiB' % (
                    self.short(f), (end - start) // 4096, t2, rc2, rss2 >> 10))
                p = subprocess.run([self.bench_read, '-r', '1', f], capture_output=True, text=True)
                brss = [l for l in p.stdout.splitlines() if l.startswith('peak RSS')]
                print('%-40s bench_read (whole dump, block by block): %s' % (self.short(f), brss[0] if brss else p.stderr.strip()))
                self.row('2c', 'peak RSS ' + self.short(f),
                         '%d / %d / %s MiB' % (rss >> 10, rss2 >> 10,
                                               int(brss[0].split(': ')[1].split()[0]) >> 10 if brss else '?'),
                         'rd one read / rd page by page / bench_read')

    # -- issue 3: translation
    def bench_translate_all(self):
        print('\n== Issue 3: kernel VA -> PA, 1,000,000 mixed addresses (goal >= 10 M/s cached)')
        print('   peers: the first 100,000 addresses of the same stream, then scaled; drgn 0.0.22 has no '
              'translation call, so drgn times prog.read(addr, 1); libkdumpfile times '
              'addrxlat FullAddress(KVADDR).conv(MACHPHYSADDR) from Python')
        for name, s in self.sets.items():
            # The ELF for vmtool and libkdumpfile; drgn reads the ELF with
            # the swapper_pg_dir segment, and a kdump natively where it can.
            for f in s['files']:
                if not (f.endswith('.elf') or f.endswith('.mdf-lzo-d31.kdump')):
                    continue
                addrs = os.path.join(self.cache, name, 'bench-addrs.txt')
                p = subprocess.run([self.bench_translate, s['dir'], f, addrs],
                                   capture_output=True, text=True)
                print('-- %s\n   %s' % (self.short(f), (p.stdout + p.stderr).strip().replace('\n', '\n   ')))
                if p.returncode and 'checksum' not in p.stdout:
                    continue
                rate = float(p.stdout.split('= ')[1].split(' M')[0]) * 1e6
                self.row('3', 'translate/s ' + self.short(f), '%.1f M/s' % (rate / 1e6), 'goal >= 10 M/s')
                for peer, w, fix in (('drgn', 'drgn_translate', s['fix'] if f.endswith('.elf') else None),
                                     ('libkdumpfile', 'kdf_translate', None)):
                    r = run_worker(w, path=f, addrs=addrs, fix=fix)
                    if not r['ok']:
                        print('   %s: peer failed: %s' % (peer, r['error']))
                        continue
                    prate = r['n'] / r['time']
                    print('   %s: %d in %.3f s = %.3f M/s (%d faults%s) -> vmtool %.0fx faster' % (
                        peer, r['n'], r['time'], prate / 1e6, r['faults'],
                        ': ' + r['error'] if r['faults'] else '', rate / prate))
                    self.row('3', '%s/vmtool time %s' % (peer, self.short(f)), '%.0fx' % (rate / prate),
                             '%s %.3f M/s (100k, scaled)' % (peer, prate / 1e6))

    # -- issue 4: symbols
    def bench_symbols(self):
        print('\n== Issue 4: time to first answer of `sym init_uts_ns` (median of 5)')
        for name, s in self.sets.items():
            f = s['files'][0]
            t0, e0 = self.vmtool_median([f, 'sym', 'init_uts_ns'], 5)
            t1, e1 = self.vmtool_median([f, 'sym', 'schedule'], 5)
            print('-- %s\n   vmtool, no vmlinux: init_uts_ns %s, schedule %s' % (
                self.short(f), '%.1f ms' % (t0 * 1e3) if t0 else 'failed: %s' % e0,
                '%.1f ms' % (t1 * 1e3) if t1 else 'failed: %s' % e1))
            if t0:
                self.row('4', 'sym, no vmlinux ' + self.short(f), '%.1f ms' % (t0 * 1e3),
                         'drgn 0.0.22 cannot answer without debug info')
            if not s['vmlinux']:
                print('   no vmlinux for this set (Debian: linux-image-6.1.0-50-arm64-dbg, '
                      'vmlinux-6.1.0-50-arm64 in $VMTOOL_CACHE/%s/vmlinux or %s): skipped' % (name, DEBIAN_VMLINUX))
                continue
            tk, ek = self.vmtool_median(['-k', s['vmlinux'], f, 'sym', 'init_uts_ns'], 5)
            print('   vmtool -k vmlinux: %s' % ('%.1f ms' % (tk * 1e3) if tk else 'failed: %s' % ek))
            # drgn needs a core it can read: the native kdump where there is one.
            core = next((x for x in s['files'] if x.endswith('.mdf-lzo-d31.kdump')), f)
            r = run_worker('drgn_sym', path=core, vmlinux=s['vmlinux'], n=5,
                           fix=s['fix'] if core.endswith('.elf') else None)
            if not r['ok']:
                print('   drgn: peer failed: ' + r['error'])
                continue
            dt = statistics.median(r['times'])
            print('   drgn (Program + set_core_dump(%s) + load_debug_info + symbol): %.1f ms, %s, '
                  'init_uts_ns = %#x' % (self.short(core), dt * 1e3, r['mode'], r['address']))
            walls = []
            for _ in range(5):
                rw = run_worker('drgn_sym', path=core, vmlinux=s['vmlinux'], n=1,
                                fix=s['fix'] if core.endswith('.elf') else None)
                if rw['ok']:
                    walls.append(rw['wall'])
            dw = statistics.median(walls) if walls else None
            if dw:
                print('   drgn as a whole process (python3 start, import, the same): %.1f ms' % (dw * 1e3))
            if tk:
                print('   -> drgn/vmtool -k: %.2f in-process, %s whole process' % (
                    dt / tk, '%.2f' % (dw / tk) if dw else '?'))
                self.row('4', 'sym -k vmlinux ' + self.short(f), '%.1f ms' % (tk * 1e3),
                         'drgn %.1f ms in-process, %s whole (%s): drgn/vmtool %.2f, %s' % (
                             dt * 1e3, '%.0f ms' % (dw * 1e3) if dw else '?', self.short(core),
                             dt / tk, '%.2f' % (dw / tk) if dw else '?'))

    # -- issue 5: VMAs of every task
    def bench_vm(self):
        print('\n== Issue 5: `vm --all` (median of 5) vs drgn listing every VMA of every task with an mm '
              '(start, end, flags, d_path; maple tree walked in Python: drgn 0.0.22 has no for_each_vma) '
              '(goal: vmtool >= 20x faster)')
        for name, s in self.sets.items():
            print('-- ' + name)
            times = {}
            for f in s['files']:
                t, e = self.vmtool_median([f, 'vm', '--all'], 5)
                times[f] = t
                print('   vmtool %-36s %s' % (self.short(f), '%.1f ms' % (t * 1e3) if t else 'failed: %s' % e))
                if t:
                    self.row('5', 'vm --all ' + self.short(f), '%.1f ms' % (t * 1e3), 'no vmlinux')
            if not s['vmlinux']:
                print('   drgn: skipped, no vmlinux for this set (linux-image-6.1.0-50-arm64-dbg is an '
                      '800 MB download; put vmlinux-6.1.0-50-arm64 in $VMTOOL_CACHE/%s/vmlinux)' % name)
                continue
            tk, _ = self.vmtool_median(['-k', s['vmlinux'], s['files'][0], 'vm', '--all'], 3)
            if tk:
                print('   vmtool -k vmlinux %-26s %.1f ms' % (self.short(s['files'][0]), tk * 1e3))
            for core in sorted(s['files'], key=lambda x: not x.endswith('.mdf-lzo-d31.kdump')):
                r = run_worker('drgn_vm', path=core, vmlinux=s['vmlinux'],
                               fix=s['fix'] if core.endswith('.elf') else None)
                if not r['ok']:
                    print('   drgn on %s: peer failed: %s' % (self.short(core), r['error']))
                    continue
                vt = times.get(core)
                print('   drgn on %s: %d tasks, %d VMAs; Program + load_debug_info %.0f ms + listing %.0f ms '
                      '= %.0f ms in-process, %.0f ms as a whole process'
                      % (self.short(core), r['tasks'], r['vmas'], r['load'] * 1e3, r['list'] * 1e3,
                         r['total'] * 1e3, r['wall'] * 1e3))
                if vt:
                    print('   -> drgn/vmtool (vmtool vm --all, no vmlinux, on the same file): %.1fx in-process, '
                          '%.1fx whole process, %.2fx listing alone' % (r['total'] / vt, r['wall'] / vt, r['list'] / vt))
                    self.row('5', 'drgn/vmtool vm ' + self.short(core), '%.1fx' % (r['total'] / vt),
                             'goal >= 20x; whole drgn process %.1fx; listing alone %.2fx' % (
                                 r['wall'] / vt, r['list'] / vt))
                break

    # -- issue 14: save
    def sparse_elf(self, elf):
        """An ELF of 16 TiB of physical address space: the Debian set's RAM
        and notes, and one more page just below 16 TiB (max_mapnr 2^32)."""
        import struct
        out = os.path.join(self.cache, 'sparse-16tib.elf')
        if os.path.exists(out):
            return out
        with open(elf, 'rb') as f:
            eh = f.read(64)
            phoff, = struct.unpack_from('<Q', eh, 32)
            phnum, = struct.unpack_from('<H', eh, 56)
            f.seek(phoff)
            phs = [struct.unpack('<IIQQQQQQ', f.read(56)) for _ in range(phnum)]
            note = next(p for p in phs if p[0] == 4)
            loads = [p for p in phs if p[0] == 1]
            f.seek(note[2])
            notes = f.read(note[5])
            n = 1 + len(loads) + 1
            data_off = (64 + 56 * n + len(notes) + 4095) // 4096 * 4096
            tmp = out + '.tmp'
            with open(tmp, 'wb') as o:
                o.write(eh[:32] + struct.pack('<Q', 64) + eh[40:56] + struct.pack('<H', n) + eh[58:64])
                o.write(struct.pack('<IIQQQQQQ', 4, 0, 64 + 56 * n, 0, 0, len(notes), len(notes), 0))
                off = data_off
                for p in loads:
                    o.write(struct.pack('<IIQQQQQQ', 1, p[1], off, p[3], p[4], p[5], p[5], 0))
                    off += p[5]
                far = (16 << 40) - 4096
                o.write(struct.pack('<IIQQQQQQ', 1, 7, off, far, far, 4096, 4096, 0))
                o.write(notes)
                o.seek(data_off)
                for p in loads:
                    f.seek(p[2])
                    left = p[5]
                    while left:
                        b = f.read(min(left, 1 << 20))
                        o.write(b)
                        left -= len(b)
                o.write(b'\x5a' * 4096)
            os.rename(tmp, out)
        return out

    def bench_save(self):
        print('\n== Issue 14: save -d 31 -z against the bare cost of its work (classify once, read, '
              'zstd the kept pages; goal <= 1.3), and with --num-threads 2 (medians of 5; CPU time '
              'is the steadier figure on a shared machine)')
        for name, s in self.sets.items():
            elf = next((f for f in s['files'] if f.endswith('.elf')), None)
            if not elf:
                continue
            p = subprocess.run([self.bench_save_bin, '-r', '5', elf], capture_output=True, text=True)
            print('-- ' + self.short(elf))
            print('   ' + (p.stdout + p.stderr).strip().replace('\n', '\n   '))
            for line in p.stdout.splitlines():
                if line.startswith('ratio save'):
                    what, val = line.split(': ', 1)
                    self.row('14', what + ' ' + self.short(elf), val, 'goal <= 1.3')
        print('\n== Issue 14: peak RSS of save on a sparse 16 TiB input (max_mapnr 2^32; goal <= 64 MiB)')
        deb = self.sets.get('debian61-kaslr')
        elf = next((f for f in deb['files'] if f.endswith('.elf')), None) if deb else None
        if not elf:
            print('   no debian61-kaslr ELF: skipped')
            return
        sparse = self.sparse_elf(elf)
        out = os.path.join(self.cache, 'sparse-16tib.kdump')
        t, rc, rss, err = self.vmtool_run([sparse, 'save', '-f', '-d', '31', '-z', out])
        print('   ELF input -> kdump: %.2f s, rc %d, peak RSS %d MiB %s' % (t, rc, rss >> 10, err.strip()[:200]))
        self.row('14', 'save RSS, sparse 16 TiB ELF input', '%d MiB' % (rss >> 10), 'goal <= 64 MiB')
        t, rc, rss2, err = self.vmtool_run([sparse, 'save', '-d', '31', '-z', '-F'])
        print('   ELF input -> flattened stream: %.2f s, rc %d, peak RSS %d MiB' % (t, rc, rss2 >> 10))
        if rc == 0 and os.path.exists(out):
            out2 = out + '.again'
            t, rc, rss3, err = self.vmtool_run([out, 'save', '-f', '-d', '31', '-l', out2])
            print('   kdump input (the file above) -> kdump: %.2f s, rc %d, peak RSS %d MiB '
                  '(the reader holds both 512 MiB bitmaps until it loads them on demand) %s'
                  % (t, rc, rss3 >> 10, err.strip()[:200]))
            self.row('14', 'save RSS, sparse 16 TiB kdump input', '%d MiB' % (rss3 >> 10),
                     'goal <= 64 MiB; reader bitmaps')
            for f in (out, out2):
                if os.path.exists(f):
                    os.unlink(f)

    def print_summary(self):
        print('\n== Summary')
        w = max(len(r[1]) for r in self.summary)
        print('%-5s %-*s %-22s %s' % ('issue', w, 'figure', 'value', 'note'))
        for r in self.summary:
            print('%-5s %-*s %-22s %s' % (r[0], w, r[1], r[2], r[3]))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == '--worker':
        print(json.dumps(WORKERS[sys.argv[2]](json.loads(sys.argv[3]))))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument('--builddir', required=True)
    ap.add_argument('--srcdir')
    args = ap.parse_args()
    shared = os.environ.get('VMTOOL_SHARED_DUMPS')
    if not shared or not os.path.isdir(shared):
        print('bench: VMTOOL_SHARED_DUMPS is not a folder of dump sets: nothing to measure')
        return 0
    cache = os.environ.get('VMTOOL_CACHE') or '/tmp/vmtool-cache'
    t_start = time.perf_counter()
    b = Bench(os.path.abspath(args.builddir), shared, cache)
    b.load_sets()
    versions = subprocess.run([b.vmtool, '-V'], capture_output=True, text=True).stdout.split('\n')[0]
    try:
        import drgn
        dv = drgn.__version__
    except ImportError as e:
        dv = 'missing (%s)' % e
    print('vmtool benchmarks: %s; drgn %s; libkdumpfile %s; %d CPUs' % (
        versions, dv, _kdf_version(), os.cpu_count()))
    print('sets: ' + ', '.join('%s (%s)' % (n, ', '.join(os.path.basename(f) for f in s['files']))
                               for n, s in b.sets.items()))
    b.bench_open()
    b.bench_reads()
    b.bench_translate_all()
    b.bench_symbols()
    b.bench_vm()
    b.bench_save()
    b.print_summary()
    print('\n(total %.0f s)' % (time.perf_counter() - t_start))
    return 0


def _kdf_version():
    for d in glob.glob('/usr/lib/python3/dist-packages/libkdumpfile-*.egg-info'):
        return os.path.basename(d).split('-')[1].replace('.egg', '')
    return '?'


if __name__ == '__main__':
    sys.exit(main())
