// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs "core": the live ELF core of the current table, the same bytes a
 * collector would assemble after a crash (KELF, then each region at its
 * p_offset), so `drgn -c /sys/kernel/debug/kminidump/core` works on a running
 * system. The header is a snapshot taken at open; region bytes are read live.
 *
 * It is kernel memory, like /proc/kcore: under lockdown=confidentiality it is
 * refused at open and at every read (lockdown may be raised while it is open),
 * for the same reason (LOCKDOWN_KCORE). The table itself, what a collector
 * reads after a crash, is not affected.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include "core.h"

struct kmd_seg {
	u64 off;
	u64 filesz;
	u64 va;
};

struct kmd_snap {
	void *kelf;		/* copy of KELF at open */
	size_t kelf_size;
	loff_t size;		/* bytes of the whole core */
	unsigned int nr;
	bool refused;		/* lockdown refused a read: said once */
	struct kmd_seg seg[];	/* PT_LOADs in file order */
};

static int core_open(struct inode *inode, struct file *file)
{
	const struct kmd_row *rows;
	struct elf64_phdr *ph;
	struct kmd_snap *s;
	unsigned int i;

	if (kmd_locked_down(LOCKDOWN_KCORE)) {
		pr_warn("core: refused under lockdown=confidentiality (kernel memory, like /proc/kcore)\n");
		return -EPERM;
	}
	s = kvzalloc(struct_size(s, seg, kmd.capacity), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->kelf = vmalloc(kmd.kelf_size);
	if (!s->kelf) {
		kvfree(s);
		return -ENOMEM;
	}
	mutex_lock(&kmd.lock);
	memcpy(s->kelf, kmd.kelf, kmd.kelf_size);
	mutex_unlock(&kmd.lock);
	s->kelf_size = kmd.kelf_size;
	s->size = s->kelf_size;
	ph = s->kelf + sizeof(struct elf64_hdr);
	rows = s->kelf + ((void *)kmd.rows - kmd.kelf);
	for (i = 1; i < kmd.capacity; i++) {
		struct kmd_seg *g = &s->seg[s->nr];

		/*
		 * The reader's rule (docs/format.md), on the copy: a lock-free
		 * update may have been half done when it was taken. A row that
		 * fails it is left out of this file's program headers too.
		 */
		if (ph[i].p_type != PT_LOAD || le32_to_cpu(rows[i].state) != KMD_ROW_VALID ||
		    le64_to_cpu(rows[i].pa) != ph[i].p_paddr) {
			ph[i].p_type = PT_NULL;
			continue;
		}
		g->off = ph[i].p_offset;
		g->filesz = ph[i].p_filesz;
		g->va = ph[i].p_vaddr;
		s->size = max_t(loff_t, s->size, g->off + g->filesz);
		s->nr++;
	}
	/* fstat() must give the size: libelf trusts it */
	i_size_write(inode, s->size);
	file->private_data = s;
	return 0;
}

/* Copy @n bytes at core offset @off into @dst (kernel buffer). */
static void core_fill(struct kmd_snap *s, loff_t off, void *dst, size_t n)
{
	unsigned int i;

	memset(dst, 0, n);
	if (off < s->kelf_size) {
		size_t k = min_t(size_t, n, s->kelf_size - off);

		memcpy(dst, s->kelf + off, k);
	}
	for (i = 0; i < s->nr; i++) {
		const struct kmd_seg *g = &s->seg[i];
		u64 end = g->off + g->filesz;
		loff_t lo = max_t(loff_t, off, g->off);
		loff_t hi = min_t(loff_t, off + n, end);

		/* rows without a mapping (va 0) read as zeros; so does memory gone since open */
		if (lo >= hi || !g->va)
			continue;
		if (copy_from_kernel_nofault(dst + (lo - off),
					     (void *)(unsigned long)(g->va + (lo - g->off)),
					     hi - lo))
			memset(dst + (lo - off), 0, hi - lo);
	}
}

static ssize_t core_read(struct file *file, char __user *ubuf, size_t len, loff_t *ppos)
{
	struct kmd_snap *s = file->private_data;
	void *bounce;
	ssize_t done = 0;

	if (kmd_locked_down(LOCKDOWN_KCORE)) {
		if (!s->refused)
			pr_warn("core: read refused: the kernel was locked down (confidentiality) since open\n");
		s->refused = true;
		return -EPERM;
	}
	if (*ppos >= s->size)
		return 0;
	len = min_t(u64, len, s->size - *ppos);
	bounce = (void *)__get_free_page(GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < len) {
		size_t n = min_t(size_t, len - done, PAGE_SIZE);

		core_fill(s, *ppos, bounce, n);
		if (copy_to_user(ubuf + done, bounce, n)) {
			if (!done)
				done = -EFAULT;
			break;
		}
		done += n;
		*ppos += n;
		if (fatal_signal_pending(current))
			break;
	}
	free_page((unsigned long)bounce);
	return done;
}

static int core_release(struct inode *inode, struct file *file)
{
	struct kmd_snap *s = file->private_data;

	vfree(s->kelf);
	kvfree(s);
	return 0;
}

const struct file_operations kmd_core_fops = {
	.owner = THIS_MODULE,
	.open = core_open,
	.read = core_read,
	.llseek = default_llseek,
	.release = core_release,
};
