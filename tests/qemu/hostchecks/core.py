# SPDX-License-Identifier: GPL-2.0
"""Host checks for the core's table: planted bytes at the PAs the table gives,
and consistency of the table seen from outside the guest while writers run.

Each public function takes (vm, args) and returns (ok, message).
"""
import contextlib
import json
import os
import subprocess
import time

from kmdqemu import tool as kmt
from kmdqemu.kelf import KelfError, find_kelf


def _pattern(seed, i):
    """Byte i of a buffer planted by tests/kmod/kmd_test.c with @seed (kmd_pattern())."""
    return (seed * 131 + i * 7 + (i >> 8) + 1) & 0xff


def _int(s):
    return int(s, 0)


def _bad_bytes(data, seed, first):
    """Offsets (relative to the buffer) in data whose byte is not the pattern."""
    return [first + j for j, b in enumerate(data) if 0 <= first + j and b != _pattern(seed, first + j)]


def region_pattern(vm, args):
    """region_pattern NAME BUF_VA SIZE SEED: every piece of region NAME holds, at its PA,
    the planted bytes of the buffer at BUF_VA; together the pieces cover [BUF_VA, +SIZE)."""
    name, buf_va, size, seed = args[0], _int(args[1]), _int(args[2]), _int(args[3])
    with vm.paused():
        try:
            k = find_kelf(vm.ram)
        except KelfError as e:
            return False, str(e)
        rows = [r for r in k.region_rows(name) if r.is_valid]
        if not rows:
            return False, f"no valid row named {name}"
        covered, problems = 0, []
        for r in rows:
            first = r.va - buf_va
            data = vm.ram.read(r.pa, r.size)
            # rows are widened to 4-byte boundaries: only the buffer's own bytes count
            lo, hi = max(0, -first), min(r.size, size - first)
            bad = _bad_bytes(data[lo:hi], seed, first + lo)
            if bad:
                problems.append(f"piece {r.piece} (pa 0x{r.pa:x}): {len(bad)} bytes differ, "
                                f"first at buffer offset {bad[0]}")
            covered += max(0, hi - lo)
    if covered != size:
        problems.append(f"pieces cover {covered} of {size} bytes")
    if problems:
        return False, "; ".join(problems)
    return True, f"{name}: {len(rows)} piece(s), {size} bytes match seed {seed}"


def region_absent(vm, args):
    """region_absent NAME: no non-free row is named NAME."""
    with vm.paused():
        k = find_kelf(vm.ram)
        rows = k.region_rows(args[0])
    if rows:
        return False, f"{len(rows)} row(s) named {args[0]} remain"
    return True, f"no row named {args[0]}"


def region_at(vm, args):
    """region_at NAME VA SIZE: region NAME's first piece starts at VA with SIZE bytes in all."""
    name, va, size = args[0], _int(args[1]), _int(args[2])
    with vm.paused():
        k = find_kelf(vm.ram)
        rows = k.region_rows(name)
    if not rows:
        return False, f"no row named {name}"
    total = sum(r.size for r in rows)
    if rows[0].va != va or total != size:
        return False, f"{name}: va 0x{rows[0].va:x} size {total}, expected 0x{va:x} {size}"
    return True, f"{name}: va 0x{va:x}, {size} bytes"


# tests/kmod/kmd_test.c stress threads: chunk k of thread t is named s<t>_<k>, is
# 64 + 4 * (t * 6 + k) bytes of seed 1000 + t * 6 + k; movable region m<t> is one page
# of seed 2000 + 2t or 2001 + 2t.
_PER_THREAD = 6


def _stress_row_problems(vm, k):
    problems = []
    for r in k.live_rows():
        if r.name.startswith("s") and "_" in r.name and r.name[1:].replace("_", "").isdigit():
            t, c = (int(x) for x in r.name[1:].split("_"))
            n = t * _PER_THREAD + c
            if r.size != 64 + 4 * n:
                problems.append(f"{r.name}: size {r.size}, expected {64 + 4 * n}")
                continue
            bad = _bad_bytes(vm.ram.read(r.pa, r.size), 1000 + n, 0)
            if bad:
                problems.append(f"{r.name}: bytes at pa 0x{r.pa:x} are not seed {1000 + n}")
        elif r.name == "mt":
            data = vm.ram.read(r.pa, r.size)
            if _bad_bytes(data, 3000, 0) and _bad_bytes(data, 3001, 0):
                problems.append(f"mt: page at pa 0x{r.pa:x} is neither home")
        elif r.name.startswith("m") and r.name[1:].isdigit():
            t = int(r.name[1:])
            data = vm.ram.read(r.pa, r.size)
            if _bad_bytes(data, 2000 + 2 * t, 0) and _bad_bytes(data, 2001 + 2 * t, 0):
                problems.append(f"{r.name}: page at pa 0x{r.pa:x} is neither home")
    return problems


def _tool_snapshot(vm, k, path):
    """kminidump extract of the paused guest's table at k.pa, and what it took: a list of
    problems (empty: the C tool took exactly the rows the Python model takes, each
    byte-equal to RAM)."""
    tool = kmt.tool()
    base = vm.ram.banks[0][0]
    r = subprocess.run([tool, "-q", "extract", "--ram", f"{vm.shm}@0x{base:x}", "--kelf",
                        f"0x{k.pa:x}", "-o", path], capture_output=True, text=True)
    # the generation rule: an odd gen (a writer inside) gives the core and exit 10
    want_rc = 0 if k.stable() else 10
    if r.returncode != want_rc:
        return [f"kminidump extract exit {r.returncode} (gen {k.table.gen}, expected "
                f"{want_rc}): {r.stderr.strip()[-300:]}"]
    r = subprocess.run([tool, "info", "--json", path], capture_output=True, text=True)
    if r.returncode:
        return [f"kminidump info --json exit {r.returncode}: {r.stderr.strip()[-300:]}"]
    segs = [s for s in json.loads(r.stdout)["segments"] if s["type"] == "LOAD"]
    took = sorted((int(s["paddr"], 16), s["filesz"]) for s in segs)
    want = sorted(k.collected())
    problems = []
    if took != want:
        extra = sorted(set(took) - set(want))[:3]
        lost = sorted(set(want) - set(took))[:3]
        problems.append(f"kminidump extract took {len(took)} regions, the table model "
                        f"{len(want)}: only the tool {[(hex(a), n) for a, n in extra]}, "
                        f"only the model {[(hex(a), n) for a, n in lost]}")
    with open(path, "rb") as f:
        for s in segs:
            f.seek(s["offset"])
            pa, n = int(s["paddr"], 16), s["filesz"]
            if f.read(n) != vm.ram.read(pa, n):
                problems.append(f"the core's bytes of 0x{pa:x}+{n} differ from RAM")
                break
    return problems


def stress_snapshots(vm, args):
    """stress_snapshots N [PA]: N times stop the guest and check the table (KELF at PA,
    else found by a scan) as a collector would see it at that instant: no torn row, no
    overlap, stress rows hold their own bytes, and the C tool's kminidump extract of that
    instant takes exactly the rows the model takes, byte-equal to RAM. Counts the
    snapshots that caught a row in flight (BUSY, or state and program header
    disagreeing): none means the test never sampled a write and proved nothing.
    The generation rule (docs/format.md): a row in flight with an even gen fails; counts
    the snapshots that saw an odd gen (a writer inside) and a gen changed since the
    previous snapshot; the C extract must call exactly the odd ones unstable."""
    n = _int(args[0])
    hint = _int(args[1]) if len(args) > 1 else None
    rows_seen, valid_total, caught, moved = set(), 0, 0, set()
    odd, changed, last_gen = 0, 0, None
    snap = os.path.join(vm.logdir, "stress-snapshot.elf")
    t0 = time.monotonic()
    for i in range(n):
        with vm.paused():
            try:
                k = find_kelf(vm.ram, hint)
            except KelfError as e:
                return False, f"snapshot {i}: {e}"
            problems = k.check(strict=False) + _stress_row_problems(vm, k)
            live = k.live_rows()
            flying = k.in_flight()
            if flying and k.stable():
                problems.append(f"row {flying[0].index} in flight ({flying[0].state_name}) "
                                f"while gen {k.table.gen} is even: a reader would trust it")
            if not problems:
                problems = _tool_snapshot(vm, k, snap)
        if problems:
            return False, f"snapshot {i} (gen {k.table.gen}): " + "; ".join(problems[:5])
        caught += bool(flying)
        odd += not k.stable()
        changed += last_gen is not None and k.table.gen != last_gen
        last_gen = k.table.gen
        valid_total += len(live)
        rows_seen.update(r.name for r in live)
        moved.update(r.pa for r in live if r.name == "mt")
        time.sleep(0.02)
    with contextlib.suppress(OSError):
        os.unlink(snap)
    stress_rows = [x for x in rows_seen if x[:1] in "sm"]
    vm.log(f"stress: {caught} of {n} snapshots caught a row in flight; {odd} saw an odd gen, "
           f"{changed} a gen changed since the previous one; {time.monotonic() - t0:.1f} s")
    if not stress_rows:
        return False, "no stress row was ever seen: the threads did not run"
    if len(moved) < 2:
        return False, "the timer's movable row mt was not seen at both of its homes"
    vm.report(caught > 0, f"stress: {caught} of {n} snapshots caught a row in flight (BUSY, "
              "or state and program header disagreeing)",
              [] if caught else ["none: the snapshots sampled no write and proved nothing"])
    vm.report(odd > 0 and changed > 0,
              f"stress: the generation rule: {odd} of {n} snapshots saw an odd gen, {changed} "
              "a gen changed since the previous snapshot",
              [] if odd and changed else ["a count is 0: gen did not move or was never odd"])
    if not caught:
        return False, f"none of the {n} snapshots caught a row in flight"
    if not odd or not changed:
        return False, f"{odd} snapshots saw an odd gen, {changed} a changed one: both must be > 0"
    return True, (f"{n} snapshots consistent, the C extract agreeing on each; {caught} caught "
                  f"a row in flight, {odd} an odd gen, {changed} a changed gen; "
                  f"{len(stress_rows)} distinct stress rows seen, "
                  f"{valid_total / n:.1f} valid rows on average")
