#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build every kminidump kernel module (src/Kbuild) and the test modules
# (tests/kmod/Kbuild, when present) for one stock kernel from tests/kernels.conf.
# The sources are rsynced to a per-kernel build directory outside the repository
# (make clean in M= removes every *.ko there, so kernels never share one), then
# built with that kernel's headers. When neither the sources nor the make
# arguments changed since the last successful build, make is not run at all.
# Prints the absolute path of every .ko produced, one per line, on stdout.
#
# Usage: scripts/build-modules.sh [-q] [-f] NAME [OUTDIR] [MAKE_ARGS...]
#   NAME       kernel name from tests/kernels.conf (fetched if needed)
#   OUTDIR     build directory (default: $KMD_CACHE/build/NAME); omit or give "" to keep the default
#   MAKE_ARGS  extra make arguments, e.g. W=1 C=2 (anything with '=' or starting with '-')
#   -f         run make even if nothing changed
#   -q         no make output unless it fails
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: ${0##*/} [-q] [-f] NAME [OUTDIR] [MAKE_ARGS...]" >&2; exit 2; }

quiet=0 force=0
while [ $# -gt 0 ]; do
	case $1 in
	-q) quiet=1 ;;
	-f) force=1 ;;
	-h|--help) usage ;;
	-*) break ;;
	*) break ;;
	esac
	shift
done
[ $# -ge 1 ] || usage
name=$1
shift
out=
if [ $# -gt 0 ] && [[ $1 != *=* ]] && [[ $1 != -* ]]; then
	out=$1
	shift
fi
make_args=("$@")
out=${out:-$KMD_CACHE/build/$name}

env_file=$("$TOP/scripts/fetch-kernel.sh" --print-env "$name")
# shellcheck disable=SC1090
. "$env_file"

mkdir -p "$out"
out=$(cd "$out" && pwd)
case $out/ in
"$TOP"/*) die "OUTDIR must be outside the repository ($out)" ;;
esac

tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# Two builds of the same directory at once would corrupt each other.
exec 9>"$out/.lock"
flock 9

# Copy sources only; build products already in $out are excluded from --delete.
excl=(--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c'
	--exclude='.*.cmd' --exclude='*.order' --exclude='*.symvers' --exclude='*.a'
	--exclude='.tmp_versions/' --exclude='.*.d' --exclude='*.dwo' --exclude='.build.stamp')
changes=$tmp/changes
: >"$changes"
rsync -a -O --delete -i "${excl[@]}" "$TOP/VERSION" "$out/" >>"$changes"
for d in include src; do
	mkdir -p "$out/$d"
	rsync -a -O --delete -i "${excl[@]}" "$TOP/$d/" "$out/$d/" >>"$changes"
done
have_kmod=0
if [ -e "$TOP/tests/kmod/Kbuild" ]; then
	have_kmod=1
	mkdir -p "$out/tests/kmod"
	rsync -a -O --delete -i "${excl[@]}" "$TOP/tests/kmod/" "$out/tests/kmod/" >>"$changes"
else
	rm -rf "$out/tests/kmod"
fi

mk=(make -C "$KMD_KDIR" -j"$(nproc)" "KMD_VERSION=$(cat "$TOP/VERSION")")
if [ "$KMD_ARCH" = arm64 ]; then
	mk+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
fi
mk+=("${make_args[@]}")

stamp=$out/.build.stamp
want_stamp="$KMD_KVER have_kmod=$have_kmod ${mk[*]}"
list_kos() {
	local d dirs=("$out/src")
	[ -d "$out/tests/kmod" ] && dirs+=("$out/tests/kmod")
	find "${dirs[@]}" -name '*.ko' | sort
}

if [ "$force" = 0 ] && [ ! -s "$changes" ] && [ -e "$stamp" ] &&
	[ "$(cat "$stamp")" = "$want_stamp" ] && [ -n "$(list_kos)" ]; then
	list_kos
	exit 0
fi
rm -f "$stamp"

run_make() {
	if [ "$quiet" = 1 ]; then
		"$@" >"$tmp/make.log" 2>&1 || { cat "$tmp/make.log" >&2; return 1; }
	else
		"$@" >&2
	fi
}

note "building for $name ($KMD_KVER) in $out"
run_make "${mk[@]}" M="$out/src" modules || die "module build failed for $name"
if [ "$have_kmod" = 1 ]; then
	run_make "${mk[@]}" M="$out/tests/kmod" KBUILD_EXTRA_SYMBOLS="$out/src/Module.symvers" modules ||
		die "test module build failed for $name"
fi
echo "$want_stamp" >"$stamp"
list_kos
