# SPDX-License-Identifier: GPL-2.0
# panic_lib: functions the panic_* cases share (sourced by them; as a case of its
# own it only defines them). One panic_* case per boot: each crashes the guest.
#
#   panic_load          insmod kminidump.ko, kminidump_kernel.ko and kmd_crash.ko;
#                       kmd_check_regions; kmd_test.ko with consumer 0 attached (it
#                       logs the PANIC event it gets and the UPDATEs it heard during
#                       the panic: the host wants one PANIC and none)
#   panic_expect TRIG [MODE...]
#                       announce the crash; after it the host runs
#                       "panic_core TRIG [MODE...] sec:NAME=ADDR..."
#                       (tests/qemu/hostchecks/panic.py),
#                       the kmd_crash.ko text sections letting it name module addresses
#   panic_cpu N         N if the guest has CPU N, else 0
#   panic_trigger TRIG CPU [SECS]
#                       write TRIG to kmd_crash's trigger file from CPU (panic_cpu CPU;
#                       kmd_crash crashes on the writer's CPU), wait SECS (default 20)
#                       for the crash, and fail if the guest is still alive
#
# The cases spread the crashing CPU (with --smp 2): null, warn and spin panic on
# CPU 0; bug_wq, kthread, softlockup and sysrq on CPU 1.

KMD_CRASH_TRIGGER=/sys/kernel/debug/kmd_crash/trigger

panic_load() {
	local m out
	for m in kminidump.ko kminidump_kernel.ko kmd_crash.ko; do
		if ! out=$(kmd_insmod $m 2>&1); then
			ktap_fail "insmod $m" "$out"
			return 1
		fi
	done
	ktap_ok "insmod kminidump.ko kminidump_kernel.ko kmd_crash.ko"
	if [ ! -d "$KMD_DBG" ]; then
		log "no debugfs: kmd_test's consumer is not attached"
	elif out=$(kmd_insmod kmd_test.ko 2>&1) &&
		out=$(kwrite /sys/kernel/debug/kmd_test/cmd attach 0 2>&1); then
		ktap_ok "kmd_test consumer 0 attached"
	else
		ktap_fail "kmd_test consumer 0 attached" "$out"
	fi
	kmd_check_regions
	log "$(grep -c . "$KMD_DBG/regions") lines in $KMD_DBG/regions"
}

panic_sections() {
	local s
	for s in /sys/module/kmd_crash/sections/.text*; do
		[ -r "$s" ] && printf ' sec:%s=%s' "${s##*/}" "$(cat "$s")"
	done
}

panic_expect() {	# panic_expect TRIGGER [MODE...]
	# shellcheck disable=SC2046 # one word per section
	expect_panic panic_core "$@" $(panic_sections)
}

panic_cpu() {
	if [ "$1" -lt "$(nproc)" ]; then echo "$1"; else echo 0; fi
}

panic_trigger() {
	local out cpu
	cpu=$(panic_cpu "$2")
	log "trigger $1 on CPU $cpu"
	out=$(taskset -c "$cpu" kmd-wr "$KMD_CRASH_TRIGGER" "$1" 2>&1) ||
		{ ktap_fail "trigger $1" "$out"; return 1; }
	sleep "${3:-20}"
	ktap_fail "trigger $1 crashes the kernel within ${3:-20} s" "$(dmesg | tail -n 20)"
	return 1
}
