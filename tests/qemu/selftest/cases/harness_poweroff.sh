# SPDX-License-Identifier: GPL-2.0
# Harness self-test: the guest stops in the middle of a case (QEMU pauses, no
# KMD_END): the boot must end as "died".
ktap_ok "before the poweroff"
poweroff -f
sleep 30
