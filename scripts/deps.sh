#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian 12 host packages kminidump's build, demo and tests need.
# Usage: scripts/deps.sh [--check] [--gki] [--bench]
#   --check  only report what is missing (exit 1 if anything is)
#   --gki    also the GKI-like kernel's toolchain (scripts/build-gki-kernel.sh): clang 16, lld 16
#   --bench  also what make bench needs: gnuplot (the scale plot), age, zstd
# As root it runs apt-get; otherwise it prints the exact command to run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# command -> package that provides it
declare -A PKG=(
	[make]=make [gcc]=gcc [x86_64-linux-gnu-gcc-12]=gcc-12
	[aarch64-linux-gnu-gcc-12]=gcc-aarch64-linux-gnu [aarch64-linux-gnu-nm]=binutils-aarch64-linux-gnu
	[pahole]=dwarves [dtc]=device-tree-compiler [bc]=bc [flex]=flex [bison]=bison
	[qemu-system-x86_64]=qemu-system-x86 [qemu-system-aarch64]=qemu-system-arm
	[busybox]=busybox-static [cpio]=cpio [depmod]=kmod [xz]=xz-utils [zstd]=zstd
	[dkms]=dkms [crash]=crash [makedumpfile]=makedumpfile [socat]=socat
	[clang]=clang [sparse]=sparse [python3]=python3 [rsync]=rsync [file]=file
	[groff]=groff-base [readelf]=binutils [age]=age [dt-doc-validate]=dt-schema
	[dpkg-buildpackage]=dpkg-dev [dh]=debhelper [dh_dkms]=dh-dkms [lintian]=lintian
)
# files -> package (libraries and data that have no command)
declare -A FILEPKG=(
	[/usr/include/libelf.h]=libelf-dev
	[/usr/include/gelf.h]=libelf-dev
	[/usr/include/zstd.h]=libzstd-dev [/usr/include/openssl/evp.h]=libssl-dev
	[/usr/lib/python3/dist-packages/drgn]=python3-drgn
	[/usr/src/linux-source-6.12.tar.xz]=linux-source-6.12
	[/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a]=libclang-rt-14-dev
	[/usr/share/build-essential/essential-packages-list]=build-essential
	[/usr/share/bash-completion/bash_completion]=bash-completion
)

check=0
for a in "$@"; do
	case $a in
	--check) check=1 ;;
	--gki) PKG+=([clang-16]=clang-16 [ld.lld-16]=lld-16 [llvm-nm-16]=llvm-16) ;;
	--bench) PKG+=([gnuplot]=gnuplot-nox [age]=age [zstd]=zstd) ;;
	*) echo "usage: ${0##*/} [--check] [--gki] [--bench]" >&2; exit 2 ;;
	esac
done

missing=()
for c in "${!PKG[@]}"; do
	command -v "$c" >/dev/null 2>&1 || missing+=("${PKG[$c]}")
done
for f in "${!FILEPKG[@]}"; do
	[ -e "$f" ] || missing+=("${FILEPKG[$f]}")
done
# The fuzz target needs clang's libFuzzer runtime; the path above is clang 14's (bookworm).
# The guests' busybox must be static (the initramfs has no libc): Debian's "busybox"
# package is dynamic and also provides the command, so check the file, not the name.
bb=$(command -v busybox 2>/dev/null || true)
if [ -n "$bb" ] && command -v file >/dev/null && ! file -L "$bb" | grep -q 'statically linked'; then
	note "$bb is not statically linked: the guests need busybox-static"
	missing+=(busybox-static)
fi
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$check" = 1 ]; then
	note "missing packages: ${missing[*]}"
	exit 1
fi
[ "$(id -u)" -eq 0 ] ||
	die "missing packages; run: sudo apt-get install --no-install-recommends ${missing[*]}"
note "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_locked apt-get update -qq
apt_locked apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
bb=$(command -v busybox) && file -L "$bb" | grep -q 'statically linked' ||
	die "busybox is still not a static binary ($(file -L "$bb" 2>&1)): apt-get install busybox-static"
