# SPDX-License-Identifier: GPL-2.0
# vmcoreinfo_pa: the core's vmcoreinfo_pa= (what modprobe.d/kminidump.conf feeds from
# /sys/kernel/vmcoreinfo): a bad address costs one log line and the load goes on; the
# kernel's own note gives a kernel without KALLSYMS_ALL, with no symbol table loaded,
# VMCOREINFO's symbols: the printk ring, the page-table root, mem_section.

K=$KMD_DBG/kernel
[ -r /sys/kernel/vmcoreinfo ] || { ktap_skip "vmcoreinfo_pa" "no /sys/kernel/vmcoreinfo"; return 0; }
pa=0x$(printf %x $(($(cut -d" " -f1 /sys/kernel/vmcoreinfo))))
log "/sys/kernel/vmcoreinfo: $(cat /sys/kernel/vmcoreinfo)"

vload() {	# vload PA: load the core alone; $lines: its log lines
	local n0
	n0=$(dmesg | wc -l)
	insmod "$KMD_MODS/kminidump.ko" vmcoreinfo_pa="$1" || return
	lines=$(dmesg | tail -n +$((n0 + 1)) | grep 'kminidump: ')
}
bad() {	# bad PA WHY: loads, one line names the address and why
	if vload "$1"; then
		[ "$(echo "$lines" | grep -c "vmcoreinfo_pa=$1: $2")" = 1 ] &&
			ktap_ok "vmcoreinfo_pa=$1: refused in one line ($2), the core loads" ||
			ktap_fail "vmcoreinfo_pa=$1: one line says $2" "$lines"
		rmmod kminidump
	else
		ktap_fail "vmcoreinfo_pa=$1: the core loads"
	fi
}
if kmd_kallsyms_all; then
	# vmcoreinfo_data resolves: the kernel's copy comes from there and the
	# parameter is not looked at (modprobe.d/kminidump.conf passes it everywhere)
	if vload "$pa"; then
		echo "$lines" | grep -q "vmcoreinfo_pa" &&
			ktap_fail "with KALLSYMS_ALL vmcoreinfo_pa= is not needed (no line)" "$lines" ||
			ktap_ok "with KALLSYMS_ALL the kernel's copy comes from vmcoreinfo_data"
		rmmod kminidump
	else
		ktap_fail "vmcoreinfo_pa=$pa: the core loads"
	fi
	return 0
fi
# one page past the end of RAM: no memory there
top=$(awk '/System RAM/ { split($1, r, "-"); e = r[2] } END { print e }' /proc/iomem)
bad "0x$(printf %x $((0x$top + 1 + 4096)))" "not in RAM the kernel maps"
bad "0x$(printf %x $((pa + 4)))" "not an ELF note named VMCOREINFO"
bad "0x$(printf %x $((pa + 2)))" "not a 4-byte aligned address"

vload "$pa" || { ktap_fail "vmcoreinfo_pa=$pa: the core loads"; return 0; }
echo "$lines" | grep -q "VMCOREINFO: the kernel's note at vmcoreinfo_pa=$pa ([0-9]* bytes)" &&
	ktap_ok "one line says the kernel's note at $pa is used" ||
	ktap_fail "one line says the kernel's note at $pa is used" "$lines"
insmod "$KMD_MODS/kminidump_kernel.ko" || { ktap_fail "insmod kminidump_kernel.ko"; rmmod kminidump; return 0; }
grep -q 'table: none' "$KMD_DBG/symbols" && ktap_ok "no symbol table is loaded" ||
	ktap_fail "no symbol table is loaded" "$(cat "$KMD_DBG/symbols")"
for r in printk pgd mem_section pgtables init_uts_ns panic_capture; do
	st=$(awk -v r=$r 'NR > 1 && $1 == r { print $2 }' "$K")
	[ "$st" = ok ] && ktap_ok "without a symbol table: region $r" ||
		ktap_fail "without a symbol table: region $r" "$(grep "^$r " "$K")"
done
log "$(cat "$K")"
rmmod kminidump_kernel
rmmod kminidump
