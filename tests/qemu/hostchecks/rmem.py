# SPDX-License-Identifier: GPL-2.0
"""Host checks of kminidump_rmem: the locator in guest RAM (include/uapi/kminidump_rmem.h),
read as a hypervisor would, and `kminidump extract --locator` against the KELF scan.

Each public function takes (vm, args) and returns (ok, message).
"""
import filecmp
import os
import subprocess
import tempfile
import time

from kmdqemu import locator
from kmdqemu import tool as kt
from kmdqemu.kelf import KelfError


def _int(s):
    return int(s, 0)


def _measure(cmd):
    """(exit status, seconds, max RSS KiB, stderr) of cmd."""
    t = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read().decode(errors="replace")
    _, status, ru = os.wait4(p.pid, 0)
    return os.waitstatus_to_exitcode(status), time.monotonic() - t, ru.ru_maxrss, err


def locator_at(vm, args):
    """locator_at PA STATE: a stable locator of state STATE (LIVE, PANIC, GONE) is at PA;
    unless GONE, the KELF it names is valid and agrees with it, and kminidump extract
    --locator PA writes the same core as the KELF scan (times and RSS reported)."""
    pa, want = _int(args[0]), args[1]
    with vm.paused():
        try:
            loc = locator.read(vm.ram, pa)
        except locator.LocatorError as e:
            return False, str(e)
        state = locator.STATE_NAMES.get(loc.state, str(loc.state))
        if state != want:
            return False, f"locator state {state}, expected {want}"
        desc = (f"locator at 0x{pa:x}: {state}, load {loc.boot_seq} of "
                f"{locator.release(loc)}, KELF 0x{loc.kelf_pa:x}+0x{loc.kelf_size:x}")
        if state == "GONE":
            return True, desc
        try:
            k = vm.kelf(loc.kelf_pa)
        except KelfError as e:
            return False, f"{desc}: {e}"
        if k.table.kelf_size != loc.kelf_size or \
                k.notes[0].desc_pa != loc.table_pa or loc.table_pa != loc.kelf_pa + loc.table_off:
            return False, (f"{desc}: KELF says size 0x{k.table.kelf_size:x}, table at "
                           f"0x{k.notes[0].desc_pa:x}; locator table_pa 0x{loc.table_pa:x}")
        if loc.buf_pa != pa:
            return False, f"{desc}: buf_pa 0x{loc.buf_pa:x}"
        base = vm.ram.banks[0][0]
        ram = f"{vm.shm}@0x{base:x}"
        with tempfile.TemporaryDirectory() as d:
            a, b = os.path.join(d, "loc.core"), os.path.join(d, "scan.core")
            tl = _measure([kt.tool(), "extract", "--ram", ram, "--locator", hex(pa), "-o", a])
            ts = _measure([kt.tool(), "extract", "--ram", ram, "-o", b])
            for what, r in (("--locator", tl), ("scan", ts)):
                if r[0] not in (0, 10):
                    return False, f"{desc}: extract {what} exit {r[0]}: {r[3].strip()[-400:]}"
            if not filecmp.cmp(a, b, shallow=False):
                return False, f"{desc}: the --locator core differs from the scanned one"
            size = os.path.getsize(a)
    return True, (f"{desc}; extract --locator {tl[1] * 1000:.0f} ms, {tl[2] // 1024} MiB RSS; "
                  f"scan {ts[1] * 1000:.0f} ms, {ts[2] // 1024} MiB RSS; same {size}-byte core")


def rmem_poke(vm, args):
    """rmem_poke PA HEX: write bytes HEX into guest RAM at PA (a hostile previous content)."""
    pa, data = _int(args[0]), bytes.fromhex(args[1])
    for base, off, size in vm.ram.banks:
        if base <= pa and pa + len(data) <= base + size:
            with open(vm.shm, "r+b") as f:
                f.seek(off + pa - base)
                f.write(data)
            return True, f"{len(data)} bytes written at 0x{pa:x}"
    return False, f"0x{pa:x} is not in guest RAM"
