#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the kminidump host tool, on synthetic inputs built by gen.py from
# specs/*.spec: golden outputs (expect/*.expect), error cases with their message
# and exit code, a makedumpfile cross-check, and a bounded libFuzzer run per parser.
# Prints one KTAP line per test and ends with "N passed, N failed[, N skipped]".
#
# Usage: tests/tool/run.sh [--update] [--fuzz-time SECONDS] [--no-fuzz] [--keep] [PATTERN]
#   --update         rewrite the .expect files from the current output (review the diff!)
#   --fuzz-time S    seconds per fuzz target (default 3; 0 skips fuzzing)
#   --keep           keep the work directory
#   PATTERN          run only tests whose name matches this extended regex
set -euo pipefail

usage() { sed -n '8,12s/^# \{0,1\}//p' "$0"; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
TOOLDIR=$TOP/src/tool
UPDATE=0 FUZZ_TIME=3 KEEP=0 PATTERN=
while [ $# -gt 0 ]; do
	case $1 in
	--update) UPDATE=1 ;;
	--fuzz-time) FUZZ_TIME=$2; shift ;;
	--no-fuzz) FUZZ_TIME=0 ;;
	--keep) KEEP=1 ;;
	-h|--help) usage ;;
	-*) usage ;;
	*) PATTERN=$1 ;;
	esac
	shift
done

W=$(mktemp -d /tmp/kminidump-tool-tests.XXXXXX)
BGPIDS=()
cleanup() {
	local p
	for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ "$KEEP" = 1 ]; then echo "# work directory kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

N=0 PASS=0 FAIL=0 SKIP=0
KMD=$TOOLDIR/kminidump-asan	# every test runs under ASan + UBSan
SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

want() { [ -z "$PATTERN" ] || [[ $1 =~ $PATTERN ]]; }
ok() { N=$((N + 1)); PASS=$((PASS + 1)); echo "ok $N - $1${2:+ # $2}"; }
not_ok() {
	N=$((N + 1)); FAIL=$((FAIL + 1)); echo "not ok $N - $1"
	[ -n "${2:-}" ] && sed 's/^/# /' <<<"$2" | head -40
	return 0
}
skip() { N=$((N + 1)); SKIP=$((SKIP + 1)); echo "ok $N - $1 # SKIP $2"; }

# check NAME COMMAND...: pass if the command succeeds, show its output if not
check() {
	want "$1" || return 0
	must "$@"
}

# must NAME COMMAND...: a check that runs whatever the PATTERN (build, inputs)
must() {
	local name=$1 out
	shift
	if out=$(cd "$W" && "$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

# Runs a kminidump command in $W; output = stdout, stderr, exit code, with times masked.
capture() {
	local rc=0
	(cd "$W" && timeout 120 "$KMD" "$@") >"$W/.out" 2>"$W/.err" || rc=$?
	{
		cat "$W/.out"
		if [ -s "$W/.err" ]; then echo "--- stderr"; cat "$W/.err"; fi
		echo "--- exit $rc"
	} | sed -E 's/in [0-9]+\.[0-9]+ s$/in T s/'
}

# golden NAME ARGS...: compare the captured output with expect/NAME.expect
golden() {
	local name=$1 exp=$HERE/expect/$1.expect got
	shift
	want "$name" || return 0
	got=$(capture "$@")
	if [ "$UPDATE" = 1 ]; then
		printf '%s\n' "$got" >"$exp"
		ok "$name" "updated"
	elif [ ! -f "$exp" ]; then
		not_ok "$name" "no $exp; run with --update"
	elif diff -u "$exp" <(printf '%s\n' "$got") >"$W/.diff"; then
		ok "$name"
	else
		not_ok "$name" "$(cat "$W/.diff")"
	fi
}

gen() { python3 "$HERE/gen.py" "$HERE/specs/$1.spec" "${@:2}"; }
loc() { python3 "$HERE/gen_locator.py" "$@"; }

# ---- build ----
must build make -s -C "$TOOLDIR" kminidump
must build-asan make -s -C "$TOOLDIR" kminidump-asan
if [ ! -x "$KMD" ]; then
	echo "# the tool did not build; nothing else can run"
	echo "$PASS passed, $((FAIL + 1)) failed"
	exit 1
fi

# ---- inputs ----
cp -r "$HERE/data" "$W/data"
gen_all() {
	gen x86 --ram x86.ram --qemu x86.qemu --qemu-xnum x86x.qemu --core x86.expected --dmesg x86.model --md x86md &&
	gen arm64 --ram arm64.ram --core arm64.expected --dmesg arm64.model --md arm64md &&
	gen fuzz --ram fuzz.ram --qemu fuzz.qemu --core fuzz.expected --kelf fuzz.kelf \
		--md-pack fuzz.mdp &&
	for s in overlap huge total outside badmagic badcount dmesg-bits wrap unstable; do gen $s --ram $s.ram || return 1; done
	loc x86.ram@0x1000000 0x1200000 0x8000000 loc.ram &&
	loc x86.ram@0x1000000 0x1200000 0x8000000 loc-crc.ram bad_crc=1 &&
	loc x86.ram@0x1000000 0x1200000 0x8000000 loc-seq.ram seq=3 &&
	loc x86.ram@0x1000000 0x1200000 0x8000000 loc-gone.ram state=3 &&
	loc x86.ram@0x1000000 0x1200000 0x9000000 loc-moved.ram &&
	loc x86.ram@0x1000000 0x1200000 0x8000000 loc-version.ram version=2 &&
	loc x86.ram@0x1000000 0x1200000 0x8000000 loc-kelf.ram kelf_pa=0x1100000 &&
	loc x86.ram@0x1000000 0x1200000 0x8000000 loc-size.ram kelf_size=0x2000 &&
	loc x86.ram@0x1000000 0x1200000 0x8000000 loc-copy.ram flags=1 copy_off=0x1000 copy_size=0x1000 buf_size=0x2000 &&
	loc x86.ram@0x1000000 0x1200000 0x8000000 loc-copyout.ram flags=1 copy_off=0x1000 copy_size=0x1001 buf_size=0x2000 &&
	loc x86.ram@0x1000000 0x1200000 0x13ff000 loc-last.ram &&
	python3 -c 'import sys; r = open("x86.ram", "rb").read(); l = open("loc-last.ram", "rb").read(); open("fuzz-loc.ram", "wb").write(r[:-4096] + l)' &&
	python3 "$HERE/make_ko.py" kmd_fake.ko &&
	for s in panic-x86 panic-x86-errors panic-x86-irq panic-x86-kmods panic-arm64 panic-arm64-errors panic-arm64-exc; do
		gen $s --ram $s.ram --core $s.expected || return 1
	done
}
must generate gen_all

# ---- one spec per format: include/uapi against the Python spelling of kmdqemu ----
check uapi-layout python3 "$HERE/layout.py" -v

# ---- the arm64 panic() probe's entry skip on synthesized (BTI, PAC) prologues ----
check entry-skip sh -c "cc -std=c11 -Wall -Wextra -Werror -o entry_skip_test '$HERE/entry_skip_test.c' && ./entry_skip_test"

# ---- x86_64: extract, info, dmesg, assemble ----
golden extract-x86 extract --ram x86.ram@0x1000000 -o x86.core
check extract-x86-bytes cmp x86.core x86.expected
golden extract-x86-qemu extract --dump x86.qemu -o x86q.core
check extract-x86-qemu-bytes cmp x86q.core x86.expected
check extract-x86-qemu-xnum sh -c "'$KMD' -q extract --dump x86x.qemu -o x86x.core && cmp x86x.core x86.expected"
golden extract-x86-kelf-pa extract -q --ram x86.ram@16777216 --kelf 0x1200000 -o x86k.core
check extract-x86-kelf-pa-bytes cmp x86k.core x86.expected
check extract-x86-plain sh -c "'$TOOLDIR/kminidump' extract -q --ram x86.ram@0x1000000 -o x86p.core && cmp x86p.core x86.expected"
readelf_loads() { [ "$(readelf -lW "$1" | grep -c '^  LOAD')" = "$2" ]; }
if command -v readelf >/dev/null; then
	check extract-x86-readelf readelf_loads x86.core 15
else
	want extract-x86-readelf && skip extract-x86-readelf "no readelf"
fi
golden info-x86 info x86.core

# ---- the kminidump_rmem locator (include/uapi/kminidump_rmem.h) ----
golden extract-x86-locator extract --ram x86.ram@0x1000000 --ram loc.ram@0x8000000 --locator 0x8000000 -o xl.core
check extract-x86-locator-bytes cmp xl.core x86.expected
golden extract-x86-scan-locator extract -v --ram x86.ram@0x1000000 --ram loc.ram@0x8000000 --scan-locator -o xs.core
check extract-x86-scan-locator-bytes cmp xs.core x86.expected
check extract-x86-locator-copy sh -c "'$KMD' -q extract --ram x86.ram@0x1000000 --ram loc-copy.ram@0x8000000 -l 0x8000000 -o xc.core && cmp xc.core x86.expected"
for c in crc seq gone moved version kelf size copyout; do
	golden err-locator-$c extract --ram x86.ram@0x1000000 --ram loc-$c.ram@0x8000000 --locator 0x8000000 -o t.core
done
golden err-locator-outside extract --ram x86.ram@0x1000000 --locator 0x8000000 -o t.core
golden err-locator-none extract --ram x86.ram@0x1000000 --scan-locator -o t.core
golden err-locator-garbage extract --ram x86.ram@0x1000000 --locator 0x1200000 -o t.core
golden err-usage-locator-kelf extract --ram x86.ram@0x1000000 --locator 0x8000000 --kelf 0x1200000 -o t.core
golden err-usage-locator-pa extract --ram x86.ram@0x1000000 --locator nowhere -o t.core
golden info-x86-system-map info --system-map data/System.map x86.core
golden dmesg-x86 dmesg x86.core
check dmesg-x86-model sh -c "'$KMD' dmesg x86.core | cmp - x86.model"
# makedumpfile prints a byte over 0x7f through a signed char on x86_64
# (\xffffffc3); kminidump prints \xc3. Everything else must be identical.
mdf_dmesg() {
	rm -f x86.mdf
	makedumpfile --dump-dmesg x86.core x86.mdf >makedumpfile.log 2>&1 || { cat makedumpfile.log; return 1; }
	grep -q 'xffffffc3' x86.mdf || { echo "no high byte in the log: the test lost its point"; return 1; }
	"$KMD" dmesg x86.core >x86.kd
	sed 's/\\xffffff/\\x/g' x86.mdf | diff -u - x86.kd
}
if want dmesg-x86-makedumpfile; then
	if command -v makedumpfile >/dev/null; then
		check dmesg-x86-makedumpfile mdf_dmesg
	else
		skip dmesg-x86-makedumpfile "makedumpfile not installed"
	fi
fi
golden assemble-x86 assemble x86md -o x86a.core
check assemble-x86-bytes cmp x86a.core x86.expected
check assemble-x86-files sh -c "'$KMD' -q assemble \$(ls -r x86md/*) -o x86f.core && cmp x86f.core x86.expected"

# ---- arm64: several headers, rows caught mid-update ----
golden extract-arm64 extract --ram arm64.ram@0x40000000 -o arm64.core
check extract-arm64-bytes cmp arm64.core arm64.expected
golden info-arm64 info arm64.core
golden dmesg-arm64 dmesg arm64.core
check dmesg-arm64-model sh -c "'$KMD' dmesg arm64.core | cmp - arm64.model"
golden assemble-arm64-mismatch assemble arm64md -o arm64a.core
golden assemble-arm64-force assemble --force arm64md -o arm64f.core
in_n_order() {	# the files of an md set sorted by their N (names not ending in digits)
	ls "$1" | sed -E 's/^(.*[^0-9])([0-9]+)\.BIN$/\2 \1\2.BIN/' | sort -n | cut -d' ' -f2 |
		sed "s|^|$1/|"
}
force_bytes() { cat $(in_n_order arm64md) | cmp - arm64f.core; }
check assemble-arm64-force-bytes force_bytes

# ---- panic: registers and backtraces of crash images ----
panic_core() {	# panic_core SPEC BASE: extract the spec's RAM, compare with the generator's core
	"$KMD" -q extract --ram "$1.ram@$2" -o "$1.core" && cmp "$1.core" "$1.expected"
}
must extract-panic-x86 panic_core panic-x86 0x1000000
must extract-panic-x86-errors panic_core panic-x86-errors 0x1000000
must extract-panic-x86-kmods panic_core panic-x86-kmods 0x1000000
must extract-panic-arm64 panic_core panic-arm64 0x40000000
must extract-panic-arm64-errors panic_core panic-arm64-errors 0x40000000
must extract-panic-arm64-exc panic_core panic-arm64-exc 0x40000000
golden info-panic-x86 info panic-x86.core
golden info-panic-x86-system-map info --system-map data/System.map panic-x86.core
golden info-panic-x86-all-cpus info -s data/System.map --all-cpus panic-x86.core
golden info-panic-arm64 info panic-arm64.core
golden info-panic-arm64-system-map info --system-map data/System.map-arm64 panic-arm64.core
# panic_cpu without a note, truncated NT_PRSTATUS, rsp outside every PT_LOAD,
# unaligned rsp in half a stack, the 64-word bound
golden err-panic-x86 info --system-map data/System.map panic-x86-errors.core
# frame loop, truncated NT_PRSTATUS, sp outside every PT_LOAD, fp leaving the
# stacks of the core, misaligned fp
golden err-panic-arm64 info --system-map data/System.map-arm64 panic-arm64-errors.core
# an exception on a leaf: its pt_regs give the leaf's caller ("lr (interrupted)")
golden info-panic-arm64-exc info --system-map data/System.map-arm64 panic-arm64-exc.core
# a panic on an IRQ stack: the scan follows its top word to the task stack; a module
golden info-panic-x86-irq info --system-map data/System.map \
	--module kmd_fake.ko:.text=0xffffffffc0a01000,.init.text=0xffffffffc0a05000 panic-x86-irq.core
# the module table in the core (issue 15): the module frame named from its kallsyms in
# the core, then from DIR/kmd_fake.ko (--modules: the work dir holds it)
golden info-panic-x86-kmods info --system-map data/System.map panic-x86-kmods.core
golden info-panic-x86-kmods-dir info --system-map data/System.map --modules . panic-x86-kmods.core
golden err-module-no-section info --module kmd_fake.ko panic-x86-irq.core
golden err-module-not-elf info --module x86.core:.text=0x1000 panic-x86-irq.core
golden err-module-missing-section info --module kmd_fake.ko:.nothing=0x1000 x86.core

# ---- info --json: the schema of docs/tool.md ----
golden info-json-x86 info --json x86.core
golden info-json-panic-arm64 info --json --system-map data/System.map-arm64 panic-arm64.core
golden info-json-panic-x86-irq info --json --system-map data/System.map \
	--module kmd_fake.ko:.text=0xffffffffc0a01000,.init.text=0xffffffffc0a05000 panic-x86-irq.core
json_valid() {	# every core the tests made parses as JSON, with the schema's top members
	local c
	for c in *.core; do
		"$KMD" -q info --json "$c" >"$c.json" 2>/dev/null || continue
		python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
want = ["schema", "version", "tool_version", "core", "table", "rows", "segments", "notes",
        "vmcoreinfo", "modules", "panic", "symbols", "cpus", "total"]
assert list(d) == want, (sys.argv[1], list(d))
assert d["schema"] == "kminidump-info" and d["version"] == 1' "$c.json" || return 1
	done
}
check info-json-valid json_valid

# a core cut inside the crashing task's stack: the scan stops where the file does
head -c $(($(stat -c %s "$W/panic-x86.core" 2>/dev/null || echo 5000) - 4096 - 512)) \
	"$W/panic-x86.core" >"$W/panic-trunc.core" 2>/dev/null || true
golden err-panic-truncated-core info --system-map data/System.map panic-trunc.core

# ---- error cases: message and exit code ----
head -c $((0x201000)) "$W/x86.ram" >"$W/trunc.ram" 2>/dev/null || true
head -c $((0x180000)) "$W/x86.qemu" >"$W/trunc.qemu" 2>/dev/null || true
head -c 1000 "$W/x86.core" >"$W/trunc1.core" 2>/dev/null || true
head -c $(($(stat -c %s "$W/x86.core" 2>/dev/null || echo 200) - 200)) "$W/x86.core" >"$W/trunc2.core" 2>/dev/null || true
golden err-truncated-ram extract --ram trunc.ram@0x1000000 --kelf 0x1200000 -o t.core
golden err-truncated-ram-scan extract --ram trunc.ram@0x1000000 -o t.core
golden err-truncated-dump extract --dump trunc.qemu -o t.core
golden err-truncated-core-info info trunc1.core
golden err-truncated-core-dmesg dmesg trunc2.core
golden err-wrong-elf-magic info x86.ram
golden err-table-magic extract --ram badmagic.ram@0x1000000 --kelf 0x1080000 -o t.core
golden err-table-magic-scan extract --ram badmagic.ram@0x1000000 -o t.core
golden err-table-count extract --ram badcount.ram@0x1000000 --kelf 0x1080000 -o t.core
# rows the guest got wrong are left out: a partial core, marked, exit 10
golden err-overlap extract --ram overlap.ram@0x1000000 -o overlap.core
golden err-huge extract --ram huge.ram@0x1000000 -o huge.core
truncate -s 5G "$W/sparse.ram"
golden err-total extract --ram total.ram@0x1000000 --ram sparse.ram@0x100000000 -o /dev/null
head -c $((0x100000)) /dev/zero >"$W/zero.ram"
golden err-no-header extract --ram zero.ram@0x1000000 -o t.core
# the generation rule (docs/format.md): gen odd in every read -> the core, exit 10
golden unstable-gen extract --ram unstable.ram@0x1000000 -o unstable.core
golden unstable-gen-info info unstable.core
golden err-outside extract --ram outside.ram@0x1000000 -o outside.core
golden info-outside info outside.core
golden err-outside-force extract --force --ram outside.ram@0x1000000 -o outside-f.core
check err-outside-force-same cmp outside.core outside-f.core
partial_marked() { "$KMD" info "$1" | grep -q "^  KMINIDUMP_PARTIAL=1 rows left out; first: row 2 "; }
check err-overlap-marked partial_marked overlap.core
check err-huge-marked partial_marked huge.core
check err-no-output-left test ! -e "$W/t.core"
printf 'KDUMP   \001\000\000\000' >"$W/kdump.bin"
golden err-kdump-format extract --dump kdump.bin -o t.core
golden err-overlapping-sources extract --ram x86.ram@0x1000000 --ram zero.ram@0x1100000 -o t.core
golden err-dmesg-no-prb dmesg outside.core
golden err-usage-none
golden err-usage-extract-no-output extract --ram x86.ram@0x1000000
golden err-usage-ram-spec extract --ram x86.ram -o t.core
golden err-usage-unknown frobnicate
golden err-usage-output-is-input extract --ram x86.ram@0x1000000 -o x86.ram
check err-usage-output-is-input-untouched sh -c "'$KMD' -q dmesg x86.core -o x86.core; cmp x86.core x86.expected"
mkdir -p "$W/md-missing" "$W/md-short" "$W/md-notelf" "$W/md-ambiguous"
cp "$W"/x86md/* "$W/md-missing/" && rm -f "$W/md-missing/md_Kuts8.BIN"
cp "$W"/x86md/* "$W/md-short/" && truncate -s 100 "$W/md-short/md_Kpattern10.BIN"
cp "$W"/arm64md/* "$W/md-notelf/" && head -c 12288 /dev/zero >"$W/md-notelf/md_KELF1.BIN"
cp "$W"/x86md/* "$W/md-ambiguous/" && rm -f "$W/md-ambiguous/md_KELF1.BIN"
golden err-assemble-missing assemble md-missing -o t.core
golden err-assemble-short assemble md-short -o t.core
golden err-assemble-not-elf assemble md-notelf -o t.core
golden err-assemble-ambiguous assemble md-ambiguous -o t.core

# ---- SMEM (issue 10): the APSS minidump table as firmware downloads it ----
SMEMPY=$TOP/tests/qemu/kmdqemu/smem.py
smem_gen() {
	local v
	for v in uninit v11 nosiii toc0 no602 small602 disabled owned others; do
		python3 "$SMEMPY" image "smem-$v.bin" --variant "$v" || return 1
	done
	for v in ok count250 outside dupseq longer canary unpublished unterminated; do
		python3 "$SMEMPY" publish "smemx-$v.bin" --ram x86.ram@0x1000000 --kelf 0x1200000 \
			--variant "$v" || return 1
	done
	python3 "$SMEMPY" publish smema.bin --ram arm64.ram@0x40000000 --kelf 0x40200000 &&
	python3 "$SMEMPY" publish fuzz-smem.bin --ram fuzz.ram@0x1000000 --kelf 0x1000000 \
		--size 0x10000 &&
	python3 -c 'import struct, sys
s = open("fuzz-smem.bin", "rb").read()
sys.stdout.buffer.write(struct.pack("<I", len(s)) + s + open("fuzz.ram", "rb").read())' >fuzz.smem
}
must smem-generate smem_gen
golden extract-smem-x86 extract --ram x86.ram@0x1000000 --ram smemx-ok.bin@0x70000000 \
	--smem 0x70000000 -o smem-x86.core
check extract-smem-x86-bytes cmp smem-x86.core x86.expected
# the host collector writes the set, QDL's rules and kminidump assemble both give the same core
smem_qdl() {
	rm -rf smem-md && python3 "$SMEMPY" collect --ram x86.ram@0x1000000 \
		--ram smemx-ok.bin@0x70000000 --smem 0x70000000 smem-md >/dev/null &&
	python3 "$SMEMPY" qdl smem-md smem-qdl.core && cmp smem-qdl.core x86.expected &&
	rm smem-md/regions.txt && "$KMD" -q assemble smem-md -o smem-asm.core &&
	cmp smem-asm.core x86.expected
}
check smem-collect-qdl-assemble smem_qdl
# rows with room but no PT_LOAD (BUSY) leave p_offset gaps: valid ELF, but QDL's file differs
golden extract-smem-arm64-gaps extract --ram arm64.ram@0x40000000 --ram smema.bin@0x70000000 \
	--smem 0x70000000 -o smem-arm64.core
smem_gap_valid() { "$KMD" -q info smem-arm64.core >/dev/null && readelf -lW smem-arm64.core >/dev/null; }
check extract-smem-arm64-valid smem_gap_valid
for v in uninit v11 nosiii toc0 no602 small602 disabled owned others; do
	golden "err-smem-$v" extract --ram x86.ram@0x1000000 --ram "smem-$v.bin@0x70000000" \
		--smem 0x70000000 -o t.core
done
for v in count250 outside dupseq longer canary unpublished unterminated; do
	golden "err-smem-$v" extract --ram x86.ram@0x1000000 --ram "smemx-$v.bin@0x70000000" \
		--smem 0x70000000 -o "smem-$v.core"
done
golden err-smem-not-in-ram extract --ram x86.ram@0x1000000 --smem 0x70000000 -o t.core
golden err-smem-size extract --ram x86.ram@0x1000000 --ram smemx-ok.bin@0x70000000 \
	--smem 0x70000000 --smem-size 0x100000 -o t.core
golden err-usage-smem-kelf extract --ram x86.ram@0x1000000 --smem 0x70000000 --kelf 0x1200000 \
	-o t.core
check err-smem-no-output-left test ! -e "$W/t.core"

# ---- the guest is hostile (issue 12): inputs, outputs, bounds ----
# a ring claiming 2^30 descriptors in a core of a few KiB: refused at once
(cd "$W" && "$KMD" -q extract --ram dmesg-bits.ram@0x1000000 -o dmesg-bits.core) || true
golden err-dmesg-count-bits dmesg dmesg-bits.core
# a row at the top of the address space: the message says so instead of wrapping
golden err-wrap extract --ram wrap.ram@0x1000000 -o wrap.core
# inputs that are not regular files: refused without reading or blocking
golden err-input-chardev info /dev/zero
golden err-input-chardev-ram extract --ram /dev/zero@0 -o t.core
golden err-input-dir dmesg data
mkdir -p "$W/md-fifo" && cp "$W"/x86md/* "$W/md-fifo/" && rm -f "$W/md-fifo/md_Kuts8.BIN" &&
	mkfifo "$W/md-fifo/md_Kuts8.BIN"
golden err-assemble-fifo assemble md-fifo -o t.core
mkdir -p "$W/md-empty" "$W/md-dup"
golden err-assemble-empty-dir assemble md-empty -o t.core
cp "$W/x86md/md_KELF1.BIN" "$W/md-dup/" && echo a >"$W/md-dup/md_Kaaa2.BIN" &&
	echo b >"$W/md-dup/md_Kbbb2.BIN"
golden err-assemble-duplicate assemble md-dup -o t.core
# outputs: a failed run leaves an existing file as it was, never removes what it
# did not create, and a directory or block device is refused
out_kept() {	# out_kept FILE CMD...: CMD fails and FILE still holds "old"
	local f=$1 rc=0
	shift
	echo old >"$f"
	"$@" 2>/dev/null || rc=$?
	[ "$rc" != 0 ] && [ "$(cat "$f")" = old ] && ! ls -a | grep -q "^\.${f}\."
}
check out-kept-extract out_kept kept.core "$KMD" extract --ram zero.ram@0x1000000 -o kept.core
check out-kept-dmesg out_kept kept.log "$KMD" dmesg x86.ram -o kept.log
check out-kept-assemble out_kept kept.core "$KMD" assemble md-short -o kept.core
golden err-output-dir extract --ram x86.ram@0x1000000 -o data
dev_kept() {	# a character device as -o: written in place; on ENOSPC it is not removed
	local rc=0
	"$KMD" -q extract --ram x86.ram@0x1000000 -o full.dev 2>err.txt || rc=$?
	[ "$rc" = 3 ] && [ -c full.dev ] && grep -q "No space left" err.txt
}
if (cd "$W" && rm -f full.dev && mknod full.dev c 1 7 2>/dev/null); then
	check out-device-kept dev_kept
elif want out-device-kept; then
	skip out-device-kept "mknod needs root"
fi
check out-stdout sh -c "'$KMD' -q extract --ram x86.ram@0x1000000 -o /dev/stdout | cmp - x86.expected"
out_link() {	# -o through a symbolic link replaces the link's target, not the link
	rm -f link.core target.core && ln -s target.core link.core &&
	"$KMD" -q extract --ram x86.ram@0x1000000 -o link.core && [ -L link.core ] &&
	cmp target.core x86.expected
}
check out-symlink out_link
# memory, time, files changing under the tool, signals (plain build, loose bounds)
for c in $(python3 "$HERE/hostile.py" list); do
	check "hostile-$c" python3 "$HERE/hostile.py" "$c" "$TOOLDIR/kminidump" "$W"
done

# ---- output stream (issue 12): zstd, age v1 that Debian's age decrypts ----
# stream_test writes any size through src/tool/output/stream.c (ASan + UBSan);
# age and age-keygen come from scripts/deps.sh: without them these fail
ST=$W/stream_test
must build-stream-test cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g $SAN_FLAGS \
	-I"$TOOLDIR" -o "$ST" "$HERE/stream_test.c" "$TOOLDIR/output/stream.c" \
	"$TOOLDIR/format/age.c" "$TOOLDIR"/lib/*.c -lzstd -lcrypto
must age-keys sh -c 'age-keygen -o k1.txt 2>/dev/null && age-keygen -o k2.txt 2>/dev/null &&
	age-keygen -y k1.txt >r1.txt && age-keygen -y k2.txt >r2.txt'
R1=$(cat "$W/r1.txt" 2>/dev/null || true)
age_sizes() {	# every size, two recipients (one from a file), age -d with either key
	local n
	for n in 0 1 65535 65536 65537 131072 1200000; do
		"$ST" write s.age $n --encrypt-to "$R1" -R r2.txt >/dev/null &&
		age -d -i k1.txt s.age | cmp - <("$ST" pattern $n) &&
		age -d -i k2.txt s.age | cmp - <("$ST" pattern $n) &&
		"$ST" decrypt s.age k2.txt >/dev/null || { echo "size $n"; return 1; }
	done
}
check age-decrypts-sizes age_sizes
zstd_sizes() {	# zstd alone and zstd then age: zstd -d gives the bytes back
	local n
	for n in 0 1 65536 1200000; do
		"$ST" write s.zst $n --compress zstd >/dev/null &&
		zstd -qdc s.zst | cmp - <("$ST" pattern $n) &&
		"$ST" write s.zst.age $n --compress zstd --encrypt-to "$R1" >/dev/null &&
		age -d -i k1.txt s.zst.age | zstd -qdc | cmp - <("$ST" pattern $n) ||
			{ echo "size $n"; return 1; }
	done
}
check zstd-sizes zstd_sizes
check age-cctv-vectors python3 "$HERE/cctv.py" "$ST" "$W"
bech32_cases() {	# BIP 173's valid and invalid strings, and age's own key forms
	[ "$("$ST" bech32 A12UEL5L)" = "a " ] &&
	[ "$("$ST" bech32 abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw)" = \
		"abcdef 00443214c74254b635cf84653a56d7c675be77df" ] &&
	! "$ST" bech32 A1G7SGD8 && ! "$ST" bech32 10a06t8 && ! "$ST" bech32 1qzzfhee &&
	! "$ST" bech32 abcdef1Qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw &&
	! "$ST" bech32 x1b4n0q5v && ! "$ST" bech32 li1dgmt3 &&
	[ "$("$ST" bech32 "$R1" | cut -c1-4)" = "age " ]
}
check bech32 bech32_cases
zcore() {	# extract's --compress/--encrypt-to: the same bytes as the plain core
	"$KMD" -q extract --ram x86.ram@0x1000000 --compress zstd -o x86.core.zst &&
	zstd -qdc x86.core.zst | cmp - x86.expected &&
	"$KMD" -q extract --ram x86.ram@0x1000000 --compress zstd --encrypt-to "$R1" \
		-R r2.txt -o x86.core.zst.age &&
	age -d -i k2.txt x86.core.zst.age | zstd -qdc | cmp - x86.expected &&
	"$KMD" -q extract --ram x86.ram@0x1000000 --encrypt-to "$R1" -o x86.core.age &&
	age -d -i k1.txt x86.core.age | cmp - x86.expected &&
	age-keygen -o k2.txt.other 2>/dev/null &&
	# seeds of fuzz-decode: encrypted to the CCTV vectors' identity, which it holds
	"$KMD" -q extract --ram x86.ram@0x1000000 --compress zstd -o fuzz-dec.age \
		--encrypt-to age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef &&
	for v in x25519 x25519_grease x25519_multiple_recipients stream_three_chunks; do
		python3 -c 'import sys, zlib; h, b = open(sys.argv[1], "rb").read().split(b"\n\n", 1)
sys.stdout.buffer.write(zlib.decompress(b) if b"compressed: zlib" in h else b)' \
			"data/age-cctv/$v" >"fuzz-dec-$v.age" || return 1
	done
}
check extract-compress-encrypt zcore
check assemble-compress-encrypt sh -c "'$KMD' -q assemble x86md --compress zstd -R r1.txt -o md.core.zst.age &&
	age -d -i k1.txt md.core.zst.age | zstd -qdc | cmp - x86.expected"
# inputs: info and dmesg open .zst and (with -i KEYFILE) .age cores directly
same_out() {	# same_out CMD ARGS... -- FILE [-i KEY]: CMD on FILE prints what it prints on x86.expected
	local pre=() f
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	f=$1
	shift
	diff <("$KMD" "${pre[@]}" x86.expected 2>&1) \
		<("$KMD" "${pre[@]}" "$f" "$@" 2>&1 | sed "s|$f|x86.expected|g")
}
check info-zst same_out info -- x86.core.zst
check info-age same_out info -- x86.core.age -i k1.txt
check info-json-zst-age same_out info --json -- x86.core.zst.age -i k1.txt -i k2.txt
check dmesg-zst-age same_out dmesg -- x86.core.zst.age -i k2.txt
golden err-age-no-identity dmesg x86.core.age
golden err-age-wrong-identity dmesg x86.core.zst.age -i k2.txt.other
golden err-identity-bad info x86.core.age -i r1.txt
head -c 1000 "$W/x86.core.zst" >"$W/trunc.zst" 2>/dev/null || true
golden err-zst-truncated dmesg trunc.zst
head -c 20000 "$W/x86.core.age" >"$W/trunc.age" 2>/dev/null || true
golden err-age-truncated info trunc.age -i k1.txt
age -a -r "$R1" -o "$W/x86.core.armored" "$W/x86.expected" 2>/dev/null || true
golden err-age-armored info x86.core.armored -i k1.txt
sed '1s|/v1|/v2|' "$W/x86.core.age" >"$W/x86.core.v2" 2>/dev/null || true
golden err-age-version dmesg x86.core.v2 -i k1.txt
# a zstd bomb: 300 MiB of zeros in ~10 KB, no size in the frame: stopped at the cap
head -c 300M /dev/zero | zstd -q -c >"$W/bomb.zst"
golden err-zst-bomb info bomb.zst
golden err-encrypt-to-bad extract --ram x86.ram@0x1000000 --encrypt-to age1notakey -o t.core
golden err-compress-bad extract --ram x86.ram@0x1000000 --compress xz -o t.core
check err-encrypt-no-output-left test ! -e "$W/t.core"
# ---- collect against a fake QEMU (QMP server in Python), hostile replies included ----
for c in $(python3 "$HERE/collect_test.py" list); do
	check "collect-$c" python3 "$HERE/collect_test.py" "$c" "$KMD" "$W"
done

# ---- symbols: a FIFO stands in for the module's debugfs file ----
golden err-symbols-no-debugfs symbols --system-map data/System.map --debugfs nonexistent
mkdir -p "$W/dbgfs-empty"
golden err-symbols-no-module symbols --system-map data/System.map --debugfs dbgfs-empty
golden err-symbols-zero symbols --kallsyms data/kallsyms-zero --debugfs dbgfs-empty
fake() {	# fake NAME MODE: start the stand-in module in the background
	rm -rf "$W/$1"
	python3 "$HERE/fake_module.py" "$W/$1" "$2" "$W/$1.log" &
	BGPIDS+=($!)
	local i
	for i in $(seq 50); do [ -p "$W/$1/kminidump/symbols" ] && return 0; sleep 0.1; done
}
if want symbols-system-map; then fake dbg-map accept; fi
golden symbols-system-map symbols --system-map data/System.map --debugfs dbg-map
check symbols-system-map-sent diff -u - "$W/dbg-map.log" <<'EOF'
0 D __per_cpu_start
1000 D cpu_number
ffffffff810ff000 T _etext
ffffffff81100000 D init_uts_ns
ffffffff81101000 R linux_banner
ffffffff81140000 d pattern_table
ffffffff81150000 b bypa_buffer
ffffffff81180000 D prb
ffffffff81180040 d printk_rb_static
ffffffff81180100 b _printk_rb_static_descs
ffffffff811801c0 b _printk_rb_static_infos
ffffffff81180480 b __log_buf
ffffffff81300000 D init_top_pgt
ffffffff82a0c940 D init_task
ffffffff82b00000 V jiffies
ffffffff82b00040 v some_weak_object
ffffffff83000000 B _end
EOF
if want symbols-kallsyms-all; then fake dbg-all accept; fi
golden symbols-kallsyms-all symbols --kallsyms data/kallsyms --all --debugfs dbg-all
if want err-symbols-rejected; then fake dbg-rej reject; fi
golden err-symbols-rejected symbols --system-map data/System.map --debugfs dbg-rej
# the release the table is of (the module refuses another): from a System.map-R
# file name or --release; --install writes the firmware file the module loads
sym_release() {	# sym_release WANT ARGS...: the first line the stand-in module got is WANT
	local want=$1
	shift
	fake dbg-rel accept
	"$TOOLDIR/kminidump" symbols -q "$@" --debugfs dbg-rel || return
	[ "$(head -n 1 dbg-rel.log)" = "$want" ] || { head -n 2 dbg-rel.log; return 1; }
}
sym_install() {	# the table of --install: the release line, then what a send sends
	rm -rf fw && mkdir fw &&
	"$TOOLDIR/kminidump" symbols -q --system-map System.map-6.1.0-99-test --install=fw &&
	[ "$(head -n 1 fw/kminidump/symbols-6.1.0-99-test)" = "# release 6.1.0-99-test" ] &&
	tail -n +2 fw/kminidump/symbols-6.1.0-99-test | diff -u dbg-map.log - &&
	[ -z "$(find fw -name '.*')" ]
}
sym_usage() {	# --install needs a release; a release has no '/'
	local rc=0
	"$TOOLDIR/kminidump" symbols -q --system-map "$HERE/data/System.map" --install=fw || rc=$?
	[ $rc = 2 ] || return 1
	rc=0
	"$TOOLDIR/kminidump" symbols -q --system-map "$HERE/data/System.map" --release a/b || rc=$?
	[ $rc = 2 ]
}
cp "$HERE/data/System.map" "$W/System.map-6.1.0-99-test"
check symbols-release-of-file-name sym_release "# release 6.1.0-99-test" \
	--system-map System.map-6.1.0-99-test
check symbols-release-option sym_release "# release 6.1.0-98" \
	--system-map "$HERE/data/System.map" --release 6.1.0-98
check symbols-no-release sym_release "0 D __per_cpu_start" --system-map "$HERE/data/System.map"
check symbols-install sym_install
check err-symbols-install-usage sym_usage

# ---- install ----
inst() {
	make -s -C "$TOOLDIR" install DESTDIR="$W/root" PREFIX=/usr >/dev/null &&
	test -x "$W/root/usr/bin/kminidump" && test -f "$W/root/usr/share/man/man1/kminidump.1" &&
	make -s -C "$TOOLDIR" uninstall DESTDIR="$W/root" PREFIX=/usr >/dev/null &&
	test ! -e "$W/root/usr/bin/kminidump"
}
check install-uninstall inst
man_ok() {	# the page renders without groff warnings
	local warn
	warn=$(groff -t -man -Tutf8 -ww -z "$TOP/docs/kminidump.1" 2>&1) && [ -z "$warn" ] ||
		{ echo "$warn"; return 1; }
}
# scripts/deps.sh installs groff (groff-base): without it this is a failure, not a skip
check man-page man_ok

# ---- fuzzing: every parser, bounded ----
# One input that runs longer than this is a failure (the tool promises bounded CPU
# on hostile input); the slowest seed takes well under a second under ASan.
FUZZ_INPUT_TIMEOUT=10
fuzz_one() {	# fuzz_one TARGET SEED...: run TARGET for FUZZ_TIME seconds from the seeds
	local t=$1 d=$W/fuzz/$1 log
	shift
	mkdir -p "$d/seed" "$d/corpus"
	cp "$@" "$d/seed/"
	log=$d/log
	if ! timeout $((FUZZ_TIME + 60)) "$TOOLDIR/fuzz/fuzz_$t" -max_total_time="$FUZZ_TIME" \
		-rss_limit_mb=2048 -timeout="$FUZZ_INPUT_TIMEOUT" -print_final_stats=1 -artifact_prefix="$d/" \
		"$d/corpus" "$d/seed" >"$log" 2>&1; then
		grep -E -A12 'ERROR|runtime error' "$log" | head -30
		return 1
	fi
	awk '/number_of_executed_units/ { n = $NF } /average_exec_per_sec/ { r = $NF }
		END { printf "%s runs, %s/s\n", n, r }' "$log" >"$d/stats"
}
if [ "$FUZZ_TIME" != 0 ]; then
	if want fuzz && ! make -s -C "$TOOLDIR" fuzz >"$W/fuzz-build.log" 2>&1; then
		not_ok fuzz-build "$(tail -20 "$W/fuzz-build.log")"
	else
		for spec in "kelf fuzz.kelf arm64.expected" "ram fuzz.ram" "dump fuzz.qemu" \
			    "core fuzz.expected x86.expected panic-x86.expected panic-arm64.expected panic-x86-errors.expected panic-x86-irq.expected panic-x86-kmods.expected panic-arm64-errors.expected panic-arm64-exc.expected" \
			    "dmesg fuzz.expected arm64.expected" \
			    "md fuzz.mdp" "smem fuzz.smem" "locator fuzz-loc.ram" "qmp data/qmp.seed" "symtab data/System.map data/kallsyms" \
			    "decode fuzz-dec.age fuzz-dec-x25519.age fuzz-dec-x25519_grease.age fuzz-dec-x25519_multiple_recipients.age fuzz-dec-stream_three_chunks.age x86.core.zst"; do
			set -- $spec
			t=$1
			shift
			want "fuzz-$t" || continue
			seeds=()
			for s in "$@"; do case $s in /*) seeds+=("$s") ;; *) seeds+=("$W/$s") ;; esac; done
			if out=$(fuzz_one "$t" "${seeds[@]}"); then
				ok "fuzz-$t" "$(cat "$W/fuzz/$t/stats")"
			else
				not_ok "fuzz-$t" "$out"
			fi
		done
	fi
fi

echo "$PASS passed, $FAIL failed$([ "$SKIP" -gt 0 ] && echo ", $SKIP skipped")"
[ "$FAIL" = 0 ]
