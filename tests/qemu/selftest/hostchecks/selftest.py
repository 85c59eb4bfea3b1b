# SPDX-License-Identifier: GPL-2.0
"""Host checks of the harness selftest (tests/qemu/selftest.py loads them with
run.py --checks-dir)."""
from kmdqemu import find_kelf


def selftest_args(vm, args):
    """selftest_args a b c: passes when the guest sent exactly these arguments."""
    return args == ["a", "b", "c"], f"args {args}"


def selftest_fail(vm, args):
    """selftest_fail: always fails."""
    return False, "this check fails on purpose"


def selftest_after_panic(vm, args):
    """selftest_after_panic: QEMU is paused after the panic and the KELF is intact."""
    st = vm.status()
    if st != "shutdown":
        return False, f"QMP status {st}, expected shutdown (paused after panic)"
    k = find_kelf(vm.ram)
    problems = k.check()
    return not problems, "; ".join(problems) or f"KELF at 0x{k.pa:x} intact after the panic"
