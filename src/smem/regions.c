// SPDX-License-Identifier: GPL-2.0
/*
 * The APSS region array: kminidump's rows as the firmware downloads them.
 *
 * Entry 0 is KELF, so the downloaded files concatenated in seq_num order are
 * an ELF core; the others follow in table order (program-header order, which
 * QDL's assembly walks). seq_num is the 1-based position: QDL names the files
 * md_<name><seq_num>.BIN. The array lives in kernel memory (as the upstream
 * driver's), its physical address in regions_baseptr.
 *
 * Firmware may read the array at any instant (a watchdog reset): an entry is
 * INVA while its fields change and VALI once whole; region_count grows only
 * after the new entries are whole and shrinks before the old ones go. Panic
 * capture rows are parked by the core (no PT_LOAD, no room) until the panic
 * moves them: they are published only once moved, at the PANIC event. Every event
 * rebuilds the array (kms_sync): one rebuild at a time, a bit lock tried and
 * never spun on (an UPDATE may come in any context), whoever finds it taken
 * leaves a "dirty" mark its holder redoes the rebuild for. The PANIC event,
 * with one CPU left, takes no lock. No spinlock: its slow path is not in
 * every GKI KMI.
 */
#include <linux/bitmap.h>
#include <linux/ctype.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/notifier.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kminidump.h>
#include "smem.h"

static struct kmd_md_region *kms_regions;
static struct kmd_md_subsystem *kms_apss;	/* in SMEM, owned by toc.c */
static const struct kmd_row *kms_row0;		/* rows never move between slots */
static DECLARE_BITMAP(kms_present, KMD_MAX_CAPACITY);
static DECLARE_BITMAP(kms_chosen, KMD_MAX_CAPACITY);
static char kms_names[KMD_MD_APSS_MAX][KMD_MD_NAME_LEN];
static u32 kms_count;
static bool kms_panicking, kms_budget_warned;
static unsigned long kms_busy;
static bool kms_dirty;

static bool kms_printk_row(const struct kmd_row *r)
{
	return !strncmp(r->name, "prb", 3) || !strncmp(r->name, "printk", 6) ||
	       !strncmp(r->name, "log_", 4);
}

/* Capture rows of slot 0, the panicking CPU (kminidump_kernel: "ptask0", "pstack0_1"). */
static bool kms_panic_cpu_row(const struct kmd_row *r)
{
	const char *s = r->name, *end = s + strnlen(s, sizeof(r->name));
	const char *us = strnchr(s, end - s, '_');

	if (us)
		end = us;
	return end - s >= 2 && end[-1] == '0' && !isdigit(end[-2]);
}

static bool kms_publishable(unsigned int i)
{
	const struct kmd_row *r = &kms_row0[i];
	u32 flags = le32_to_cpu(READ_ONCE(r->flags));

	/*
	 * Capture rows are parked (on one placeholder, with no PT_LOAD and no
	 * room in KELF) until the panic moves them; the core leaves a row
	 * parked when another PT_LOAD already shows its bytes. A parked row has
	 * no place in QDL's minidump.elf: it gets no region (docs/smem.md).
	 */
	return le32_to_cpu(READ_ONCE(r->state)) == KMD_ROW_VALID && READ_ONCE(r->room) &&
	       !(flags & KMD_ROW_F_PARKED);
}

/* Priority tiers (docs/smem.md): 0 KELF, 1 printk, 2 the panic CPU's capture, 3 the rest. */
static unsigned int kms_tier(unsigned int i)
{
	const struct kmd_row *r = &kms_row0[i];

	if (!i)
		return 0;
	if (kms_printk_row(r))
		return 1;
	if (le32_to_cpu(r->flags) & KMD_ROW_F_PANIC)
		return kms_panic_cpu_row(r) ? 2 : 4;
	return 3;
}

static u32 kms_fnv(const char *s, size_t n, u32 seed)
{
	u32 h = 2166136261u ^ seed;

	while (n-- && *s)
		h = (h ^ (u8)*s++) * 16777619u;
	return h;
}

static bool kms_name_taken(const char *name, unsigned int below)
{
	unsigned int j;

	for (j = 0; j < below; j++)
		if (!strcmp(kms_names[j], name))
			return true;
	return false;
}

/*
 * "K" + the row name when it has at most 8 characters and does not end in a
 * digit; else "K" + its first 5 characters + 3 letters of a hash of the whole
 * name. Stable across boots, never ending in a digit (md_<name><N>.BIN must
 * split), unique within the array.
 */
static void kms_name(unsigned int i, unsigned int slot)
{
	const struct kmd_row *r = &kms_row0[i];
	size_t n = strnlen(r->name, sizeof(r->name));
	char *out = kms_names[slot];
	u32 seed = 0, h;
	int k;

	if (!i) {
		strscpy(out, "KELF", KMD_MD_NAME_LEN);
		return;
	}
	if (n && n <= 8 && !isdigit(r->name[n - 1])) {
		snprintf(out, KMD_MD_NAME_LEN, "K%.8s", r->name);
		if (!kms_name_taken(out, slot))
			return;
	}
	do {
		h = kms_fnv(r->name, sizeof(r->name), seed++);
		snprintf(out, KMD_MD_NAME_LEN, "K%.5s", r->name);
		n = strlen(out);
		for (k = 0; k < 3; k++, h /= 26)
			out[n + k] = 'a' + h % 26;
		out[n + 3] = 0;
	} while (kms_name_taken(out, slot) && seed < 64);
}

static void kms_put(unsigned int slot, unsigned int i)
{
	const struct kmd_row *r = &kms_row0[i];
	struct kmd_md_region *e = &kms_regions[slot];
	u64 pa = le64_to_cpu(READ_ONCE(r->pa)), size = le64_to_cpu(READ_ONCE(r->room));

	if (le32_to_cpu(e->valid) == KMD_MD_VALID && le64_to_cpu(e->address) == pa &&
	    le64_to_cpu(e->size) == size && le32_to_cpu(e->seq_num) == slot + 1 &&
	    !strncmp(e->name, kms_names[slot], KMD_MD_NAME_LEN))
		return;
	WRITE_ONCE(e->valid, cpu_to_le32(KMD_MD_INVALID));
	wmb();	/* INVA before any field changes */
	memcpy(e->name, kms_names[slot], KMD_MD_NAME_LEN);
	WRITE_ONCE(e->seq_num, cpu_to_le32(slot + 1));
	WRITE_ONCE(e->address, cpu_to_le64(pa));
	WRITE_ONCE(e->size, cpu_to_le64(size));
	wmb();	/* whole before VALI */
	WRITE_ONCE(e->valid, cpu_to_le32(KMD_MD_VALID));
}

static void kms_set_count(u32 n)
{
	wmb();	/* entries before the count that covers them */
	WRITE_ONCE(kms_apss->region_count, cpu_to_le32(n));
	wmb();	/* a shrunk count is out before the entries past it change */
	kms_count = n;
}

/* Chooses up to 201 rows by tier, then publishes them in table order. */
static void kms_rebuild(void)
{
	unsigned int i, tier, n = 0, want = 0, slot = 0;

	if (!kms_apss || !kms_row0)
		return;
	bitmap_zero(kms_chosen, KMD_MAX_CAPACITY);
	for (tier = 0; tier <= 4; tier++) {
		for_each_set_bit(i, kms_present, KMD_MAX_CAPACITY) {
			if (kms_tier(i) != tier || !kms_publishable(i))
				continue;
			want++;
			if (n < KMD_MD_APSS_MAX) {
				__set_bit(i, kms_chosen);
				n++;
			}
		}
	}
	if (want > n && !kms_budget_warned) {
		kms_budget_warned = true;
		pr_warn("%u rows to publish, APSS takes %u: %u left out by priority (KELF, printk, the panic CPU's capture, table order; docs/smem.md)\n",
			want, KMD_MD_APSS_MAX, want - n);
	}
	if (n < kms_count)
		kms_set_count(n);
	for_each_set_bit(i, kms_chosen, KMD_MAX_CAPACITY) {
		kms_name(i, slot);
		kms_put(slot++, i);
	}
	for (i = n; i < kms_count; i++)
		WRITE_ONCE(kms_regions[i].valid, 0);
	if (n > kms_count)
		kms_set_count(n);
}

/*
 * Rebuild now, or leave it to whoever is rebuilding. Dekker-style: the holder
 * clears the lock, then reads dirty; a caller that found it taken writes dirty,
 * then reads the lock; the barriers make at least one of them see the other.
 * Two more orders make the holder's rebuild see what the caller changed: the
 * caller's change (a kms_present bit: set_bit() orders nothing, and a failed
 * test_and_set_bit_lock() neither) before its dirty mark, and the holder's
 * clearing of dirty before the rebuild's first read (a store then loads: even
 * x86 reorders that), else the holder may read the old rows and then wipe the
 * caller's mark, and the change waits for the next event.
 */
static void kms_sync(void)
{
	for (;;) {
		if (!test_and_set_bit_lock(0, &kms_busy)) {
			WRITE_ONCE(kms_dirty, false);
			smp_mb();	/* dirty cleared before the rows are read */
			kms_rebuild();
			clear_bit_unlock(0, &kms_busy);
			smp_mb__after_atomic();	/* unlocked before dirty is read */
			if (!READ_ONCE(kms_dirty))
				return;
			continue;
		}
		smp_mb();	/* this event's change before the mark asking to redo it */
		WRITE_ONCE(kms_dirty, true);
		smp_mb();	/* dirty is visible before the lock is read again */
		if (test_bit(0, &kms_busy))
			return;
	}
}

static int kms_event(struct notifier_block *nb, unsigned long event, void *data)
{
	const struct kminidump_event *ev = data;

	if (event == KMINIDUMP_PANIC || READ_ONCE(kms_panicking)) {
		/*
		 * One CPU left; a stopped CPU may hold the bit lock. An UPDATE
		 * after our PANIC event (a capture consumer called after us)
		 * rebuilds too.
		 */
		WRITE_ONCE(kms_panicking, true);
		kms_rebuild();
		kminidump_clean_poc(kms_regions, KMD_MD_APSS_MAX * sizeof(*kms_regions));
		return NOTIFY_DONE;
	}
	if (!ev->row || ev->index >= KMD_MAX_CAPACITY)
		return NOTIFY_DONE;
	if (event == KMINIDUMP_ADD || event == KMINIDUMP_REMOVE) {
		/* process context, under the table's mutex: the only writers of these */
		WRITE_ONCE(kms_row0, ev->row - ev->index);
		if (event == KMINIDUMP_ADD)
			set_bit(ev->index, kms_present);
		else
			clear_bit(ev->index, kms_present);
	}
	kms_sync();
	return NOTIFY_DONE;
}

static struct notifier_block kms_nb = { .notifier_call = kms_event };

phys_addr_t kms_regions_pa(void)
{
	return virt_to_phys(kms_regions);
}

/* toc.c owns @apss (status, enabled...): we fill the array and the count. */
int kms_regions_attach(struct kmd_md_subsystem *apss)
{
	int ret;

	kms_apss = apss;
	ret = kminidump_register_consumer(&kms_nb);
	if (ret) {
		kms_apss = NULL;
		pr_warn("can't follow kminidump's table (%d): not publishing\n", ret);
	}
	return ret;
}

void kms_regions_detach(void)
{
	kminidump_unregister_consumer(&kms_nb);
	/* TODO: the core's consumer list becomes RCU (K1); an UPDATE may still run */
	synchronize_rcu();
	while (test_and_set_bit_lock(0, &kms_busy))
		cpu_relax();
	kms_set_count(0);
	kms_apss = NULL;
	kms_row0 = NULL;
	bitmap_zero(kms_present, KMD_MAX_CAPACITY);
	clear_bit_unlock(0, &kms_busy);
}

int kms_regions_init(void)
{
	kms_regions = kcalloc(KMD_MD_APSS_MAX, sizeof(*kms_regions), GFP_KERNEL);
	return kms_regions ? 0 : -ENOMEM;
}

void kms_regions_exit(void)
{
	kfree(kms_regions);
	kms_regions = NULL;
}
