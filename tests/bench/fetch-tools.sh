#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fetch-tools.sh ARCH: Debian 12's kexec-tools and makedumpfile for the guest (amd64 or
# arm64), with every shared library they load, unpacked into
# $KMD_CACHE/bench/tools/ARCH/root (apt-get download + dpkg -x, nothing is installed).
# Prints that root. The ELF closure (NEEDED of every binary and library) is checked:
# a library no listed package gives is an error naming it.
set -euo pipefail
arch=${1:?usage: fetch-tools.sh amd64|arm64}
cache=${KMD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kminidump}/bench/tools/$arch
bins="sbin/kexec usr/bin/makedumpfile"
# kexec-tools links libxenctrl (its Xen support) on both architectures; the rest is
# makedumpfile's libdw/libelf and their compressors.
pkgs="kexec-tools makedumpfile libc6 libgcc-s1 libelf1 libdw1 liblzo2-2 zlib1g liblzma5
      libbz2-1.0 libzstd1 libxenmisc4.17 libxencall1 libxendevicemodel1 libxenevtchn1
      libxenforeignmemory1 libxengnttab1 libxenhypfs1 libxenstore4 libxentoolcore1
      libxentoollog1 libyajl2 libuuid1"
stamp=$cache/root/.done
if [ ! -e "$stamp" ]; then
	rm -rf "$cache"
	mkdir -p "$cache/debs"
	chmod 777 "$cache/debs"	# apt's _apt user downloads there
	list=()
	for p in $pkgs; do list+=("$p:$arch"); done
	(cd "$cache/debs" && apt-get download -q "${list[@]}" >/dev/null)
	for d in "$cache"/debs/*.deb; do dpkg -x "$d" "$cache/root"; done
	touch "$stamp"
fi
root=$cache/root
# ELF closure: NEEDED of the binaries, transitively (what the initramfs will carry)
declare -A path=() seen=()
while IFS= read -r f; do path[${f##*/}]=${f#"$root"/}; done < <(find "$root" -name '*.so*' \( -type f -o -type l \))
missing=() todo=($bins) closure=()
while [ ${#todo[@]} -gt 0 ]; do
	f=${todo[0]}
	todo=("${todo[@]:1}")
	closure+=("$f")
	for n in $(readelf -d "$root/$f" 2>/dev/null | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p'); do
		[ -z "${seen[$n]:-}" ] || continue
		seen[$n]=1
		if [ -n "${path[$n]:-}" ]; then todo+=("${path[$n]}"); else missing+=("$n (by $f)"); fi
	done
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "fetch-tools.sh: libraries no package gives: ${missing[*]}" >&2
	echo "fetch-tools.sh: add their packages to pkgs= and remove $cache" >&2
	exit 1
fi
printf '%s\n' "${closure[@]}" >"$root/.closure"
echo "$root"
