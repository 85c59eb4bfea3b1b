# SPDX-License-Identifier: GPL-2.0
# bench (guest side of the kminidump column, tests/bench/methods.py): load the three
# modules on the reserved buffer named by kmd_rmem=ADDR,SIZE (locator only: copy=0),
# report load time (guest clock, /proc/timer_list), module sizes (/proc/modules) and
# the MemFree drop, then crash with sysrq-c. Cases qemudump and kdump crash the same way.
spec=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^kmd_rmem=//p')
addr=${spec%,*} size=${spec#*,}
ns() { sed -n '/^now at/{s/^now at \([0-9]*\) nsecs.*/\1/p;q}' /proc/timer_list; }
memfree() { sed -n 's/^MemFree: *\([0-9]*\).*/\1/p' /proc/meminfo; }
f0=$(memfree)
t0=$(ns)
insmod "$KMD_MODS/kminidump.ko" || { ktap_fail "insmod kminidump.ko"; return 0; }
t1=$(ns)
kmd_kallsyms_all || kmd_symbols || { ktap_fail "kminidump symbols"; return 0; }
t2=$(ns)
insmod "$KMD_MODS/kminidump_kernel.ko" || { ktap_fail "insmod kminidump_kernel.ko"; return 0; }
t3=$(ns)
if ! out=$(kmd_insmod kminidump_rmem.ko mem_address="$addr" mem_size="$size" 2>&1); then
	ktap_fail "insmod kminidump_rmem.ko mem_address=$addr mem_size=$size" "$out"
	return 0
fi
t4=$(ns)
f1=$(memfree)
# pvpanic after kminidump: equal-priority panic notifiers run in registration order,
# and QEMU pauses the guest as soon as pvpanic's fires (src/core/panic.c)
[ -e /kmd/stock/pvpanic_mmio.load ] && stock_modprobe pvpanic_mmio
[ -e /kmd/stock/pvpanic_pci.load ] && stock_modprobe pvpanic_pci
mods=$(awk '/^kminidump/ { s += $2 } END { print s }' /proc/modules)
rows=$(($(wc -l <"$KMD_DBG/regions") - 1))
ktap_ok "bench: modules loaded"
log "bench: load_ns $((t4 - t0 - t2 + t1)) symbols_ns $((t2 - t1)) core_ns $((t1 - t0)) kernel_ns $((t3 - t2)) rmem_ns $((t4 - t3)) modules_bytes $mods memfree_drop_kb $((f0 - f1)) rows $rows buffer $size"
log "bench: crash now"
echo c >/proc/sysrq-trigger
