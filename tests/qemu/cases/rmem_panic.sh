# SPDX-License-Identifier: GPL-2.0
# rmem_panic: with kminidump_rmem loaded on the reserved buffer (kmd_rmem=ADDR,SIZE,
# as in the rmem case), a NULL dereference panics the guest; after it the host finds
# the locator in state PANIC and kminidump extract --locator gives the scanned core;
# with copy=1 the buffer holds a copy of the core whose every PT_LOAD equals guest RAM.
# One crash per boot (--boot-per-case).

. /kmd/cases/panic_lib.sh
spec=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^kmd_rmem=//p')
if [ -z "$spec" ]; then
	ktap_skip "rmem_panic" "no kmd_rmem=ADDR,SIZE on the command line (tests/run boots it with one)"
	return 0
fi
addr=${spec%,*} size=${spec#*,}
panic_load || return 0
if ! out=$(kmd_insmod kminidump_rmem.ko mem_address=$addr mem_size=$size copy=1 2>&1); then
	ktap_fail "insmod kminidump_rmem.ko" "$out"
	return 0
fi
ktap_ok "insmod kminidump_rmem.ko mem_address=$addr mem_size=$size copy=1"
hostcheck locator_at "$addr" LIVE
expect_panic locator_at "$addr" PANIC copy
panic_trigger null 0
