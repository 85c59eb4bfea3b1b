#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""`kminidump collect` against a real QEMU guest (issue 12), one VM per kernel.

The VM gets a second QMP socket for the collector and the reserved-memory buffer of
kminidump_rmem; on amd64 a pvpanic device (-device pvpanic, the stock pvpanic-mmio
driver loaded after kminidump) and -action reboot=reset,panic=pause; on arm64 (Debian
builds no pvpanic driver: CONFIG_PVPANIC is off) the harness's -action
reboot=shutdown,shutdown=pause with panic=-1, and collect --on-reset. In that one VM:

  crash 1   collector A (--once --then pause) writes the core; the guest is still
            stopped: every PT_LOAD of the core equals guest RAM, kminidump dmesg has
            the panic line, drgn opens it (release, printk records)
  then      collector B (--keep 2 --json, --then reset) finds the guest panicked,
            collects it too and resets it; the guest boots again and crashes again,
            PANICS times in all; B writes one core per crash and keeps 2
  always    every collection saw a finished table: the PANIC flag, the locator in
            state PANIC, the generation rule stable, nothing partial (the order of
            the pvpanic notifier against kminidump's)

Prints KTAP and "N passed, N failed, N skipped"; the per-stage times and sizes of
each collection as diagnostics. Exit status 1 if anything failed.

Usage: tests/qemu/collect.py [--kernel NAME,...] [--panics N] [-j N] [-v]
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import concurrent.futures
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kmdqemu import VM, HarnessError, KernelEnv, install_signal_handlers  # noqa: E402
from kmdqemu import tool as kt  # noqa: E402
from kmdqemu.paths import TOP  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostchecks"))
import e2e  # noqa: E402

PANIC_LINE = "Kernel panic - not syncing: sysrq triggered crash"
RIG = {
    "amd64": dict(addr=0x3f000000, size=0x400000, trigger="pvpanic",
                  append="memmap=4M$0x3f000000 kmd_rmem=0x3f000000,0x400000",
                  qemu=["-device", "pvpanic", "-action", "reboot=reset,panic=pause"],
                  stock=["pvpanic-mmio"], dt=None, collect=[]),
    "arm64": dict(addr=0x7f000000, size=0x400000, trigger="reset",
                  append="kmd_rmem=0x7f000000,0x400000", qemu=[], stock=[],
                  dt="0x7f000000,0x400000", collect=["--on-reset"]),
}


class Report:
    def __init__(self, verbose):
        self.n, self.counts, self.verbose = 0, {"ok": 0, "fail": 0, "skip": 0}, verbose
        self.lock = threading.RLock()

    def result(self, status, desc, diag=()):
        with self.lock:
            return self._result(status, desc, diag)

    def _result(self, status, desc, diag):
        self.n += 1
        self.counts[status] += 1
        if status == "skip":
            print(f"ok {self.n} {desc} # SKIP {' '.join(diag)}", flush=True)
            return True
        print(f"{'ok' if status == 'ok' else 'not ok'} {self.n} {desc}", flush=True)
        if status == "fail" or self.verbose:
            for d in diag:
                for line in str(d).splitlines():
                    print(f"# {line}", flush=True)
        return status == "ok"

    def check(self, ok, desc, diag=()):
        return self.result("ok" if ok else "fail", desc, diag if isinstance(diag, (list, tuple))
                           else [diag])

    def diag(self, msg):
        with self.lock:
            print(f"# {msg}", flush=True)


class Collector:
    """A `kminidump collect` process; its stdout (JSON lines) and stderr in files."""

    def __init__(self, tag, args, workdir):
        self.out_path = os.path.join(workdir, f"{tag}.out")
        self.err_path = os.path.join(workdir, f"{tag}.err")
        self.cmd = [kt.tool(), "collect"] + args
        with open(self.out_path, "w") as o, open(self.err_path, "w") as e:
            self.p = subprocess.Popen(self.cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL)

    def text(self, which="err"):
        with open(self.err_path if which == "err" else self.out_path, errors="replace") as f:
            return f.read()

    def lines(self):
        out = []
        for line in self.text("out").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def stop(self, timeout=30):
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None


def step_until(vm, cond, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        vm.step(0.2)
    return cond()


def core_vs_ram(vm, path):
    """Every PT_LOAD of the core at path against guest RAM at its p_paddr."""
    with open(path, "rb") as f:
        data = f.read()
    phoff, phnum = struct.unpack_from("<Q", data, 32)[0], struct.unpack_from("<H", data, 56)[0]
    n, bad, total = 0, [], 0
    for i in range(phnum):
        t, _, off, _, paddr, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * 56)
        if t != 1 or not filesz:
            continue
        n += 1
        total += filesz
        if data[off:off + filesz] != vm.ram.read(paddr, filesz):
            bad.append(f"#{i} pa 0x{paddr:x}+0x{filesz:x}")
    return n, bad, total


def stages(x):
    ms = x["ms"]
    return (f"event {ms['event']:.1f} ms, table {ms['table']:.1f} ms, regions "
            f"{ms['regions']:.1f} ms, written {ms['write']:.1f} ms, {x['then']} "
            f"{ms['then']:.1f} ms, total {ms['total']:.1f} ms; {x['bytes']} bytes, "
            f"{x['regions']} regions")


def finished(x):
    """The ordering claim: what the collector read was the finished panic table."""
    return (x["exit"] == 0 and x["stable"] and "PANIC" in x["flags"].split("|") and
            x.get("locator_state") == "PANIC" and not x["partial"])


def run_kernel(name, a, rep):
    env = KernelEnv(name)
    rig = RIG[env.arch]
    tag = name
    work = tempfile.mkdtemp(prefix="kmdc-")
    csock = os.path.join(work, "collect.sock")
    outa, outb = os.path.join(work, "a"), os.path.join(work, "b")
    os.mkdir(outa)
    os.mkdir(outb)
    append = rig["append"] + (" kmd.pvpanic_first=1" if a.pvpanic_first else "")
    vm = VM(name, cases=["collect"], smp=2, append=append, dt_rmem=rig["dt"],
            qemu_args=["-qmp", f"unix:{csock},server=on,wait=off"] + rig["qemu"],
            stock_modules=rig["stock"], timeout=a.timeout, verbose=a.verbose,
            console_check=False,
            on_result=lambda vm, r: r.source == "guest" and rep.result(
                r.status, f"{tag} boot {boots[0]}: {r.desc}", r.diag))
    vm.deferred = {"collect_ready"}
    boots = [1]
    cols = []
    try:
        try:
            vm.start()
        except HarnessError as e:
            return rep.check(False, f"{tag}: the VM starts", str(e))
        rep.diag(f"{tag}: logs in {vm.logdir}, collector files in {work}")
        base = vm.ram.banks[0][0]
        common = ["--qmp", csock, "--ram", f"{vm.shm}@0x{base:x}", "--locator",
                  hex(rig["addr"]), "--json"] + rig["collect"]

        def ready():
            return step_until(vm, lambda: vm.pending is not None, a.timeout)

        if not rep.check(ready(), f"{tag} boot 1: the guest is up, modules loaded",
                         vm.console_tail(30)):
            return False
        ca = Collector("a", common + ["-o", outa, "--once", "--then", "pause", "--timeout",
                                      str(int(a.timeout))], work)
        cols.append(ca)
        if not rep.check(step_until(vm, lambda: "waiting for its panic" in ca.text(), 60),
                         f"{tag}: collector A connected", ca.text()):
            return False
        vm.answer(True, "crash 1")
        done = step_until(vm, lambda: ca.p.poll() is not None, a.timeout)
        la = ca.lines()
        rep.check(done and ca.p.returncode == 0 and len(la) == 1,
                  f"{tag} crash 1: collector A wrote one core on the {rig['trigger']} event "
                  f"and exited 0", [f"exit {ca.p.returncode}", ca.text(), ca.text("out")])
        if not la or not la[0]["file"]:
            return False
        x = la[0]
        if a.pvpanic_first:
            # the check's other side: pvpanic's notifier ran first, QEMU stopped the guest
            # before kminidump's capture; the collector must see (and say) it
            rep.check(not finished(x) and "no PANIC flag" in ca.text(),
                      f"{tag} crash 1, pvpanic loaded first: the collector read the table "
                      f"before the capture and said so", [json.dumps(x), ca.text()])
            rep.diag(f"{tag} crash 1 (pvpanic first): flags {x['flags']}, locator "
                     f"{x.get('locator_state')}; {stages(x)}")
            return True
        rep.check(finished(x), f"{tag} crash 1: the table was finished when the collector "
                  f"read it (PANIC flag, locator PANIC, stable, not partial)", json.dumps(x))
        rep.diag(f"{tag} crash 1 (collector A): {stages(x)}")
        core = x["file"]
        shutil.copy(core, os.path.join(vm.logdir, "collect-1.core"))
        n, bad, total = core_vs_ram(vm, core)
        rep.check(n > 10 and not bad, f"{tag} crash 1: each of the core's {n} PT_LOADs "
                  f"({total} bytes) equals guest RAM", bad[:10])
        rc, out, err, _ = kt.run([kt.tool(), "dmesg", core], timeout=120)
        rep.check(rc == 0 and PANIC_LINE in out, f"{tag} crash 1: kminidump dmesg of the "
                  f"core has '{PANIC_LINE}'", [f"exit {rc}", err[-400:], out[-400:]])
        vals, derr = e2e._drgn(vm, core)
        rep.check(vals and vals["release"] == env.kver and vals["printk"]["count"] >= 50,
                  f"{tag} crash 1: drgn opens the core (release, printk records)",
                  [derr or json.dumps(vals)[:600]])
        # collector B: the loop; it finds the guest panicked (or stopped) and resets it
        cb = Collector("b", common + ["-o", outb, "--keep", "2", "--interval", "3600"], work)
        cols.append(cb)
        for i in range(2, a.panics + 1):
            boots[0] = i
            ok = ready()
            rep.check(ok and len(cb.lines()) == i - 1, f"{tag} boot {i}: the guest runs "
                      f"again after collector B's reset ({i - 1} collected)",
                      [cb.text(), cb.text("out")[-800:], vm.console_tail(20)])
            if not ok:
                return False
            vm.answer(True, f"crash {i}")
        boots[0] = a.panics + 1
        ok = ready()
        lb = cb.lines()
        rep.check(ok and len(lb) == a.panics, f"{tag} boot {a.panics + 1}: the guest runs "
                  f"again after crash {a.panics}; collector B collected {len(lb)} of "
                  f"{a.panics}", [cb.text(), vm.console_tail(20)])
        if ok:
            vm.answer(True, "done")
            step_until(vm, lambda: vm.guest_end is not None, a.timeout)
        for k, y in enumerate(lb):
            rep.diag(f"{tag} collection {k + 1} (collector B): {stages(y)}")
        rep.check(lb and all(finished(y) for y in lb), f"{tag}: every one of collector B's "
                  f"{len(lb)} collections read a finished table",
                  [json.dumps(y) for y in lb if not finished(y)])
        kept = sorted(f for f in os.listdir(outb) if f.startswith("kminidump-"))
        removed = cb.text().count("removed ")
        rep.check(len(kept) == 2 and removed == len(lb) - 2,
                  f"{tag}: --keep 2 left {len(kept)} cores after {len(lb)} crashes, "
                  f"{removed} removals logged", [cb.text()])
        vm.close()      # QEMU quits: collector B's loop ends with 0
        rc = cb.stop()
        rep.check(rc == 0, f"{tag}: collector B ends with 0 when QEMU exits",
                  [f"exit {rc}", cb.text()[-800:]])
        return True
    finally:
        for c in cols:
            if c.p.poll() is None:
                c.p.kill()
                c.p.wait()
        vm.close()
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="amd64-6.1,amd64-6.12,arm64-6.1,arm64-6.12")
    ap.add_argument("--panics", type=int, default=5, help="crashes in the VM (default 5)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per boot")
    ap.add_argument("--keep", action="store_true", help="keep the collectors' directories")
    ap.add_argument("--pvpanic-first", action="store_true",
                    help="amd64: load pvpanic before kminidump, one crash, and expect the "
                    "collector to see an unfinished table (the order check's other side)")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="VMs at once (at most 2)")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    install_signal_handlers()
    subprocess.run(["make", "-s", "-C", os.path.join(TOP, "src", "tool"), "kminidump"],
                   check=True)
    rep = Report(a.verbose)
    print("KTAP version 1", flush=True)
    def one(name):
        try:
            run_kernel(name, a, rep)
        except Exception:       # a harness bug: one failure, with the reason
            import traceback
            rep.check(False, f"{name}: the collect run raised", traceback.format_exc())

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(a.jobs, 2))) as ex:
        list(ex.map(one, [k for k in a.kernel.split(",") if k]))
    c = rep.counts
    print(f"1..{rep.n}", f"{c['ok']} passed, {c['fail']} failed, {c['skip']} skipped",
          sep="\n", flush=True)
    return 1 if c["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
