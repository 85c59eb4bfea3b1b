# SPDX-License-Identifier: GPL-2.0
"""The columns of `make bench`, one function per method; each returns a dict of figures
(ok, reason when not ok). Every guest: TCG, 1 GiB, 2 vCPUs, pvpanic with
-action panic=pause, the same 4 KiB reserved buffer on the command line, sysrq-c."""
import os
import re
import resource
import shutil
import subprocess
import threading
import time

from kmdqemu import VM
from kmdqemu.paths import KernelEnv

import analysis
import elffix
import kdump

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
TOOL = os.environ.get("KMD_BENCH_TOOL") or os.path.join(TOP, "src", "tool", "kminidump")
RMEM = {"amd64": 0x3f000000, "arm64": 0x7f000000}
RMEM_SIZE = 0x1000


def guest_config(arch):
    """The QEMU/kernel settings every column shares."""
    pa = RMEM[arch]
    cfg = {"smp": 2, "mem": "1G", "append": f"kmd_rmem=0x{pa:x},0x{RMEM_SIZE:x}"}
    # Debian's arm64 kernels have no CONFIG_PVPANIC: there the panic's reboot (panic=-1,
    # QEMU -no-reboot: SHUTDOWN guest-reset, paused) is the event
    if arch == "amd64":
        cfg.update(qemu_args=["-device", "pvpanic", "-action", "panic=pause"],
                   stock_modules=["pvpanic_mmio"])
    if arch == "amd64":
        cfg["append"] += f" memmap={RMEM_SIZE >> 10}K$0x{pa:x}"
    else:
        cfg["dt_rmem"] = f"0x{pa:x},0x{RMEM_SIZE:x}"
    return cfg


def run_tool(cmd, **kw):
    """Run cmd; return (rc, stdout+stderr, wall s, peak RSS KiB, CPU s)."""
    t = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return (p.returncode, out.decode("utf-8", "replace"), time.monotonic() - t, ru.ru_maxrss,
            ru.ru_utime + ru.ru_stime)


class Marks:
    """Host clock on the guest's "# bench: ..." KTAP lines."""

    def __init__(self):
        self.t, self.vals = {}, {}

    def __call__(self, vm, line):
        if "bench: crash now" in line:
            self.t["crash"] = time.monotonic()
        m = re.search(r"bench: (load_ns .*)", line)
        if m:
            w = m.group(1).split()
            self.vals.update({w[i]: int(w[i + 1], 0) for i in range(0, len(w) - 1, 2)})


def boot_and_crash(name, case, workdir, kos=None, timeout=300, after_start=None, **extra):
    """Boot with the shared config, run case (which crashes), return (vm, marks) with QEMU
    paused on GUEST_PANICKED; the caller closes vm. after_start(vm) runs once QEMU is up,
    before the guest's /init."""
    env = KernelEnv(name)
    cfg = guest_config(env.arch)
    for k, v in extra.items():
        cfg[k] = cfg.get(k, []) + v if k == "qemu_args" else v
    marks = Marks()
    vm = VM(name, cases=[case], cases_dirs=[HERE], kos=kos, timeout=timeout, on_line=marks,
            logdir=os.path.join(workdir, f"{case}-{name}"), **cfg)
    vm.start()
    if after_start:
        after_start(vm)
    vm.wait("stopped", timeout=timeout)
    return vm, marks


def panic_pid(console):
    """PID of the task that crashed: the "CPU: N PID: P" line after sysrq's."""
    i = console.find("sysrq: Trigger a crash")
    m = re.search(r"CPU: \d+ (?:UID: \d+ )?PID: (\d+) ", console[i:] if i >= 0 else console)
    return int(m.group(1)) if m else None


def _fail_reason(vm, marks):
    fails = [f"{r.desc}: {' '.join(r.diag)[:300]}" for r in vm.results if r.status == "fail"]
    if fails:
        return "; ".join(fails)
    if "crash" not in marks.t:
        return f"the guest never reached the crash ({vm.stop_reason or 'timeout'}): " \
            + vm.console_tail(4).replace("\n", " | ")
    if vm.stop_reason not in ("guest-panic", "guest-reset"):
        return f"QEMU stopped for {vm.stop_reason}, not GUEST_PANICKED or the panic's reset"
    return None


def kminidump_col(name, workdir, age_recipient, keep_ram=False):
    """kminidump_rmem's locator + the host tool on the shared RAM file."""
    res = {"ok": False}
    arch = KernelEnv(name).arch
    collect = _has_collect() and arch == "amd64"
    sock = f"/tmp/kmdb-{os.getpid()}-collect.sock"
    cdir = os.path.join(workdir, f"collect-{name}")
    proc = {}

    def start_collect(vm):
        os.makedirs(cdir, exist_ok=True)
        for f in os.listdir(cdir):
            os.unlink(os.path.join(cdir, f))
        proc["p"] = subprocess.Popen(
            [TOOL, "collect", "--qmp", sock, "--ram", f"{vm.shm}@0x{vm.ram.banks[0][0]:x}",
             "--locator", f"0x{RMEM[arch]:x}", "-o", cdir, "--then", "pause", "--once",
             "--json", "--no-set-action", "--timeout", "300"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    extra = {}
    if collect:
        extra = {"qemu_args": ["-qmp", f"unix:{sock},server=on,wait=off"],
                 "after_start": start_collect}
    vm, marks = boot_and_crash(name, "bench", workdir, **extra)
    if collect and "p" in proc:
        res.update(_collect_result(proc["p"], marks))
    if os.path.exists(sock):
        os.unlink(sock)
    with vm:
        why = _fail_reason(vm, marks)
        if why:
            res["reason"] = why
            return res
        t_stop = vm.t0 + vm.times["stopped"]
        res["panic_to_event_s"] = t_stop - marks.t["crash"]
        ms = res.get("collect_stage_ms")
        if ms:      # event -> file written, on the collector's clock
            res["panic_to_file_s"] = res["panic_to_event_s"] + \
                ((ms.get("total") or 0) - (ms.get("then") or 0)) / 1e3
        res["boot_s"] = vm.times.get("first_line")
        res["panic_pid"] = panic_pid(vm.console_text())
        res.update(marks.vals)
        res["load_s"] = res["load_ns"] / 1e9 if "load_ns" in res else None
        base = vm.ram.banks[0][0]
        pa = RMEM[vm.arch]
        core = os.path.join(workdir, f"kminidump-{name}.elf")
        # the collector: what a hypervisor runs once the event came
        rc, out, secs, rss, cpu = run_tool([TOOL, "extract", "-q", "--ram", f"{vm.shm}@0x{base:x}",
                                            "--locator", f"0x{pa:x}", "-o", core])
        if rc:
            res["reason"] = f"kminidump extract --locator exited {rc}: {out.strip()[-300:]}"
            return res
        res.update(extract_s=secs, extract_rss_kb=rss, extract_cpu_s=cpu)
        if res.get("collect_file"):
            res["collector"] = "kminidump collect --locator --once --then pause (amd64, pvpanic)"
            res["collect_equal"] = _same(core, res["collect_file"])
        else:
            res["collector"] = "kminidump extract --locator after the event" + (
                f" (collect: {res['collect_error']})" if res.get("collect_error") else
                " (Debian arm64: no pvpanic, collect has no event)" if arch == "arm64" else
                " (collect not on main)")
            res.update(collect_s=secs, collect_rss_kb=rss, collect_cpu_s=cpu,
                       panic_to_file_s=res["panic_to_event_s"] + secs)
        res.update(size=os.path.getsize(core), file=core)
        # the scan of the same RAM, as a reference for the locator
        rc, out, secs, rss, cpu = run_tool([TOOL, "extract", "-q", "--ram", f"{vm.shm}@0x{base:x}",
                                            "-o", core + ".scan"])
        if rc == 0:
            res.update(scan_s=secs, scan_rss_kb=rss, scan_equal=_same(core, core + ".scan"))
            os.unlink(core + ".scan")
        rc, out, _, _, _ = run_tool([TOOL, "info", core])
        m = re.search(r"capture: (\d+) ns", out)
        res["panic_path_ns"] = int(m.group(1)) if m else None
        if "no PANIC flag" in out:
            res["reason"] = "the collector read the table before the panic capture finished"
            return res
        res.update(_compress(core, age_recipient, ["--ram", f"{vm.shm}@0x{base:x}",
                                                   "--locator", f"0x{pa:x}"]))
        res["guest_bytes"] = RMEM_SIZE + res.get("modules_bytes", 0)
        res["ram_file"] = vm.shm
        res["ok"] = True
        if not keep_ram:
            return res
        # scale figures use the RAM file: copy it before QEMU goes
        img = os.path.join(workdir, f"ram-{name}.img")
        shutil.copyfile(vm.shm, img)
        res["ram_img"], res["ram_base"], res["locator_pa"] = img, base, pa
        res["ok"] = True
    return res


def _collect_result(p, marks, timeout=60):
    """Wait for `kminidump collect --once --json`; its figures, or collect_error."""
    import json
    import signal
    deadline = time.monotonic() + timeout
    ru = None
    while time.monotonic() < deadline:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            break
        time.sleep(0.005)
    t_done = time.monotonic()
    if p.returncode is None:
        p.send_signal(signal.SIGTERM)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    out, err = p.stdout.read(), p.stderr.read()
    rec = None
    for line in out.decode(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                rec = json.loads(line)
            except ValueError:
                pass
    if p.returncode or not rec or not rec.get("file"):
        return {"collect_error": f"exit {p.returncode}: "
                + " ".join(err.decode(errors="replace").split())[-200:]}
    ms = rec.get("ms", {})
    r = {"collect_file": rec["file"], "collect_stage_ms": ms,
         "collect_s": (ms.get("total") or 0) / 1e3,
         "collect_rss_kb": ru.ru_maxrss, "collect_cpu_s": ru.ru_utime + ru.ru_stime}
    if "crash" in marks.t:
        r["collect_wall_s"] = t_done - marks.t["crash"]
    return r


def _same(a, b):
    with open(a, "rb") as f, open(b, "rb") as g:
        return f.read() == g.read()


def _has_collect():
    r = subprocess.run([TOOL, "--help"], capture_output=True, text=True)
    return re.search(r"^\s*collect\b", r.stdout + r.stderr, re.M) is not None


def _compress(core, recipient, src):
    """The collector's output stages: kminidump extract --compress zstd, and with
    --encrypt-to (age), each a run of its own (time, RSS, size); Debian's zstd and age
    CLIs when the tool has no such options (said in the cell)."""
    res = {}
    rc, out, secs, rss, cpu = run_tool([TOOL, "extract", "-q"] + src +
                                       ["--compress", "zstd", "-o", core + ".zst"])
    if rc == 0:
        res.update(size_zstd=os.path.getsize(core + ".zst"), zstd_collect_s=secs,
                   zstd_rss_kb=rss)
        if recipient:
            rc, out, secs, rss, cpu = run_tool([TOOL, "extract", "-q"] + src +
                                               ["--compress", "zstd", "--encrypt-to",
                                                recipient, "-o", core + ".zst.age"])
            if rc == 0:
                res.update(size_zstd_age=os.path.getsize(core + ".zst.age"),
                           age_collect_s=secs, age_rss_kb=rss)
            else:
                res["size_zstd_age_error"] = f"extract --encrypt-to exited {rc}: {out[-100:]}"
        res["compress_by"] = "kminidump extract --compress zstd [--encrypt-to age1...]"
        return res
    t = time.monotonic()
    subprocess.run(["zstd", "-q", "-f", "-19", core, "-o", core + ".zst"], check=True)
    res["zstd_s"] = time.monotonic() - t
    res["size_zstd"] = os.path.getsize(core + ".zst")
    if recipient:
        subprocess.run(["age", "-r", recipient, "-o", core + ".zst.age", core + ".zst"],
                       check=True)
        res["size_zstd_age"] = os.path.getsize(core + ".zst.age")
    res["compress_by"] = "zstd -19 / age CLIs (the tool has no --compress)"
    return res


class RSSWatch(threading.Thread):
    """Peak VmRSS of a process, sampled every 20 ms."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, False
        self.start_rss = self._rss()

    def _rss(self):
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, self._rss())
            time.sleep(0.02)


def qemudump_col(name, workdir):
    """QEMU's dump-guest-memory (ELF, kdump-zlib) of the crashed guest, and makedumpfile
    -d 31 of the ELF afterwards."""
    res = {"ok": False}
    vm, marks = boot_and_crash(name, "qemudump", workdir, kos=[])
    with vm:
        why = _fail_reason(vm, marks)
        if why:
            res["reason"] = why
            return res
        res["panic_to_event_s"] = vm.t0 + vm.times["stopped"] - marks.t["crash"]
        res["boot_s"] = vm.times.get("first_line")
        res["panic_pid"] = panic_pid(vm.console_text())
        for fmt in ("elf", "kdump-zlib"):
            path = os.path.join(workdir, f"qemu-{name}.{fmt}")
            if os.path.exists(path):
                os.unlink(path)
            w = RSSWatch(vm.proc.pid)
            w.start()
            t = time.monotonic()
            try:
                vm.qmp.dump_guest_memory(path, fmt=fmt, timeout=900)
                secs = time.monotonic() - t
            except Exception as e:      # noqa: BLE001 - the cell says it
                res[f"{fmt}_error"] = str(e)
                continue
            finally:
                w.stop = True
                w.join()
            res[f"{fmt}_s"] = secs
            res[f"{fmt}_size"] = os.path.getsize(path)
            res[f"{fmt}_rss_growth_kb"] = max(0, w.peak - w.start_rss)
            res[f"{fmt}_file"] = path
        if "elf_file" in res and KernelEnv(name).arch != analysis.HOST_ARCH:
            res["mdf_error"] = analysis.NO_MDF
        elif "elf_file" in res:
            # makedumpfile 1.7.2 cannot read QEMU 7.2's header layout (tests/bench/elffix.py)
            res["elf_phdrs_moved"] = elffix.phdrs_after_ehdr(res["elf_file"])
            out = os.path.join(workdir, f"qemu-{name}.elf.d31")
            if os.path.exists(out):
                os.unlink(out)
            rc, txt, secs, rss, cpu = run_tool(["makedumpfile", "-l", "-d", "31", res["elf_file"],
                                                out])
            if rc == 0:
                res.update(mdf_s=secs, mdf_size=os.path.getsize(out), mdf_rss_kb=rss,
                           mdf_file=out)
            else:
                res["mdf_error"] = f"makedumpfile exited {rc}: {txt.strip()[-300:]}"
        res["ok"] = "elf_file" in res
        if not res["ok"]:
            res["reason"] = res.get("elf_error")
    return res


def kdump_col(name, workdir, lo=32, first=256, hi=512, step=8, log=print):
    """Search the smallest crashkernel= (MiB, multiple of step) in (lo, hi] that captures,
    trying first, then bisecting; the figures are those of the smallest boot that
    captured."""
    cfg = guest_config(KernelEnv(name).arch)
    tries = []

    def attempt(mb):
        r = kdump.run_once(name, mb, workdir, kos=[], cfg=cfg)
        disk = os.path.join(r.get("logdir", ""), "disk.img")
        if os.path.exists(disk):
            os.unlink(disk)
        tries.append((mb, r["ok"], r.get("reason", "")))
        log(f"  kdump {name} crashkernel={mb}M: "
            + ("captured" if r["ok"] else f"failed: {r.get('reason', '')[:160]}"))
        return r

    best = attempt(first)
    if best["ok"]:
        hi = first
    else:
        lo = first
        best = attempt(hi)
        if not best["ok"]:
            best["tries"] = tries
            return best
    while hi - lo > step:
        mid = (lo + hi) // 2 // step * step
        if mid <= lo:
            break
        r = attempt(mid)
        if r["ok"]:
            hi, best = mid, r
        else:
            lo = mid
    best["tries"] = tries
    best["smallest_crashkernel_mb"] = hi
    best["guest_bytes"] = best.get("reserved_bytes")
    return best
