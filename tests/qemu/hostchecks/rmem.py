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

import re

from kmdqemu import kelf, locator
from kmdqemu import tool as kt
from kmdqemu.kelf import KelfError


# rows the kernel writes after the panic notifiers, seen on amd64 6.1/6.12 and arm64 6.12:
# the printk ring (prb_*, printk_rb: the panic's last lines), the panicking CPU's stack and
# task (pstack*, ptask*: it goes on running) and the per-CPU crash state (crash_percpu* on
# 6.12, crash_vars* on 6.1)
_MOVING = re.compile(r"^(prb_|printk_rb|pstack|ptask|crash_percpu|crash_vars)")


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
    """locator_at PA STATE [copy]: a stable locator of state STATE (LIVE, PANIC, GONE) is at PA;
    unless GONE, the KELF it names is valid and agrees with it, and kminidump extract
    --locator PA writes the same core as the KELF scan (times and RSS reported); with
    copy, locator_copy too."""
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
    msg = (f"{desc}; extract --locator {tl[1] * 1000:.0f} ms, {tl[2] // 1024} MiB RSS; "
           f"scan {ts[1] * 1000:.0f} ms, {ts[2] // 1024} MiB RSS; same {size}-byte core")
    if args[2:] == ["copy"]:
        ok, cmsg = locator_copy(vm, args[:1])
        return ok, f"{msg}; {cmsg}"
    return True, msg


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


def rmem_plant(vm, args):
    """rmem_plant PA SIZE RELEASE: write a previous boot's PANIC locator with a copy of
    SIZE bytes at +4096 (an ELF64 header, then a counting pattern) made by kernel RELEASE."""
    pa, size, release = _int(args[0]), _int(args[1]), args[2].encode()
    body = b"\x7fELF\x02\x01\x01" + bytes(57) + bytes(i & 0xff for i in range(size - 64))
    loc = locator.build(state=locator.KMD_LOC_ST_PANIC, buf_pa=pa, buf_size=0x100000,
                        kelf_pa=0x1000000, kelf_size=0x9000, table_off=0x598,
                        table_pa=0x1000598, release=release, flags=locator.KMD_LOC_F_COPY,
                        copy_off=locator.KMD_LOC_SIZE, copy_size=size, boot_seq=7)
    ok, msg = rmem_poke(vm, [hex(pa), (loc + body).hex()])
    return ok, f"{msg}: a PANIC locator of {release.decode()} with a {size}-byte copy"


def locator_copy(vm, args):
    """locator_copy PA: the locator at PA has a copy of the core (flag COPY) inside the
    buffer, and each PT_LOAD of the copy holds the bytes guest RAM has at its address."""
    import struct
    pa = _int(args[0])
    with vm.paused():
        loc = locator.read(vm.ram, pa)
        if not loc.flags & locator.KMD_LOC_F_COPY:
            return False, f"no copy: flags 0x{loc.flags:x}"
        if loc.copy_off < locator.KMD_LOC_SIZE or loc.copy_off + loc.copy_size > loc.buf_size:
            return False, f"copy +0x{loc.copy_off:x}/0x{loc.copy_size:x} outside the buffer"
        data = vm.ram.read(pa + loc.copy_off, loc.copy_size)
        phoff, phnum = struct.unpack_from("<Q", data, 32)[0], struct.unpack_from("<H", data, 56)[0]
        try:
            rows = kelf.Kelf(_Bytes(data, 0), 0).rows
        except KelfError as e:
            return False, f"the copy is not a KELF-headed core: {e}"
        n, bad = 0, []
        for i in range(phnum):
            t, _, off, _, paddr, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * 56)
            if t != 1:
                continue
            n += 1
            if data[off:off + filesz] != vm.ram.read(paddr, filesz):
                bad.append(rows[i].name if i < len(rows) else f"#{i}")
    part = " (partial)" if loc.flags & locator.KMD_LOC_F_PARTIAL else ""
    # the panic goes on after the copy (printk, the other CPUs' stop, timers): the rows
    # it writes to differ; any other difference is a copy that went wrong
    moving = [b for b in bad if not _MOVING.match(b)]
    msg = (f"copy of {loc.copy_size} bytes{part}: {n - len(bad)} of {n} PT_LOADs equal guest "
           f"RAM; changed after the copy: {' '.join(sorted(set(bad))) or 'none'}")
    return not moving, msg


class _Bytes:
    def __init__(self, data, base):
        self.data, self.base = data, base

    def read(self, pa, n):
        return self.data[pa - self.base:pa - self.base + n]
