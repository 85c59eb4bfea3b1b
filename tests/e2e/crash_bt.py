#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Backtraces of a crashed kernel's threads with drgn 0.0.22, as JSON.

Usage: /usr/bin/python3 tests/e2e/crash_bt.py CORE VMLINUX [PID...]
(drgn is importable only from Debian's /usr/bin/python3.)

Prints {"crashed": TRACE, "threads": {PID: TRACE}, "errors": {what: message}}
where TRACE is {"tid", "comm", "stack" (task_struct.stack), "frames": [{"name", "pc",
"sp", "interrupted"}]} (at most 64 frames):
the crashed thread (drgn: the NT_PRSTATUS of crashing_cpu) and each PID given
(drgn unwinds a task from the NT_PRSTATUS whose pr_pid is its PID if there is
one, else from its saved context). "name" is null where drgn has no symbol
(module code without the module's debug info): tests/qemu/hostchecks/panic.py
names those addresses itself. Each trace is taken independently; a failure
lands in "errors" and does not hide the others.
"""
import itertools
import json
import sys

import drgn

MAX_FRAMES = 64     # drgn can loop on a stale stack


def trace(thread):
    out = {"tid": thread.tid, "comm": None, "stack": None, "frames": []}
    try:
        out["comm"] = thread.object.comm.string_().decode(errors="replace")
        out["stack"] = thread.object.stack.value_()
    except Exception:       # the task_struct may be missing from a minidump
        pass
    for f in itertools.islice(thread.stack_trace(), MAX_FRAMES):
        try:
            pc = f.pc
        except LookupError:  # the unwinder lost the pc: the trace ends here
            break
        try:
            sp = f.sp
        except LookupError:
            sp = None
        out["frames"].append({"name": f.name, "pc": pc, "sp": sp,
                              "interrupted": f.interrupted})
    return out


def main():
    core, vmlinux = sys.argv[1], sys.argv[2]
    pids = [int(p) for p in sys.argv[3:]]
    res = {"crashed": None, "threads": {}, "errors": {}}
    prog = drgn.Program()
    prog.set_core_dump(core)
    try:
        prog.load_debug_info([vmlinux])
    except drgn.MissingDebugInfoError as e:   # modules: expected on a minidump
        res["errors"]["debug_info"] = str(e)[:300]
    try:
        res["crashed"] = trace(prog.crashed_thread())
    except Exception as e:
        res["errors"]["crashed"] = f"{type(e).__name__}: {e}"
    for pid in pids:
        try:
            res["threads"][str(pid)] = trace(prog.thread(pid))
        except Exception as e:
            res["errors"][f"thread {pid}"] = f"{type(e).__name__}: {e}"
    json.dump(res, sys.stdout)


if __name__ == "__main__":
    main()
