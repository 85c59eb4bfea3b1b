# SPDX-License-Identifier: GPL-2.0
# smem_panic: with kminidump_smem publishing APSS, a crash (kmd.smem_crash=null: an
# oops in kmd_crash, panic by oops=panic; otherwise a sysrq panic on the last CPU);
# the host then collects the md set from SMEM as the firmware would send it and
# opens what QDL's rules, kminidump assemble and extract --smem make of it.
# Needs: run.py --kernel arm64-6.12 --smem ok --stock-modules smem,qcom_hwspinlock

. /kmd/cases/panic_lib.sh
[ -n "$(sed -n 's/.*kmd\.smem=\([a-z0-9]*\).*/\1/p' /proc/cmdline)" ] ||
	{ ktap_skip "smem_panic" "not the SMEM rig (run.py --smem ok)"; return 0; }
panic_load || return 0
stock_modprobe qcom_hwspinlock && stock_modprobe smem || { ktap_fail "stock smem modules"; return 0; }
check "insmod kminidump_smem.ko" kmd_insmod kminidump_smem.ko
rows=$(($(wc -l < "$KMD_DBG/regions") - 1))
hostcheck smem_table "$rows"
if grep -q 'kmd.smem_crash=null' /proc/cmdline; then
	expect_panic smem_crash null
	panic_trigger null 0
else
	expect_panic smem_crash sysrq
	cpu=$(($(nproc) - 1))
	log "sysrq crash on CPU $cpu"
	taskset -c "$cpu" sh -c 'echo c >/proc/sysrq-trigger'
	sleep 20
	ktap_fail "sysrq crash within 20 s"
fi
