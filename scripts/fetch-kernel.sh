#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a stock Debian kernel from tests/kernels.conf without installing it:
# apt-get download + dpkg -x into $KMD_CACHE/kernels/<abi>-<arch>/, then fix the
# headers tree so out-of-tree modules build against it, and write kernel.env there.
# Usage: scripts/fetch-kernel.sh [--dbg] [--print-env] NAME...   (NAME from tests/kernels.conf, or "all")
#   arm64-gki, arm64-gki-nodebugfs: not fetched but built (scripts/build-gki-kernel.sh)
#   --dbg        also fetch the -dbg package's DWARF vmlinux and System.map (large: ~1 GB each)
#   --print-env  print the path of each kernel.env on stdout
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { echo "usage: ${0##*/} [--dbg] [--print-env] NAME...|all" >&2; exit 2; }
want_dbg=0 print_env=0 names=()
while [ $# -gt 0 ]; do
	case $1 in
	--dbg) want_dbg=1 ;;
	--print-env) print_env=1 ;;
	-h|--help) usage ;;
	all) mapfile -t -O "${#names[@]}" names < <(kernel_names) ;;
	-*) usage ;;
	*) names+=("$1") ;;
	esac
	shift
done
[ ${#names[@]} -gt 0 ] || usage

host_arch=$(dpkg --print-architecture)
debs=$KMD_CACHE/debs
mkdir -p "$debs"

# ensure_foreign_arch ARCH: let apt download ARCH packages (Multi-Arch indices).
ensure_foreign_arch() {
	[ "$1" = "$host_arch" ] && return 0
	dpkg --print-foreign-architectures | grep -qx "$1" && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "apt needs the $1 architecture; run: sudo dpkg --add-architecture $1 && sudo apt-get update"
	note "adding dpkg architecture $1"
	apt_locked dpkg --add-architecture "$1"
	apt_locked apt-get update -qq
}

# download PKG: fetch PKG's .deb into $debs once; print its path.
download() {
	local pkg=$1 name f
	name=${pkg%%:*}
	f=$(compgen -G "$debs/${name}_*.deb" | head -1 || true)
	if [ -z "$f" ]; then
		note "downloading $pkg"
		(cd "$debs" && apt_locked apt-get download -qq -o APT::Sandbox::User=root "$pkg" >/dev/null) ||
			die "cannot download $pkg; is it still in the archive? (scripts/update-kernels.sh moves to the newest)"
		f=$(compgen -G "$debs/${name}_*.deb" | head -1)
	fi
	echo "$f"
}

# kbuild_pkg ABI ARCH: the linux-kbuild package the headers depend on.
kbuild_pkg() {
	apt-cache show "linux-headers-$1-$2:$2" 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-kbuild-[^ ,]*\).*/\1/p' | head -1
}

# unpack_vmlinux BZIMAGE OUT: decompress a bzImage payload into an ELF vmlinux (for PVH boots).
unpack_vmlinux() {
	python3 - "$1" "$2" <<'PY'
import lzma, subprocess, sys
data = open(sys.argv[1], "rb").read()
for magic, kind in ((b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd")):
    off = data.find(magic)
    while off >= 0:
        try:
            if kind == "xz":
                out = lzma.LZMADecompressor().decompress(data[off:])
            else:
                out = subprocess.run(["zstd", "-dcq"], input=data[off:],
                                     capture_output=True).stdout
            if out[:4] == b"\x7fELF":
                open(sys.argv[2], "wb").write(out)
                sys.exit(0)
        except Exception:
            pass
        off = data.find(magic, off + 1)
sys.exit("no xz or zstd ELF payload found in " + sys.argv[1])
PY
}

fetch_one() {
	local name=$1 arch abi kver dir root hdr kb f
	case $name in
	arm64-gki*)	# not downloaded: built from linux-source-6.12 (cached)
		if [ "$print_env" = 1 ]; then f=--print-env; else f=; fi
		"$TOP/scripts/build-gki-kernel.sh" ${f:+"$f"} "$name"
		return ;;
	esac
	arch=$(kernel_field "$name" 2)
	abi=$(kernel_field "$name" 3)
	kver=$abi-$arch
	dir=$KMD_CACHE/kernels/$kver
	root=$dir/root
	if [ ! -e "$dir/.done" ]; then
		ensure_foreign_arch "$arch"
		kb=$(kbuild_pkg "$abi" "$arch")
		[ -n "$kb" ] || die "linux-headers-$abi-$arch:$arch is not in the apt indices (apt-get update? scripts/update-kernels.sh?)"
		rm -rf "$dir"
		mkdir -p "$root"
		for pkg in "linux-image-$kver-unsigned:$arch" "linux-headers-$kver:$arch" \
			"linux-headers-$abi-common" "$kb"; do
			f=$(download "$pkg")
			dpkg -x "$f" "$root"
		done
		hdr=$root/usr/src/linux-headers-$kver
		# The headers Makefile includes the common tree by absolute path; make it relative.
		sed -i 's#^include /usr/src/\(linux-headers-[^/]*-common\)/Makefile#include $(abspath $(dir $(lastword $(MAKEFILE_LIST)))../\1/Makefile)#' \
			"$hdr/Makefile"
		ln -sfn "../../../usr/src/linux-headers-$kver" "$root/lib/modules/$kver/build"
		if [ "$arch" = amd64 ]; then
			unpack_vmlinux "$root/boot/vmlinuz-$kver" "$dir/vmlinux"
		fi
		touch "$dir/.done"
	fi
	if [ "$want_dbg" = 1 ] && [ ! -e "$dir/dbg/.done" ]; then
		f=$(download "linux-image-$kver-dbg:$arch")
		note "extracting vmlinux and System.map from ${f##*/} (about a minute)"
		rm -rf "$dir/dbg.tmp"
		mkdir -p "$dir/dbg.tmp"
		dpkg-deb --fsys-tarfile "$f" | tar -x -C "$dir/dbg.tmp" --wildcards \
			"./usr/lib/debug/boot/vmlinux-$kver" "./usr/lib/debug/boot/System.map-$kver"
		mkdir -p "$dir/dbg"
		mv "$dir/dbg.tmp/usr/lib/debug/boot/vmlinux-$kver" "$dir/dbg/vmlinux"
		mv "$dir/dbg.tmp/usr/lib/debug/boot/System.map-$kver" "$dir/dbg/System.map"
		rm -rf "$dir/dbg.tmp" "$f"
		touch "$dir/dbg/.done"
	fi
	{
		echo "KMD_KERNEL=$name"
		echo "KMD_ARCH=$arch"
		echo "KMD_KVER=$kver"
		echo "KMD_KDIR=$root/usr/src/linux-headers-$kver"
		echo "KMD_MODDIR=$root/lib/modules/$kver"
		echo "KMD_IMAGE=$root/boot/vmlinuz-$kver"
		if [ "$arch" = amd64 ]; then echo "KMD_VMLINUX_PVH=$dir/vmlinux"; fi
		if [ -e "$dir/dbg/.done" ]; then
			echo "KMD_DBG_VMLINUX=$dir/dbg/vmlinux"
			echo "KMD_SYSTEM_MAP=$dir/dbg/System.map"
		fi
	} >"$dir/kernel.env.$$"
	# rename: a concurrent reader (another boot, build-modules.sh) never sees it half written
	mv -f "$dir/kernel.env.$$" "$dir/kernel.env"
	if [ "$print_env" = 1 ]; then echo "$dir/kernel.env"; fi
}

for n in "${names[@]}"; do
	fetch_one "$n"
done
