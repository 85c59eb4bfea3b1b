// SPDX-License-Identifier: GPL-2.0
/*
 * Panic notifier: mark the table as a crash image, stamp CRASHTIME, and let
 * consumers finish. It runs after the other CPUs were stopped, on the one CPU
 * left: no locks, no allocation.
 */
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include "core.h"

static int kmd_panic_event(struct notifier_block *nb, unsigned long action, void *msg)
{
	struct kmd_table *t = kmd.table;

	WRITE_ONCE(t->panic_cpu, cpu_to_le32(raw_smp_processor_id()));
	/* a reader that sees the PANIC flag sees the panic CPU */
	smp_wmb();
	WRITE_ONCE(t->flags, cpu_to_le32(le32_to_cpu(t->flags) | KMD_TABLE_F_PANIC));
	/* ktime_get_real_seconds() reads one word on 64-bit: no seqlock to spin on */
	kminidump_vmcoreinfo_append_atomic("CRASHTIME=%lld", ktime_get_real_seconds());
	if (msg)
		kminidump_vmcoreinfo_append_atomic("PANIC_MESSAGE=%.200s", (char *)msg);
	kmd_notify_panic();
	return NOTIFY_DONE;
}

static struct notifier_block kmd_panic_nb = {
	.notifier_call = kmd_panic_event,
	/* before kmsg dumpers and reboot helpers that also sit on this chain */
	.priority = INT_MAX - 1,
};

int kmd_panic_init(void)
{
	return atomic_notifier_chain_register(&panic_notifier_list, &kmd_panic_nb);
}

void kmd_panic_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list, &kmd_panic_nb);
}
