# SPDX-License-Identifier: GPL-2.0
# e2e_notable: the e2e case with no symbol table at all (issue 14: a kernel without
# KALLSYMS_ALL, no System.map): only vmcoreinfo_pa= from /sys/kernel/vmcoreinfo, as
# modprobe.d/kminidump.conf passes it. The host checks drgn (open, release, printk, the
# panic task's stack), kminidump dmesg and the bytes; jiffies_64 and nr_irqs are data
# symbols VMCOREINFO does not name: their absence is checked (docs/kernel.md).
# Needs: run.py --disk 8 --stock-modules virtio_blk

# shellcheck disable=SC2034 # read by e2e.sh
KMD_E2E_NOTABLE=1
. /kmd/cases/e2e.sh
