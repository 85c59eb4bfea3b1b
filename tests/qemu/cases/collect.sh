# SPDX-License-Identifier: GPL-2.0
# collect: the guest side of tests/qemu/collect.py, which runs `kminidump collect`
# against this VM (docs/vm-collect.md). On every boot of the VM: kminidump,
# kminidump_kernel, kmd_crash, then kminidump_rmem on the reserved buffer
# (kmd_rmem=ADDR,SIZE) and, on amd64, the stock pvpanic driver after ours (its panic
# notifier has our priority, INT_MAX: the one loaded first runs first, docs/kernel.md);
# then the host says "crash" (sysrq-c) or "done" (the case ends).

. /kmd/cases/panic_lib.sh
spec=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^kmd_rmem=//p')
if [ -z "$spec" ]; then
	ktap_skip "collect" "no kmd_rmem=ADDR,SIZE on the command line (tests/qemu/collect.py boots it with one)"
	return 0
fi
addr=${spec%,*} size=${spec#*,}
# collect.py --pvpanic-first: the wrong order, on purpose (the collector must notice)
if [ "$KMD_ARCH" = amd64 ] && grep -qw kmd.pvpanic_first=1 /proc/cmdline; then
	check "pvpanic loaded before kminidump (on purpose)" stock_modprobe pvpanic_mmio
fi
panic_load || return 0
if ! out=$(kmd_insmod kminidump_rmem.ko mem_address=$addr mem_size=$size 2>&1); then
	ktap_fail "insmod kminidump_rmem.ko" "$out"
	return 0
fi
ktap_ok "insmod kminidump_rmem.ko mem_address=$addr mem_size=$size"
if [ "$KMD_ARCH" = amd64 ]; then
	if grep -qw kmd.pvpanic_first=1 /proc/cmdline; then
		:
	elif out=$(stock_modprobe pvpanic_mmio 2>&1) && [ -d /sys/module/pvpanic ]; then
		ktap_ok "pvpanic loaded after kminidump"
	else
		ktap_fail "pvpanic loaded after kminidump" "$out"
	fi
fi
hostcheck collect_ready "$(cat /proc/sys/kernel/random/boot_id)" >/dev/null
case $KMD_HOST_MSG in
crash*)
	log "host: $KMD_HOST_MSG"
	echo 1 >/proc/sys/kernel/sysrq
	echo c >/proc/sysrq-trigger
	sleep 30
	ktap_fail "sysrq-c crashes the kernel within 30 s" "$(dmesg | tail -n 20)"
	;;
esac
