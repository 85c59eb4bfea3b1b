// SPDX-License-Identifier: GPL-2.0
/*
 * The panic sequence, one way and once: on the panicking CPU, after the other
 * CPUs were stopped, with no lock and no allocation:
 *   1. the registered capture hook (kminidump_kernel's) fills its rows and the
 *      NT_PRSTATUS notes; kminidump_update() tells consumers nothing from here
 *      on (kmd_panicking);
 *   2. panic CPU, CRASHTIME, PANIC_MESSAGE, CRASHING_CPU, then the PANIC flag:
 *      the table is final (1 and 2 are one writer bracket: gen odd);
 *   3. every VALID row's memory, then KELF (table, rows, notes), is cleaned
 *      to the point of coherency;
 *   4. consumers get KMINIDUMP_PANIC, exactly once, and mirror or clean what
 *      they own.
 * The notifier sits at INT_MAX on panic_notifier_list; notifiers of equal
 * priority run in registration order, so a pvpanic driver registered before
 * this module (built in, or loaded first) runs first: see docs/kernel.md.
 */
#include <linux/atomic.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include "core.h"

bool kmd_panicking;
static kminidump_capture_fn_t kmd_capture_fn;
static atomic_t kmd_panic_once = ATOMIC_INIT(0);

int kminidump_set_panic_capture(kminidump_capture_fn_t fn)
{
	int ret = 0;

	mutex_lock(&kmd.lock);
	if (kmd_capture_fn && fn)
		ret = -EBUSY;
	else
		WRITE_ONCE(kmd_capture_fn, fn);
	mutex_unlock(&kmd.lock);
	if (ret)
		pr_warn("a panic capture hook is already set (%ps)\n", kmd_capture_fn);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kminidump_set_panic_capture, KMD_NS);

/*
 * Clean [va, va + size) to the point of coherency, page by page where the
 * kernel maps it: a row's va is where it was registered, and a page of it
 * that is not mapped (a hole in a region added by physical address) would
 * fault here, in the panic. Memory the kernel does not map has no line in its
 * caches to clean.
 */
static void kmd_clean_mapped(unsigned long va, u64 size)
{
	unsigned long end = va + size, a, next, run = 0;
	phys_addr_t pa;

	if (!va || !size || end < va)
		return;
	for (a = va; a < end; a = next) {
		next = min(end, (a & PAGE_MASK) + PAGE_SIZE);
		if (kmd_virt_to_phys(a, &pa)) {
			if (!run)
				run = a;
			continue;
		}
		if (run)
			kminidump_clean_poc((void *)run, a - run);
		run = 0;
	}
	if (run)
		kminidump_clean_poc((void *)run, end - run);
}

/*
 * Every byte a reader of DRAM takes: each VALID row's memory (the printk
 * ring and every other region, not only the rows moved at panic: they were
 * all written through this CPU's caches or another's), then KELF (table,
 * rows, notes), whose last store was the PANIC flag. Lines written after this
 * (the end of panic()'s own messages) may stay in a cache.
 */
static void kmd_clean_rows(void)
{
	unsigned int i;

	for (i = 1; i < kmd.capacity; i++) {
		const struct kmd_row *r = &kmd.rows[i];

		/* a row still parked points at the placeholder: nobody reads it */
		if (le32_to_cpu(READ_ONCE(r->state)) == KMD_ROW_VALID &&
		    !(le32_to_cpu(READ_ONCE(r->flags)) & KMD_ROW_F_PARKED))
			kmd_clean_mapped(le64_to_cpu(READ_ONCE(r->va)),
					 le64_to_cpu(READ_ONCE(r->size)));
	}
	kminidump_clean_poc(kmd.kelf, kmd.kelf_size);
}

static void kmd_panic_finish(const char *msg)
{
	struct kmd_table *t = kmd.table;
	kminidump_capture_fn_t fn = READ_ONCE(kmd_capture_fn);
	unsigned int cpu = raw_smp_processor_id();

	WRITE_ONCE(kmd_panicking, true);
	/*
	 * One writer bracket around the whole capture and the PANIC fields: the
	 * capture writes NT_PRSTATUS notes (outside any row's state) and moves
	 * many rows, each update its own nested bracket; a reader polling the
	 * table meanwhile (a hypervisor, another master) sees gen odd from the
	 * first note to the PANIC flag instead of an even gen over a half-made
	 * capture.
	 */
	kmd_write_begin();
	if (fn)
		fn();
	WRITE_ONCE(t->panic_cpu, cpu_to_le32(cpu));
	/* ktime_get_real_seconds() reads one word on 64-bit: no seqlock to spin on */
	kminidump_vmcoreinfo_append_atomic("CRASHTIME=%lld", ktime_get_real_seconds());
	if (msg)
		kminidump_vmcoreinfo_append_atomic("PANIC_MESSAGE=%.200s", msg);
	kminidump_vmcoreinfo_append_atomic("CRASHING_CPU=%u", cpu);
	/* a reader that sees the PANIC flag sees every row, note and line above */
	smp_wmb();
	WRITE_ONCE(t->flags, cpu_to_le32(le32_to_cpu(t->flags) | KMD_TABLE_F_PANIC));
	kmd_write_end();
	/* the last table write is done: gen and flags are in what gets cleaned */
	kmd_clean_rows();
	kmd_notify_panic();
}

static int kmd_panic_event(struct notifier_block *nb, unsigned long action, void *msg)
{
	/* a second panic notifier call (a nested panic does not get here; be sure) */
	if (atomic_cmpxchg(&kmd_panic_once, 0, 1))
		return NOTIFY_DONE;
	kmd_panic_finish(msg);
	return NOTIFY_DONE;
}

static struct notifier_block kmd_panic_nb = {
	.notifier_call = kmd_panic_event,
	/* first among what registers after us: kmsg dumpers, reboot helpers, pvpanic */
	.priority = INT_MAX,
};

int kmd_panic_init(void)
{
	return atomic_notifier_chain_register(&panic_notifier_list, &kmd_panic_nb);
}

void kmd_panic_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list, &kmd_panic_nb);
}
