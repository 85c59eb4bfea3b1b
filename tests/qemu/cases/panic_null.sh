# SPDX-License-Identifier: GPL-2.0
# panic_null: NULL dereference in kmd_crash_null_deref (oops, then panic: oops=panic).
# One crash per boot; the host then checks the minidump and a full dump (panic_core).

. /kmd/cases/panic_lib.sh
panic_load || return 0
panic_expect null
panic_trigger null 0
