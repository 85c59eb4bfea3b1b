# SPDX-License-Identifier: GPL-2.0
"""Host checks on the KELF in guest RAM (called by the guest with `hostcheck NAME ARGS`).

Each public function takes (vm, args) and returns (ok, message).
"""
import contextlib
import os

from kmdqemu import tool as kmt
from kmdqemu.kelf import KelfError, find_kelf, find_kelfs, looks_like_kelf


def _int(s):
    return int(s, 0)


def kelf_at(vm, args):
    """kelf_at PA [SIZE]: a KELF is at PA (and SIZE bytes long) and is consistent."""
    pa = _int(args[0])
    with vm.paused():
        try:
            k = vm.kelf(pa)
        except KelfError as e:
            return False, str(e)
        problems = k.check(strict=True)
    if len(args) > 1 and k.table.kelf_size != _int(args[1]):
        problems.append(f"kelf_size {k.table.kelf_size} != {args[1]}")
    vm.log(k.describe())
    if problems:
        return False, "; ".join(problems)
    return True, (f"KELF at 0x{pa:x}: {k.machine}, {len(k.live_rows())} valid rows of "
                  f"{k.table.capacity}, {len(k.prstatus)} PRSTATUS, "
                  f"VMCOREINFO {len(k.vmcoreinfo_text)} bytes")


def kelf_consistent(vm, args):
    """kelf_consistent [PA]: the one KELF in RAM has no torn row (guest stopped while read)."""
    hint = _int(args[0]) if args else None
    with vm.paused():
        try:
            k = find_kelf(vm.ram, hint)
        except KelfError as e:
            return False, str(e)
        problems = k.check(strict=True)
    if problems:
        return False, "; ".join(problems)
    return True, f"KELF at 0x{k.pa:x} consistent, gen {k.table.gen}"


def parked(vm, args):
    """parked NAME: row NAME is parked as a collector sees it (docs/format.md): VALID, flag
    PARKED, PT_NULL, room 0, its placeholder in no PT_LOAD, the table consistent, and a
    kminidump extract of RAM neither takes it nor calls the core partial."""
    with vm.paused():
        try:
            k = find_kelf(vm.ram)
        except KelfError as e:
            return False, str(e)
        r = k.row(args[0])
        problems = k.check(strict=True)
        if r is None:
            return False, f"no row {args[0]}"
        ph = k.phdrs[r.index]
        if not r.is_parked or ph.type != 0 or r.room:
            problems.append(f"{r.name}: state {r.state_name}, flags 0x{r.flags:x}, phdr type "
                            f"{ph.type}, room {r.room}")
        if any(p.type == 1 and p.paddr <= r.pa < p.paddr + p.filesz for p in k.phdrs):
            problems.append(f"{r.name}'s placeholder 0x{r.pa:x} is inside a PT_LOAD")
        out = os.path.join(vm.logdir, "parked.elf")
        rc, _, err, _ = kmt.extract(vm, out, "--kelf", f"0x{k.pa:x}")
    if rc != 0 or "partial" in err or args[0] in err:
        problems.append(f"kminidump extract exit {rc}: {err.strip()[-200:]}")
    with contextlib.suppress(OSError):
        os.unlink(out)
    if problems:
        return False, "; ".join(problems[:4])
    return True, f"{r.name} parked: no PT_LOAD, no room, extract quiet, table consistent"


def kelf_gone(vm, args):
    """kelf_gone [PA]: no KELF at PA (after rmmod), nor anywhere in RAM."""
    if args and looks_like_kelf(vm.ram, _int(args[0])):
        return False, f"a KELF is still at {args[0]}"
    found = find_kelfs(vm.ram)
    if found:
        return False, "KELF still in RAM at " + ", ".join(f"0x{k.pa:x}" for k in found)
    return True, "no KELF in guest RAM"


def region_bytes(vm, args):
    """region_bytes NAME HEX: region NAME (as found in the KELF) starts with bytes HEX."""
    name, want = args[0], bytes.fromhex(args[1])
    try:
        k = find_kelf(vm.ram)
    except KelfError as e:
        return False, str(e)
    data = k.read_region(name)
    if data is None:
        return False, f"no region {name}"
    if not data.startswith(want):
        return False, f"region {name} starts with {data[:len(want)].hex()}, expected {want.hex()}"
    return True, f"region {name}: {len(data)} bytes, prefix matches"
