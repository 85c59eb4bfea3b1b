# SPDX-License-Identifier: GPL-2.0
# rmem: kminidump_rmem.ko on a reserved buffer the boot set aside (amd64:
# memmap=SIZE$ADDR; arm64: mem= leaves the top of RAM to it), named by
# kmd_rmem=ADDR,SIZE on the command line. The host reads the locator as a
# hypervisor would and kminidump extract --locator gives the scanned core.
# Refusals (no buffer, misaligned, too small, normal RAM) each say one line.

spec=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^kmd_rmem=//p')
if [ -z "$spec" ]; then
	ktap_skip "rmem" "no kmd_rmem=ADDR,SIZE on the command line (tests/run boots it with one)"
	return 0
fi
addr=${spec%,*} size=${spec#*,}
out=$(kmd_insmod kminidump.ko 2>&1) || { ktap_fail "insmod kminidump.ko" "$out"; return 0; }

rload() {	# rload PARAM...: one load; $lines: its log lines
	local n0 rc
	n0=$(dmesg | wc -l)
	KMD_ERR=$(kmd-wr --insmod "$KMD_MODS/kminidump_rmem.ko" "$@" 2>&1)
	rc=$?
	lines=$(dmesg | tail -n +$((n0 + 1)) | grep 'kminidump_rmem: ')
	return $rc
}
refused() {	# refused DESC ERRNO PATTERN PARAM...: the load fails with ERRNO and one matching line
	local desc=$1 err=$2 pat=$3 c
	shift 3
	if rload "$@"; then
		ktap_fail "$desc: refused" "it loaded"
		rmmod kminidump_rmem
		return
	fi
	c=$(echo "$lines" | grep -c -e "$pat")
	case $KMD_ERR in
	*"$err"*) [ "$c" = 1 ] && [ "$(echo "$lines" | wc -l)" = 1 ] && ktap_ok "$desc: $err, one line" ||
		ktap_fail "$desc: one line matching '$pat'" "$lines" ;;
	*) ktap_fail "$desc: $err" "$KMD_ERR" "$lines" ;;
	esac
}

refused_all() {
	refused "no buffer" ENODEV "no buffer: reserve one"
	refused "misaligned" EINVAL "must be page-aligned" mem_address=$((addr + 512)) mem_size=$size
	refused "too small" EINVAL "at least 4096 bytes" mem_address=$addr mem_size=2048
	# the kernel's own code: RAM the kernel uses, whatever the machine's map
	kcode=$(awk -F'[- :]+' '/Kernel code/ { print "0x" $2; exit }' /proc/iomem)
	refused "the kernel's code" EINVAL "overlaps the RAM the kernel uses" \
		mem_address=$(((kcode + 4095) / 4096 * 4096)) mem_size=4096
}

# kmd_rmem_src=dt: the buffer is a devicetree node (run.py --dt-rmem), which comes first:
# no parameters are needed, and the refusals of bad parameters cannot be seen
src=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^kmd_rmem_src=//p')
if [ "$src" = dt ]; then
	params=
	want_src=devicetree
else
	params="mem_address=$addr mem_size=$size"
	want_src=mem_address
	refused_all
fi



if ! rload $params; then
	ktap_fail "insmod kminidump_rmem.ko${params:+ $params}" "$KMD_ERR" "$lines"
	return 0
fi
ktap_ok "insmod kminidump_rmem.ko${params:+ $params}"
case $lines in
*"$want_src buffer at"*) ktap_ok "the buffer comes from $want_src" ;;
*) ktap_fail "the buffer comes from $want_src" "$lines" ;;
esac
log "$lines"
eff=$(cat /sys/module/kminidump_rmem/parameters/mem_address)
[ "$eff" = "$((addr))" ] && ktap_ok "mem_address reflects the buffer" ||
	ktap_fail "mem_address reflects the buffer" "got $eff, want $((addr))"
if [ -r "$KMD_DBG/rmem" ]; then
	r=$(cat "$KMD_DBG/rmem")
	log "$r"
	case $r in
	*"locator: state LIVE"*) ktap_ok "debugfs rmem: the locator is LIVE" ;;
	*) ktap_fail "debugfs rmem: the locator is LIVE" "$r" ;;
	esac
fi
hostcheck locator_at "$addr" LIVE

# footprint: the buffer and the module's own memory
msize=$(awk '$1 == "kminidump_rmem" { print $2 }' /proc/modules)
ktap_ok "footprint" "buffer $((size)) bytes + module $msize bytes (/proc/modules)"

rmmod kminidump_rmem && ktap_ok "rmmod kminidump_rmem" || ktap_fail "rmmod kminidump_rmem"
hostcheck locator_at "$addr" GONE

# a second load finds the first one's locator, says so once, and counts the load
if rload $params; then
	c=$(echo "$lines" | grep -c "held a locator of $(uname -r) (state 3, load 1)")
	[ "$c" = 1 ] && ktap_ok "reload: the previous locator is reported once" ||
		ktap_fail "reload: the previous locator is reported once" "$lines"
	hostcheck locator_at "$addr" LIVE
	rmmod kminidump_rmem
else
	ktap_fail "reload" "$KMD_ERR" "$lines"
fi

# garbage in the buffer (a foreign previous content): reported once, cleared
hostcheck rmem_poke "$addr" 4b4d444c4f434154deadbeef
if rload $params; then
	c=$(echo "$lines" | grep -c "held no valid locator")
	[ "$c" = 1 ] && ktap_ok "garbage in the buffer is reported once" ||
		ktap_fail "garbage in the buffer is reported once" "$lines"
	hostcheck locator_at "$addr" LIVE
	rmmod kminidump_rmem
else
	ktap_fail "load over garbage" "$KMD_ERR" "$lines"
fi

# a previous crash's copy (planted by the host) is kept as last.elf; another kernel's
# is discarded, and so is any with clear=1
if [ "$((size))" -ge $((0x100000)) ]; then
	hostcheck rmem_plant "$addr" 8192 "$(uname -r)"
	if rload $params; then
		c=$(echo "$lines" | grep -c "is kept as kminidump/last.elf")
		[ "$c" = 1 ] && ktap_ok "a previous copy is kept, one line" ||
			ktap_fail "a previous copy is kept, one line" "$lines"
		if [ -r "$KMD_DBG/last.elf" ]; then
			n=$(wc -c <"$KMD_DBG/last.elf")
			m=$(head -c 4 "$KMD_DBG/last.elf" | od -An -tx1 | tr -d ' ')
			[ "$n" = 8192 ] && [ "$m" = 7f454c46 ] && ktap_ok "last.elf: 8192 bytes, ELF" ||
				ktap_fail "last.elf: 8192 bytes, ELF" "$n bytes, starts $m"
		fi
		rmmod kminidump_rmem
	else
		ktap_fail "load over a previous copy" "$KMD_ERR" "$lines"
	fi
	hostcheck rmem_plant "$addr" 8192 "0.0.0-other"
	if rload $params; then
		c=$(echo "$lines" | grep -c "is of kernel 0.0.0-other, not this one: discarded")
		[ "$c" = 1 ] && ktap_ok "another kernel's copy is discarded, one line" ||
			ktap_fail "another kernel's copy is discarded, one line" "$lines"
		[ ! -e "$KMD_DBG/last.elf" ] && ktap_ok "no last.elf for it" || ktap_fail "no last.elf for it"
		rmmod kminidump_rmem
	fi
	hostcheck rmem_plant "$addr" 8192 "$(uname -r)"
	if rload $params clear=1; then
		c=$(echo "$lines" | grep -c "clear=1: the previous crash's copy is discarded")
		[ "$c" = 1 ] && ktap_ok "clear=1 discards the copy, one line" ||
			ktap_fail "clear=1 discards the copy, one line" "$lines"
		rmmod kminidump_rmem
	fi
fi

n=0
while [ $n -lt 20 ]; do
	if ! rload $params; then
		ktap_fail "load/unload cycle $n" "$KMD_ERR" "$lines"
		break
	fi
	rmmod kminidump_rmem || { ktap_fail "rmmod in cycle $n"; break; }
	n=$((n + 1))
done
[ $n = 20 ] && ktap_ok "20 load/unload cycles"
rmmod kminidump
