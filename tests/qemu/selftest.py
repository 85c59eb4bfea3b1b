#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Self-test of the QEMU harness: each outcome and each guest library call.

Boots one kernel (default amd64-6.1) a few times with the cases of
tests/qemu/selftest/cases and checks that the harness reports what happened:
test failures as "fail", an announced panic as "pass" with its post-panic
host check, an unannounced oops as "panic", a hang as "timeout". Also the
offline unit tests (unit_test.py). It doubles as an example of driving VMs
from Python.

Usage: tests/qemu/selftest.py [--kernel NAME] [-v]
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from kmdqemu import VM, install_signal_handlers, find_kelf  # noqa: E402

CASES = os.path.join(HERE, "selftest", "cases")


def selftest_args(vm, args):
    return args == ["a", "b", "c"], f"args {args}"


def selftest_fail(vm, args):
    return False, "this check fails on purpose"


def selftest_after_panic(vm, args):
    st = vm.status()
    if st != "shutdown":
        return False, f"QMP status {st}, expected shutdown (paused after panic)"
    k = find_kelf(vm.ram)
    problems = k.check()
    return not problems, "; ".join(problems) or f"KELF at 0x{k.pa:x} intact after the panic"


CHECKS = {f.__name__: f for f in (selftest_args, selftest_fail, selftest_after_panic)}


SRC_REF = None


def boot(kernel, cases, verbose, **kw):
    vm = VM(kernel, cases=cases, cases_dirs=[CASES], checks=CHECKS, verbose=verbose,
            src_ref=SRC_REF, **kw)
    out = vm.run()
    print(f"# {kernel} {','.join(cases)}: {out.kind}: {out.reason} "
          f"({out.times.get('total', 0):.1f} s)", flush=True)
    if verbose:
        for r in out.results:
            print(f"#   {r.status} {r.desc} {r.diag}")
    return vm, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="amd64-6.1")
    ap.add_argument("--src-ref", default=os.environ.get("KMD_SRC_REF"),
                    help="build the modules of this git commit, not the work tree")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    global SRC_REF
    SRC_REF = a.src_ref
    install_signal_handlers()
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

    print("KTAP version 1", flush=True)
    r = subprocess.run([sys.executable, os.path.join(HERE, "unit_test.py")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    expect(r.returncode == 0, "offline unit tests (unit_test.py)", r.stdout[-3000:])

    vm, out = boot(a.kernel, ["harness_proto", "harness_exit", "nonexistent_case"], a.verbose)
    fails = sorted(r.desc for r in out.results if r.status == "fail")
    want = sorted(["harness_proto: host selftest_fail", "harness_proto: deliberate failure",
                   "harness_exit: case script exited 3",
                   "nonexistent_case: no such case (tests/qemu/cases/nonexistent_case.sh)"])
    expect(out.kind == "fail", "test failures give outcome fail", out)
    expect(fails == want, "exactly the deliberate failures fail",
           "\n".join(f"{r.status} {r.desc} {r.diag}" for r in out.results))
    expect(out.counts["skip"] == 1, "one skip reported", out.counts)
    delib = [r for r in out.results if r.desc.endswith("deliberate failure")]
    expect(delib and delib[0].diag[:2] == ["diag line 1", "diag line 2"],
           "diagnostics of a failure reach the host", delib)
    expect(any(r.desc == "harness_proto: host kelf_consistent" and r.status == "ok"
               for r in out.results), "kelf_consistent passes on a live table")
    expect(vm.stop_reason == "guest-shutdown", "poweroff seen as guest-shutdown",
           vm.stop_reason)
    expect(not os.path.exists(vm.shm), "guest RAM file removed", vm.shm)

    vm, out = boot(a.kernel, ["harness_panic"], a.verbose)
    expect(out.kind == "pass", "announced panic gives pass", out)
    expect(any(r.desc == "harness_panic: after panic: host selftest_after_panic"
               and r.status == "ok" for r in out.results),
           "post-panic host check ran on the stopped guest",
           "\n".join(f"{r.status} {r.desc} {r.diag}" for r in out.results))

    vm, out = boot(a.kernel, ["harness_oops"], a.verbose)
    expect(out.kind == "panic", "unannounced oops gives panic", out)
    expect("Kernel panic" in vm.console_text(), "console log has the panic",
           vm.console_tail(10))

    vm, out = boot(a.kernel, ["harness_hang"], a.verbose, timeout=25)
    expect(out.kind == "timeout", "a hang gives timeout", out)
    expect(vm.proc is None and vm.shm and not os.path.exists(vm.shm),
           "QEMU killed, RAM file removed")

    print(f"1..{passed + failed}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
