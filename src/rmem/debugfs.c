// SPDX-License-Identifier: GPL-2.0
/* /sys/kernel/debug/kminidump/rmem: the buffer, its locator and what it held before. */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "rmem.h"

static struct dentry *kmr_debugfs_dir, *kmr_debugfs_file, *kmr_debugfs_last;
static struct debugfs_blob_wrapper kmr_last_blob;

static void kmr_show_loc(struct seq_file *m, const char *what, const struct kmd_locator *l)
{
	seq_printf(m, "%s: state %s, load %u of %.64s, boot_id %16phN, KELF pa 0x%llx size 0x%x table pa 0x%llx gen %u\n",
		   what, kmd_locator_state_name(le32_to_cpu(l->state)), le32_to_cpu(l->boot_seq),
		   l->release, l->boot_id, le64_to_cpu(l->kelf_pa), le32_to_cpu(l->kelf_size),
		   le64_to_cpu(l->table_pa), le32_to_cpu(l->table_gen));
}

static int rmem_show(struct seq_file *m, void *unused)
{
	struct kmd_locator now = *kmr_locator();

	seq_printf(m, "buffer: pa %pa size 0x%zx from %s\n", &kmr_buf.pa, kmr_buf.size,
		   kmr_buf.source);
	kmr_show_loc(m, "locator", &now);
	if (kmr_prev_valid)
		kmr_show_loc(m, "previous", &kmr_prev);
	else
		seq_printf(m, "previous: none (%s)\n", kmr_prev_why[0] ? kmr_prev_why : "zero");
	if (kmr_last)
		seq_printf(m, "last.elf: %zu bytes, kept\n", kmr_last_size);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rmem);

void kmr_debugfs_init(void)
{
	kmr_debugfs_dir = debugfs_lookup("kminidump", NULL);
	if (IS_ERR_OR_NULL(kmr_debugfs_dir)) {
		kmr_debugfs_dir = NULL;
		return;	/* the core already said debugfs is unavailable */
	}
	kmr_debugfs_file = debugfs_create_file("rmem", 0400, kmr_debugfs_dir, NULL, &rmem_fops);
	if (kmr_last) {
		kmr_last_blob.data = (void *)kmr_last;
		kmr_last_blob.size = kmr_last_size;
		kmr_debugfs_last = debugfs_create_blob("last.elf", 0400, kmr_debugfs_dir,
						       &kmr_last_blob);
	}
}

void kmr_debugfs_exit(void)
{
	debugfs_remove(kmr_debugfs_last);
	debugfs_remove(kmr_debugfs_file);
	dput(kmr_debugfs_dir);
}
