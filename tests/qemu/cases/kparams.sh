# SPDX-License-Identifier: GPL-2.0
# kparams: every kminidump_kernel.ko parameter, good and bad values (docs/kernel.md):
# what each one loads, the log lines it promises, and that a refused value leaves the
# table as it was. Each load is one finit_module(2) (kmd-wr --insmod), so a refused
# module logs once. With more than 64 possible CPUs (the manycpus boot: run.py
# --maxcpus 65) panic_cpus=65 must say that at most 64 CPUs are captured.

K=$KMD_DBG/kernel
R=$KMD_DBG/regions
ncpus=$(($(sed 's/.*-//' /sys/devices/system/cpu/possible) + 1))
cap=
[ "$ncpus" -gt 8 ] && cap=capacity=4096	# 9 rows per CPU, 12 more per captured CPU
out=$(kmd_insmod kminidump.ko $cap 2>&1) || { ktap_fail "insmod kminidump.ko $cap" "$out"; return 0; }

kload() {	# kload PARAM...: load the module once; $lines: its log lines, $KMD_ERR
	local n0 rc
	n0=$(dmesg | wc -l)
	KMD_ERR=$(kmd-wr --insmod "$KMD_MODS/kminidump_kernel.ko" "$@" 2>&1)
	rc=$?
	lines=$(dmesg | tail -n +$((n0 + 1)) | grep 'kminidump_kernel: ')
	return $rc
}
kunload() {
	rmmod kminidump_kernel || ktap_fail "rmmod kminidump_kernel ($*)"
	[ "$(rows)" = 1 ] || ktap_fail "rmmod kminidump_kernel ($*) leaves only the header row" "$(cat "$R")"
}
state() { awk -v r="$1" 'NR > 1 && $1 == r { print $2 }' "$K"; }
states() { awk -v s="$1" 'NR > 1 && $2 == s { print $1 }' "$K" | sort | paste -sd' ' -; }
rows() { echo $(($(wc -l <"$R") - 1)); }
# rows whose name, without its trailing digits and underscores, is $1
named() { awk -v n="$1" 'NR > 1 { x = $3; sub(/[0-9_]+$/, "", x); if (x == n) c++ } END { print c + 0 }' "$R"; }
exact() { awk -v n="$1" 'NR > 1 && $3 == n { c++ } END { print c + 0 }' "$R"; }
said() {	# said DESC PATTERN: exactly one log line of the last load matches
	local c
	c=$(echo "$lines" | grep -c -e "$2")
	[ "$c" = 1 ] && ktap_ok "$1" || ktap_fail "$1" "$c lines match '$2':" "$lines"
}

# the default set: the reference for the others
if kload; then
	def_ok=$(states ok) def_rows=$(rows) def_cap=$(named ptask)
	kmd_check_regions
	[ "$(state kallsyms)" = off ] && ktap_ok "default: kallsyms is off" ||
		ktap_fail "default: kallsyms is off" "$(cat "$K")"
	[ "$def_cap" = "$((ncpus < 64 ? ncpus : 64))" ] &&
		ktap_ok "default: panic_cpus=64 captures $def_cap of $ncpus CPUs" ||
		ktap_fail "default: the task of min(64, $ncpus) CPUs is captured" "$def_cap ptask rows"
	kunload default
else
	ktap_fail "default parameters load" "$KMD_ERR" "$lines"
	return 0
fi

if kload regions=minimal; then
	off=$(states off) bad=
	for r in $(states ok); do
		case " $def_ok " in *" $r "*) ;; *) bad="$bad $r" ;; esac
	done
	[ -n "$off" ] && [ -z "$bad" ] && [ "$(rows)" -lt "$def_rows" ] &&
		[ "$(state panic_capture)" = ok ] &&
		ktap_ok "regions=minimal: $(rows) rows of $def_rows, off: $off" ||
		ktap_fail "regions=minimal: a subset of the default set, capture on" \
			"off: $off; found only here: $bad; $(rows) rows (default $def_rows)" "$(cat "$K")"
	kmd_check_regions
	kunload regions=minimal
else
	ktap_fail "regions=minimal loads" "$KMD_ERR" "$lines"
fi

if kload regions=none; then
	found=$(states ok; states missing)
	# the capture's rows are panic rows, but for orc_blocks (lookup_num_blocks, read at load)
	notp=$(awk 'NR > 2 && $8 !~ /P/ && $3 != "orc_blocks"' "$R")
	[ -z "$found" ] && [ -z "$notp" ] && [ "$(named ptask)" = "$def_cap" ] &&
		ktap_ok "regions=none: no region, the capture's $(($(rows) - 1)) panic rows only" ||
		ktap_fail "regions=none: no region, capture only" "regions: $found" \
			"rows without the panic flag: $notp"
	kunload regions=none
else
	ktap_fail "regions=none loads" "$KMD_ERR" "$lines"
fi

if kload kallsyms=1; then
	n=$(awk 'NR > 1 && $1 == "kallsyms" { print $3 }' "$K")
	[ "$(state kallsyms)" = ok ] && [ "${n:-0}" -ge 4 ] && [ "$(rows)" -gt "$def_rows" ] &&
		ktap_ok "kallsyms=1: the kallsyms tables in $n rows" ||
		ktap_fail "kallsyms=1: the kallsyms tables are registered" "$(cat "$K")"
	kmd_check_regions
	kunload kallsyms=1
else
	ktap_fail "kallsyms=1 loads" "$KMD_ERR" "$lines"
fi

if kload regions=none extra=jiffies_64:8,linux_banner:32; then
	awk 'NR > 1 && $1 == "extra" && $2 == "ok" && $3 == 2 && $4 == 40' "$K" | grep -q . &&
		ktap_ok "extra=jiffies_64:8,linux_banner:32: 2 rows, 40 bytes" ||
		ktap_fail "extra=: 2 rows, 40 bytes" "$(cat "$K")"
	hostcheck region_at jiffies_64 "0x$(kmd_symaddr jiffies_64)" 8
	hostcheck region_at linux_banner "0x$(kmd_symaddr linux_banner)" 32
	kunload extra
else
	ktap_fail "extra=jiffies_64:8,linux_banner:32 loads" "$KMD_ERR" "$lines"
fi

# bad items are skipped with one line each; the module still loads
if kload regions=none extra=no_such_symbol_x:8,jiffies_64,linux_banner:0; then
	said "extra: an unknown symbol is one line" 'extra: symbol no_such_symbol_x not found'
	said "extra: an item without a size is one line" "extra: 'jiffies_64' is not symbol:size"
	said "extra: a zero size is one line" "extra: 'linux_banner:0' is not symbol:size"
	[ "$(state extra)" = "" ] && [ "$(exact jiffies_64)" = 0 ] &&
		ktap_ok "extra: no row for a bad item" || ktap_fail "extra: no row for a bad item" "$(cat "$R")"
	kunload bad extra
else
	ktap_fail "bad extra= items: the module still loads" "$KMD_ERR" "$lines"
fi

if kload panic_cpus=1; then
	[ "$(named ptask)" = 1 ] && [ "$(named pstack)" -ge 1 ] &&
		ktap_ok "panic_cpus=1: one CPU's task and stack rows" ||
		ktap_fail "panic_cpus=1: one CPU's rows" "$(named ptask) ptask rows"
	kunload panic_cpus=1
else
	ktap_fail "panic_cpus=1 loads" "$KMD_ERR" "$lines"
fi

if kload panic_cpus=65; then
	want=$((ncpus < 64 ? ncpus : 64))
	if [ "$ncpus" -gt 64 ]; then
		said "panic_cpus=65 on $ncpus CPUs: one line, at most 64 are captured" \
			'panic capture: panic_cpus=65, at most 64 CPUs are captured'
	else
		echo "$lines" | grep -q 'at most 64' &&
			ktap_fail "panic_cpus=65 on $ncpus CPUs: no 64-CPU line" "$lines" ||
			ktap_ok "panic_cpus=65 on $ncpus CPUs: no 64-CPU line"
	fi
	[ "$(named ptask)" = "$want" ] && ktap_ok "panic_cpus=65: $want CPUs captured" ||
		ktap_fail "panic_cpus=65: $want CPUs captured" "$(named ptask) ptask rows" "$lines"
	kunload panic_cpus=65
else
	ktap_fail "panic_cpus=65 loads" "$KMD_ERR" "$lines"
fi

for p in capture=0 panic_cpus=0; do
	if kload $p; then
		s=$(awk 'NR > 1 && $1 == "panic_capture"' "$K")
		case $s in
		*" off "*|*"off: "*) ktap_ok "$p: capture off" ;;
		*) ktap_fail "$p: capture off" "$s" ;;
		esac
		[ "$(awk 'NR > 1 && $8 ~ /P/' "$R" | wc -l)" = 0 ] && ktap_ok "$p: no panic row" ||
			ktap_fail "$p: no panic row" "$(cat "$R")"
		kunload $p
	else
		ktap_fail "$p loads" "$KMD_ERR" "$lines"
	fi
done

# refused values: EINVAL, one line naming the value, nothing left in the table
for p in "regions=bogus|regions=bogus: expected default, minimal or none" \
	 "kallsyms=maybe|invalid for parameter .kallsyms" \
	 "panic_cpus=-1|invalid for parameter .panic_cpus" \
	 "capture=2|invalid for parameter .capture"; do
	v=${p%%|*}
	if kload $v; then
		ktap_fail "$v is refused" "it loaded"
		kunload $v
		continue
	fi
	case $KMD_ERR in
	*"(EINVAL)"*) ;;
	*) ktap_fail "$v is refused with EINVAL" "$KMD_ERR"; continue ;;
	esac
	said "$v: refused, one line says why" "${p#*|}"
	[ "$(rows)" = 1 ] || ktap_fail "$v: the table is unchanged" "$(cat "$R")"
done
# an unknown parameter is the kernel's business: ignored, with its own line
if kload no_such_param=1; then
	said "an unknown parameter: loaded, one line says it is ignored" \
		"unknown parameter 'no_such_param' ignored"
	kunload no_such_param
else
	ktap_fail "an unknown parameter is ignored" "$KMD_ERR" "$lines"
fi
rmmod kminidump || ktap_fail "rmmod kminidump"
