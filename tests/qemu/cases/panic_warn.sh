# SPDX-License-Identifier: GPL-2.0
# panic_warn: WARN_ON in kmd_crash_warn_here (panics: panic_on_warn=1).
# One crash per boot; the host then checks the minidump and a full dump (panic_core).

. /kmd/cases/panic_lib.sh
panic_load || return 0
panic_expect warn
panic_trigger warn 0
