# SPDX-License-Identifier: GPL-2.0
"""The "analysis still works" cells: which of the analyst's first questions a dump
answers. crash (amd64 6.1 only, as in the panic tier) sys/bt/log/ps; drgn's stack trace
of the crashed thread; makedumpfile --dump-dmesg. Each: "ok", "FAIL: why" or "n/a: why"."""
import os
import subprocess

PANIC = "sysrq triggered crash"
HOST_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine)
# Debian builds makedumpfile for its own architecture's dumps only
NO_MDF = "n/a (the host's makedumpfile reads dumps of its own architecture only)"
CHAIN = ("sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger")


def _run(cmd, stdin=None, timeout=300):
    try:
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout,
                           errors="replace")
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return -1, "", f"timed out after {timeout} s"


def crash_cells(env, core, minidump):
    if env.name != "amd64-6.1":
        return {k: "n/a (crash: amd64 6.1 only)"
                for k in ("crash sys", "crash bt", "crash log", "crash ps")}
    flags = ["--zero_excluded", "--no_modules", "--no_kmem_cache"] if minidump else []
    rc, out, err = _run(["crash", "-s"] + flags + [env["KMD_DBG_VMLINUX"], core],
                        stdin="sys\n!echo KMDMARK-bt\nbt\n!echo KMDMARK-log\nlog\n"
                              "!echo KMDMARK-ps\nps\nexit\n")
    parts = {"sys": out, "bt": "", "log": "", "ps": ""}
    cur = "sys"
    for line in out.splitlines(keepends=True):
        if line.startswith("KMDMARK-"):
            cur = line.strip()[8:]
            continue
        parts[cur] += line if cur != "sys" or not parts["bt"] else ""
    parts["sys"] = out.split("KMDMARK-bt")[0]
    why = (err.strip().splitlines() or [f"rc {rc}"])[-1][:120]
    want = {"sys": lambda s: "PANIC:" in s and PANIC in s,
            "bt": lambda s: "#0" in s and any(c in s for c in CHAIN + ("panic",)),
            "log": lambda s: PANIC in s,
            "ps": lambda s: "PID" in s and "swapper" in s}
    def fail(k):
        if not parts[k].strip():
            return f"FAIL: {why}"
        first = [l for l in parts[k].splitlines() if l.startswith("PID:")]
        return "FAIL: " + (first[0][:90] + " (not the panic chain)" if first and k == "bt"
                           else parts[k].strip().splitlines()[-1][:100])
    return {f"crash {k}": "ok" if want[k](parts[k]) else fail(k) for k in want}


def drgn_cell(env, core, pid=None):
    """crashed_thread()'s trace, else (drgn 0.0.22 takes CPU 0's note unless the kernel
    set crashing_cpu) the panic task's, thread(PID) with PID from the console."""
    script = ("def names(t):\n"
              "    return ' '.join(f.name for f in t.stack_trace() if f.name)\n"
              "print('FRAMES', names(prog.crashed_thread()))\n"
              f"pid = {pid or 0}\n"
              "if pid:\n"
              "    print('PIDFRAMES', names(prog.thread(pid)))\n")
    rc, out, err = _run(["/usr/bin/python3", "-c",
                         "import drgn, sys\n"
                         "prog = drgn.Program()\n"
                         "prog.set_core_dump(sys.argv[1])\n"
                         "prog.load_debug_info([sys.argv[2]])\n" + script,
                         core, env["KMD_DBG_VMLINUX"]])
    if rc:
        return "FAIL: " + (err.strip().splitlines() or ["?"])[-1][:120]
    frames = next((l[7:] for l in out.splitlines() if l.startswith("FRAMES ")), "")
    pframes = next((l[10:] for l in out.splitlines() if l.startswith("PIDFRAMES ")), "")
    if any(c in frames for c in CHAIN):
        return "ok"
    if any(c in pframes for c in CHAIN):
        return f"ok (thread({pid}); crashed_thread() is another CPU's)"
    return f"FAIL: crashed_thread(): {frames[:60] or 'empty'}; thread({pid}): " \
        f"{pframes[:60] or (err.strip().splitlines() or ['empty'])[-1][:80]}"


def dmesg_cell(core, out_txt):
    if os.path.exists(out_txt):
        os.unlink(out_txt)
    rc, out, err = _run(["makedumpfile", "--dump-dmesg", core, out_txt])
    if rc:
        return "FAIL: " + ((out + err).strip().splitlines() or ["?"])[-1][:120]
    with open(out_txt, errors="replace") as f:
        return "ok" if PANIC in f.read() else "FAIL: no panic line in the log"


def cells(env, core, minidump=False, pid=None):
    if not core or not os.path.exists(core):
        return {}
    res = crash_cells(env, core, minidump)
    res["drgn trace"] = drgn_cell(env, core, pid)
    res["makedumpfile --dump-dmesg"] = dmesg_cell(core, core + ".dmesg.txt") \
        if env.arch == HOST_ARCH else NO_MDF
    return res
