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
# Usage: scripts/build-modules.sh [-q] [-f] [--ref REF] NAME [OUTDIR] [MAKE_ARGS...]
#   NAME       kernel name from tests/kernels.conf (fetched if needed)
#   OUTDIR     build directory (default: $KMD_BUILD/NAME); omit or give "" to keep the default
#   MAKE_ARGS  extra make arguments, e.g. W=1 C=2 (anything with '=' or starting with '-')
#   -f         run make even if nothing changed
#   -q         no make output unless it fails
#   --ref REF  build the sources of git commit REF instead of the work tree (other
#              engineers' uncommitted files stay out); default $KMD_SRC_REF if set
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: ${0##*/} [-q] [-f] [--ref REF] NAME [OUTDIR] [MAKE_ARGS...]" >&2; exit 2; }

quiet=0 force=0 ref=${KMD_SRC_REF:-}
while [ $# -gt 0 ]; do
	case $1 in
	-q) quiet=1 ;;
	-f) force=1 ;;
	--ref) [ $# -ge 2 ] || usage; ref=$2; shift ;;
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
# A --ref build gets its own directory, so it does not thrash with work-tree builds.
out=${out:-$KMD_BUILD/$name${ref:+@${ref//[^A-Za-z0-9._-]/_}}}

env_file=$("$TOP/scripts/fetch-kernel.sh" --print-env "$name")
KMD_LLVM=
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
srctop=$TOP
sync=(rsync -a -O --delete -i "${excl[@]}")
if [ -n "$ref" ]; then
	# git archive stamps every file with the commit time: compare contents, and let
	# copied files take the current time so make sees them as new.
	srctop=$tmp/src
	mkdir -p "$srctop"
	paths=(VERSION include src)
	git -C "$TOP" cat-file -e "$ref:tests/kmod/Kbuild" 2>/dev/null && paths+=(tests/kmod)
	git -C "$TOP" archive "$ref" "${paths[@]}" | tar -x -C "$srctop" ||
		die "cannot export ${paths[*]} from git ref $ref"
	sync=(rsync -rlpc -O --delete -i "${excl[@]}")
fi
"${sync[@]}" "$srctop/VERSION" "$out/" >>"$changes"
for d in include src; do
	mkdir -p "$out/$d"
	"${sync[@]}" "$srctop/$d/" "$out/$d/" >>"$changes"
done
have_kmod=0
if [ -e "$srctop/tests/kmod/Kbuild" ]; then
	have_kmod=1
	mkdir -p "$out/tests/kmod"
	"${sync[@]}" "$srctop/tests/kmod/" "$out/tests/kmod/" >>"$changes"
else
	rm -rf "$out/tests/kmod"
fi
# Source dirs that are gone keep only build products (excluded from --delete): drop them.
find "$out/src" "$out/include" -depth -mindepth 1 -type d 2>/dev/null | while read -r d; do
	[ -e "$srctop/${d#"$out"/}" ] || rm -rf "$d"
done

mk=(make -C "$KMD_KDIR" -j"$(nproc)" "KMD_VERSION=$(cat "$srctop/VERSION")")
if [ -n "$KMD_LLVM" ]; then
	# a kernel built here with clang (the GKI-like one): LLVM=<clang 16's bin>/
	mk+=("ARCH=$KMD_ARCH" "LLVM=$KMD_LLVM")
elif [ "$KMD_ARCH" = arm64 ]; then
	mk+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
fi
mk+=("${make_args[@]}")

stamp=$out/.build.stamp
want_stamp="$KMD_KVER have_kmod=$have_kmod ${mk[*]}"
# The modules the last build made (modules.order), not stale .ko files of removed dirs.
list_kos() {
	local d m
	for d in "$out/src" "$out/tests/kmod"; do
		[ -r "$d/modules.order" ] || continue
		while read -r m; do
			m=${m%.o}
			m=${m%.ko}.ko
			case $m in /*) ;; *) m=$d/$m ;; esac
			[ -e "$m" ] && echo "$m"
		done <"$d/modules.order"
	done
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
