# SPDX-License-Identifier: GPL-2.0
# qemudump (guest side of the QEMU dump-guest-memory column, tests/bench/methods.py):
# no kminidump module; crash with sysrq-c like the other columns.
[ -e /kmd/stock/pvpanic_mmio.load ] && stock_modprobe pvpanic_mmio
[ -e /kmd/stock/pvpanic_pci.load ] && stock_modprobe pvpanic_pci
ktap_ok "bench: ready"
log "bench: crash now"
echo c >/proc/sysrq-trigger
