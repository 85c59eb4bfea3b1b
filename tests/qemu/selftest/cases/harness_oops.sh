# SPDX-License-Identifier: GPL-2.0
# Harness self-test: an unannounced oops must end the boot as "panic".
ktap_ok "before the oops"
echo c >/proc/sysrq-trigger
