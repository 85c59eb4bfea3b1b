// SPDX-License-Identifier: GPL-2.0
/*
 * copy=1: at panic, after the capture, KELF and every region's bytes are
 * copied into the buffer after the locator page, at the file offsets KELF's
 * program headers give: a ready ELF core for a board where only the reserved
 * range survives a reset. Lock-free and allocation-free; bounded by the
 * table's capacity and the buffer's size. A row that does not fit (or has no
 * kernel mapping to copy from) becomes PT_NULL in the copy, which is then
 * marked partial.
 */
#include <linux/elf.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kminidump.h>
#include "rmem.h"

static bool copy;
module_param(copy, bool, 0444);
MODULE_PARM_DESC(copy,
		 "at panic, copy KELF and the regions into the buffer after its first page (a ready ELF core; the buffer should hold the minidump, about 1.2 MB)");

static bool clear;
module_param(clear, bool, 0444);
MODULE_PARM_DESC(clear, "discard a previous boot's copy instead of keeping it as last.elf");

/* A previous crash's copy, kept untouched (last.elf) until a load with clear=1. */
const void *kmr_last;
size_t kmr_last_size;

/*
 * The previous locator @p (already checked: magic, CRC, seq, buf_pa) and its
 * copy are hostile: the copy must lie in the buffer, come from this kernel
 * release and start with an ELF core header.
 */
void kmr_copy_keep(const struct kmd_locator *p, const char *release)
{
	u64 off = le64_to_cpu(p->copy_off), size = le64_to_cpu(p->copy_size);
	static const u8 ident[] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB };
	u8 hdr[sizeof(ident)];

	if (!(le32_to_cpu(p->flags) & KMD_LOC_F_COPY))
		return;
	if (clear) {
		pr_info("clear=1: the previous crash's copy is discarded\n");
		return;
	}
	if (off < KMD_LOC_SIZE || off > kmr_buf.size || size < sizeof(struct elf64_hdr) ||
	    size > kmr_buf.size - off) {
		pr_warn("the previous copy (+0x%llx, 0x%llx bytes) is outside the buffer: discarded\n",
			off, size);
		return;
	}
	if (strncmp(p->release, release, sizeof(p->release))) {
		pr_warn("the previous copy is of kernel %.64s, not this one: discarded\n",
			p->release);
		return;
	}
	if (copy_from_kernel_nofault(hdr, kmr_buf.va + off, sizeof(hdr)) ||
	    memcmp(hdr, ident, sizeof(ident))) {
		pr_warn("the previous copy has no ELF64 header: discarded\n");
		return;
	}
	kmr_last = kmr_buf.va + off;
	kmr_last_size = size;
	pr_info("the previous crash's copy (%zu bytes%s) is kept as kminidump/last.elf; load with clear=1 to let the next crash replace it\n",
		kmr_last_size, le32_to_cpu(p->flags) & KMD_LOC_F_PARTIAL ? ", partial" : "");
}

/* Fills l->flags, copy_off and copy_size; called between the locator's seq stores. */
void kmr_copy_panic(struct kmd_locator *l, const void *kelf, u32 kelf_size,
		    const struct kmd_table *t)
{
	u8 *dst = kmr_buf.va + KMD_LOC_SIZE;
	size_t room = kmr_buf.size - KMD_LOC_SIZE, end = kelf_size;
	const struct elf64_hdr *eh = (const void *)dst;
	struct elf64_phdr *ph;
	u32 i, flags = KMD_LOC_F_COPY, phnum, rows_off;

	if (!copy || kmr_last || room < kelf_size ||
	    copy_from_kernel_nofault(dst, kelf, kelf_size))
		return;
	phnum = le16_to_cpu(eh->e_phnum);
	ph = (void *)(dst + le64_to_cpu(eh->e_phoff));
	rows_off = (const u8 *)t - (const u8 *)kelf + le32_to_cpu(t->hdr_size);
	for (i = 1; i < phnum && i < le32_to_cpu(t->capacity); i++) {
		const struct kmd_row *r = (const void *)(dst + rows_off) + i * sizeof(*r);
		u64 off = le64_to_cpu(ph[i].p_offset), size = le64_to_cpu(ph[i].p_filesz);
		const void *src = (const void *)(uintptr_t)le64_to_cpu(r->va);

		if (le32_to_cpu(ph[i].p_type) != PT_LOAD)
			continue;
		/* the reader's rule: a VALID row whose header names the same address */
		if (le32_to_cpu(r->state) != KMD_ROW_VALID || le64_to_cpu(r->pa) !=
		    le64_to_cpu(ph[i].p_paddr) || !src || off < kelf_size || off > room ||
		    size > room - off || copy_from_kernel_nofault(dst + off, src, size)) {
			ph[i].p_type = cpu_to_le32(PT_NULL);
			flags |= KMD_LOC_F_PARTIAL;
			continue;
		}
		end = max_t(size_t, end, off + size);
	}
	kminidump_clean_poc(dst, end);
	l->flags = cpu_to_le32(flags);
	l->copy_off = cpu_to_le64(KMD_LOC_SIZE);
	l->copy_size = cpu_to_le64(end);
}
