# SPDX-License-Identifier: GPL-2.0
# steady (guest side of tests/bench/steady.py, under -icount shift=0: guest time is the
# instruction count): three workloads, each timed by the guest clock (/proc/timer_list)
# 3 times, with or without the kminidump modules (kmd_steady_mods=1); with them, the
# boot ends with a sysrq-c crash so the host reads the panic-path time in guest time.
mods=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^kmd_steady_mods=//p')
spec=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^kmd_rmem=//p')
ns() { sed -n '/^now at/{s/^now at \([0-9]*\) nsecs.*/\1/p;q}' /proc/timer_list; }
if [ "$mods" = 1 ]; then
	kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
	kmd_insmod kminidump_kernel.ko || { ktap_fail "insmod kminidump_kernel.ko"; return 0; }
	kmd_insmod kminidump_rmem.ko mem_address="${spec%,*}" mem_size="${spec#*,}" ||
		{ ktap_fail "insmod kminidump_rmem.ko"; return 0; }
fi
cpu() { awk 'BEGIN { for (i = 0; i < 200000; i++) s += i * i; print s }' >/dev/null; }
sys() { dd if=/dev/zero of=/dev/null bs=1 count=100000 2>/dev/null; }
fork() { i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done; }
for w in cpu sys fork; do
	for r in 1 2 3; do
		t0=$(ns)
		$w
		t1=$(ns)
		log "bench: steady $w $((t1 - t0))"
	done
done
ktap_ok "steady: workloads ran (modules: ${mods:-0})"
if [ "$mods" = 1 ]; then
	log "bench: crash now"
	echo c >/proc/sysrq-trigger
fi
