# SPDX-License-Identifier: GPL-2.0
# demo (guest side of scripts/demo.py): load the modules, show the table, crash.
[ -b /dev/vda ] || stock_modprobe virtio_blk
kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
kmd_insmod kminidump_kernel.ko || { ktap_fail "insmod kminidump_kernel.ko"; return 0; }
cat "$KMD_DBG/regions" >/tmp/regions
cat /tmp/regions >/dev/vda && sync
hostcheck demo_show "$(wc -c < /tmp/regions)" >/dev/null
expect_panic demo_collect
echo c >/proc/sysrq-trigger
