#!/usr/bin/env python3
"""vmtool's --json output against its JSON Schemas (schema/*.schema.json).

usage: check_json.py VMTOOL SCHEMADIR [--batch-only] DUMP|SETDIR...

For each DUMP, every case of CASES runs as `vmtool --json DUMP CASE` (with
--batch-only, all of them as one -f batch instead), and its output must be
exactly one JSON document that validates against
schema/<command>.schema.json (success or failure), with an exit code the
case allows; an error document's code must be the exit code. A command that
`help` lists but CASES does not name still runs bare and with an unknown
option, so a new command is checked once its schema exists (and fails the
check if it has none). On the first DUMP the batch contract is checked too:
JSON Lines envelopes, their order, the batch's exit code, text separators,
-c and -f, --version --json, a dump that does not open.

Validation uses python3-jsonschema (Draft 2020-12). Prints each problem and
a summary line; exits 0 only if there was none.
"""
import json, os, shlex, subprocess, sys, tempfile

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

# Each case: (command line, allowed exit codes). Words in braces come from
# the dump itself (see placeholders()):
#   {UPID}  a user process   {UADDR}  the start of its first VMA
#   {TASK}  its task_struct  {KTHREAD} a kernel thread's pid
#   {PADDR} the first physical address of RAM
# Add a row per behaviour of a new command (success and failure).
CASES = [
    ("info", {0}),
    ("info extra", {2}),
    ("info --no-such-option", {2}),
    ("vmcoreinfo", {0}),
    ("rd init_uts_ns 4", {0}),
    ("rd -8 init_uts_ns 5", {0}),
    ("rd -16 init_uts_ns 3", {0}),
    ("rd -32 init_uts_ns 2", {0}),
    ("rd -a init_uts_ns+4", {0}),
    ("rd -s init_uts_ns 8", {0}),
    ("rd -p {PADDR} 2", {0}),
    ("rd -u {UPID} {UADDR} 2", {0, 1}),
    ("rd -p 0xfffffffffff000", {1}),
    ("rd no_such_symbol_vmtool", {1}),
    ("rd 0x12zz", {2}),
    ("rd --no-such-option init_uts_ns", {2}),
    ("rd -l", {2}),
    ("rd --raw init_uts_ns", {2}),
    ("rd", {2}),
    ("vtop init_uts_ns", {0}),
    ("vtop init_uts_ns+0x10 _stext", {0}),
    ("vtop init_uts_ns no_such_symbol_vmtool 0x10", {1}),
    ("vtop -u {UPID} {UADDR}", {0, 1}),
    ("vtop -u 999999 0x1000", {1}),
    ("vtop 0xzz", {2}),
    ("vtop -q init_uts_ns", {2}),
    ("ptov {PADDR}", {0}),
    ("ptov {PADDR} zz", {2}),
    ("explain", {0}),
    ("explain extra", {2}),
    ("sym init_uts_ns _stext", {0}),
    ("sym {TASK}", {0, 1}),
    ("sym init_uts_ns no_such_symbol_vmtool", {1}),
    ("sym -l", {2}),
    ("sym 0xzz", {2}),
    ("struct task_struct", {0}),
    ("struct task_struct {TASK}", {0}),
    ("struct list_head", {0}),
    ("struct no_such_struct_vmtool", {1}),
    ("struct task_struct 0xzz", {2}),
    ("union no_such_union_vmtool", {1}),
    ("whatis task_struct", {0}),
    ("whatis init_uts_ns", {0}),
    ("whatis u32", {0}),
    ("whatis struct list_head", {0}),
    ("whatis no_such_name_vmtool", {1}),
    ("whatis", {2}),
    ("ps", {0}),
    ("ps 1 {UPID}", {0}),
    ("ps {TASK}", {0}),
    ("ps 1 999999", {1}),
    ("ps -k", {0}),
    ("ps -u -G", {0}),
    ("ps -S", {0}),
    ("ps -k -u", {2}),
    ("ps -x", {2}),
    ("vm {UPID}", {0}),
    ("vm {UPID} {KTHREAD} 999999", {1}),
    ("vm --maps {UPID}", {0}),
    ("vm -p {UPID}", {0}),
    ("vm --all", {0}),
    ("vm", {2}),
    ("vm notapid", {2}),
    ("files {UPID}", {0}),
    ("files {UPID} 999999", {1}),
    ("files notapid", {2}),
    ("mount", {0}),
    ("mount 999999", {1}),
    ("list -o task_struct.tasks {TASK}", {0}),
    ("list 0xzz", {2}),
    ("log", {0}),
    ("log -t", {0}),
    ("log -x", {2}),
    ("sys", {0}),
    ("bt", {0}),
    ("bt {UPID}", {0}),
    ("bt 999999", {1}),
    ("bt -x", {2}),
    ("runq", {0}),
    ("runq -c 0", {0}),
    ("runq -c 9999", {2}),
    ("runq -x", {2}),
    ("p init_uts_ns", {0}),
    ("p runqueues", {0}),
    ("p runqueues:0", {0}),
    ("p -x runqueues:0.nr_running", {0}),
    ("p ((struct uts_namespace *)&init_uts_ns)->name.release", {0}),
    ("p no_such_symbol_vmtool", {1}),
    ("p init_uts_ns.", {2}),
    ("p -q init_uts_ns", {2}),
    ("p", {2}),
    ("whatis runqueues", {0}),
    ("task", {0}),
    ("task 1 {TASK}", {0}),
    ("task -R comm,pid,se.on_rq 1", {0}),
    ("task 999999", {1}),
    ("task -R no_such_member_vmtool 1", {1}),
    ("task notapid", {2}),
    ("task -q", {2}),
    ("foreach bt", {0}),
    ("foreach -u task -R comm", {0}),
    ("foreach {UPID} files", {0}),
    ("foreach vm", {0}),
    ("foreach no_such_comm_vmtool bt", {1}),
    ("foreach -k", {2}),
    ("set", {0}),
    ("set 1", {0}),
    ("set {TASK}", {0}),
    ("set -c 0", {0}),
    ("set -p", {0}),
    ("set 999999", {1}),
    ("set 1 2", {2}),
    ("set -q", {2}),
    ("struct task_struct.comm,pid {TASK}", {0}),
    ("struct -x task_struct.se.on_rq,comm", {0}),
    ("struct task_struct.no_such_member_vmtool", {1}),
    ("struct -o list_head {TASK}", {0}),
    ("list -o task_struct.tasks -s task_struct.pid,comm {TASK}", {0}),
    ("list -o task_struct.tasks -s no_such_type_vmtool {TASK}", {1}),
    ("mod", {0}),
    ("mod no_such_module_vmtool", {1}),
    ("mod -x", {2}),
    ("kmem {TASK}", {0}),
    ("kmem init_uts_ns {TASK} 0x10", {0, 1}),
    ("kmem -i", {0}),
    ("kmem -p {PADDR}", {0}),
    ("kmem -s", {0, 1}),
    ("kmem 0xzz", {2}),
    ("kmem -x", {2}),
    ("save --mem-usage -d 31", {0}),
    ("save", {2}),
    ("save -d 99 out", {2}),
    ("help", {0}),
    ("help vtop ps", {0}),
    ("help no_such_command", {1}),
    ("vtop --help", {0}),
    ("no_such_command_vmtool", {2}),
]


def load_schemas(schemadir):
    schemas = {}
    for f in sorted(os.listdir(schemadir)):
        if f.endswith(".schema.json"):
            with open(os.path.join(schemadir, f)) as fh:
                schemas[f[:-len(".schema.json")]] = json.load(fh)
    for s in schemas.values():
        Draft202012Validator.check_schema(s)
    try:
        # jsonschema >= 4.18
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(s, default_specification=DRAFT202012))
            for s in schemas.values())

        def validator(name):
            return Draft202012Validator(schemas[name], registry=registry)
    except ImportError:
        # Debian 12's python3-jsonschema (4.10)
        from jsonschema import RefResolver
        store = {s["$id"]: s for s in schemas.values()}

        def validator(name):
            return Draft202012Validator(
                schemas[name], resolver=RefResolver.from_schema(schemas[name], store=store))
    return schemas, validator


class Checker:
    def __init__(self, vmtool, schemadir):
        self.vmtool = vmtool
        self.schemas, self.make_validator = load_schemas(schemadir)
        self.validators = {}
        self.problems = []
        self.documents = 0
        self.commands = set()

    def validator(self, name):
        if name not in self.validators:
            self.validators[name] = self.make_validator(name)
        return self.validators[name]

    def problem(self, what):
        self.problems.append(what)
        print("FAIL: " + what)

    def run(self, args, stdin=None):
        r = subprocess.run([self.vmtool] + args, input=stdin, capture_output=True,
                           timeout=600)
        return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")

    def schema_of(self, words):
        """The schema a command's document follows."""
        if "--help" in words[1:]:
            return "help"
        if words[0] not in self.commands:
            return "error"
        return words[0] if words[0] in self.schemas else None

    def validate(self, where, name, doc):
        e = best_match(self.validator(name).iter_errors(doc))
        if e is None:
            return True
        # The deepest reason (oneOf hides it in its context).
        while e.context:
            e = best_match(e.context)
        path = "/".join(str(p) for p in e.absolute_path)
        self.problem(f"{where}: does not follow {name}.schema.json at /{path}: {e.message[:200]}")
        return False

    def check_document(self, where, words, rc, doc, allowed):
        """One command's document: its schema, its exit code."""
        self.documents += 1
        if allowed and rc not in allowed:
            self.problem(f"{where}: exit {rc}, want {sorted(allowed)}")
        name = self.schema_of(words)
        if name is None:
            self.problem(f"{where}: no schema/{words[0]}.schema.json for command {words[0]}")
            return
        if isinstance(doc, dict) and set(doc) == {"error"}:
            # A failure of the whole command: the error document, whether
            # or not the command's schema admits it too.
            self.validate(where, "error", doc)
            if isinstance(doc["error"], dict) and doc["error"].get("code") != rc:
                self.problem(f"{where}: error code {doc['error'].get('code')} but exit {rc}")
            if rc == 0:
                self.problem(f"{where}: an error document with exit 0")
        elif isinstance(doc, list) and rc == 0 and any(
                isinstance(x, dict) and set(x) == {"error"} for x in doc):
            self.problem(f"{where}: error entries with exit 0")
        if not (isinstance(doc, dict) and set(doc) == {"error"}):
            self.validate(where, name, doc)

    def single(self, dump, line, allowed):
        words = shlex.split(line)
        rc, out, err = self.run(["-q", "--json", dump] + words)
        where = f"{os.path.basename(dump)}: {line}"
        try:
            doc = json.loads(out)
        except ValueError as e:
            self.problem(f"{where}: not exactly one JSON document ({e}); exit {rc}; stderr {err[:200]!r}")
            return None
        self.check_document(where, words, rc, doc, allowed)
        return doc

    def batch(self, dump, cases):
        """All cases as one -f batch: one envelope per command, in order."""
        with tempfile.NamedTemporaryFile("w", suffix=".vmtool", delete=False) as f:
            for line, _ in cases:
                f.write(line + "\n")
            path = f.name
        try:
            rc, out, err = self.run(["-q", "--json", "-f", path, dump])
        finally:
            os.unlink(path)
        lines = out.splitlines()
        base = os.path.basename(dump)
        if len(lines) != len(cases):
            self.problem(f"{base}: batch of {len(cases)} commands gave {len(lines)} lines; stderr {err[:200]!r}")
        worst = 0
        for (line, allowed), text in zip(cases, lines):
            where = f"{base}: batch: {line}"
            try:
                env = json.loads(text)
            except ValueError as e:
                self.problem(f"{where}: envelope is not JSON ({e})")
                continue
            if not self.validate(where, "envelope", env):
                continue
            if env["command"] != line:
                self.problem(f"{where}: envelope names {env['command']!r}")
            worst = max(worst, env["exit"])
            doc = env["result"] if "result" in env else {"error": env["error"]}
            self.check_document(where, shlex.split(line), env["exit"], doc, allowed)
        if rc != worst:
            self.problem(f"{base}: batch exit {rc}, want the worst command's {worst}")


def placeholders(chk, dump):
    """Values for the braces of CASES, read from the dump with vmtool."""
    values = {"UPID": "1", "UADDR": "0x400000", "TASK": "0x0", "KTHREAD": "2", "PADDR": "0x0"}
    rc, out, _ = chk.run(["-q", "--json", dump, "ps"])
    try:
        tasks = [t for t in json.loads(out) if isinstance(t, dict)]
    except ValueError:
        tasks = []
    users = [t for t in tasks if t.get("mm") and t["pid"] == t["tgid"] and not t.get("kthread")]
    if users:
        # The busiest process (the sets' workload), else the first.
        rc, out, _ = chk.run(["-q", "--json", dump, "vm"] + [str(t["pid"]) for t in users])
        try:
            maps = [m for m in json.loads(out) if isinstance(m, dict) and m.get("vmas")]
        except ValueError:
            maps = []
        best = max(maps, key=lambda m: len(m["vmas"]), default=None)
        if best:
            values.update(UPID=str(best["pid"]), TASK=best["task"], UADDR=best["vmas"][0]["start"])
    kthreads = [t for t in tasks if t.get("kthread") and t["pid"] > 0]
    if kthreads:
        values["KTHREAD"] = str(kthreads[0]["pid"])
    rc, out, _ = chk.run(["-q", "--json", dump, "info"])
    try:
        values["PADDR"] = json.loads(out)["phys_ranges"][0]["start"]
    except (ValueError, KeyError, IndexError, TypeError):
        pass
    return values


def cases_for(chk, dump):
    values = placeholders(chk, dump)
    cases = [(line.format(**values), allowed) for line, allowed in CASES]
    # Commands help lists but CASES never runs: bare, and with a bad option.
    named = {shlex.split(line)[0] for line, _ in CASES}
    for cmd in sorted(chk.commands - named):
        cases.append((cmd, set()))
        cases.append((cmd + " --no-such-option-vmtool", {2}))
    return cases


def check_batch_contract(chk, dump):
    """The issue's examples and the rest of the batch contract."""
    base = os.path.basename(dump)
    # Four commands on standard input, four envelopes in order.
    text = "struct nosuch\nps 1\nvm 2\nsym jiffies\n"
    rc, out, err = chk.run(["-q", "--json", dump], stdin=text.encode())
    envs = []
    for line in out.splitlines():
        try:
            envs.append(json.loads(line))
        except ValueError:
            chk.problem(f"{base}: stdin batch: a line is not JSON: {line[:100]!r}")
    for e in envs:
        chk.validate(f"{base}: stdin batch", "envelope", e)
    got = [(e.get("command"), e.get("ok")) for e in envs if isinstance(e, dict)]
    want = [("struct nosuch", False), ("ps 1", True), ("vm 2", True), ("sym jiffies", True)]
    if got != want:
        chk.problem(f"{base}: stdin batch: envelopes {got}, want {want}")
    if rc != 1:
        chk.problem(f"{base}: stdin batch: exit {rc}, want 1 (the worst command's)")
    # -c in text mode: a separator line per command; none for one command.
    rc, out, err = chk.run(["-q", "-c", "ps 1; vm --maps 1", dump])
    if rc != 0 or "--- ps 1\n" not in out or "--- vm --maps 1\n" not in out:
        chk.problem(f"{base}: -c 'ps 1; vm --maps 1': exit {rc}, output {out[:200]!r} {err[:200]!r}")
    rc, out, err = chk.run(["-q", "-c", "ps 1", dump])
    if rc != 0 or out.startswith("---"):
        chk.problem(f"{base}: -c 'ps 1' (one command): exit {rc}, output {out[:100]!r}")
    # The worst exit code wins; quit ends the batch.
    rc, out, err = chk.run(["-q", "--json", "-c", "ps 1; no_such_command; rd -p 0xfffffffffff000; quit; ps 2", dump])
    if rc != 2 or len(out.splitlines()) != 3:
        chk.problem(f"{base}: worst-code batch: exit {rc} (want 2), {len(out.splitlines())} envelopes (want 3)")
    # -f FILE, options after DUMP and among a command's words.
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write("# a comment\nps 1\n\ninfo\n")
        path = f.name
    rc, out, err = chk.run(["-q", dump, "--json", "-f", path])
    os.unlink(path)
    if rc != 0 or len(out.splitlines()) != 2:
        chk.problem(f"{base}: -f FILE after DUMP: exit {rc}, {len(out.splitlines())} lines")
    for args in (["-q", dump, "--json", "ps", "1"], ["-q", dump, "ps", "1", "--json"]):
        rc, out, err = chk.run(args)
        try:
            chk.check_document(f"{base}: {' '.join(args[2:])}", ["ps"], rc, json.loads(out), {0})
        except ValueError:
            chk.problem(f"{base}: {' '.join(args[2:])}: not JSON")
    # --version --json, and a dump that does not open.
    rc, out, err = chk.run(["--version", "--json"])
    try:
        chk.validate("--version --json", "version", json.loads(out))
    except ValueError:
        chk.problem(f"--version --json is not JSON: {out[:100]!r}")
    missing = dump + ".no-such-file"
    rc, out, err = chk.run(["--json", missing, "info"])
    try:
        doc = json.loads(out)
        chk.validate("missing dump", "error", doc)
        if rc != 3 or doc["error"]["code"] != 3 or doc["error"].get("file") != missing:
            chk.problem(f"missing dump: exit {rc}, {doc}")
    except (ValueError, KeyError, TypeError):
        chk.problem(f"missing dump: not an error document: {out[:200]!r}")
    rc, out, err = chk.run(["--json", "-c", "ps; info", missing])
    try:
        env = json.loads(out)
        chk.validate("missing dump, batch", "envelope", env)
        if rc != 3 or env["command"] is not None or len(out.splitlines()) != 1:
            chk.problem(f"missing dump, batch: exit {rc}, {out[:200]!r}")
    except (ValueError, KeyError, TypeError):
        chk.problem(f"missing dump, batch: not one envelope: {out[:200]!r}")


def dump_of(arg):
    """A dump file, or a set folder's main dump (kdump first: no xz to undo)."""
    if not os.path.isdir(arg):
        return arg
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from check_truth import dumps_of
    files = {os.path.basename(f): f for f in dumps_of(arg)}
    for want in ("vmcore.kdump-zlib", "vmcore.kdump-zlib.flat", "vmcore.elf", "vmcore.proc.elf"):
        if want in files:
            return files[want]
    return next(iter(files.values()), None)


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        print(__doc__)
        return 2
    vmtool, schemadir, rest = args[0], args[1], args[2:]
    batch_only = rest[0] == "--batch-only"
    dumps = [d for d in map(dump_of, rest[1:] if batch_only else rest) if d]
    chk = Checker(vmtool, schemadir)
    rc, out, err = chk.run(["--json", "help"])
    try:
        chk.commands = {c["name"] for c in json.loads(out)}
    except (ValueError, KeyError, TypeError):
        chk.problem(f"vmtool --json help: {out[:200]!r} {err[:200]!r}")
    for cmd in sorted(chk.commands):
        if cmd not in chk.schemas:
            chk.problem(f"command {cmd} has no schema/{cmd}.schema.json")
    for i, dump in enumerate(dumps):
        cases = cases_for(chk, dump)
        if not batch_only:
            for line, allowed in cases:
                chk.single(dump, line, allowed)
        chk.batch(dump, cases)
        if i == 0 and not batch_only:
            check_batch_contract(chk, dump)
    print(f"json: {chk.documents} documents on {len(dumps)} dumps against "
          f"{len(chk.schemas)} schemas: {len(chk.problems)} problems"
          + ("" if not chk.problems else "  FAILS"))
    return 1 if chk.problems else 0


if __name__ == "__main__":
    sys.exit(main())
