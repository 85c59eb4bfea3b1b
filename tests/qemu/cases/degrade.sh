# SPDX-License-Identifier: GPL-2.0
# degrade: without kprobes the core still loads, says so in one line, resolves
# symbols once a table is loaded from /proc/kallsyms, and switches to the
# kernel's VMCOREINFO then; bad symbol tables are refused.

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
