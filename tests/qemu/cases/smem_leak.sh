# SPDX-License-Identifier: GPL-2.0
# smem_leak: 100 load/unload cycles of kminidump_smem with the SMEM backend active
# (APSS published at each load, a region added and removed while it mirrors the table,
# APSS given back at each unload) leak nothing: leak_lib.sh's slab, Slab, VmallocUsed
# and free-page checks, then APSS is as the firmware left it.
# Needs: run.py --kernel arm64-6.12 --smem ok --stock-modules smem,qcom_hwspinlock
#        --append slub_debug=FZPU
CYCLES=100
SLAB_OBJS=50
SLAB_KB=200
VMALLOC_KB=256
FREE_KB=300

. /kmd/cases/leak_lib.sh

[ -n "$(sed -n 's/.*kmd\.smem=\([a-z0-9]*\).*/\1/p' /proc/cmdline)" ] ||
	{ ktap_skip "smem_leak" "not the SMEM rig (run.py --smem ok)"; return 0; }
# the smem case may run first in the same boot and leave the suite loaded
{ [ -d /sys/module/kminidump ] || kmd_insmod kminidump.ko; } &&
	{ [ -d /sys/module/kminidump_kernel ] || kmd_insmod kminidump_kernel.ko; } ||
	{ ktap_fail "insmod kminidump.ko kminidump_kernel.ko" "$KMD_ERR"; return 0; }
[ -d /sys/module/kminidump_smem ] && rmmod kminidump_smem
stock_modprobe qcom_hwspinlock && stock_modprobe smem || { ktap_fail "stock smem modules"; return 0; }

smem_published() {	# the last load said it publishes
	dmesg | grep 'kminidump_smem: ' | tail -n 1 | grep -q 'publishing kminidump'
}
smem_cycle() {
	insmod "$KMD_MODS/kminidump_smem.ko" && smem_published &&
	kwrite "$KMD_DBG/control" add jiffies_64 8 &&
	kwrite "$KMD_DBG/control" del jiffies_64 &&
	rmmod kminidump_smem
}

check "APSS published at the first load" sh -c "insmod $KMD_MODS/kminidump_smem.ko && dmesg | grep -q 'kminidump_smem: publishing kminidump'"
check "rmmod kminidump_smem" rmmod kminidump_smem
leak_check smem_cycle
hostcheck smem_untouched ok
