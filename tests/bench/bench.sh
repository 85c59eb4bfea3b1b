# SPDX-License-Identifier: GPL-2.0
# bench (guest side of tests/bench.py): load the modules, crash with sysrq-c.
kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
kmd_insmod kminidump_kernel.ko || { ktap_fail "insmod kminidump_kernel.ko"; return 0; }
expect_panic bench_measure
echo c >/proc/sysrq-trigger
