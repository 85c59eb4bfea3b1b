# SPDX-License-Identifier: GPL-2.0
"""The host tool (src/tool/kminidump) as host checks call it.

Host checks never parse an ELF file themselves: the tool does (`kminidump info --json`,
schema in docs/tool.md), and Core gives them its answer plus reads by address at the
file offsets the tool reported. kmdqemu/kelf.py stays the independent oracle for the
table in live guest RAM.

    from kmdqemu import tool
    rc, out, err, secs = tool.extract(vm, path)        # the minidump of the guest's RAM
    core = tool.Core(path, system_map=..., modules=["kmd_crash.ko:.text=0x..."])
    core.vmcoreinfo()["CRASHTIME"], core.cpus[0]["registers"]["pc"], core.read_va(va, 8)
"""
import bisect
import fcntl
import json
import os
import subprocess
import time

from .paths import TOP

TOOL_DIR = os.path.join(TOP, "src", "tool")
TOOL = os.path.join(TOOL_DIR, "kminidump")
PT_LOAD_TYPE = "LOAD"


class ToolError(Exception):
    pass


_built = False


def tool():
    """The tool's path, built (or brought up to date) once per process. Two guests' checks
    may ask at once (run.py -j2): a lock keeps their makes apart."""
    global _built
    if _built:
        return TOOL
    with open(os.path.join(TOOL_DIR, ".build-lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = subprocess.run(["make", "-s", "-C", TOOL_DIR, "kminidump"], capture_output=True,
                           text=True)
    if r.returncode:
        raise ToolError(f"make -C src/tool failed:\n{r.stderr.strip()[-2000:]}")
    _built = True
    return TOOL


def run(cmd, timeout=300, stdin=None, merge=False):
    """(exit status, stdout, stderr, seconds) of cmd; merge: stderr into stdout."""
    t = time.monotonic()
    p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT if merge else subprocess.PIPE, text=True,
                       errors="replace", timeout=timeout)
    return p.returncode, p.stdout, p.stderr or "", time.monotonic() - t


def extract(vm, out_path, *extra):
    """kminidump extract from the guest's RAM file (its first bank) to out_path."""
    base = vm.ram.banks[0][0]
    return run([tool(), "extract", "--ram", f"{vm.shm}@0x{base:x}", "-o", out_path,
                *extra])


def info_json(path, system_map=None, modules=()):
    """The parsed `kminidump info --json` of a core (ToolError if the tool fails)."""
    cmd = [tool(), "info", "--json", path]
    if system_map:
        cmd += ["--system-map", system_map]
    for m in modules:
        cmd += ["--module", m]
    rc, out, err, _ = run(cmd)
    if rc:
        raise ToolError(f"kminidump info --json {path} failed (exit {rc}): {err.strip()[-500:]}")
    doc = json.loads(out)
    if doc.get("schema") != "kminidump-info" or doc.get("version") != 1:
        raise ToolError(f"kminidump info --json: schema {doc.get('schema')!r} version "
                        f"{doc.get('version')!r}, this helper reads kminidump-info 1")
    return doc


def _hex(v):
    return int(v, 16) if isinstance(v, str) else v


class Core:
    """A core file as the tool describes it: info (the JSON document), loads
    [(offset, vaddr, paddr, filesz)], cpus, vmcoreinfo(), read_va(), ram_mismatches()."""

    def __init__(self, path, system_map=None, modules=()):
        self.path = path
        self.info = info_json(path, system_map, modules)
        with open(path, "rb") as f:
            self.data = f.read()
        self.loads = [(s["offset"], _hex(s["vaddr"]), _hex(s["paddr"]), s["filesz"])
                      for s in self.info["segments"] if s["type"] == PT_LOAD_TYPE]
        self.by_va = sorted((va, off, n) for off, va, _, n in self.loads if n and va)
        self.cpus = self.info["cpus"]

    @property
    def size(self):
        return len(self.data)

    def vmcoreinfo(self):
        v = self.info["vmcoreinfo"]
        return dict(v["values"]) if v else {}

    def registers(self, cpu):
        """{name: int} of CPU cpu's NT_PRSTATUS, or None."""
        for c in self.cpus:
            if c["cpu"] == cpu and c["registers"]:
                return {k: _hex(v) for k, v in c["registers"].items()}
        return None

    def prstatus(self, arch):
        """[(pid, pc, sp, lr)] per NT_PRSTATUS note, in CPU order (lr None on amd64); an
        empty or truncated note gives zeros."""
        out = []
        for c in self.cpus:
            r = c["registers"]
            if c["status"] == "no-note":
                continue
            if not r:
                out.append((c["pid"] or 0, 0, 0, None if arch == "amd64" else 0))
            elif arch == "amd64":
                out.append((c["pid"], _hex(r["rip"]), _hex(r["rsp"]), None))
            else:
                out.append((c["pid"], _hex(r["pc"]), _hex(r["sp"]), _hex(r["x30"])))
        return out

    def backtrace(self, cpu):
        """The tool's backtrace of CPU cpu (the JSON object), or None."""
        for c in self.cpus:
            if c["cpu"] == cpu:
                return c["backtrace"]
        return None

    def read_va(self, va, n):
        """n bytes at va from the PT_LOADs (p_vaddr), or None if not all saved."""
        out = b""
        while n > 0:
            i = bisect.bisect_right(self.by_va, (va, float("inf"), 0)) - 1
            if i < 0:
                return None
            v, off, fsz = self.by_va[i]
            if not v <= va < v + fsz or off + fsz > len(self.data):
                return None
            k = min(n, v + fsz - va)
            out += self.data[off + va - v:off + va - v + k]
            va += k
            n -= k
        return out

    def ram_mismatches(self, ram):
        """["0xPA+N"] of the PT_LOADs whose bytes differ from guest RAM."""
        return [f"0x{pa:x}+{n}" for off, _, pa, n in self.loads
                if self.data[off:off + n] != ram.read(pa, n)]
