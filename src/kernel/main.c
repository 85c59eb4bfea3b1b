// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump_kernel: registers, with no kernel patch or annotation, the kernel
 * memory a crash analyst needs (printk ring, uts, masks, runqueues, page
 * tables...) into kminidump's table, and captures the CPUs at panic.
 */
#include <linux/init.h>
#include <linux/module.h>
#include "kernel.h"

MODULE_IMPORT_NS(KMD_NS);

static int __init kmk_init(void)
{
	int ret;

	/*
	 * BTF sizes and places what the finders and the capture set up (the
	 * capture finds the per-CPU __irq_regs through it): kept until both ran.
	 */
	ret = kmk_btf_init();
	if (ret)
		pr_warn("kernel BTF unavailable (%d): regions sized by BTF (runqueues) are skipped\n",
			ret);
	ret = kmk_regions_init();
	if (ret)
		goto err_regions;
	kmk_vmcoreinfo_complete();
	kmk_sources_start();
	ret = kmk_capture_init();
	kmk_sources_take(&kmk_capture_region);
	if (ret)
		goto err_capture;
	kmk_sources_start();
	ret = kmk_modules_init();
	kmk_sources_take(&kmk_modules_region);
	if (ret)
		goto err_modules;
	kmk_sources_start();
	ret = kmk_pgtable_init();
	kmk_sources_take(&kmk_pgt_region);
	if (ret)
		goto err_pgtable;
	kmk_sources_publish();
	kmk_btf_exit();
	kmk_debugfs_init();
	return 0;

err_pgtable:
	kmk_modules_exit();
err_modules:
	kmk_capture_exit();
err_capture:
	kmk_regions_exit();
err_regions:
	kmk_btf_exit();
	return ret;
}

static void __exit kmk_exit(void)
{
	kmk_debugfs_exit();
	kmk_pgtable_exit();
	kmk_modules_exit();
	kmk_capture_exit();
	kmk_regions_exit();
}

module_init(kmk_init);
module_exit(kmk_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("kminidump developers");
MODULE_DESCRIPTION("kminidump: the kernel regions a crash analyst needs, found without annotations");
MODULE_VERSION(KMD_VERSION);
