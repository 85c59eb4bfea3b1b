# SPDX-License-Identifier: GPL-2.0
"""The guest's gzip cpio initramfs, built per kernel and cached by content.

Contents:
  /init                 tests/qemu/guest/init (busybox sh)
  /bin/busybox, /bin/sh static busybox for the guest arch (applets linked at boot)
  /dev/console, /dev/null
  /kmd/env              KMD_KERNEL, KMD_ARCH, KMD_KVER
  /kmd/lib.sh           tests/qemu/guest/lib.sh
  /kmd/cases/*.sh       every case in tests/qemu/cases/
  /kmd/bin/kmd-wr       the write/errno helper (tests/qemu/guest/kmd-wr.c)
  /kmd/modules/*.ko     the modules built by scripts/build-modules.sh
  /kmd/stock/*.ko       stock modules, decompressed, with dependencies
  /kmd/stock/boot.list  the ones /init loads before anything else (fw_cfg, virtio)
  /kmd/stock/NAME.load  load order (dependencies first) of each requested module
  /kmd/System.map       the -dbg package's System.map without the text symbols
                        kallsyms always has (what `kminidump symbols` sends by default)
  /kmd/modprobe.d/*     modprobe.d/kminidump.conf and its kminidump-load (case modprobe_rule)
"""
import gzip
import hashlib
import io
import lzma
import os
import shutil
import stat
import subprocess
import threading

from .paths import KMD_CACHE, QEMU_DIR, HarnessError, busybox

# Needed by /init on every boot: VMCOREINFO through fw_cfg (-device vmcoreinfo),
# and the KTAP channel (virtio-serial over PCI). Built-in ones are skipped.
BOOT_MODULES = ["qemu_fw_cfg", "virtio_pci", "virtio_console"]

HELPER_CFLAGS = ["-Os", "-static", "-nostdlib", "-ffreestanding", "-fno-stack-protector",
                 "-fno-asynchronous-unwind-tables", "-fno-pie", "-no-pie", "-Wall",
                 "-Wl,--build-id=none", "-s"]


def _modname(path):
    base = os.path.basename(path)
    for ext in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if base.endswith(ext):
            base = base[:-len(ext)]
            break
    return base.replace("-", "_")


class StockModules:
    """Module files and dependencies of a stock kernel (modules.dep from depmod -b -o)."""

    def __init__(self, env):
        self.moddir = env["KMD_MODDIR"]
        self.kver = env.kver
        self.cache = os.path.join(KMD_CACHE, "initramfs", env.name)
        # depmod -b on a staging root whose kernel/ links to the extracted modules,
        # so the fetched tree is left as it is (kmod 30 has no --outdir)
        depdir = os.path.join(self.cache, "depmod")
        stage = os.path.join(depdir, "lib", "modules", self.kver)
        dep = os.path.join(stage, "modules.dep")
        if not os.path.exists(dep):
            os.makedirs(stage, exist_ok=True)
            link = os.path.join(stage, "kernel")
            if not os.path.islink(link):
                os.symlink(os.path.join(self.moddir, "kernel"), link)
            for f in ("modules.order", "modules.builtin", "modules.builtin.modinfo"):
                if os.path.exists(os.path.join(self.moddir, f)):
                    shutil.copy(os.path.join(self.moddir, f), stage)
            r = subprocess.run(["depmod", "-b", depdir, self.kver],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode or not os.path.exists(dep):
                raise HarnessError(f"depmod -b {depdir} {self.kver}: {r.stdout}")
        self.deps = {}      # name -> (relpath, [dep names])
        with open(dep) as f:
            for line in f:
                k, _, v = line.partition(":")
                self.deps[_modname(k)] = (k, [_modname(d) for d in v.split()])
        self.builtin = set()
        bpath = os.path.join(self.moddir, "modules.builtin")
        if os.path.exists(bpath):
            with open(bpath) as f:
                self.builtin = {_modname(l.strip()) for l in f if l.strip()}

    def load_order(self, name):
        """Modules to insmod for name, dependencies first; [] if built in."""
        name = name.replace("-", "_")
        if name not in self.deps:
            if name in self.builtin:
                return []
            raise HarnessError(f"{self.kver} has no module {name}")
        order = []

        def visit(n):
            if n in order:
                return
            # modules.dep lists every (transitive) dependency; load the last one first
            for d in reversed(self.deps[n][1]):
                visit(d)
            order.append(n)
        visit(name)
        return order

    def file(self, name):
        """Decompressed .ko of module name (cached on the host)."""
        rel = self.deps[name][0]
        src = os.path.join(self.moddir, rel)
        out = os.path.join(self.cache, "stock", name + ".ko")
        st = os.stat(src)
        if not os.path.exists(out) or os.stat(out).st_mtime != st.st_mtime:
            os.makedirs(os.path.dirname(out), exist_ok=True)
            if rel.endswith(".xz"):
                with lzma.open(src) as f:
                    data = f.read()
            elif rel.endswith(".zst"):
                data = subprocess.run(["zstd", "-dcq", src], check=True,
                                      stdout=subprocess.PIPE).stdout
            elif rel.endswith(".gz"):
                with gzip.open(src) as f:
                    data = f.read()
            else:
                with open(src, "rb") as f:
                    data = f.read()
            tmp = f"{out}.tmp{os.getpid()}.{threading.get_ident()}"
            with open(tmp, "wb") as f:
                f.write(data)
            os.utime(tmp, (st.st_mtime, st.st_mtime))
            os.replace(tmp, out)
        return out


def guest_helper(arch):
    """Build (when its source changed) and return the kmd-wr binary for arch."""
    src = os.path.join(QEMU_DIR, "guest", "kmd-wr.c")
    out = os.path.join(KMD_CACHE, "guest-bin", arch, "kmd-wr")
    cc = "gcc" if arch == "amd64" else "aarch64-linux-gnu-gcc"
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read() + cc.encode()).hexdigest()
    stamp = out + ".sha256"
    if os.path.exists(out) and os.path.exists(stamp) and open(stamp).read() == digest:
        return out
    os.makedirs(os.path.dirname(out), exist_ok=True)
    flags = HELPER_CFLAGS + (["-mgeneral-regs-only"] if arch == "arm64" else [])
    tmp = f"{out}.tmp{os.getpid()}.{threading.get_ident()}"
    r = subprocess.run([cc] + flags + ["-o", tmp, src],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode:
        raise HarnessError(f"building kmd-wr for {arch}:\n{r.stdout}")
    os.replace(tmp, out)
    with open(tmp + ".sha", "w") as f:
        f.write(digest)
    os.replace(tmp + ".sha", stamp)
    return out


class Cpio:
    """A newc cpio archive built in memory (device nodes need no root)."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.ino = 1000
        self.dirs = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        self.ino += 1
        nb = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08x}" for v in (
            self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(nb), 0))
        self.buf.write(hdr.encode() + nb)
        self.buf.write(b"\0" * (-(110 + len(nb)) % 4))
        self.buf.write(data)
        self.buf.write(b"\0" * (-len(data) % 4))

    def dir(self, name):
        parts = name.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.dirs:
                self.dirs.add(d)
                self._entry(d, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        name = name.strip("/")
        if "/" in name:
            self.dir(name.rsplit("/", 1)[0])
        self._entry(name, stat.S_IFREG | mode, data)

    def symlink(self, name, target):
        self._entry(name.strip("/"), stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, mode=0o600):
        self._entry(name.strip("/"), stat.S_IFCHR | mode, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return self.buf.getvalue()


def data_symbols(system_map):
    """The lines of system_map that kallsyms lacks without KALLSYMS_ALL: every symbol
    outside the text ranges (_stext.._etext, _sinittext.._einittext), which also
    catches linker-script symbols typed T such as swapper_pg_dir; plus init_task,
    the anchor the module measures the KASLR offset against."""
    lines, marks = [], {}
    with open(system_map) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3:
                lines.append((int(w[0], 16), w[2], line))
                if w[2] in ("_stext", "_etext", "_sinittext", "_einittext"):
                    marks[w[2]] = int(w[0], 16)
    text = [(marks.get("_stext", 0), marks.get("_etext", 0)),
            (marks.get("_sinittext", 0), marks.get("_einittext", 0))]
    out = [line for addr, name, line in lines
           if name == "init_task" or not any(lo <= addr < hi for lo, hi in text)]
    return "".join(out).encode()


def build(env, kos, stock=(), cases_dirs=(), verbose=False):
    """Return the path of a cached initramfs for kernel env with our .ko files kos,
    the extra stock modules named in stock (loadable from cases), and the cases of
    tests/qemu/cases plus those of cases_dirs."""
    arch = env.arch
    sm = StockModules(env)
    files = []      # (archive path, host path or bytes, mode)

    def add(path, src, mode=0o644):
        files.append((path, src, mode))

    add("init", os.path.join(QEMU_DIR, "guest", "init"), 0o755)
    add("bin/busybox", busybox(arch), 0o755)
    add("kmd/lib.sh", os.path.join(QEMU_DIR, "guest", "lib.sh"))
    add("kmd/bin/kmd-wr", guest_helper(arch), 0o755)
    for f, mode in (("kminidump.conf", 0o644), ("kminidump-load", 0o755)):
        add("kmd/modprobe.d/" + f, os.path.join(QEMU_DIR, "..", "..", "modprobe.d", f), mode)
    add("kmd/env", f"KMD_KERNEL={env.name}\nKMD_ARCH={arch}\nKMD_KVER={env.kver}\n".encode())
    seen = {}
    for cases_dir in [os.path.join(QEMU_DIR, "cases")] + list(cases_dirs):
        for c in sorted(os.listdir(cases_dir)):
            if c.endswith(".sh"):
                if c in seen:
                    raise HarnessError(f"case {c} is in both {seen[c]} and {cases_dir}")
                seen[c] = cases_dir
                add("kmd/cases/" + c, os.path.join(cases_dir, c))
    for ko in kos:
        add("kmd/modules/" + os.path.basename(ko), ko)
    if env.get("KMD_SYSTEM_MAP"):
        add("kmd/System.map", data_symbols(env["KMD_SYSTEM_MAP"]))
    boot = []
    for m in BOOT_MODULES:
        for n in sm.load_order(m):
            if n not in boot:
                boot.append(n)
    wanted = set(boot)
    for m in stock:
        order = sm.load_order(m)
        wanted.update(order)
        add(f"kmd/stock/{m.replace('-', '_')}.load", "".join(n + ".ko\n" for n in order).encode())
    add("kmd/stock/boot.list", "".join(n + ".ko\n" for n in boot).encode())
    for n in sorted(wanted):
        add(f"kmd/stock/{n}.ko", sm.file(n))

    h = hashlib.sha256()
    blobs = []
    for path, src, mode in files:
        data = src if isinstance(src, bytes) else open(src, "rb").read()
        blobs.append((path, data, mode))
        h.update(f"{path}\0{mode}\0{len(data)}\0".encode())
        h.update(data)
    digest = h.hexdigest()[:16]
    outdir = os.path.join(KMD_CACHE, "initramfs", env.name)
    out = os.path.join(outdir, f"initramfs-{digest}.cpio.gz")
    if os.path.exists(out):
        return out

    c = Cpio()
    c.dir("dev")
    c.chardev("dev/console", 5, 1)
    c.chardev("dev/null", 1, 3, 0o666)
    for d in ("bin", "sbin", "proc", "sys", "tmp", "kmd/cases", "kmd/modules", "kmd/stock",
              "usr/bin", "usr/sbin", "root"):
        c.dir(d)
    c.symlink("bin/sh", "busybox")
    for path, data, mode in blobs:
        c.file(path, data, mode)
    raw = c.finish()
    os.makedirs(outdir, exist_ok=True)
    tmp = f"{out}.tmp{os.getpid()}.{threading.get_ident()}"
    with open(tmp, "wb") as f:
        f.write(gzip.compress(raw, compresslevel=6, mtime=0))
    os.replace(tmp, out)
    # keep the newest few, so parallel runs with other inputs keep theirs
    old = sorted((os.path.join(outdir, f) for f in os.listdir(outdir)
                  if f.startswith("initramfs-") and f.endswith(".cpio.gz")),
                 key=os.path.getmtime)
    for f in old[:-4]:
        try:
            os.unlink(f)
        except OSError:
            pass
    if verbose:
        print(f"# initramfs {out} ({os.path.getsize(out)} bytes)")
    return out
