#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# GKI KMI check of the arm64 builds: every symbol each module of src/Kbuild imports
# is in Android's GKI KMI list of the branch the Debian kernel stands in for
# (android14-6.1 for 6.1, android16-6.12 for 6.12), in both lists the repository
# carries for it:
#   BRANCH.all.txt   the union of every vendor list: what a GKI kernel exports, so
#                    what decides whether the module loads at all
#   BRANCH.qcom.txt  Qualcomm's own list (the platform of the SMEM backend)
# Symbols our own modules export (Module.symvers) need neither; symbols exported by
# another module ("module" lines) and imports outside the qcom list ("not-qcom"
# lines) must be in tests/gki-kmi/allow.txt, the reviewed exceptions.
# Fails when aarch64-linux-gnu-nm is missing or a module of src/Kbuild was not
# built. Prints KTAP lines and "N passed, N failed". Builds must exist
# (scripts/build-modules.sh NAME, as the build tier does).
# Usage: tests/gki-kmi/check.sh NAME...   (arm64 kernels of tests/kernels.conf)
set -euo pipefail
export LC_ALL=C
. "$(dirname "$0")/../../scripts/lib.sh"

[ $# -gt 0 ] || { echo "usage: ${0##*/} NAME..." >&2; exit 2; }
KMI=$TOP/tests/gki-kmi
ALLOW=$KMI/allow.txt
NM=aarch64-linux-gnu-nm
n=0 failed=0
result() {	# result OK DESC [DIAG]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
		[ -z "${3:-}" ] || sed 's/^/# /' <<<"$3"
	fi
}
finish() {
	echo "$((n - failed)) passed, $failed failed"
	exit $((failed > 0))
}

if ! command -v "$NM" >/dev/null; then
	result 1 "$NM is installed" "scripts/deps.sh installs it (binutils-aarch64-linux-gnu)"
	finish
fi

# the modules src/Kbuild builds: obj-m := DIR/ there, obj-m := NAME.o in DIR/Kbuild
wanted=()
for d in $(sed -n 's/^obj-m := //p' "$TOP/src/Kbuild"); do
	wanted+=($(sed -n 's/^obj-m := \(.*\)\.o$/\1/p' "$TOP/src/${d%/}/Kbuild"))
done
# and obj-$(CONFIG_X) += DIR/: "CONFIG_X NAME", wanted where the kernel has CONFIG_X
optional=()
while read -r cfg d; do
	optional+=("$cfg $(sed -n 's/^obj-m := \(.*\)\.o$/\1/p' "$TOP/src/${d%/}/Kbuild")")
done < <(sed -n 's/^obj-\$(\(CONFIG_[A-Z0-9_]*\)) += \(.*\)$/\1 \2/p' "$TOP/src/Kbuild")
allow() {	# allow KIND: the symbols of KIND lines, sorted
	awk -v k="$1" '$1 == k { print $2 }' "$ALLOW" | sort -u
}
allow module >"${TMPDIR:-/tmp}/kmi-module.$$"
allow not-qcom >"${TMPDIR:-/tmp}/kmi-notqcom.$$"
allow weak >"${TMPDIR:-/tmp}/kmi-weak.$$"
used=${TMPDIR:-/tmp}/kmi-used.$$
: >"$used"
trap 'rm -f "${TMPDIR:-/tmp}"/kmi-*.$$' EXIT

for name in "$@"; do
	case $(kernel_field "$name" 3) in
	6.1.*) branch=android14-6.1 ;;
	6.12.*) branch=android16-6.12 ;;
	*) result 1 "$name: a GKI branch for ABI $(kernel_field "$name" 3)" \
		"add the branch's lists to tests/gki-kmi/ and to this script"; continue ;;
	esac
	dir=$KMD_BUILD/$name/src
	missing=()
	kos=()
	want=("${wanted[@]}")
	kconfig=$(. "$("$TOP/scripts/fetch-kernel.sh" --print-env "$name")" && echo "$KMD_KDIR/.config")
	for o in "${optional[@]}"; do
		grep -qs "^${o% *}=[ym]" "$kconfig" && want+=("${o#* }")
	done
	for m in "${want[@]}"; do
		ko=$(find "$dir" -name "$m.ko" 2>/dev/null | head -n 1)
		if [ -n "$ko" ]; then kos+=("$ko"); else missing+=("$m.ko"); fi
	done
	result $((${#missing[@]} > 0 || ${#kos[@]} == 0)) \
		"$name: the ${#want[@]} modules of src/Kbuild for it are built (${want[*]})" \
		"not found in $dir: ${missing[*]:-none}; run scripts/build-modules.sh $name"
	[ -f "$dir/Module.symvers" ] ||
		{ result 1 "$name: $dir/Module.symvers exists"; continue; }
	awk '{ print $2 }' "$dir/Module.symvers" | sort -u >"${TMPDIR:-/tmp}/kmi-ours.$$"
	for ko in "${kos[@]}"; do
		m=${ko##*/}
		if ! imports=$("$NM" -u "$ko" 2>&1); then
			result 1 "$name $m: $NM -u" "$imports"
			continue
		fi
		# a weak import of a "weak" line: left at 0 where absent, the module checks
		weak=$(awk '$1 == "w" { print $2 }' <<<"$imports" | sort -u |
			comm -12 - "${TMPDIR:-/tmp}/kmi-weak.$$")
		imports=$(awk '{ print $2 }' <<<"$imports" | sort -u |
			comm -23 - "${TMPDIR:-/tmp}/kmi-ours.$$" | comm -23 - "${TMPDIR:-/tmp}/kmi-module.$$" |
			comm -23 - <(echo "$weak" | sed '/^$/d'))
		count=$(grep -c . <<<"$imports" || true)
		bad=$(comm -23 <(echo "$imports") "$KMI/$branch.all.txt" | sed '/^$/d')
		result $([ -z "$bad" ] && echo 0 || echo 1) \
			"$name $m: its $count imports are in the GKI export ($branch.all.txt)" \
			"not in $branch.all.txt: $(echo $bad)"$'\n'"a GKI kernel refuses to load the module: resolve them at run time (kminidump_lookup_symbol), or find a KMI symbol"
		outside=$(comm -23 <(echo "$imports") "$KMI/$branch.qcom.txt" | sed '/^$/d')
		echo "$outside" >>"$used"
		bad=$(comm -23 <(echo "$outside") "${TMPDIR:-/tmp}/kmi-notqcom.$$" | sed '/^$/d')
		result $([ -z "$bad" ] && echo 0 || echo 1) \
			"$name $m: its $(grep -c . <<<"$outside" || true) imports outside Qualcomm's list ($branch.qcom.txt) are reviewed in allow.txt" \
			"outside $branch.qcom.txt and not in tests/gki-kmi/allow.txt: $(echo $bad)"$'\n'"add a not-qcom line saying what the symbol is for"
	done
done
# the reviewed lines still say something: only when every arm64 kernel was checked
all_arm64=$(awk '!/^#/ && NF >= 3 && $2 == "arm64" { print $1 }' "$KERNELS_CONF" | sort | paste -sd' ')
if [ "$(printf '%s\n' "$@" | sort -u | paste -sd' ')" = "$all_arm64" ]; then
	stale=$(comm -23 "${TMPDIR:-/tmp}/kmi-notqcom.$$" <(sed '/^$/d' "$used" | sort -u))
	result $([ -z "$stale" ] && echo 0 || echo 1) \
		"every not-qcom line of tests/gki-kmi/allow.txt is imported by some build" \
		"no build imports: $(echo $stale); remove those lines"
fi
finish
