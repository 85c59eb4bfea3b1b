# SPDX-License-Identifier: GPL-2.0
# leak: 100 load/unload cycles of every module, each one used (control adds,
# API registrations, a consumer), must not leak kernel memory.
#
# Thresholds: a cycle allocates the ELF header (36 KiB from the page
# allocator), slab objects (id lists, symbol lookups, debugfs), kmd_test's
# buffers (vmalloc and slab) and module memory (vmalloc). Leaking any one of
# them per cycle costs, over 100 cycles, at least 400 KiB of free pages (one
# page a cycle), 400 KiB of vmalloc, or 6.4 KiB of slab (one 64-byte object).
# Free memory counts the pages parked on the per-CPU free lists too: freed
# pages wait there (measured: MemFree alone "loses" exactly 36 KiB a cycle,
# all of it on those lists). Measured over 100 leak-free cycles: free pages
# +-100 KiB, Slab +-60 KiB (debugfs and sysfs caches settle), VmallocUsed 0.
# The limits sit between noise and the smallest leak of each kind.
CYCLES=100
SLAB_KB=200
VMALLOC_KB=256
FREE_KB=300

meminfo() {	# meminfo KEY: value in kB
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}
free_kb() {	# MemFree plus the pages on the per-CPU free lists
	echo $(($(meminfo MemFree) + 4 * $(awk '$1 == "count:" { s += $2 } END { print s + 0 }' /proc/zoneinfo)))
}
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
}

cycle() {
	kmd_insmod kminidump.ko &&
	insmod "$KMD_MODS/kminidump_kernel.ko" &&
	kwrite "$KMD_DBG/control" add jiffies_64 8 &&
	insmod "$KMD_MODS/kmd_test.ko" &&
	kwrite /sys/kernel/debug/kmd_test/cmd attach 0 &&
	kwrite /sys/kernel/debug/kmd_test/cmd reg-va l_vm vmalloc &&
	rmmod kmd_test && rmmod kminidump_kernel && rmmod kminidump
}

# warm up: the first loads fill caches that stay
for i in 1 2 3; do cycle || { ktap_fail "warm-up cycle $i" "$(dmesg | tail -n 5)"; return 0; }; done
settle
slab0=$(meminfo Slab) vm0=$(meminfo VmallocUsed) free0=$(free_kb)
t0=$(cut -d' ' -f1 /proc/uptime)
i=0
while [ $i -lt $CYCLES ]; do
	cycle || { ktap_fail "cycle $i" "$(dmesg | tail -n 5)"; return 0; }
	i=$((i + 1))
done
t1=$(cut -d' ' -f1 /proc/uptime)
settle
slab1=$(meminfo Slab) vm1=$(meminfo VmallocUsed) free1=$(free_kb)
log "$CYCLES cycles in $t0..$t1 s: Slab $slab0 -> $slab1 kB, VmallocUsed $vm0 -> $vm1 kB, free pages $free0 -> $free1 kB"
[ $((slab1 - slab0)) -lt $SLAB_KB ] && ktap_ok "Slab grew by $((slab1 - slab0)) kB (< $SLAB_KB)" ||
	ktap_fail "Slab grew by less than $SLAB_KB kB" "grew $((slab1 - slab0)) kB"
[ $((vm1 - vm0)) -lt $VMALLOC_KB ] && ktap_ok "VmallocUsed grew by $((vm1 - vm0)) kB (< $VMALLOC_KB)" ||
	ktap_fail "VmallocUsed grew by less than $VMALLOC_KB kB" "grew $((vm1 - vm0)) kB"
[ $((free0 - free1)) -lt $FREE_KB ] && ktap_ok "free pages fell by $((free0 - free1)) kB (< $FREE_KB)" ||
	ktap_fail "free pages fell by less than $FREE_KB kB" "fell $((free0 - free1)) kB"
