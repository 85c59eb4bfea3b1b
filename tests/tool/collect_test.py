#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kminidump collect against a fake QEMU: a QMP server in this process that greets,
answers the commands collect sends, and raises GUEST_PANICKED when told; the guest
RAM is a gen.py image with a kminidump_rmem locator in its last page (fuzz-loc.ram of
run.sh). Also the hostile QEMU: garbled, oversized, deep, silent or closing replies;
a VM set up wrong (no pvpanic, share=off, panic action poweroff or none).

Usage: collect_test.py CASE TOOL WORKDIR     ("list" lists the cases)
Exit status 0 if collect behaved: its exit code, its lines, the files in the output.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

RAM, BASE, LOC, EXPECT = "fuzz-loc.ram", 0x1000000, 0x13ff000, "x86.expected"
HERE = os.path.dirname(os.path.abspath(__file__))


class FakeQemu(threading.Thread):
    """One QMP client at a time, as QEMU. panics: how many GUEST_PANICKED to send, one
    after each resume (the first one right after qmp_capabilities + a delay)."""

    def __init__(self, path, ram, panics=1, action="pause", pvpanic=True, share=True,
                 greeting=None, reply=None, status="running", delay=0.2, end=False,
                 reset_trigger=False):
        super().__init__(daemon=True)
        self.path, self.ram, self.panics, self.action = path, ram, panics, action
        self.pvpanic, self.share, self.greeting, self.reply = pvpanic, share, greeting, reply
        self.status, self.delay, self.end = status, delay, end
        # a guest without pvpanic that reboots on panic: SHUTDOWN guest-reset, STOP
        self.reset_trigger, self.reboot = reset_trigger, "reset"
        self.cmds, self.resets = [], 0
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(1)
        self.start()

    def send(self, c, obj):
        c.sendall((obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\r\n")

    def event(self, c, name, data=None):
        t = time.time()
        ev = {"event": name, "timestamp": {"seconds": int(t), "microseconds": int(t % 1 * 1e6)}}
        if data is not None:
            ev["data"] = data
        self.send(c, ev)

    def panic(self, c):
        time.sleep(self.delay)
        self.panics -= 1
        if self.reset_trigger:
            self.status = "shutdown"
            self.event(c, "SHUTDOWN", {"guest": True, "reason": "guest-reset"})
            self.event(c, "STOP")
            return
        self.status = "guest-panicked" if self.action == "pause" else "running"
        self.event(c, "GUEST_PANICKED", {"action": self.action})

    def answer(self, name, args):
        if name == "query-status":
            return {"status": self.status, "running": self.status == "running"}
        if name == "query-target":
            return {"arch": "x86_64"}
        if name == "qom-list":
            if args.get("path") == "/machine/peripheral-anon" and self.pvpanic:
                return [{"name": "type", "type": "string"},
                        {"name": "device[0]", "type": "child<pvpanic>"}]
            return [{"name": "type", "type": "string"}]
        if name == "query-memdev":
            return [{"id": "mem", "size": os.path.getsize(self.ram), "share": self.share,
                     "merge": True, "dump": True, "prealloc": False, "host-nodes": [],
                     "policy": "default"}]
        if name == "qom-get":
            return os.path.abspath(self.ram)
        return {}

    def run(self):
        try:
            c, _ = self.srv.accept()
        except OSError:
            return
        try:
            self.serve(c)
        except (OSError, ValueError):
            pass
        finally:
            c.close()

    def serve(self, c):
        g = self.greeting if self.greeting is not None else {
            "QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""},
                    "capabilities": ["oob"]}}
        if g == "silent":
            time.sleep(30)
            return
        self.send(c, g if isinstance(g, bytes) else json.dumps(g).encode())
        buf = b""
        while True:
            try:
                data = c.recv(65536)
            except socket.timeout:
                return
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                req = json.loads(line)
                name, rid = req["execute"], req.get("id")
                self.cmds.append(name)
                if self.reply and name in self.reply:
                    r = self.reply[name]
                    if r == "close":
                        return
                    self.send(c, r if isinstance(r, bytes) else json.dumps({**r, "id": rid}).encode())
                    continue
                if name == "quit":
                    self.send(c, {"return": {}, "id": rid})
                    self.event(c, "SHUTDOWN", {"guest": False, "reason": "host-qmp-quit"})
                    return
                if name == "cont" and self.status != "running" and self.status != "prelaunch":
                    self.send(c, {"error": {"class": "GenericError", "desc":
                                            "Resetting the Virtual Machine is required"},
                                  "id": rid})
                    continue
                self.send(c, {"return": self.answer(name, req.get("arguments", {})),
                              "id": rid})
                # the last of collect's checks at connect time
                if name == "qom-get" and self.panics > 0 and self.status == "running":
                    self.panic(c)
                elif name == "set-action":
                    self.reboot = req["arguments"].get("reboot", self.reboot)
                elif name == "system_reset" and self.reboot == "shutdown":
                    # QEMU: a host reset under reboot=shutdown is a shutdown
                    self.status = "shutdown"
                    self.event(c, "SHUTDOWN", {"guest": False,
                                               "reason": "host-qmp-system-reset"})
                elif name == "system_reset":
                    self.resets += 1
                    self.status = "prelaunch"
                    self.event(c, "RESET", {"guest": False, "reason": "host-qmp-system-reset"})
                elif name == "cont":
                    self.status = "running"
                    self.event(c, "RESUME")
                    if self.panics > 0:
                        self.panic(c)
                    elif self.end:
                        # QEMU exits (the end of the loop) once collect is idle
                        c.settimeout(0.5)

    def close(self):
        self.srv.close()


class Ctx:
    def __init__(self, tool, work):
        self.tool, self.work = tool, work
        self.tmp = tempfile.mkdtemp(prefix="kmdc-")
        self.sock = os.path.join(self.tmp, "qmp.sock")
        self.out = os.path.join(self.tmp, "out")
        os.mkdir(self.out)
        self.ram = os.path.join(work, RAM)

    def panic_ram(self, state):
        """The RAM image with its locator in state STATE (2: PANIC, 1: LIVE)."""
        loc = os.path.join(self.tmp, "loc.page")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_locator.py"),
                        os.path.join(self.work, "x86.ram") + "@0x1000000", "0x1200000",
                        hex(LOC), loc, f"state={state}"], check=True)
        with open(os.path.join(self.work, "x86.ram"), "rb") as f:
            ram = f.read()
        with open(loc, "rb") as f:
            page = f.read()
        self.ram = os.path.join(self.tmp, "panic.ram")
        with open(self.ram, "wb") as f:
            f.write(ram[:-4096] + page)

    def qemu(self, **kw):
        return FakeQemu(self.sock, self.ram, **kw)

    def collect(self, *args, timeout=60):
        cmd = [self.tool, "collect", "--qmp", self.sock, "--ram", self.ram + "@" + hex(BASE),
               "-o", self.out] + list(args)
        t = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.monotonic() - t

    def cores(self):
        return sorted(f for f in os.listdir(self.out) if not f.startswith("."))

    def done(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def fail(msg, *outs):
    print(msg)
    for o in outs:
        for line in str(o).strip().splitlines()[-10:]:
            print("  " + line)
    return 1


def same_as_expected(ctx, name):
    with open(os.path.join(ctx.out, name), "rb") as a, \
            open(os.path.join(ctx.work, EXPECT), "rb") as b:
        return a.read() == b.read()


def once(ctx):
    """--once --locator: one core, equal to extract's, the guest reset and continued;
    the text line names every stage."""
    q = ctx.qemu()
    rc, out, err, _ = ctx.collect("--once", "--locator", hex(LOC))
    cores = ctx.cores()
    if rc != 0 or len(cores) != 1:
        return fail(f"exit {rc}, cores {cores}", out, err)
    if not same_as_expected(ctx, cores[0]):
        return fail("the core differs from extract's", out, err)
    for w in ("event", "table", "regions", "compress -", "encrypt -", "written", "reset",
              "stable", "total"):
        if w not in out:
            return fail(f"no '{w}' in the line", out)
    if q.cmds[-2:] != ["system_reset", "cont"] or "set-action" not in q.cmds:
        return fail(f"commands {q.cmds}", out, err)
    return 0


def encrypted(ctx):
    """--compress zstd --encrypt-to: kminidump-*.core.zst.age, which Debian's age -d and
    zstd -d turn back into extract's core; the line has compress and encrypt times."""
    key = os.path.join(ctx.tmp, "key.txt")
    subprocess.run(["age-keygen", "-o", key], check=True, capture_output=True)
    rcpt = subprocess.run(["age-keygen", "-y", key], check=True, capture_output=True,
                          text=True).stdout.strip()
    ctx.qemu()
    rc, out, err, _ = ctx.collect("--once", "--compress", "zstd", "--encrypt-to", rcpt)
    cores = ctx.cores()
    if rc != 0 or len(cores) != 1 or not cores[0].endswith(".core.zst.age"):
        return fail(f"exit {rc}, cores {cores}", out, err)
    if "compress -" in out or "encrypt -" in out:
        return fail("no compress/encrypt time", out)
    plain = subprocess.run(f"age -d -i {key} {os.path.join(ctx.out, cores[0])} | zstd -dc",
                           shell=True, capture_output=True).stdout
    with open(os.path.join(ctx.work, EXPECT), "rb") as f:
        if plain != f.read():
            return fail("age -d | zstd -d is not extract's core", out, err)
    return 0


def on_reset(ctx):
    """--on-reset, no pvpanic: 3 guest resets with the locator in PANIC are 3 cores, each
    restarted with the reboot action flipped to reset and back (else QEMU would shut down)."""
    ctx.panic_ram(2)
    q = ctx.qemu(panics=3, delay=0.05, end=True, pvpanic=False, reset_trigger=True)
    rc, out, err, _ = ctx.collect("--on-reset", "--json")
    lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    if rc != 0 or len(lines) != 3 or len(ctx.cores()) != 3 or q.resets != 3:
        return fail(f"exit {rc}, {len(lines)} lines, cores {ctx.cores()}, resets {q.resets}",
                    out, err)
    if not all(x["locator_state"] == "PANIC" and x["exit"] == 0 for x in lines):
        return fail("a line says otherwise", out)
    return 0


def on_reset_stopped(ctx):
    """--on-reset: a guest QEMU stopped at its reset before collect connected (state
    shutdown) with the locator in PANIC is collected at once, then restarted."""
    ctx.panic_ram(2)
    q = ctx.qemu(panics=0, status="shutdown", pvpanic=False)
    rc, out, err, _ = ctx.collect("--on-reset", "--once")
    if rc != 0 or len(ctx.cores()) != 1 or q.resets != 1:
        return fail(f"exit {rc}, cores {ctx.cores()}, resets {q.resets}", out, err)
    return 0


def on_reset_reboot(ctx):
    """--on-reset: a reset with the locator LIVE is an ordinary reboot: no core, restarted."""
    ctx.panic_ram(1)
    q = ctx.qemu(panics=2, delay=0.05, end=True, pvpanic=False, reset_trigger=True)
    rc, out, err, _ = ctx.collect("--on-reset")
    if rc != 0 or ctx.cores() or q.resets != 2 or err.count("without a panic") != 2:
        return fail(f"exit {rc}, cores {ctx.cores()}, resets {q.resets}", out, err)
    return 0


def loop_keep(ctx):
    """5 panics in a row with --keep 2 --json: 5 JSON lines, 2 cores left, 3 removals
    logged, a crash-loop note; QEMU's quit after the 5th ends the loop with 0."""
    ctx.qemu(panics=5, delay=0.05, end=True)
    rc, out, err, _ = ctx.collect("--keep", "2", "--json", "--scan")
    lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    if rc != 0 or len(lines) != 5 or len(ctx.cores()) != 2:
        return fail(f"exit {rc}, {len(lines)} lines, cores {ctx.cores()}", out, err)
    if err.count("removed ") != 3 or "crash loop" not in err:
        return fail("removals or the rate note missing", err)
    if not all(x["stable"] and x["exit"] == 0 and x["bytes"] > 0 and
               x["locator_state"] in ("LIVE", "PANIC") for x in lines):
        return fail("a line says otherwise", out)
    return 0


def max_bytes(ctx):
    """--max-bytes under two cores: one stays after each collection."""
    ctx.qemu(panics=3, delay=0.05, end=True)
    size = os.path.getsize(os.path.join(ctx.work, EXPECT))
    rc, out, err, _ = ctx.collect("--max-bytes", str(size + size // 2))
    if rc != 0 or len(ctx.cores()) != 1 or err.count("over --max-bytes") != 2:
        return fail(f"exit {rc}, cores {ctx.cores()}", out, err)
    return 0


def then_quit(ctx):
    q = ctx.qemu(panics=1)
    rc, out, err, _ = ctx.collect("--then", "quit")
    if rc != 0 or q.cmds[-1] != "quit" or len(ctx.cores()) != 1:
        return fail(f"exit {rc}, commands {q.cmds}", out, err)
    return 0


def then_pause(ctx):
    q = ctx.qemu(panics=1)
    rc, out, err, _ = ctx.collect("--then", "pause", "--once")
    if rc != 0 or "system_reset" in q.cmds or "cont" in q.cmds:
        return fail(f"exit {rc}, commands {q.cmds}", out, err)
    return 0


def already_panicked(ctx):
    """A guest that panicked before collect connected is collected at once."""
    ctx.qemu(panics=0, status="guest-panicked")
    rc, out, err, _ = ctx.collect("--once")
    if rc != 0 or len(ctx.cores()) != 1 or "already" not in err:
        return fail(f"exit {rc}", out, err)
    return 0


def expect_err(ctx, want_rc, words, qemu_kw, *args, max_s=30):
    ctx.qemu(**qemu_kw)
    rc, out, err, secs = ctx.collect("--once", "--timeout", "20", *args)
    if rc != want_rc or any(w not in err for w in words) or secs > max_s:
        return fail(f"exit {rc} (want {want_rc}) in {secs:.1f} s; want {words} in stderr",
                    out, err)
    if any(not f.startswith("kminidump-") for f in os.listdir(ctx.out)):
        return fail(f"left in the output: {os.listdir(ctx.out)}")
    return 0


CASES = {
    "once": once,
    "loop-keep": loop_keep,
    "encrypted": encrypted,
    "on-reset": on_reset,
    "on-reset-reboot": on_reset_reboot,
    "on-reset-stopped": on_reset_stopped,
    "max-bytes": max_bytes,
    "then-quit": then_quit,
    "then-pause": then_pause,
    "already-panicked": already_panicked,
    "no-pvpanic": lambda c: expect_err(c, 12, ["-device pvpanic"], {"pvpanic": False}),
    "share-off": lambda c: expect_err(c, 12, ["share=on"], {"share": False}),
    "action-poweroff": lambda c: expect_err(c, 12, ["-action panic=pause"],
                                            {"action": "poweroff"}, "--no-set-action"),
    "action-none": lambda c: expect_err(c, 12, ["-action panic=pause"], {"action": "run"},
                                        "--no-set-action"),
    "no-set-action": lambda c: expect_err(c, 12, ["-action panic=pause"], {"reply": {
        "set-action": {"error": {"class": "CommandNotFound", "desc": "no"}}}}),
    "not-qmp": lambda c: expect_err(c, 11, ["not a QMP greeting"], {"greeting": {"x": 1}}),
    "garbled": lambda c: expect_err(c, 11, ["not JSON"], {"greeting": b"{\"QMP\": {,}"}),
    "event-garbled": lambda c: expect_err(c, 11, ["not JSON"], {"reply": {
        "qom-get": b'{"event": "GUEST_PANICKED", "data": {"action": "pause"}'}}),
    "event-huge": lambda c: expect_err(c, 11, ["longer than"], {"reply": {
        "qom-get": b'{"event": "' + b"A" * (2 << 20) + b'"}'}}),
    "deep": lambda c: expect_err(c, 11, ["nested too deep"],
                                 {"greeting": b"[" * 100000 + b"]" * 100000}),
    "huge": lambda c: expect_err(c, 11, ["longer than"], {"greeting": b"\"" + b"a" * (3 << 20)}),
    "silent": lambda c: expect_err(c, 11, ["no greeting"], {"greeting": "silent"}),
    "closed": lambda c: expect_err(c, 11, ["closed the connection"],
                                   {"reply": {"qmp_capabilities": "close"}}),
    "no-answer": lambda c: expect_err(c, 11, ["refused query-status"], {"reply": {
        "query-status": b'{"error": {"class": "GenericError", "desc": "x\\u0007y"}, "id": 2}'}}),
    "no-panic": lambda c: expect_err(c, 5, ["no panic within"], {"panics": 0}, "--timeout", "1"),
}


def _no_socket(ctx):
    rc, out, err, secs = ctx.collect("--once")
    if rc != 11 or "-qmp unix:" not in err or secs > 20:
        return fail(f"exit {rc} in {secs:.1f} s", out, err)
    return 0


CASES["no-socket"] = _no_socket


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "list":
        print("\n".join(CASES))
        return 0
    if len(sys.argv) != 4 or sys.argv[1] not in CASES:
        sys.exit(__doc__)
    ctx = Ctx(os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]))
    try:
        return CASES[sys.argv[1]](ctx)
    finally:
        ctx.done()


if __name__ == "__main__":
    sys.exit(main())
