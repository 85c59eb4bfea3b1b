# SPDX-License-Identifier: GPL-2.0
# api: consumers (backends) see ADD, REMOVE and UPDATE; one that attaches late
# first gets an ADD for every existing row; two consumers at once each see all.

T=/sys/kernel/debug/kmd_test/cmd

kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
kmd_insmod kmd_test.ko || { ktap_fail "insmod kmd_test.ko"; return 0; }

# field CONSUMER KEY: a counter of /sys/kernel/debug/kmd_test/consumerN
field() {
	awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' \
		"/sys/kernel/debug/kmd_test/consumer$1"
}
rows() {
	echo $(($(wc -l < "$KMD_DBG/regions") - 1))
}
expect() {	# expect DESC GOT WANT
	[ "$2" = "$3" ] && ktap_ok "$1" || ktap_fail "$1" "got $2, expected $3"
}

kwrite "$KMD_DBG/control" add jiffies_64 8
kwrite "$KMD_DBG/control" add nr_irqs 4
n=$(rows)
check "attach consumer 0" kwrite "$T" attach 0
expect "consumer 0 replayed every existing row" "$(field 0 replayed)" "$n"
check "register" kwrite "$T" reg-va c_one kmalloc
expect "consumer 0 saw the ADD" "$(field 0 adds)" $((n + 1))
check "register movable" kwrite "$T" reg-va c_move alt movable
check "update" kwrite "$T" update c_move kmalloc
expect "consumer 0 saw the UPDATE" "$(field 0 updates)" 1
check "attach consumer 1 late" kwrite "$T" attach 1
expect "consumer 1 replayed every existing row" "$(field 1 replayed)" "$(rows)"
check "unregister" kwrite "$T" unreg c_one
expect "consumer 0 saw the REMOVE" "$(field 0 removes)" 1
expect "consumer 1 saw the REMOVE" "$(field 1 removes)" 1
expect_errno EALREADY kwrite "$T" attach 1 &&
	ktap_ok "attaching twice is refused" || ktap_fail "attaching twice is refused" "$KMD_ERR"
check "detach consumer 0" kwrite "$T" detach 0
check "unregister after detach" kwrite "$T" unreg c_move
expect "a detached consumer sees nothing more" "$(field 0 removes)" 1
expect "consumer 1 still sees events" "$(field 1 removes)" 2
check "detach consumer 1" kwrite "$T" detach 1

# a late update of a removed movable row fails and never brings it back (row state
# machine: VALID -> BUSY by cmpxchg, which a removed row can no longer give)
check "register movable c_late" kwrite "$T" reg-va c_late kmalloc movable
late=$(awk '$3 == "c_late" { print $2 }' "$KMD_DBG/regions")
check "unregister c_late" kwrite "$T" unreg c_late
expect_errno ENOENT kwrite "$T" update-id "$late" alt &&
	ktap_ok "an update after removal fails with ENOENT" ||
	ktap_fail "an update after removal fails with ENOENT" "$KMD_ERR"
expect "the removed row stays removed" "$(awk '$3 == "c_late"' "$KMD_DBG/regions")" ""

# a panic-capture row is parked: listed (flag R) with no room and no PT_LOAD, so the live
# core has nothing of it; it moves only during a panic (EBUSY before), docs/format.md
check "register a panic row c_park" kwrite "$T" reg-va c_park kmalloc panic
expect "c_park is parked: flags MPR, room 0" \
	"$(awk '$3 == "c_park" { print $8, $7 }' "$KMD_DBG/regions")" "MPR 0"
hostcheck parked c_park
expect_errno EBUSY kwrite "$T" update c_park alt &&
	ktap_ok "moving a parked row before a panic: EBUSY" ||
	ktap_fail "moving a parked row before a panic: EBUSY" "$KMD_ERR"
expect "c_park is still parked" "$(awk '$3 == "c_park" { print $8 }' "$KMD_DBG/regions")" "MPR"
check "unregister c_park" kwrite "$T" unreg c_park

# a module removes only its own regions
kwrite "$KMD_DBG/control" add nr_cpu_ids 4
uid=$(awk '$3 == "nr_cpu_ids" { print $2 }' "$KMD_DBG/regions")
n0=$(dmesg | grep -c 'may not remove region')
expect_errno EPERM kwrite "$T" unreg-id "$uid" &&
	ktap_ok "kminidump_unregister of a region another registered: EPERM" ||
	ktap_fail "kminidump_unregister of a region another registered: EPERM" "$KMD_ERR"
expect "one log line names the owner" "$(dmesg | grep 'may not remove region' |
	grep -c 'user (debugfs control)')" $((n0 + 1))
expect "the region is still there" "$(awk '$3 == "nr_cpu_ids" { print $2 }' "$KMD_DBG/regions")" "$uid"

# fixed ids: 2..1023 only (1 is the ELF header, 1024 up are handed out)
check "fixed id 77" kwrite "$T" fixed-id c_fixed kmalloc 77
for id in 1 1024 4000000000; do
	n0=$(dmesg | grep -c 'is outside 2..1023')
	expect_errno EINVAL kwrite "$T" fixed-id c_fixed kmalloc $id &&
		[ "$(dmesg | grep -c 'is outside 2..1023')" = $((n0 + 1)) ] &&
		ktap_ok "fixed id $id refused with one log line" ||
		ktap_fail "fixed id $id refused with one log line" "$KMD_ERR"
done
rmmod kmd_test && rmmod kminidump && ktap_ok "rmmod" || ktap_fail "rmmod"
