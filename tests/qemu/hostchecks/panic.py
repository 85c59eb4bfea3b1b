# SPDX-License-Identifier: GPL-2.0
"""Host checks of the panic-time capture, run on a guest a panic_* case crashed.

panic_core TRIGGER sec:NAME=ADDR...
    TRIGGER is what crashed the guest (kmd_crash.ko's trigger word, or sysrq);
    sec: gives kmd_crash.ko's text sections, so module addresses can be named
    from the .ko's symbol table (tests/qemu/cases/panic_lib.sh passes them).

Sub-results (each its own KTAP line, vm.report):
  console       the guest crashed the intended way (oops / BUG / panic / soft
                lockup / WARN text, the panic line)
  minidump      kminidump extract from guest RAM; every PT_LOAD byte-equal to RAM;
                size under 2 MB; VMCOREINFO CRASHTIME, PANIC_MESSAGE,
                KMINIDUMP_CAPTURE_NS (the capture time is reported, not judged)
  registers     NT_PRSTATUS of the crashing CPU: pr_pid is the crashing task, pc
                in the expected function, sp inside the saved stack; every other
                CPU: pc in kernel text, sp saved (spin: pid and pc of the spinner);
                amd64: crashing_cpu is the panic CPU
  stack         the words of the saved stack above sp that are kernel or module
                text addresses name the expected call chain (no unwinder involved);
                kminidump info's own backtrace (x86 stack scan, arm64 frame-pointer
                walk; named with the System.map and --module kmd_crash.ko) too
  drgn          tests/e2e/crash_bt.py on the minidump: prog.crashed_thread() is the
                panic task and its stack_trace() names the expected frames up to the
                first kmd_crash frame (drgn has no unwind tables for module code);
                spin: the spinner's thread names kmd_crash_spin_here. SKIPs for known
                drgn 0.0.22 limits: amd64 6.12 "unknown ORC entry type 3"; arm64
                crashed_thread() is CPU 0's note (no crashing_cpu), so for a panic on
                CPU 1 thread(pid) is checked instead
  crash         amd64 6.1 only: crash 8.0.2 (--zero_excluded --no_modules
                --no_kmem_cache) on the minidump and on a full dump of the same guest
                (QMP dump-guest-memory, paging=false; 1 GiB, removed afterwards unless
                run.py --keep): sys (panic string, CPU count), bt, bt -a, log, p jiffies
                on both; the panic task's bt frames on the minidump equal the full
                dump's; spin: "bt -c 1 -e" shows the interrupted RIP in
                kmd_crash_spin_here (bt -a misreads that exception frame, even on the
                full dump). Elsewhere guest RAM is the reference (byte equality).

Expected names are matched in order (a subsequence) after dropping ".cold"-style
suffixes; module addresses are named from kmd_crash.ko (its symbols as kminidump info
--module reads them), kernel ones from the dbg System.map plus VMCOREINFO's
KERNELOFFSET. The minidump is read through kminidump info --json (kmdqemu/tool.py):
no ELF is parsed here. Files land in the boot's log directory
(the 1 GiB full dump is removed unless run.py --keep).
"""
import bisect
import filecmp
import json
import os
import re
import struct
import subprocess
import time

from kmdqemu import tool as kmt
from kmdqemu.paths import TOP

CRASH_BT = os.path.join(TOP, "tests", "e2e", "crash_bt.py")
SIZE_BUDGET = 2 * 1024 * 1024          # at 1-2 CPUs
CPU_BUDGET = 128 * 1024                 # each more CPU (measured: 102 KiB amd64, 62 arm64)
PANIC_CPUS = 64         # kminidump_kernel's panic_cpus default
THREAD_SIZE = 16384                 # x86_64 and arm64 with 4 KiB pages, no KASAN
ORC_ERROR = "unknown ORC entry type"

# Call chains, callee first, as a subsequence of the names found from the crashing
# CPU's pc (arm64: and lr), then the stack words above sp (then the crashed task's
# stack, when sp is on another stack, e.g. an IRQ stack).
SYSRQ_CHAIN = ["panic", "sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger", "vfs_write"]
TRIGGERS = {
    "null": {
        "console": {"amd64": [r"BUG: kernel NULL pointer dereference, address: 0+\b",
                              r"RIP: 0010:kmd_crash_null_deref\+"],
                    "arm64": [r"Unable to handle kernel NULL pointer dereference at virtual "
                              r"address 0+\b", r"pc : kmd_crash_null_deref\+"]},
        "panic": {"amd64": "Fatal exception", "arm64": "Oops: Fatal exception"},
        "chain": ["kmd_crash_null_deref", "kmd_crash_write", "vfs_write", "ksys_write"],
    },
    "cfi": {        # kCFI kernels only (tests/qemu/cases/panic_cfi.sh)
        "console": {"any": [r"CFI failure at kmd_crash_cfi_call\+\S+ \[kmd_crash\] \(target: "
                            r"kmd_crash_cfi_target\+0x0/\S+ \[kmd_crash\]; expected type: 0x",
                            r"pc : kmd_crash_cfi_call\+"]},
        "panic": {"any": "Oops - CFI: Fatal exception"},
        "chain": ["kmd_crash_cfi_call", "kmd_crash_write", "vfs_write", "ksys_write"],
    },
    "bug-wq": {
        "console": {"amd64": [r"kernel BUG at \S*kmd_crash\.c:\d+!", r"invalid opcode: 0000",
                              r"RIP: 0010:kmd_crash_bug_here\+",
                              r"Workqueue: events kmd_crash_bug_work"],
                    "arm64": [r"kernel BUG at \S*kmd_crash\.c:\d+!",
                              r"Internal error: Oops - BUG: ", r"pc : kmd_crash_bug_here\+",
                              r"Workqueue: events kmd_crash_bug_work"]},
        "panic": {"amd64": "Fatal exception", "arm64": "Oops - BUG: Fatal exception"},
        # clang (the GKI-like kernel) inlines process_one_work into process_scheduled_works
        "chain": ["kmd_crash_bug_here", "kmd_crash_bug_work",
                  "process_one_work|process_scheduled_works", "worker_thread", "kthread"],
    },
    "panic-kthread": {
        "console": {"any": [r"kmd_crash: panic-kthread: pid \d+ comm kmd_crash_panic"]},
        "panic": {"any": "kmd_crash: panic() from kthread kmd_crash_panic"},
        "chain": ["panic", "kmd_crash_panic_here", "kmd_crash_panic_thread", "kthread"],
    },
    "softlockup": {
        "console": {"amd64": [r"watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s! "
                              r"\[kmd_crash_locku:\d+\]", r"RIP: 0010:kmd_crash_lockup_spin\+"],
                    "arm64": [r"watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s! "
                              r"\[kmd_crash_locku:\d+\]", r"pc : kmd_crash_lockup_spin\+"]},
        "panic": {"any": "softlockup: hung tasks"},
        # the timer interrupt's stack, then the interrupted task's
        "chain": ["panic", "watchdog_timer_fn", "__hrtimer_run_queues", "hrtimer_interrupt",
                  "kmd_crash_lockup_spin", "kmd_crash_lockup_thread", "kthread"],
        # drgn 0.0.22 stops where the kernel switched to the IRQ stack (x86 sysvec_*:
        # ORC SP_INDIRECT; arm64 call_on_irq_stack), although the task's stack is
        # saved (the stack check reads it, and kminidump info crosses it)
        "drgn_amd64": ["panic", "watchdog_timer_fn", "__hrtimer_run_queues",
                       "hrtimer_interrupt"],
        "drgn_arm64": ["panic", "watchdog_timer_fn", "__hrtimer_run_queues",
                       "hrtimer_interrupt"],
    },
    "warn": {
        "console": {"any": [r"WARNING: CPU: \d+ PID: \d+ at \S*kmd_crash\.c:\d+ "
                            r"kmd_crash_warn_here\+"]},
        "panic": {"any": "kernel: panic_on_warn set ..."},
        "chain": ["panic", "__warn", "kmd_crash_warn_here", "kmd_crash_write", "vfs_write"],
    },
    "spin": {
        "console": {"any": [r"kmd_crash: spin: pid \d+ comm kmd_crash_spin cpu 1\b",
                            r"sysrq: Trigger a crash"]},
        "panic": {"any": "sysrq triggered crash"},
        "chain": SYSRQ_CHAIN,
        "other": ["kmd_crash_spin_here", "kmd_crash_spin_thread", "kthread"],
    },
    "sysrq": {
        "console": {"any": [r"sysrq: Trigger a crash"]},
        "panic": {"any": "sysrq triggered crash"},
        "chain": SYSRQ_CHAIN,
    },
}


# panic_core TRIGGER MODE: what differs from a plain boot
MODES = {
    # kminidump.use_kprobes=0: the crashing CPU's registers from the oops (die notifier),
    # the other CPUs not captured (docs/kernel.md, "panic capture: kprobes unavailable")
    "nokprobes": "no kprobes",
}


# Past the system-call entry, crash 8.0.2 no longer unwinds: it shows every stale
# word of the stack that follows a call instruction, on a full dump as on a
# minidump, and which of them it can check depends on the text pages it has.
# The call chain compared is every frame up to do_syscall_64, and the last one.
_ENTRY_FRAMES = ("do_syscall_64",)


def _call_chain(frames):
    for i, f in enumerate(frames):
        if f in _ENTRY_FRAMES:
            return frames[:i + 1] + frames[-1:]
    return frames


def _run(cmd, timeout=300, stdin=None):
    rc, out, _, secs = kmt.run(cmd, timeout=timeout, stdin=stdin, merge=True)
    return rc, out, secs


def _base(name):
    """'panic.cold' -> 'panic', 'kmd_crash_x+0x5/0x20' -> 'kmd_crash_x'."""
    return re.split(r"[.+]", name, 1)[0] if name else name


def _subseq(want, names):
    """The names of want found in order in names; == want when all are. A want entry
    "a|b" matches either (b: the caller that a compiler inlined a into)."""
    it = iter(_base(n) for n in names)
    found = []
    for w in want:
        for n in it:
            if n in w.split("|"):
                found.append(w)
                break
        else:
            break
    return found


# ---- symbols ----------------------------------------------------------------------
class _Symbols:
    """Kernel text (dbg System.map + KASLR offset) and kmd_crash.ko text (the function
    symbols and text sections kminidump info --module read from the .ko)."""

    def __init__(self, system_map, offset, modules=()):
        self.addrs, self.names = [], []
        text = []
        stext = etext = None
        with open(system_map) as f:
            for line in f:
                w = line.split()
                if len(w) < 3:
                    continue
                a = int(w[0], 16) + offset
                if w[2] == "_stext":
                    stext = a
                elif w[2] == "_etext":
                    etext = a
                if w[1] in "tTwW":
                    text.append((a, w[2]))
        self.kernel = (stext or 0, etext or 0)
        self.modules = []               # (start, end) of each module text section
        for m in modules:
            for sec in m["sections"]:
                if sec["text"] and sec["size"]:
                    a = int(sec["addr"], 16)
                    self.modules.append((a, a + sec["size"]))
            text += [(int(y["addr"], 16), y["name"]) for y in m["symbols"] if y["function"]]
        text.sort()
        self.addrs = [a for a, _ in text]
        self.names = [n for _, n in text]

    def is_text(self, a):
        k0, k1 = self.kernel
        return k0 <= a < k1 or any(s <= a < e for s, e in self.modules)

    def name(self, a):
        """The function containing a, or None if a is not text."""
        if not self.is_text(a):
            return None
        i = bisect.bisect_right(self.addrs, a) - 1
        return self.names[i] if i >= 0 else None


def _stack_chain(core, syms, sp, extra_blocks=()):
    """Names of the text addresses in the saved stack from sp to its THREAD_SIZE block's
    end, then in every extra block (whole); and the first address not saved, if any."""
    names, missing = [], None
    blocks = [(sp & ~7, (sp & ~(THREAD_SIZE - 1)) + THREAD_SIZE)]
    blocks += [(b, b + THREAD_SIZE) for b in extra_blocks
               if b != sp & ~(THREAD_SIZE - 1)]
    for lo, hi in blocks:
        for page in range(lo & ~4095, hi, 4096):
            start = max(page, lo)
            data = core.read_va(start, page + 4096 - start)
            if data is None:
                missing = missing or start
                continue
            for (w,) in struct.iter_unpack("<Q", data[:len(data) & ~7]):
                n = syms.name(w - 1)        # a return address follows its call
                if n and (not names or names[-1] != n):
                    names.append(n)
    return names, missing


# ---- the console ----------------------------------------------------------------------
def _console_facts(text):
    """(panic message, crashing CPU, pid, comm) from the console, or Nones. The task is
    in the "CPU: N PID: P Comm: C" line of panic()'s own stack dump (just after the
    panic line), else (an oops: panic() dumps no stack after die()) the last one before."""
    m = re.search(r"Kernel panic - not syncing: (.*)", text)
    if not m:
        return None, None, None, None
    cpu_re = r"CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (\S+)"
    after = re.search(cpu_re, "\n".join(text[m.end():].splitlines()[:6]))
    before = list(re.finditer(cpu_re, text[:m.start()]))
    c = after or (before[-1] if before else None)
    if not c:
        return m.group(1).strip(), None, None, None
    return m.group(1).strip(), int(c.group(1)), int(c.group(2)), c.group(3)


def _pick(table, arch):
    return table.get(arch, table.get("any"))


# ---- crash (amd64 6.1) ----------------------------------------------------------------
CRASH_CMDS = ["sys", "bt", "bt -a", "log", "p jiffies"]


def _crash_script(cmds):
    lines = []
    for c in cmds:
        lines += [f"!echo @@@ {c}", c]
    return "\n".join(lines + ["!echo @@@ end", "exit", ""])


def _crash_start(vmlinux, core, out_path, cmds):
    f = open(out_path, "w")
    p = subprocess.Popen(["crash", "-s", "--zero_excluded", "--no_kmem_cache",
                          vmlinux, core], stdin=subprocess.PIPE, stdout=f,
                         stderr=subprocess.STDOUT, text=True)
    p.stdin.write(_crash_script(cmds))
    p.stdin.close()
    return p, f


def _crash_sections(text):
    """{command: output} from a crash run with '@@@ cmd' separators; '' = start-up."""
    out, cur = {"": []}, ""
    for line in text.splitlines():
        if line.startswith("@@@ "):
            cur = line[4:]
            out[cur] = []
        else:
            out[cur].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def _crash_bt(text, syms):
    """[(pid, cpu, [frame names])] of a bt / bt -a output; an exception RIP that crash
    cannot name (module code: --no_modules) is named from kmd_crash.ko, as '[name]'."""
    tasks = []
    exc = False
    for line in text.splitlines():
        m = re.match(r"PID: (\d+)\s+TASK: \S+\s+CPU: (\d+)", line)
        if m:
            tasks.append((int(m.group(1)), int(m.group(2)), []))
            continue
        if not tasks:
            continue
        frames = tasks[-1][2]
        m = re.match(r"\s*#\d+ \[[0-9a-f]+\] (\S+) at [0-9a-f]+", line)
        if m:
            frames.append(m.group(1))
            continue
        m = re.match(r"\s+\[exception RIP: (.+)\]", line)
        if m:
            exc = m.group(1)
            continue
        m = re.match(r"\s+RIP: ([0-9a-f]+)", line)
        if m and exc:
            frames.append(f"[{syms.name(int(m.group(1), 16)) or exc}]")
            exc = False
        if "--- <" in line:
            frames.append(line.strip())
    return tasks


def _crash_summary(out, syms, smp, panic_msg):
    """What one crash run showed: {cmd: (ok, detail)} plus the panic task's frames."""
    s = _crash_sections(out)
    res = {}
    started = "@@@ end" in out or "sys" in s
    sys_out = s.get("sys", "")
    m = re.search(r"PANIC: \"(.*)\"", sys_out)
    cpus = re.search(r"CPUS: (\d+)", sys_out)
    res["sys"] = (bool(m and m.group(1) and cpus and int(cpus.group(1)) == smp),
                  f"PANIC \"{m.group(1) if m else '?'}\", CPUS {cpus.group(1) if cpus else '?'}")
    bt = _crash_bt(s.get("bt", ""), syms)
    res["bt"] = (bool(bt and bt[0][2]), f"{len(bt[0][2]) if bt else 0} frames")
    bta = _crash_bt(s.get("bt -a", ""), syms)
    res["bt -a"] = (len(bta) == smp and all(f for _, _, f in bta),
                    f"{len(bta)} CPUs: " + "; ".join(f"CPU {c} pid {p} {len(f)} frames"
                                                     for p, c, f in bta))
    log = s.get("log", "")
    res["log"] = (panic_msg is not None and panic_msg in log,
                  f"{len(log.splitlines())} lines, panic line {'in' if panic_msg in log else 'absent'}"
                  if panic_msg else "no panic line known")
    j = re.search(r"^jiffies = (\$\d+ = )?(\d+)", s.get("p jiffies", ""), re.M)
    res["p jiffies"] = (j is not None, f"jiffies {j.group(2)}" if j else "no value")
    return started, res, bt, bta, s


# ---- the check ------------------------------------------------------------------------
def panic_core(vm, args):
    """panic_core TRIGGER sec:NAME=ADDR...: after the crash, the minidump against guest
    RAM, a full dump and the console, with drgn and (amd64 6.1) crash."""
    t_start = time.monotonic()
    trigger = args[0] if args else "?"
    spec = TRIGGERS.get(trigger)
    if spec is None:
        return False, f"unknown trigger {trigger!r} (known: {', '.join(TRIGGERS)})"
    sections, modes = {}, set()
    for a in args[1:]:
        if a.startswith("sec:") and "=" in a:
            k, v = a[4:].split("=", 1)
            sections[k] = int(v, 16)
        elif a in MODES:
            modes.add(a)
        else:
            return False, f"unknown argument {a!r} (modes: {', '.join(MODES)})"
    nokprobes = "nokprobes" in modes
    arch = vm.arch
    tag = vm.case or f"panic {trigger}"      # run.py puts the kernel name in front
    results, facts = [], {}

    def sub(ok, desc, diag=()):
        ok = bool(ok)
        results.append(ok)
        vm.report(ok, f"{tag}: {desc}", diag if isinstance(diag, (list, tuple)) else [diag])
        return ok

    def skip(desc, why):
        # a known tool limitation, not a kminidump result
        vm._record("skip", f"{tag}: {desc}", [why], "host")

    # -- the console: did the guest crash the intended way?
    text = vm.console_text()
    want = _pick(spec["console"], arch)
    missing = [w for w in want if not re.search(w, text)]
    panic_msg, cpu, pid, comm = _console_facts(text)
    want_panic = _pick(spec["panic"], arch)
    ok = not missing and panic_msg is not None and panic_msg.startswith(want_panic)
    sub(ok, f"console: {trigger} crashed the guest (panic: {panic_msg})",
        [f"missing: {m}" for m in missing] + [f"panic line: {panic_msg!r}, expected "
                                              f"{want_panic!r}"])
    # one-way panic path: kmd_test's consumer 0 heard PANIC once, no UPDATE in the panic
    ev = re.findall(r"kmd_test: consumer0: PANIC (\d+), UPDATE during the panic (\d+)", text)
    if re.search(r"(?m)^ok \d+ .*kmd_test consumer 0 attached", text) or ev:
        sub(ev == [("1", "0")], f"consumer: one PANIC event, no UPDATE during the panic "
            f"({', '.join(f'PANIC {p} UPDATE {u}' for p, u in ev) or 'no PANIC line'})",
            ["expected exactly one line 'kmd_test: consumer0: PANIC 1, UPDATE during the "
             "panic 0'"])
    else:
        skip("consumer: one PANIC event, no UPDATE during the panic",
             "no consumer attached: the case does not call panic_load, or the "
             "kernel has no debugfs for kmd_test")
    spin_pid = None
    if trigger == "spin":
        m = re.search(r"kmd_crash: spin: pid (\d+) comm kmd_crash_spin cpu 1\b", text)
        spin_pid = int(m.group(1)) if m else None
    vm.log(f"{tag}: console: CPU {cpu} pid {pid} comm {comm}, panic {panic_msg!r}"
           + (f", spinner pid {spin_pid} on CPU 1" if spin_pid else ""))

    # -- the minidump
    core_path = os.path.join(vm.logdir, "minidump.elf")
    rc, out, err, secs = kmt.extract(vm, core_path)
    if not sub(rc == 0, f"kminidump extract from guest RAM ({secs:.2f} s)",
               (out + err).strip().splitlines()[-3:]):
        return False, "extract failed"
    ko = next((k for k in (vm.kos or []) if os.path.basename(k) == "kmd_crash.ko"), None)
    modules = [f"{ko}:" + ",".join(f"{k}=0x{v:x}" for k, v in sections.items())] \
        if ko and sections else []
    core = kmt.Core(core_path, system_map=vm.env["KMD_SYSTEM_MAP"], modules=modules)
    size = core.size
    facts["size"] = size
    diff = core.ram_mismatches(vm.ram)
    sub(core.loads and not diff, f"minidump: {len(core.loads)} PT_LOADs byte-equal to guest RAM",
        diff[:5])
    budget = SIZE_BUDGET + CPU_BUDGET * max(0, vm.smp - 2)
    sub(size < budget, f"minidump: {size} bytes ({size / 1048576:.2f} MiB, budget "
        f"{budget / 1048576:g} MiB)")
    vmci = core.vmcoreinfo()
    sub("CRASHTIME" in vmci, f"VMCOREINFO CRASHTIME={vmci.get('CRASHTIME')}")
    pm = vmci.get("PANIC_MESSAGE")
    sub(pm is not None and panic_msg is not None and pm.strip() == panic_msg[:len(pm.strip())],
        f"VMCOREINFO PANIC_MESSAGE={pm!r}", [f"console: {panic_msg!r}"])
    ns = vmci.get("KMINIDUMP_CAPTURE_NS")
    facts["capture_ns"] = ns
    sub(ns is not None, f"VMCOREINFO KMINIDUMP_CAPTURE_NS={ns}"
        + (f" ({int(ns) / 1000:.1f} us; target well under 1 ms, not judged)"
           if ns and ns.isdigit() else ""))

    # -- symbols
    offset = int(vmci.get("KERNELOFFSET", "0"), 16)
    syms = _Symbols(vm.env["KMD_SYSTEM_MAP"], offset, core.info["modules"])

    # -- registers
    prs = core.prstatus(arch)
    kelf = vm.find_kelf()
    panic_cpu = kelf.table.panic_cpu
    sub(panic_cpu == cpu, f"KELF panic CPU {panic_cpu} is the console's crashing CPU {cpu}")
    chain = spec["chain"]
    if cpu is not None and cpu < len(prs):
        rpid, pc, sp, lr = prs[cpu]
        pcname = syms.name(pc)
        spsaved = core.read_va(sp & ~7, 8) is not None
        sub(rpid == pid and _base(pcname) == chain[0] and spsaved,
            f"NT_PRSTATUS of CPU {cpu}: pid {rpid}, pc {pcname or hex(pc)}, sp 0x{sp:x} "
            f"{'saved' if spsaved else 'NOT saved'}",
            [f"expected pid {pid} ({comm}), pc in {chain[0]}, sp in a saved stack page"])
    else:
        sub(False, f"NT_PRSTATUS of crashing CPU {cpu}", [f"{len(prs)} notes"])
        rpid = pc = sp = lr = None
    # kminidump_kernel's panic_cpus (default 64): the crashing CPU and the first 63
    # others in CPU order get their task and stack saved; the rest registers only
    stacked = [c for c in range(min(len(prs), vm.smp)) if c != cpu][:PANIC_CPUS - 1]
    for c, (opid, opc, osp, olr) in enumerate(prs):
        if c == cpu or c >= vm.smp:
            continue
        if c not in stacked and not nokprobes:
            name = syms.name(opc)
            sub(name is not None,
                f"NT_PRSTATUS of CPU {c} (beyond panic_cpus={PANIC_CPUS}, registers only): "
                f"pid {opid}, pc {name or hex(opc)}, sp 0x{osp:x}",
                ["expected pc in kernel text"])
            continue
        name = syms.name(opc)
        saved = osp and core.read_va(osp & ~7, 8) is not None
        if nokprobes:
            sub(opid == 0 and opc == 0 and osp == 0,
                f"NT_PRSTATUS of CPU {c}: not captured without kprobes (pid {opid}, pc "
                f"0x{opc:x}, sp 0x{osp:x})", ["expected an empty note (no stop-path probe)"])
        elif spin_pid and c == 1:
            want_pc = spec["other"][0]
            sub(opid == spin_pid and _base(name) == want_pc and saved,
                f"NT_PRSTATUS of CPU 1: pid {opid}, pc {name or hex(opc)}, sp 0x{osp:x} "
                f"{'saved' if saved else 'NOT saved'}",
                [f"expected pid {spin_pid} (kmd_crash_spin), pc in {want_pc}"])
        else:
            sub(name is not None and saved,
                f"NT_PRSTATUS of CPU {c}: pid {opid}, pc {name or hex(opc)}, sp 0x{osp:x} "
                f"{'saved' if saved else 'NOT saved'}", ["expected pc in kernel text, sp saved"])
    cc = vmci.get("CRASHING_CPU")
    sub(cc == str(cpu), f"VMCOREINFO CRASHING_CPU={cc} (panic CPU {cpu})")
    t = kelf.table
    sub(t.flags & 0x2 and not t.gen & 1 and not t.writers,
        f"KELF table final: flags 0x{t.flags:x} (PANIC set), gen {t.gen} even, "
        f"{t.writers} writers inside")
    if arch == "amd64":
        # the kernel's own variable, captured as it is (kminidump never writes it): the
        # kernel sets it in nmi_shootdown_cpus() (kdump, crash_kexec_post_notifiers, the
        # emergency restart after the panic on 6.1; 6.12 only with KVM), else it is -1
        a = _sysmap_addr(vm.env["KMD_SYSTEM_MAP"], "crashing_cpu")
        raw = core.read_va(a + offset, 4) if a else None
        kc = struct.unpack("<i", raw)[0] if raw else None
        facts["crashing_cpu"] = kc
        vm.log(f"{tag}: crashing_cpu = {kc} in the minidump (the kernel's value)")

    # -- drgn: the crashed task's stack base (for the stack scan) and the traces
    drgn_pids = [p for p in (pid, spin_pid) if p is not None]
    # the tasks the other CPUs ran (panic_load's spinners; idle CPUs have pid 0)
    other_pids = {c: o[0] for c, o in enumerate(prs)
                  if c != cpu and c < vm.smp and o[0] and o[0] not in drgn_pids}
    drgn_pids += sorted(set(other_pids.values()))
    rc, out, secs = _run(["/usr/bin/python3", CRASH_BT, core_path, vm.env["KMD_DBG_VMLINUX"]]
                         + [str(p) for p in drgn_pids], timeout=300)
    try:
        dr = json.loads(out)
    except ValueError:
        dr = {"crashed": None, "threads": {}, "errors": {"run": out.strip()[-500:]}}
    with open(os.path.join(vm.logdir, "drgn-minidump.json"), "w") as f:
        json.dump(dr, f, indent=1)

    # -- the stack, without an unwinder
    if sp is not None:
        start = [syms.name(pc)] + ([syms.name(lr - 1)] if lr else [])
        # the crashed task's whole stack too (an IRQ-time panic's sp is on the IRQ stack)
        task = dr.get("threads", {}).get(str(pid)) or {}
        extra = [b for b in [task.get("stack")] if b]
        names, miss = _stack_chain(core, syms, sp, extra)
        names = [n for n in start if n] + names
        found = _subseq(chain, names)
        sub(found == chain, f"stack of CPU {cpu}: return addresses name "
            f"{' <- '.join(found) or 'nothing expected'}",
            [f"expected {' <- '.join(chain)}", f"found {' <- '.join(names[:40])}"]
            + ([f"first unsaved stack address 0x{miss:x}"] if miss else []))
        facts["stack"] = names[:12]
        # kminidump info's own backtrace (stack scan / frame-pointer walk, named with the
        # System.map and kmd_crash.ko) names the same chain
        bt = core.backtrace(cpu)
        tnames = [f["function"] or f["addr"] for f in (bt or {}).get("frames", [])]
        tfound = _subseq(chain, tnames)
        sub(tfound == chain, f"kminidump info {bt['method'] if bt else 'backtrace'} of CPU "
            f"{cpu}: {' <- '.join(tfound) or 'nothing expected'}",
            [f"expected {' <- '.join(chain)}", f"found {' <- '.join(tnames[:40])}",
             f"end: {bt['end'] if bt else 'no backtrace'}"])
        facts["tool_bt"] = tnames[:12]
        _info_module_checks(vm, core_path, ko, chain, sub)
    if spin_pid and len(prs) > 1:
        opid, opc, osp, olr = prs[1]
        names, miss = _stack_chain(core, syms, osp)
        names = [n for n in [syms.name(opc), syms.name(olr - 1) if olr else None] if n] + names
        found = _subseq(spec["other"], names)
        sub(found == spec["other"], f"stack of CPU 1: return addresses name "
            f"{' <- '.join(found) or 'nothing expected'}",
            [f"expected {' <- '.join(spec['other'])}", f"found {' <- '.join(names[:40])}"])

    # -- drgn
    _drgn_checks(vm, dr, syms, spec, pid, cpu, spin_pid, arch, sub, skip, secs, facts)
    for c, opid in sorted(other_pids.items()):
        t = dr.get("threads", {}).get(str(opid)) or {}
        e = dr.get("errors", {}).get(f"thread {opid}")
        if e and ORC_ERROR in e and vm.name == "amd64-6.12":
            skip(f"drgn thread {opid} (CPU {c})", f"known: {e[:120]}")
            continue
        frames = t.get("frames") or []
        sub(frames and frames[0]["pc"] == prs[c][1],
            f"drgn thread {opid} (CPU {c}): {len(frames)} frames from its NT_PRSTATUS pc "
            f"0x{prs[c][1]:x}", [f"frames: {[f['name'] or hex(f['pc']) for f in frames[:8]]}"]
            + ([f"error: {e}"] if e else []))

    # -- crash, amd64 6.1: the minidump against a full dump of the same guest
    if vm.name == "amd64-6.1" and not vm.bzimage:
        _crash_checks(vm, core_path, syms, spec, pid, panic_msg, trigger, sub, facts,
                      skip if nokprobes else None)

    ok = all(results)
    facts["seconds"] = round(time.monotonic() - t_start, 1)
    vm.log(f"{tag}: facts {json.dumps(facts)}")
    return ok, (f"{sum(results)} of {len(results)} panic checks passed; minidump {size} bytes, "
                f"capture {ns or '?'} ns, {facts['seconds']} s")


def _sysmap_addr(system_map, name):
    with open(system_map) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and w[2] == name:
                return int(w[0], 16)
    return None


def _drgn_names(trace, syms):
    """Frame names of a crash_bt.py trace; drgn's unnamed pcs named from our maps."""
    names = []
    for i, f in enumerate(trace.get("frames", [])):
        n = f["name"]
        if not n:
            pc = f["pc"]
            n = syms.name(pc if f["interrupted"] or i == 0 else pc - 1) or hex(pc)
        names.append(n)
    return names


def _drgn_expect(chain):
    """What drgn 0.0.22 can unwind on a minidump: it has no unwind tables for module code
    (module debug info needs the module list), so past the first kmd_crash frame a trace
    is not reliable: amd64 (ORC, no frame pointers) stops there; arm64 falls back to frame
    records, which skip a leaf's caller and then lose the pc ("???")."""
    for i, n in enumerate(chain):
        if n.startswith("kmd_crash_"):
            return chain[:i + 1]
    return chain


def _drgn_checks(vm, dr, syms, spec, pid, cpu, spin_pid, arch, sub, skip, secs, facts):
    errs = dr.get("errors", {})
    crashed = dr.get("crashed")
    err = errs.get("crashed") or errs.get("run")
    what = "drgn crashed_thread()"
    if cpu and crashed and crashed.get("tid") != pid:
        # drgn 0.0.22 takes NT_PRSTATUS of crashing_cpu (x86 only, -1 unless kdump set it),
        # else of CPU 0
        skip("drgn crashed_thread() is the panic task",
             f"known: drgn 0.0.22 picks CPU 0's NT_PRSTATUS unless crashing_cpu is set (kdump "
             f"sets it; kminidump writes no kernel variable); the panic was on CPU {cpu}: "
             f"thread {pid} (its NT_PRSTATUS) is checked instead")
        crashed = dr.get("threads", {}).get(str(pid))
        err = errs.get(f"thread {pid}")
        what = f"drgn thread {pid}"
    if err and ORC_ERROR in err and vm.name == "amd64-6.12":
        skip(f"{what}.stack_trace()",
             f"known: drgn 0.0.22 cannot unwind 6.12 amd64 ({err[:120]}); the stack and "
             "registers checks above stand in")
        facts["drgn"] = "unknown ORC entry type 3"
        return
    want = spec.get(f"drgn_{arch}") or _drgn_expect(spec["chain"])
    names = _drgn_names(crashed, syms) if crashed else []
    found = _subseq(want, names)
    facts["drgn"] = names[:12]
    sub(crashed is not None and crashed.get("tid") == pid and found == want,
        f"{what}: tid {crashed.get('tid') if crashed else '?'}, "
        f"{len(names)} frames naming {' <- '.join(found) or 'nothing expected'} ({secs:.1f} s)",
        [f"expected tid {pid} and {' <- '.join(want)}", f"frames: {' <- '.join(names[:30])}"]
        + ([f"error: {err}"] if err else []))
    if spin_pid:
        t = dr.get("threads", {}).get(str(spin_pid))
        e = errs.get(f"thread {spin_pid}")
        if e and ORC_ERROR in e and vm.name == "amd64-6.12":
            skip("drgn thread of the spinner", f"known: {e[:120]}")
            return
        want = _drgn_expect(spec["other"])
        names = _drgn_names(t, syms) if t else []
        found = _subseq(want, names)
        sub(found == want, f"drgn thread {spin_pid} (spinner on CPU 1): "
            f"{' <- '.join(found) or 'nothing expected'}",
            [f"expected {' <- '.join(want)}", f"frames: {' <- '.join(names[:30])}"]
            + ([f"error: {e}"] if e else []))


def _crash_checks(vm, core_path, syms, spec, pid, panic_msg, trigger, sub, facts,
                  nokprobes_skip=None):
    """crash 8.0.2 on the minidump and on a full dump (crash reads QEMU's raw ELF dump;
    it finds the panic task's frames from its stack, not from QEMU's registers).
    nokprobes_skip: without kprobes the table the tests load (what `kminidump symbols`
    sends by default) has no text symbols, so region crash_text is missing and crash
    cannot start on the minidump: a known gap, reported as a skip while it lasts."""
    vmlinux = vm.env["KMD_DBG_VMLINUX"]
    full = os.path.join(vm.logdir, "full.elf")
    t = time.monotonic()
    vm.qmp.dump_guest_memory(full)
    secs = time.monotonic() - t
    sub(os.path.getsize(full) > 256 << 20, f"full dump: QMP dump-guest-memory (paging=false), "
        f"{os.path.getsize(full) >> 20} MiB in {secs:.1f} s")
    # the tool on QEMU's own dump format: the same minidump as from the RAM file
    from_dump = os.path.join(vm.logdir, "minidump-from-dump.elf")
    rc, out, secs = _run([kmt.tool(), "extract", "--dump", full, "-o", from_dump])
    same = rc == 0 and filecmp.cmp(from_dump, core_path, shallow=False)
    sub(same, f"kminidump extract --dump of the full dump ({secs:.2f} s) is the --ram "
        "minidump, byte for byte", out.strip().splitlines()[-3:] + ([] if rc else [
            f"{os.path.getsize(from_dump)} vs {os.path.getsize(core_path)} bytes"]))
    if same:
        os.unlink(from_dump)
    # bt -a misreads the stop IPI's exception frame on the other CPU ("possibly bogus
    # exception frame"); bt -e finds the real one, with the interrupted RIP
    extra = ["bt -c 1 -e"] if "other" in spec else []
    extra.append("mod")
    t = time.monotonic()
    runs = {}
    for name, path in (("full", full), ("minidump", core_path)):
        runs[name] = _crash_start(vmlinux, path, os.path.join(vm.logdir, f"crash-{name}.txt"),
                                  CRASH_CMDS + extra)
    for p, f in runs.values():
        try:
            p.wait(timeout=300)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        f.close()
    secs = time.monotonic() - t
    res = {}
    for name in runs:
        with open(os.path.join(vm.logdir, f"crash-{name}.txt"), errors="replace") as f:
            out = f.read()
        res[name] = _crash_summary(out, syms, vm.smp, panic_msg) + (out,)
    if not vm.keep:
        os.unlink(full)

    # the full dump is the reference
    started, cmds, bt, bta, s, out = res["full"]
    ref = bt[0][2] if bt else []
    vm.log(f"crash reference bt (full dump, {trigger}): " + " <- ".join(ref))
    for p_, c_, fr in bta:
        vm.log(f"crash reference bt -a (full dump, {trigger}) CPU {c_} pid {p_}: "
               + " <- ".join(fr))
    facts["crash_full_bt"] = ref
    sub(started and all(ok for ok, _ in cmds.values()) and bt and bt[0][0] == pid,
        f"crash on the full dump ({secs:.0f} s for both runs): "
        + "; ".join(f"{c}: {d}" for c, (ok, d) in cmds.items()),
        [f"{c}: FAILED ({d})" for c, (ok, d) in cmds.items() if not ok]
        + [f"bt: {' <- '.join(ref)}"] + (out.strip().splitlines()[-5:] if not started else []))

    mstarted, mcmds, mbt, mbta, ms, mout = res["minidump"]
    works = [c for c, (ok, _) in mcmds.items() if ok and mstarted]
    facts["crash_minidump_works"] = works
    if nokprobes_skip and len(works) < len(CRASH_CMDS):
        nokprobes_skip("crash on the minidump", "known gap: without kprobes the default symbol "
                       "table has no text symbols (region crash_text missing), crash cannot "
                       f"read kernel text; works: {', '.join(works) or 'nothing'}")
        return
    sub(mstarted and len(works) == len(CRASH_CMDS),
        f"crash on the minidump: {', '.join(works) or 'no command'} work"
        + (f" ({'; '.join(d for _, d in mcmds.values())})" if mstarted else ""),
        [f"{c}: FAILED ({d})" for c, (ok, d) in mcmds.items() if not ok]
        + ms.get("", "").strip().splitlines()[-6:])
    if mstarted:
        m_panic = re.search(r"PANIC: \"(.*)\"", ms.get("sys", ""))
        f_panic = re.search(r"PANIC: \"(.*)\"", s.get("sys", ""))
        sub(m_panic and f_panic and m_panic.group(1) == f_panic.group(1),
            f"crash sys on the minidump: PANIC \"{m_panic.group(1) if m_panic else '?'}\" "
            f"as on the full dump")
    mref = mbt[0][2] if mbt else []
    sub(_call_chain(mref) == _call_chain(ref) and mbt and mbt[0][0] == pid,
        f"crash bt of pid {pid} on the minidump: the {len(_call_chain(mref))} frames of the "
        f"call chain as on the full dump",
        [f"minidump: {' <- '.join(mref)}", f"full:     {' <- '.join(ref)}"])
    _crash_module_checks(vm, s, ms, spec, sub, facts)
    if extra[0] != "mod":
        for dump, sections in (("full dump", s), ("minidump", ms)):
            rips = re.findall(r"\[exception RIP: ([^\]]*)\]\s*\n\s*RIP: ([0-9a-f]+)",
                              sections.get(extra[0], ""))
            names = [syms.name(int(a, 16)) or e for e, a in rips]
            hit = any(_base(n) == spec["other"][0] for n in names)
            sub(hit, f"crash {extra[0]} on the {dump}: the interrupted RIP is in "
                f"{spec['other'][0]}", [f"exception RIPs: {', '.join(names) or 'none'}"]
                + sections.get(extra[0], "").strip().splitlines()[:8])


def _crash_module_checks(vm, s, ms, spec, sub, facts):
    """Issue 15: crash reads the module list and the kallsyms of the modules the stacks
    name from the minidump: `mod` lists what the full dump lists, `bt` names the module
    function the trigger crashed in, and the start-up has no read error."""
    def mods(sections):
        return re.findall(r"^[0-9a-f]+\s+(\S+)\s+[0-9a-f]+\s+\d+\s", sections.get("mod", ""), re.M)

    fmods, mmods = mods(s), mods(ms)
    sub("kmd_crash" in mmods and sorted(mmods) == sorted(fmods),
        f"crash mod on the minidump: {len(mmods)} modules, kmd_crash among them, as on the "
        "full dump", [f"minidump: {' '.join(mmods)}", f"full:     {' '.join(fmods)}"]
        + ms.get("mod", "").strip().splitlines()[-4:])
    fn = next((n for n in spec.get("chain", []) if n.startswith("kmd_crash_")), None)
    if fn:
        pat = re.compile(rf"(exception RIP: {fn}\+\d+\]|\b{fn} at [0-9a-f]+ \[kmd_crash\])")
        hits = {d: bool(pat.search(x.get("bt", ""))) for d, x in (("full", s), ("minidump", ms))}
        sub(hits["minidump"] and hits["full"],
            f"crash bt on the minidump names {fn} [kmd_crash] (from the module's kallsyms in "
            f"the minidump), as on the full dump",
            [f"{d}: {'named' if h else 'not named'}" for d, h in hits.items()]
            + [ln for ln in ms.get("bt", "").splitlines() if "kmd_crash" in ln or "exception" in ln][:6])
    start = ms.get("", "")
    errs = [ln for ln in start.splitlines() if "read error" in ln]
    sub(not errs, "crash start-up on the minidump: no read error", errs[:6])
    npid = start.count("cannot read pid struct from xarray")
    nkall = start.count("cannot access module kallsyms")
    facts["crash_pid_lines"] = npid
    vm.log(f"crash start-up on the minidump: {npid} 'cannot read pid struct' lines (tasks not "
           f"captured, docs/analysis.md), {nkall} 'cannot access module kallsyms' (modules no "
           "stack named)")


def _info_module_checks(vm, core_path, ko, chain, sub):
    """Issue 15: kminidump info names the module function of the crash without any .ko
    (the module's kallsyms in the minidump) and with --modules DIR (the .ko files)."""
    fn = next((n for n in chain if n.startswith("kmd_crash_")), None)
    if not fn:
        return
    pat = re.compile(rf"\b{fn}\+0x[0-9a-f]+/0x[0-9a-f]+ \[kmd_crash\]")
    for how, extra in (("from the kallsyms in the minidump", []),
                       ("with --modules DIR", ["--modules", os.path.dirname(ko)] if ko else None)):
        if extra is None:
            continue
        rc, out, secs = _run([kmt.tool(), "info", core_path, "--system-map",
                              vm.env["KMD_SYSTEM_MAP"]] + extra)
        hit = [ln.strip() for ln in out.splitlines() if pat.search(ln)]
        sub(rc == 0 and hit, f"kminidump info {how}: names {fn}+off/size [kmd_crash]"
            + (f" ({hit[0]})" if hit else ""),
            [ln for ln in out.splitlines() if "kmd_crash" in ln or "module" in ln][:8])
