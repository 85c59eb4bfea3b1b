# SPDX-License-Identifier: GPL-2.0
# regions: kminidump_kernel.ko finds every region it wants, or tests/missing-regions.conf
# says why this kernel may miss it: loaded as the other cases load it (with a symbol
# table where kallsyms lacks data symbols), then, on such a kernel, without one.

for pass in 1 2; do
	if [ $pass = 1 ]; then
		out=$(kmd_insmod kminidump.ko 2>&1) || { ktap_fail "insmod kminidump.ko" "$out"; return 0; }
	else
		kmd_kallsyms_all && break	# no table was loaded: pass 1 was the one without
		out=$(insmod "$KMD_MODS/kminidump.ko" 2>&1) ||
			{ ktap_fail "insmod kminidump.ko, no symbol table" "$out"; return 0; }
	fi
	if out=$(insmod "$KMD_MODS/kminidump_kernel.ko" 2>&1); then
		kmd_check_regions
		rmmod kminidump_kernel || ktap_fail "rmmod kminidump_kernel"
	else
		ktap_fail "insmod kminidump_kernel.ko (pass $pass)" "$out"
	fi
	rmmod kminidump || ktap_fail "rmmod kminidump"
done

# A table too small for all of it: the page-table walk offers no page after the
# first refusal (the core logs that one) and says once how many it left out,
# where it used to log every page of every walk.
n1=$(dmesg | wc -l)
if kmd_insmod kminidump.ko capacity=48 >/dev/null 2>&1 &&
	insmod "$KMD_MODS/kminidump_kernel.ko" >/dev/null 2>&1; then
	sleep 1	# the walk runs from a work item
	new=$(dmesg | tail -n +$((n1 + 1)))
	pt=$(echo "$new" | grep -c "region 'pgt" || true)
	full=$(echo "$new" | grep -c 'page tables: the table is full; [0-9]* page-table pages not captured' || true)
	[ "$pt" -le 1 ] && [ "$full" = 1 ] &&
		ktap_ok "a full table: one line for the refused page-table pages, with their count" ||
		ktap_fail "a full table: one line for the refused page-table pages ($pt refusals, $full summaries)" \
			"$(echo "$new" | grep -i 'pgt\|page tables' | head -n 5)"
	rmmod kminidump_kernel || ktap_fail "rmmod kminidump_kernel"
	rmmod kminidump || ktap_fail "rmmod kminidump"
else
	ktap_fail "insmod kminidump.ko capacity=48 and kminidump_kernel.ko"
	rmmod kminidump 2>/dev/null
fi
