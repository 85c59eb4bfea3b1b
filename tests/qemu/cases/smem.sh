# SPDX-License-Identifier: GPL-2.0
# smem: the Qualcomm minidump backend (kminidump_smem.ko) on the SMEM rig. The
# stock smem driver is loaded before its hwspinlock provider, so the module
# has to wait for it; then APSS is published (variant ok) or refused (the
# others), unloading gives APSS back as the firmware left it, a second load
# takes it again.
# Needs: run.py --kernel arm64-6.12 --smem VARIANT --stock-modules smem,qcom_hwspinlock

variant=$(sed -n 's/.*kmd\.smem=\([a-z0-9]*\).*/\1/p' /proc/cmdline)
[ -n "$variant" ] || { ktap_skip "smem" "not the SMEM rig (run.py --smem VARIANT)"; return 0; }
kmd_insmod kminidump.ko || { ktap_fail "insmod kminidump.ko"; return 0; }
kmd_insmod kminidump_kernel.ko || { ktap_fail "insmod kminidump_kernel.ko"; return 0; }
stock_modprobe smem || { ktap_fail "stock smem.ko"; return 0; }
check "insmod kminidump_smem.ko before the SMEM driver can probe" \
	kmd_insmod kminidump_smem.ko
check "it waits for the SMEM driver" sh -c 'dmesg | grep -q "kminidump_smem: waiting for the qcom_smem driver"'
stock_modprobe qcom_hwspinlock || { ktap_fail "stock qcom_hwspinlock.ko"; return 0; }
sleep 1
rows=$(($(wc -l < "$KMD_DBG/regions") - 1))
log "$rows rows in the table; $(dmesg | grep kminidump_smem | tail -n 2)"

smem_line() { dmesg | grep "kminidump_smem: $1" >/dev/null; }
case $variant in
ok|others)
	check "APSS published once the SMEM driver probed" smem_line "publishing kminidump"
	hostcheck smem_table "$rows"
	;;
uninit|zero) ;;	# the smem driver itself fails: our module keeps waiting
toc0) check "refused: TOC not initialized" smem_line "the minidump TOC is not initialized" ;;
no602) check "refused: no item 602" smem_line "no SMEM item 602" ;;
small602) check "refused: item 602 too small" smem_line "SMEM item 602 is 16 bytes" ;;
disabled) check "refused: minidump disabled" smem_line "the firmware has minidump disabled" ;;
owned) check "refused: APSS already owned" smem_line "the APSS minidump table is already owned" ;;
v11) check "refused: SMEM version 11 (512 items)" smem_line "SMEM holds 512 items" ;;
nosiii) check "refused: 512 items, no item 602" smem_line "SMEM holds 512 items" ;;
esac
case $variant in ok|others) ;; *) hostcheck smem_untouched "$variant" ;; esac

check "the rest of the suite works: kminidump_kernel's rows are there" test "$rows" -gt 20
check "rmmod kminidump_smem" rmmod kminidump_smem
hostcheck smem_untouched "$variant"
if [ "$variant" = ok ]; then
	check "insmod kminidump_smem.ko again" kmd_insmod kminidump_smem.ko
	hostcheck smem_table "$rows"
	check "rmmod kminidump_smem again" rmmod kminidump_smem
	hostcheck smem_untouched ok
fi
