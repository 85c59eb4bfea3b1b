// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump_rmem: a reserved-memory buffer whose first page, the locator,
 * says where kminidump's KELF is, so a hypervisor or bootloader that knows
 * the buffer's address reads the table without scanning guest RAM.
 */
#include <linux/init.h>
#include <linux/module.h>
#include "rmem.h"

MODULE_IMPORT_NS(KMD_NS);

static int __init kmr_init(void)
{
	int ret;

	ret = kmr_buffer_init();
	if (ret)
		return ret;
	ret = kmr_locator_init();
	if (ret)
		goto err_locator;
	kmr_debugfs_init();
	return 0;

err_locator:
	kmr_buffer_exit();
	return ret;
}

static void __exit kmr_exit(void)
{
	kmr_debugfs_exit();
	kmr_locator_exit();
	kmr_buffer_exit();
}

module_init(kmr_init);
module_exit(kmr_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("kminidump developers");
MODULE_DESCRIPTION("kminidump: a locator of the table in reserved memory");
MODULE_VERSION(KMD_VERSION);
