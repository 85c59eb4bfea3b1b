// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump_kernel: registers, with no kernel patch or annotation, the kernel
 * memory a crash analyst needs (printk ring, uts, masks, runqueues, page
 * tables...) into kminidump's table.
 */
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "kernel.h"

MODULE_IMPORT_NS(KMD_NS);

static char *regions = "default";
module_param(regions, charp, 0444);
MODULE_PARM_DESC(regions, "Region set: default, minimal or none (default: default)");

static bool kallsyms;
module_param(kallsyms, bool, 0444);
MODULE_PARM_DESC(kallsyms, "Also register the kallsyms tables, 1-3 MB with KALLSYMS_ALL (default: N)");

static char *extra;
module_param(extra, charp, 0444);
MODULE_PARM_DESC(extra, "More symbols to register, as symbol:size[,symbol:size...]");

static DEFINE_MUTEX(kmk_lock);	/* guards the id list */
static u32 *kmk_ids;
static unsigned int kmk_nids, kmk_ids_cap;
static unsigned int kmk_sets;
static struct dentry *kmk_debugfs_dir, *kmk_debugfs_file;

int kmk_sym(const char *name, unsigned long *addr)
{
	return kminidump_lookup_symbol(name, addr);
}

int kmk_read_ulong(unsigned long addr, unsigned long *val)
{
	return copy_from_kernel_nofault(val, (void *)addr, sizeof(*val)) ? -EFAULT : 0;
}

unsigned int kmk_current_sets(void)
{
	return kmk_sets;
}

int kmk_missing(struct kmk_region *r, int err, const char *why)
{
	r->err = err;
	r->why = why;
	return err;
}

static int kmk_remember(u32 id)
{
	int ret = 0;

	mutex_lock(&kmk_lock);
	if (kmk_nids == kmk_ids_cap) {
		unsigned int cap = kmk_ids_cap ? kmk_ids_cap * 2 : 64;
		u32 *ids = krealloc_array(kmk_ids, cap, sizeof(*ids), GFP_KERNEL);

		if (ids) {
			kmk_ids = ids;
			kmk_ids_cap = cap;
		} else {
			ret = -ENOMEM;
		}
	}
	if (!ret)
		kmk_ids[kmk_nids++] = id;
	mutex_unlock(&kmk_lock);
	return ret;
}

static int kmk_registered(struct kmk_region *r, int ret, size_t size)
{
	if (ret < 0)
		return kmk_missing(r, ret, "registration refused (see the log line above)");
	if (kmk_remember(ret)) {
		kminidump_unregister(ret);
		return kmk_missing(r, -ENOMEM, "out of memory");
	}
	r->rows_added++;
	r->bytes += size;
	return ret;
}

int kmk_register_va(struct kmk_region *r, u32 id, const char *name,
		    unsigned long va, size_t size, u32 flags)
{
	return kmk_registered(r, kminidump_register_va(id, name, (void *)va, size, flags), size);
}

int kmk_register_pa(struct kmk_region *r, u32 id, const char *name,
		    phys_addr_t pa, size_t size)
{
	return kmk_registered(r, kminidump_register_pa(id, name, pa, size, 0), size);
}

static unsigned int kmk_parse_sets(void)
{
	unsigned int sets;

	if (!strcmp(regions, "default"))
		sets = KMK_SET_DEFAULT;
	else if (!strcmp(regions, "minimal"))
		sets = KMK_SET_MINIMAL;
	else if (!strcmp(regions, "none"))
		sets = 0;
	else
		return UINT_MAX;
	return sets | (kallsyms ? KMK_SET_KALLSYMS : 0);
}

/* extra=sym:size,...: one region each, named after the symbol */
static struct kmk_region kmk_extra_region = { .name = "extra" };

static void kmk_add_extra(void)
{
	char *list, *p, *item;
	unsigned long addr;

	if (!extra || !*extra)
		return;
	list = kstrdup(extra, GFP_KERNEL);
	if (!list)
		return;
	for (p = list; (item = strsep(&p, ",")) != NULL;) {
		char *size_s = strchr(item, ':');
		unsigned long size;

		if (!size_s || kstrtoul(size_s + 1, 0, &size) || !size) {
			pr_warn("extra: '%s' is not symbol:size\n", item);
			continue;
		}
		*size_s = 0;
		if (kmk_sym(item, &addr)) {
			pr_warn("extra: symbol %s not found\n", item);
			continue;
		}
		kmk_register_va(&kmk_extra_region, 0, item, addr, size, 0);
	}
	kfree(list);
}

/* regions outside the catalogue, with their own life cycle */
static struct kmk_region *const kmk_extra_regions[] = { &kmk_capture_region, &kmk_pgt_region };

static int kernel_show(struct seq_file *m, void *v)
{
	unsigned int i;

	seq_printf(m, "%-16s %-8s %5s %10s  %s\n", "region", "state", "rows", "bytes", "note");
	for (i = 0; i < kmk_nr_regions; i++) {
		const struct kmk_region *r = &kmk_regions[i];
		const char *state = !(r->sets & kmk_sets) ? "off" :
				    r->err ? "missing" : "ok";

		seq_printf(m, "%-16s %-8s %5u %10llu  %s\n", r->name, state, r->rows_added,
			   r->bytes, r->err && (r->sets & kmk_sets) ? r->why : "");
	}
	for (i = 0; i < ARRAY_SIZE(kmk_extra_regions); i++) {
		const struct kmk_region *r = kmk_extra_regions[i];

		if (r->sets & kmk_sets)
			seq_printf(m, "%-16s %-8s %5u %10llu  %s\n", r->name,
				   r->err ? "missing" : "ok", r->rows_added, r->bytes,
				   r->err ? r->why : "");
	}
	if (kmk_extra_region.rows_added)
		seq_printf(m, "%-16s %-8s %5u %10llu\n", "extra", "ok",
			   kmk_extra_region.rows_added, kmk_extra_region.bytes);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kernel);

static void kmk_debugfs_init(void)
{
	kmk_debugfs_dir = debugfs_lookup("kminidump", NULL);
	if (IS_ERR_OR_NULL(kmk_debugfs_dir)) {
		kmk_debugfs_dir = NULL;
		return;	/* the core already said debugfs is unavailable */
	}
	kmk_debugfs_file = debugfs_create_file("kernel", 0400, kmk_debugfs_dir, NULL,
					       &kernel_fops);
}

static void kmk_debugfs_exit(void)
{
	debugfs_remove(kmk_debugfs_file);
	dput(kmk_debugfs_dir);
}

static void kmk_unregister_all(void)
{
	mutex_lock(&kmk_lock);
	while (kmk_nids)
		kminidump_unregister(kmk_ids[--kmk_nids]);
	kfree(kmk_ids);
	kmk_ids = NULL;
	kmk_ids_cap = 0;
	mutex_unlock(&kmk_lock);
}

static int __init kmk_init(void)
{
	unsigned int i, found = 0, missing = 0;
	u64 bytes = 0;
	int ret;

	kmk_sets = kmk_parse_sets();
	if (kmk_sets == UINT_MAX) {
		pr_err("regions=%s: expected default, minimal or none\n", regions);
		return -EINVAL;
	}
	ret = kmk_btf_init();
	if (ret)
		pr_warn("kernel BTF unavailable (%d): regions sized by BTF (runqueues) are skipped\n",
			ret);

	for (i = 0; i < kmk_nr_regions; i++) {
		struct kmk_region *r = &kmk_regions[i];

		if (!(r->sets & kmk_sets))
			continue;
		r->add(r);
		if (r->err) {
			pr_warn("region %s missing: %s\n", r->name, r->why);
			missing++;
		} else {
			found++;
			bytes += r->bytes;
		}
	}
	kmk_add_extra();
	kmk_vmcoreinfo_complete();
	kmk_btf_exit();	/* only needed while sizing */

	ret = kmk_capture_init();
	if (ret)
		goto err_capture;
	ret = kmk_pgtable_init();
	if (ret)
		goto err_pgtable;
	kmk_debugfs_init();
	pr_info("registered %u regions (%llu bytes), %u missing\n", found, bytes, missing);
	return 0;

err_pgtable:
	kmk_capture_exit();
err_capture:
	kmk_unregister_all();
	return ret;
}

static void __exit kmk_exit(void)
{
	kmk_debugfs_exit();
	kmk_capture_exit();
	kmk_pgtable_exit();
	kmk_unregister_all();
}

module_init(kmk_init);
module_exit(kmk_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("kminidump developers");
MODULE_DESCRIPTION("kminidump: the kernel regions a crash analyst needs, found without annotations");
MODULE_VERSION(KMD_VERSION);
