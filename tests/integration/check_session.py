#!/usr/bin/env python3
"""The interactive session through a pseudo-terminal.

usage: check_session.py VMTOOL DUMP

Starts vmtool on DUMP with a terminal (python's pty) and a private HOME,
then checks: the prompt; TAB completion of a command (vmc -> vmcoreinfo,
vm TAB TAB lists vm and vmcoreinfo), of a symbol and of a PID; `help vtop`;
a command's output; `quit`; the history file it leaves; and that with a
terminal on standard input but not on standard output there is no prompt.
Exits 0 only if all hold.
"""
import os, pty, select, subprocess, sys, tempfile, time

PROMPT = b"vmtool> "


class Session:
    def __init__(self, vmtool, dump, home):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(HOME=home, TERM="xterm")
            os.execv(vmtool, [vmtool, "-q", dump])
        self.seen = b""
        self.pending = b""

    def read_until(self, want, timeout=20):
        """Output up to and including @want (bytes), or None on timeout;
        what came after it is kept for the next call."""
        end = time.time() + timeout
        buf = self.pending
        while want not in buf and time.time() < end:
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                break
            if not data:
                break
            buf += data
        if want not in buf:
            self.pending = b""
            self.seen += buf
            return None
        cut = buf.index(want) + len(want)
        self.pending = buf[cut:]
        self.seen += buf[:cut]
        return buf[:cut]

    def send(self, data):
        os.write(self.fd, data)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    vmtool, dump = sys.argv[1:]
    fails = []

    def check(what, ok, got=b""):
        print(("ok: " if ok else "FAIL: ") + what + ("" if ok else f": got {got[-300:]!r}"))
        if not ok:
            fails.append(what)

    with tempfile.TemporaryDirectory() as home:
        s = Session(vmtool, dump, home)
        out = s.read_until(PROMPT)
        check("prompt", out is not None, s.seen)
        # The terminal gets what completion inserts: the rest of the word.
        s.send(b"vmc\t")
        out = s.read_until(b"oreinfo ")
        check("vmc<TAB> completes to vmcoreinfo", out is not None, s.seen)
        s.send(b"\x15")  # ^U: clear the line
        s.send(b"vm\t\t")
        out = s.read_until(b"vmcoreinfo")
        check("vm<TAB><TAB> lists vm and vmcoreinfo", out is not None and b"vm " in out, out or s.seen)
        s.send(b"\x15")
        s.send(b"sym init_uts\t")
        out = s.read_until(b"_ns ")
        check("sym init_uts<TAB> completes a symbol", out is not None, s.seen)
        s.send(b"\x15")
        s.send(b"ps 1\t\t")
        out = s.read_until(b"1 ")
        check("ps 1<TAB><TAB> lists PIDs", out is not None, s.seen)
        # The listing ends by drawing the prompt and the line again.
        s.read_until(b"vmtool> ps 1")
        s.send(b"\x15help vtop\r")
        out = s.read_until(b"usage: vtop")
        check("help vtop", out is not None and s.read_until(PROMPT) is not None, s.seen)
        s.send(b"ps 1\r")
        out = s.read_until(b" init\r\n")
        check("ps 1 runs", out is not None and s.read_until(PROMPT) is not None, s.seen)
        s.send(b"quit\r")
        _, status = os.waitpid(s.pid, 0)
        check("quit ends the session with exit 0",
              os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, str(status).encode())
        hist = os.path.join(home, ".vmtool_history")
        text = open(hist, "rb").read() if os.path.exists(hist) else b""
        check("history kept in ~/.vmtool_history", b"help" in text and b"vtop" in text, text)
    # A terminal on standard input only: no prompt, no session.
    master, slave = os.openpty()
    p = subprocess.Popen([vmtool, "-q", dump], stdin=slave, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    os.close(slave)
    os.write(master, b"ps 1\n\x04")
    try:
        out, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    os.close(master)
    check("stdout not a terminal: no prompt", PROMPT not in out and b"init" in out, out)
    print(f"session: {'FAILS' if fails else 'all checks hold'}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
