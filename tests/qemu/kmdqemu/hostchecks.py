# SPDX-License-Identifier: GPL-2.0
"""Registry of host checks: every public function of tests/qemu/hostchecks/*.py.

A check is called as fn(vm, args) with args the words after its name in the
guest's "# HOSTCHECK NAME ARGS..." line, and returns (ok, message).
"""
import importlib.util
import inspect
import os

from .paths import QEMU_DIR, HarnessError

_registry = None


def load(dirs=None):
    """Return {name: function}, loading the check modules once."""
    global _registry
    if _registry is not None and dirs is None:
        return _registry
    reg = {}
    for d in dirs or [os.path.join(QEMU_DIR, "hostchecks")]:
        for fn in sorted(os.listdir(d)):
            if not fn.endswith(".py") or fn.startswith("_"):
                continue
            path = os.path.join(d, fn)
            modname = "kmd_hostchecks_" + fn[:-3]
            spec = importlib.util.spec_from_file_location(modname, path)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            for name, obj in vars(mod).items():
                if name.startswith("_") or not inspect.isfunction(obj) \
                        or obj.__module__ != modname:
                    continue
                if name in reg:
                    raise HarnessError(f"host check {name} defined twice ({path})")
                reg[name] = obj
    if dirs is None:
        _registry = reg
    return reg
