// SPDX-License-Identifier: GPL-2.0
/*
 * Layouts of kernel structures that no public header gives: VMCOREINFO first
 * (the kernel states them itself), BTF second (kernels without VMCOREINFO,
 * such as Android GKI).
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include "kernel.h"

s64 kmk_vmci_number(const char *key)
{
	char val[32];
	long long n;

	if (kminidump_vmcoreinfo_value(key, val, sizeof(val)) < 0 || kstrtoll(val, 10, &n))
		return -ENOENT;
	return n;
}

s64 kmk_size_of(const char *type)
{
	char key[64];
	s64 n;

	snprintf(key, sizeof(key), "SIZE(%s)", type);
	n = kmk_vmci_number(key);
	return n >= 0 ? n : kmk_btf_struct_size(type);
}

s64 kmk_offset_of(const char *type, const char *member)
{
	char key[96];
	s64 n;

	snprintf(key, sizeof(key), "OFFSET(%s.%s)", type, member);
	n = kmk_vmci_number(key);
	return n >= 0 ? n : kmk_btf_member_offset(type, member);
}
