# SPDX-License-Identifier: GPL-2.0
# panic_kthread: panic() from kthread kmd_crash_panic (kmd_crash_panic_here).
# One crash per boot; the host then checks the minidump and a full dump (panic_core).

. /kmd/cases/panic_lib.sh
panic_load || return 0
panic_expect panic-kthread
panic_trigger panic-kthread 1
