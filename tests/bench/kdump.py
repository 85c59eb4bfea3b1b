# SPDX-License-Identifier: GPL-2.0
"""The kdump column of `make bench`: Debian's kexec-tools and makedumpfile inside the guest.

The first kernel's initramfs is the harness's (tests/qemu) plus a second cpio archive
(the kernel unpacks concatenated archives): kexec and its libraries at their Debian
paths, the same kernel image and the capture initramfs (busybox, tests/bench/capture-init,
makedumpfile and its libraries, virtio_pci/virtio_blk). Case `kdump` loads the capture
kernel with `kexec -p` and crashes with sysrq-c; the capture kernel writes
`makedumpfile -F -l -d 31 /proc/vmcore` to the guest's virtio disk and reboots, which
stops QEMU (-no-reboot); the host rearranges the stream with `makedumpfile -R`.
Times: host clock on the KTAP line just before the crash and on each console line
(polled every 20 ms), capture-kernel uptimes from its /init.
"""
import os
import re
import subprocess
import time

from kmdqemu import VM, initramfs
from kmdqemu.initramfs import Cpio, StockModules
from kmdqemu.paths import HarnessError, busybox

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE_MODULES = ["virtio_pci", "virtio_blk"]


def tools_root(arch):
    r = subprocess.run([os.path.join(HERE, "fetch-tools.sh"), arch], capture_output=True,
                       text=True)
    if r.returncode:
        raise HarnessError(f"tests/bench/fetch-tools.sh {arch}: {r.stderr.strip()[-400:]}")
    return r.stdout.strip().splitlines()[-1]


def _closure(root):
    with open(os.path.join(root, ".closure")) as f:
        return [l.strip() for l in f if l.strip()]


def _add_tree(c, root, rels):
    """Binaries and libraries at their Debian paths (symlinks resolved), plus the
    loader under its PT_INTERP name."""
    for rel in rels:
        with open(os.path.realpath(os.path.join(root, rel)), "rb") as f:
            c.file(rel, f.read(), 0o755)


def capture_initramfs(env, root, out):
    c = Cpio()
    c.dir("dev")
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3, 0o666)
    for d in ("bin", "sbin", "proc", "sys", "tmp", "usr/bin", "usr/sbin", "kmd/stock"):
        c.dir(d)
    with open(busybox(env.arch), "rb") as f:
        c.file("bin/busybox", f.read(), 0o755)
    c.symlink("bin/sh", "busybox")
    with open(os.path.join(HERE, "capture-init"), "rb") as f:
        c.file("init", f.read(), 0o755)
    _add_tree(c, root, [r for r in _closure(root) if r != "sbin/kexec"])
    sm = StockModules(env)
    order = []
    for m in CAPTURE_MODULES:
        for n in sm.load_order(m):
            if n not in order:
                order.append(n)
    for n in order:
        with open(sm.file(n), "rb") as f:
            c.file(f"kmd/stock/{n}.ko", f.read())
    c.file("kmd/stock/capture.list", "".join(n + ".ko\n" for n in order).encode())
    import gzip
    data = gzip.compress(c.finish(), compresslevel=6, mtime=0)
    with open(out, "wb") as f:
        f.write(data)
    return len(data)


def capture_append(arch):
    con = "ttyS0" if arch == "amd64" else "ttyAMA0"
    # what Debian's kdump-tools passes (KDUMP_CMDLINE_APPEND), console on the serial
    return f"console={con} nr_cpus=1 irqpoll reset_devices nousb panic=-1 oops=panic"


def first_extra(env, root, capture, out):
    """The second cpio of the first kernel: kexec, the image, the capture initramfs."""
    c = Cpio()
    _add_tree(c, root, [r for r in _closure(root) if r != "usr/bin/makedumpfile"])
    image = os.path.basename(env["KMD_IMAGE"])
    with open(env["KMD_IMAGE"], "rb") as f:
        c.file("kmd/bench/" + image, f.read())
    with open(capture, "rb") as f:
        c.file("kmd/bench/capture.cpio.gz", f.read())
    c.file("kmd/bench/kdump.env", (f"KMD_BENCH_IMAGE={image}\n"
                                   f"KMD_BENCH_APPEND='{capture_append(env.arch)}'\n").encode())
    import gzip
    with open(out, "wb") as f:
        f.write(gzip.compress(c.finish(), compresslevel=1, mtime=0))


class ExtraVM(VM):
    """A harness VM whose initramfs gets more cpio archives appended (extra_cpio)."""

    def __init__(self, *a, extra_cpio=(), **kw):
        super().__init__(*a, **kw)
        self.extra_cpio = list(extra_cpio)

    def prepare(self):
        base = super().prepare()
        if not self.extra_cpio:
            return base
        os.makedirs(self.logdir, exist_ok=True)
        out = os.path.join(self.logdir, "initramfs.cpio.gz")
        with open(out, "wb") as o:
            for p in [base] + self.extra_cpio:
                with open(p, "rb") as f:
                    o.write(f.read())
        return out


class Console:
    """console.log read as it grows; every line stamped with the host's clock."""

    def __init__(self, path):
        self.path, self.pos, self.buf, self.lines = path, 0, b"", []

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return
        self.pos += len(data)
        self.buf += data
        now = time.monotonic()
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            self.lines.append((now, line.decode("utf-8", "replace").rstrip("\r")))

    def first(self, pattern, after=0.0, nth=1):
        rx = re.compile(pattern)
        for t, l in self.lines:
            if t >= after and rx.search(l):
                nth -= 1
                if nth == 0:
                    return t, l
        return None, None


def run_once(name, crash_mb, workdir, kos=(), timeout=300, cfg=None):
    """One boot with crashkernel=crash_mb M. Returns a dict: ok, reason, figures."""
    from kmdqemu.paths import KernelEnv
    env = KernelEnv(name)
    root = tools_root(env.arch)
    os.makedirs(workdir, exist_ok=True)
    cap = os.path.join(workdir, "capture.cpio.gz")
    res = {"crashkernel_mb": crash_mb, "ok": False}
    res["capture_initramfs_bytes"] = capture_initramfs(env, root, cap)
    extra = os.path.join(workdir, "kdump-extra.cpio.gz")
    first_extra(env, root, cap, extra)
    marks = {}

    def on_line(vm, line):
        if "bench: crash now" in line:
            marks["crash"] = time.monotonic()
        m = re.search(r"capture kernel loaded \(([\d.]+) -> ([\d.]+) s uptime\)", line)
        if m:
            res["kexec_load_s"] = float(m.group(2)) - float(m.group(1))
        m = re.search(r"bench: crashkernel reserved (\d+) bytes", line)
        if m:
            res["reserved_bytes"] = int(m.group(1))

    cfg = dict(cfg or {"smp": 2, "mem": "1G"})
    cfg["append"] = (cfg.get("append", "") + f" crashkernel={crash_mb}M").strip()
    vm = ExtraVM(name, cases=["kdump"], cases_dirs=[HERE], kos=list(kos), timeout=timeout,
                 disk_mb=1024, extra_cpio=[extra], on_line=on_line,
                 logdir=os.path.join(workdir, f"kdump-{name}-{crash_mb}M"), **cfg)
    with vm:
        vm.start()
        con = Console(vm.console_log)
        deadline = time.monotonic() + timeout
        while not vm.stop_reason and time.monotonic() < deadline:
            vm.step(0.02)
            con.poll()
        con.poll()
        res["logdir"] = vm.logdir
        import methods
        res["panic_pid"] = methods.panic_pid(vm.console_text())
        res["boot_s"] = vm.times.get("first_line")
        fails = [r for r in vm.results if r.status == "fail"]
        if fails:
            res["reason"] = "; ".join(f"{r.desc}: {' '.join(r.diag)[:300]}" for r in fails)
            return res
        if "crash" not in marks:
            res["reason"] = f"the guest never crashed ({vm.stop_reason or 'timeout'})"
            return res
        t0 = marks["crash"]
        t_cap, _ = con.first(r"Linux version", after=t0)
        t_init, l_init = con.first(r"kmd-kdump: init uptime", after=t0)
        t_end, l_end = con.first(r"kmd-kdump: makedumpfile rc", after=t0)
        t_reboot = vm.times.get("stopped")
        if not vm.stop_reason:
            res["reason"] = f"no end within {timeout} s: " + _tail(con)
            return res
        if not l_end:
            res["reason"] = ("the capture kernel wrote no dump (crashkernel too small?): "
                             + _tail(con))
            return res
        m = re.search(r"rc (\d+) start ([\d.]+) end ([\d.]+)", l_end)
        rc, s0, s1 = int(m.group(1)), float(m.group(2)), float(m.group(3))
        fallback = None
        if rc:
            why = [l for _, l in con.lines if "kmd-kdump: makedumpfile: " in l and
                   l.split("makedumpfile: ", 1)[1].strip() and "Failed" not in l]
            res["makedumpfile_error"] = (why[-1].split("makedumpfile: ", 1)[1].strip()
                                         if why else f"exit {rc}")
            t_fb, l_fb = con.first(r"kmd-kdump: fallback cp rc", after=t0)
            fm = re.search(r"rc (\d+) start ([\d.]+) end ([\d.]+)", l_fb or "")
            if not fm or int(fm.group(1)):
                res["reason"] = f"makedumpfile exited {rc} and the cp fallback failed: " \
                    + _tail(con)
                return res
            fallback = float(fm.group(3)) - float(fm.group(2))
            t_end = t_fb
            res["fallback_cp_s"] = fallback
            res["dump_format"] = "ELF /proc/vmcore (kdump-tools' cp fallback)"
        res["capture_boot_s"] = float(re.search(r"uptime ([\d.]+)", l_init).group(1))
        res["capture_boot_host_s"] = t_init - t0
        res["makedumpfile_s"] = s1 - s0 if not fallback else None
        res["panic_to_file_s"] = t_end - t0
        # stopped is on the harness's clock (since QEMU start); the rest on time.monotonic()
        res["panic_to_reboot_s"] = (vm.t0 + t_reboot) - t0 if t_reboot else None
        dump = os.path.join(workdir, f"kdump-{name}.dump")
        if os.path.exists(dump):
            os.unlink(dump)
        t = time.monotonic()
        if fallback is not None:
            _, l_mk = con.first(r"kmd-kdump: makedumpfile start", after=t0)
            size = int(re.search(r"vmcore (\d+)", l_mk).group(1))
            with open(vm.disk, "rb") as f, open(dump, "wb") as o:
                while size > 0:
                    b = f.read(min(size, 8 << 20))
                    if not b:
                        break
                    o.write(b)
                    size -= len(b)
            r = subprocess.CompletedProcess([], 0, "", "")
        else:
            with open(vm.disk, "rb") as f:
                r = subprocess.run(["makedumpfile", "-R", dump], stdin=f, capture_output=True,
                                   text=True)
        res["rearrange_s"] = time.monotonic() - t
        if r.returncode or not os.path.exists(dump):
            res["reason"] = f"makedumpfile -R: {r.stdout[-300:]} {r.stderr[-300:]}"
            return res
        res["file"] = dump
        res["size"] = os.path.getsize(dump)
        res["ok"] = True
    if vm.disk and os.path.exists(vm.disk):
        os.unlink(vm.disk)
    return res


def _tail(con, n=6):
    return " | ".join(l for _, l in con.lines[-n:])
