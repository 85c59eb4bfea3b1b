# SPDX-License-Identifier: GPL-2.0
# nodebugfs: booted with debugfs=off, the modules load, say once that debugfs
# is unavailable, and the table is still in RAM for a collector.

n0=$(dmesg | grep -c 'kminidump')
kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
kmd_insmod kminidump_kernel.ko || { ktap_fail "insmod kminidump_kernel.ko"; return 0; }
kmd_check_regions
lines=$(dmesg | grep 'kminidump' | tail -n +$((n0 + 1)))
[ "$(echo "$lines" | grep -c 'debugfs unavailable')" = 1 ] &&
	ktap_ok "one line says debugfs is unavailable" ||
	ktap_fail "one line says debugfs is unavailable" "$lines"
hostcheck kelf_consistent
# the exported init_uts_ns needs no symbol table (arm64 6.1 could load none here)
hostcheck region_bytes init_uts_ns "$(printf 'Linux' | od -An -tx1 | tr -d ' \n')"
rmmod kminidump_kernel && rmmod kminidump && ktap_ok "rmmod" || ktap_fail "rmmod"
