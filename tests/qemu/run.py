#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Boot stock Debian kernels in QEMU and run kminidump's guest test cases.

Builds the modules (scripts/build-modules.sh) and an initramfs, boots each
kernel, runs the cases (tests/qemu/cases/NAME.sh) in the guest, answers their
host checks, and prints one KTAP stream. Logs: build/qemu/<kernel>-<time>-*/.

Exit status: 0 all passed; 1 a test failed; 3 the VM panicked unexpectedly,
died or timed out; 4 the harness could not build or boot; 2 usage.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kmdqemu import VM, HarnessError, install_signal_handlers, kernel_names  # noqa: E402

EXIT = {"pass": 0, "fail": 1, "panic": 3, "timeout": 3, "died": 3, "error": 4}


def main():
    ap = argparse.ArgumentParser(
        description="Run kminidump QEMU test cases on stock Debian kernels.",
        epilog="Example: tests/qemu/run.py --kernel amd64-6.12 --cases smoke")
    ap.add_argument("--kernel", required=True,
                    help="kernel NAME from tests/kernels.conf; a comma list or 'all'")
    ap.add_argument("--cases", default="smoke", help="comma list of cases (default: smoke)")
    ap.add_argument("--bzimage", action="store_true",
                    help="amd64: boot the bzImage (KASLR on) instead of the PVH vmlinux")
    ap.add_argument("--smp", type=int, default=1, help="vCPUs (default 1)")
    ap.add_argument("--mem", default="1G", help="guest RAM (default 1G)")
    ap.add_argument("--append", default="", help="extra kernel command line")
    ap.add_argument("--no-oops-panic", action="store_true", help="leave out oops=panic")
    ap.add_argument("--modules", default="",
                    help="comma list of our .ko files to insmod before the cases")
    ap.add_argument("--stock-modules", default="",
                    help="comma list of stock kernel modules to pack (cases: stock_modprobe)")
    ap.add_argument("--make-args", default="", help="extra make arguments, e.g. W=1")
    ap.add_argument("--no-build", action="store_true", help="do not build our modules")
    ap.add_argument("--src-ref", default=os.environ.get("KMD_SRC_REF"),
                    help="build the modules of this git commit, not the work tree")
    ap.add_argument("--keep", action="store_true",
                    help="keep the guest RAM file in /dev/shm (path printed)")
    ap.add_argument("--timeout", type=float, default=240.0,
                    help="seconds per boot before it counts as hung (default 240)")
    ap.add_argument("--trace", action="store_true", help="set -x in the guest cases")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="echo every guest KTAP line and host diagnostic")
    a = ap.parse_args()

    names = kernel_names() if a.kernel == "all" else [k for k in a.kernel.split(",") if k]
    cases = [c for c in a.cases.split(",") if c]
    install_signal_handlers()

    n = 0
    totals = {"ok": 0, "fail": 0, "skip": 0}
    worst = 0
    print("KTAP version 1", flush=True)

    def on_result(vm, r):
        nonlocal n
        n += 1
        totals[r.status] += 1
        tag = vm.name + ("-bz" if vm.bzimage else "")
        if r.status == "skip":
            print(f"ok {n} {tag} {r.desc} # SKIP {' '.join(r.diag)}", flush=True)
            return
        print(f"{'ok' if r.status == 'ok' else 'not ok'} {n} {tag} {r.desc}", flush=True)
        if r.status == "fail" or (a.verbose and r.source == "host"):
            for d in r.diag:
                for line in str(d).splitlines():
                    print(f"# {line}", flush=True)

    def on_line(vm, line):
        if a.verbose and not line.startswith(("ok ", "not ok ")):
            print(f"#   guest: {line}", flush=True)

    for name in names:
        try:
            vm = VM(name, cases=cases, smp=a.smp, mem=a.mem, append=a.append,
                    bzimage=a.bzimage, timeout=a.timeout, keep=a.keep, verbose=a.verbose,
                    modules=[m for m in a.modules.split(",") if m],
                    stock_modules=[m for m in a.stock_modules.split(",") if m],
                    build=not a.no_build, make_args=a.make_args.split(),
                    oops_panic=not a.no_oops_panic, on_result=on_result, on_line=on_line,
                    trace=a.trace, src_ref=a.src_ref)
        except HarnessError as e:
            print(f"# {name}: {e}", flush=True)
            worst = max(worst, EXIT["error"])
            continue
        tag = name + ("-bz" if a.bzimage else "")
        print(f"# {tag}: {'bzImage' if a.bzimage else 'PVH' if vm.arch == 'amd64' else 'Image'}"
              f" boot, smp {a.smp}, mem {a.mem}, cases {','.join(cases)}", flush=True)
        out = vm.run()
        t = out.times
        timing = ", ".join(f"{k} {t[k]:.1f} s" for k in ("build", "initramfs", "first_line",
                                                          "end", "stopped", "total") if k in t)
        print(f"# {tag}: {out.kind}: {out.reason} ({timing})", flush=True)
        if out.kind in Outcome_VM:
            print(f"# {tag}: console tail ({vm.console_log}):", flush=True)
            for line in vm.console_tail(40).splitlines():
                print(f"#   {line}", flush=True)
        print(f"# {tag}: logs in {vm.logdir}" +
              (f"; guest RAM kept in {vm.shm}" if a.keep and vm.shm else ""), flush=True)
        worst = max(worst, EXIT[out.kind])
    print(f"1..{n}", flush=True)
    print(f"# totals: pass:{totals['ok']} fail:{totals['fail']} skip:{totals['skip']}",
          flush=True)
    print(f"{totals['ok']} passed, {totals['fail']} failed, {totals['skip']} skipped",
          flush=True)
    return worst


Outcome_VM = ("panic", "timeout", "died", "error")

if __name__ == "__main__":
    sys.exit(main())
