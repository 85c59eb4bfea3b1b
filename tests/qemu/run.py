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
import concurrent.futures
import os
import sys
import threading
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from kmdqemu import VM, HarnessError, install_signal_handlers, kernel_names  # noqa: E402
from kmdqemu import hostchecks  # noqa: E402

EXIT = {"pass": 0, "fail": 1, "panic": 3, "timeout": 3, "died": 3, "error": 4}
VM_KINDS = ("panic", "timeout", "died", "error")


def parse_kernels(spec, bzimage):
    """'all', 'a,b', 'amd64-6.1:bz' -> [(name, bzimage)]."""
    out = []
    for w in spec.split(","):
        if not w:
            continue
        name, _, flag = w.partition(":")
        names = kernel_names() if name == "all" else [name]
        for n in names:
            bz = flag == "bz" or bzimage
            if bz and not n.startswith("amd64"):
                if name == "all":
                    continue        # --bzimage with all: the amd64 kernels
                raise SystemExit(f"run.py: --bzimage/:bz is for amd64 kernels, not {n}")
            out.append((n, bz))
    return out


def main():
    ap = argparse.ArgumentParser(
        description="Run kminidump QEMU test cases on stock Debian kernels.",
        epilog="Examples: tests/qemu/run.py --kernel amd64-6.12 --cases smoke;  "
               "tests/qemu/run.py --kernel all,amd64-6.1:bz -j2")
    ap.add_argument("--kernel", help="kernel NAME from tests/kernels.conf; a comma list, "
                    "'all', NAME:bz for a bzImage boot")
    ap.add_argument("--cases", default="smoke", help="comma list of cases (default: smoke)")
    ap.add_argument("--boot-per-case", action="store_true",
                    help="boot each kernel once per case (for cases that crash the guest)")
    ap.add_argument("--bzimage", action="store_true",
                    help="amd64: boot the bzImage (KASLR on) instead of the PVH vmlinux")
    ap.add_argument("--smp", type=int, default=1, help="vCPUs (default 1)")
    ap.add_argument("--maxcpus", type=int, help="possible CPUs (QEMU -smp N,maxcpus=M): "
                    "nr_cpu_ids becomes M with --smp CPUs online")
    ap.add_argument("--mem", default="1G", help="guest RAM (default 1G)")
    ap.add_argument("--append", default="", help="extra kernel command line")
    ap.add_argument("--dt-rmem", metavar="ADDR,SIZE",
                    help="arm64: add a kminidump,rmem reserved-memory node (no-map) to the DT")
    ap.add_argument("--no-oops-panic", action="store_true", help="leave out oops=panic")
    ap.add_argument("--modules", default="",
                    help="comma list of our .ko files to insmod before the cases")
    ap.add_argument("--stock-modules", default="",
                    help="comma list of stock kernel modules to pack (cases: stock_modprobe)")
    ap.add_argument("--disk", type=int, default=0, metavar="MB",
                    help="give the guest a raw virtio-blk disk of MB MiB (/dev/vda; cases "
                    "load it with stock_modprobe virtio_blk: add it to --stock-modules)")
    ap.add_argument("--smem", metavar="VARIANT",
                    help="arm64: the Qualcomm SMEM rig (device tree + an SMEM image from "
                    "kmdqemu/smem.py: ok, uninit, toc0, no602, small602, disabled, owned, "
                    "others, v11, nosiii; zero = no image)")
    ap.add_argument("--make-args", default="", help="extra make arguments, e.g. W=1")
    ap.add_argument("--no-build", action="store_true", help="do not build our modules")
    ap.add_argument("--src-ref", default=os.environ.get("KMD_SRC_REF"),
                    help="build the modules of this git commit, not the work tree")
    ap.add_argument("--keep", action="store_true",
                    help="keep the guest RAM file in /dev/shm (path printed)")
    ap.add_argument("--timeout", type=float, default=240.0,
                    help="seconds per boot before it counts as hung (default 240)")
    ap.add_argument("-j", "--jobs", type=int, default=1,
                    help="boots at once (default 1, at most 2 on a 2-core host)")
    ap.add_argument("--trace", action="store_true", help="set -x in the guest cases")
    ap.add_argument("--cases-dir", action="append", default=[], metavar="DIR",
                    help="also pack the cases of DIR (the selftest's own cases)")
    ap.add_argument("--checks-dir", action="append", default=[], metavar="DIR",
                    help="also load the host checks of DIR")
    ap.add_argument("--list-checks", action="store_true", help="list the host checks and exit")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="echo every guest KTAP line and host diagnostic")
    a = ap.parse_args()

    extra_checks = hostchecks.load(a.checks_dir) if a.checks_dir else {}
    if a.list_checks:
        for name, fn in sorted({**hostchecks.load(), **extra_checks}.items()):
            doc = (fn.__doc__ or "").strip().splitlines()
            print(f"{name:20} {doc[0] if doc else ''}")
        return 0
    if not a.kernel:
        ap.error("--kernel is required")
    kernels = parse_kernels(a.kernel, a.bzimage)
    cases = [c for c in a.cases.split(",") if c]
    install_signal_handlers()

    lock = threading.Lock()
    n = 0
    totals = {"ok": 0, "fail": 0, "skip": 0}

    def say(*lines):
        with lock:
            for line in lines:
                print(line, flush=True)

    def tag_of(vm):
        return vm.name + ("-bz" if vm.bzimage else "")

    def on_result(vm, r):
        nonlocal n
        with lock:
            n += 1
            totals[r.status] += 1
            num = n
        tag = tag_of(vm)
        if r.status == "skip":
            say(f"ok {num} {tag} {r.desc} # SKIP {' '.join(r.diag)}")
            return
        lines = [f"{'ok' if r.status == 'ok' else 'not ok'} {num} {tag} {r.desc}"]
        if r.status == "fail" or (a.verbose and r.source == "host"):
            lines += [f"# {line}" for d in r.diag for line in str(d).splitlines()]
        say(*lines)

    def harness_failure(tag, desc, diag):
        nonlocal n
        with lock:
            n += 1
            totals["fail"] += 1
            num = n
        say(f"not ok {num} {tag} {desc}", *[f"# {line}" for line in diag.splitlines()])

    def on_diag(vm, r, line):
        say(f"# {line}")

    def on_line(vm, line):
        if a.verbose and not line.startswith(("ok ", "not ok ")):
            say(f"#   {tag_of(vm)} guest: {line}")

    def one(name, bz, cases):
        tag = name + ("-bz" if bz else "")
        try:
            vm = VM(name, cases=cases, smp=a.smp, maxcpus=a.maxcpus, mem=a.mem, append=a.append,
                    dt_rmem=a.dt_rmem, smem=a.smem,
                    cases_dirs=a.cases_dir, checks=extra_checks,
                    bzimage=bz, timeout=a.timeout, keep=a.keep, verbose=a.verbose,
                    modules=[m for m in a.modules.split(",") if m],
                    stock_modules=[m for m in a.stock_modules.split(",") if m],
                    build=not a.no_build, make_args=a.make_args.split(),
                    oops_panic=not a.no_oops_panic, on_result=on_result, on_line=on_line,
                    on_diag=on_diag,
                    trace=a.trace, src_ref=a.src_ref, disk_mb=a.disk)
        except HarnessError as e:
            harness_failure(tag, f"boot: error: the harness could not set it up (cases "
                            f"{','.join(cases)})", str(e))
            return EXIT["error"]
        say(f"# {tag}: {'bzImage' if bz else 'PVH' if vm.arch == 'amd64' else 'Image'}"
            f" boot, smp {a.smp}{f' (maxcpus {a.maxcpus})' if a.maxcpus else ''}, mem {a.mem}, "
            f"cases {','.join(cases)}")
        try:
            out = vm.run()
        except Exception:       # a harness bug: still one failure, with the traceback
            harness_failure(tag, f"boot: error: the harness raised (cases {','.join(cases)}, "
                            f"logs: {vm.logdir})", traceback.format_exc())
            return EXIT["error"]
        t = out.times
        timing = ", ".join(f"{k} {t[k]:.1f} s" for k in (
            "build", "initramfs", "first_line", "end", "stopped", "total") if k in t)
        lines = [f"# {tag}: {out.kind}: {out.reason} ({timing})"]
        if out.kind in VM_KINDS:
            lines.append(f"# {tag}: console tail ({vm.console_log}):")
            lines += [f"#   {line}" for line in vm.console_tail(40).splitlines()]
        lines.append(f"# {tag}: logs in {vm.logdir}" +
                     (f"; guest RAM kept in {vm.shm}" if a.keep and vm.shm else ""))
        say(*lines)
        return EXIT[out.kind]

    # case-major, so that with -j2 one kernel's boots (and expensive host checks) interleave
    boots = [(k, bz, cs) for cs in ([[c] for c in cases] if a.boot_per_case else [cases])
             for k, bz in kernels]
    say("KTAP version 1")
    jobs = max(1, min(a.jobs, 2))
    if jobs == 1:
        codes = [one(*b) for b in boots]
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
            codes = list(ex.map(lambda b: one(*b), boots))
    say(f"1..{n}",
        f"# totals: pass:{totals['ok']} fail:{totals['fail']} skip:{totals['skip']}",
        f"{totals['ok']} passed, {totals['fail']} failed, {totals['skip']} skipped")
    return max(codes) if codes else 0


if __name__ == "__main__":
    sys.exit(main())
