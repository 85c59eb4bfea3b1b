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
