// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump core: the region table, its ELF core header, the API other
 * modules register regions through, and the debugfs view.
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/cpumask.h>
#include "core.h"

#define KMD_AUTO_BASE_ROWS	264
#define KMD_AUTO_CPU_ROWS	24

static unsigned int capacity;
module_param(capacity, uint, 0444);
MODULE_PARM_DESC(capacity, "Table rows including the ELF header row (default 0: sized from nr_cpu_ids)");

/*
 * The default set takes about 190 rows that do not depend on the CPU count
 * (amd64 6.1, the panic capture's shared rows included), the module list
 * about 40 more with a dozen modules loaded (2-4 rows a module, the module
 * table, 16 module pages reserved for the panic), and about 21 per
 * possible CPU (runqueue, per-CPU objects, IRQ and exception stacks, the
 * capture's registers, task and stack): 24 per CPU leaves room for the page
 * tables that map them. Not capped at the Qualcomm APSS limit (201): the SMEM
 * backend mirrors the rows that matter most.
 */
static unsigned int kmd_auto_capacity(void)
{
	return min_t(unsigned int, KMD_MAX_CAPACITY,
		     KMD_AUTO_BASE_ROWS + KMD_AUTO_CPU_ROWS * nr_cpu_ids);
}

static int __init kmd_init(void)
{
	int ret;

	if (!capacity)
		capacity = kmd_auto_capacity();
	if (capacity < 2 || capacity > KMD_MAX_CAPACITY) {
		pr_err("capacity=%u is out of range 2..%u\n", capacity, KMD_MAX_CAPACITY);
		return -EINVAL;
	}
	kmd.capacity = capacity;

	ret = kmd_symbols_init();
	if (ret)
		return ret;
	kmd_cache_init();
	ret = kmd_kelf_init();
	if (ret)
		goto err_kelf;
	ret = kmd_vmcoreinfo_init();
	if (ret)
		goto err_vmcoreinfo;
	ret = kmd_table_init();
	if (ret)
		goto err_table;
	ret = kmd_panic_init();
	if (ret)
		goto err_panic;
	kmd_debugfs_init();
	pr_info("table of %u rows at pa 0x%llx, ELF header %zu bytes\n", kmd.capacity,
		(unsigned long long)kmd.kelf_pa, kmd.kelf_size);
	return 0;

err_panic:
	kmd_table_exit();
err_table:
	kmd_vmcoreinfo_exit();
err_vmcoreinfo:
	kmd_kelf_exit();
err_kelf:
	kmd_symbols_exit();
	return ret;
}

static void __exit kmd_exit(void)
{
	kmd_debugfs_exit();
	kmd_panic_exit();
	kmd_table_exit();
	kmd_vmcoreinfo_exit();
	kmd_kelf_exit();
	kmd_symbols_exit();
}

module_init(kmd_init);
module_exit(kmd_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("kminidump developers");
MODULE_DESCRIPTION("kminidump: a table of the memory a crash analyst needs, as an ELF core");
MODULE_VERSION(KMD_VERSION);
