# SPDX-License-Identifier: GPL-2.0
"""Repository and cache locations, kernel.env loading and the module build."""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
QEMU_DIR = os.path.dirname(HERE)                       # tests/qemu
TOP = os.path.dirname(os.path.dirname(QEMU_DIR))       # repository root
KMD_CACHE = os.environ.get("KMD_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kminidump")
LOG_ROOT = os.environ.get("KMD_QEMU_LOGS") or os.path.join(TOP, "build", "qemu")


class HarnessError(Exception):
    """The harness itself could not do its job (build, fetch, QEMU start)."""


def _run(cmd, what):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode:
        raise HarnessError(f"{what} failed (exit {r.returncode}):\n{r.stderr.strip()}")
    return r.stdout


def kernel_names():
    names = []
    with open(os.path.join(TOP, "tests", "kernels.conf")) as f:
        for line in f:
            w = line.split()
            if len(w) >= 3 and not w[0].startswith("#"):
                names.append(w[0])
    return names


# Kernels built here rather than fetched (scripts/build-gki-kernel.sh; not in "all")
GKI_KERNELS = ["arm64-gki", "arm64-gki-nodebugfs"]


class KernelEnv(dict):
    """kernel.env of one kernel (KMD_ARCH, KMD_KVER, KMD_IMAGE, ...), as a dict."""

    def __init__(self, name):
        super().__init__()
        self.name = name
        path = _run([os.path.join(TOP, "scripts", "fetch-kernel.sh"), "--print-env", name],
                    f"scripts/fetch-kernel.sh {name}").strip().splitlines()[-1]
        with open(path) as f:
            for line in f:
                k, sep, v = line.strip().partition("=")
                if sep:
                    self[k] = v
        self.arch = self["KMD_ARCH"]
        self.kver = self["KMD_KVER"]


def build_modules(name, make_args=(), quiet=True, ref=None):
    """Run scripts/build-modules.sh NAME; return the .ko paths it printed.
    ref: build git commit ref instead of the work tree."""
    cmd = [os.path.join(TOP, "scripts", "build-modules.sh")]
    if quiet:
        cmd.append("-q")
    if ref:
        cmd += ["--ref", ref]
    cmd += [name] + list(make_args)
    out = _run(cmd, f"scripts/build-modules.sh {name}")
    return [l for l in out.splitlines() if l.endswith(".ko")]


def busybox(arch):
    return _run([os.path.join(QEMU_DIR, "fetch-busybox.sh"), arch],
                f"tests/qemu/fetch-busybox.sh {arch}").strip().splitlines()[-1]
