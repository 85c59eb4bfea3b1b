#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Self-test of the QEMU harness: how each outcome is detected AND reported.

Every boot outcome (pass, fail, announced panic, unannounced oops, hang, a guest
that stops mid-case, a harness that cannot start QEMU) and every guest library
call is produced on purpose with the cases of tests/qemu/selftest/cases, through
tests/qemu/run.py exactly as `make check` runs it, and most of them through
`tests/run --sub` as well. Asserted: the KTAP lines run.py prints (every failure
a "not ok" line by name: the boot with its outcome and log directory, each case
that never ran or never finished, lost guest results), run.py's exit status,
tests/run's summary and exit status, and that no guest RAM file is left behind.
Also the offline unit tests (unit_test.py), tests/run's accounting of fake
sub-suites (an exit status that contradicts a green summary, no summary, more
"not ok" lines than the summary admits), and, per kernel, that the symbol table the
guests load is what `kminidump symbols` sends from the real System.map.

Boots one kernel (default amd64-6.1), two guests at a time: about 40 s.
Usage: tests/qemu/selftest.py [--kernel NAME] [--src-ref REF] [-v]
"""
import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
RUN_PY = os.path.join(HERE, "run.py")
TESTS_RUN = os.path.join(TOP, "tests", "run")
sys.path.insert(0, HERE)
from kmdqemu import KernelEnv, kernel_names  # noqa: E402
from kmdqemu.initramfs import data_symbols  # noqa: E402

CASES = os.path.join(HERE, "selftest", "cases")
CHECKS = os.path.join(HERE, "selftest", "hostchecks")
HANG_TIMEOUT = 30       # run.py --timeout for the hang: the boot reaches the case in 5-15 s


class Run:
    """One command's output, exit status, and the KTAP results in it."""

    def __init__(self, name, cmd):
        self.name, self.cmd = name, cmd
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors="replace", cwd=TOP)
        self.pid = p.pid
        self.out, _ = p.communicate()
        self.rc = p.returncode
        self.lines = self.out.splitlines()

    def results(self, status):
        """Descriptions of the result lines with this status (ok, not ok, skip)."""
        out = []
        for line in self.lines:
            m = re.match(r"^(ok|not ok)(?: \d+)? (?:- )?(.*)$", line)
            if not m:
                continue
            desc, _, directive = m.group(2).partition(" # ")
            st = "skip" if m.group(1) == "ok" and directive.startswith("SKIP") else m.group(1)
            if st == status:
                out.append(desc)
        return out

    def has(self, status, pattern):
        return any(re.search(pattern, d) for d in self.results(status))

    def summary(self):
        """The last "N passed, N failed[, N skipped]" line as (p, f, s), or None."""
        for line in reversed(self.lines):
            m = re.match(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$", line)
            if m:
                return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        return None

    def shm_left(self):
        return glob.glob(f"/dev/shm/kmdq-{self.pid}-*")

    def tail(self, n=25):
        return "\n".join([f"command: {' '.join(self.cmd)}", f"exit status {self.rc}"]
                         + self.lines[-n:])


def symbols_filter(name):
    """(ok, message): `kminidump symbols --system-map` (to tests/tool/fake_module.py's
    stand-in of the debugfs file) sends the same symbols, in the same order, as the
    harness packs into /kmd/System.map for kmd_symbols, on the kernel's real System.map."""
    system_map = KernelEnv(name)["KMD_SYSTEM_MAP"]
    r = subprocess.run(["make", "-s", "-C", os.path.join(TOP, "src", "tool"), "kminidump"],
                       capture_output=True, text=True)
    if r.returncode:
        return False, r.stderr[-2000:]
    with tempfile.TemporaryDirectory() as d:
        sent_log = os.path.join(d, "sent")
        fake = subprocess.Popen([sys.executable, os.path.join(TOP, "tests", "tool",
                                                              "fake_module.py"),
                                 d, "accept", sent_log])
        fifo = os.path.join(d, "kminidump", "symbols")
        for _ in range(200):
            if os.path.exists(fifo):
                break
            time.sleep(0.05)
        r = subprocess.run([os.path.join(TOP, "src", "tool", "kminidump"), "symbols",
                            "--system-map", system_map, "--debugfs", d],
                           capture_output=True, text=True, timeout=120)
        fake.wait(timeout=30)
        if r.returncode:
            return False, f"kminidump symbols exit {r.returncode}: {r.stderr.strip()[-500:]}"
        with open(sent_log) as f:
            sent = [w for w in (line.split() for line in f) if w]
    harness = [line.split() for line in data_symbols(system_map).decode().splitlines()]
    norm = [[(int(w[0], 16), w[1], w[2]) for w in x] for x in (sent, harness)]
    if norm[0] == norm[1]:
        return True, f"{len(sent)} symbols"
    a, b = set(norm[0]), set(norm[1])
    return False, (f"{system_map}: the tool sends {len(sent)}, the harness {len(harness)}; "
                   f"only the tool: {sorted(a - b)[:5]}; only the harness: {sorted(b - a)[:5]}"
                   + ("; same symbols, another order" if a == b else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="amd64-6.1")
    ap.add_argument("--src-ref", default=os.environ.get("KMD_SRC_REF"),
                    help="build the modules of this git commit, not the work tree")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    passed = failed = 0

    def expect(cond, desc, diag=""):
        nonlocal passed, failed
        n = passed + failed + 1
        if cond:
            passed += 1
            print(f"ok {n} {desc}", flush=True)
        else:
            failed += 1
            print(f"not ok {n} {desc}", flush=True)
            for line in str(diag).splitlines():
                print(f"# {line}", flush=True)

    def run_py(*args):
        cmd = [sys.executable, RUN_PY, "--kernel", a.kernel, "--cases-dir", CASES,
               "--checks-dir", CHECKS]
        if a.src_ref:
            cmd += ["--src-ref", a.src_ref]
        return cmd + list(args)

    def via_tests_run(name, cmd):
        return ["bash", TESTS_RUN, "--sub", name] + cmd

    scenarios = {
        # tests/run around run.py: failures of every kind in one boot
        "proto": via_tests_run("selftest-proto", run_py(
            "--cases", "harness_proto,harness_exit,nonexistent_case,harness_lost")),
        "panic": run_py("--cases", "harness_panic"),
        "oops": via_tests_run("selftest-oops", run_py("--cases", "harness_oops,harness_after")),
        "hang": run_py("--cases", "harness_hang", "--timeout", str(HANG_TIMEOUT)),
        "poweroff": via_tests_run("selftest-poweroff",
                                  run_py("--cases", "harness_poweroff,harness_after")),
        # no room for guest RAM in /dev/shm: the harness refuses to start QEMU
        "error": run_py("--cases", "harness_after", "--mem", "64T"),
        # tests/run's accounting of sub-suites, no boot
        "sub-status": via_tests_run("selftest-status", [
            "sh", "-c", 'echo "ok 1 a"; echo "1 passed, 0 failed"; exit 3']),
        "sub-nosummary": via_tests_run("selftest-nosummary", ["sh", "-c", 'echo "ok 1 a"']),
        "sub-hidden": via_tests_run("selftest-hidden", [
            "sh", "-c", 'echo "ok 1 a"; echo "not ok 2 b"; echo "2 passed, 0 failed"']),
    }

    print("KTAP version 1", flush=True)
    r = subprocess.run([sys.executable, os.path.join(HERE, "unit_test.py")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    expect(r.returncode == 0, "offline unit tests (unit_test.py)", r.stdout[-3000:])

    # the slowest first, two at a time (two cores)
    order = ["hang", "proto", "oops", "panic", "poweroff", "error", "sub-status",
             "sub-nosummary", "sub-hidden"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        futs = {k: ex.submit(Run, k, scenarios[k]) for k in order}
        runs = {k: f.result() for k, f in futs.items()}
    if a.verbose:
        for k in order:
            print(f"# ---- {k}: exit {runs[k].rc}")
            for line in runs[k].lines:
                print(f"#   {line}")

    # -- proto: every guest library call; the deliberate failures and only they fail
    p = runs["proto"]
    want = sorted([
        "harness_proto: host selftest_fail", "harness_proto: deliberate failure",
        "harness_exit: case script exited 3",
        "nonexistent_case: no such case (tests/qemu/cases/nonexistent_case.sh)",
        "guest plan and results agree"])
    got = sorted(re.sub(rf"^{re.escape(a.kernel)} ", "", d) for d in p.results("not ok")
                 if " boot: " not in d and not d.startswith("selftest-"))
    expect(got == want, "proto: exactly the deliberate failures are \"not ok\"",
           "\n".join(["expected:"] + want + ["got:"] + got))
    expect(p.has("not ok", rf"^{a.kernel} boot: fail: .*\(logs: /\S+\)$"),
           "proto: the boot is one \"not ok\" line with its outcome and log directory",
           p.tail())
    expect(p.has("skip", r"harness_proto: a skip$"), "proto: a skip is reported as SKIP",
           p.tail())
    expect(p.has("ok", r"harness_proto: host kelf_consistent$"),
           "proto: kelf_consistent passes on a live table", p.tail())
    i = next((i for i, line in enumerate(p.lines) if line.endswith("deliberate failure")), None)
    expect(i is not None and p.lines[i + 1:i + 3] == ["# diag line 1", "# diag line 2"],
           "proto: diagnostics of a failure follow it", p.tail())
    expect(any(re.match(r"^# the guest planned 1\.\.\d+ .* the host received \d+", line)
               for line in p.lines), "proto: the lost result is explained (plan vs received)",
           p.tail())
    expect(any(re.match(r"^# === selftest-proto: .*exit status 1 ", line) for line in p.lines),
           "proto: run.py exits 1 when a test failed", p.tail())
    expect(p.summary() == (len(p.results("ok")), 6, 1) and p.rc == 1,
           "proto: tests/run counts 6 failed, 1 skipped and exits 1", p.tail())

    # -- an announced panic is a pass, its post-panic check ran on the stopped guest
    r = runs["panic"]
    expect(r.rc == 0 and r.summary() is not None and r.summary()[1] == 0,
           "panic: an announced panic passes, exit status 0", r.tail())
    expect(r.has("ok", r"harness_panic: after panic: host selftest_after_panic$"),
           "panic: the post-panic host check ran on the stopped guest", r.tail())
    expect(r.has("ok", rf"^{a.kernel} boot: pass: the guest panicked as a case announced"),
           "panic: the boot is one \"ok\" line", r.tail())
    expect(not r.shm_left(), "panic: guest RAM file removed", r.shm_left())

    # -- failures of the VM: each one a "not ok" boot line, the cases named
    for k, kind, named in (
            ("oops", "panic", [r"harness_oops: did not finish", r"harness_after: never ran"]),
            ("hang", "timeout", [r"harness_hang: (did not finish|never ran)"]),
            ("poweroff", "died", [r"harness_poweroff: did not finish",
                                  r"harness_after: never ran"]),
            ("error", "error", [])):
        r = runs[k]
        expect(r.has("not ok", rf"^{a.kernel} boot: {kind}: .*"),
               f"{k}: the boot is a \"not ok\" line with outcome {kind}", r.tail())
        for pat in named:
            expect(r.has("not ok", rf"^{a.kernel} {pat}"), f"{k}: \"not ok\" {pat}", r.tail())
        code = 4 if kind == "error" else 3
        if k in ("oops", "poweroff"):
            expect(any(re.match(rf"^# === selftest-{k}: .*exit status {code} ", line)
                       for line in r.lines) and r.rc == 1 and r.summary()[1] >= 1 + len(named),
                   f"{k}: run.py exits {code}; tests/run counts the failures and exits 1",
                   r.tail())
        else:
            expect(r.rc == code and r.summary() is not None and r.summary()[1] >= 1,
                   f"{k}: run.py exits {code} and its summary counts the failure", r.tail())
        expect(not r.shm_left(), f"{k}: no guest RAM file left", r.shm_left())
    expect(any("/dev/shm has" in line for line in runs["error"].lines),
           "error: the message says /dev/shm lacks room", runs["error"].tail())

    # -- what the guests get as the symbol table is what the C tool sends
    for name in kernel_names():
        ok, msg = symbols_filter(name)
        expect(ok, f"{name}: the System.map lines the guests load (initramfs data_symbols) "
               f"are what kminidump symbols sends", msg)

    # -- tests/run's accounting of sub-suites
    r = runs["sub-status"]
    expect(r.rc == 1 and r.has("not ok", r"selftest-status: exit status 3 although no test"),
           "tests/run: a green summary with exit status 3 is a failure", r.tail())
    r = runs["sub-nosummary"]
    expect(r.rc == 1 and r.has("not ok", r"selftest-nosummary: ended without a summary"),
           "tests/run: a sub-suite without a summary line is a failure", r.tail())
    r = runs["sub-hidden"]
    expect(r.rc == 1 and r.summary() is not None and r.summary()[1] == 1,
           "tests/run: a \"not ok\" line the summary does not count is counted", r.tail())

    print(f"1..{passed + failed}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
