// SPDX-License-Identifier: GPL-2.0
/*
 * Layouts of kernel structures that no public header gives: VMCOREINFO first
 * (the kernel states them itself), BTF second (kernels without VMCOREINFO,
 * such as Android GKI); where per-CPU variables live; the run-time size of a
 * task_struct.
 */
#include <linux/kernel.h>
#include <linux/kernel_stat.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "kernel.h"

s64 kmk_vmci_number(const char *key)
{
	char val[32];
	long long n;

	if (kminidump_vmcoreinfo_value(key, val, sizeof(val)) < 0 || kstrtoll(val, 10, &n))
		return -ENOENT;
	kmk_sources_note(KMK_SRC_VMCOREINFO);
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

/* Where per-CPU variable @name lives on CPU 0's offset base. */
int kmk_percpu_sym(const char *name, unsigned long *addr)
{
	s64 off = kmk_btf_percpu_offset(name), ref = kmk_btf_percpu_offset("kernel_cpustat");

	/* kernel_cpustat is an exported per-CPU variable: it anchors the section */
	if (off >= 0 && ref >= 0) {
		*addr = (unsigned long)&kernel_cpustat - ref + off;
		return 0;
	}
	return kmk_sym(name, addr);
}

/*
 * The size crash reads every task_struct with: the FPU state follows the
 * structure on x86 (arch_task_struct_size).
 */
size_t kmk_task_struct_size(void)
{
	size_t size = sizeof(init_task);
	unsigned long addr;
	int dyn;

	if (IS_ENABLED(CONFIG_ARCH_WANTS_DYNAMIC_TASK_STRUCT) &&
	    !kmk_sym("arch_task_struct_size", &addr) &&
	    !copy_from_kernel_nofault(&dyn, (void *)addr, sizeof(dyn)) &&
	    dyn > size && dyn < SZ_64K)
		size = dyn;
	return size;
}
