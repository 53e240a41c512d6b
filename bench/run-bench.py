#!/usr/bin/python3
"""vmtool benchmarks against libkdumpfile's C API and drgn, like for like.

Prints figures only (never pass/fail). Every figure says what it measures:
in-process (the library's own loop, timed inside the process) or whole
process (fork to exit, as a user sees it), which pass (1 = every cache of
the library empty, the OS page cache warm for both alike; 2 = the same
addresses again), and which file. Peer ratios come from interleaved runs
(vmtool, peer, vmtool, peer, ...): the median of the runs, with the range.

usage: run-bench.py --builddir DIR [--srcdir DIR] [--rounds N] [--quick]
                    [--instructions]
environment: VMTOOL_SHARED_DUMPS (the dump sets; required), VMTOOL_CACHE
(where decompressed ELF and vmlinux files, address lists and synthetic
large dumps are kept; default /tmp/vmtool-cache).

--instructions adds callgrind instruction counts for the start-up figures:
unlike times, they do not change when the machine is loaded.
"""

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PEER_TIMEOUT = 600
PASSES = 2
# The load average above which a run is flagged as loaded. The benchmark
# keeps one CPU busy itself (a load of ~1 over a long run); a quarter of
# the CPUs more is what other work may add before the figures are not
# final.
LOADED_ABOVE = 1 + 0.25 * (os.cpu_count() or 1)


def median_range(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None, None, None
    return statistics.median(xs), min(xs), max(xs)


def fmt_ratio(xs):
    m, lo, hi = median_range(xs)
    if m is None:
        return 'n/a'
    return '%.2fx (%.2f-%.2f)' % (m, lo, hi)


def fmt_time(s):
    if s is None:
        return 'n/a'
    if s < 1e-6:
        return '%.1f ns' % (s * 1e9)
    if s < 1e-3:
        return '%.2f us' % (s * 1e6)
    if s < 1:
        return '%.2f ms' % (s * 1e3)
    return '%.3f s' % s


def loadavg():
    try:
        with open('/proc/loadavg') as f:
            return float(f.read().split()[0])
    except OSError:
        return -1.0


# ---------------------------------------------------------------- drgn
# drgn runs in a child (this script with --worker): it reads through its
# own C code (libkdumpfile for kdump files); the loop calling prog.read is
# Python, which the figure says.

def w_drgn_read8(a):
    import drgn
    with open(a['addrs']) as f:
        addrs = [int(x, 16) for x in f if x.strip()]
    t0 = time.perf_counter()
    try:
        prog = drgn.Program()
        prog.set_core_dump(a['path'])
    except Exception as e:
        return {'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}
    t_open = time.perf_counter() - t0
    read = prog.read
    secs, fail, first = [], 0, None
    for p in range(a['passes']):
        t0 = time.perf_counter()
        for addr in addrs:
            try:
                read(addr, 8)
            except Exception as e:
                if p == 0:
                    fail += 1
                    first = first or '%s: %s' % (type(e).__name__, e)
        secs.append(time.perf_counter() - t0)
    return {'ok': fail < len(addrs), 'n': len(addrs), 'open': t_open,
            'secs': secs, 'fail': fail, 'error': first}


WORKERS = {'drgn_read8': w_drgn_read8}


def run_json(cmd, timeout=PEER_TIMEOUT):
    """Run @cmd, return (its last stdout line as JSON or None, error, wall, rusage)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        return None, 'timed out after %d s' % timeout, None, None
    wall = time.perf_counter() - t0
    lines = [l for l in out.splitlines() if l.strip()]
    if p.returncode or not lines:
        msg = (err.strip().splitlines() or ['exit status %d' % p.returncode])[-1]
        return None, msg, wall, None
    try:
        return json.loads(lines[-1]), None, wall, None
    except ValueError:
        return None, 'no JSON: %s' % lines[-1][:200], wall, None


SPAWN = None  # bench/bench_spawn, set by main()


def run_measured(cmd):
    """Whole process, through bench_spawn (a small C parent: a child
    forked from this Python process would start with its memory counted in
    the peak RSS): wall, CPU (user + sys), peak RSS (KiB), exit status,
    stderr."""
    with tempfile.TemporaryFile() as errf:
        p = subprocess.run([SPAWN] + cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=errf, text=True)
        errf.seek(0)
        err = errf.read().decode(errors='replace')
    r = json.loads(p.stdout.strip().splitlines()[-1])
    return {'wall': r['wall'], 'cpu': r['user'] + r['sys'], 'rss': r['maxrss_kib'],
            'rc': r['status'], 'err': err.strip()}


def instructions(cmd):
    """callgrind's instruction count of one run of @cmd, or None."""
    if not shutil.which('valgrind'):
        return None
    p = subprocess.run(['valgrind', '--tool=callgrind', '--callgrind-out-file=/dev/null'] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in p.stderr.splitlines():
        if 'refs:' in line:
            return int(line.split('refs:')[1].replace(',', '').strip())
    return None


# ---------------------------------------------------------------- driver

class Bench:
    def __init__(self, args, shared, cache):
        b = os.path.abspath(args.builddir)
        self.vmtool = os.path.join(b, 'vmtool')
        self.bench_read = os.path.join(b, 'bench', 'bench_read')
        self.bench_vtop = os.path.join(b, 'bench', 'bench_vtop')
        self.peer = os.path.join(b, 'bench', 'peer_kdumpfile')
        self.bench_save_bin = os.path.join(b, 'bench', 'bench_save')
        self.mkvmcore = os.path.join(b, 'tests', 'tools', 'mkvmcore')
        self.srcdir = args.srcdir
        self.shared, self.cache = shared, cache
        self.rounds = args.rounds
        self.quick = args.quick
        self.with_instructions = args.instructions
        self.summary = []  # (target, vmtool, peer, ratio, how)
        self.sets = {}
        self.loads = []

    def note_load(self):
        self.loads.append(loadavg())

    def row(self, target, vm, peer, ratio, how):
        self.summary.append((target, vm, peer, ratio, how))

    def decompressed(self, setname, name):
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

    def load_sets(self):
        for d in sorted(glob.glob(os.path.join(self.shared, '*', 'truth'))):
            d = os.path.dirname(d)
            name = os.path.basename(d)
            s = {'dir': d, 'files': []}
            for elf in ('vmcore.elf', 'vmcore.proc.elf'):
                f = self.decompressed(name, elf)
                if f:
                    s['files'].append(f)
            s['files'] += sorted(f for f in glob.glob(os.path.join(d, 'vmcore.*'))
                                 if not f.endswith('.xz'))
            s['vmlinux'] = self.decompressed(name, 'vmlinux')
            self.sets[name] = s

    @staticmethod
    def kind(path):
        if path.endswith('.elf'):
            return 'ELF'
        if path.endswith('.flat'):
            return 'flattened'
        if 'mdf-lzo' in path:
            return 'makedumpfile LZO'
        return 'kdump-zlib'

    @staticmethod
    def short(path):
        return '/'.join(path.split('/')[-2:])

    # -- the machine's own costs
    def bench_floor(self):
        files = [f for s in self.sets.values() for f in s['files'] if f.endswith('.elf')]
        prog = os.path.join(os.path.dirname(self.bench_vtop), 'bench_floor')
        if not files or not os.path.exists(prog):
            return
        print('\n== Machine floors (bench/bench_floor on %s, in the OS page cache; median of %d; ns per '
              'operation): what any reader pays for a system call, a pread and a first touch of memory'
              % (self.short(files[0]), self.rounds))
        runs = []
        for _ in range(self.rounds):
            p = subprocess.run([prog, files[0]], capture_output=True, text=True)
            self.note_load()
            if p.returncode == 0:
                runs.append(json.loads(p.stdout))
        if not runs:
            print('   bench_floor failed: %s' % p.stderr.strip())
            return
        labels = [('syscall_ns', 'system call (getppid)'),
                  ('pread8_ns', 'pread of 8 bytes, random page'),
                  ('pread_page_ns', 'pread of 4 KiB into a reused buffer'),
                  ('anon_first_touch_ns', 'first touch of fresh anonymous memory, per page'),
                  ('anon_touched_ns', 'the same pages again'),
                  ('map_first_touch_random_ns', 'first touch of a file-mapped page, random (MADV_RANDOM)'),
                  ('map_touched_ns', 'the same mapped pages again'),
                  ('map_first_touch_sequential_ns', 'first touch of file-mapped pages, sequential (fault-around)')]
        for key, label in labels:
            v = statistics.median(r[key] for r in runs)
            print('   %-72s %10.1f ns' % (label, v))
            self.row('machine floor: ' + label, '%.1f ns' % v, '', 'floor (no goal)',
                     'bench_floor %s (median of %d)' % (self.short(files[0]), len(runs)))

    # -- start-up: whole process
    def bench_startup(self):
        print('\n== Start-up: whole process (fork to exit), CPU = user + sys, median of %d; '
              'peak RSS; %s' % (self.rounds,
                                'instructions = callgrind count of one run (load-independent)'
                                if self.with_instructions else 'no instruction counts (--instructions)'))
        n = self.rounds
        floor = [run_measured([self.vmtool, '--version']) for _ in range(n)]
        fcpu = statistics.median(r['cpu'] for r in floor)
        fi = instructions([self.vmtool, '--version']) if self.with_instructions else None
        print('process floor: vmtool --version: CPU %s, peak RSS %d KiB%s' % (
            fmt_time(fcpu), max(r['rss'] for r in floor), ', %d instructions' % fi if fi else ''))
        self.row('process floor', fmt_time(fcpu) + ' CPU', '', '', 'vmtool --version (whole process)')
        print('%-32s %-28s %10s %10s %9s %14s' % ('file', 'command', 'CPU', 'wall', 'RSS KiB', 'instructions'))
        for name, s in self.sets.items():
            targets = []
            for f in s['files']:
                cmds = [['info'], ['ps'], ['vm', '--all']] if f == s['files'][0] else [['info']]
                for c in cmds:
                    targets.append((f, [], c))
            if s['vmlinux']:
                for c in (['ps'], ['vm', '--all']):
                    targets.append((s['files'][0], ['-k', s['vmlinux']], c))
            for f, pre, c in targets:
                runs = [run_measured([self.vmtool, '-q'] + pre + [f] + c) for _ in range(n)]
                self.note_load()
                rc = runs[0]['rc']
                cpu = statistics.median(r['cpu'] for r in runs)
                wall = statistics.median(r['wall'] for r in runs)
                rss = max(r['rss'] for r in runs)
                ins = instructions([self.vmtool, '-q'] + pre + [f] + c) if self.with_instructions else None
                label = ('-k ' if pre else '') + ' '.join(c)
                print('%-32s %-28s %10s %10s %9d %14s%s' % (
                    self.short(f), label, fmt_time(cpu), fmt_time(wall), rss,
                    '{:,}'.format(ins) if ins else '-',
                    '' if rc == 0 else '  (exit %d: %s)' % (rc, runs[0]['err'][-120:])))
                s.setdefault('startup', {})[(f, label)] = (cpu, rss, ins)
                if c != ['info']:
                    goal = '<= 25 ms' if name.startswith('debian') else '<= 15 ms'
                    if not pre:
                        self.row('%s CPU %s' % (' '.join(c), name), fmt_time(cpu), '', goal,
                                 'vmtool -q %s %s (whole process, median of %d)' % (self.short(f), ' '.join(c), n))
                self.row('peak RSS %s %s' % (label, self.short(f)), '%d KiB' % rss, '', '<= 64 MiB',
                         'getrusage of the child')
            if s['vmlinux']:
                base = s['startup'].get((s['files'][0], 'vm --all'))
                withk = s['startup'].get((s['files'][0], '-k vm --all'))
                if base and withk:
                    extra = withk[0] / base[0] - 1 if base[0] else 0
                    iextra = (withk[2] / base[2] - 1) if base[2] and withk[2] else None
                    print('   -k vmlinux adds %.0f%% CPU to vm --all%s (goal <= 50%%)' % (
                        100 * extra, ', %.0f%% instructions' % (100 * iextra) if iextra is not None else ''))
                    self.row('-k adds to vm --all %s' % name, '%+.0f%% CPU' % (100 * extra)
                             + (', %+.0f%% instr.' % (100 * iextra) if iextra is not None else ''),
                             '', '<= +50%', 'vm --all with and without -k (whole process)')

    # -- translation and reads against libkdumpfile
    def lists_for(self, name, s, f):
        out = os.path.join(self.cache, name, 'lists-' + os.path.basename(f))
        if not os.path.exists(os.path.join(out, 'distinct.txt')):
            os.makedirs(out, exist_ok=True)
            subprocess.run([self.bench_vtop, 'lists', s['dir'], f, out], check=True,
                           stdout=subprocess.DEVNULL)
        return out

    def peer_input(self, f):
        """libkdumpfile cannot open the flattened format: makedumpfile -R
        rearranges it into the kdump file it describes (same data)."""
        if not f.endswith('.flat'):
            return f, None
        out = os.path.join(self.cache, 'unflattened', os.path.basename(f)[:-5])
        if not os.path.exists(out) and shutil.which('makedumpfile'):
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(f, 'rb') as inp:
                subprocess.run(['makedumpfile', '-R', out + '.tmp'], stdin=inp,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if os.path.exists(out + '.tmp'):
                os.rename(out + '.tmp', out)
        return (out, 'makedumpfile -R of the flattened file') if os.path.exists(out) else (f, None)

    def bench_translation(self):
        print('\n== Translation and 8-byte reads by kernel VA: in-process, %d interleaved runs '
              '(vmtool, libkdumpfile, ...) per file and address list; median (min-max)' % self.rounds)
        print('   vmtool: bench_vtop (library calls); libkdumpfile: peer_kdumpfile (its C API: '
              'addrxlat_walk with the kernel page-table method, addrxlat_fulladdr_conv, kdump_read)')
        print('   lists: "distinct" = 16,384 distinct kernel pages (80%% linear map, 10%% kernel image, '
              '10%% vmalloc) mapped and present, shuffled; "reused" = 1,000,000 addresses over 768 of them')
        print('   pass 1 = every library cache empty; pass 2 = the same addresses again')
        for name, s in self.sets.items():
            for f in s['files']:
                self.bench_translation_file(name, s, f)

    def bench_translation_file(self, name, s, f):
        kind = self.kind(f)
        lists = self.lists_for(name, s, f)
        pf, pnote = self.peer_input(f)
        print('\n-- %s (%s)%s' % (self.short(f), kind,
                                   '; libkdumpfile reads %s' % pnote if pnote else ''))
        env = dict(os.environ)
        for lname in ('distinct', 'reused'):
            addrs = os.path.join(lists, lname + '.txt')
            if lname == 'reused' and self.quick:
                continue
            vm, kd, vwall, kwall = [], [], [], []
            kerr = None
            for _ in range(self.rounds):
                r, err, wall, _ = run_json([self.bench_vtop, 'run', f, addrs, str(PASSES)])
                if r is None:
                    print('   vmtool failed: %s' % err)
                    return
                vm.append(r)
                vwall.append(wall)
                if os.path.exists(self.peer):
                    r, err, wall, _ = run_json([self.peer, pf, addrs, str(PASSES)])
                    if r:
                        kd.append(r)
                        kwall.append(wall)
                    else:
                        kerr = err
                self.note_load()
            n = vm[0]['n']

            def per(rs, op, p):
                return [x[op]['secs'][p] / x[op]['n'] if x[op]['n'] else None for x in rs]

            def kper(op, p):
                return [x[op]['secs'][p] / x['n'] for x in kd if not x[op]['fail']] if kd else []

            print('   list %s: %d addresses; vmtool whole process (open + all passes) %s, '
                  'libkdumpfile %s' % (lname, n, fmt_time(statistics.median(vwall)),
                                       fmt_time(statistics.median(kwall)) if kwall else 'n/a'))
            if kd and any(x['walk']['fail'] for x in kd):
                print('   libkdumpfile: %d of %d addresses fail (%s): its figures are left out' % (
                    kd[0]['walk']['fail'], n, kd[0]['walk']['error']))
            if not kd:
                print('   libkdumpfile: peer failed: %s' % kerr)
            tl = vm[0]['walk_raw']['table_loads']
            print('   vmtool page-table pages read from the dump: pass 1 %d, pass 2 %d' % (tl[0], tl[1]))
            rows = [
                ('first-pass translation', per(vm, 'translate', 0), kper('walk', 0), 'walk pass 1', '>= 3x'),
                # A diagnostic: the first-pass target is the
                # translation as the library does it, formula included.
                ('first-pass translation, walks only (no linear formula)',
                 per(vm, 'translate_walk', 0), kper('walk', 0), 'walk pass 1', ''),
                ('raw walk, no TLB (page tables cached), pass 2', per(vm, 'walk_raw', 1), kper('walk', 1),
                 'walk pass 2', '>= 3x'),
                ('raw walk, no TLB, pass 1 (cold)', per(vm, 'walk_raw', 0), kper('walk', 0), 'walk pass 1',
                 '>= 3x'),
                ('warm translation (pass 2: TLB/formula)', per(vm, 'translate', 1), kper('walk', 1),
                 'walk pass 2', '>= 10x'),
                ('warm translation vs libkdumpfile\'s own conversion', per(vm, 'translate', 1),
                 kper('conv', 1), 'fulladdr_conv pass 2', ''),
                ('8-byte read, pass 1', per(vm, 'read8', 0), kper('read8', 0), 'kdump_read pass 1', '>= 2x'),
                ('8-byte read, pass 2', per(vm, 'read8', 1), kper('read8', 1), 'kdump_read pass 2',
                 '>= 2x' if lname == 'reused' else ''),
            ]
            print('   %-56s %12s %14s %22s' % ('figure (time per address)', 'vmtool', 'libkdumpfile',
                                                'ratio peer/vmtool'))
            for what, v, k, peerwhat, goal in rows:
                vmed, _, _ = median_range(v)
                kmed, _, _ = median_range(k)
                ratios = [kk / vv for vv, kk in zip(v, k) if vv and kk] if k else []
                print('   %-56s %12s %14s %22s  %s' % (what, fmt_time(vmed),
                                                       fmt_time(kmed) if kmed else 'n/a',
                                                       fmt_ratio(ratios) if ratios else 'n/a', goal))
                if goal:
                    self.row('%s [%s] %s %s' % (what, lname, name, kind),
                             fmt_time(vmed), '%s %s' % (fmt_time(kmed), peerwhat) if kmed else
                             ('peer fails: %s' % (kerr or (kd and kd[0]['walk']['error'])) if not kd or
                              any(x['walk']['fail'] for x in kd) else 'n/a'),
                             fmt_ratio(ratios) + ' (goal %s)' % goal if ratios else 'n/a (goal %s)' % goal,
                             'bench_vtop run %s %s %d / peer_kdumpfile (interleaved x%d)' % (
                                 self.short(f), lname, PASSES, self.rounds))
            if self.with_instructions and lname == 'distinct':
                self.translation_instructions(name, kind, f, pf, addrs, n, kd)
            lin = vm[0].get('linear')
            if lin and lin['n']:
                rates = [x['linear']['n'] / x['linear']['secs'][1] / 1e6 for x in vm if x['linear']['secs'][1]]
                m, lo, hi = median_range(rates)
                print('   linear-map conversions (translate of the %d linear addresses, pass 2, formula in '
                      'walk-confirmed granules): %.0f M/s (%.0f-%.0f); pass 1 (confirming) %s per address' % (
                          lin['n'], m, lo, hi, fmt_time(statistics.median(per(vm, 'linear', 0)))))
                self.row('linear-map conversions %s %s [%s]' % (name, kind, lname), '%.0f M/s' % m, '',
                         '>= 50 M/s', 'bench_vtop run, op linear, pass 2')

    def translation_instructions(self, name, kind, f, pf, addrs, n, kd):
        """Per address and per pass, the user-space instructions callgrind
        counts (kernel time, preads and page faults, is not in them): the
        figures that do not move with the machine's load."""
        def per_pass(cmd):
            counts = [instructions(cmd(p)) for p in (0, 1, 2)]
            if None in counts:
                return None, None
            return (counts[1] - counts[0]) / n, (counts[2] - counts[1]) / n

        vm = {op: per_pass(lambda p, op=op: [self.bench_vtop, 'run', f, addrs, str(p), op])
              for op in ('translate', 'translate_walk', 'walk_raw', 'read8')}
        ok = kd and not any(x['walk']['fail'] for x in kd)
        pk = {op: per_pass(lambda p, op=op: [self.peer, pf, addrs, str(p), op])
              for op in ('walk', 'read8')} if ok else {}
        print('   user-space instructions per address (callgrind; excludes kernel time):')
        rows = [('first-pass translation', vm['translate'][0], pk.get('walk', (None, None))[0], '>= 3x'),
                ('first-pass translation, walks only', vm['translate_walk'][0],
                 pk.get('walk', (None, None))[0], ''),
                ('raw walk, pass 2', vm['walk_raw'][1], pk.get('walk', (None, None))[1], '>= 3x'),
                ('warm translation (pass 2)', vm['translate'][1], pk.get('walk', (None, None))[1], '>= 10x'),
                ('8-byte read, pass 1', vm['read8'][0], pk.get('read8', (None, None))[0], '>= 2x')]
        for what, v, k, goal in rows:
            r = k / v if v and k else None
            print('   %-40s vmtool %8.0f  libkdumpfile %8s  ratio %s' % (
                what, v or 0, '%.0f' % k if k else 'n/a', '%.2fx' % r if r else 'n/a'))
            if not goal:
                continue
            self.row('%s [distinct, instructions] %s %s' % (what, name, kind), '%.0f instr.' % (v or 0),
                     '%.0f instr.' % k if k else 'n/a', ('%.2fx' % r if r else 'n/a') + ' (goal %s)' % goal,
                     'callgrind of bench_vtop / peer_kdumpfile, passes 0-2 differenced')

    def bench_drgn(self):
        """drgn where it opens the file without help: 8-byte reads in a Python loop."""
        print('\n== drgn 0.0.22 (Debian python3-drgn), where it can open the file with no Python '
              'callback: 8-byte reads by kernel VA, prog.read(addr, 8) in a Python loop '
              '(in-process; Python call overhead included), distinct list')
        for name, s in self.sets.items():
            for f in s['files']:
                if f.endswith('.elf') and 'proc' not in f:
                    print('-- %s: not measured (drgn reads QEMU\'s ELF only through a Python segment '
                          'callback: its p_vaddr = p_paddr leaves no address for swapper_pg_dir)' % self.short(f))
                    continue
                addrs = os.path.join(self.lists_for(name, s, f), 'distinct.txt')
                vm, dr = [], []
                derr = None
                for _ in range(self.rounds):
                    r, err, _, _ = run_json([self.bench_vtop, 'run', f, addrs, str(PASSES), 'read8'])
                    if r:
                        vm.append(r)
                    r, err, wall, _ = run_json(['/usr/bin/python3', os.path.abspath(__file__), '--worker',
                                                'drgn_read8', json.dumps({'path': f, 'addrs': addrs,
                                                                          'passes': PASSES})])
                    if r and r['ok']:
                        dr.append(r)
                    else:
                        derr = err or (r and r['error'])
                        break
                if not dr:
                    print('-- %s: drgn failed: %s' % (self.short(f), derr))
                    continue
                for p in range(PASSES):
                    v = [x['read8']['secs'][p] / x['read8']['n'] for x in vm]
                    d = [x['secs'][p] / x['n'] for x in dr]
                    print('-- %s pass %d: vmtool %s, drgn %s per read (%d fail in drgn): drgn/vmtool %s' % (
                        self.short(f), p + 1, fmt_time(statistics.median(v)), fmt_time(statistics.median(d)),
                        dr[0]['fail'], fmt_ratio([b / a for a, b in zip(v, d)])))

    # -- sequential read
    def bench_sequential(self):
        print('\n== Sequential read of every present block: library (dump_read_phys) vs bare '
              'pread + uncompress()/lzo1x_decompress_safe() of the same stored bytes (goal <= 1.2)')
        for name, s in self.sets.items():
            for f in s['files']:
                if not (f.endswith('.kdump-zlib') or f.endswith('.kdump')):
                    continue
                p = subprocess.run([self.bench_read, '-r', str(max(3, self.rounds)), f],
                                   capture_output=True, text=True)
                self.note_load()
                out = dict(l.split(': ', 1) for l in p.stdout.splitlines() if ': ' in l)
                print('-- %s: %s' % (self.short(f), out.get('ratio library/bare', (p.stderr or '?').strip())))
                if 'ratio library/bare' in out:
                    self.row('sequential read library/bare %s' % self.short(f), out['ratio library/bare'], '',
                             '<= 1.2', 'bench_read -r N (alternating rounds, medians)')

    # -- large dumps
    def spec(self, claim, block):
        hi = claim - (2 << 20)
        return '\n'.join([
            'format kdump', 'block_size %d' % block, 'compression zlib',
            'max_mapnr %#x' % (claim // block),
            'vmcoreinfo OSRELEASE=6.12.0-sparse', 'vmcoreinfo PAGESIZE=4096',
            'vmcoreinfo SYMBOL(swapper_pg_dir)=ffff800080100000',
            'vmcoreinfo SYMBOL(_stext)=ffff800080010000',
            'vmcoreinfo SYMBOL(linux_banner)=ffff800080010120',
            'vmcoreinfo NUMBER(VA_BITS)=48', 'vmcoreinfo NUMBER(kimage_voffset)=0xffff80003fe00000',
            'vmcoreinfo NUMBER(PHYS_OFFSET)=0x40000000', 'vmcoreinfo NUMBER(TCR_EL1_T1SZ)=0x10',
            'vmcoreinfo NUMBER(MAX_PHYSMEM_BITS)=48', 'vmcoreinfo KERNELOFFSET=0',
            'ram 0x40000000 0x400000', 'ram %#x 0x200000' % hi,
            'fill 0x40300000 0x4000 zero',
            'word 0x40300800 0x40301003', 'word 0x40301010 0x40302003',
            'word 0x40302000 0x40303003', 'word 0x40303080 %#x' % ((hi + 0x5000) | 0x703),
            'page %#x zero' % (hi + 0x5000),
            'text %#x Linux version 6.12.0-sparse' % (hi + 0x5120), ''])

    def bench_large(self):
        print('\n== Large sparse kdumps (mkvmcore: 6 MiB present, bitmaps and the rest holes): '
              'whole process, median of %d; open = `vmcoreinfo` (header, notes, nothing else), '
              'info = + RAM ranges from bitmap 1, vtop = `vtop linux_banner` (top of the claimed RAM)' % self.rounds)
        print('%-8s %-7s %10s %10s %10s %10s %10s %9s' % ('claimed', 'block', 'file', 'open', 'info',
                                                         'vtop wall', 'vtop CPU', 'RSS KiB'))
        d = os.path.join(self.cache, 'large')
        os.makedirs(d, exist_ok=True)
        for claim_tib in (1, 16, 256):
            for block in (4096, 65536):
                claim = claim_tib << 40
                path = os.path.join(d, 'sparse-%dt-%dk.kdump' % (claim_tib, block >> 10))
                if not os.path.exists(path):
                    with tempfile.NamedTemporaryFile('w', suffix='.spec', delete=False) as sp:
                        sp.write(self.spec(claim, block))
                    p = subprocess.run([self.mkvmcore, sp.name, path], capture_output=True, text=True)
                    os.unlink(sp.name)
                    if p.returncode:
                        print('%-8s %-7s mkvmcore failed: %s' % ('%d TiB' % claim_tib, block, p.stderr.strip()))
                        continue
                res = {}
                for what, c in (('open', ['vmcoreinfo']), ('info', ['info']),
                                ('vtop', ['vtop', 'linux_banner'])):
                    runs = [run_measured([self.vmtool, '-q', path] + c) for _ in range(self.rounds)]
                    res[what] = runs
                self.note_load()
                ok = res['vtop'][0]['rc'] == 0
                vw = statistics.median(r['wall'] for r in res['vtop'])
                vc = statistics.median(r['cpu'] for r in res['vtop'])
                rss = max(r['rss'] for k in res for r in res[k])
                print('%-8s %-7s %10s %10s %10s %10s %10s %9d%s' % (
                    '%d TiB' % claim_tib, '%d KiB' % (block >> 10),
                    '%.1f GiB' % (os.path.getsize(path) / 2 ** 30),
                    fmt_time(statistics.median(r['wall'] for r in res['open'])),
                    fmt_time(statistics.median(r['wall'] for r in res['info'])),
                    fmt_time(vw), fmt_time(vc), rss,
                    '' if ok else '  (vtop exit %d: %s)' % (res['vtop'][0]['rc'], res['vtop'][0]['err'][-100:])))
                if block == 4096 and claim_tib in (1, 16):
                    goal = '<= 0.2 s' if claim_tib == 1 else '<= 2 s, RSS <= 64 MiB'
                    self.row('sparse %d TiB 4 KiB: vtop linux_banner' % claim_tib,
                             '%s wall, %d KiB RSS' % (fmt_time(vw), rss), '', goal,
                             'vmtool -q %s vtop linux_banner (whole process)' % os.path.basename(path))

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
                    self.row('issue 14: %s %s' % (what, self.short(elf)), val, '', '<= 1.3',
                             'bench_save -r 5 %s' % self.short(elf))
        print('\n== Issue 14: peak RSS of save on a sparse 16 TiB input (max_mapnr 2^32; goal <= 64 MiB)')
        deb = self.sets.get('debian61-kaslr')
        elf = next((f for f in deb['files'] if f.endswith('.elf')), None) if deb else None
        if not elf:
            print('   no debian61-kaslr ELF: skipped')
            return
        sparse = self.sparse_elf(elf)
        out = os.path.join(self.cache, 'sparse-16tib.kdump')
        r = run_measured([self.vmtool, sparse, 'save', '-f', '-d', '31', '-z', out])
        print('   ELF input -> kdump: %.2f s, rc %d, peak RSS %d MiB %s'
              % (r['wall'], r['rc'], r['rss'] >> 10, r['err'][:200]))
        self.row('issue 14: save RSS, sparse 16 TiB ELF input', '%d MiB' % (r['rss'] >> 10), '',
                 '<= 64 MiB', 'vmtool sparse-16tib.elf save -f -d 31 -z OUT (whole process)')
        r2 = run_measured([self.vmtool, sparse, 'save', '-d', '31', '-z', '-F'])
        print('   ELF input -> flattened stream: %.2f s, rc %d, peak RSS %d MiB'
              % (r2['wall'], r2['rc'], r2['rss'] >> 10))
        if r['rc'] == 0 and os.path.exists(out):
            out2 = out + '.again'
            r3 = run_measured([self.vmtool, out, 'save', '-f', '-d', '31', '-l', out2])
            print('   kdump input (the file above) -> kdump: %.2f s, rc %d, peak RSS %d MiB %s'
                  % (r3['wall'], r3['rc'], r3['rss'] >> 10, r3['err'][:200]))
            self.row('issue 14: save RSS, sparse 16 TiB kdump input', '%d MiB' % (r3['rss'] >> 10), '',
                     '<= 64 MiB', 'vmtool sparse-16tib.kdump save -f -d 31 -l OUT (whole process)')
            for f in (out, out2):
                if os.path.exists(f):
                    os.unlink(f)

    def print_summary(self):
        print('\n== Summary (every target; times measured on this machine, load average during the run '
              '%.1f-%.1f on %d CPUs%s)' % (min(self.loads or [0]), max(self.loads or [0]), os.cpu_count(),
                                             ': LOADED, rerun on an idle machine for final figures'
                                             if max(self.loads or [0]) > LOADED_ABOVE else ''))
        for t, v, p, r, how in self.summary:
            print('- %s: vmtool %s%s; %s  [%s]' % (t, v, '; peer ' + p if p else '', r, how))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == '--worker':
        print(json.dumps(WORKERS[sys.argv[2]](json.loads(sys.argv[3]))))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument('--builddir', required=True)
    ap.add_argument('--srcdir')
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--quick', action='store_true', help='skip the reused lists and drgn')
    ap.add_argument('--instructions', action='store_true')
    args = ap.parse_args()
    shared = os.environ.get('VMTOOL_SHARED_DUMPS')
    if not shared or not os.path.isdir(shared):
        print('bench: VMTOOL_SHARED_DUMPS is not a folder of dump sets: nothing to measure')
        return 0
    cache = os.environ.get('VMTOOL_CACHE') or '/tmp/vmtool-cache'
    t_start = time.perf_counter()
    global SPAWN
    SPAWN = os.path.join(os.path.abspath(args.builddir), 'bench', 'bench_spawn')
    b = Bench(args, shared, cache)
    b.load_sets()
    version = subprocess.run([b.vmtool, '-V'], capture_output=True, text=True).stdout.split('\n')[0]
    print('vmtool benchmarks: %s; %d CPUs; load average at start %.2f; peers: libkdumpfile C API '
          '(bench/peer_kdumpfile%s), drgn (/usr/bin/python3)' % (
              version, os.cpu_count(), loadavg(), '' if os.path.exists(b.peer) else ': NOT BUILT (no libkdumpfile-dev)'))
    print('sets: ' + ', '.join('%s (%s)' % (n, ', '.join(os.path.basename(f) for f in s['files']))
                               for n, s in b.sets.items()))
    b.bench_floor()
    b.bench_startup()
    b.bench_translation()
    if not args.quick:
        b.bench_drgn()
    b.bench_sequential()
    b.bench_large()
    b.bench_save()
    b.print_summary()
    print('\n(total %.0f s)' % (time.perf_counter() - t_start))
    return 0


if __name__ == '__main__':
    sys.exit(main())
