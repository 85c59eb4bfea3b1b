#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run checkpatch (--no-tree --strict, from Debian's linux-source package) over every
# kernel source file of the project. Prints checkpatch's findings; exit 1 if any.
# Usage: scripts/style.sh [FILE...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null || ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1 || true)
[ -n "$tarball" ] || die "no kernel source tarball in /usr/src; run scripts/deps.sh (installs linux-source-6.12)"
cp_dir=$KMD_CACHE/checkpatch/$(basename "$tarball" .tar.xz)
if [ ! -x "$cp_dir/checkpatch.pl" ]; then
	mkdir -p "$cp_dir"
	top=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$cp_dir" --strip-components=2 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" "$top/scripts/const_structs.checkpatch"
fi

if [ $# -gt 0 ]; then
	files=("$@")
else
	cd "$TOP"
	mapfile -t files < <(git ls-files 'src/*.[ch]' 'include/*.h' 'tests/kmod/*.[ch]' | grep -v '^src/tool/')
fi
[ ${#files[@]} -gt 0 ] || die "no files to check"
status=0
for f in "${files[@]}"; do
	f=$(realpath "$f")
	# run outside the repository: in a git tree checkpatch drops a camelcase cache file
	out=$(cd "$cp_dir" && ./checkpatch.pl --no-tree --strict --terse --show-types \
		-f "$f" 2>&1 | sed "s#$TOP/##") || {
		echo "$out"
		status=1
	}
done
[ $status -eq 0 ] && echo "checkpatch: ${#files[@]} files clean"
exit $status
