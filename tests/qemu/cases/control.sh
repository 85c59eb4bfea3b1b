# SPDX-License-Identifier: GPL-2.0
# control: the debugfs control file. Good commands change the table; every bad
# one fails with its errno, logs exactly one line naming the cause, and leaves
# the table exactly as it was.

C=$KMD_DBG/control

# bad ERRNO KEYWORD WORDS...: write WORDS as one command and check all of the above
bad() {
	local want=$1 key=$2 before after n0 n1 line
	shift 2
	before=$(cat "$KMD_DBG/regions")
	n0=$(dmesg | grep -c 'kminidump: ')
	if ! expect_errno "$want" kwrite "$C" "$@"; then
		ktap_fail "'$*' fails with $want" "$KMD_ERR"
		return
	fi
	after=$(cat "$KMD_DBG/regions")
	n1=$(dmesg | grep -c 'kminidump: ')
	line=$(dmesg | grep 'kminidump: ' | tail -n 1)
	if [ "$before" != "$after" ]; then
		ktap_fail "'$*' fails with $want, table unchanged" "before:" "$before" "after:" "$after"
	elif [ $((n1 - n0)) -ne 1 ]; then
		ktap_fail "'$*' fails with $want and logs one line" "logged $((n1 - n0)) lines"
	elif ! echo "$line" | grep -q -- "$key"; then
		ktap_fail "'$*' fails with $want, log names the cause" "no '$key' in: $line"
	else
		ktap_ok "'$*' -> $want, one log line, table unchanged"
	fi
}

# row NAME: the regions line of NAME (empty if none)
row() {
	awk -v n="$1" '$3 == n { print; exit }' "$KMD_DBG/regions"
}

kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
kmd_insmod kmd_test.ko || { ktap_fail "insmod kmd_test.ko"; return 0; }
V=$(awk '$1 == "vmalloc" { print $2 }' /sys/kernel/debug/kmd_test/buffers)
V=${V#0x}

# good commands
check "add jiffies_64 8" kwrite "$C" add jiffies_64 8
set -- $(row jiffies_64)
[ "$6" = 8 ] && ktap_ok "jiffies_64 listed with size 8" ||
	ktap_fail "jiffies_64 listed with size 8" "$(row jiffies_64)"
# a function kprobes refuses (entry text) that starts with ENDBR64 on IBT kernels (amd64
# 6.12): the lookup names the symbol, not symbol+4 (symbols.c, kmd_text_start)
case $(uname -m) in x86_64) fn=asm_exc_int3 ;; *) fn=vectors ;; esac
want=$(kmd_symaddr "$fn")
if [ -z "$want" ]; then
	ktap_fail "$fn in /proc/kallsyms"
elif check "add $fn 16" kwrite "$C" add "$fn" 16; then
	set -- $(row "$fn")
	[ "$4" = "0x$want" ] && ktap_ok "$fn (refused by kprobes) at its kallsyms address 0x$want" ||
		ktap_fail "$fn (refused by kprobes) at its kallsyms address" "want 0x$want" "$(row "$fn")"
	kwrite "$C" del "$fn"
fi
check "add-va of a vmalloc buffer" kwrite "$C" add-va "$V" 12411 vbuf
[ -n "$(row vbuf)" ] && ktap_ok "vbuf listed" || ktap_fail "vbuf listed" "$(cat "$KMD_DBG/regions")"

# bad commands
bad ENOENT "not found" add kmd_no_such_symbol 8
bad EINVAL "size 0" add jiffies_64 0
bad E2BIG "max_region_size" add linux_banner 0x100000000
bad EINVAL "give its size" add linux_banner
bad EINVAL "bad size" add linux_banner eight
bad EINVAL "unknown command" frobnicate 1 2
bad EINVAL "usage: add-va" add-va
bad EINVAL "bad address" add-va zz 8 x
bad EINVAL "bad size" add-va "$V" zz x
bad EINVAL "invalid" add-va "$V" 8 12345
bad EINVAL "invalid" add-va "$V" 8 sixteen_chars_xx
bad EEXIST "already exists" add-va "$V" 8 vbuf
bad EEXIST "already exists" add jiffies_64 8
# 3 pages + 123 bytes of vmalloc are followed by an unmapped guard page
bad EFAULT "not all mapped" add-va "$V" 20480 guard
bad EFAULT "not all mapped" add-va 1000 4096 user
bad ENOENT "no such region" del kmd_no_such_region
bad EPERM "cannot be removed" del id:1
bad EINVAL "is written id:1" del 1
bad EINVAL "expected id:" del id:x
bad EINVAL "invalid" add-va "$V" 8 id:7
bad EINVAL "one command per write" "$(printf 'add nr_irqs 4\nadd nr_threads 4')"
bad EINVAL "longer than 256" add "$(printf '%0300d' 0)" 8

# delete by name and by id
check "del vbuf" kwrite "$C" del vbuf
[ -z "$(row vbuf)" ] && ktap_ok "vbuf gone" || ktap_fail "vbuf gone" "$(row vbuf)"
set -- $(row jiffies_64)
bad EINVAL "is written id:$2" del "$2"
check "del by id:$2" kwrite "$C" del "id:$2"
[ -z "$(row jiffies_64)" ] && ktap_ok "jiffies_64 gone" || ktap_fail "jiffies_64 gone"

# a region in another module's memory goes when that module unloads
# (by address: module data symbols are not in kallsyms without KALLSYMS_ALL, arm64 6.1)
va=$(awk '$1 == "static" { print $2 }' /sys/kernel/debug/kmd_test/buffers)
check "add-va (kmd_test's static buffer) 64 kmdstatic" kwrite "$C" add-va "$va" 64 kmdstatic
n0=$(dmesg | grep -c 'pointed into its memory')
rmmod kmd_test
[ -z "$(row kmdstatic)" ] && [ "$(dmesg | grep -c 'pointed into its memory')" = $((n0 + 1)) ] &&
	ktap_ok "rmmod kmd_test removed kmdstatic, one log line" ||
	ktap_fail "rmmod kmd_test removed kmdstatic, one log line" "$(row kmdstatic)" \
		"$(dmesg | tail -n 3)"

# a full table: capacity 3 is the header and two rows
rmmod kminidump
expect_errno EINVAL insmod "$KMD_MODS/kminidump.ko" capacity=1 &&
	ktap_ok "capacity=1 is refused" || ktap_fail "capacity=1 is refused" "$KMD_ERR"
kmd_insmod kminidump.ko capacity=3 || { ktap_fail "insmod capacity=3"; return 0; }
check "fill row 1" kwrite "$C" add jiffies_64 8
check "fill row 2" kwrite "$C" add nr_irqs 4
bad ENOSPC "capacity" add linux_banner 16
rmmod kminidump && ktap_ok "rmmod kminidump" || ktap_fail "rmmod kminidump"
