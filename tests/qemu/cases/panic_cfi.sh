# SPDX-License-Identifier: GPL-2.0
# panic_cfi: an indirect call through a pointer of the wrong type in kmd_crash_cfi_call;
# on a kernel with kCFI (CONFIG_CFI_CLANG: the GKI-like arm64-gki) a "CFI failure" oops,
# then panic (oops=panic). Proves the kernel enforces kCFI on module code, so the other
# cases passing on it mean the modules' indirect calls are well typed.
# One crash per boot; the host then checks the minidump (panic_core).

. /kmd/cases/panic_lib.sh
panic_load || return 0
if [ "$(cat /sys/module/kmd_crash/parameters/kcfi)" != Y ]; then
	ktap_skip "CFI failure panics" "this kernel has no kCFI (CONFIG_CFI_CLANG)"
	return 0
fi
panic_expect cfi
panic_trigger cfi 0
