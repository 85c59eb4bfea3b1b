#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install what is missing, fetch a stock Debian kernel (and its debug
# vmlinux for crash), build the modules and the host tool, then scripts/demo.py.
# Usage: scripts/demo.sh [--kernel NAME] [--bzimage]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=amd64-6.1
args=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift ;;
	esac
	shift
done
"$TOP/scripts/deps.sh"
note "fetching $kernel (first time: a few minutes, mostly the debug vmlinux crash needs)"
"$TOP/scripts/fetch-kernel.sh" --dbg "$kernel" >/dev/null
make -s -C "$TOP/src/tool"
exec /usr/bin/python3 "$TOP/scripts/demo.py" "${args[@]}"
