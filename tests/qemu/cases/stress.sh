# SPDX-License-Identifier: GPL-2.0
# stress: kernel threads register, unregister and move regions as fast as they
# can (half of the moves with interrupts off) and an hrtimer moves one from hard-IRQ
# context, while a shell reads the regions file in a loop and the host stops the
# guest again and again to check the table as an outside collector would see it,
# with the Python model and the C tool's extract (run.py --smp 2 or more).

T=/sys/kernel/debug/kmd_test/cmd

kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
kmd_insmod kmd_test.ko || { ktap_fail "insmod kmd_test.ko"; return 0; }
check "start 4 stress threads" kwrite "$T" stress 4 || return 0
(while :; do cat "$KMD_DBG/regions" >/dev/null; done) &
reader=$!
# 200 snapshots: about 1 in 20 catches a row in flight, and one at least must
hostcheck stress_snapshots 200 "$(awk '$1 == "0" { print $5 }' "$KMD_DBG/regions")"
kill $reader
wait $reader 2>/dev/null
stats=$(cat /sys/kernel/debug/kmd_test/stress)
log "$stats"
check "stop the stress threads" kwrite "$T" stress-stop
ops=$(echo "$stats" | awk '{ s += $4 } END { print s + 0 }')
errs=$(echo "$stats" | awk '{ s += $6 } END { print s + 0 }')
[ "$ops" -gt 1000 ] && [ "$errs" = 0 ] && ktap_ok "stress: $ops operations, no error" ||
	ktap_fail "stress: operations without error" "$stats"
hostcheck kelf_consistent
[ "$(wc -l < "$KMD_DBG/regions")" = 2 ] && ktap_ok "only the header row is left" ||
	ktap_fail "only the header row is left" "$(cat "$KMD_DBG/regions")"
rmmod kmd_test && rmmod kminidump && ktap_ok "rmmod" || ktap_fail "rmmod"
