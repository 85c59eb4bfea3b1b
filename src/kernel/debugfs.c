// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs "kernel", in the core's /sys/kernel/debug/kminidump/: every region
 * this module wants, its state, rows and bytes, and why one is missing.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "kernel.h"

static struct dentry *kmk_debugfs_dir, *kmk_debugfs_file;

static int kernel_show(struct seq_file *m, void *v)
{
	unsigned int i, sets = kmk_current_sets();
	char src[96];

	seq_printf(m, "%-16s %-8s %5s %10s  %-30s %s\n", "region", "state", "rows", "bytes",
		   "source", "note");
	for (i = 0; i < kmk_nr_regions + kmk_nr_other_regions; i++) {
		const struct kmk_region *r = i < kmk_nr_regions ? &kmk_regions[i] :
					     kmk_other_regions[i - kmk_nr_regions];
		bool on = r->sets & sets;

		if (!on && i >= kmk_nr_regions)
			continue;
		if (!on || !kmk_sources_str(r->rows_added ? r->sources : 0, src, sizeof(src)))
			strscpy(src, "-", sizeof(src));
		seq_printf(m, "%-16s %-8s %5u %10llu  %-30s %s\n", r->name,
			   !on ? "off" : r->err ? "missing" : "ok", r->rows_added, r->bytes, src,
			   r->err && on ? r->why : "");
	}
	if (kmk_extra_region.rows_added)
		seq_printf(m, "%-16s %-8s %5u %10llu  %-30s\n", "extra", "ok",
			   kmk_extra_region.rows_added, kmk_extra_region.bytes, "-");
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
