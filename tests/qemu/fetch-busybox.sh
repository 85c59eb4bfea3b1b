#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Print the path of a static busybox for a guest architecture.
# amd64: the host's busybox-static (/bin/busybox). Other arches: apt-get download
# busybox-static:ARCH + dpkg -x into $KMD_CACHE/busybox/ARCH (never apt-get install
# it: the arch variants cannot be co-installed and one would remove the other).
# Usage: tests/qemu/fetch-busybox.sh ARCH
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

usage() { echo "usage: ${0##*/} ARCH (amd64|arm64)" >&2; exit 2; }
[ $# -eq 1 ] || usage
arch=$1
host_arch=$(dpkg --print-architecture)

if [ "$arch" = "$host_arch" ]; then
	bb=$(command -v busybox || true)
	[ -n "$bb" ] || die "busybox not found; run scripts/deps.sh (busybox-static)"
	file -L "$bb" | grep -q 'statically linked' ||
		die "$bb is not static; install busybox-static (scripts/deps.sh)"
	echo "$bb"
	exit 0
fi

dir=$KMD_CACHE/busybox/$arch
if [ ! -x "$dir/bin/busybox" ]; then
	debs=$KMD_CACHE/debs
	tmp=$(mktemp -d)
	cleanup() { rm -rf "$tmp"; }
	trap cleanup EXIT
	mkdir -p "$debs"
	f=$(compgen -G "$debs/busybox-static_*_$arch.deb" | head -1 || true)
	if [ -z "$f" ]; then
		dpkg --print-foreign-architectures | grep -qx "$arch" ||
			die "dpkg lacks the $arch architecture; run scripts/fetch-kernel.sh for an $arch kernel first"
		note "downloading busybox-static:$arch"
		(cd "$debs" && apt_locked apt-get download -qq -o APT::Sandbox::User=root "busybox-static:$arch" >/dev/null) ||
			die "cannot download busybox-static:$arch"
		f=$(compgen -G "$debs/busybox-static_*_$arch.deb" | head -1)
	fi
	dpkg -x "$f" "$tmp/root"
	file -L "$tmp/root/bin/busybox" | grep -q 'statically linked' ||
		die "busybox of $f is not statically linked: $(file -L "$tmp/root/bin/busybox")"
	mkdir -p "$dir/bin"
	cp "$tmp/root/bin/busybox" "$dir/bin/.busybox.$$"
	mv "$dir/bin/.busybox.$$" "$dir/bin/busybox"
fi
file -L "$dir/bin/busybox" | grep -q 'statically linked' ||
	die "$dir/bin/busybox is not statically linked (remove it; it is fetched again)"
echo "$dir/bin/busybox"
