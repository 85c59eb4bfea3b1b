#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the Debian packages (kminidump-dkms, kminidump-tools; docs/packaging.md) with
# `dpkg-buildpackage -us -uc` in a copy of the work tree under a temporary directory, so
# that nothing is built in the repository, and put the .deb, .changes and .buildinfo
# files in OUTDIR. The copy holds the tracked files and the new ones git does not ignore.
# Usage: scripts/build-deb.sh [-A] [OUTDIR]   (default OUTDIR: build/deb)
#   -A  only the architecture-independent package (kminidump-dkms)
# Build dependencies: see debian/control (dpkg-buildpackage names any that is missing).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

what=-b
if [ "${1:-}" = -A ]; then
	what=-A
	shift
fi
out=${1:-$TOP/build/deb}
command -v dpkg-buildpackage >/dev/null ||
	die "dpkg-buildpackage is missing; run: sudo apt-get install dpkg-dev debhelper dh-dkms libelf-dev"
git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || die "$TOP is not a git work tree"
version=$(cat "$TOP/VERSION")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/kminidump-$version
mkdir -p "$src" "$out"
copy_work_tree "$src"
(cd "$src" && nice -n 10 dpkg-buildpackage -us -uc "$what") >"$tmp/build.log" 2>&1 ||
	{ tail -n 40 "$tmp/build.log" >&2; die "dpkg-buildpackage failed"; }
shopt -s nullglob
files=("$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo)
[ ${#files[@]} -gt 0 ] || die "dpkg-buildpackage wrote no package"
cp -f "${files[@]}" "$out/"
for f in "${files[@]}"; do echo "$out/${f##*/}"; done
