// SPDX-License-Identifier: GPL-2.0
/*
 * What each CPU records about itself at panic, with no lock:
 *  - the crashing CPU: at die() (the oops' pt_regs, through the die notifier)
 *    when the panic follows an oops of the same task, else at panic() entry
 *    (a kprobe on panic);
 *  - the others: when the panic's stop IPI or NMI interrupts them (kprobes on
 *    the arch's stop handlers), the interrupted context.
 */
#include <linux/kdebug.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "capture.h"
#include "entry_skip.h"

struct kmk_cpu_rec *kmk_recs;
static unsigned long kmk_irq_regs;		/* per-CPU __irq_regs, CPU 0's copy */

/*
 * Claim this CPU's record (see enum kmk_how) and write it. An NMI that lands
 * while the record is BUSY finds the claim taken and leaves it alone.
 */
static void kmk_record(struct pt_regs *regs, unsigned int how, unsigned long stop_pc,
		       unsigned long stop_sp)
{
	struct kmk_cpu_rec *rec = &kmk_recs[raw_smp_processor_id()];
	unsigned int old = READ_ONCE(rec->how);

	if (old != KMK_NONE && old != KMK_DIE)
		return;		/* final, or being written */
	/* an oops that leads to this panic keeps its registers: they show the fault */
	if (how == KMK_PANIC_ENTRY && old == KMK_DIE && rec->task == current) {
		cmpxchg(&rec->how, KMK_DIE, KMK_PANIC_OOPS);
		return;
	}
	if (cmpxchg(&rec->how, old, KMK_BUSY) != old)
		return;
	rec->regs = *regs;
	rec->task = current;
	rec->stop_pc = stop_pc;
	rec->stop_sp = stop_sp;
	/* the record before its state: kmk_capture_all() acquires it */
	smp_store_release(&rec->how, how);
}

/* The panic CPU, from the capture: at least which task it was (no kprobe on panic). */
void kmk_record_self(void)
{
	struct kmk_cpu_rec *rec = &kmk_recs[raw_smp_processor_id()];

	if (cmpxchg(&rec->how, KMK_NONE, KMK_BUSY) == KMK_NONE) {
		rec->task = current;
		/* the task before the state */
		smp_store_release(&rec->how, KMK_PANIC_ENTRY);
	} else {
		cmpxchg(&rec->how, KMK_DIE, KMK_PANIC_OOPS);
	}
}

static int kmk_die_event(struct notifier_block *nb, unsigned long val, void *data)
{
	struct die_args *args = data;

	if (val == DIE_OOPS && args && args->regs)
		kmk_record(args->regs, KMK_DIE, 0, 0);
	return NOTIFY_DONE;
}

static struct notifier_block kmk_die_nb = {
	.notifier_call = kmk_die_event,
	.priority = INT_MAX,
};

static int kmk_panic_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct kmk_cpu_rec *rec = &kmk_recs[raw_smp_processor_id()];

	/* the first panic() entry on this CPU: a nested one keeps it */
	if (!READ_ONCE(rec->have_entry)) {
		rec->entry_regs = *regs;
		/* the registers before the flag saying they are there */
		smp_store_release(&rec->have_entry, true);
	}
	kmk_record(regs, KMK_PANIC_ENTRY, 0, 0);
	return 0;
}

/* A kprobe and where its function keeps the interrupted context's registers. */
struct kmk_probe {
	struct kprobe kp;
	int regs_arg;		/* argument holding them, or -1: the per-CPU IRQ regs */
	bool optional;		/* a kernel without it lacks that stop path: no line */
	bool registered;
};

/* The stop IPI/NMI's interrupted context: an argument (x86) or the IRQ regs (arm64). */
static int kmk_stop_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct kmk_probe *p = container_of(kp, struct kmk_probe, kp);
	struct pt_regs *irq_regs = NULL;

	/*
	 * A CPU inside panic() is not being stopped: the panic CPU (x86 runs
	 * crash_nmi_callback() there too, from any later NMI) or one that lost
	 * the race and stopped itself; its panic-entry record stays.
	 */
	if (READ_ONCE(kmk_recs[raw_smp_processor_id()].have_entry))
		return 0;
	if (p->regs_arg >= 0)
		irq_regs = (struct pt_regs *)regs_get_kernel_argument(regs, p->regs_arg);
	else if (kmk_irq_regs)
		irq_regs = *(struct pt_regs **)(kmk_irq_regs +
						per_cpu_offset(raw_smp_processor_id()));
	/* interrupted in user mode: the kernel side of it is the stop handler's */
	if (irq_regs && user_mode(irq_regs))
		irq_regs = NULL;
	kmk_record(irq_regs ? irq_regs : regs, KMK_STOP, instruction_pointer(regs),
		   kernel_stack_pointer(regs));
	return 0;
}

static struct kmk_probe kmk_probes[] = {
	{ .kp = { .symbol_name = "panic", .pre_handler = kmk_panic_entry } },
#ifdef CONFIG_X86_64
	/* __sysvec_reboot(regs), smp_stop_nmi_callback(val, regs) */
	{ .kp = { .symbol_name = "__sysvec_reboot", .pre_handler = kmk_stop_entry },
	  .regs_arg = 0 },
	{ .kp = { .symbol_name = "smp_stop_nmi_callback", .pre_handler = kmk_stop_entry },
	  .regs_arg = 1 },
	/*
	 * crash_smp_send_stop()'s NMI (crash_kexec_post_notifiers, or kdump):
	 * crash_nmi_callback(val, regs); it runs on the panic CPU too, where the
	 * record is already final
	 */
	{ .kp = { .symbol_name = "crash_nmi_callback", .pre_handler = kmk_stop_entry },
	  .regs_arg = 1, .optional = true },
#elif defined(CONFIG_ARM64)
	/* IPI_CPU_STOP's handler; the IRQ entry set __irq_regs */
	{ .kp = { .symbol_name = "local_cpu_stop", .pre_handler = kmk_stop_entry },
	  .regs_arg = -1 },
	/*
	 * IPI_CPU_CRASH_STOP's handler ipi_cpu_crash_stop() is inlined into the IPI
	 * dispatch; its first call, crash_save_cpu(regs, cpu), is not. The panic
	 * CPU calls it too (kdump), after its record is final.
	 */
	{ .kp = { .symbol_name = "crash_save_cpu", .pre_handler = kmk_stop_entry },
	  .regs_arg = 0, .optional = true },
#endif
};

/* Past the ftrace entry of @sym (entry_skip.h). */
static unsigned int kmk_entry_skip(const char *sym)
{
#if defined(CONFIG_ARM64) && defined(CONFIG_DYNAMIC_FTRACE)
	u32 insn[KMK_ENTRY_WORDS];
	unsigned long addr;
	unsigned int n;

	if (kmk_sym(sym, &addr))
		return 0;
	for (n = 0; n < KMK_ENTRY_WORDS; n++)
		if (copy_from_kernel_nofault(&insn[n], (void *)(addr + 4 * n), sizeof(insn[n])))
			break;
	return kmk_entry_skip_words(insn, n);
#else
	return 0;
#endif
}

static void kmk_register_kprobes(void)
{
	unsigned int i;
	int ret;

	kmk_probes[0].kp.offset = kmk_entry_skip(kmk_probes[0].kp.symbol_name);
	for (i = 0; i < ARRAY_SIZE(kmk_probes); i++) {
		ret = kminidump_kprobe_register(&kmk_probes[i].kp);
		kmk_probes[i].registered = !ret;
		if (ret == -EOPNOTSUPP) {
			pr_warn("panic capture: kprobes unavailable: the crashing CPU's registers come from an oops only, the other CPUs' are not captured\n");
			return;
		}
		if (ret == -ENOENT && kmk_probes[i].optional)
			continue;	/* no kexec: no such stop path to capture */
		if (ret)
			pr_warn("panic capture: kprobe on %s refused (%d): %s are not captured\n",
				kmk_probes[i].kp.symbol_name, ret, i ?
				"the registers of CPUs stopped that way" :
				"the registers at panic() entry");
	}
}

static void kmk_unregister_kprobes(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kmk_probes); i++) {
		if (kmk_probes[i].registered)
			kminidump_kprobe_unregister(&kmk_probes[i].kp);
		kmk_probes[i].registered = false;
	}
}

int kmk_regs_init(void)
{
	kmk_recs = kcalloc(nr_cpu_ids, sizeof(*kmk_recs), GFP_KERNEL);
	if (!kmk_recs)
		return -ENOMEM;
#ifdef CONFIG_ARM64
	if (kmk_percpu_sym("__irq_regs", &kmk_irq_regs)) {
		pr_warn("panic capture: __irq_regs not found: the other CPUs' registers are taken in the stop handler, not where it interrupted them\n");
		kmk_irq_regs = 0;
	}
#endif
	return 0;
}

void kmk_regs_exit(void)
{
	kfree(kmk_recs);
	kmk_recs = NULL;
}

/* Start recording: once the rows the records are moved into exist. */
int kmk_regs_arm(void)
{
	int ret = register_die_notifier(&kmk_die_nb);

	if (ret)
		return ret;
	kmk_register_kprobes();
	return 0;
}

void kmk_regs_disarm(void)
{
	kmk_unregister_kprobes();
	unregister_die_notifier(&kmk_die_nb);
}
