# SPDX-License-Identifier: GPL-2.0
"""kminidump's QEMU end-to-end harness, importable by other tests.

    import sys; sys.path.insert(0, "<repo>/tests/qemu")
    from kmdqemu import VM
"""
from .kelf import Kelf, KelfError, find_kelf, find_kelfs
from .paths import HarnessError, KernelEnv, build_modules, kernel_names
from .qmp import QMP, QMPError
from .ram import GuestRAM, RAMError
from .vm import VM, Outcome, Result, install_signal_handlers

__all__ = ["VM", "Outcome", "Result", "install_signal_handlers", "Kelf", "KelfError",
           "find_kelf", "find_kelfs", "HarnessError", "KernelEnv", "build_modules",
           "kernel_names", "QMP", "QMPError", "GuestRAM", "RAMError"]
