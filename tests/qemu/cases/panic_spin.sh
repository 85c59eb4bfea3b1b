# SPDX-License-Identifier: GPL-2.0
# panic_spin: kthread kmd_crash_spin spins on CPU 1 in kmd_crash_spin_here
# (preemption disabled, interrupts on), then sysrq-c panics from CPU 0: the other
# CPU is in a known function when the panic stops it. Needs run.py --smp 2.
# One crash per boot; the host then checks the minidump and a full dump (panic_core).

. /kmd/cases/panic_lib.sh
if [ "$(nproc)" -lt 2 ]; then
	ktap_skip "spin on CPU 1, sysrq-c on CPU 0" "one CPU; run with --smp 2"
	return 0
fi
panic_load || return 0
panic_expect spin
# the shell that writes sysrq-c is bound to CPU 0, the spinner to CPU 1
taskset -c 0 sh -c "kmd-wr $KMD_CRASH_TRIGGER spin && echo c >/proc/sysrq-trigger"
ktap_fail "spin on CPU 1, then sysrq-c on CPU 0, crashes the kernel" "rc $?"
