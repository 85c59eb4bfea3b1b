# SPDX-License-Identifier: GPL-2.0
# smoke: kminidump.ko loads, debugfs shows the header row, the host finds and
# parses the KELF at the PA the regions file reports, and the module unloads.

if ! out=$(kmd_insmod kminidump.ko 2>&1); then
	ktap_fail "insmod kminidump.ko" "$out"
	return 0
fi
ktap_ok "insmod kminidump.ko"

regions=$(cat "$KMD_DBG/regions" 2>&1)
log "$regions"
hdr=$(echo "$regions" | head -n 1)
case $hdr in
*idx*id*name*va*pa*size*room*flags*owner*) ktap_ok "regions has a header line" ;;
*) ktap_fail "regions has a header line" "got: $hdr" ;;
esac

# row 0: "   0 <id> ELF <va> <pa> <size> <room> H kminidump"
row0=$(echo "$regions" | awk '$1 == "0" { print }')
# shellcheck disable=SC2086 # split the row into fields
set -- $row0
if [ "$1" = 0 ] && [ "$3" = ELF ] && [ "$8" = H ]; then
	ktap_ok "row 0 is the ELF header"
else
	ktap_fail "row 0 is the ELF header" "got: $row0"
fi
pa=$5 size=$6

hostcheck kelf_at "$pa" "$size"

if out=$(rmmod kminidump 2>&1); then
	ktap_ok "rmmod kminidump"
else
	ktap_fail "rmmod kminidump" "$out"
fi

hostcheck kelf_gone "$pa"
