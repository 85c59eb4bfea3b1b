# SPDX-License-Identifier: GPL-2.0
"""Host cost against guest RAM, 1, 4 and 16 GiB.

kminidump: the crashed 1 GiB guest's RAM (the kminidump column's boot) copied into
sparse files of 1, 4 and 16 GiB (the rest is holes, as in a guest that never touched
it); `kminidump extract --locator` and the KELF scan on each: time and peak RSS. The
files live on disk, not in /dev/shm: a read fault on a tmpfs hole allocates a page,
16 GiB of them would take the host's memory; their page cache is dropped after use.
QEMU: a fresh guest of that size (anonymous memory-backend-ram: untouched RAM reads as
the zero page, no host memory) booted to the crash; `dump-guest-memory` (ELF) written
to /dev/null, so the figure is QEMU reading and formatting guest RAM, without the disk
(the file would be the guest's RAM size)."""
import os
import time

import methods
from kmdqemu import VM
from kmdqemu.paths import KernelEnv

SIZES = (1, 4, 16)


class AnonVM(VM):
    """A harness VM whose guest RAM is anonymous (memory-backend-ram)."""

    def qemu_command(self, cpio):
        cmd = super().qemu_command(cpio)
        return [f"memory-backend-ram,id=mem,size={self.mem}"
                if c.startswith("memory-backend-file,") else c for c in cmd]

    def _check_shm(self):
        pass


def _sparse(src, dst, gib):
    with open(src, "rb") as f, open(dst, "wb") as o:
        while True:
            b = f.read(8 << 20)
            if not b:
                break
            if b.count(0) == len(b):
                o.seek(len(b), os.SEEK_CUR)
            else:
                o.write(b)
        o.truncate(gib << 30)


def _drop_cache(path):
    try:
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    except OSError:
        pass


def _dgm(name, work, gib):
    env = KernelEnv(name)
    cfg = methods.guest_config(env.arch)
    cfg["mem"] = f"{gib}G"
    cfg.pop("dt_rmem", None)    # the DT node is for the 1 GiB layout; not needed here
    marks = methods.Marks()
    vm = AnonVM(name, cases=["qemudump"], cases_dirs=[methods.HERE], kos=[], timeout=600,
                on_line=marks, logdir=os.path.join(work, f"scale-{gib}G-{name}"), **cfg)
    with vm:
        vm.start()
        vm.wait("stopped", timeout=600)
        if "crash" not in marks.t:
            return {"dgm_error": f"no crash ({vm.stop_reason})"}
        w = methods.RSSWatch(vm.proc.pid)
        w.start()
        t = time.monotonic()
        try:
            vm.qmp.dump_guest_memory("/dev/null", timeout=900)
        except Exception as e:     # noqa: BLE001
            return {"dgm_error": str(e)[:100]}
        finally:
            w.stop = True
            w.join()
        return {"dgm_s": time.monotonic() - t, "dgm_size": (gib << 30),
                "dgm_rss_growth_kb": max(0, w.peak - w.start_rss)}


def run(name, kmd, work):
    res = {"ok": False, "rows": []}
    img, base, pa = kmd["ram_img"], kmd["ram_base"], kmd["locator_pa"]
    for gib in SIZES:
        row = {"gib": gib}
        path = os.path.join(work, f"scale-{gib}G.ram")
        _sparse(img, path, gib)
        for what, extra in (("locator", ["--locator", f"0x{pa:x}"]), ("scan", [])):
            out = os.path.join(work, f"scale-{gib}G-{what}.elf")
            _drop_cache(path)
            rc, txt, secs, rss, cpu = methods.run_tool(
                [methods.TOOL, "extract", "-q", "-f", "--ram", f"{path}@0x{base:x}"] + extra
                + ["-o", out])
            if rc:
                row[f"{what}_error"] = f"exit {rc}: {txt.strip()[-80:]}"
            else:
                row.update({f"{what}_s": secs, f"{what}_rss_kb": rss, f"{what}_cpu_s": cpu})
                os.unlink(out)
        _drop_cache(path)
        os.unlink(path)
        row.update(_dgm(name, work, gib))
        res["rows"].append(row)
    res["note"] = ("kminidump: sparse copies of the crashed 1 GiB guest's RAM on disk, page "
                   "cache dropped before each run. dump-guest-memory: a fresh guest of that "
                   "size (anonymous RAM), ELF to /dev/null (QEMU's reading and formatting, "
                   "not the disk).")
    res["ok"] = True
    return res
