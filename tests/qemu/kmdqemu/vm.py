# SPDX-License-Identifier: GPL-2.0
"""One QEMU guest running a stock Debian kernel with the kminidump test initramfs.

    vm = VM("amd64-6.12", cases=["smoke"])
    outcome = vm.run()          # build, boot, run the cases, stop; outcome.kind == "pass"?

or, driving it step by step from another script:

    with VM("arm64-6.1", cases=["panic"]) as vm:
        vm.start()
        vm.wait("stopped", timeout=120)     # the guest panicked and QEMU paused
        k = vm.find_kelf()                  # parse the KELF from guest RAM
        data = vm.ram.read(k.table.kelf_pa, 4096)

Channels: the console (ttyS0 / ttyAMA0) goes to console.log; KTAP goes over a
virtio-serial port ("kmd.ktap", a unix socket on the host) that the host reads
live and answers HOSTCHECK requests on; QMP on another unix socket. Guest RAM
is a file in /dev/shm the host maps (GuestRAM). QEMU always runs with
-no-reboot -action reboot=shutdown,shutdown=pause: a panic (panic=-1) or a
poweroff leaves it paused with RAM intact; QMP's SHUTDOWN event says which.
"""
import atexit
import contextlib
import ctypes
import os
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import weakref
from collections import namedtuple

from . import hostchecks, initramfs
from .kelf import find_kelf, find_kelfs, Kelf
from .paths import LOG_ROOT, HarnessError, KernelEnv, build_modules
from .qmp import QMP, QMPError
from .ram import GuestRAM, parse_size

SHM_PREFIX = "kmdq-"
# Kernel reports that do not panic even with panic_on_warn=1 oops=panic (e.g. "BUG:
# sleeping function called from invalid context"), or any report with --no-oops-panic.
KERNEL_REPORT = re.compile(
    r"^\[\s*\d+\.\d+\] (BUG: |WARNING: |Oops|Internal error:|kernel BUG at|"
    r"general protection fault|Unable to handle kernel|UBSAN:|INFO: task .* blocked|"
    r"watchdog: BUG: soft lockup|rcu: INFO: .* detected stalls|"
    r"BUG [\w.:-]+ \((Not t|T)ainted)", re.M)         # SLUB debug: red zone, poison
DEFAULT_TIMEOUT = 240.0

Result = namedtuple("Result", "status desc diag source")   # status: ok | fail | skip


class Outcome:
    """How a boot ended.

    kind: pass     every case ran, nothing failed
          fail     the guest finished (or panicked as announced) and a test failed
          panic    the kernel panicked (WARN, oops, BUG) without a case announcing it
          timeout  no end within the timeout
          died     QEMU exited, or the guest stopped without finishing its cases
          error    the harness could not build or boot
    """
    VM_KINDS = ("panic", "timeout", "died", "error")

    def __init__(self, kind, reason, results, times):
        self.kind, self.reason, self.results, self.times = kind, reason, results, times

    @property
    def ok(self):
        return self.kind == "pass"

    @property
    def counts(self):
        c = {"ok": 0, "fail": 0, "skip": 0}
        for r in self.results:
            c[r.status] += 1
        return c

    def __repr__(self):
        return f"Outcome({self.kind!r}, {self.reason!r}, {self.counts})"


_live = weakref.WeakSet()


def _cleanup_all():
    for vm in list(_live):
        vm.close()


atexit.register(_cleanup_all)


def install_signal_handlers():
    """Make SIGINT/SIGTERM/SIGHUP kill every VM of this process, then exit."""
    def handler(signum, frame):
        _cleanup_all()
        sys.stderr.write(f"\nkilled by signal {signum}; QEMU stopped\n")
        os._exit(128 + signum)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


def _pdeathsig():
    """In the QEMU child: die with the parent (PR_SET_PDEATHSIG), own process group."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass


def sweep_stale_shm():
    """Remove /dev/shm/kmdq-<pid>-* files whose creating process is gone."""
    try:
        names = os.listdir("/dev/shm")
    except OSError:
        return
    for n in names:
        if not n.startswith(SHM_PREFIX):
            continue
        try:
            pid = int(n[len(SHM_PREFIX):].split("-")[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                os.unlink(os.path.join("/dev/shm", n))
        except (ValueError, PermissionError):
            pass


def prune_logs(keep=100):
    """Keep the newest `keep` run directories under LOG_ROOT."""
    try:
        dirs = [os.path.join(LOG_ROOT, d) for d in os.listdir(LOG_ROOT)]
    except OSError:
        return
    def mtime(d):           # another VM (thread or process) may be pruning too
        try:
            return os.path.getmtime(d)
        except OSError:
            return 0
    dirs = sorted((d for d in dirs if os.path.isdir(d)), key=mtime)
    for d in dirs[:-keep]:
        with contextlib.suppress(OSError):
            for f in os.listdir(d):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(d, f))
            os.rmdir(d)


class VM:
    """A test guest. See the module docstring; every argument has a default."""

    def __init__(self, kernel, cases=(), modules=None, smp=1, mem="1G", append="",
                 bzimage=False, timeout=DEFAULT_TIMEOUT, keep=False, verbose=False,
                 stock_modules=(), build=True, make_args=(), oops_panic=True,
                 logdir=None, on_result=None, on_line=None, qemu_args=(), checks=None,
                 kos=None, trace=False, cases_dirs=(), src_ref=None, on_diag=None,
                 console_check=True, disk_mb=0, maxcpus=None, dt_rmem=None,
                 smem=None):
        self.env = KernelEnv(kernel)
        self.name = kernel
        self.arch = self.env.arch
        if bzimage and self.arch != "amd64":
            raise HarnessError("--bzimage is for amd64 kernels (arm64 always boots its Image)")
        self.cases = list(cases)
        self.modules = list(modules or [])
        self.smp, self.mem = smp, str(mem)
        self.maxcpus = maxcpus       # possible CPUs beyond the smp present ones (hotplug)
        self.mem_bytes = parse_size(mem)
        self.append, self.bzimage = append, bzimage
        self.timeout, self.keep, self.verbose = timeout, keep, verbose
        self.stock_modules, self.build, self.make_args = list(stock_modules), build, make_args
        self.oops_panic, self.qemu_args, self.kos, self.trace = oops_panic, list(qemu_args), kos, trace
        self.on_result, self.on_line, self.on_diag = on_result, on_line, on_diag
        self.cases_dirs = list(cases_dirs)
        self.console_check = console_check
        # a raw virtio-blk disk (/dev/vda in the guest) to carry files out of it
        self.disk_mb = disk_mb
        self.disk = None
        # arm64: "ADDR,SIZE" of a kminidump,rmem reserved-memory node added to the DT
        if dt_rmem and self.arch != "arm64":
            raise HarnessError("--dt-rmem is for arm64 kernels (amd64 reserves with memmap=)")
        self.dt_rmem = dt_rmem
        # the Qualcomm SMEM rig (arm64): SMEM image variant of kmdqemu/smem.py, or "zero"
        self.smem = smem
        if smem and self.arch != "arm64":
            raise HarnessError("--smem needs an arm64 kernel (the qcom,smem device tree rig)")
        self.src_ref = src_ref
        self.checks = dict(hostchecks.load())
        self.checks.update(checks or {})
        tag = f"{kernel}{'-bz' if bzimage else ''}"
        self.logdir = logdir or os.path.join(
            LOG_ROOT, f"{tag}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{id(self) % 10000}")
        self.machine = "pc" if self.arch == "amd64" else "virt"
        self.console_log = os.path.join(self.logdir, "console.log")
        self.proc = None
        self.qmp = None
        self.ktap = None
        self._ram = None
        self.shm = None
        self._sockdir = None
        self.results = []
        self.case = None
        self.cases_started = []        # "# CASE name" seen, in order
        self.cases_ended = {}          # name -> exit status, from "# CASE_END name rc"
        self.expect_panic_case = None  # the case that announced a panic
        self._guest_num = 0            # number of the last guest result ("ok N ...")
        self._guest_gaps = []          # (expected, got) where guest result numbers skipped
        self.guest_plan = None
        self.guest_end = None          # (pass, fail, skip) from "# KMD_END"
        self.bail = None               # "Bail out!" reason from /init
        self.expect_panic = None       # [check, args...] or [] once armed
        self.deferred = set()          # HOSTCHECK names the driving script answers itself
        self.pending = None            # (name, args) of a deferred HOSTCHECK not answered yet
        self.stop_reason = None        # SHUTDOWN event reason, "exited", "ktap-closed"
        self._ev_seen = 0
        self._kbuf = b""
        self._ktap_log = None
        self.t0 = None
        self.times = {}
        self.cmdline = None

    # ---- context manager and cleanup --------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Kill QEMU, close channels, remove the RAM file (unless keep). Idempotent."""
        if self._ram:
            self._ram.close()
            self._ram = None
        if self.qmp:
            if self.proc and self.proc.poll() is None:
                self.qmp.quit()
            self.qmp.close()
            self.qmp = None
        if self.proc:
            if self.proc.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=2)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.ktap:
            self.ktap.close()
            self.ktap = None
        if self._ktap_log:
            self._ktap_log.close()
            self._ktap_log = None
        if self.shm and not self.keep:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.shm)
        if self._sockdir:
            for f in os.listdir(self._sockdir):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(self._sockdir, f))
            with contextlib.suppress(OSError):
                os.rmdir(self._sockdir)
            self._sockdir = None
        _live.discard(self)

    # ---- building and booting --------------------------------------------------------
    def elapsed(self):
        return time.monotonic() - self.t0 if self.t0 else 0.0

    def prepare(self):
        """Build the modules and the initramfs; return the initramfs path."""
        t = time.monotonic()
        if self.kos is None:
            self.kos = build_modules(self.name, self.make_args, ref=self.src_ref) \
                if self.build else []
        self.times["build"] = time.monotonic() - t
        t = time.monotonic()
        cpio = initramfs.build(self.env, self.kos, self.stock_modules, self.cases_dirs)
        self.times["initramfs"] = time.monotonic() - t
        return cpio

    def kernel_cmdline(self):
        con = "ttyS0" if self.arch == "amd64" else "ttyAMA0"
        words = [f"console={con}", "panic_on_warn=1", "panic=-1"]
        if self.arch == "amd64":
            # under TCG on a loaded host the boot's IO-APIC timer check can miss its
            # ticks and panic ("IO-APIC + timer doesn't work!"): the check is for real
            # boards, the virtual timer works (what cloud images boot with too)
            words.append("no_timer_check")
        if self.oops_panic:
            words.append("oops=panic")
        if self.cases:
            words.append("kmd.cases=" + ",".join(self.cases))
        if self.modules:
            words.append("kmd.modules=" + ",".join(self.modules))
        if self.trace:
            words.append("kmd.trace=1")
        if self.smem:
            words.append("kmd.smem=" + self.smem)
        if self.append:
            words.append(self.append)
        return " ".join(words)

    def qemu_command(self, cpio):
        d = self._sockdir
        if self.arch == "amd64":
            image = self.env["KMD_IMAGE"] if self.bzimage else self.env["KMD_VMLINUX_PVH"]
            cmd = ["qemu-system-x86_64", "-machine", f"{self.machine},memory-backend=mem"]
        else:
            image = self.env["KMD_IMAGE"]
            # virt's default GICv2 takes at most 8 CPUs
            gic = ",gic-version=3" if max(self.smp, self.maxcpus or 0) > 8 else ""
            cmd = ["qemu-system-aarch64", "-machine", f"{self.machine},memory-backend=mem{gic}",
                   "-cpu", "cortex-a57"]
        cmd += [
            "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none",
            "-m", self.mem,
            "-smp", f"{self.smp}" + (f",maxcpus={self.maxcpus}" if self.maxcpus else ""),
            "-object", f"memory-backend-file,id=mem,size={self.mem},mem-path={self.shm},share=on",
            "-kernel", image, "-initrd", cpio, "-append", self.kernel_cmdline(),
            "-chardev", f"file,id=con,path={self.console_log}", "-serial", "chardev:con",
            "-device", "virtio-serial-pci,id=vser",
            "-chardev", f"socket,id=ktap,path={d}/ktap.sock,server=on,wait=off",
            "-device", "virtserialport,bus=vser.0,chardev=ktap,name=kmd.ktap",
            "-qmp", f"unix:{d}/qmp.sock,server=on,wait=off",
            "-device", "vmcoreinfo",
            "-no-reboot", "-action", "reboot=shutdown,shutdown=pause",
        ]
        if self.disk_mb:
            self.disk = os.path.join(self.logdir, "disk.img")
            with open(self.disk, "wb") as f:
                f.truncate(self.disk_mb << 20)
            cmd += ["-drive", f"file={self.disk},format=raw,if=none,id=kmdd",
                    "-device", "virtio-blk-pci,drive=kmdd"]
        if self.smem:
            cmd += self._smem_rig(cmd)
        return cmd + self.qemu_args

    def _rmem_dtb(self, cmd):
        """The machine's own DT (dumpdtb, same command line) plus a /reserved-memory node
        compatible with kminidump,rmem at self.dt_rmem, no-map (docs/rmem.md)."""
        addr, size = (int(x, 0) for x in self.dt_rmem.split(","))
        d = self._sockdir
        dump = [c.replace(f"mem-path={self.shm}", f"mem-path={d}/dump.mem") for c in cmd]
        i = dump.index("-machine") + 1
        dump[i] += f",dumpdtb={d}/virt.dtb"
        for what, c in (("dumpdtb", dump),
                        ("dtc", ["dtc", "-q", "-I", "dtb", "-O", "dts", "-o", f"{d}/virt.dts",
                                 f"{d}/virt.dtb"])):
            r = subprocess.run(c, capture_output=True, text=True, timeout=120)
            if r.returncode:
                raise HarnessError(f"{what} failed: {r.stderr.strip()[-500:]}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{d}/dump.mem")
        with open(f"{d}/rmem.dts", "w") as f:
            f.write(f"""/include/ "{d}/virt.dts"
/ {{
\treserved-memory {{
\t\t#address-cells = <2>;
\t\t#size-cells = <2>;
\t\tranges;
\t\tkminidump@{addr:x} {{
\t\t\tcompatible = "kminidump,rmem";
\t\t\treg = <0x{addr >> 32:x} 0x{addr & 0xffffffff:x} 0x{size >> 32:x} 0x{size & 0xffffffff:x}>;
\t\t\tno-map;
\t\t}};
\t}};
}};
""")
        dtb = os.path.join(self.logdir, "rmem.dtb")
        r = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, f"{d}/rmem.dts"],
                           capture_output=True, text=True, timeout=60)
        if r.returncode:
            raise HarnessError(f"dtc (rmem.dts) failed: {r.stderr.strip()[-500:]}")
        return dtb
    # SMEM rig: QEMU's own device tree plus the nodes the stock qcom_smem driver needs;
    # the image the firmware would have left is loaded into guest RAM at SMEM_PA.
    SMEM_PA, SMEM_SIZE, TCSR_PA = 0x70000000, 0x200000, 0x7f000000
    SMEM_DTS = """
/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;
		kmd_smem_mem: smem@70000000 {
			reg = <0x0 0x70000000 0x0 0x200000>;
			no-map;
		};
		tcsr@7f000000 {
			reg = <0x0 0x7f000000 0x0 0x20000>;
			no-map;
		};
	};
	kmd_tcsr_mutex: hwlock@7f000000 {
		compatible = "qcom,tcsr-mutex";
		reg = <0x0 0x7f000000 0x0 0x20000>;
		#hwlock-cells = <1>;
	};
	smem {
		compatible = "qcom,smem";
		memory-region = <&kmd_smem_mem>;
		hwlocks = <&kmd_tcsr_mutex 3>;
	};
};
"""

    def _smem_rig(self, cmd):
        from kmdqemu import smem as smemimg
        base = os.path.join(self.logdir, "base.dtb")
        dump = [a if not a.startswith(f"{self.machine},") else a + f",dumpdtb={base}"
                for a in cmd]
        r = subprocess.run(dump, capture_output=True, text=True, timeout=60)
        if r.returncode or not os.path.exists(base):
            raise HarnessError(f"dumpdtb failed: {r.stderr.strip()[-500:]}")
        dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", base], capture_output=True,
                             text=True, check=True).stdout
        dtb = os.path.join(self.logdir, "smem.dtb")
        r = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, "-"],
                           input=dts + self.SMEM_DTS, capture_output=True, text=True)
        if r.returncode:
            raise HarnessError(f"dtc failed: {r.stderr.strip()[-500:]}")
        args = ["-dtb", dtb]
        if self.smem != "zero":
            img = os.path.join(self.logdir, f"smem-{self.smem}.bin")
            data, _ = smemimg.image(self.smem, self.SMEM_PA, self.SMEM_SIZE)
            with open(img, "wb") as f:
                f.write(data)
            args += ["-device", f"loader,file={img},addr=0x{self.SMEM_PA:x},force-raw=on"]
        return args

    def disk_read(self, n, offset=0):
        """n bytes the guest wrote at offset of its /dev/vda (see disk_mb)."""
        with open(self.disk, "rb") as f:
            f.seek(offset)
            return f.read(n)

    def start(self):
        """Build what is needed and start QEMU; returns once QMP and KTAP are connected."""
        sweep_stale_shm()
        prune_logs()
        self._check_shm()
        cpio = self.prepare()
        os.makedirs(self.logdir, exist_ok=True)
        self._sockdir = tempfile.mkdtemp(prefix="kmdq-")
        self.shm = f"/dev/shm/{SHM_PREFIX}{os.getpid()}-{os.path.basename(self._sockdir)}"
        _live.add(self)
        cmd = self.qemu_command(cpio)
        if self.dt_rmem:
            cmd += ["-dtb", self._rmem_dtb(cmd)]
        self.cmdline = cmd
        with open(os.path.join(self.logdir, "cmdline.txt"), "w") as f:
            f.write(" ".join(shlex.quote(c) for c in cmd) + "\n")
        self._ktap_log = open(os.path.join(self.logdir, "ktap.log"), "w")
        qlog = open(os.path.join(self.logdir, "qemu.log"), "w")
        self.t0 = time.monotonic()
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qlog,
                                         stderr=subprocess.STDOUT, preexec_fn=_pdeathsig)
        except OSError as e:
            raise HarnessError(f"cannot run {cmd[0]}: {e}") from None
        finally:
            qlog.close()
        try:
            self.qmp = QMP(os.path.join(self._sockdir, "qmp.sock"))
            self.ktap = self._connect(os.path.join(self._sockdir, "ktap.sock"))
        except (QMPError, OSError) as e:
            time.sleep(0.2)
            raise HarnessError(f"QEMU did not come up: {e}\n{self.qemu_log_text()}") from None
        self.times["qemu_up"] = self.elapsed()
        return self

    def _check_shm(self):
        """Guest RAM lives in /dev/shm: a guest touching a page that tmpfs cannot back
        dies of SIGBUS mid-boot, so refuse to start when there is no room for it."""
        try:
            st = os.statvfs("/dev/shm")
        except OSError as e:
            raise HarnessError(f"/dev/shm: {e} (guest RAM is a file there)") from None
        free = st.f_bavail * st.f_frsize
        if free < self.mem_bytes:
            raise HarnessError(
                f"/dev/shm has {free >> 20} MiB free, the guest needs {self.mem_bytes >> 20} "
                "MiB (--mem) for its RAM file: free space there or enlarge it (mount -o "
                "remount,size=4G /dev/shm)")

    def _connect(self, path):
        deadline = time.monotonic() + 10
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s
            except OSError:
                s.close()
                if time.monotonic() > deadline or (self.proc and self.proc.poll() is not None):
                    raise
                time.sleep(0.02)

    # ---- guest RAM ---------------------------------------------------------------------
    @property
    def ram(self):
        """GuestRAM over the memory-backend file (live while the guest runs)."""
        if self._ram is None:
            if not self.shm or not os.path.exists(self.shm):
                raise HarnessError("guest RAM file is gone (VM not started or closed)")
            self._ram = GuestRAM(self.shm, self.arch, self.mem_bytes, self.machine)
        return self._ram

    def kelf(self, pa):
        """Parse the KELF at physical address pa."""
        return Kelf(self.ram, pa)

    def find_kelf(self, hint_pa=None):
        """The one KELF in guest RAM (scan); KelfError if none or several."""
        return find_kelf(self.ram, hint_pa)

    def find_kelfs(self):
        return find_kelfs(self.ram)

    @contextlib.contextmanager
    def paused(self):
        """Stop the vCPUs for the duration (no-op if already stopped)."""
        running = self.qmp.query_status().get("running", False)
        if running:
            self.qmp.stop()
        try:
            yield
        finally:
            if running:
                self.qmp.cont()

    def status(self):
        return self.qmp.query_status().get("status")

    # ---- logs --------------------------------------------------------------------------
    def console_text(self):
        try:
            with open(self.console_log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def console_tail(self, n=40):
        return "\n".join(self.console_text().rstrip("\n").splitlines()[-n:])

    def qemu_log_text(self):
        try:
            with open(os.path.join(self.logdir, "qemu.log")) as f:
                return f.read()
        except OSError:
            return ""

    def check_console(self):
        """One result: the console has no kernel BUG/WARNING/Oops/stall report."""
        text = self.console_text()
        hits = [m.start() for m in KERNEL_REPORT.finditer(text)]
        if not hits:
            self._record("ok", "console: no kernel BUG, WARNING, Oops or stall", [], "host")
            return True
        lines = text[hits[0]:].splitlines()[:25]
        self._record("fail", "console: no kernel BUG, WARNING, Oops or stall",
                     [f"{len(hits)} report(s); the first:"] + lines, "host")
        return False

    def log(self, msg):
        """A diagnostic from a host check: into ktap.log (and stdout with -v)."""
        for line in str(msg).splitlines():
            if self._ktap_log:
                self._ktap_log.write(f"[host] # {line}\n")
            if self.verbose:
                print(f"# {line}", flush=True)

    # ---- the event loop ----------------------------------------------------------------
    def report(self, ok, desc, diag=()):
        """One more host-side result, for a host check that verifies several things."""
        return self._record("ok" if ok else "fail", desc, diag, "host")

    def _record(self, status, desc, diag=(), source="guest"):
        r = Result(status, desc, list(diag), source)
        self.results.append(r)
        if self.on_result:
            self.on_result(self, r)
        return r

    def _send(self, line):
        if self._ktap_log:
            self._ktap_log.write(f"[host] {line}\n")
            self._ktap_log.flush()
        try:
            self.ktap.sendall(line.encode() + b"\n")
        except OSError:
            pass

    def run_check(self, name, args):
        """Run host check name(vm, args); return (ok, msg) and never raise."""
        fn = self.checks.get(name)
        if fn is None:
            return False, f"no host check named {name} (tests/qemu/hostchecks/)"
        t = time.monotonic()
        try:
            ok, msg = fn(self, list(args))
        except Exception:
            tb = traceback.format_exc().strip()
            self.log(tb)
            return False, f"host check {name} raised {tb.splitlines()[-1]}"
        self.log(f"host check {name}: {'ok' if ok else 'FAILED'} in "
                 f"{time.monotonic() - t:.3f} s: {msg}")
        return bool(ok), str(msg)

    def _hostcheck(self, words):
        if not words:
            self._send("# HOSTDONE 1 HOSTCHECK without a name")
            return
        name, args = words[0], words[1:]
        if name == "EXPECT_PANIC":
            self.expect_panic = args
            self.expect_panic_case = self.case
            self._send("# HOSTDONE 0 armed")
            return
        if name in self.deferred:
            self.pending = (name, args)
            return
        ok, msg = self.run_check(name, args)
        self._answer(name, args, ok, msg)

    def _answer(self, name, args, ok, msg):
        shown = " ".join(args)
        if len(shown) > 100:        # long argument lists are in ktap.log
            shown = shown[:97] + "..."
        desc = f"{self.case + ': ' if self.case else ''}host {name}" + (" " + shown if args else "")
        self._record("ok" if ok else "fail", desc, [msg], "host")
        self._send(f"# HOSTDONE {0 if ok else 1} {' '.join(str(msg).split())}")

    def answer(self, ok, msg=""):
        """Answer the pending deferred HOSTCHECK (see wait("request")); the guest resumes."""
        if self.pending is None:
            raise HarnessError("no HOSTCHECK is waiting for an answer")
        name, args = self.pending
        self.pending = None
        self._answer(name, args, ok, msg or ("ok" if ok else "failed"))

    def _guest_line(self, line):
        if self._ktap_log:
            self._ktap_log.write(line + "\n")
            self._ktap_log.flush()
        if self.on_line:
            self.on_line(self, line)
        if line.startswith("# HOSTCHECK"):
            self._hostcheck(line.split()[2:])
        elif line.startswith("# CASE_END "):
            w = line.split()
            if len(w) >= 4 and w[3].lstrip("-").isdigit():
                self.cases_ended[w[2]] = int(w[3])
        elif line.startswith("# CASE "):
            self.case = line[7:].strip()
            self.cases_started.append(self.case)
        elif line.startswith("# KMD_END"):
            w = line.split()
            self.guest_end = tuple(int(x) for x in w[2:5])
            self.times["end"] = self.elapsed()
        elif line.startswith("Bail out!"):
            self.bail = line[9:].strip()
        elif line.startswith("ok ") or line.startswith("not ok "):
            ok = line.startswith("ok ")
            words = line.split(" ", 2 if ok else 3)
            num = words[1 if ok else 2]
            if num.isdigit():
                if int(num) != self._guest_num + 1:
                    self._guest_gaps.append((self._guest_num + 1, int(num)))
                self._guest_num = int(num)
            rest = words[-1]
            desc, sep, directive = rest.partition(" # ")
            if ok and sep and directive.upper().startswith("SKIP"):
                self._record("skip", desc, [directive[4:].strip()])
            else:
                self._record("ok" if ok else "fail", desc)
        elif line.startswith("# ") and self.results and self.results[-1].source == "guest" \
                and self.results[-1].status == "fail":
            self.results[-1].diag.append(line[2:])
            if self.on_diag:
                self.on_diag(self, self.results[-1], line[2:])
        elif line.startswith("1.."):
            self.guest_plan = int(line[3:] or 0)
        if "KTAP version" in line and "first_line" not in self.times:
            self.times["first_line"] = self.elapsed()

    def _events(self):
        evs = self.qmp.events[self._ev_seen:]
        self._ev_seen = len(self.qmp.events)
        for ev in evs:
            if ev["event"] == "SHUTDOWN" and self.stop_reason is None:
                self.stop_reason = ev.get("data", {}).get("reason", "shutdown")
                self.times["stopped"] = self.elapsed()
            elif ev["event"] == "GUEST_PANICKED" and self.stop_reason is None:
                self.stop_reason = "guest-panic"
                self.times["stopped"] = self.elapsed()

    def step(self, timeout=0.5):
        """Process what QEMU sent (KTAP lines, QMP events) for at most timeout seconds."""
        if self.proc is None:
            return
        fds = [self.qmp.sock]
        if self.ktap:
            fds.append(self.ktap)
        if self.stop_reason is None and self.proc.poll() is not None:
            self.stop_reason = "exited"
        if self.stop_reason == "exited":
            return
        try:
            r, _, _ = select.select(fds, [], [], timeout)
        except InterruptedError:
            r = []
        if self.qmp.sock in r:
            try:
                self.qmp.poll_events()
            except (QMPError, ValueError):
                pass
        if self.ktap and self.ktap in r:
            try:
                data = self.ktap.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.ktap.close()
                self.ktap = None
            self._kbuf += data
            while b"\n" in self._kbuf:
                line, self._kbuf = self._kbuf.split(b"\n", 1)
                self._guest_line(line.decode("utf-8", "replace").rstrip("\r"))
        self._events()
        if self.stop_reason is None and self.proc.poll() is not None:
            self.stop_reason = "exited"

    def wait(self, until="end", timeout=None, name=None):
        """Process events until a condition; return True if it happened, False on timeout.

        until: "end"        the guest finished its cases or stopped for any reason
               "stopped"    QEMU paused (panic or poweroff) or exited
               "panic"      the guest panicked (False if it stopped otherwise)
               "hostcheck"  a host check (named name, if given) was answered
               "request"    the guest sent "# HOSTCHECK name ..." for a name in
                            vm.deferred and blocks; vm.pending is (name, args) and the
                            script answers with vm.answer(ok, msg) when it is done
        """
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        nresults = len(self.results)
        while True:
            if until == "end" and (self.stop_reason or self.guest_end):
                if self.guest_end and not self.stop_reason:
                    # give /init's poweroff a moment, so the outcome sees it
                    self._drain_until_stop(2.0)
                return True
            if until in ("stopped", "panic") and self.stop_reason:
                return until == "stopped" or self.panicked
            if until == "request" and self.pending and name in (None, self.pending[0]):
                return True
            if until == "hostcheck":
                for r in self.results[nresults:]:
                    if r.source == "host" and (name is None or f"host {name}" in r.desc):
                        return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.step(min(left, 0.5))

    def _drain_until_stop(self, secs):
        end = time.monotonic() + secs
        while not self.stop_reason and time.monotonic() < end:
            self.step(0.1)

    @property
    def panicked(self):
        return self.stop_reason in ("guest-reset", "guest-panic")

    # ---- a whole run -------------------------------------------------------------------
    def outcome(self, timed_out=False):
        """Classify the boot from what was seen so far."""
        failed = any(r.status == "fail" for r in self.results)
        if self.panicked:
            if self.expect_panic is not None:
                return Outcome("fail" if failed else "pass",
                               "the guest panicked as a case announced", self.results, self.times)
            return Outcome("panic", "the kernel panicked (WARN, oops or BUG) without a case "
                           "announcing it", self.results, self.times)
        if self.guest_end is not None:
            nfail = sum(1 for r in self.results if r.status == "fail")
            return Outcome("fail" if failed else "pass",
                           "all cases ran" + (f", {nfail} failed" if failed else ""),
                           self.results, self.times)
        if timed_out:
            return Outcome("timeout", f"no end within {self.timeout:.0f} s",
                           self.results, self.times)
        if self.bail:
            return Outcome("died", f"/init bailed out: {self.bail}", self.results, self.times)
        if self.stop_reason == "exited":
            rc = self.proc.returncode if self.proc else None
            return Outcome("died", f"QEMU exited (status {rc})", self.results, self.times)
        return Outcome("died", f"the guest stopped ({self.stop_reason}) before finishing "
                       "its cases", self.results, self.times)

    def account(self, out):
        """Results for what did not happen: cases that never ran or never finished, guest
        results that were lost, and one result for the boot itself (ok only for a pass).
        Returns the outcome, turned into "fail" when one of them failed a passing boot."""
        why = f"{out.kind}: {out.reason}"
        missing = []
        for c in self.cases:
            if c not in self.cases_started:
                missing.append((f"{c}: never ran", f"the boot ended first ({why})"))
            elif c not in self.cases_ended and c != self.expect_panic_case:
                missing.append((f"{c}: did not finish", why))
            elif c == self.expect_panic_case and not self.panicked:
                missing.append((f"{c}: announced a panic that did not happen", why))
        for want, got in self._guest_gaps:
            missing.append(("guest results lost",
                            f"guest result {got} came after {want - 1}: KTAP lines lost"))
        if self.guest_end is not None:
            guest = [r for r in self.results if r.source == "guest"]
            c = {"ok": 0, "fail": 0, "skip": 0}
            for r in guest:
                c[r.status] += 1
            sent = (c["ok"], c["fail"], c["skip"])
            if self.guest_plan != len(guest) or self.guest_end != sent:
                missing.append(("guest plan and results agree",
                                f"the guest planned 1..{self.guest_plan} and counted "
                                f"{self.guest_end} (pass fail skip); the host received "
                                f"{len(guest)}: {sent}"))
        for desc, diag in missing:
            self._record("fail", desc, [diag], "host")
        kind = out.kind
        if kind == "pass" and missing:
            kind = "fail"
            out = Outcome(kind, f"{out.reason}; {len(missing)} missing", self.results,
                          self.times)
        self._record("ok" if kind == "pass" else "fail",
                     f"boot: {kind}: {out.reason} (logs: {self.logdir})", [], "host")
        return out

    def run(self):
        """start(), wait for the end, run the post-panic check, close(); return an Outcome.
        Every boot ends with one result of its own (see account())."""
        try:
            try:
                self.start()
            except HarnessError as e:
                self.case = None
                return self.account(Outcome("error", str(e), self.results, self.times))
            done = self.wait("end")
            if self.panicked and self.expect_panic:
                name, args = self.expect_panic[0], self.expect_panic[1:]
                ok, msg = self.run_check(name, args)
                self._record("ok" if ok else "fail",
                             f"{self.case + ': ' if self.case else ''}after panic: host {name}"
                             + (" " + " ".join(args) if args else ""), [msg], "host")
            if self.console_check and not self.panicked and self.guest_end is not None:
                self.check_console()
            self.times["total"] = self.elapsed()
            self.case = None
            out = self.account(self.outcome(timed_out=not done))
            os.makedirs(self.logdir, exist_ok=True)
            with open(os.path.join(self.logdir, "outcome.txt"), "w") as f:
                f.write(f"{out.kind}: {out.reason}\n{out.counts}\n{self.times}\n")
            return out
        finally:
            self.close()
