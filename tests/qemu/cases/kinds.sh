# SPDX-License-Identifier: GPL-2.0
# kinds: every kind of kernel memory, registered from debugfs and through the
# API, is described by rows whose physical addresses hold the expected bytes
# when read from the host side of guest RAM.

B=/sys/kernel/debug/kmd_test/buffers
T=/sys/kernel/debug/kmd_test/cmd

kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
kmd_insmod kmd_test.ko || { ktap_fail "insmod kmd_test.ko"; return 0; }

# buf NAME: "va size seed" of a planted buffer
buf() {
	awk -v n="$1" '$1 == n { print $2, $3, $4 }' "$B"
}

# vmalloc (several pages), linear map, module memory, every CPU's per-CPU copy
for name in $(awk '{ print $1 }' "$B"); do
	[ "$name" = alt ] && continue
	set -- $(buf "$name")
	if check "add-va $name ($2 bytes)" kwrite "$KMD_DBG/control" add-va "${1#0x}" "$2" "d_$name"; then
		hostcheck region_pattern "d_$name" "$1" "$2" "$3"
	fi
done

# the kernel image: a symbol
check "add linux_banner" kwrite "$KMD_DBG/control" add linux_banner 64
hostcheck region_bytes linux_banner "$(printf 'Linux version' | od -An -tx1 | tr -d ' \n')"

# the same kinds through the exported API
set -- $(buf vmalloc)
check "API register by VA" kwrite "$T" reg-va a_vmalloc vmalloc &&
	hostcheck region_pattern a_vmalloc "$1" "$2" "$3"
set -- $(buf kmalloc)
check "API register by PA" kwrite "$T" reg-pa a_bypa kmalloc &&
	hostcheck region_pattern a_bypa "$1" "$2" "$3"
addr=$(kmd_symaddr jiffies_64)
check "API register by symbol" kwrite "$T" reg-sym a_sym jiffies_64 8 &&
	hostcheck region_at a_sym "0x$addr" 8

# a movable region moves lock-free between two buffers of the same size
set -- $(buf kmalloc)
check "API register movable" kwrite "$T" reg-va a_move kmalloc movable &&
	hostcheck region_pattern a_move "$1" "$2" "$3"
set -- $(buf alt)
check "API update to another buffer" kwrite "$T" update a_move alt &&
	hostcheck region_pattern a_move "$1" "$2" "$3"
expect_errno EPERM kwrite "$T" update a_vmalloc kmalloc &&
	ktap_ok "update of a region not registered movable is refused" ||
	ktap_fail "update of a region not registered movable is refused" "$KMD_ERR"

for r in a_vmalloc a_bypa a_sym a_move; do
	check "API unregister $r" kwrite "$T" unreg "$r" && hostcheck region_absent "$r"
done
hostcheck kelf_consistent
rmmod kmd_test && rmmod kminidump && ktap_ok "rmmod" || ktap_fail "rmmod"
