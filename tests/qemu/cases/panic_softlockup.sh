# SPDX-License-Identifier: GPL-2.0
# panic_softlockup: kthread kmd_crash_lockup spins with preemption disabled in
# kmd_crash_lockup_spin; the soft-lockup detector panics from its hrtimer interrupt.
# Set at run time (same as booting with softlockup_panic=1 watchdog_thresh=1):
# a lockup is reported after 2 * watchdog_thresh = 2 s.
# One crash per boot; the host then checks the minidump and a full dump (panic_core).

. /kmd/cases/panic_lib.sh
panic_load || return 0
check "softlockup_panic=1" sh -c 'echo 1 >/proc/sys/kernel/softlockup_panic'
check "watchdog_thresh=1" sh -c 'echo 1 >/proc/sys/kernel/watchdog_thresh'
panic_expect softlockup
# the writer shares the spinner's CPU: it never returns (no panic: the boot times out)
panic_trigger softlockup 1 30
