// SPDX-License-Identifier: GPL-2.0
/*
 * Panic-time capture: every CPU's registers into KELF's NT_PRSTATUS notes, and
 * into rows reserved at load: each captured CPU's task, kernel stack, struct
 * pid, mm and stack page tables, the pid xarray's nodes, the text pages the
 * stacks return into, and on x86 the ORC entries of the panic task's frames.
 * All of it is what crash and drgn read to show where the kernel died.
 *
 * Each CPU records its own registers (capture_regs.c); the crashing CPU then
 * fills the notes and moves the reserved rows from the core's panic capture
 * hook, after the others have stopped and before the core marks the table
 * PANIC and tells its consumers: no allocation, no lock, bounded loops. Kernel
 * data is only read: the panic CPU goes into the core's CRASHING_CPU line and
 * the table's panic_cpu, not into x86's crashing_cpu (docs/kernel.md).
 */
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/task_stack.h>
#include "capture.h"

/* every CPU by default: a CPU without its task saved has no trace in drgn */
static unsigned int panic_cpus = KMK_MAX_SLOTS;
module_param(panic_cpus, uint, 0444);
MODULE_PARM_DESC(panic_cpus, "CPUs whose task and stack are captured at panic, the crashing one first (default: 64, all up to 64)");

static bool capture = true;
module_param(capture, bool, 0444);
MODULE_PARM_DESC(capture, "Capture registers, tasks and stacks at panic (default: Y)");

/* Panic path from here on: one CPU left, nothing sleeps, nothing allocates. */

/*
 * The note, task, stack, pid, mm and page tables of one CPU's task, and the
 * text pages: its pc's first, then the stack scanned from @scan_sp, the
 * deepest frame known (at or below the registers' sp).
 */
static void kmk_capture_cpu(unsigned int cpu, const struct kmk_slot *s, struct kmk_found *f,
			    unsigned long scan_sp)
{
	struct kmk_cpu_rec *rec = &kmk_recs[cpu];
	struct task_struct *t = rec->task;
	unsigned long stack, pc = instruction_pointer(&rec->regs);
	unsigned int i;

	kminidump_set_prstatus(cpu, t ? t->pid : 0, &rec->regs);
	if (!t)
		return;
	stack = (unsigned long)task_stack_page(t);
	kmk_move(s->task, t, kmk_task_size);
	for (i = 0; stack && i < KMK_STACK_PAGES; i++)
		kmk_move(s->stack[i], (void *)(stack + i * PAGE_SIZE), PAGE_SIZE);
	kmk_move(s->pid, t->thread_pid, sizeof(struct pid) + sizeof(struct upid));
	kmk_move(s->mm, t->mm, sizeof(struct mm_struct));
	if (stack)
		kmk_capture_stack_pgt(s, stack);
	kmk_capture_pc(s, pc);
	kmk_text_pc(pc, f);
	kmk_scan_stack(scan_sp ? scan_sp : kernel_stack_pointer(&rec->regs), stack, f);
}

static void kmk_capture_all(void)
{
	static struct kmk_found found;	/* one panic, one CPU: no stack needed for it */
	unsigned int this = raw_smp_processor_id(), cpu, slot = 0;
	struct kmk_cpu_rec *rec = &kmk_recs[this];
	u64 t0 = sched_clock();

	/* no panic-entry record (kprobes off): at least say which task it was */
	kmk_record_self();
	/*
	 * The frames crash shows for the panic task start at panic() entry: their
	 * text and unwind data first, then a scan from there up, through an
	 * oops' frames and the interrupted context. crash checks every text word
	 * it meets for a call before it; a page it cannot read makes it keep the
	 * word as a frame, so every page the scan finds matters.
	 */
	if (rec->have_entry) {
		kmk_text_pc(instruction_pointer(&rec->entry_regs), &found);
		kmk_orc_capture(current, &rec->entry_regs, &kmk_slots[0],
				!kmk_is_text(instruction_pointer(&rec->regs)), &found);
	}
	kmk_capture_cpu(this, &kmk_slots[slot++], &found, rec->have_entry ?
			kernel_stack_pointer(&rec->entry_regs) : current_stack_pointer);
	for_each_possible_cpu(cpu) {
		/* pairs with kmk_record()'s release: the registers before the state */
		if (cpu == this || !kmk_rec_final(smp_load_acquire(&kmk_recs[cpu].how)))
			continue;
		if (slot < kmk_nslots) {
			kmk_text_pc(kmk_recs[cpu].stop_pc, &found);
			kmk_text_pc(kmk_park_fn, &found);
			kmk_capture_cpu(cpu, &kmk_slots[slot++], &found, kmk_recs[cpu].stop_sp);
		} else {	/* no rows left: the registers still go into the note */
			kminidump_set_prstatus(cpu, kmk_recs[cpu].task ?
					       kmk_recs[cpu].task->pid : 0, &kmk_recs[cpu].regs);
		}
	}
	kmk_mod_capture(&found);
	kmk_pid_nodes_capture();
	kminidump_vmcoreinfo_append_atomic("KMINIDUMP_CAPTURE_NS=%llu", sched_clock() - t0);
}

/*
 * The shared rows, then as many CPUs as the table has room for: the crashing
 * CPU, then what crash unwinds it with, then the other CPUs. Returns the
 * number of CPUs with rows.
 */
static unsigned int kmk_capture_reserve(void)
{
	unsigned int k;
	int ret;

	ret = kmk_pid_nodes_init();
	if (!ret)
		ret = kmk_text_init();
	for (k = 0; !ret && k < kmk_nslots; k++) {
		ret = kmk_reserve_slot(k);
		if (!ret && !k)
			ret = kmk_orc_init();
	}
	if (!ret)
		return k;
	/* the slot that did not fit gives its rows back */
	if (k)
		kmk_release((u32 *)&kmk_slots[k - 1], sizeof(kmk_slots[k - 1]) / sizeof(u32));
	return k ? k - 1 : 0;
}

static void kmk_capture_unreserve(void)
{
	kmk_orc_exit();
	kmk_text_exit();
	kmk_pid_nodes_exit();
}

int kmk_capture_init(void)
{
	unsigned int nslots, fit;
	int ret;

	if (!capture || !panic_cpus) {
		kmk_missing(&kmk_capture_region, -EPERM, "off: capture=0 or panic_cpus=0");
		return 0;
	}
	nslots = min3(panic_cpus, nr_cpu_ids, (unsigned int)KMK_MAX_SLOTS);
	if (panic_cpus > KMK_MAX_SLOTS && nr_cpu_ids > KMK_MAX_SLOTS)
		pr_warn("panic capture: panic_cpus=%u, at most %u CPUs are captured\n",
			panic_cpus, KMK_MAX_SLOTS);
	ret = kmk_regs_init();
	if (ret)
		return ret;
	ret = kmk_rows_init(nslots);
	if (ret)
		goto err_rows;

	fit = kmk_capture_reserve();
	if (!fit) {
		pr_warn("panic capture: no room in the table for it (raise kminidump.capacity)\n");
		kmk_missing(&kmk_capture_region, -ENOSPC, "no room in the table");
		kmk_capture_unreserve();
		kmk_rows_exit();
		kmk_regs_exit();
		return 0;
	}
	if (fit < nslots)
		pr_warn("panic capture: room for %u of %u CPUs (raise kminidump.capacity)\n",
			fit, nslots);
	kmk_nslots = fit;

	ret = kminidump_set_panic_capture(kmk_capture_all);
	if (ret)
		goto err_hook;
	ret = kmk_regs_arm();
	if (ret)
		goto err_arm;
	return 0;

err_arm:
	kminidump_set_panic_capture(NULL);
err_hook:
	kmk_capture_unreserve();
	kmk_rows_exit();
err_rows:
	kmk_regs_exit();
	return ret;
}

void kmk_capture_exit(void)
{
	if (!kmk_recs)
		return;
	kmk_regs_disarm();
	kminidump_set_panic_capture(NULL);
	kmk_capture_unreserve();
	kmk_rows_exit();
	kmk_regs_exit();
}
