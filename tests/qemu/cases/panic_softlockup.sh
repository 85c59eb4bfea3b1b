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
if [ "$(nproc)" -lt 2 ]; then
	# the writer shares the spinner's only CPU and never returns: without a panic the
	# boot times out, which run.py reports as a failure of this case by name
	panic_trigger softlockup 0 30
	return 0
fi
# the writer shares the spinner's CPU 1 and never returns; this shell waits on CPU 0
read -r self _ </proc/self/stat	# the subshell's own pid ($$ is /init's)
taskset -p -c 0 "$self" >/dev/null
log "trigger softlockup on CPU 1"
taskset -c 1 kmd-wr "$KMD_CRASH_TRIGGER" softlockup &
sleep 30
ktap_fail "trigger softlockup crashes the kernel within 30 s" "$(dmesg | tail -n 20)"
