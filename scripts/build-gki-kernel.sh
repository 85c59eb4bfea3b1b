#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build, once and cached outside the repository, the GKI-like arm64 kernels the tests
# boot by name: Debian's linux-source-6.12 built with clang 16 / lld 16 (LLVM=1,
# kCFI, shadow call stack, no VMCOREINFO) from allnoconfig plus scripts/gki/gki.config.
#
#   arm64-gki            gki.config (debugfs on)
#   arm64-gki-nodebugfs  gki.config + nodebugfs.config (CONFIG_DEBUG_FS off)
#
# Cache: $KMD_CACHE/gki/src-<version>/ (the extracted tarball, shared) and
# $KMD_CACHE/gki/<version>-<hash of the fragments and RECIPE>/<name>/ with build/
# (the O= tree: Image, vmlinux with DWARF, System.map, what modules build against),
# root/lib/modules/<release>/ (modules_install) and kernel.env, the file
# scripts/fetch-kernel.sh prints for these names. nodebugfs starts from a copy of
# arm64-gki's build tree, so only what depends on CONFIG_DEBUG_FS is rebuilt.
# A change of a fragment or of RECIPE makes a new cache directory; older ones
# are removed once a build in the new one finished.
#
# Usage: scripts/build-gki-kernel.sh [--print-env] [--config-only] NAME...|all
#   --print-env    print the path of each kernel.env on stdout
#   --config-only  stop after writing and checking .config (for editing the fragment)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

GKI_NAMES=(arm64-gki arm64-gki-nodebugfs)
LLVM_BIN=/usr/lib/llvm-16/bin
TARBALL=/usr/src/linux-source-6.12.tar.xz
# Bump when a change here changes what is built (the cache key: this, the fragments, the source).
RECIPE=1
# what the kernel is built with; kernel.env's KMD_LLVM tells build-modules.sh
MAKE_ARGS=(ARCH=arm64 "LLVM=$LLVM_BIN/")

usage() { echo "usage: ${0##*/} [--print-env] [--config-only] NAME...|all  (NAME: ${GKI_NAMES[*]})" >&2; exit 2; }
print_env=0 config_only=0 names=()
while [ $# -gt 0 ]; do
	case $1 in
	--print-env) print_env=1 ;;
	--config-only) config_only=1 ;;
	-h|--help) usage ;;
	all) names+=("${GKI_NAMES[@]}") ;;
	-*) usage ;;
	*) [[ " ${GKI_NAMES[*]} " == *" $1 "* ]] || usage; names+=("$1") ;;
	esac
	shift
done
[ ${#names[@]} -gt 0 ] || usage

"$TOP/scripts/deps.sh" --gki >&2 || die "the GKI kernel build needs the packages above"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
[ -n "$srcver" ] || srcver=$(stat -c %s "$TARBALL")
key=$( { cat "$TOP/scripts/gki/gki.config" "$TOP/scripts/gki/nodebugfs.config"; echo "$RECIPE ${MAKE_ARGS[*]}"; } |
	sha256sum | cut -c1-10)
gki=$KMD_CACHE/gki
src=$gki/src-$srcver
top=$gki/$srcver-$key
mkdir -p "$gki"

extract_src() {
	[ -e "$src/.done" ] && return 0
	note "extracting $TARBALL into $src (about a minute)"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$TARBALL" -C "$src.tmp" --strip-components=1
	mv "$src.tmp" "$src"
	touch "$src/.done"
}

# fragment NAME: the merged fragment of NAME on stdout (a variant's lines win).
fragment() {
	local extra=()
	[ "$1" = arm64-gki-nodebugfs ] && extra=("$TOP/scripts/gki/nodebugfs.config")
	awk '
		function sym(l) { if (l ~ /^CONFIG_/) { sub(/=.*/, "", l); return l }
				  if (l ~ /^# CONFIG_.* is not set$/) { sub(/^# /, "", l); sub(/ is not set$/, "", l); return l }
				  return "" }
		{ s = sym($0); if (s == "") next; if (!(s in v)) order[n++] = s; v[s] = $0 }
		END { for (i = 0; i < n; i++) print v[order[i]] }
	' "$TOP/scripts/gki/gki.config" "${extra[@]}"
}

# check_config FRAGMENT DOTCONFIG: every fragment line holds in the final .config.
check_config() {
	local line s bad=0
	while read -r line; do
		if [[ $line == CONFIG_* ]]; then
			grep -qxF "$line" "$2" || { note "not in .config: $line ($(grep "^${line%%=*}=" "$2" || echo unset))"; bad=1; }
		else
			s=${line#\# }
			s=${s% is not set}
			if grep -q "^$s=" "$2"; then
				note "wanted unset, .config has: $(grep "^$s=" "$2")"
				bad=1
			fi
		fi
	done <"$1"
	return $bad
}

mk() { nice -n 10 make -C "$src" O="$1" -j"$(nproc)" "${MAKE_ARGS[@]}" "${@:2}"; }

build_one() {
	local name=$1 dir=$top/$1 b t0 kver
	b=$dir/build
	if [ ! -e "$dir/.done" ] || [ "$config_only" = 1 ]; then
		# one build at a time, machine-wide (two test runs may ask for the same kernel)
		exec 9>"$gki/.lock"
		flock 9
	fi
	if [ ! -e "$dir/.done" ] || [ "$config_only" = 1 ]; then
		extract_src
		mkdir -p "$dir"
		fragment "$name" >"$dir/fragment.config"
		if [ ! -e "$b/Makefile" ] && [ "$name" != arm64-gki ] && [ -e "$top/arm64-gki/.done" ]; then
			note "$name: starting from a copy of arm64-gki's build tree"
			rm -rf "$b.tmp"
			cp -a "$top/arm64-gki/build" "$b.tmp"
			mv "$b.tmp" "$b"
		fi
		mkdir -p "$b"
		mk "$b" KCONFIG_ALLCONFIG="$dir/fragment.config" allnoconfig >"$dir/config.log" 2>&1 ||
			{ cat "$dir/config.log" >&2; die "$name: make allnoconfig failed"; }
		check_config "$dir/fragment.config" "$b/.config" ||
			die "$name: the config fragment does not hold (scripts/gki/*.config; a dependency missing?)"
		[ "$config_only" = 1 ] && { note "$name: $b/.config checked"; return 0; }
		note "$name: building the kernel in $b (nice -n 10, $(nproc) jobs; log: $dir/build.log)"
		t0=$SECONDS
		mk "$b" Image modules >"$dir/build.log" 2>&1 ||
			{ tail -n 40 "$dir/build.log" >&2; die "$name: kernel build failed (log: $dir/build.log)"; }
		rm -rf "$dir/root"
		mk "$b" INSTALL_MOD_PATH="$dir/root" modules_install >>"$dir/build.log" 2>&1 ||
			{ tail -n 20 "$dir/build.log" >&2; die "$name: modules_install failed"; }
		echo "$((SECONDS - t0))" >"$dir/build-seconds"
		note "$name: built in $((SECONDS - t0)) s"
		touch "$dir/.done"
		# older cache directories (other fragments or script versions) are no longer used
		find "$gki" -mindepth 1 -maxdepth 1 -type d -name "$srcver-*" ! -name "${top##*/}" \
			-exec rm -rf {} +
	fi
	kver=$(cat "$b/include/config/kernel.release")
	{
		echo "KMD_KERNEL=$name"
		echo "KMD_ARCH=arm64"
		echo "KMD_KVER=$kver"
		echo "KMD_KDIR=$b"
		echo "KMD_MODDIR=$dir/root/lib/modules/$kver"
		echo "KMD_IMAGE=$b/arch/arm64/boot/Image"
		echo "KMD_DBG_VMLINUX=$b/vmlinux"
		echo "KMD_SYSTEM_MAP=$b/System.map"
		echo "KMD_LLVM=$LLVM_BIN/"
	} >"$dir/kernel.env.$$"
	mv -f "$dir/kernel.env.$$" "$dir/kernel.env"
	if [ "$print_env" = 1 ]; then echo "$dir/kernel.env"; fi
}

# in a function, so that bash has read all of it before a long build starts (editing
# the file during a build would otherwise change what the running script does)
main() {
	local n
	for n in "${names[@]}"; do
		build_one "$n"
	done
}
main
exit
