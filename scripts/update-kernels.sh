#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Move tests/kernels.conf to the newest Debian 12 kernels in the apt indices: the
# newest 6.1.0-NN ABI (bookworm) and the newest 6.12.NNN+deb12 ABI (bookworm-security),
# for amd64 and arm64 alike. Run `apt-get update` first. Prints the change; then run
# `make check` (it fetches the new kernels) before committing the file.
# Usage: scripts/update-kernels.sh [--dry-run]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dry=0
case ${1:-} in
--dry-run) dry=1 ;;
"") ;;
*) echo "usage: ${0##*/} [--dry-run]" >&2; exit 2 ;;
esac

# newest ABI whose headers exist for both arches
newest() {	# newest REGEX-of-the-ABI
	local abi
	for abi in $(apt-cache search --names-only "^linux-headers-$1-amd64\$" |
		sed -nE "s/^linux-headers-($1)-amd64 .*/\\1/p" | sort -rV); do
		if apt-cache show "linux-headers-$abi-arm64:arm64" >/dev/null 2>&1 ||
		   ! dpkg --print-foreign-architectures | grep -qx arm64; then
			echo "$abi"
			return 0
		fi
	done
	die "no linux-headers matching $1 in the apt indices (apt-get update?)"
}

v61=$(newest '6\.1\.0-[0-9]+')
v612=$(newest '6\.12\.[0-9]+\+deb12')
new=$(awk -v a="$v61" -v b="$v612" '
	/^#/ || NF < 3 { print; next }
	$3 ~ /^6\.1\.0-/ { $3 = a }
	$3 ~ /^6\.12\./ { $3 = b }
	{ printf "%-11s %-6s %s\n", $1, $2, $3 }' "$KERNELS_CONF")
if diff -u "$KERNELS_CONF" <(echo "$new"); then
	note "tests/kernels.conf already names the newest kernels ($v61, $v612)"
	exit 0
fi
if [ "$dry" = 0 ]; then
	echo "$new" >"$KERNELS_CONF"
	note "updated $KERNELS_CONF; now run make check"
fi
