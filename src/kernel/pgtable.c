// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table pages that map every region. makedumpfile and crash
 * translate even kernel-image addresses through the page tables in the dump,
 * so a minidump without them is unreadable to them. Whenever a row is added,
 * a work item walks the kernel page tables over every row's virtual range and
 * registers the table pages not yet in the table.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/workqueue.h>
#include "kernel.h"

#define KMK_MAX_PGT	512

struct kmk_region kmk_pgt_region = { .name = "pgtables", .sets = KMK_SET_DEFAULT };

static unsigned long kmk_pgd_root;
static phys_addr_t kmk_pgt[KMK_MAX_PGT];	/* pages registered so far */
static unsigned int kmk_nr_pgt;
/*
 * Pages left out by the current walk: KMK_MAX_PGT reached, or the core's table
 * full. After the first refusal no page is offered again (the core would log
 * each one); the walk logs once, with the count, for the module's lifetime.
 */
static bool kmk_pgt_full, kmk_pgt_refused, kmk_pgt_logged;
static phys_addr_t kmk_pgt_left_pa[KMK_MAX_PGT];	/* distinct pages left out, this walk */
static unsigned int kmk_pgt_left;

static void kmk_pgt_leave(phys_addr_t pa)
{
	unsigned int i;

	for (i = 0; i < kmk_pgt_left && i < KMK_MAX_PGT; i++)
		if (kmk_pgt_left_pa[i] == pa)
			return;
	if (kmk_pgt_left < KMK_MAX_PGT)
		kmk_pgt_left_pa[kmk_pgt_left] = pa;
	kmk_pgt_left++;	/* beyond KMK_MAX_PGT: an upper bound */
}

struct kmk_range {
	unsigned long va;
	u64 size;
};

static struct kmk_range *kmk_ranges;
static unsigned int kmk_nr_ranges, kmk_ranges_cap;

static void kmk_pgt_found(void *table, void *ctx)
{
	phys_addr_t pa;
	char name[16];
	unsigned int i;

	if (!kminidump_virt_to_phys((unsigned long)table & PAGE_MASK, &pa))
		return;
	for (i = 0; i < kmk_nr_pgt; i++)
		if (kmk_pgt[i] == pa)
			return;
	if (kmk_nr_pgt == KMK_MAX_PGT || kmk_pgt_refused) {
		kmk_pgt_full |= kmk_nr_pgt == KMK_MAX_PGT;
		kmk_pgt_leave(pa);
		return;
	}
	snprintf(name, sizeof(name), "pgt%u", kmk_nr_pgt);
	if (kmk_register_pa(&kmk_pgt_region, 0, name, pa, PAGE_SIZE) > 0) {
		kmk_pgt[kmk_nr_pgt++] = pa;
	} else {
		kmk_pgt_refused = true;
		kmk_pgt_leave(pa);
	}
}

static void kmk_pgt_report(void)
{
	if (!kmk_pgt_left || kmk_pgt_logged)
		return;
	kmk_pgt_logged = true;
	if (kmk_pgt_full)
		pr_warn("page tables: more than %d pages; %u not captured\n",
			KMK_MAX_PGT, kmk_pgt_left);
	else
		pr_warn("page tables: the table is full; %u page-table pages not captured (raise kminidump.capacity)\n",
			kmk_pgt_left);
}

/*
 * Walk the kernel page tables for @va, calling @found for each table page below
 * the root; returns the bytes the entry found maps. Reads only: safe at panic.
 */
unsigned long kmk_pgt_walk(unsigned long va, void (*found)(void *table, void *ctx), void *ctx)
{
	pgd_t *pgd = (pgd_t *)kmk_pgd_root + pgd_index(va);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	if (!kmk_pgd_root || pgd_none(*pgd))
		return PGDIR_SIZE;
	p4d = p4d_offset(pgd, va);
	if ((void *)p4d != (void *)pgd)	/* not folded at build or run time */
		found(p4d, ctx);
	if (p4d_none(*p4d))
		return P4D_SIZE;
	pud = pud_offset(p4d, va);
	if ((void *)pud != (void *)p4d)
		found(pud, ctx);
	if (pud_none(*pud) || pud_leaf(*pud))
		return PUD_SIZE;
	pmd = pmd_offset(pud, va);
	if ((void *)pmd != (void *)pud)
		found(pmd, ctx);
	if (pmd_none(*pmd) || pmd_leaf(*pmd))
		return PMD_SIZE;
	found(pte_offset_kernel(pmd, va), ctx);
	return PAGE_SIZE;
}

/* The kernel's top-level page table: init_top_pgt on x86, swapper_pg_dir on arm64. */
static int kmk_pgt_root(void)
{
	const char *root = IS_ENABLED(CONFIG_X86_64) ? "init_top_pgt" : "swapper_pg_dir";

	if (kmk_pgd_root || !kmk_sym(root, &kmk_pgd_root))
		return 0;
	pr_warn("page tables: symbol %s not found\n", root);
	return -ENOENT;
}

static int kmk_collect(const struct kminidump_event *ev, void *data)
{
	const struct kmd_row *row = ev->row;
	u32 flags = le32_to_cpu(row->flags);

	/* table pages (by PA) and the header need no translation by the tools */
	if (!row->va || (flags & (KMD_ROW_F_BYPA | KMD_ROW_F_HEADER)))
		return 0;
	if (kmk_nr_ranges == kmk_ranges_cap)
		return -ENOSPC;
	kmk_ranges[kmk_nr_ranges].va = le64_to_cpu(row->va);
	kmk_ranges[kmk_nr_ranges].size = le64_to_cpu(row->size);
	kmk_nr_ranges++;
	return 0;
}

static void kmk_pgt_refresh(struct work_struct *work)
{
	unsigned int i;

	kmk_nr_ranges = 0;
	kmk_pgt_left = 0;
	/* rows cannot be registered from inside the traversal: collect, then walk */
	kminidump_traverse(kmk_collect, NULL);
	for (i = 0; i < kmk_nr_ranges; i++) {
		unsigned long va = kmk_ranges[i].va, end = va + kmk_ranges[i].size;

		while (va < end) {
			unsigned long step = kmk_pgt_walk(va, kmk_pgt_found, NULL);

			va = (va & ~(step - 1)) + step;
		}
	}
	kmk_pgt_report();
}

static DECLARE_WORK(kmk_pgt_work, kmk_pgt_refresh);

static int kmk_pgt_event(struct notifier_block *nb, unsigned long ev, void *data)
{
	if (ev == KMINIDUMP_ADD)
		queue_work(system_unbound_wq, &kmk_pgt_work);
	return NOTIFY_OK;
}

static struct notifier_block kmk_pgt_nb = {
	.notifier_call = kmk_pgt_event,
};

int kmk_pgtable_init(void)
{
	int ret;

	if (!(kmk_pgt_region.sets & kmk_current_sets()))
		return 0;
	if (kmk_pgt_root()) {
		kmk_missing(&kmk_pgt_region, -ENOENT, "kernel page-table root not found");
		return 0;
	}
	kmk_ranges_cap = KMD_MAX_CAPACITY;
	kmk_ranges = kvmalloc_array(kmk_ranges_cap, sizeof(*kmk_ranges), GFP_KERNEL);
	if (!kmk_ranges)
		return -ENOMEM;
	/* registering replays every existing row as ADD: the first walk */
	ret = kminidump_register_consumer(&kmk_pgt_nb);
	if (ret) {
		kvfree(kmk_ranges);
		return ret;
	}
	flush_work(&kmk_pgt_work);
	return 0;
}

void kmk_pgtable_exit(void)
{
	if (!kmk_ranges)
		return;
	kminidump_unregister_consumer(&kmk_pgt_nb);
	cancel_work_sync(&kmk_pgt_work);
	kvfree(kmk_ranges);
	kmk_ranges = NULL;
	kmk_nr_pgt = 0;
	kmk_pgt_full = false;
	kmk_pgt_refused = false;
	kmk_pgt_logged = false;
}
