# SPDX-License-Identifier: GPL-2.0
# lockdown: raised at run time after loading (stock kernels refuse unsigned
# modules under boot-time lockdown, so this is how a test gets there). Under
# integrity, debugfs refuses the writable files (control, symbols) and the rest
# works; under confidentiality the live core (kernel memory) is refused at open
# and at read, one log line each, like /proc/kcore, while the table itself
# still works for a collector. Lockdown cannot be lowered: run this case last.

L=/sys/kernel/security/lockdown
[ -e "$L" ] || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
if [ ! -w "$L" ]; then
	ktap_fail "the kernel has the lockdown LSM ($L)" "$(ls /sys/kernel/security 2>&1)"
	return 0
fi
grep -q '\[none\]' "$L" || { ktap_fail "lockdown is none at the start" "$(cat "$L")"; return 0; }

kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
check "add jiffies_64 before lockdown" kwrite "$KMD_DBG/control" add jiffies_64 8
addr=$(kmd_symaddr jiffies_64)
exec 7<"$KMD_DBG/core"	# opened before lockdown; fd 3 is the host channel

echo integrity >"$L"
grep -q '\[integrity\]' "$L" && ktap_ok "lockdown raised to integrity" ||
	ktap_fail "lockdown raised to integrity" "$(cat "$L")"
expect_errno EPERM kwrite "$KMD_DBG/control" add init_uts_ns 8 &&
	ktap_ok "integrity: debugfs refuses the writable control file (EPERM)" ||
	ktap_fail "integrity: debugfs refuses the writable control file (EPERM)" "$KMD_ERR"
expect_errno EPERM "kwrite --cat $KMD_DBG/symbols </kmd/env" &&
	ktap_ok "integrity: debugfs refuses the writable symbols file (EPERM)" ||
	ktap_fail "integrity: debugfs refuses the writable symbols file (EPERM)" "$KMD_ERR"
grep -q ' jiffies_64 ' "$KMD_DBG/regions" && ktap_ok "integrity: regions still reads" ||
	ktap_fail "integrity: regions still reads" "$(cat "$KMD_DBG/regions" 2>&1)"
[ "$(head -c 4 "$KMD_DBG/core" | od -An -c | tr -d ' ')" = 177ELF ] &&
	ktap_ok "integrity: the live core still reads (kcore is a confidentiality reason)" ||
	ktap_fail "integrity: the live core still reads" "$(head -c 4 "$KMD_DBG/core" 2>&1 | od -c)"

echo confidentiality >"$L"
grep -q '\[confidentiality\]' "$L" && ktap_ok "lockdown raised to confidentiality" ||
	ktap_fail "lockdown raised to confidentiality" "$(cat "$L")"
n0=$(dmesg | grep -c 'kminidump: ')
expect_errno EPERM "dd if=$KMD_DBG/core bs=64 count=1 of=/dev/null" &&
	ktap_ok "confidentiality: opening the live core is refused (EPERM)" ||
	ktap_fail "confidentiality: opening the live core is refused (EPERM)" "$KMD_ERR"
lines=$(dmesg | grep 'kminidump: ' | tail -n +$((n0 + 1)))
[ "$(echo "$lines" | grep -c .)" = 1 ] && echo "$lines" | grep -q 'core: refused under lockdown' &&
	ktap_ok "confidentiality: one log line says why" ||
	ktap_fail "confidentiality: one log line says why" "$lines"
n0=$(dmesg | grep -c 'kminidump: ')
expect_errno EPERM "dd bs=64 count=1 of=/dev/null <&7; dd bs=64 count=1 of=/dev/null <&7" &&
	ktap_ok "confidentiality: reads of a core opened before lockdown are refused (EPERM)" ||
	ktap_fail "confidentiality: reads of a core opened before are refused (EPERM)" "$KMD_ERR"
lines=$(dmesg | grep 'kminidump: ' | tail -n +$((n0 + 1)))
[ "$(echo "$lines" | grep -c .)" = 1 ] && echo "$lines" | grep -q 'core: read refused' &&
	ktap_ok "confidentiality: one log line for the refused reads" ||
	ktap_fail "confidentiality: one log line for the refused reads" "$lines"
exec 7<&-
grep -q ' jiffies_64 ' "$KMD_DBG/regions" && ktap_ok "confidentiality: regions still reads" ||
	ktap_fail "confidentiality: regions still reads" "$(cat "$KMD_DBG/regions" 2>&1)"
# what a collector reads after a crash: the table in RAM, untouched by lockdown
hostcheck region_at jiffies_64 "0x$addr" 8
rmmod kminidump && ktap_ok "rmmod under lockdown" || ktap_fail "rmmod under lockdown"
