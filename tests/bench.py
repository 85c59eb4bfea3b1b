#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""kminidump benchmarks (make bench): the speed and size targets, measured.

For each kernel: boot it with QEMU's instruction counter (-icount shift=0: one
guest instruction is one nanosecond of guest time, so the time a piece of
guest code takes does not depend on how fast TCG translates it), load the
modules, crash it with sysrq-c, then measure
  capture   guest time the panic-time capture took (VMCOREINFO KMINIDUMP_CAPTURE_NS)
  extract   host time of `kminidump extract` from the 1 GiB guest RAM file (best of 3)
  size      bytes of the minidump
and compare with the targets. Exit status 1 if one is missed.

Usage: tests/bench.py [--kernel NAME,...]   (default amd64-6.1,arm64-6.12)
"""
import argparse
import os
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "qemu"))
from kmdqemu import VM, HarnessError, install_signal_handlers  # noqa: E402

TOOL = os.path.join(TOP, "src", "tool", "kminidump")
TARGETS = {"capture_ns": 1_000_000, "extract_s": 1.0, "size": 2 * 1024 * 1024}


def measure(vm, args):
    k = vm.find_kelf()
    vals = dict(l.split("=", 1) for l in k.vmcoreinfo_text.splitlines() if "=" in l)
    vm.bench = {"capture_ns": int(vals.get("KMINIDUMP_CAPTURE_NS", "-1"))}
    core = os.path.join(vm.logdir, "bench.elf")
    base = vm.ram.banks[0][0]
    best = None
    for _ in range(3):
        t = time.monotonic()
        subprocess.run([TOOL, "extract", "-q", "--ram", f"{vm.shm}@0x{base:x}", "-o", core],
                       check=True)
        best = min(best or 1e9, time.monotonic() - t)
    vm.bench["extract_s"] = best
    vm.bench["size"] = os.path.getsize(core)
    return True, str(vm.bench)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="amd64-6.1,arm64-6.12")
    a = ap.parse_args()
    install_signal_handlers()
    subprocess.run(["make", "-s", "-C", os.path.dirname(TOOL)], check=True)
    rows, missed = [], []
    for name in a.kernel.split(","):
        try:
            with VM(name, cases=["bench"], cases_dirs=[os.path.join(TOP, "tests", "bench")],
                    qemu_args=["-icount", "shift=0"], timeout=900,
                    checks={"bench_measure": measure}) as vm:
                out = vm.run()
                b = getattr(vm, "bench", None)
        except HarnessError as e:
            sys.exit(f"bench: {e}")
        if not out.ok or not b:
            sys.exit(f"bench: {name}: {out.reason}")
        rows.append((name, b))
        for key, limit in TARGETS.items():
            if not 0 <= b[key] < limit:
                missed.append(f"{name} {key} {b[key]} (target < {limit})")
    print(f"{'kernel':12} {'capture (guest)':>16} {'extract 1 GiB':>14} {'minidump':>12}")
    for name, b in rows:
        print(f"{name:12} {b['capture_ns'] / 1000:13.1f} us {b['extract_s']:12.3f} s "
              f"{b['size'] / 1048576:9.2f} MiB")
    print(f"targets: capture < {TARGETS['capture_ns'] // 1000} us of guest time, "
          f"extract < {TARGETS['extract_s']} s, minidump < {TARGETS['size'] >> 20} MiB")
    if missed:
        print("missed: " + "; ".join(missed))
        sys.exit(1)
    print("all targets met")


if __name__ == "__main__":
    main()
