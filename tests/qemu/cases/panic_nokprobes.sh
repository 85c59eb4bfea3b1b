# SPDX-License-Identifier: GPL-2.0
# panic_nokprobes: what a kernel without kprobes gets (kminidump.use_kprobes=0, as on a
# GKI kernel whose KMI lacks register_kprobe): symbols only from a loaded table (as
# `kminidump symbols --system-map` sends it), one log line from each module saying
# so, and at an oops (NULL dereference in kmd_crash_null_deref) still a minidump with
# the crashing CPU's registers (from the oops: the die notifier needs no kprobe), its
# task and stack; the other CPUs are not captured. panic_core ... nokprobes checks that.

. /kmd/cases/panic_lib.sh
n0=$(dmesg | wc -l)
out=$(insmod "$KMD_MODS/kminidump.ko" use_kprobes=0 2>&1) ||
	{ ktap_fail "insmod kminidump.ko use_kprobes=0" "$out"; return 0; }
check "load the System.map (data symbols) into $KMD_DBG/symbols" kmd_symbols
for m in kminidump_kernel.ko kmd_crash.ko; do
	out=$(insmod "$KMD_MODS/$m" 2>&1) || { ktap_fail "insmod $m" "$out"; return 0; }
done
lines=$(dmesg | tail -n +$((n0 + 1)))
[ "$(echo "$lines" | grep -c 'kminidump: .*kprobes disabled')" = 1 ] &&
	ktap_ok "kminidump: one line says kprobes are off" ||
	ktap_fail "kminidump: one line says kprobes are off" "$lines"
[ "$(echo "$lines" | grep -c 'kminidump_kernel: panic capture: kprobes unavailable')" = 1 ] &&
	ktap_ok "kminidump_kernel: one line says the capture has no kprobes" ||
	ktap_fail "kminidump_kernel: one line says the capture has no kprobes" "$lines"
kmd_check_regions
panic_expect null nokprobes
panic_trigger null 0
