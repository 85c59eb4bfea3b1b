# SPDX-License-Identifier: GPL-2.0
# degrade: without kprobes the core still loads, says so in one line, resolves
# symbols once a table is loaded from /proc/kallsyms, and switches to the
# kernel's VMCOREINFO then; bad symbol tables are refused, among them tables
# of another build (issue 8: the arm64 6.1 oops), each with one log line naming
# why, reported by write() or close() (kmd-wr --cat checks close's errno).

S=$KMD_DBG/symbols

n0=$(dmesg | grep -c 'kminidump: ')
insmod "$KMD_MODS/kminidump.ko" use_kprobes=0 || { ktap_fail "insmod use_kprobes=0"; return 0; }
lines=$(dmesg | grep 'kminidump: ' | tail -n +$((n0 + 1)))
echo "$lines" | grep -q 'kprobes disabled' && ktap_ok "one log line says kprobes are off" ||
	ktap_fail "one log line says kprobes are off" "$lines"
echo "$lines" | grep -q "VMCOREINFO: the kernel's copy was not found" &&
	ktap_ok "VMCOREINFO falls back to a minimal copy, and says so" ||
	ktap_fail "VMCOREINFO falls back to a minimal copy, and says so" "$lines"
expect_errno ENOENT kwrite "$KMD_DBG/control" add jiffies_64 8 &&
	ktap_ok "no symbol resolves without kprobes or a table" ||
	ktap_fail "no symbol resolves without kprobes or a table" "$KMD_ERR"

expect_errno EINVAL kwrite "$S" "not a symbol table" &&
	ktap_ok "a malformed table is refused" || ktap_fail "a malformed table is refused" "$KMD_ERR"
printf '0000000000000000 D init_task\n0000000000000000 D jiffies_64\n' >"$S"
dmesg | tail -n 1 | grep -q 'no usable addresses' &&
	ktap_ok "a table of zero addresses (kallsyms read as non-root) is refused" ||
	ktap_fail "a table of zero addresses is refused" "$(dmesg | tail -n 1)"

grep -q 'table: none' "$S" && ktap_ok "no table is loaded after bad ones" ||
	ktap_fail "no table is loaded after bad ones" "$(cat "$S")"

# /proc/kallsyms holds data symbols only with KALLSYMS_ALL; else the System.map
if kmd_kallsyms_all; then
	check "load /proc/kallsyms into the symbols file" sh -c "cat /proc/kallsyms > $S"
	grep -q 'table: [0-9]* symbols, KASLR offset 0x0$' "$S" &&
		ktap_ok "the table is loaded, KASLR offset 0" || ktap_fail "the table is loaded" "$(cat "$S")"
else
	check "load the System.map into the symbols file" kmd_symbols
	grep -q 'table: [0-9]* symbols, KASLR offset' "$S" &&
		ktap_ok "the table is loaded" || ktap_fail "the table is loaded" "$(cat "$S")"
fi
addr=$(kmd_symaddr jiffies_64)
if [ -e /sys/kernel/vmcoreinfo ]; then	# CONFIG_VMCORE_INFO
	dmesg | grep -q "VMCOREINFO: using the kernel's copy" &&
		ktap_ok "VMCOREINFO switches to the kernel's copy" ||
		ktap_fail "VMCOREINFO switches to the kernel's copy" "$(dmesg | tail -n 3)"
else	# no CONFIG_VMCORE_INFO (the GKI-like kernel): nothing to switch to
	if dmesg | grep -q "VMCOREINFO: using the kernel's copy"; then
		ktap_fail "VMCOREINFO stays synthesized (the kernel has none)" "$(dmesg | tail -n 3)"
	else
		ktap_ok "VMCOREINFO stays synthesized (the kernel has none)"
	fi
fi
check "add jiffies_64 through the table" kwrite "$KMD_DBG/control" add jiffies_64 8 &&
	hostcheck region_at jiffies_64 "0x$addr" 8
rmmod kminidump && ktap_ok "rmmod" || ktap_fail "rmmod"

# Tables of another build, on a fresh load: none may be taken (a plain load
# through one of its addresses oopsed arm64 6.1), each refused by the close()
# that commits it, with one log line.
# sym_table NAME ADDR: /kmd/System.map with NAME's address replaced
sym_table() {
	awk -v n="$1" -v a="$2" '$3 == n { $1 = a } { print }' /kmd/System.map
}
# refused DESC WHY INPUT: the table in file INPUT fails with EINVAL, one log line says WHY
refused() {
	local n1 new
	n1=$(dmesg | grep -c 'kminidump: ')
	if ! expect_errno EINVAL "kwrite --cat $S <$3"; then
		ktap_fail "$1: EINVAL" "$KMD_ERR"
		return
	fi
	new=$(dmesg | grep 'kminidump: ' | tail -n +$((n1 + 1)))
	[ "$(echo "$new" | grep -c .)" = 1 ] && echo "$new" | grep -q "$2" &&
		ktap_ok "$1: EINVAL and one log line naming why" ||
		ktap_fail "$1: one log line naming why ($2)" "$new"
}
if [ -r /kmd/System.map ] && insmod "$KMD_MODS/kminidump.ko" use_kprobes=0; then
	# Debian's 6.1.0-56 and -57 System.maps differ in 513 __BTF_ID symbols only: every
	# anchor is where it was, so what tells them apart is the release the table names
	# (kminidump symbols takes it from the System.map-RELEASE file name)
	{ echo "# release 6.1.0-56-$KMD_ARCH"; cat /kmd/System.map; } >/tmp/other.map
	[ "$(uname -r)" = "6.1.0-56-$KMD_ARCH" ] && sed -i 1s/-56-/-55-/ /tmp/other.map
	refused "another release's System.map" 'refused: the table is of release' /tmp/other.map
	{ echo "# version #1 SMP another build"; cat /kmd/System.map; } >/tmp/other.map
	refused "another build's System.map (version)" "refused: the table is of build" /tmp/other.map
	# a build where init_task stayed but data moved: every exported anchor must agree
	j=$(awk '$3 == "jiffies" { print $1 }' /kmd/System.map)
	sym_table jiffies "$(printf '%016x' $((0x$j + 0x1000)))" >/tmp/other.map
	refused "a table whose jiffies disagrees with init_task's offset" \
		'refused: .* jiffies is at' /tmp/other.map
	u=$(awk '$3 == "init_uts_ns" { print $1 }' /kmd/System.map)
	sym_table linux_banner "$u" >/tmp/other.map
	refused "a table whose linux_banner is not this kernel's banner" \
		"refused: the table's linux_banner" /tmp/other.map
	# x86-64: per-CPU symbols are zero-based, KASLR does not move them (the bzImage
	# boot has an offset); this_cpu_off is exported, an anchor the table must match
	if grep -q ' this_cpu_off$' /kmd/System.map; then
		t=$(awk '$3 == "this_cpu_off" { print $1 }' /kmd/System.map)
		sym_table this_cpu_off "$(printf '%016x' $((0x$t + 8)))" >/tmp/other.map
		refused "a table whose per-CPU this_cpu_off disagrees" \
			'refused: per-CPU this_cpu_off' /tmp/other.map
	fi
	{ echo "# release $(uname -r)"; echo "# version $(uname -v)"; cat /kmd/System.map; } \
		>/tmp/this.map
	check "this kernel's release and build, named in the table, are accepted (O_RDWR)" \
		kwrite --cat --rdwr "$S" </tmp/this.map
	grep -q 'table: [0-9]* symbols' "$S" && ktap_ok "an O_RDWR write loads the table" ||
		ktap_fail "an O_RDWR write loads the table" "$(cat "$S")"
	rm -f /tmp/other.map /tmp/this.map
fi
rmmod kminidump && ktap_ok "rmmod" || ktap_fail "rmmod"

# Under lockdown=integrity debugfs refuses the symbols file: a table installed as
# firmware (kminidump symbols --install) is loaded at init with symbols_firmware=1,
# checked the same way; without the parameter nothing is looked for (Debian's
# firmware loader logs two errors for a missing file).
if [ -r /kmd/System.map ]; then
	fw=/lib/firmware/kminidump/symbols-$(uname -r)
	mkdir -p "${fw%/*}"
	{ echo "# release $(uname -r)"; cat /kmd/System.map; } >"$fw"
	n1=$(dmesg | grep -c 'kminidump: ')
	if insmod "$KMD_MODS/kminidump.ko" use_kprobes=0 symbols_firmware=1; then
		new=$(dmesg | grep 'kminidump: ' | tail -n +$((n1 + 1)))
		grep -q 'table: [0-9]* symbols' "$S" && echo "$new" | grep -q 'symbols: loaded' &&
			ktap_ok "the table installed as firmware is loaded at init" ||
			ktap_fail "the table installed as firmware is loaded at init" "$new"
		if [ -e /sys/kernel/vmcoreinfo ]; then
			echo "$new" | grep -q "VMCOREINFO: using the kernel's copy\|VMCOREINFO: the kernel's copy was not found" &&
				ktap_fail "VMCOREINFO is the kernel's from the start" "$new" ||
				ktap_ok "VMCOREINFO is the kernel's from the start"
		fi
		rmmod kminidump || ktap_fail "rmmod"
	else
		ktap_fail "insmod with a table installed as firmware"
	fi
	# another release's table under this release's name: refused at init, still loads
	{ echo "# release 6.1.0-0-other"; cat /kmd/System.map; } >"$fw"
	n1=$(dmesg | grep -c 'kminidump: ')
	if insmod "$KMD_MODS/kminidump.ko" use_kprobes=0 symbols_firmware=1; then
		new=$(dmesg | grep 'kminidump: ' | tail -n +$((n1 + 1)))
		grep -q 'table: none' "$S" && echo "$new" | grep -q 'refused: the table is of release' &&
			ktap_ok "another release's table installed as firmware is refused, the core loads" ||
			ktap_fail "another release's table installed as firmware is refused" "$new"
		rmmod kminidump || ktap_fail "rmmod"
	else
		ktap_fail "insmod with another release's table installed as firmware"
	fi
	rm -rf /lib/firmware/kminidump
	n1=$(dmesg | grep -c 'firmware')
	if insmod "$KMD_MODS/kminidump.ko" use_kprobes=0; then
		[ "$(dmesg | grep -c 'firmware')" = "$n1" ] &&
			ktap_ok "without symbols_firmware=1 no firmware is looked for" ||
			ktap_fail "without symbols_firmware=1 no firmware is looked for" \
				"$(dmesg | grep firmware | tail -n 3)"
		rmmod kminidump || ktap_fail "rmmod"
	fi
	n1=$(dmesg | grep -c 'kminidump: ')
	if insmod "$KMD_MODS/kminidump.ko" use_kprobes=0 symbols_firmware=1; then
		dmesg | grep 'kminidump: ' | tail -n +$((n1 + 1)) | grep -q 'no table installed as firmware' &&
			ktap_ok "symbols_firmware=1 without the file: one line says how to install it" ||
			ktap_fail "symbols_firmware=1 without the file: one line says how to install it"
		rmmod kminidump || ktap_fail "rmmod"
	fi
fi
