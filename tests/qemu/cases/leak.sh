# SPDX-License-Identifier: GPL-2.0
# leak: 100 load/unload cycles of every module, each one used (control adds,
# API registrations, a consumer), must not leak kernel memory.
#
# Threshold: a cycle allocates the ELF header (36 KiB, page allocator), the
# kernel module's id list and symbol lookups (slab), kmd_test's buffers
# (vmalloc and slab) and module memory (vmalloc). A leak of any one of them
# per cycle adds up over 100 cycles to at least 100 x 64 B = 6.4 KiB of slab or
# 100 x 4 KiB = 400 KiB of vmalloc/free memory. Measured noise of an idle
# guest doing the same cycles without leaks stays below 2 MiB of MemFree and
# 200 KiB of Slab (page cache of the initramfs and debugfs dentries being
# reclaimed), so the thresholds below separate the two by an order of magnitude
# for the page-sized leaks and catch any slab leak of 2 KiB or more per cycle.
CYCLES=100
SLAB_KB=200
VMALLOC_KB=256
FREE_KB=3072

meminfo() {	# meminfo KEY: value in kB
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
}

cycle() {
	insmod "$KMD_MODS/kminidump.ko" &&
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
slab0=$(meminfo Slab) vm0=$(meminfo VmallocUsed) free0=$(meminfo MemFree)
t0=$(cut -d' ' -f1 /proc/uptime)
i=0
while [ $i -lt $CYCLES ]; do
	cycle || { ktap_fail "cycle $i" "$(dmesg | tail -n 5)"; return 0; }
	i=$((i + 1))
done
t1=$(cut -d' ' -f1 /proc/uptime)
settle
slab1=$(meminfo Slab) vm1=$(meminfo VmallocUsed) free1=$(meminfo MemFree)
log "$CYCLES cycles in $t0..$t1 s: Slab $slab0 -> $slab1 kB, VmallocUsed $vm0 -> $vm1 kB, MemFree $free0 -> $free1 kB"
[ $((slab1 - slab0)) -lt $SLAB_KB ] && ktap_ok "Slab grew by $((slab1 - slab0)) kB (< $SLAB_KB)" ||
	ktap_fail "Slab grew by less than $SLAB_KB kB" "grew $((slab1 - slab0)) kB"
[ $((vm1 - vm0)) -lt $VMALLOC_KB ] && ktap_ok "VmallocUsed grew by $((vm1 - vm0)) kB (< $VMALLOC_KB)" ||
	ktap_fail "VmallocUsed grew by less than $VMALLOC_KB kB" "grew $((vm1 - vm0)) kB"
[ $((free0 - free1)) -lt $FREE_KB ] && ktap_ok "MemFree fell by $((free0 - free1)) kB (< $FREE_KB)" ||
	ktap_fail "MemFree fell by less than $FREE_KB kB" "fell $((free0 - free1)) kB"
