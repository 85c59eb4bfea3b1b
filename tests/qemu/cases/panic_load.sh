# SPDX-License-Identifier: GPL-2.0
# panic_load: the machine-size case (run it with --smp 8 or 16). Every CPU but the
# crashing one runs a busy loop; the last CPU goes offline and online again with the
# modules loaded (the table keeps its rows); then sysrq-c on CPU 1 (0 with one CPU). The host checks
# every CPU's NT_PRSTATUS, drgn and crash (panic_core sysrq).

. /kmd/cases/panic_lib.sh
panic_load || return 0
n=$(nproc)
rows=$(grep -c . "$KMD_DBG/regions")
log "$n CPUs online, $rows lines in $KMD_DBG/regions, capacity $(cat /sys/module/kminidump/parameters/capacity)"
if dmesg | grep -q "raise kminidump.capacity"; then
	ktap_fail "the default table has room for every CPU ($n online)" "$(dmesg | grep -i capacity)"
else
	ktap_ok "the default table has room for every CPU ($n online, $rows lines)"
fi
last=$((n - 1))
if [ "$last" -gt 1 ] && [ -w /sys/devices/system/cpu/cpu$last/online ]; then
	echo 0 >/sys/devices/system/cpu/cpu$last/online
	off=$(cat /sys/devices/system/cpu/cpu$last/online)
	echo 1 >/sys/devices/system/cpu/cpu$last/online
	on=$(cat /sys/devices/system/cpu/cpu$last/online)
	after=$(grep -c . "$KMD_DBG/regions")
	if [ "$off$on" = 01 ] && [ "$after" = "$rows" ]; then
		ktap_ok "CPU $last offline and online again: $after lines in regions, as before"
	else
		ktap_fail "CPU $last offline and online again" "online $off then $on, $rows then $after lines"
	fi
fi
# 4 leaves of the pid xarray (64 pids each) made after load, each kept by a sleeper:
# the crashing shell's pid is in a leaf the load never saw, past the first nodes a walk
# from the root meets, as with 16 CPUs' kthreads and spinners. The panic capture takes
# the path to that pid first (else drgn cannot find the task), then the other new nodes
# (crash on amd64 6.1 reads the whole tree), within its 6 rows (capture_pid.c)
i=0
while [ "$i" -lt 4 ]; do
	j=0
	while [ "$j" -lt 64 ]; do (:); j=$((j + 1)); done
	sleep 100000 &
	i=$((i + 1))
done
pc=$(panic_cpu 1)
c=0
while [ "$c" -lt "$n" ]; do
	[ "$c" = "$pc" ] || taskset -c "$c" sh -c 'while :; do :; done' &
	c=$((c + 1))
done
sleep 2
panic_expect sysrq
log "sysrq-c on CPU $pc while $((n - 1)) CPUs spin"
taskset -c "$pc" sh -c 'echo c >/proc/sysrq-trigger'
ktap_fail "sysrq-c on CPU $pc crashes the kernel"
