// SPDX-License-Identifier: GPL-2.0
/*
 * The locator in the buffer's first page (include/uapi/kminidump_rmem.h,
 * docs/format.md): rewritten when KELF is added, at panic and at unload,
 * under the writer's rule (seq odd while writing, CRC with the final seq).
 * The writers never run at once: ADD comes under the core's table mutex,
 * PANIC on the one CPU left running, unload after the consumer is gone.
 */
#include <linux/compiler.h>
#include <linux/crc32.h>
#include <linux/elf.h>
#include <linux/notifier.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <kminidump.h>
#include "rmem.h"

struct kmd_locator kmr_prev;
bool kmr_prev_valid;
char kmr_prev_why[96];

static struct kmd_locator *kmr_loc;	/* in the buffer */
static const struct kmd_table *kmr_table;	/* in KELF, once it is added */
static const void *kmr_kelf;
static u32 kmr_kelf_size;

const struct kmd_locator *kmr_locator(void)
{
	return kmr_loc;
}

/* The CRC a reader will check: over the header with @seq in place and crc zero. */
static u32 kmr_crc(const struct kmd_locator *l, __le32 seq)
{
	struct kmd_locator c = *l;

	c.seq = seq;
	c.crc = 0;
	return crc32_le(~0, (const u8 *)&c, sizeof(c)) ^ ~0;
}

/* Make the locator visible to a reader that bypasses this CPU's caches. */
static void kmr_clean(void)
{
	kminidump_clean_poc(kmr_loc, sizeof(*kmr_loc));
}

/* Rewrites the locator; @fill sets the fields between the two seq stores. */
static void kmr_write(void (*fill)(struct kmd_locator *l, void *arg), void *arg)
{
	struct kmd_locator *l = kmr_loc;
	u32 seq = le32_to_cpu(READ_ONCE(l->seq)) | 1;

	WRITE_ONCE(l->seq, cpu_to_le32(seq));
	/* a reader sees the odd seq before any field changes */
	smp_wmb();
	fill(l, arg);
	l->crc = cpu_to_le32(kmr_crc(l, cpu_to_le32(seq + 1)));
	/* the fields and their CRC before the even seq that publishes them */
	smp_wmb();
	WRITE_ONCE(l->seq, cpu_to_le32(seq + 1));
	kmr_clean();
}

/* Offset of struct kmd_table in KELF: the first note's descriptor. */
static u32 kmr_table_off(const void *kelf)
{
	const struct elf64_hdr *eh = kelf;
	const struct elf64_phdr *ph = kelf + le64_to_cpu(eh->e_phoff);
	u64 off = le64_to_cpu(ph->p_offset);
	const struct elf64_note *n = kelf + off;

	return off + sizeof(*n) + ALIGN(le32_to_cpu(n->n_namesz), 4);
}

struct kmr_kelf {
	u64 pa;
	u32 size, table_off;
};

static void kmr_fill_kelf(struct kmd_locator *l, void *arg)
{
	const struct kmr_kelf *k = arg;

	l->state = cpu_to_le32(KMD_LOC_ST_LIVE);
	l->kelf_pa = cpu_to_le64(k->pa);
	l->kelf_size = cpu_to_le32(k->size);
	l->table_off = cpu_to_le32(k->table_off);
	l->table_pa = cpu_to_le64(k->pa + k->table_off);
	l->table_gen = kmr_table ? READ_ONCE(kmr_table->gen) : 0;
}

static void kmr_fill_state(struct kmd_locator *l, void *arg)
{
	l->state = cpu_to_le32((uintptr_t)arg);
	if (kmr_table) {
		l->table_gen = READ_ONCE(kmr_table->gen);
		l->panic_cpu = READ_ONCE(kmr_table->panic_cpu);
	}
	if ((uintptr_t)arg == KMD_LOC_ST_PANIC && kmr_table)
		kmr_copy_panic(l, kmr_kelf, kmr_kelf_size, kmr_table);
}

static int kmr_event(struct notifier_block *nb, unsigned long type, void *data)
{
	const struct kminidump_event *ev = data;
	struct kmr_kelf k;

	switch (type) {
	case KMINIDUMP_ADD:
		if (!(le32_to_cpu(ev->row->flags) & KMD_ROW_F_HEADER))
			break;
		k.pa = le64_to_cpu(ev->row->pa);
		k.size = le64_to_cpu(ev->row->size);
		k.table_off = kmr_table_off((void *)(uintptr_t)le64_to_cpu(ev->row->va));
		if (k.table_off >= k.size)
			break;
		kmr_kelf = (void *)(uintptr_t)le64_to_cpu(ev->row->va);
		kmr_kelf_size = k.size;
		kmr_table = kmr_kelf + k.table_off;
		kmr_write(kmr_fill_kelf, &k);
		break;
	case KMINIDUMP_PANIC:
		if (kmr_table)
			kmr_write(kmr_fill_state, (void *)KMD_LOC_ST_PANIC);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block kmr_nb = { .notifier_call = kmr_event };

bool kmr_locator_check(const struct kmd_locator *l, phys_addr_t pa, char *why, size_t len)
{
	if (memcmp(l->magic, KMD_LOC_MAGIC, sizeof(l->magic))) {
		snprintf(why, len, "no locator (empty or foreign contents)");
		return false;
	}
	if (le32_to_cpu(l->version) != KMD_LOC_VERSION ||
	    le32_to_cpu(l->hdr_size) != sizeof(*l) || le32_to_cpu(l->size) != KMD_LOC_SIZE) {
		snprintf(why, len, "locator version %u, hdr_size %u: not ours",
			 le32_to_cpu(l->version), le32_to_cpu(l->hdr_size));
		return false;
	}
	if (kmr_crc(l, l->seq) != le32_to_cpu(l->crc) || (le32_to_cpu(l->seq) & 1)) {
		snprintf(why, len, "locator CRC or seq is wrong: torn or corrupt");
		return false;
	}
	if (le64_to_cpu(l->buf_pa) != pa) {
		snprintf(why, len, "locator of a buffer at 0x%llx", le64_to_cpu(l->buf_pa));
		return false;
	}
	return true;
}

static void kmr_fill_new(struct kmd_locator *l, void *arg)
{
	u32 boot_seq = kmr_prev_valid ? le32_to_cpu(kmr_prev.boot_seq) + 1 : 1;

	memset(l, 0, sizeof(*l));
	memcpy(l->magic, KMD_LOC_MAGIC, sizeof(l->magic));
	l->version = cpu_to_le32(KMD_LOC_VERSION);
	l->hdr_size = cpu_to_le32(sizeof(*l));
	l->size = cpu_to_le32(KMD_LOC_SIZE);
	l->seq = cpu_to_le32(1);
	l->state = cpu_to_le32(KMD_LOC_ST_GONE);	/* no KELF named yet */
	l->buf_pa = cpu_to_le64(kmr_buf.pa);
	l->buf_size = cpu_to_le64(kmr_buf.size);
	l->boot_seq = cpu_to_le32(boot_seq);
	get_random_bytes(l->boot_id, sizeof(l->boot_id));
	strscpy(l->release, init_utsname()->release, sizeof(l->release));
}

int kmr_locator_init(void)
{
	int ret;

	/*
	 * What a previous boot (or load) left is hostile: copied out with a
	 * fault-tolerant read, checked, kept for debugfs, never followed.
	 */
	kmr_loc = kmr_buf.va;
	BUILD_BUG_ON(sizeof(*kmr_loc) > KMD_LOC_SIZE);
	if (copy_from_kernel_nofault(&kmr_prev, kmr_loc, sizeof(kmr_prev))) {
		snprintf(kmr_prev_why, sizeof(kmr_prev_why), "buffer unreadable");
	} else {
		kmr_prev_valid = kmr_locator_check(&kmr_prev, kmr_buf.pa, kmr_prev_why,
						   sizeof(kmr_prev_why));
		if (kmr_prev_valid) {
			pr_info("the buffer held a locator of %.64s (state %u, load %u): replaced\n",
				kmr_prev.release, le32_to_cpu(kmr_prev.state),
				le32_to_cpu(kmr_prev.boot_seq));
			kmr_copy_keep(&kmr_prev, init_utsname()->release);
		} else if (memchr_inv(&kmr_prev, 0, sizeof(kmr_prev))) {
			pr_info("the buffer held no valid locator (%s): cleared\n", kmr_prev_why);
		}
	}
	memset(kmr_buf.va, 0, KMD_LOC_SIZE);
	kmr_write(kmr_fill_new, NULL);
	ret = kminidump_register_consumer(&kmr_nb);
	if (ret) {
		pr_err("cannot register with kminidump (%d): is kminidump.ko the same version?\n",
		       ret);
		return ret;
	}
	if (!kmr_table)
		pr_warn("kminidump has no KELF row: the locator names none\n");
	return 0;
}

void kmr_locator_exit(void)
{
	kminidump_unregister_consumer(&kmr_nb);
	kmr_write(kmr_fill_state, (void *)KMD_LOC_ST_GONE);
	kmr_table = NULL;
}
