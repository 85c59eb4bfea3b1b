# SPDX-License-Identifier: GPL-2.0
# panic_bug_wq: BUG() in a workqueue item (kmd_crash_bug_work -> kmd_crash_bug_here).
# One crash per boot; the host then checks the minidump and a full dump (panic_core).

. /kmd/cases/panic_lib.sh
panic_load || return 0
panic_expect bug-wq
panic_trigger bug-wq 1
