# SPDX-License-Identifier: GPL-2.0
# panic_sysrq: sysrq-c (panic() from sysrq_handle_crash) on CPU 1 (0 with one CPU),
# with the crash modules loaded.
# One crash per boot; the host then checks the minidump and a full dump (panic_core).

. /kmd/cases/panic_lib.sh
panic_load || return 0
panic_expect sysrq
cpu=$(panic_cpu 1)
log "sysrq-c on CPU $cpu"
taskset -c "$cpu" sh -c 'echo c >/proc/sysrq-trigger'
ktap_fail "sysrq-c on CPU $cpu crashes the kernel"
