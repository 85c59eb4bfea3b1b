# SPDX-License-Identifier: GPL-2.0
# modprobe_rule: /lib/modprobe.d/kminidump.conf as make install and kminidump-dkms lay it
# out. Its install command runs kminidump-load, which passes vmcoreinfo_pa= from
# /sys/kernel/vmcoreinfo, feeds a real System.map of the running release when there is
# one (Debian's one-line placeholder is skipped), says in one kernel-log line what it fed,
# and fails only when the module load fails. The guest has no host tool, so the table
# goes in as is (the way without kminidump-tools installed).

R=/kmd/modprobe.d
L=/usr/libexec/kminidump/kminidump-load
cmd=$(sed -n 's/^install kminidump //p' "$R/kminidump.conf")
[ "$cmd" = "$L \$CMDLINE_OPTS" ] && ktap_ok "kminidump.conf: install kminidump runs $L" ||
	ktap_fail "kminidump.conf: install kminidump runs $L" "$(cat "$R/kminidump.conf")"
mkdir -p "${L%/*}" /boot && cp "$R/kminidump-load" "$L"
export KMINIDUMP_MODPROBE="insmod $KMD_MODS/kminidump.ko"
map=/boot/System.map-$(uname -r)
pa=$(cut -d" " -f1 /sys/kernel/vmcoreinfo 2>/dev/null || echo 0)

rule() {	# rule WHAT: run the rule as modprobe does; $rc, $line: its kernel-log lines
	local n0
	n0=$(dmesg | wc -l)
	"$L"
	rc=$?
	line=$(dmesg | tail -n +$((n0 + 1)) | grep 'kminidump-load: ')
	[ "$rc" = 0 ] || { ktap_fail "$1: the rule loads the core (exit $rc)"; return 1; }
	[ "$(echo "$line" | grep -c .)" = 1 ] && echo "$line" | grep -q "vmcoreinfo_pa=$pa; " &&
		ktap_ok "$1: one line, vmcoreinfo_pa=$pa" ||
		ktap_fail "$1: one line, vmcoreinfo_pa=$pa" "$line"
	[ "$(($(cat /sys/module/kminidump/parameters/vmcoreinfo_pa)))" = "$((pa))" ] &&
		ktap_ok "$1: the core has vmcoreinfo_pa=$pa" ||
		ktap_fail "$1: the core has vmcoreinfo_pa=$pa" \
			"$(cat /sys/module/kminidump/parameters/vmcoreinfo_pa)"
}
fed() {	# fed WHAT FED TABLE: the line names what was fed; TABLE: none or loaded
	log "$line"
	case $line in	# a pattern, not a regex: a release has '+' (6.12.118+deb12)
	*"symbols: $2" | *"symbols: $2 ("*) ktap_ok "$1: the line says $2" ;;
	*) ktap_fail "$1: the line says $2" "$line" ;;
	esac
	if [ "$3" = none ]; then
		grep -q "table: none" "$KMD_DBG/symbols" && ktap_ok "$1: no table loaded" ||
			ktap_fail "$1: no table loaded" "$(cat "$KMD_DBG/symbols")"
	else
		grep -q "table: [0-9]* symbols" "$KMD_DBG/symbols" && ktap_ok "$1: a table is loaded" ||
			ktap_fail "$1: a table is loaded" "$(cat "$KMD_DBG/symbols")"
	fi
}

echo "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package" >"$map"
if rule "Debian's placeholder System.map"; then
	fed "Debian's placeholder System.map" "none" none
	rmmod kminidump
fi
if [ -r /kmd/System.map ]; then
	cp /kmd/System.map "$map"
	if rule "a real System.map in /boot"; then
		fed "a real System.map in /boot" "$map" loaded
		rmmod kminidump
	fi
else
	ktap_skip "a real System.map in /boot" "no /kmd/System.map (kernel fetched without --dbg)"
fi
rm -f "$map"
KMINIDUMP_MODPROBE=false "$L"
rc=$?
[ "$rc" != 0 ] && ktap_ok "a load that fails is the rule's failure (exit $rc)" ||
	ktap_fail "a load that fails is the rule's failure (exit 0)"
lsmod | grep -q '^kminidump ' && rmmod kminidump
unset KMINIDUMP_MODPROBE
rm -rf /usr/libexec/kminidump
