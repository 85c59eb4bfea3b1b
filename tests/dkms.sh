#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Packaging test: `make dkms-install` into a scratch root, then dkms add, build
# (against a fetched stock kernel's headers) and remove, with dkms trees of its
# own, so the machine's /usr/src and /var/lib/dkms are untouched; then
# `make install` and `make uninstall` into a scratch DESTDIR.
# Prints KTAP lines; exit 1 on failure.
# Usage: tests/dkms.sh NAME...   (amd64 kernels from tests/kernels.conf)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

[ $# -gt 0 ] || { echo "usage: ${0##*/} NAME..." >&2; exit 2; }
command -v dkms >/dev/null || die "dkms is not installed (scripts/deps.sh)"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
version=$(cat "$TOP/VERSION")
n=0 failed=0

result() {	# result OK DESC [DIAG]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
		[ -z "${3:-}" ] || sed 's/^/# /' <<<"$3"
	fi
}

out=$(make -s -C "$TOP" dkms-install DESTDIR="$scratch/root" 2>&1) && rc=0 || rc=$?
result $rc "make dkms-install" "$out"
src=$scratch/root/usr/src
[ -f "$src/kminidump-$version/dkms.conf" ] && rc=0 || rc=1
result $rc "dkms-install copied the sources to /usr/src/kminidump-$version"
stray=$(cd "$src/kminidump-$version" && find . -name '*.o' -o -name '*.ko' -o -path './src/tool*' -o -path './tests*' | head -5)
[ -z "$stray" ] && rc=0 || rc=1
result $rc "only kernel sources were copied" "$stray"

for name in "$@"; do
	. "$("$TOP/scripts/fetch-kernel.sh" --print-env "$name")"
	tree=$scratch/dkms-$name
	mkdir -p "$tree"
	d=(dkms --dkmstree "$tree" --sourcetree "$src" -m kminidump -v "$version")
	out=$("${d[@]}" add 2>&1) && rc=0 || rc=$?
	result $rc "$name: dkms add" "$out"
	out=$("${d[@]}" build -k "$KMD_KVER" --kernelsourcedir "$KMD_KDIR" 2>&1) && rc=0 || rc=$?
	[ $rc = 0 ] || out+=$'\n'$(cat "$tree"/kminidump/"$version"/build/make.log 2>/dev/null | tail -20)
	result $rc "$name: dkms build -k $KMD_KVER" "$out"
	for m in kminidump kminidump_kernel kminidump_rmem; do
		ko=$(find "$tree/kminidump/$version/$KMD_KVER" -name "$m.ko*" 2>/dev/null | head -1)
		[ -n "$ko" ] && rc=0 || rc=1
		result $rc "$name: dkms built $m.ko"
	done
	out=$("${d[@]}" remove --all 2>&1) && rc=0 || rc=$?
	result $rc "$name: dkms remove" "$out"

	dest=$scratch/install-$name
	mk=(make -s -C "$TOP" KDIR="$KMD_KDIR" KVER="$KMD_KVER" DESTDIR="$dest")
	out=$("${mk[@]}" install 2>&1) && rc=0 || rc=$?
	for f in lib/modules/$KMD_KVER/updates/kminidump/core/kminidump.ko \
		 lib/modules/$KMD_KVER/updates/kminidump/kernel/kminidump_kernel.ko \
		 lib/modules/$KMD_KVER/updates/kminidump/rmem/kminidump_rmem.ko \
		 usr/local/bin/kminidump usr/local/share/man/man1/kminidump.1 \
		 lib/modprobe.d/kminidump.conf usr/libexec/kminidump/kminidump-load; do
		# modules_install compresses as the kernel's config says (Debian 6.12: .ko.xz)
		found=
		for g in "$dest/$f"{,.xz,.zst,.gz}; do [ -f "$g" ] && found=$g; done
		[ -n "$found" ] || { rc=1; out+=$'\n'"missing $f"; }
	done
	[ -x "$dest/usr/libexec/kminidump/kminidump-load" ] || { rc=1; out+=$'\n'"kminidump-load is not executable"; }
	result $rc "$name: make install puts the modules, the tool, its man page and the modprobe rule in place" "$out"
	out=$("${mk[@]}" uninstall 2>&1) && rc=0 || rc=$?
	left=$(find "$dest" -type f)
	[ -z "$left" ] || rc=1
	result $rc "$name: make uninstall removes them" "$out$left"
done
echo "$((n - failed)) passed, $failed failed"
exit $((failed > 0))
