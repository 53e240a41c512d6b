#!/usr/bin/env python3
"""The manual against the program: what README, vmtool(1), vmtool-json(7)
and `help` say must be what vmtool does today.

usage: check_manual.py VMTOOL SRCDIR [VMLINUX]

- Every command of the table (`vmtool help --json`) has option details in
  `help CMD`, an entry in vmtool(1)'s COMMANDS and a row in README's
  command table.
- Every option a cmd_*.c parses (its getopt letters and long options)
  is named in that command's `help` and in its vmtool(1) entries.
- Every example runs as written: README's `$ ...` lines (from the top of
  the source tree, `vmtool` being the one built) give the output shown
  below them (a line "..." stands for any lines; a session transcript's
  `vmtool> CMD` lines are run as one-liners, <TAB> lines skipped), and the
  EXAMPLES of vmtool(1) and vmtool-json(7) exit 0 with output, `vmcore`
  being the bundled sample (and `vmlinux` the VMLINUX given, else
  dropped).
Prints each mismatch; exit 0 only if there is none.
"""
import glob
import json
import os
import re
import subprocess
import sys

vmtool, srcdir = sys.argv[1], sys.argv[2]
vmlinux = sys.argv[3] if len(sys.argv) > 3 and os.path.exists(sys.argv[3]) else None
sample = "testdata/sample/vmcore.kdump-zlib"
bindir = os.path.dirname(os.path.abspath(vmtool))
env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"],
           LC_ALL="C.UTF-8")
failures = []
checked = {"commands": 0, "options": 0, "readme examples": 0,
           "man examples": 0}


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def troff_text(s):
    """Plain text of troff source: fonts dropped, escapes resolved."""
    s = re.sub(r"\\f[BIRP]", "", s)
    s = s.replace("\\-", "-").replace("\\e", "\\").replace("\\(aq", "'")
    s = s.replace("\\&", "").replace("\\(bu", "*")
    return s


def read(path):
    with open(os.path.join(srcdir, path), encoding="utf-8") as f:
        return f.read()


# --- commands, help, man entries, README rows ----------------------------
table = json.loads(subprocess.run([vmtool, "help", "--json"], env=env,
                                  capture_output=True, check=True).stdout)
man = read("man/vmtool.1")
commands_section = man.split("\n.SH COMMANDS", 1)[1].split("\n.SH ", 1)[0]
# Each entry: a ".TP" then its tag line, then the text to the next ".TP".
entries = {}
for chunk in commands_section.split("\n.TP\n")[1:]:
    tag = chunk.partition("\n")[0]
    # ".B info", or "\fBstruct\fR NAME [ADDR], \fBunion\fR NAME [ADDR]".
    names = re.findall(r"(?:^\.B |^\\fB|, \\fB)([a-z]+)", tag)
    for name in names:
        entries.setdefault(name, []).append(troff_text(chunk))
readme = read("README.md")
help_text = {}
for cmd in table:
    name = cmd["name"]
    checked["commands"] += 1
    if not cmd.get("details"):
        fail(f"help {name}: no option details (src/cli/cmd_help.c)")
    if name not in entries:
        fail(f"vmtool(1): no entry for {name} in COMMANDS")
    if not re.search(r"^\| `%s[ `]" % re.escape(name), readme, re.M) and \
       not re.search(r"^\| [^|]*`%s[ `]" % re.escape(name), readme, re.M):
        fail(f"README: no row for {name} in the command table")
    help_text[name] = subprocess.run([vmtool, "help", name], env=env,
                                     capture_output=True, text=True).stdout

# Options each cmd_*.c parses, by the command its file is named after.
for path in sorted(glob.glob(os.path.join(srcdir, "src/cli/cmd_*.c"))):
    name = os.path.basename(path)[4:-2]
    if name not in help_text:
        continue
    src = open(path, encoding="utf-8").read()
    letters = set()
    for m in re.finditer(r'(?:getopt_long|cmd_getopt)\([^"]*"([^"]*)"', src):
        letters |= set(re.sub(r"[:+]", "", m.group(1)))
    longs = set(re.findall(r'\{\s*"([a-z][a-z-]*)",\s*(?:no|required|optional)_argument', src))
    for opt in sorted(["-" + c for c in letters] + ["--" + l for l in longs]):
        checked["options"] += 1
        pat = re.compile(r"(^|[^\w-])%s($|[^\w-])" % re.escape(opt), re.M)
        if not pat.search(help_text[name]):
            fail(f"help {name}: option {opt} is not described")
        if not any(pat.search(e) for e in entries.get(name, [])):
            fail(f"vmtool(1): option {opt} of {name} is not described")


# --- examples --------------------------------------------------------------
def run(cmd):
    return subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=srcdir,
                          env=env, capture_output=True, text=True,
                          timeout=300)


def matches(want, got):
    """Whether lines @got match @want, where a "..." line is any lines."""
    if not want:
        return not got
    if want[0] == "...":
        return any(matches(want[1:], got[i:]) for i in range(len(got) + 1))
    return bool(got) and want[0] == got[0] and matches(want[1:], got[1:])


def clean(lines):
    lines = [l.rstrip() for l in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def check_output(where, cmd, want):
    r = run(cmd)
    got = clean(r.stdout.splitlines())
    if len(want) > 200 or not matches(clean(want), got):
        fail(f"{where}: `{cmd}` printed\n" + "\n".join(got[:40]) +
             "\n--- where the manual shows\n" + "\n".join(want[:40]))


for block in re.findall(r"^```[a-z]*\n(.*?)^```", readme, re.M | re.S):
    lines = block.rstrip("\n").split("\n")
    items, i = [], 0
    while i < len(lines):
        if lines[i].startswith("$ "):
            cmd = lines[i][2:]
            while cmd.rstrip().endswith(("|", "\\")) and i + 1 < len(lines):
                i += 1
                cmd += "\n" + lines[i]
            items.append([cmd, []])
        elif items:
            items[-1][1].append(lines[i])
        i += 1
    for cmd, want in items:
        if any(l.startswith("vmtool> ") for l in want):
            # A session: each prompt's command as a one-liner on its dump.
            dump = cmd.split()[-1]
            steps, cur = [], None
            for l in want:
                if l.startswith("vmtool> "):
                    cur = [l[len("vmtool> "):], []]
                    steps.append(cur)
                elif cur:
                    cur[1].append(l)
            for step, out in steps:
                if "<TAB>" in step or step in ("quit", "q", "exit"):
                    continue
                checked["readme examples"] += 1
                check_output("README session", f"vmtool -q {dump} {step}", out)
            continue
        checked["readme examples"] += 1
        check_output("README", cmd, want)


def man_examples(page):
    text = read(page)
    section = text.split("\n.SH EXAMPLES", 1)[1].split("\n.SH ", 1)[0]
    for block in re.findall(r"^\.nf\n(.*?)^\.fi", section, re.M | re.S):
        lines = [troff_text(l) for l in block.split("\n")
                 if l and not l.startswith(".")]
        cmds, dump = [], None
        for l in lines:
            if l.startswith("$ "):
                cmds.append(l[2:])
            elif l.startswith("vmtool> "):
                cmds.append("SESSION " + l[len("vmtool> "):])
            elif cmds and not cmds[-1].startswith("SESSION "):
                cmds[-1] += "\n" + l
        for cmd in cmds:
            cmd = cmd.replace("/var/crash/*/vmcore", sample)
            cmd = re.sub(r"(?<![\w/.-])vmcore(?![\w.-])", sample, cmd)
            cmd = cmd.replace(" -k vmlinux", f" -k {vmlinux}" if vmlinux else "")
            if cmd.startswith("SESSION "):
                step = cmd[len("SESSION "):]
                if step in ("quit", "q", "exit"):
                    continue
                cmd = f"vmtool -q {dump} {step}"
            elif re.fullmatch(r"vmtool( -k \S+)? \S+", cmd.strip()):
                dump = cmd.split()[-1]  # opens a session: its steps follow
                continue
            checked["man examples"] += 1
            r = run(cmd)
            if r.returncode != 0 or not r.stdout.strip():
                fail(f"{page} EXAMPLES: `{cmd}` exited {r.returncode} "
                     f"with {len(r.stdout)} bytes of output: "
                     f"{r.stderr.strip()[-300:]}")


man_examples("man/vmtool.1")
man_examples("man/vmtool-json.7")

print("checked: " + ", ".join(f"{n} {k}" for k, n in checked.items()))
if failures:
    print(f"{len(failures)} mismatches between the manual and vmtool")
    sys.exit(1)
