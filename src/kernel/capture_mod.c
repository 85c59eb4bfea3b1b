// SPDX-License-Identifier: GPL-2.0
/*
 * Module memory at panic: the modules whose text a captured register or stack
 * word points into get their kallsyms tables (symtab, strtab) and then their
 * text and data into rows reserved at load, as far as the rows go. crash reads
 * a module's whole core to find its kallsyms (else "cannot access module
 * kallsyms" and no names); `kminidump info` needs only the tables. The
 * modules come from modules.c's table, read lock-free.
 */
#include <linux/elf.h>
#include <linux/mm.h>
#include <uapi/kminidump_modules.h>
#include "capture.h"

#define KMK_MOD_PAGES		16	/* rows for module pages at panic: 64 KiB */

static u32 kmk_mod_page_ids[KMK_MOD_PAGES];

/* Panic path from here on: one CPU left, nothing sleeps, nothing allocates. */

/* The table's valid entry whose text holds @addr, or -1. */
static int kmk_mod_find(unsigned long addr)
{
	unsigned int i;

	/* pairs with kmk_modules_init()'s release: the table set up before */
	if (!smp_load_acquire(&kmk_mods_on) || addr < READ_ONCE(kmk_mods_lo) ||
	    addr >= READ_ONCE(kmk_mods_hi))
		return -1;
	for (i = 0; i < KMK_MODS_MAX; i++) {
		const struct kmd_mod_entry *e = &kmk_mod_entries[i];

		/* pairs with kmk_mod_add()'s release: the fields before VALID */
		if (smp_load_acquire(&e->state) != KMD_MOD_ST_VALID)
			continue;
		if (addr >= e->text && addr - e->text < e->text_size)
			return i;
	}
	return -1;
}

/* Remember the module whose text holds @addr, if any. */
void kmk_mod_note(unsigned long addr, struct kmk_found *f)
{
	int i = kmk_mod_find(addr);

	if (i < 0 || (f->mods & BIT_ULL(i)))
		return;
	f->mods |= BIT_ULL(i);
	f->mod_order[f->nmods++] = i;
}

struct kmk_mod_pages {
	unsigned long page[KMK_MOD_PAGES];
	unsigned int n;
};

static void kmk_mod_range(struct kmk_mod_pages *mp, unsigned long va, unsigned long size)
{
	unsigned long a;
	unsigned int i;

	if (!va || !size || size > SZ_64M)
		return;
	for (a = va & PAGE_MASK; a < va + size && mp->n < KMK_MOD_PAGES; a += PAGE_SIZE) {
		for (i = 0; i < mp->n && mp->page[i] != a; i++)
			;
		if (i < mp->n)
			continue;
		/* a page that is not mapped is not moved to (the update refuses it) */
		if (kminidump_update(kmk_mod_page_ids[mp->n], (void *)a, PAGE_SIZE))
			continue;
		mp->page[mp->n++] = a;
	}
}

/*
 * Every noted module's tables first (they name its frames), then their text
 * and data (what crash reads whole), each pass in the order the modules were
 * first named: the panic CPU's pc first, then its stack from the deepest
 * frame up, then the other CPUs.
 */
void kmk_mod_capture(const struct kmk_found *f)
{
	struct kmk_mod_pages mp = { .n = 0 };
	unsigned int i, pass;

	/* pairs with kmk_modules_init()'s release: the table set up before */
	if (!f->nmods || !smp_load_acquire(&kmk_mods_on))
		return;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < f->nmods && i < KMK_MODS_MAX; i++) {
			const struct kmd_mod_entry *e = &kmk_mod_entries[f->mod_order[i]];

			/* pairs with kmk_mod_add()'s release: the fields before VALID */
			if (smp_load_acquire(&e->state) != KMD_MOD_ST_VALID)
				continue;
			if (!pass) {
				kmk_mod_range(&mp, e->symtab, (unsigned long)e->num_symtab *
					      sizeof(struct elf64_sym));
				kmk_mod_range(&mp, e->strtab, e->strtab_size);
			} else {
				kmk_mod_range(&mp, e->text, e->text_size);
				kmk_mod_range(&mp, e->data, e->data_size);
			}
		}
	}
}

int kmk_mod_pages_init(void)
{
	unsigned int i;
	int ret = 0;

	if (!kmk_nslots)
		return 0;	/* no panic capture (capture=0): nothing would move them */
	for (i = 0; !ret && i < KMK_MOD_PAGES; i++)
		ret = kmk_reserve("pmod%u", i, -1, PAGE_SIZE, &kmk_mod_page_ids[i]);
	if (ret)
		kmk_release(kmk_mod_page_ids, KMK_MOD_PAGES);
	return ret;
}

void kmk_mod_pages_exit(void)
{
	kmk_release(kmk_mod_page_ids, KMK_MOD_PAGES);
}
