# SPDX-License-Identifier: GPL-2.0
# leak_lib.sh: the leak measurement of tests/qemu/cases/leak.sh, for every case that
# cycles modules: leak_check CYCLE_FN runs CYCLE_FN 3 times to warm up, then $CYCLES
# times, and compares slab caches (per cache, shrunk first), Slab, VmallocUsed and free
# pages before and after against CYCLES, SLAB_OBJS, SLAB_KB, VMALLOC_KB and FREE_KB
# (leak.sh says why each is what it is). Needs a boot with slub_debug=FZPU.

meminfo() {	# meminfo KEY: value in kB
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}
free_kb() {	# MemFree plus the pages on the per-CPU free lists
	echo $(($(meminfo MemFree) + 4 * $(awk '$1 == "count:" { s += $2 } END { print s + 0 }' /proc/zoneinfo)))
}
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1
}
slabs() {	# "cache active_objects" of every slab cache but the two left out, shrunk first
	local f
	for f in /sys/kernel/slab/*/shrink; do echo 1 >"$f" 2>/dev/null; done
	awk 'NR > 2 && $1 != "vmap_area" && $1 != "filp" { print $1, $2 }' /proc/slabinfo | sort
}

# leak_callers CACHES: who holds the objects, from slub_debug=U's allocation traces
# (/sys/kernel/debug/slab/C/alloc_traces, 6.1+), most objects first, so that a failure
# names its allocator and not only a cache
leak_callers() {
	local c f
	for c in $1; do
		f=/sys/kernel/debug/slab/$c/alloc_traces
		[ -r "$f" ] || { echo "$c: no $f"; continue; }
		echo "$c: allocation sites, most objects first:"
		grep -E '^ *[0-9]+ ' "$f" | sort -rn | head -n 6
	done
}

leak_check() {	# leak_check CYCLE_FN
	local i t0 t1 tries grown top slab0 slab1 vm0 vm1 free0 free1
	grep -q 'slub_debug' /proc/cmdline ||
		ktap_fail "booted with slub_debug (run.py --append slub_debug=FZPU)" \
			"without it the per-cache counts are off by hundreds: expect noise, not leaks"
	# warm up: the first loads fill caches that stay
	for i in 1 2 3; do "$1" || { ktap_fail "warm-up cycle $i" "$KMD_ERR" "$(dmesg | tail -n 5)"; return 0; }; done
	settle
	slabs >/tmp/kmd/slab0
	slab0=$(meminfo Slab) vm0=$(meminfo VmallocUsed) free0=$(free_kb)
	t0=$(cut -d' ' -f1 /proc/uptime)
	i=0
	while [ $i -lt $CYCLES ]; do
		"$1" || { ktap_fail "cycle $i" "$KMD_ERR" "$(dmesg | tail -n 5)"; return 0; }
		i=$((i + 1))
	done
	t1=$(cut -d' ' -f1 /proc/uptime)
	# Objects freed after an RCU grace period (module unload, kfree_rcu) come back
	# late when the host is busy and the guest's vCPUs starve: once, in a CI run
	# sharing the host with other builds, kmalloc-96 was 95 objects up one second
	# after the cycles (3 on a quiet host). A leak stays, so read again, up to 10
	# times 2 s apart, while the largest gain is over the limit.
	tries=0
	while :; do
		settle
		slabs >/tmp/kmd/slab1
		# every cache's growth, largest first (a cache new since the first reading starts at 0)
		grown=$(awk 'NR == FNR { a[$1] = $2; next } { d = $2 - a[$1]; if (d > 0) print d, $1 }' \
			/tmp/kmd/slab0 /tmp/kmd/slab1 | sort -rn)
		top=$(echo "$grown" | head -n 1)
		[ -z "$top" ] || [ "${top%% *}" -lt "$SLAB_OBJS" ] || [ $tries -ge 10 ] && break
		tries=$((tries + 1))
		sleep 2
	done
	slab1=$(meminfo Slab) vm1=$(meminfo VmallocUsed) free1=$(free_kb)
	log "slab caches that grew over $CYCLES cycles (objects, cache; $tries re-readings): $(echo "$grown" | head -n 5 | paste -sd, -)"
	[ "${top%% *}" -lt "$SLAB_OBJS" ] 2>/dev/null || [ -z "$top" ] &&
		ktap_ok "no slab cache gained $SLAB_OBJS objects (most: ${top:-none})" ||
		ktap_fail "no slab cache gained $SLAB_OBJS objects" "$(echo "$grown" | awk -v l="$SLAB_OBJS" '$1 >= l')" \
			"$(leak_callers "$(echo "$grown" | awk -v l="$SLAB_OBJS" '$1 >= l { print $2 }')")"
	log "$CYCLES cycles in $t0..$t1 s: Slab $slab0 -> $slab1 kB, VmallocUsed $vm0 -> $vm1 kB, free pages $free0 -> $free1 kB"
	[ $((slab1 - slab0)) -lt $SLAB_KB ] && ktap_ok "Slab grew by $((slab1 - slab0)) kB (< $SLAB_KB)" ||
		ktap_fail "Slab grew by less than $SLAB_KB kB" "grew $((slab1 - slab0)) kB"
	[ $((vm1 - vm0)) -lt $VMALLOC_KB ] && ktap_ok "VmallocUsed grew by $((vm1 - vm0)) kB (< $VMALLOC_KB)" ||
		ktap_fail "VmallocUsed grew by less than $VMALLOC_KB kB" "grew $((vm1 - vm0)) kB"
	[ $((free0 - free1)) -lt $FREE_KB ] && ktap_ok "free pages fell by $((free0 - free1)) kB (< $FREE_KB)" ||
		ktap_fail "free pages fell by less than $FREE_KB kB" "fell $((free0 - free1)) kB"
}
