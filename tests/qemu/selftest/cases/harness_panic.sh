# SPDX-License-Identifier: GPL-2.0
# Harness self-test: an announced panic; the host checks the KELF of the dead guest.
kmd_insmod kminidump.ko || ktap_fail "insmod kminidump.ko"
ktap_ok "before the panic"
expect_panic selftest_after_panic
echo c >/proc/sysrq-trigger
ktap_fail "still alive after sysrq-c"
