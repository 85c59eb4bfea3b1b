# SPDX-License-Identifier: GPL-2.0
# kdump (guest side of tests/bench/kdump.py): load the capture kernel with Debian's
# kexec-tools (kexec -p), then crash with sysrq-c; the capture kernel's /init
# (tests/bench/capture-init) writes the dump.
. /kmd/bench/kdump.env
[ -e /kmd/stock/pvpanic_mmio.load ] && stock_modprobe pvpanic_mmio
[ -e /kmd/stock/pvpanic_pci.load ] && stock_modprobe pvpanic_pci
size=$(cat /sys/kernel/kexec_crash_size)
log "bench: crashkernel reserved $size bytes"
if [ "$size" -eq 0 ]; then
	ktap_fail "crashkernel= reserved nothing" "$(dmesg | grep -i crashkernel | tail -n 3)"
	return 0
fi
t0=$(cut -d' ' -f1 /proc/uptime)
if ! out=$(kexec -p "/kmd/bench/$KMD_BENCH_IMAGE" --initrd=/kmd/bench/capture.cpio.gz \
		--append="$KMD_BENCH_APPEND" 2>&1); then
	ktap_fail "kexec -p" "$out"
	return 0
fi
t1=$(cut -d' ' -f1 /proc/uptime)
if [ "$(cat /sys/kernel/kexec_crash_loaded)" != 1 ]; then
	ktap_fail "kexec -p: capture kernel loaded" "$out"
	return 0
fi
ktap_ok "kexec -p: capture kernel loaded ($t0 -> $t1 s uptime)"
log "bench: crash now"
echo c >/proc/sysrq-trigger
