#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""kminidump demo: boot a stock Debian kernel in QEMU, load the modules, print the
region table, crash the kernel, collect the minidump from guest RAM and open it.

Usage: scripts/demo.py [--kernel NAME] [--bzimage] [--keep]   (make demo runs it)
"""
import argparse
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "qemu"))
from kmdqemu import VM, HarnessError, install_signal_handlers  # noqa: E402

TOOL = os.path.join(TOP, "src", "tool", "kminidump")


def say(*lines):
    for line in lines:
        print(line, flush=True)


def show(vm, args):
    text = vm.disk_read(int(args[0])).decode(errors="replace")
    say("", f"== 1. the guest ({vm.name}) loaded kminidump.ko and kminidump_kernel.ko; "
        "cat /sys/kernel/debug/kminidump/regions:", text.rstrip())
    return True, "shown"


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", **kw)


def squeeze(lines):
    """Blank lines dropped, a line repeated many times shown once with its count."""
    out, last, n = [], None, 0
    for line in [l for l in lines if l.strip()] + [None]:
        if line == last:
            n += 1
            continue
        if last is not None:
            out.append(last if n == 1 else f"{last}    [{n} times]")
        last, n = line, 1
    return out


def collect(vm, args):
    core = os.path.join(vm.logdir, "minidump.elf")
    base = vm.ram.banks[0][0]
    say("", "== 2. the guest panicked (sysrq-c); collecting from its RAM:",
        f"$ kminidump extract --ram {vm.shm}@0x{base:x} -o {core}")
    p = run([TOOL, "extract", "--ram", f"{vm.shm}@0x{base:x}", "-o", core])
    say(p.stderr.strip())
    if p.returncode not in (0, 10):     # 10: written, but partial (kminidump(1))
        return False, "extract failed"
    smap = vm.env.get("KMD_SYSTEM_MAP")
    args = ["--system-map", smap] if smap else []
    say("", f"== 3. $ kminidump info {os.path.basename(core)}"
        + (" --system-map System.map" if smap else ""))
    say(run([TOOL, "info", core] + args).stdout.rstrip())
    say("", f"== 4. $ kminidump dmesg {os.path.basename(core)} | tail -n 15")
    say(*run([TOOL, "dmesg", core]).stdout.rstrip().splitlines()[-15:])
    vmlinux = vm.env.get("KMD_DBG_VMLINUX")
    if vmlinux and vm.name == "amd64-6.1":
        say("", "== 5. crash 8.0.2, unpatched, on the minidump: sys, bt, log | tail",
            f"$ crash --no_modules --no_kmem_cache {vmlinux} {os.path.basename(core)}")
        p = run(["crash", "-s", "--zero_excluded", "--no_modules", "--no_kmem_cache", vmlinux, core],
                input="sys\nbt\nlog | tail -n 5\nexit\n", timeout=300)
        say(*squeeze(p.stdout.rstrip().splitlines()))
    size = os.path.getsize(core)
    say("", f"== minidump: {core}", f"   {size} bytes ({size / 1048576:.2f} MiB), "
        f"against {vm.mem_bytes >> 20} MiB of guest RAM")
    return True, f"{size} bytes"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="amd64-6.1", help="kernel from tests/kernels.conf")
    ap.add_argument("--bzimage", action="store_true", help="amd64: boot the bzImage (KASLR)")
    ap.add_argument("--keep", action="store_true", help="keep the guest RAM file")
    a = ap.parse_args()
    install_signal_handlers()
    try:
        with VM(a.kernel, cases=["demo"], bzimage=a.bzimage, keep=a.keep, disk_mb=1,
                stock_modules=["virtio_blk"],
                cases_dirs=[os.path.join(TOP, "tests", "qemu", "demo")],
                checks={"demo_show": show, "demo_collect": collect}) as vm:
            say(f"== booting {a.kernel} under QEMU (TCG); logs in {vm.logdir}")
            out = vm.run()
    except HarnessError as e:
        sys.exit(f"demo: {e}")
    if not out.ok:
        say(vm.console_tail(30))
        sys.exit(f"demo: {out.reason}")


if __name__ == "__main__":
    main()
