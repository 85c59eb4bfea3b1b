# SPDX-License-Identifier: GPL-2.0
# e2e: on an unpatched kernel, the default regions make a minidump the standard
# tools open. First live (debugfs "core", copied out through /dev/vda), then
# after a sysrq crash, collected by the host from guest RAM.
# Needs: run.py --disk 8 --stock-modules virtio_blk

[ -b /dev/vda ] || stock_modprobe virtio_blk
if [ -n "${KMD_E2E_NOTABLE:-}" ]; then
	# e2e_notable: no symbol table at all, only what modprobe.d/kminidump.conf feeds
	insmod "$KMD_MODS/kminidump.ko" vmcoreinfo_pa="$(cut -d' ' -f1 /sys/kernel/vmcoreinfo)" ||
		{ ktap_fail "insmod kminidump.ko vmcoreinfo_pa="; return 0; }
	insmod "$KMD_MODS/kminidump_kernel.ko" || { ktap_fail "insmod kminidump_kernel.ko"; return 0; }
	grep -q 'table: none' "$KMD_DBG/symbols" && ktap_ok "no symbol table is loaded" ||
		ktap_fail "no symbol table is loaded" "$(cat "$KMD_DBG/symbols")"
	e2e_mode=notable
else
	kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
	kmd_insmod kminidump_kernel.ko || { ktap_fail "insmod kminidump_kernel.ko"; return 0; }
	kmd_check_regions
	e2e_mode=
fi
log "$(cat "$KMD_DBG/kernel")"
rows=$(($(wc -l < "$KMD_DBG/regions") - 1))
log "$rows rows in the table"

# the live core: its size is fixed when the file is opened
size=$(wc -c < "$KMD_DBG/core")
if [ -b /dev/vda ] && cat "$KMD_DBG/core" >/dev/vda && sync; then
	hostcheck live_core "$size" $e2e_mode
else
	ktap_fail "copy the live core to /dev/vda"
fi

expect_panic crash_core $e2e_mode
echo c >/proc/sysrq-trigger
