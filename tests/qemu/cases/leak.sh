# SPDX-License-Identifier: GPL-2.0
# leak: 100 load/unload cycles of every module, each one used (control adds,
# API registrations, a consumer) and its error paths taken (a refused control
# command, a refused symbol table, a read of the live core file), must not leak
# kernel memory: no slab cache may gain objects, and Slab, VmallocUsed and free
# pages may not shrink by more than the thresholds below.
#
# Per cache: /proc/slabinfo's active objects of every cache, after every cache
# was shrunk. Booted with slub_debug (run.py --append slub_debug=FZPU, the leak
# boot of tests/run): debug caches allocate without per-CPU slabs, so the counts
# are exact (without it, a CPU taking a slab makes all its free objects count as
# active: +-300 objects of noise between two idle readings), and red zones and
# poisoning catch an overrun or a use after free during the cycles (the console
# check reports SLUB's "BUG cache (...)" lines). One object leaked per cycle is
# 100 objects in its cache; SLAB_OBJS sits between that and the noise of 100
# leak-free cycles (measured below 15 objects). Left out: vmap_area (each exited
# process's vmalloc'ed stack waits for a lazy TLB purge: grows ~1.5 per process)
# and filp (files of the exiting shell children are freed after an RCU period).
#
# Totals: a cycle allocates the ELF header (36 KiB from the page allocator) and
# frees it; the thresholds below sit above what 100 leak-free cycles move.
# The measuring is tests/qemu/cases/leak_lib.sh (also used by smem_leak).
CYCLES=100
SLAB_OBJS=50
SLAB_KB=200
VMALLOC_KB=256
FREE_KB=300

. /kmd/cases/leak_lib.sh

cycle() {
	kmd_insmod kminidump.ko &&
	insmod "$KMD_MODS/kminidump_kernel.ko" &&
	kwrite "$KMD_DBG/control" add jiffies_64 8 &&
	expect_errno EINVAL kwrite "$KMD_DBG/control" bogus-command &&
	expect_errno EINVAL kwrite "$KMD_DBG/symbols" "not a symbol table" &&
	cat "$KMD_DBG/core" >/dev/null &&
	insmod "$KMD_MODS/kmd_test.ko" &&
	kwrite /sys/kernel/debug/kmd_test/cmd attach 0 &&
	kwrite /sys/kernel/debug/kmd_test/cmd reg-va l_vm vmalloc &&
	rmmod kmd_test && rmmod kminidump_kernel && rmmod kminidump
}

leak_check cycle
