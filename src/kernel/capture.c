// SPDX-License-Identifier: GPL-2.0
/*
 * Panic-time capture: every CPU's registers into KELF's NT_PRSTATUS notes, and
 * into rows reserved at load: each captured CPU's task, kernel stack, struct
 * pid, mm and stack page tables, the pid xarray's nodes, the text pages the
 * stacks return into, and on x86 the ORC entries of the panic task's frames.
 * All of it is what crash and drgn read to show where the kernel died.
 *
 * When the registers are taken:
 *  - the crashing CPU: at die() (the oops' pt_regs, through the die notifier)
 *    when the panic follows an oops of the same task, else at panic() entry
 *    (a kprobe on panic);
 *  - the others: when the panic's stop IPI or NMI interrupts them (kprobes on
 *    the arch's stop handlers), the interrupted context.
 * Each CPU writes only its own record, with no lock; the crashing CPU then
 * fills the notes and moves the reserved rows in the core's PANIC event, after
 * the others have stopped: no allocation, no lock, bounded loops.
 */
#include <linux/kprobes.h>
#include <linux/kdebug.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "kernel.h"

static unsigned int panic_cpus = 4;
module_param(panic_cpus, uint, 0444);
MODULE_PARM_DESC(panic_cpus, "CPUs whose task and stack are captured at panic, the crashing one first (default: 4)");

static bool capture = true;
module_param(capture, bool, 0444);
MODULE_PARM_DESC(capture, "Capture registers, tasks and stacks at panic (default: Y)");

#define KMK_STACK_PAGES		(THREAD_SIZE / PAGE_SIZE)
#define KMK_STACK_PGT		2	/* page-table pages under one stack */
#define KMK_PID_NODES		6	/* nodes of the pid xarray, walked at panic */
#define KMK_PC_PGT		2	/* page-table pages under a pc outside the image */
#define KMK_MAX_SLOTS		64	/* short slot numbers in row names; 768 rows */
#define KMK_TEXT_PAGES		32	/* text pages the stacks return into */

enum kmk_how { KMK_NONE, KMK_PANIC_ENTRY, KMK_DIE, KMK_STOP };

/* What a CPU recorded about itself; written by that CPU only. */
struct kmk_cpu_rec {
	struct pt_regs regs;
	struct task_struct *task;
	enum kmk_how how;
	/* where the stop handler itself ran: the deepest frames to scan from */
	unsigned long stop_pc, stop_sp;
	/* the registers at panic() entry, even when an oops' are reported */
	struct pt_regs entry_regs;
	bool have_entry;
};

/* Rows reserved for one captured CPU; ids of movable regions. */
struct kmk_slot {
	u32 task, stack[KMK_STACK_PAGES], pid, mm, pgt[KMK_STACK_PGT];
	u32 pc, pc_pgt[KMK_PC_PGT];	/* a pc in module code: its page and tables */
};

static struct kmk_cpu_rec *kmk_recs;		/* [nr_cpu_ids] */
static struct kmk_slot *kmk_slots;		/* [kmk_nslots] */
static unsigned int kmk_nslots;
static u32 kmk_pid_node_ids[KMK_PID_NODES];
static u32 kmk_text_ids[KMK_TEXT_PAGES];
static void *kmk_park;				/* where unused reserved rows point */
static size_t kmk_park_size, kmk_task_size;
static unsigned long kmk_stext, kmk_etext;
static unsigned long kmk_irq_regs;		/* per-CPU __irq_regs, CPU 0's copy */
static int *kmk_crashing_cpu;			/* x86: what kdump's crash path sets */
static unsigned long kmk_park_fn;		/* where a stopped CPU sits: its text is read */

struct kmk_region kmk_capture_region = { .name = "panic_capture", .sets = KMK_SET_MINIMAL |
					  KMK_SET_DEFAULT };

static void kmk_record(struct pt_regs *regs, enum kmk_how how)
{
	struct kmk_cpu_rec *rec = &kmk_recs[raw_smp_processor_id()];

	/* an oops that leads to this panic keeps its registers: they show the fault */
	if (how == KMK_PANIC_ENTRY && rec->how == KMK_DIE && rec->task == current)
		return;
	rec->regs = *regs;
	rec->task = current;
	WRITE_ONCE(rec->how, how);
}

static int kmk_die_event(struct notifier_block *nb, unsigned long val, void *data)
{
	struct die_args *args = data;

	if (val == DIE_OOPS && args && args->regs)
		kmk_record(args->regs, KMK_DIE);
	return NOTIFY_DONE;
}

static struct notifier_block kmk_die_nb = {
	.notifier_call = kmk_die_event,
	.priority = INT_MAX,
};

static int kmk_panic_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct kmk_cpu_rec *rec = &kmk_recs[raw_smp_processor_id()];

	rec->entry_regs = *regs;
	WRITE_ONCE(rec->have_entry, true);
	kmk_record(regs, KMK_PANIC_ENTRY);
	return 0;
}

/* A kprobe and where its function keeps the interrupted context's registers. */
struct kmk_probe {
	struct kprobe kp;
	int regs_arg;		/* argument holding them, or -1: the per-CPU IRQ regs */
	bool registered;
};

/* The stop IPI/NMI's interrupted context: an argument (x86) or the IRQ regs (arm64). */
static int kmk_stop_entry(struct kprobe *kp, struct pt_regs *regs)
{
	struct kmk_probe *p = container_of(kp, struct kmk_probe, kp);
	struct kmk_cpu_rec *rec = &kmk_recs[raw_smp_processor_id()];
	struct pt_regs *irq_regs = NULL;

	if (p->regs_arg >= 0)
		irq_regs = (struct pt_regs *)regs_get_kernel_argument(regs, p->regs_arg);
	else if (kmk_irq_regs)
		irq_regs = *(struct pt_regs **)(kmk_irq_regs +
						per_cpu_offset(raw_smp_processor_id()));
	rec->stop_pc = instruction_pointer(regs);
	rec->stop_sp = kernel_stack_pointer(regs);
	/* interrupted in user mode: the kernel side of it is the stop handler's */
	if (irq_regs && user_mode(irq_regs))
		irq_regs = NULL;
	kmk_record(irq_regs ? irq_regs : regs, KMK_STOP);
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
#elif defined(CONFIG_ARM64)
	/* IPI_CPU_STOP's handler; the IRQ entry set __irq_regs */
	{ .kp = { .symbol_name = "local_cpu_stop", .pre_handler = kmk_stop_entry },
	  .regs_arg = -1 },
#endif
};

/* Panic path from here on: one CPU left, nothing sleeps, nothing allocates. */

static void kmk_move(u32 id, const void *va, size_t size)
{
	if (id && va)
		kminidump_update(id, va, size);
}

struct kmk_pgt_ctx {
	phys_addr_t pa[KMK_STACK_PGT + 3];
	unsigned int n;
};

static void kmk_stack_pgt(void *table, void *data)
{
	struct kmk_pgt_ctx *ctx = data;
	phys_addr_t pa;
	unsigned int i;

	if (!kminidump_virt_to_phys((unsigned long)table & PAGE_MASK, &pa))
		return;
	for (i = 0; i < ctx->n; i++)
		if (ctx->pa[i] == pa)
			return;
	if (ctx->n < ARRAY_SIZE(ctx->pa))
		ctx->pa[ctx->n++] = pa;
}

/* The lowest page-table pages under a VMAP stack; the upper ones are shared, captured at load. */
static void kmk_capture_stack_pgt(const struct kmk_slot *s, unsigned long stack)
{
	struct kmk_pgt_ctx ctx = { .n = 0 };
	unsigned int i, j;

	if (!is_vmalloc_addr((void *)stack))
		return;
	for (i = 0; i < KMK_STACK_PAGES; i++)
		kmk_pgt_walk(stack + i * PAGE_SIZE, kmk_stack_pgt, &ctx);
	/* the last ones found are the deepest levels */
	for (i = 0, j = ctx.n; i < KMK_STACK_PGT && j; i++, j--)
		kminidump_update_pa(s->pgt[i], __va(ctx.pa[j - 1]), ctx.pa[j - 1], PAGE_SIZE);
}

/*
 * The nodes of init_pid_ns's pid xarray: crash walks all of them at start-up
 * and drgn finds a task by pid through them. Those that existed at load are
 * captured then; a walk at panic catches the ones added since, root first.
 */
static void kmk_capture_pid_nodes(void *entry, unsigned int depth, unsigned int *n)
{
	struct xa_node *node;
	unsigned int i;

	if (!xa_is_node(entry) || depth > 8 || *n >= KMK_PID_NODES)
		return;
	node = xa_to_node(entry);
	kmk_move(kmk_pid_node_ids[(*n)++], node, sizeof(*node));
	if (!node->shift)
		return;
	for (i = 0; i < XA_CHUNK_SIZE; i++)
		kmk_capture_pid_nodes(READ_ONCE(node->slots[i]), depth + 1, n);
}

static bool kmk_is_text(unsigned long addr)
{
	return addr >= kmk_stext && addr < kmk_etext;
}

static void kmk_text_page(unsigned long addr, unsigned long *pages, unsigned int *n)
{
	unsigned long page = addr & PAGE_MASK;
	unsigned int i;

	if (!kmk_is_text(addr) || *n >= KMK_TEXT_PAGES)
		return;
	for (i = 0; i < *n && pages[i] != page; i++)
		;
	if (i == *n) {
		pages[(*n)++] = page;
		kmk_move(kmk_text_ids[i], (void *)page, PAGE_SIZE);
	}
}

/* A pc's page, and the next: gdb disassembles the whole function around a pc. */
static void kmk_text_pc(unsigned long pc, unsigned long *pages, unsigned int *n)
{
	kmk_text_page(pc, pages, n);
	kmk_text_page(pc + PAGE_SIZE, pages, n);
}

/*
 * Text pages of the words in kernel text on a stack, from @sp up (a scan: not
 * every such word is a return address). @sp may be on an interrupt stack: scan
 * it to the end of its THREAD_SIZE block, then the task's stack.
 */
static void kmk_scan_stack(unsigned long sp, unsigned long stack,
			   unsigned long *pages, unsigned int *n)
{
	unsigned long a, end = ALIGN(sp + 1, THREAD_SIZE);
	phys_addr_t pa;

	if (stack && sp >= stack && sp < stack + THREAD_SIZE)
		end = stack + THREAD_SIZE;
	for (a = ALIGN(sp, sizeof(long)); a < end && *n < KMK_TEXT_PAGES; a += sizeof(long)) {
		/* one translation a page: a stack is mapped page by page */
		if ((a == ALIGN(sp, sizeof(long)) || !(a & ~PAGE_MASK)) &&
		    !kminidump_virt_to_phys(a, &pa))
			break;
		kmk_text_page(READ_ONCE(*(unsigned long *)a), pages, n);
	}
	if (stack && (sp < stack || sp >= stack + THREAD_SIZE))
		kmk_scan_stack(stack, stack, pages, n);
}

struct kmk_found {
	unsigned long pages[KMK_TEXT_PAGES];
	unsigned int npages;
};

static int kmk_reserve(const char *fmt, u8 a, s8 b, size_t size, u32 *id);

#ifdef CONFIG_UNWINDER_ORC
#include <asm/orc_lookup.h>
#include <asm/orc_types.h>
#include <asm/unwind.h>

/*
 * x86 kernels unwind with ORC, and crash reads the kernel's ORC tables from
 * the dump to walk frames; without them it guesses from the stack's contents
 * and shows stale frames. The tables are megabytes, so only the entries that
 * crash reads for the panic task's frames are captured: for each frame's ip,
 * its two orc_lookup words, the orc_unwind_ip slice they bound (crash
 * binary-searches it) and the orc_unwind entry found. The frames come from the
 * kernel's own unwinder (exported), run from the registers at panic() entry,
 * which is where crash starts the panic task's backtrace.
 */
#define KMK_ORC_FRAMES		12
#define KMK_ORC_SLICE		512	/* bytes of orc_unwind_ip a 256-byte block needs, at most */

static struct {
	unsigned long lookup, ip_table, unwind, ip_end;
	unsigned int blocks;
	u32 ids[KMK_ORC_FRAMES][3];	/* lookup pair, ip slice, unwind entry */
	bool on;
} kmk_orc;

static int kmk_orc_init(void)
{
	unsigned long nblocks;
	unsigned int f, i;
	int ret;

	if (kmk_sym("lookup_num_blocks", &nblocks) || kmk_sym("orc_lookup", &kmk_orc.lookup) ||
	    kmk_sym("__start_orc_unwind_ip", &kmk_orc.ip_table) ||
	    kmk_sym("__stop_orc_unwind_ip", &kmk_orc.ip_end) ||
	    kmk_sym("__start_orc_unwind", &kmk_orc.unwind) || !kmk_stext) {
		pr_warn("panic capture: ORC tables not found: crash guesses the frames from the stack\n");
		return 0;
	}
	kmk_orc.blocks = *(unsigned int *)nblocks;
	ret = kmk_register_va(&kmk_capture_region, 0, "orc_blocks", nblocks, sizeof(int), 0);
	for (f = 0; ret >= 0 && f < KMK_ORC_FRAMES; f++) {
		static const char *const fmt[3] = { "porcl%u", "porci%u", "porcu%u" };
		static const size_t room[3] = { 2 * sizeof(int), KMK_ORC_SLICE,
						sizeof(struct orc_entry) };

		for (i = 0; ret >= 0 && i < 3; i++)
			ret = kmk_reserve(fmt[i], f, -1, room[i], &kmk_orc.ids[f][i]);
	}
	kmk_orc.on = ret >= 0;
	return ret < 0 ? ret : 0;
}

static unsigned long kmk_orc_ip(unsigned long entry)
{
	return entry + *(int *)entry;	/* orc_unwind_ip holds ips relative to themselves */
}

/* The ORC entries crash reads for @ip; false when there are none to take. */
static bool kmk_orc_frame(unsigned long ip, const u32 *ids)
{
	unsigned int idx = (ip - kmk_stext) / LOOKUP_BLOCK_SIZE, start, stop, lo, hi;
	unsigned int *lookup = (unsigned int *)kmk_orc.lookup;

	if (!kmk_is_text(ip) || idx + 1 >= kmk_orc.blocks)
		return false;
	start = READ_ONCE(lookup[idx]);
	stop = READ_ONCE(lookup[idx + 1]) + 1;
	if (stop <= start || (stop - start) * sizeof(int) > KMK_ORC_SLICE ||
	    kmk_orc.ip_table + stop * sizeof(int) > kmk_orc.ip_end)
		return false;
	/* the last entry at or below ip, as the kernel's and crash's searches find it */
	for (lo = start, hi = stop - 1; lo < hi;) {
		unsigned int mid = lo + (hi - lo + 1) / 2;

		if (kmk_orc_ip(kmk_orc.ip_table + mid * sizeof(int)) <= ip)
			lo = mid;
		else
			hi = mid - 1;
	}
	kmk_move(ids[0], &lookup[idx], 2 * sizeof(int));
	kmk_move(ids[1], (void *)(kmk_orc.ip_table + start * sizeof(int)),
		 (stop - start) * sizeof(int));
	kmk_move(ids[2], (void *)(kmk_orc.unwind + lo * sizeof(struct orc_entry)),
		 sizeof(struct orc_entry));
	return true;
}

static void kmk_orc_release(void)
{
	u32 *id = &kmk_orc.ids[0][0];
	unsigned int i;

	for (i = 0; i < KMK_ORC_FRAMES * 3; i++)
		if (id[i])
			kminidump_unregister(id[i]);
	memset(&kmk_orc, 0, sizeof(kmk_orc));
}

static bool kmk_capture_pc(const struct kmk_slot *s, unsigned long pc);

/*
 * Walk the frames; a return address is looked up one byte back (it may be the
 * first byte of the next function), an interrupted context's ip as it is.
 * The first frame in a module (where an exception came from) gets the slot's
 * pc rows when the registers' own pc did not take them.
 */
static void kmk_orc_capture(struct task_struct *t, struct pt_regs *regs,
			    const struct kmk_slot *s, bool pc_taken, struct kmk_found *f)
{
	struct unwind_state state;
	unsigned int n = 0;

	if (!kmk_orc.on)
		return;
	for (unwind_start(&state, t, regs, NULL); !unwind_done(&state) && n < KMK_ORC_FRAMES;
	     unwind_next_frame(&state)) {
		unsigned long ip = unwind_get_return_address(&state);

		if (!ip)
			break;
		if (!kmk_is_text(ip) && !pc_taken)
			pc_taken = kmk_capture_pc(s, ip);
		kmk_text_page(ip, f->pages, &f->npages);
		if (kmk_orc_frame(state.signal ? ip : ip - 1, kmk_orc.ids[n]))
			n++;
	}
}
#else
static int kmk_orc_init(void)
{
	return 0;
}

static void kmk_orc_release(void)
{
}

static void kmk_orc_capture(struct task_struct *t, struct pt_regs *regs,
			    const struct kmk_slot *s, bool pc_taken, struct kmk_found *f)
{
}
#endif

/* A pc outside the kernel image (a module): its page and the tables that map it. */
static bool kmk_capture_pc(const struct kmk_slot *s, unsigned long pc)
{
	struct kmk_pgt_ctx ctx = { .n = 0 };
	phys_addr_t pa;
	unsigned int i, j;

	if (kmk_is_text(pc) || !kminidump_virt_to_phys(pc, &pa))
		return false;
	kmk_move(s->pc, (void *)(pc & PAGE_MASK), PAGE_SIZE);
	kmk_pgt_walk(pc, kmk_stack_pgt, &ctx);
	for (i = 0, j = ctx.n; i < KMK_PC_PGT && j; i++, j--)
		kminidump_update_pa(s->pc_pgt[i], __va(ctx.pa[j - 1]), ctx.pa[j - 1], PAGE_SIZE);
	return true;
}

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
	kmk_text_pc(pc, f->pages, &f->npages);
	kmk_scan_stack(scan_sp ? scan_sp : kernel_stack_pointer(&rec->regs), stack,
		       f->pages, &f->npages);
}

static void kmk_capture_all(void)
{
	static struct kmk_found found;	/* one panic, one CPU: no stack needed for it */
	unsigned int this = raw_smp_processor_id(), cpu, slot = 0, nodes = 0;
	struct kmk_cpu_rec *rec = &kmk_recs[this];
	u64 t0 = sched_clock();

	/* no panic-entry record (kprobes off): at least say which task it was */
	if (rec->how == KMK_NONE) {
		rec->task = current;
		rec->how = KMK_PANIC_ENTRY;
	}
	/*
	 * The frames crash shows for the panic task start at panic() entry: their
	 * text and unwind data first, then a scan from there up, through an
	 * oops' frames and the interrupted context. crash checks every text word
	 * it meets for a call before it; a page it cannot read makes it keep the
	 * word as a frame, so every page the scan finds matters.
	 */
	if (rec->have_entry) {
		kmk_text_pc(instruction_pointer(&rec->entry_regs), found.pages, &found.npages);
		kmk_orc_capture(current, &rec->entry_regs, &kmk_slots[0],
				!kmk_is_text(instruction_pointer(&rec->regs)), &found);
	}
	kmk_capture_cpu(this, &kmk_slots[slot++], &found, rec->have_entry ?
			kernel_stack_pointer(&rec->entry_regs) : current_stack_pointer);
	for_each_possible_cpu(cpu) {
		if (cpu == this || READ_ONCE(kmk_recs[cpu].how) != KMK_STOP)
			continue;
		if (slot < kmk_nslots) {
			kmk_text_pc(kmk_recs[cpu].stop_pc, found.pages, &found.npages);
			kmk_text_pc(kmk_park_fn, found.pages, &found.npages);
			kmk_capture_cpu(cpu, &kmk_slots[slot++], &found, kmk_recs[cpu].stop_sp);
		} else {	/* no rows left: the registers still go into the note */
			kminidump_set_prstatus(cpu, kmk_recs[cpu].task ?
					       kmk_recs[cpu].task->pid : 0, &kmk_recs[cpu].regs);
		}
	}
	kmk_capture_pid_nodes(READ_ONCE(init_pid_ns.idr.idr_rt.xa_head), 0, &nodes);
	if (kmk_crashing_cpu)
		WRITE_ONCE(*kmk_crashing_cpu, this);
	kminidump_vmcoreinfo_append_atomic("KMINIDUMP_CAPTURE_NS=%llu", sched_clock() - t0);
}

static int kmk_capture_event(struct notifier_block *nb, unsigned long ev, void *data)
{
	if (ev == KMINIDUMP_PANIC)
		kmk_capture_all();
	return NOTIFY_DONE;
}

static struct notifier_block kmk_capture_nb = {
	.notifier_call = kmk_capture_event,
};

/*
 * Load time: reserve the rows, parked on a zeroed buffer until a panic moves them.
 * Row names are "<prefix><a>[_<b>]"; u8/s8 keep them within KMD_NAME_LEN.
 */
static int kmk_reserve(const char *fmt, u8 a, s8 b, size_t size, u32 *id)
{
	char name[16];
	int ret;

	if (b >= 0)
		snprintf(name, sizeof(name), fmt, a, b);
	else
		snprintf(name, sizeof(name), fmt, a);
	ret = kmk_register_va(&kmk_capture_region, 0, name, (unsigned long)kmk_park, size,
			      KMINIDUMP_F_MOVABLE | KMINIDUMP_F_PANIC);
	if (ret > 0)
		*id = ret;
	return ret < 0 ? ret : 0;
}

static int kmk_reserve_slot(unsigned int k)
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

static void kmk_find_symbols(void)
{
	unsigned long addr;

	if (kmk_sym("_stext", &kmk_stext) || kmk_sym("_etext", &kmk_etext))
		pr_warn("panic capture: _stext/_etext not found: no text pages of the backtraces\n");
	/* the stop IPI's handler ends there, halted, on the stopped CPUs */
	if (kmk_sym(IS_ENABLED(CONFIG_X86_64) ? "stop_this_cpu" : "local_cpu_stop", &kmk_park_fn))
		kmk_park_fn = 0;
#ifdef CONFIG_X86_64
	if (!kmk_sym("crashing_cpu", &addr))
		kmk_crashing_cpu = (int *)addr;
#else
	if (kmk_percpu_sym("__irq_regs", &addr))
		pr_warn("panic capture: __irq_regs not found: the other CPUs' registers are taken in the stop handler, not where it interrupted them\n");
	else
		kmk_irq_regs = addr;
#endif
}

/*
 * arm64 functions open with two instructions for ftrace (patchable-function-
 * entry: NOPs at build time, "mov x9, x30" and a NOP or a call once ftrace has
 * initialized them), outside the unwind table's range for the function: a pc
 * there loses the caller in unwinders. Probe past them; the registers are
 * still the entry's.
 */
static unsigned int kmk_entry_skip(const char *sym)
{
#if defined(CONFIG_ARM64) && defined(CONFIG_DYNAMIC_FTRACE)
	static const u32 entry_insns[] = { 0xd503201f, 0xaa1e03e9 };	/* nop, mov x9, x30 */
	unsigned long addr;
	unsigned int n, i;
	u32 insn;

	if (kmk_sym(sym, &addr))
		return 0;
	for (n = 0; n < 2; n++) {
		if (copy_from_kernel_nofault(&insn, (void *)(addr + 4 * n), sizeof(insn)))
			break;
		for (i = 0; i < ARRAY_SIZE(entry_insns) && insn != entry_insns[i]; i++)
			;
		/* a "bl" there is ftrace's call: the function is being traced */
		if (i == ARRAY_SIZE(entry_insns) && (insn & 0xfc000000) != 0x94000000)
			break;
	}
	return 4 * n;
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

static void kmk_release_rows(void)
{
	unsigned int i, k;

	for (i = 0; i < KMK_PID_NODES; i++)
		if (kmk_pid_node_ids[i])
			kminidump_unregister(kmk_pid_node_ids[i]);
	for (i = 0; i < KMK_TEXT_PAGES; i++)
		if (kmk_text_ids[i])
			kminidump_unregister(kmk_text_ids[i]);
	for (k = 0; kmk_slots && k < kmk_nslots; k++) {
		u32 *id = (u32 *)&kmk_slots[k];

		for (i = 0; i < sizeof(kmk_slots[k]) / sizeof(u32); i++)
			if (id[i])
				kminidump_unregister(id[i]);
	}
	kmk_orc_release();
	memset(kmk_pid_node_ids, 0, sizeof(kmk_pid_node_ids));
	memset(kmk_text_ids, 0, sizeof(kmk_text_ids));
}

static void kmk_free(void)
{
	kmk_release_rows();
	if (kmk_park)
		free_pages_exact(kmk_park, kmk_park_size);
	kmk_park = NULL;
	kfree(kmk_slots);
	kfree(kmk_recs);
	kmk_slots = NULL;
	kmk_recs = NULL;
	kmk_nslots = 0;
}

int kmk_capture_init(void)
{
	unsigned int k, i;
	int ret = 0;

	if (!capture || !panic_cpus) {
		kmk_missing(&kmk_capture_region, -EPERM, "off: capture=0 or panic_cpus=0");
		return 0;
	}
	kmk_task_size = kmk_task_struct_size();
	kmk_park_size = PAGE_ALIGN(max_t(size_t, kmk_task_size, sizeof(struct mm_struct)));
	kmk_nslots = min3(panic_cpus, nr_cpu_ids, (unsigned int)KMK_MAX_SLOTS);
	if (panic_cpus > KMK_MAX_SLOTS && nr_cpu_ids > KMK_MAX_SLOTS)
		pr_warn("panic capture: panic_cpus=%u, at most %u CPUs are captured\n",
			panic_cpus, KMK_MAX_SLOTS);
	kmk_recs = kcalloc(nr_cpu_ids, sizeof(*kmk_recs), GFP_KERNEL);
	kmk_slots = kcalloc(kmk_nslots, sizeof(*kmk_slots), GFP_KERNEL);
	kmk_park = alloc_pages_exact(kmk_park_size, GFP_KERNEL | __GFP_ZERO);
	if (!kmk_recs || !kmk_slots || !kmk_park) {
		kmk_free();
		return -ENOMEM;
	}
	kmk_find_symbols();

	/* the shared rows, then as many CPUs as the table has room for */
	for (i = 0; !ret && i < KMK_PID_NODES; i++)
		ret = kmk_reserve("ppidnode%u", i, -1, sizeof(struct xa_node),
				  &kmk_pid_node_ids[i]);
	for (i = 0; !ret && i < KMK_TEXT_PAGES; i++)
		ret = kmk_reserve("ptext%u", i, -1, PAGE_SIZE, &kmk_text_ids[i]);
	/* the crashing CPU, then what crash unwinds it with, then the other CPUs */
	for (k = 0; !ret && k < kmk_nslots; k++) {
		ret = kmk_reserve_slot(k);
		if (!ret && !k)
			ret = kmk_orc_init();
	}
	if (ret && k <= 1) {
		pr_warn("panic capture: no room in the table for it (raise kminidump.capacity)\n");
		kmk_missing(&kmk_capture_region, ret, "no room in the table");
		kmk_free();
		return 0;
	}
	if (ret)
		pr_warn("panic capture: room for %u of %u CPUs (raise kminidump.capacity)\n",
			k - 1, kmk_nslots);
	kmk_nslots = ret ? k - 1 : kmk_nslots;

	ret = register_die_notifier(&kmk_die_nb);
	if (ret)
		goto err_die;
	ret = kminidump_register_consumer(&kmk_capture_nb);
	if (ret)
		goto err_consumer;
	kmk_register_kprobes();
	return 0;

err_consumer:
	unregister_die_notifier(&kmk_die_nb);
err_die:
	kmk_free();
	return ret;
}

void kmk_capture_exit(void)
{
	if (!kmk_recs)
		return;
	kmk_unregister_kprobes();
	kminidump_unregister_consumer(&kmk_capture_nb);
	unregister_die_notifier(&kmk_die_nb);
	kmk_free();
}
