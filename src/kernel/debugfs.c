// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs "kernel", in the core's /sys/kernel/debug/kminidump/: every region
 * this module wants, its state, rows and bytes, and why one is missing.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "kernel.h"

static struct dentry *kmk_debugfs_dir, *kmk_debugfs_file;

/* regions outside the catalogue, with their own life cycle */
static struct kmk_region *const kmk_other_regions[] = { &kmk_capture_region, &kmk_pgt_region };

static int kernel_show(struct seq_file *m, void *v)
{
	unsigned int i, sets = kmk_current_sets();

	seq_printf(m, "%-16s %-8s %5s %10s  %s\n", "region", "state", "rows", "bytes", "note");
	for (i = 0; i < kmk_nr_regions; i++) {
		const struct kmk_region *r = &kmk_regions[i];
		const char *state = !(r->sets & sets) ? "off" :
				    r->err ? "missing" : "ok";

		seq_printf(m, "%-16s %-8s %5u %10llu  %s\n", r->name, state, r->rows_added,
			   r->bytes, r->err && (r->sets & sets) ? r->why : "");
	}
	for (i = 0; i < ARRAY_SIZE(kmk_other_regions); i++) {
		const struct kmk_region *r = kmk_other_regions[i];

		if (r->sets & sets)
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

void kmk_debugfs_init(void)
{
	kmk_debugfs_dir = debugfs_lookup("kminidump", NULL);
	if (IS_ERR_OR_NULL(kmk_debugfs_dir)) {
		kmk_debugfs_dir = NULL;
		return;	/* the core already said debugfs is unavailable */
	}
	kmk_debugfs_file = debugfs_create_file("kernel", 0400, kmk_debugfs_dir, NULL,
					       &kernel_fops);
}

void kmk_debugfs_exit(void)
{
	debugfs_remove(kmk_debugfs_file);
	dput(kmk_debugfs_dir);
}
