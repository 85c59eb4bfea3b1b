// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump_smem: publishes kminidump's rows in the Qualcomm minidump table
 * (SMEM item 602, the APSS subsystem), so that boot firmware in download mode
 * sends them to the host as md_<name><N>.BIN files that form an ELF core.
 */
#include <linux/init.h>
#include <linux/module.h>
#include "smem.h"

MODULE_IMPORT_NS(KMD_NS);

static int __init kms_init(void)
{
	int ret;

	ret = kms_regions_init();
	if (ret)
		goto err_regions;
	ret = kms_toc_init();
	if (ret)
		goto err_toc;
	return 0;

err_toc:
	kms_regions_exit();
err_regions:
	return ret;
}

static void __exit kms_exit(void)
{
	kms_toc_exit();
	kms_regions_exit();
}

module_init(kms_init);
module_exit(kms_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("kminidump developers");
MODULE_DESCRIPTION("kminidump: the Qualcomm minidump table (SMEM item 602) as a backend");
MODULE_VERSION(KMD_VERSION);
