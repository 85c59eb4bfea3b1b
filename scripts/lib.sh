# SPDX-License-Identifier: GPL-2.0
# Shared helpers for kminidump's bash scripts. Source it; do not run it.
# Sets TOP (repository root), KMD_CACHE (download/unpack cache, outside the repo) and
# KMD_BUILD (module build directories of this checkout, inside KMD_CACHE).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KMD_CACHE=${KMD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kminidump}
# Module builds, one directory per checkout (two work trees never build into one place).
KMD_BUILD=${KMD_BUILD:-$KMD_CACHE/build/$(printf %s "$TOP" | md5sum | cut -c1-8)}
KERNELS_CONF=${KERNELS_CONF:-$TOP/tests/kernels.conf}

die() { echo "${0##*/}: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

# kernel_names: every NAME in kernels.conf, in file order.
kernel_names() { awk '!/^#/ && NF >= 3 { print $1 }' "$KERNELS_CONF"; }

# kernel_field NAME FIELD(2=arch 3=abi): one field of NAME's line in kernels.conf.
# The GKI-like kernels (scripts/build-gki-kernel.sh) are built, not listed: arm64,
# "ABI" 6.12.gki (their KMI branch is android16-6.12).
kernel_field() {
	local v
	case $1 in
	arm64-gki|arm64-gki-nodebugfs)
		[ "$2" = 2 ] && echo arm64 || echo 6.12.gki
		return ;;
	esac
	v=$(awk -v n="$1" -v f="$2" '!/^#/ && $1 == n { print $f }' "$KERNELS_CONF")
	[ -n "$v" ] || die "unknown kernel '$1' (known: $(kernel_names | tr '\n' ' '))"
	echo "$v"
}

# apt_locked CMD...: run an apt command under one lock, so parallel jobs do not collide.
apt_locked() {
	mkdir -p "$KMD_CACHE"
	flock "$KMD_CACHE/.apt.lock" "$@"
}

# copy_work_tree DIR: copy the work tree's files (tracked, and new ones git does not
# ignore; not build products) into DIR, e.g. to build packages outside the repository.
copy_work_tree() {
	mkdir -p "$1"
	(cd "$TOP" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			# a tracked file deleted in the work tree is still listed
			if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
		done | xargs -0 -r cp -a --parents -t "$1")
}
