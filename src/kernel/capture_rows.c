// SPDX-License-Identifier: GPL-2.0
/*
 * Rows for the panic-time capture, reserved at load (the table has no room to
 * give at panic) as movable regions parked on a zeroed buffer of the module,
 * and moved lock-free onto what is captured.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include "capture.h"

struct kmk_region kmk_capture_region = { .name = "panic_capture", .sets = KMK_SET_MINIMAL |
					  KMK_SET_DEFAULT };
struct kmk_slot *kmk_slots;
unsigned int kmk_nslots;
size_t kmk_task_size;
static void *kmk_park;				/* where unused reserved rows point */
static size_t kmk_park_size;

/*
 * Reserve one row, parked. Row names are "<prefix><a>[_<b>]"; u8/s8 keep them
 * within KMD_NAME_LEN.
 */
int kmk_reserve(const char *fmt, u8 a, s8 b, size_t size, u32 *id)
{
	char name[16];
	int ret;

	if (b >= 0)
		snprintf(name, sizeof(name), fmt, a, b);
	else
		snprintf(name, sizeof(name), fmt, a);
	kmk_sources_note(KMK_SRC_OWN);
	ret = kmk_register_va(&kmk_capture_region, 0, name, (unsigned long)kmk_park, size,
			      KMINIDUMP_F_MOVABLE | KMINIDUMP_F_PANIC);
	if (ret > 0)
		*id = ret;
	return ret < 0 ? ret : 0;
}

void kmk_release(u32 *ids, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ids[i])
			kminidump_unregister(ids[i]);
		ids[i] = 0;
	}
}

/* The rows of captured CPU number @k: its task, stack, pid, mm, page tables, pc. */
int kmk_reserve_slot(unsigned int k)
{
	struct kmk_slot *s = &kmk_slots[k];
	unsigned int i;
	int ret;

	ret = kmk_reserve("ptask%u", k, -1, kmk_task_size, &s->task);
	for (i = 0; !ret && i < KMK_STACK_PAGES; i++)
		ret = kmk_reserve("pstack%u_%d", k, i, PAGE_SIZE, &s->stack[i]);
	if (!ret)
		ret = kmk_reserve("ppid%u", k, -1, sizeof(struct pid) + sizeof(struct upid),
				  &s->pid);
	if (!ret)
		ret = kmk_reserve("pmm%u", k, -1, sizeof(struct mm_struct), &s->mm);
	for (i = 0; !ret && i < KMK_STACK_PGT; i++)
		ret = kmk_reserve("pstkpt%u_%d", k, i, PAGE_SIZE, &s->pgt[i]);
	if (!ret)
		ret = kmk_reserve("ppc%u", k, -1, PAGE_SIZE, &s->pc);
	for (i = 0; !ret && i < KMK_PC_PGT; i++)
		ret = kmk_reserve("ppcpt%u_%d", k, i, PAGE_SIZE, &s->pc_pgt[i]);
	return ret;
}

/* Panic path: one CPU left, nothing sleeps, nothing allocates. */
void kmk_move(u32 id, const void *va, size_t size)
{
	if (id && va)
		kminidump_update(id, va, size);
}

int kmk_rows_init(unsigned int nslots)
{
	kmk_task_size = kmk_task_struct_size();
	kmk_park_size = PAGE_ALIGN(max_t(size_t, kmk_task_size, sizeof(struct mm_struct)));
	kmk_slots = kcalloc(nslots, sizeof(*kmk_slots), GFP_KERNEL);
	kmk_park = alloc_pages_exact(kmk_park_size, GFP_KERNEL | __GFP_ZERO);
	if (!kmk_slots || !kmk_park) {
		kmk_rows_exit();
		return -ENOMEM;
	}
	kmk_nslots = nslots;
	return 0;
}

void kmk_rows_exit(void)
{
	unsigned int k;

	for (k = 0; kmk_slots && k < kmk_nslots; k++)
		kmk_release((u32 *)&kmk_slots[k], sizeof(kmk_slots[k]) / sizeof(u32));
	if (kmk_park)
		free_pages_exact(kmk_park, kmk_park_size);
	kmk_park = NULL;
	kfree(kmk_slots);
	kmk_slots = NULL;
	kmk_nslots = 0;
}
