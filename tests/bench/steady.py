# SPDX-License-Identifier: GPL-2.0
"""Steady state: the cost of having kminidump loaded, under -icount shift=0 (one guest
instruction is one nanosecond of guest time, so the guest clock counts instructions and
TCG's speed and the host's load do not enter). Two boots of the shared guest config:
without the modules, and with them; case `steady` runs a CPU-bound (awk arithmetic), a
syscall-heavy (dd bs=1: 2 syscalls a byte) and a fork/exec-heavy workload 3 times each;
the best of 3 is compared. One vCPU (see _boot). The boot with modules then crashes: the panic-path time
(KMINIDUMP_CAPTURE_NS) in guest time, i.e. instructions."""
import os
import re

import methods
from kmdqemu import VM
from kmdqemu.paths import KernelEnv

HERE = os.path.dirname(os.path.abspath(__file__))


def _boot(name, work, mods, timeout=900):
    cfg = methods.guest_config(KernelEnv(name).arch)
    cfg["append"] += f" kmd_steady_mods={1 if mods else 0}"
    cfg["qemu_args"] = cfg.get("qemu_args", []) + ["-icount", "shift=0"]
    # -icount runs the vCPUs round-robin on one thread; with 2 of them amd64 6.1 did not
    # get past "Booting SMP configuration" in 10 minutes: one vCPU here
    cfg["smp"] = 1
    times = {}

    def on_line(vm, line):
        m = re.search(r"bench: steady (\w+) (\d+)", line)
        if m:
            times.setdefault(m.group(1), []).append(int(m.group(2)))

    vm = VM(name, cases=["steady"], cases_dirs=[HERE], kos=None if mods else [],
            timeout=timeout, on_line=on_line,
            logdir=os.path.join(work, f"steady-{'mods' if mods else 'none'}-{name}"), **cfg)
    return vm, times


def run(name, work):
    res = {"ok": False, "rows": []}
    best = {}
    for mods in (False, True):
        vm, times = _boot(name, work, mods)
        with vm:
            vm.start()
            vm.wait("end")
            fails = [r.desc for r in vm.results if r.status == "fail"]
            if fails or len(times) < 3:
                res["reason"] = f"boot {'with' if mods else 'without'} modules: " + \
                    ("; ".join(fails) or f"workloads missing ({vm.stop_reason})")
                return res
            best[mods] = {w: min(v) for w, v in times.items()}
            if mods and vm.panicked:
                core = os.path.join(work, f"steady-{name}.elf")
                rc, out, *_ = methods.run_tool([methods.TOOL, "extract", "-q", "--ram",
                                                f"{vm.shm}@0x{vm.ram.banks[0][0]:x}",
                                                "--locator",
                                                f"0x{methods.RMEM[vm.arch]:x}", "-o", core])
                if rc == 0:
                    rc, out, *_ = methods.run_tool([methods.TOOL, "info", core])
                    m = re.search(r"capture: (\d+) ns", out)
                    res["panic_path_icount_ns"] = int(m.group(1)) if m else None
    names = {"cpu": "CPU-bound (awk, 200k iterations)",
             "sys": "syscall-heavy (dd bs=1 count=100k)",
             "fork": "fork+exec (200 x /bin/true)"}
    for w in ("cpu", "sys", "fork"):
        a, b = best[False][w], best[True][w]
        res["rows"].append({"name": names[w], "without": f"{a / 1e6:.2f} ms",
                            "with": f"{b / 1e6:.2f} ms", "ratio": b / a})
    res["note"] = ("Guest time under -icount shift=0 (instructions), best of 3. Panic-path "
                   f"time in guest time: {res.get('panic_path_icount_ns', '-')} ns.")
    res["ok"] = True
    return res
