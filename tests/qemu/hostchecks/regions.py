# SPDX-License-Identifier: GPL-2.0
"""Host check of what kminidump_kernel.ko found: tests/missing-regions.conf says which
regions each kernel and boot flavour may miss, and why.

kernel_regions src=debugfs|dmesg flavours=W,W|- missing=R,R|- ok=R:ROWS:SOURCES,...|-
               off=R,..|- count=N
    Sent by the guest helper kmd_check_regions (tests/qemu/guest/lib.sh) right after
    the module loaded: the states of its debugfs "kernel" file (src=debugfs), or, with
    debugfs=off, the regions its "region X missing" log lines name and the count of
    its "registered N regions (B bytes), M missing" line (src=dmesg).
"""
import fnmatch
import os
import re

from kmdqemu.paths import GKI_KERNELS, TOP, kernel_names

CONF = os.path.join(TOP, "tests", "missing-regions.conf")
FLAVOURS = ("notable", "nokprobes")


def _load_conf(path=CONF):
    """[(line number, kernel glob, frozenset of flavours, region, why)]; ValueError on a
    malformed line (a typo must not silently expect nothing)."""
    out = []
    known = kernel_names() + GKI_KERNELS
    with open(path) as f:
        for no, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            w = line.split(None, 2)
            if len(w) < 3:
                raise ValueError(f"{path}:{no}: expected KERNELS[:FLAVOURS] REGION why")
            kern, _, fl = w[0].partition(":")
            flavours = frozenset(x for x in fl.split("+") if x)
            if not fnmatch.filter(known, kern):
                raise ValueError(f"{path}:{no}: {kern} matches no kernel of tests/kernels.conf or GKI_KERNELS")
            bad = flavours - set(FLAVOURS)
            if bad:
                raise ValueError(f"{path}:{no}: unknown flavour {', '.join(sorted(bad))} "
                                 f"(known: {', '.join(FLAVOURS)})")
            out.append((no, kern, flavours, w[1], w[2]))
    return out


def _list(args, key):
    for a in args:
        if a.startswith(key + "="):
            v = a[len(key) + 1:]
            return [] if v in ("", "-") else v.split(",")
    return None


def _why(vm, region):
    """The module's own reason, from its last log line about the region."""
    found = re.findall(rf"kminidump_kernel: region {re.escape(region)} missing: (.*)",
                       vm.console_text())
    return found[-1].strip() if found else "?"


SOURCES = ("exported", "kallsyms", "vmcoreinfo", "table", "btf", "headers", "pointers", "own")


def _source_problems(sources, flavours):
    """Every region found names where it was found (the debugfs "source" column), only
    with sources this boot has: no loaded table without one, no kallsyms without kprobes."""
    problems = []
    for r, src in sorted(sources.items()):
        names = src.split("+") if src not in ("", "-") else []
        bad = [n for n in names if n not in SOURCES]
        if not names or bad:
            problems.append(f"region {r}: source {src!r} (expected '+' of {', '.join(SOURCES)})")
        if "table" in names and "notable" in flavours:
            problems.append(f"region {r}: source says table, but no symbol table is loaded")
        if "kallsyms" in names and "nokprobes" in flavours:
            problems.append(f"region {r}: source says kallsyms, but kprobes are off")
    return problems


def kernel_regions(vm, args):
    """kernel_regions src=... flavours=... missing=... ok=... off=... [count=N]: every
    missing region is expected for this kernel and flavour (tests/missing-regions.conf),
    every expectation that applies still holds."""
    src = (_list(args, "src") or ["?"])[0]
    flavours = set(_list(args, "flavours") or [])
    missing = _list(args, "missing")
    if missing is None:
        return False, "no missing= argument (tests/qemu/guest/lib.sh kmd_check_regions)"
    ok, sources = {}, {}
    for x in _list(args, "ok") or []:
        r, rows, how = (x.split(":", 2) + ["0", "-"])[:3]
        ok[r], sources[r] = rows, how
    off = set(_list(args, "off") or [])
    try:
        conf = _load_conf()
    except (OSError, ValueError) as e:
        return False, str(e)
    applies = [c for c in conf if fnmatch.fnmatch(vm.name, c[1]) and c[2] <= flavours]
    expected = {c[3]: c for c in applies}
    tag = f"{vm.name}{'-bz' if vm.bzimage else ''} ({'+'.join(sorted(flavours)) or 'plain'})"
    problems = []
    for r in missing:
        if r not in expected:
            problems.append(f"region {r} missing on {tag}: \"{_why(vm, r)}\"; not expected "
                            f"by tests/missing-regions.conf")
    if src == "debugfs":
        known = set(ok) | off | set(missing)
        for r, c in expected.items():
            if r in ok:
                problems.append(f"region {r} was found on {tag}, but tests/missing-regions.conf "
                                f"line {c[0]} expects it missing: remove that line")
            elif r not in known:
                problems.append(f"tests/missing-regions.conf line {c[0]} names region {r}, "
                                f"which kminidump_kernel does not have (renamed?)")
        empty = [r for r, rows in ok.items() if rows == "0"]
        if empty:
            problems.append(f"state ok but no row registered: {', '.join(empty)}")
        problems += _source_problems(sources, flavours)
    else:
        count = _list(args, "count")
        if count is None or int(count[0]) != len(missing):
            problems.append(f"the log's \"registered ... M missing\" says {count}, but "
                            f"{len(missing)} \"region X missing\" lines were found")
    if problems:
        return False, "; ".join(problems)
    srcs = sorted({n for v in sources.values() for n in v.split("+")})
    return True, (f"{tag}, {src}: {len(ok) if src == 'debugfs' else '?'} regions found"
                  + (f" (sources: {'+'.join(srcs)})" if srcs else "") + ", "
                  f"{len(missing)} missing as expected ({', '.join(missing) or 'none'})"
                  + (f", {len(off)} off" if off else ""))
