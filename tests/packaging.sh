#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Debian packaging test (docs/packaging.md): builds kminidump-dkms and
# kminidump-tools with `dpkg-buildpackage -us -uc -b` from a copy of the work tree
# in a temporary directory (nothing is built in the repository), then checks:
# control fields, contents and permissions (the DKMS tree equals `make
# dkms-install`'s, the tools equal `make -C src/tool install`'s), dkms.conf, the
# maintainer scripts, lintian (no error, no warning that is not overridden with
# a reason in debian/*.lintian-overrides), kminidump-tools installed and removed
# with dpkg in a scratch root (its own admindir: never the host's) and run from
# there, the bash completion against every command's --help, the systemd-unit
# hook (a stand-in unit packaged from systemd/), and DKMS building the modules
# from the package's /usr/src tree against every given kernel's fetched headers
# (arm64 cross-built), in dkms trees of its own.
# Prints KTAP lines and "N passed, N failed"; exit 1 on failure.
# Usage: tests/packaging.sh [NAME...]   (kernels from tests/kernels.conf; default: all)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

for c in dpkg-buildpackage dh dh_dkms lintian dkms; do
	command -v "$c" >/dev/null || die "$c is not installed (scripts/deps.sh)"
done
[ -r /usr/share/bash-completion/bash_completion ] ||
	die "bash-completion is not installed (scripts/deps.sh)"
[ $# -gt 0 ] || mapfile -t argv < <(kernel_names)
[ $# -eq 0 ] || argv=("$@")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
version=$(cat "$TOP/VERSION")
arch=$(dpkg --print-architecture)
n=0 failed=0

result() {	# result RC DESC [DIAG]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
		[ -z "${3:-}" ] || sed 's/^/# /' <<<"$3" | tail -n 40
	fi
}

# check DESC CMD...: one result, CMD's output as the diagnostic when it fails
check() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	result $rc "$desc" "$out"
}

# listing DIR: "type mode path" of everything under DIR, sorted
listing() { (cd "$1" && find . -mindepth 1 -printf '%y %m %P\n' | LC_ALL=C sort); }

git_state() { git -C "$TOP" status --porcelain --untracked-files=all 2>/dev/null || true; }
state_before=$(git_state)

# ---- build: what `make deb` does ----
t0=$SECONDS
out=$("$TOP/scripts/build-deb.sh" "$scratch/build" 2>&1) && rc=0 || rc=$?
t_build=$((SECONDS - t0))
result $rc "scripts/build-deb.sh: dpkg-buildpackage -us -uc -b in a copy of the tree (${t_build} s)" "$out"
dkms_deb=$scratch/build/kminidump-dkms_${version}_all.deb
tools_deb=$scratch/build/kminidump-tools_${version}_$arch.deb
changes=$scratch/build/kminidump_${version}_$arch.changes
for f in "$dkms_deb" "$tools_deb" "$changes"; do
	[ -f "$f" ] && rc=0 || rc=1
	result $rc "built ${f##*/}" "$(ls "$scratch/build")"
done
[ -f "$dkms_deb" ] && [ -f "$tools_deb" ] ||
	{ echo "$((n - failed)) passed, $failed failed"; exit 1; }

# ---- control fields ----
fields() {	# fields DEB PACKAGE ARCH DEPENDS-PATTERN
	local f
	f=$(dpkg-deb -f "$1" Package Version Architecture Depends)
	grep -qx "Package: $2" <<<"$f" && grep -qx "Version: $version" <<<"$f" &&
		grep -qx "Architecture: $3" <<<"$f" && grep -Eq "^Depends: (.*, )?$4" <<<"$f" ||
		{ echo "$f"; return 1; }
}
check "kminidump-dkms: Version $version (VERSION), Architecture all, Depends on dkms" \
	fields "$dkms_deb" kminidump-dkms all 'dkms( |,|$)'
check "kminidump-tools: Version $version, Architecture $arch, Depends on libelf1" \
	fields "$tools_deb" kminidump-tools "$arch" 'libelf1( |,|$)'

# ---- contents and permissions ----
# every entry root/root; directories 0755; files 0644 except the executables given
perms() {	# perms DEB EXECUTABLE...
	local deb=$1 bad
	shift
	bad=$(dpkg-deb -c "$deb" | awk -v x=" $* " '
		{ p = $6; sub(/^\.\//, "/", p); sub(/\/$/, "", p) }
		$2 != "root/root" { print "owner " $2 ": " p; next }
		/^d/ { if ($1 != "drwxr-xr-x") print $1 " " p; next }
		/^-/ { want = index(x, " " p " ") ? "-rwxr-xr-x" : "-rw-r--r--"
		       if ($1 != want) print $1 " " p " (want " want ")"; next }
		{ print "not a file or directory: " $0 }')
	[ -z "$bad" ] || { echo "$bad"; return 1; }
}
check "kminidump-dkms: owned by root, directories 0755, files 0644, kminidump-load 0755" \
	perms "$dkms_deb" /usr/libexec/kminidump/kminidump-load
check "kminidump-tools: owned by root, directories 0755, files 0644, /usr/bin/kminidump 0755" \
	perms "$tools_deb" /usr/bin/kminidump

dpkg-deb -x "$dkms_deb" "$scratch/dkms-deb"
dpkg-deb -x "$tools_deb" "$scratch/tools-deb"
dpkg-deb -e "$dkms_deb" "$scratch/dkms-ctl"
tree=$scratch/dkms-deb/usr/src/kminidump-$version

out=$(make -s -C "$TOP" dkms-install DESTDIR="$scratch/make-dkms" 2>&1) && rc=0 || rc=$?
result $rc "make dkms-install into a scratch root" "$out"
same_tree() {	# same_tree A B: same paths, types and bytes
	diff <(listing "$1" | cut -d' ' -f1,3) <(listing "$2" | cut -d' ' -f1,3) &&
		diff -r "$1" "$2"
}
check "kminidump-dkms: /usr/src/kminidump-$version is exactly what make dkms-install lays out" \
	same_tree "$scratch/make-dkms/usr/src/kminidump-$version" "$tree"
others() {	# the package holds the DKMS tree, its doc directory and nothing else
	local extra
	extra=$(cd "$scratch/dkms-deb" && find . -mindepth 1 -not -type d |
		grep -v -e "^./usr/src/kminidump-$version/" \
			-e '^./usr/share/doc/kminidump-dkms/\(copyright\|changelog.gz\)$' \
			-e '^./usr/share/lintian/overrides/kminidump-dkms$' \
			-e '^./lib/systemd/system/' -e '^./lib/modprobe.d/kminidump.conf$' \
			-e '^./usr/libexec/kminidump/kminidump-load$' || true)
	[ -z "$extra" ] || { echo "unexpected: $extra"; return 1; }
	[ -f "$scratch/dkms-deb/usr/share/doc/kminidump-dkms/copyright" ]
}
modprobe_rule() {	# the modprobe rule that feeds vmcoreinfo_pa= is the repository's
	cmp "$scratch/dkms-deb/lib/modprobe.d/kminidump.conf" "$TOP/modprobe.d/kminidump.conf" &&
		cmp "$scratch/dkms-deb/usr/libexec/kminidump/kminidump-load" "$TOP/modprobe.d/kminidump-load" &&
		[ -x "$scratch/dkms-deb/usr/libexec/kminidump/kminidump-load" ]
}
check "kminidump-dkms: besides that only its copyright, changelog, lintian overrides and systemd units" others
check "kminidump-dkms: /lib/modprobe.d/kminidump.conf and its /usr/libexec/kminidump/kminidump-load" modprobe_rule

dkms_conf() {
	local c=$tree/dkms.conf m loc
	grep -qx 'PACKAGE_NAME="kminidump"' "$c" &&
		grep -qx "PACKAGE_VERSION=\"$version\"" "$c" &&
		grep -qx 'AUTOINSTALL="yes"' "$c" || { echo "name, version or AUTOINSTALL wrong"; return 1; }
	! grep -n 'MODULE_VERSION#\|@VERSION@' "$c" || return 1
	for m in $(sed -n 's/^BUILT_MODULE_LOCATION\[[0-9]*\]="\(.*\)"$/\1/p' "$c"); do
		ls "$tree/$m"*.c >/dev/null || { echo "no sources in $m"; return 1; }
	done
	# every module directory of src/Kbuild is built
	for loc in $(sed -n 's/^obj-m := //p' "$TOP/src/Kbuild"); do
		grep -q "^BUILT_MODULE_LOCATION\[[0-9]*\]=\"src/$loc\"" "$c" ||
			{ echo "src/Kbuild builds $loc, dkms.conf does not"; return 1; }
	done
}
check "kminidump-dkms: dkms.conf names kminidump $version, every module of src/Kbuild, AUTOINSTALL" dkms_conf
maint() {
	local ctl=$scratch/dkms-ctl
	grep -qx 'DKMS_NAME=kminidump' "$ctl/postinst" &&
		grep -qx "DKMS_VERSION=$version" "$ctl/postinst" &&
		grep -q '/usr/lib/dkms/common.postinst' "$ctl/postinst" &&
		grep -qx "DKMS_VERSION=$version" "$ctl/prerm" &&
		grep -q 'dkms remove -m $DKMS_NAME -v $DKMS_VERSION --all' "$ctl/prerm" ||
		{ cat "$ctl/postinst" "$ctl/prerm"; return 1; }
}
check "kminidump-dkms: postinst adds, builds and installs kminidump/$version with DKMS, prerm removes it (dh_dkms)" maint

tools_files() {	# the package = make -C src/tool install PREFIX=/usr, plus its doc files
	local want got
	copy_work_tree "$scratch/tool-src"
	make -s -C "$scratch/tool-src/src/tool" install DESTDIR="$scratch/make-tools" PREFIX=/usr \
		>/dev/null || return 1
	gzip -9n "$scratch/make-tools/usr/share/man/man1/kminidump.1"
	want=$( (cd "$scratch/make-tools" && find . -not -type d; echo ./usr/share/doc/kminidump-tools/changelog.gz
		echo ./usr/share/doc/kminidump-tools/copyright) | LC_ALL=C sort)
	got=$(cd "$scratch/tools-deb" && find . -not -type d | LC_ALL=C sort)
	diff <(echo "$want") <(echo "$got")
}
check "kminidump-tools: the files of make -C src/tool install PREFIX=/usr, and copyright, changelog" tools_files
check "kminidump-tools: the man page is docs/kminidump.1" \
	cmp <(zcat "$scratch/tools-deb/usr/share/man/man1/kminidump.1.gz") "$TOP/docs/kminidump.1"
check "kminidump-tools: /usr/share/bash-completion/completions/kminidump is src/tool/kminidump.bash-completion" \
	cmp "$scratch/tools-deb/usr/share/bash-completion/completions/kminidump" \
	"$TOP/src/tool/kminidump.bash-completion"
units() {	# the units of systemd/ and no other
	diff <(cd "$TOP" && ls systemd/*.service 2>/dev/null | sed 's|.*/||') \
		<(ls "$scratch/dkms-deb/lib/systemd/system" 2>/dev/null)
}
check "kminidump-dkms: the systemd units of systemd/ ($(cd "$TOP" && ls systemd/*.service 2>/dev/null | wc -l) today)" units

# ---- lintian ----
t0=$SECONDS
lint=$(lintian --pedantic --fail-on error,warning "$changes" 2>&1) && rc=0 || rc=$?
lint=$(grep -v '^running with root privileges is not recommended!$' <<<"$lint" || true)
result $rc "lintian: no error, no warning ($((SECONDS - t0)) s)" "$lint"
[ $rc != 0 ] || [ -z "$lint" ] || sed 's/^/# /' <<<"$lint"

# ---- kminidump-tools in a scratch root ----
root=$scratch/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dp=(dpkg --root="$root" --admindir="$root/var/lib/dpkg" --force-depends)
out=$("${dp[@]}" -i "$tools_deb" 2>&1) && rc=0 || rc=$?
[ "$("${dp[@]}" -s kminidump-tools 2>/dev/null | sed -n 's/^Status: //p')" = "install ok installed" ] || rc=1
result $rc "dpkg --root installs kminidump-tools into a scratch root" "$out"
out=$("$root/usr/bin/kminidump" --version 2>&1) && rc=0 || rc=$?
[ "$out" = "kminidump $version" ] || rc=1
result $rc "the installed kminidump --version says kminidump $version" "$out"

# the completion as bash-completion loads it from the installed tree
comp() {	# comp WORD...: the candidates for the last word, sorted, one line
	XDG_DATA_DIRS=$root/usr/share PATH=$root/usr/bin:$PATH bash --norc -c '
		. /usr/share/bash-completion/bash_completion
		__load_completion kminidump || exit 1
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		$(complete -p kminidump | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort -u | paste -sd" "' comp "$@"
}
help_opts() {	# the long options of `kminidump CMD --help` and the common ones, sorted
	{ "$root/usr/bin/kminidump" "$@" --help | grep -oE '^ +(-[a-zA-Z0-9], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'
	  echo --help; echo --version; echo --quiet; echo --verbose; } | LC_ALL=C sort -u | paste -sd' '
}
completion() {
	local want got c bad=0
	want=$("$root/usr/bin/kminidump" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p' |
		LC_ALL=C sort | paste -sd' ')
	got=$(comp kminidump "")
	[ "$want" = "$got" ] || { echo "commands: --help has '$want', completion '$got'"; bad=1; }
	for c in $want; do
		want=$(help_opts "$c")
		got=$(comp kminidump "$c" --)
		[ "$want" = "$got" ] || { echo "$c: --help has '$want', completion '$got'"; bad=1; }
	done
	mkdir -p "$scratch/comp/dbgfs" && touch "$scratch/comp/System.map"
	got=$(comp kminidump symbols --debugfs "$scratch/comp/")
	[ "$got" = "$scratch/comp/dbgfs" ] || { echo "--debugfs offers '$got', want the directory only"; bad=1; }
	got=$(comp kminidump info core --system-map "$scratch/comp/Sys")
	[ "$got" = "$scratch/comp/System.map" ] || { echo "--system-map offers '$got'"; bad=1; }
	touch "$scratch/comp/kmd_crash.ko"
	got=$(comp kminidump info core --module "$scratch/comp/")
	[ "$got" = "$scratch/comp/dbgfs $scratch/comp/kmd_crash.ko" ] ||
		{ echo "--module offers '$got', want directories and .ko files"; bad=1; }
	got=$(comp kminidump extract --kelf "")
	[ -z "$got" ] || { echo "--kelf PA offers '$got', want nothing"; bad=1; }
	return $bad
}
check "bash completion (loaded by bash-completion from the scratch root): every command and option of --help, files, .ko files, directories" completion

out=$("${dp[@]}" -r kminidump-tools 2>&1) && rc=0 || rc=$?
left=$(cd "$root" && find . -not -type d -not -path './var/lib/dpkg/*')
[ -z "$left" ] || rc=1
result $rc "dpkg --root removes kminidump-tools and every file it installed" "$out$left"

# ---- the systemd-unit hook: a stand-in unit in systemd/ is packaged and enabled ----
hook() {
	local h=$scratch/hook/kminidump-$version deb ctl
	copy_work_tree "$h"
	mkdir -p "$h/systemd"
	printf '[Unit]\nDescription=packaging test stand-in\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n' \
		>"$h/systemd/kminidump-hooktest.service"
	(cd "$h" && nice -n 10 dpkg-buildpackage -us -uc -A) >"$scratch/hook.log" 2>&1 ||
		{ tail -30 "$scratch/hook.log"; return 1; }
	deb=$scratch/hook/kminidump-dkms_${version}_all.deb
	ctl=$scratch/hook/ctl
	grep -q ' \./lib/systemd/system/kminidump-hooktest\.service$' <<<"$(dpkg-deb -c "$deb")" ||
		{ echo "unit not in the package"; dpkg-deb -c "$deb"; return 1; }
	dpkg-deb -e "$deb" "$ctl"
	grep -q 'deb-systemd-helper .*enable.*kminidump-hooktest\.service' "$ctl/postinst" &&
		grep -q 'deb-systemd-invoke .*kminidump-hooktest\.service' "$ctl/prerm" &&
		grep -q 'deb-systemd-helper purge.*kminidump-hooktest\.service' "$ctl/postrm" ||
		{ cat "$ctl/postinst" "$ctl/prerm" "$ctl/postrm"; return 1; }
}
check "systemd hook: a unit in systemd/ goes into kminidump-dkms, enabled and started by its postinst, stopped by prerm" hook

# ---- DKMS builds the package's tree for every kernel ----
t0=$SECONDS
for name in "${argv[@]}"; do
	. "$("$TOP/scripts/fetch-kernel.sh" --print-env "$name")"
	dtree=$scratch/dkms-$name
	mkdir -p "$dtree"
	d=(dkms --dkmstree "$dtree" --sourcetree "$scratch/dkms-deb/usr/src" -m kminidump -v "$version")
	cross=()
	machine="Advanced Micro Devices X86-64"
	if [ "$KMD_ARCH" = arm64 ]; then
		cross=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
		machine=AArch64
	fi
	out=$("${d[@]}" add 2>&1) && rc=0 || rc=$?
	result $rc "$name: dkms add (the package's /usr/src tree)" "$out"
	# dkms strips with the host's strip: on arm64 modules it says so and leaves them
	out=$(env "${cross[@]}" nice -n 10 "${d[@]}" build -k "$KMD_KVER" -a "${KMD_ARCH/amd64/x86_64}" \
		--kernelsourcedir "$KMD_KDIR" 2>&1) && rc=0 || rc=$?
	[ $rc = 0 ] || out+=$'\n'$(tail -20 "$dtree"/kminidump/"$version"/build/make.log 2>/dev/null)
	result $rc "$name: dkms build -k $KMD_KVER" "$out"
	for m in kminidump kminidump_kernel kminidump_rmem; do
		ko=$(find "$dtree/kminidump/$version/$KMD_KVER" -name "$m.ko*" 2>/dev/null | head -1)
		out="no $m.ko"
		if [ -n "$ko" ]; then
			# modules_install-style compression (Debian 6.12: .ko.xz) happens in dkms build
			case $ko in
			*.xz) xz -dc "$ko" >"$scratch/m.ko" ;;
			*.zst) zstd -qdc "$ko" >"$scratch/m.ko" ;;
			*.gz) gzip -dc "$ko" >"$scratch/m.ko" ;;
			*) cp "$ko" "$scratch/m.ko" ;;
			esac
			out=$(readelf -h "$scratch/m.ko" | grep Machine; modinfo -F vermagic "$scratch/m.ko")
		fi
		grep -q "Machine: *$machine" <<<"$out" && grep -q "^$KMD_KVER " <<<"$out" && rc=0 || rc=1
		result $rc "$name: dkms built $m.ko for $KMD_KVER ($KMD_ARCH)" "$out"
	done
	out=$("${d[@]}" remove --all 2>&1) && rc=0 || rc=$?
	result $rc "$name: dkms remove" "$out"
done
t_dkms=$((SECONDS - t0))

state_after=$(git_state)
[ "$state_before" = "$state_after" ] && rc=0 || rc=1
result $rc "the repository is left as it was (git status)" \
	"$(diff <(echo "$state_before") <(echo "$state_after"))"
echo "# times: dpkg-buildpackage ${t_build} s, dkms builds ${t_dkms} s (${#argv[@]} kernels)"
echo "$((n - failed)) passed, $failed failed"
exit $((failed > 0))
