# SPDX-License-Identifier: GPL-2.0
"""Host checks of the SMEM rig (run.py --smem VARIANT): the APSS minidump table in guest RAM,
read the way boot firmware reads it (kmdqemu/smem.py).

smem_table ROWS      APSS is published: KELF first, seq_num = position, names K* not ending
                     in a digit and unique, addresses unique (or equal in size), every
                     region a PT_LOAD of KELF; min(ROWS, 201) regions minus parked rows
smem_untouched VAR   APSS is as the firmware image VAR left it (refused, or given back)
smem_crash MODE      after a panic (MODE null: kmd_crash oops; sysrq): collect the md set, assemble it by QDL's rules and with
                     kminidump assemble and extract --smem; equal, byte-equal to RAM, drgn
"""
import json
import os
import struct

from kmdqemu import smem as sm
from kmdqemu import tool as kmt
from kmdqemu.kelf import KelfError, find_kelf
from kmdqemu.paths import TOP

SMEM_PA = 0x70000000
DRGN_VALUES = os.path.join(TOP, "tests", "e2e", "drgn_values.py")
CRASH_BT = os.path.join(TOP, "tests", "e2e", "crash_bt.py")


class _Ram:
    def __init__(self, vm):
        self.vm = vm

    def read(self, pa, n):
        return self.vm.ram.read(pa, n)


def _apss(vm):
    toc_off = sm.image("ok")[1]
    raw = vm.ram.read(SMEM_PA + toc_off, sm.TOC_SIZE)
    return struct.unpack_from('<IIIII4xQ', raw, 16)


def _table_problems(vm, regs, panic=False):
    problems = []
    if not regs or regs[0][0] != "KELF":
        problems.append("the first region is not KELF")
    names = [r[0] for r in regs]
    for n, (name, seq, pa, size) in enumerate(regs, 1):
        if seq != n:
            problems.append(f"{name}: seq_num {seq} at position {n}")
        if not name.startswith("K") or name[-1].isdigit() or len(name) > 9:
            problems.append(f"name {name!r}: not K + up to 8 characters ending in a non-digit")
        if names.count(name) > 1:
            problems.append(f"name {name} repeats")
        if size % 4:
            problems.append(f"{name}: size {size} not a multiple of 4")
    by_pa = {}
    for name, _, pa, size in regs:
        if pa in by_pa and by_pa[pa] != size:
            msg = f"address 0x{pa:x} shared by regions of {by_pa[pa]} and {size} bytes"
            if panic:   # after a panic: the parked capture rows, overlapping stacks (logged)
                vm.log("smem: " + msg)
            else:
                problems.append(msg)
        by_pa.setdefault(pa, size)
    try:
        k = find_kelf(vm.ram, regs[0][2] if regs else None)
    except KelfError as e:
        return problems + [f"KELF: {e}"]
    loads = {pa for pa, _, _ in sm.kelf_loads(vm.ram.read(k.pa, k.table.kelf_size))}
    for name, _, pa, _ in regs[1:]:
        if pa not in loads:
            problems.append(f"{name} at 0x{pa:x} is no PT_LOAD of KELF")
    # parked capture rows (not moved yet, or showing what another row shows): no PT_LOAD,
    # no room, no region; QDL writes segments in order, so a PT_LOAD without a region
    # (or a room without a PT_LOAD) would shift every later one (docs/smem.md)
    published = {pa for _, _, pa, _ in regs}
    live_pas = {r.pa for r in k.live_rows()}
    for r in k.parked_rows():
        ph = k.phdrs[r.index]
        if ph.type != 0 or r.room:
            problems.append(f"parked row {r.name}: phdr type {ph.type}, room {r.room}")
        if r.pa in published and r.pa not in live_pas:
            problems.append(f"parked row {r.name} at 0x{r.pa:x} has a region")
    if len(regs) < sm.APSS_MAX:
        lost = [r.name for r in k.live_rows()[1:] if r.pa not in published]
        if lost:
            problems.append(f"{len(lost)} PT_LOADs without a region: {', '.join(lost[:6])}")
    vm.log(f"smem: {len(k.parked_rows())} parked rows (no PT_LOAD), "
           f"{len(k.live_rows())} rows in the core")
    return problems


def smem_table(vm, args):
    """smem_table ROWS: APSS is published and follows the firmware's and QDL's rules."""
    with vm.paused():
        st, en, enc, _, count, base = _apss(vm)
        if st != 1 or en != sm.ENBL or enc != sm.DONE or not base:
            return False, f"APSS not published: status {st}, enabled 0x{en:x}, base 0x{base:x}"
        regs = sm.walk(_Ram(vm), SMEM_PA)
        problems = _table_problems(vm, regs)
    rows = int(args[0]) if args else 0
    vm.log(f"smem: {len(regs)} regions ({count} counted) for {rows} table rows, limit 201")
    if len(regs) != count:
        problems.append(f"{len(regs)} VALI regions but region_count {count}")
    if len(regs) > sm.APSS_MAX:
        problems.append(f"{len(regs)} regions, over {sm.APSS_MAX}")
    if problems:
        return False, "; ".join(problems[:6])
    return True, f"APSS: {len(regs)} regions for {rows} rows, KELF first, at pa 0x{base:x}"


def smem_untouched(vm, args):
    """smem_untouched VARIANT: APSS holds exactly what the firmware image had."""
    variant = args[0]
    if variant == "zero":
        return True, "no SMEM image: nothing to compare"
    data, toc_off = sm.image(variant, SMEM_PA, sm.DEFAULT_SIZE)
    with vm.paused():
        if toc_off is None:
            same = vm.ram.read(SMEM_PA, 4096) == data[:4096]
            return same, "SMEM header untouched" if same else "SMEM header changed"
        got = vm.ram.read(SMEM_PA + toc_off, sm.TOC_SIZE)
    want = data[toc_off:toc_off + sm.TOC_SIZE]
    if variant == "small602":
        got, want = got[:16], want[:16]
    if got != want:
        st, en, enc, req, count, base = struct.unpack_from('<IIIII4xQ', got, 16)
        return False, (f"APSS changed: status {st}, enabled 0x{en:x}, enc 0x{enc:x}/0x{req:x}, "
                       f"count {count}, base 0x{base:x}")
    return True, f"the TOC is as the firmware ({variant}) left it"


def _drgn_thread(vm, core, cs, pcpu, args, sub):
    """drgn's crashed thread on the core assembled from the md set: the panic task (its
    NT_PRSTATUS pid), unwound; sysrq: through sysrq_handle_crash. drgn 0.0.22 takes CPU 0's
    note on arm64 (no crashing_cpu): for a panic elsewhere thread(pid) is checked, a SKIP
    says so (as tests/qemu/hostchecks/panic.py does)."""
    prs = cs.prstatus("arm64")
    pid = prs[pcpu][0] if pcpu is not None and pcpu < len(prs) else None
    rc, out, err, _ = kmt.run(["/usr/bin/python3", CRASH_BT, core, vm.env["KMD_DBG_VMLINUX"]]
                              + ([str(pid)] if pid else []), timeout=300)
    try:
        dr = json.loads(out)
    except ValueError:
        dr = {"crashed": None, "threads": {}, "errors": {"run": (out + err).strip()[-300:]}}
    crashed, what = dr.get("crashed"), "drgn crashed_thread()"
    if pid and pcpu and crashed and crashed.get("tid") != pid:
        vm._record("skip", f"smem: drgn crashed_thread() is the panic task: known, drgn 0.0.22 "
                   f"takes CPU 0's NT_PRSTATUS; the panic was on CPU {pcpu}: thread {pid} "
                   "is checked instead", [], "host")
        crashed, what = dr.get("threads", {}).get(str(pid)), f"drgn thread {pid}"
    names = [f.get("name") or hex(f["pc"]) for f in (crashed or {}).get("frames", [])]
    # null: the oops is in kmd_crash, module code drgn has no debug info for
    want = "sysrq_handle_crash" if not args or args[0] != "null" else None
    ok = bool(pid and crashed and crashed.get("tid") == pid and names and
              (want is None or want in names))
    sub(ok, f"smem: {what} on the assembled md set: tid {(crashed or {}).get('tid')}, "
        f"{len(names)} frames{', naming ' + want if want and want in names else ''}",
        [f"expected tid {pid}" + (f" and {want}" if want else ""),
         "frames: " + " <- ".join(names[:16])] + [f"{k}: {v}" for k, v in
                                                  dr.get("errors", {}).items()][:3])


def smem_crash(vm, args):
    """smem_crash MODE: the md set the firmware would send, assembled three ways, equal, and
    opened (drgn, kminidump dmesg)."""
    results = []

    def sub(ok, desc, diag=()):
        results.append(bool(ok))
        vm.report(bool(ok), desc, diag if isinstance(diag, (list, tuple)) else [diag])
        return ok

    d = os.path.join(vm.logdir, "smem-md")
    ram = _Ram(vm)
    regs = sm.walk(ram, SMEM_PA)
    problems = _table_problems(vm, regs, panic=True)
    sub(not problems, f"smem: APSS after the panic: {len(regs)} regions, rules kept",
        problems[:6])
    n = sm.collect(ram, SMEM_PA, d)
    qdl = sm.qdl_dir(d)
    qdl_core = os.path.join(vm.logdir, "smem-qdl.elf")
    with open(qdl_core, "wb") as f:
        f.write(qdl)
    files = sorted(x for x in os.listdir(d) if x.endswith(".BIN"))
    k = find_kelf(vm.ram, regs[0][2] if regs else None)
    rows = k.live_rows()
    over = len(rows) > sm.APSS_MAX
    published = {pa for _, _, pa, _ in regs}
    if over:
        # more rows than APSS takes: the priority rows must be the ones published
        def prio(r):
            n = r.name
            base = n.split("_")[0]
            return (r.index == 0 or n.startswith(("prb", "printk", "log_")) or
                    (r.flags & 4 and base.endswith("0") and not base[-2:-1].isdigit()))
        lost = [r.name for r in rows if prio(r) and r.pa not in published]
        sub(len(regs) == sm.APSS_MAX and not lost,
            f"smem: {len(rows)} rows, {len(regs)} published: KELF, printk and the panic CPU's "
            "capture among them", lost[:8])
    asm = os.path.join(vm.logdir, "smem-assembled.elf")
    if over:
        vm._record("skip", f"smem: kminidump assemble: {len(rows) - len(regs)} rows over the "
                   "APSS limit have no file (a partial set)", [], "host")
        rc = None
        asm_ok = False
    else:
        rc, out, err, _ = kmt.run([kmt.tool(), "assemble",
                                   *[os.path.join(d, x) for x in files], "-o", asm])
        sub(rc == 0, f"smem: kminidump assemble of the {n} md_*.BIN files", err.strip()[-300:])
    asm_ok = rc == 0
    ext = os.path.join(vm.logdir, "smem-extract.elf")
    base = vm.ram.banks[0][0]
    rc2, out, err2, _ = kmt.run([kmt.tool(), "extract", "--ram", f"{vm.shm}@0x{base:x}",
                                "--smem", f"0x{SMEM_PA:x}", "-o", ext])
    want_rc = 10 if over else 0
    sub(rc2 == want_rc, f"smem: kminidump extract --smem (exit {rc2}"
        f"{', a partial core: rows over the APSS limit zero-filled' if over else ''})",
        err2.strip()[-300:])
    ok2 = rc2 == want_rc
    if not over:
        same = rc == 0 and ok2 and open(asm, "rb").read() == open(ext, "rb").read()
        sub(same, f"smem: kminidump assemble and extract --smem give the same core "
            f"({os.path.getsize(ext) if ok2 else 0} bytes)")
    # QDL's rules (first region by address, in program-header order, p_offset ignored):
    # the same file, since parked rows have no PT_LOAD; a set over the APSS limit is
    # partial and QDL's file is right only up to the first row left out
    qdl_same = ok2 and qdl == open(ext, "rb").read()
    if over and not qdl_same:
        vm.log("smem: QDL's rules give another file: " + "; ".join(
            l for l in err2.splitlines() if "QDL" in l)[:600])
        vm._record("skip", "smem: by QDL's rules: rows over the APSS limit have no region",
                   [], "host")
    else:
        sub(qdl_same, f"smem: QDL's rules give the same {len(qdl)} bytes",
            [l for l in err2.splitlines() if "QDL" in l][:4])
    rc2 = 0 if ok2 else rc2
    if rc2 == 0:
        c = kmt.Core(ext)
        loads = [l for l in c.loads if l[2] in published]
        diff = [f"0x{pa:x}+{n}" for off, _, pa, n in loads
                if c.data[off:off + n] != vm.ram.read(pa, n)]
        sub(not diff and loads, f"smem: the {len(loads)} downloaded segments (of "
            f"{len(c.loads)}) byte-equal to guest RAM", diff[:5])
        rc, kd, err, _ = kmt.run([kmt.tool(), "dmesg", ext])
        sub(rc == 0 and "Kernel panic - not syncing" in kd,
            "smem: kminidump dmesg shows the panic", (err or kd).strip().splitlines()[-2:])
        rc, out, err, _ = kmt.run(["/usr/bin/python3", DRGN_VALUES, ext,
                                   vm.env["KMD_DBG_VMLINUX"]])
        vals = json.loads(out) if rc == 0 else {}
        pk = vals.get("printk", {})
        sub(rc == 0 and any("Kernel panic - not syncing" in t for t in pk.get("last", [])),
            f"smem: drgn opens the minidump from the md set, reads {pk.get('count')} printk "
            "records, the panic among them", [err.strip()[-300:]])
        # the panic stack: kminidump info's backtrace of the panic CPU, named with the
        # System.map (drgn 0.0.22's crashed_thread() is not reliable on these cores:
        # a module pc, the sysrq CPU; tests/qemu/hostchecks/panic.py has the details)
        cs = kmt.Core(ext, system_map=vm.env.get("KMD_SYSTEM_MAP"))
        pcpu = (cs.info.get("table") or {}).get("panic_cpu")
        bt = cs.backtrace(pcpu) if pcpu is not None else None
        names = [f.get("function") or f.get("symbol") or f.get("addr")
                 for f in (bt or {}).get("frames", [])]
        # null: the write into kmd_crash's debugfs trigger; sysrq: the sysrq handler
        want = "full_proxy_write" if args and args[0] == "null" else "sysrq"
        sub(any(want in str(n) for n in names),
            f"smem: the panic CPU's ({pcpu}) stack from the md set names {want}",
            [" <- ".join(str(n) for n in names[:12])])
        _drgn_thread(vm, asm if asm_ok else qdl_core, cs, pcpu, args, sub)
        vm.log(f"smem: minidump {len(qdl)} bytes from {n} regions")
    ok = all(results)
    return ok, f"{sum(results)} of {len(results)} SMEM collection checks passed"
