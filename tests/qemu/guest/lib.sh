# SPDX-License-Identifier: GPL-2.0
# Guest-side library for QEMU test cases (busybox ash). /init sources it and
# runs each case (tests/qemu/cases/NAME.sh) in a subshell with it sourced.
#
# Output goes to the KTAP channel (fd 3, a virtio-serial port the host reads
# live) and to the console. Results are numbered across all cases of a boot.
#
#   ktap_ok DESC                  one passing result
#   ktap_fail DESC [DIAG...]      one failing result; each DIAG becomes a "# " line
#   ktap_skip DESC REASON         one skipped result
#   check DESC CMD...             run CMD; ok if it exits 0, else fail with its output
#   log MSG...                    a diagnostic "# " line
#   hostcheck NAME [ARGS...]      ask the host to run check NAME (tests/qemu/hostchecks/);
#                                 blocks until it answers; returns 0 if it passed, 1 if
#                                 not; its message is in $KMD_HOST_MSG. The host reports
#                                 the result as its own KTAP line: do not report it again.
#   expect_errno ENAME CMD...     run CMD (or one shell string, e.g. "echo x > $KMD_DBG/control")
#                                 and return 0 if it failed with errno ENAME; the reason
#                                 otherwise is in $KMD_ERR. Use kwrite FILE DATA... as CMD
#                                 for an exact single write(2).
#   kwrite FILE DATA...           write DATA (joined by spaces, plus '\n') in one write(2)
#   expect_panic [CHECK ARGS...]  tell the host the next thing this case does panics the
#                                 kernel on purpose; after the guest stops, the host runs
#                                 host check CHECK with ARGS (if given) on the dead guest
#   kmd_insmod NAME.ko [PARAMS]   insmod one of our modules from /kmd/modules; after
#                                 kminidump.ko, on kernels without KALLSYMS_ALL, kmd_symbols
#   kmd_symbols                   load /kmd/System.map (data symbols) into $KMD_DBG/symbols
#   kmd_symaddr NAME              runtime address of NAME (hex) from kallsyms or the table
#   stock_modprobe NAME           insmod a stock module (and its dependencies) that the
#                                 run packed with --stock-modules NAME
#   kmd_check_regions             right after insmod kminidump_kernel.ko: host check
#                                 kernel_regions, every region it wants found or expected
#                                 missing here (tests/missing-regions.conf)
#
# Variables: KMD_CASE (current case), KMD_DBG (/sys/kernel/debug/kminidump),
# KMD_MODS (/kmd/modules), KMD_KERNEL, KMD_ARCH, KMD_KVER.

KMD_DBG=/sys/kernel/debug/kminidump
KMD_MODS=/kmd/modules
KMD_STATE=/tmp/kmd
[ -r /kmd/env ] && . /kmd/env

_kmd_out() {
	echo "$*" >&3
	echo "$*"
}

_kmd_count() {	# _kmd_count pass|fail|skip: bump the counters, print the result number
	local n v
	n=$(cat "$KMD_STATE/n" 2>/dev/null || echo 0)
	n=$((n + 1))
	echo "$n" >"$KMD_STATE/n"
	v=$(cat "$KMD_STATE/$1" 2>/dev/null || echo 0)
	echo $((v + 1)) >"$KMD_STATE/$1"
	echo "$n"
}

_kmd_desc() {
	if [ -n "${KMD_CASE:-}" ]; then echo "$KMD_CASE: $*"; else echo "$*"; fi
}

log() {
	local l
	printf '%s\n' "$*" | while IFS= read -r l; do _kmd_out "# $l"; done
}

ktap_ok() {
	_kmd_out "ok $(_kmd_count pass) $(_kmd_desc "$*")"
}

ktap_fail() {
	local desc=$1 d
	shift
	_kmd_out "not ok $(_kmd_count fail) $(_kmd_desc "$desc")"
	for d in "$@"; do log "$d"; done
}

ktap_skip() {
	_kmd_out "ok $(_kmd_count skip) $(_kmd_desc "$1") # SKIP ${2:-}"
}

check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_ok "$desc"
	else
		ktap_fail "$desc" "command: $*" "$out"
		return 1
	fi
}

hostcheck() {
	local st msg line
	echo "# HOSTCHECK $*" >&3
	echo "# HOSTCHECK $*"
	while IFS= read -r line <&3; do
		case $line in
		"# HOSTDONE "*)
			line=${line#\# HOSTDONE }
			st=${line%% *}
			msg=${line#"$st"}
			KMD_HOST_MSG=${msg# }
			echo "# HOSTDONE $st $KMD_HOST_MSG"
			[ "$st" = 0 ]
			return
			;;
		esac
	done
	KMD_HOST_MSG="KTAP channel closed"
	return 1
}

expect_panic() {
	hostcheck EXPECT_PANIC "$@" >/dev/null
}

kwrite() {
	/kmd/bin/kmd-wr "$@"
}

expect_errno() {
	local want=$1 out rc msg
	shift
	KMD_ERR=
	if [ $# -eq 1 ]; then
		out=$(eval "$1" 2>&1)
	else
		out=$("$@" 2>&1)
	fi
	rc=$?
	if [ $rc -eq 0 ]; then
		KMD_ERR="succeeded, expected $want"
		return 1
	fi
	msg=$(/kmd/bin/kmd-wr --strerror "$want" 2>/dev/null) || {
		KMD_ERR="unknown errno name $want"
		return 1
	}
	case $out in
	*"($want)"*|*"$msg"*) return 0 ;;
	esac
	KMD_ERR="failed (exit $rc) but not with $want ($msg): $out"
	return 1
}

kmd_insmod() {
	local m=$1
	shift
	insmod "$KMD_MODS/$m" "$@" || return
	# a kernel without KALLSYMS_ALL resolves data symbols only from a loaded table,
	# as a user would load it with `kminidump symbols --system-map`
	if [ "$m" = kminidump.ko ] && ! kmd_kallsyms_all; then
		kmd_symbols || true
	fi
}

kmd_kallsyms_all() {	# does /proc/kallsyms list data symbols? (read once: it is slow)
	[ -e /tmp/kmd_kallsyms_all ] ||
		{ grep -q ' jiffies_64$' /proc/kallsyms && echo 1 || echo 0; } >/tmp/kmd_kallsyms_all
	[ "$(cat /tmp/kmd_kallsyms_all)" = 1 ]
}

kmd_symaddr() {	# kmd_symaddr NAME: runtime address (hex, no 0x) from kallsyms or the loaded table
	local a off
	a=$(awk -v n="$1" '$3 == n { print $1; exit }' /proc/kallsyms)
	if [ -z "$a" ] && [ -r /kmd/System.map ]; then
		off=$(sed -n 's/.*KASLR offset 0x\([0-9a-f]*\).*/\1/p' "$KMD_DBG/symbols")
		a=$(awk -v n="$1" '$3 == n { print $1; exit }' /kmd/System.map)
		[ -n "$a" ] && [ -n "$off" ] && a=$(printf '%x' $((0x$a + 0x$off)))
	fi
	echo "$a"
}

kmd_symbols() {	# load /kmd/System.map into the core's symbol table
	[ -r /kmd/System.map ] || { log "no /kmd/System.map to load"; return 1; }
	[ -e "$KMD_DBG/symbols" ] || { log "no $KMD_DBG/symbols (debugfs off?)"; return 1; }
	cat /kmd/System.map >"$KMD_DBG/symbols" && log "$(head -n 2 "$KMD_DBG/symbols" | tail -n 1)"
}

stock_modprobe() {
	local m f
	[ -r "/kmd/stock/$1.load" ] || {
		echo "stock module $1 not packed; run with --stock-modules $1" >&2
		return 1
	}
	while read -r f; do
		m=${f%.ko}
		[ -d "/sys/module/$m" ] && continue
		insmod "/kmd/stock/$f" || return 1
	done <"/kmd/stock/$1.load"
}

kmd_check_regions() {	# what kminidump_kernel found, judged by tests/missing-regions.conf
	local fl='' k=$KMD_DBG/kernel missing ok off count
	[ "$(cat /sys/module/kminidump/parameters/use_kprobes 2>/dev/null)" = N ] && fl=nokprobes
	grep -q '^table: [0-9]' "$KMD_DBG/symbols" 2>/dev/null || fl=${fl:+$fl,}notable
	if [ -r "$k" ]; then
		missing=$(awk 'NR > 1 && $2 == "missing" { print $1 }' "$k" | paste -sd, -)
		ok=$(awk 'NR > 1 && $2 == "ok" { print $1 ":" $3 ":" $5 }' "$k" | paste -sd, -)
		off=$(awk 'NR > 1 && $2 == "off" { print $1 }' "$k" | paste -sd, -)
		hostcheck kernel_regions src=debugfs "flavours=${fl:--}" "missing=${missing:--}" \
			"ok=${ok:--}" "off=${off:--}" || log "$(cat "$k")"
	else
		# the log lines of the last load: "region X missing: why" lines, then the
		# "registered N regions (B bytes), M missing" line
		set -- $(dmesg | awk '
			/kminidump_kernel: region .* missing:/ {
				for (i = 1; i < NF; i++) if ($i == "region") { m = m (m ? "," : "") $(i + 1); break }
			}
			/kminidump_kernel: registered [0-9]+ regions/ {
				last = m; m = ""
				for (i = 1; i <= NF; i++) if ($i == "missing") c = $(i - 1)
			}
			END { print (last ? last : "-"), c + 0 }')
		hostcheck kernel_regions src=dmesg "flavours=${fl:--}" "missing=$1" "count=$2" ||
			log "$(dmesg | grep 'kminidump_kernel: ')"
	fi
}
