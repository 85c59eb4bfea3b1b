// SPDX-License-Identifier: GPL-2.0
/*
 * What the crash utility needs, beyond the rest of the default set, to open a
 * minidump in full mode. Measured with unpatched crash 8.0.2 (Debian
 * bookworm) on Debian 6.1 amd64 guests, PVH and KASLR bzImage boots, growing
 * the set from crash's read errors:
 *
 *  crash_vars     start-up variables; missing, crash exits (rc 1):
 *                 page_offset_base, vmalloc_base, vmemmap_base (silently),
 *                 phys_base, idt_table (all gates), crashing_cpu;
 *                 "sys" stops at cpu_khz and at hvc_console's sysrq_pressed;
 *                 avenrun, arch_task_struct_size, pv_ops, pv_info and
 *                 xen_start_info cost a read-error line each.
 *  crash_percpu   per CPU: current_task, cpu_number, hardirq_stack_ptr
 *                 (pcpu_hot since 6.2) and the TSS's IST array, from which
 *                 crash locates the exception stacks.
 *  exc_stacks     x86: each CPU's exception stacks, whole. crash reads them
 *                 through the page tables at start-up (a page-table page
 *                 missing there is fatal: "pud page"), and bt of an active
 *                 task without saved registers reads every one of them.
 *  irq_stacks     each CPU's IRQ stack, whole: where the CPUs stopped by the
 *                 panic's IPI are; a page-table page missing under it
 *                 aborts bt -a.
 *  init_task      init_task at the run-time task size, and init_stack; the
 *                 other CPUs' idle tasks (crash reads each runqueue's).
 *  crash_strings  task_state_array and its strings (the STATE line);
 *                 pageflag_names and its strings (else a read error line).
 *  init_pid_ns    the pid namespace and its xarray's inner nodes: ps and the
 *                 panic-task search walk them.
 *  crash_text     the kernel text crash reads at start-up (x86 only).
 *
 * Left out on purpose: the in-memory ORC tables (megabytes; without
 * lookup_num_blocks crash falls back to its own unwinder, one warning line),
 * the zone names and pv_info's name (quiet), and everything per task:
 * the struct pid leaves of the xarray, task_structs, their stacks and mm, and
 * the text of the functions on a stack. Those belong to the panic-time
 * captures; until then crash reports the active task "not found in PID
 * hash" and ps lists swapper/0 alone.
 *
 * Addresses come from exported symbols or the core's resolvers, sizes from
 * public headers or BTF. Each catalogue entry collects ranges and registers
 * them merged: ranges sharing a page share a row.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/loadavg.h>
#include <linux/sched/task.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/tracepoint-defs.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <asm/page.h>
#ifdef CONFIG_X86_64
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#ifdef CONFIG_PARAVIRT
#include <asm/paravirt.h>
#endif
#ifdef CONFIG_XEN
#include <asm/xen/hypervisor.h>
#endif
#endif
#ifdef CONFIG_ARM64
#include <asm/memory.h>
#endif
#include "kernel.h"

/*
 * The ranges one catalogue entry wants, merged before registration: ranges
 * that overlap, touch or share a page become one row, so small objects on one
 * page cost one row and a few bytes rather than one row each.
 */
#define KMK_CRASH_SPANS	128

struct kmk_span {
	unsigned long start, end;
};

static struct kmk_span kmk_spans[KMK_CRASH_SPANS];
static unsigned int kmk_nspans;
static bool kmk_spans_full;

static void kmk_want(unsigned long va, size_t size)
{
	if (!va || !size)
		return;
	if (kmk_nspans == KMK_CRASH_SPANS) {
		kmk_spans_full = true;
		return;
	}
	kmk_spans[kmk_nspans].start = va;
	kmk_spans[kmk_nspans].end = va + size;
	kmk_nspans++;
}

/* Whole pages, for what crash reads past the object (strings, disassembly). */
static void kmk_want_page(unsigned long va)
{
	kmk_want(va & PAGE_MASK, PAGE_SIZE);
}

static int kmk_span_cmp(const void *a, const void *b)
{
	const struct kmk_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Register the wanted ranges as rows of @r named after it: name, name1, ... */
static int kmk_commit(struct kmk_region *r)
{
	unsigned int i, n = 0, rows = 0;
	char name[16];
	int ret = 0;

	if (kmk_spans_full)
		pr_warn("region %s: more than %d ranges, the rest are left out\n",
			r->name, KMK_CRASH_SPANS);
	sort(kmk_spans, kmk_nspans, sizeof(*kmk_spans), kmk_span_cmp, NULL);
	for (i = 0; i < kmk_nspans; i++) {
		struct kmk_span *cur = &kmk_spans[n];

		if (i && (kmk_spans[i].start <= cur->end ||
			  (kmk_spans[i].start & PAGE_MASK) == ((cur->end - 1) & PAGE_MASK))) {
			cur->end = max(cur->end, kmk_spans[i].end);
			continue;
		}
		if (i)
			cur = &kmk_spans[++n];
		*cur = kmk_spans[i];
	}
	if (kmk_nspans)
		n++;
	for (i = 0; i < n && ret >= 0; i++) {
		if (rows)
			snprintf(name, sizeof(name), "%s%u", r->name, rows);
		else
			strscpy(name, r->name, sizeof(name));
		ret = kmk_register_va(r, 0, name, kmk_spans[i].start,
				      kmk_spans[i].end - kmk_spans[i].start, 0);
		rows++;
	}
	kmk_nspans = 0;
	kmk_spans_full = false;
	return ret;
}

/* Symbols found with the core's resolvers; a missing one is left out. */
static bool kmk_want_sym(const char *sym, size_t size)
{
	unsigned long addr;

	if (kmk_sym(sym, &addr))
		return false;
	kmk_want(addr, size);
	return true;
}

/*
 * Small variables crash reads at start-up, wherever they are: one entry, so
 * that the ones sharing a page share a row. @need: crash stops without it.
 */
static char kmk_vars_why[64];

static void kmk_var_sym(struct kmk_region *r, const char *sym, size_t size, bool need)
{
	if (!kmk_want_sym(sym, size) && need && !r->err) {
		snprintf(kmk_vars_why, sizeof(kmk_vars_why), "symbol %s not found", sym);
		kmk_missing(r, -ENOENT, kmk_vars_why);
	}
}

int kmk_add_crash_vars(struct kmk_region *r)
{
	int ret;

	/* avenrun[] is declared without its size; GKI's KMI does not export it */
	kmk_var_sym(r, "avenrun", 3 * sizeof(unsigned long), false);
#if defined(CONFIG_X86_64)
	/* the memory layout: crash exits silently without it */
#ifdef CONFIG_DYNAMIC_MEMORY_LAYOUT
	kmk_want((unsigned long)&page_offset_base, sizeof(page_offset_base));
	kmk_want((unsigned long)&vmalloc_base, sizeof(vmalloc_base));
	kmk_want((unsigned long)&vmemmap_base, sizeof(vmemmap_base));
#endif
	kmk_want((unsigned long)&phys_base, sizeof(phys_base));
	kmk_want((unsigned long)&cpu_khz, sizeof(cpu_khz));	/* "sys" stops without it */
	kmk_var_sym(r, "idt_table", IDT_ENTRIES * sizeof(gate_desc), true);
	kmk_var_sym(r, "crashing_cpu", sizeof(int), true);
#ifdef CONFIG_PARAVIRT
	/* one warning line each when missing */
	kmk_want((unsigned long)&pv_ops, sizeof(pv_ops));
	kmk_want((unsigned long)&pv_info, sizeof(pv_info));
#endif
#ifdef CONFIG_XEN
	kmk_want((unsigned long)&xen_start_info, sizeof(xen_start_info));
#endif
#elif defined(CONFIG_ARM64)
	/* crash prefers VMCOREINFO's copies, and falls back to these */
	kmk_want((unsigned long)&memstart_addr, sizeof(memstart_addr));
	kmk_want((unsigned long)&kimage_voffset, sizeof(kimage_voffset));
	kmk_var_sym(r, "vabits_actual", sizeof(u64), false);
#endif
	/* hvc_console's: "sys" reads it for the PANIC line and stops without it */
	kmk_var_sym(r, "sysrq_pressed", sizeof(int), IS_ENABLED(CONFIG_HVC_DRIVER));
#ifdef CONFIG_ARCH_WANTS_DYNAMIC_TASK_STRUCT
	/* the size crash reads every task_struct with */
	kmk_var_sym(r, "arch_task_struct_size", sizeof(int), false);
#endif
	ret = kmk_commit(r);
	return r->err ? r->err : ret;
}

/*
 * Per-CPU objects crash reads for every CPU: the active task, the CPU number
 * and the IRQ stack pointers (x86 moved the first three into pcpu_hot in 6.2;
 * by name, BTF sizes them) and, on x86, the TSS's interrupt stack table,
 * which locates the exception stacks.
 */
static const char * const kmk_percpu_syms[] = {
	"current_task", "cpu_number", "hardirq_stack_ptr", "pcpu_hot",	/* x86 */
	"irq_stack_ptr",						/* arm64 */
};

int kmk_add_crash_percpu(struct kmk_region *r)
{
	unsigned long addr[ARRAY_SIZE(kmk_percpu_syms)];
	s64 size[ARRAY_SIZE(kmk_percpu_syms)];
	unsigned int i;
	int cpu;

	for (i = 0; i < ARRAY_SIZE(kmk_percpu_syms); i++) {
		size[i] = kmk_btf_var_size(kmk_percpu_syms[i]);
		if (size[i] <= 0 || kmk_percpu_sym(kmk_percpu_syms[i], &addr[i]))
			size[i] = 0;
	}
	for_each_possible_cpu(cpu) {
		for (i = 0; i < ARRAY_SIZE(kmk_percpu_syms); i++)
			if (size[i])
				kmk_want(addr[i] + per_cpu_offset(cpu), size[i]);
#ifdef CONFIG_X86_64
		kmk_want((unsigned long)&per_cpu_ptr(&cpu_tss_rw, cpu)->x86_tss,
			 sizeof(struct x86_hw_tss));
#endif
	}
	if (!kmk_nspans)
		return kmk_missing(r, -ENOENT, "no per-CPU object crash reads was found");
	return kmk_commit(r);
}

#ifdef CONFIG_X86_64
/*
 * Each CPU's exception stacks (double fault, NMI, debug, machine check; #VC
 * when mapped), in the cpu_entry_area, found from the TSS's IST array as
 * crash finds them. crash reads them through the page tables at start-up (a
 * page-table page missing there is fatal) and bt reads them whole when it
 * looks for the frame a CPU was stopped in.
 */
int kmk_add_exc_stacks(struct kmk_region *r)
{
	char name[16];
	int cpu, i, ret = 0;

	for_each_possible_cpu(cpu) {
		const struct x86_hw_tss *tss = &per_cpu_ptr(&cpu_tss_rw, cpu)->x86_tss;

		for (i = 0; i < N_EXCEPTION_STACKS && ret >= 0; i++) {
			unsigned long top = tss->ist[i];
			phys_addr_t pa;

			if (!top || !kminidump_virt_to_phys(top - 1, &pa))
				continue;	/* #VC without SEV-ES: not mapped */
			snprintf(name, sizeof(name), "exc_stack%d_%d", cpu, i);
			ret = kmk_register_va(r, 0, name, top - EXCEPTION_STKSZ,
					      EXCEPTION_STKSZ, 0);
		}
	}
	return ret;
}
#endif

/*
 * Each CPU's IRQ stack: bt walks it for a CPU interrupted, or stopped by the
 * panic's IPI. x86 keeps its top minus 8 in hardirq_stack_ptr (pcpu_hot's
 * since 6.2), arm64 its base in irq_stack_ptr.
 */
static int kmk_irq_stack_ptr(unsigned long *addr)
{
	s64 off;

	if (!kmk_percpu_sym("hardirq_stack_ptr", addr) || !kmk_percpu_sym("irq_stack_ptr", addr))
		return 0;
	off = kmk_btf_member_offset("pcpu_hot", "hardirq_stack_ptr");
	if (off < 0 || kmk_percpu_sym("pcpu_hot", addr))
		return -ENOENT;
	*addr += off;
	return 0;
}

int kmk_add_irq_stacks(struct kmk_region *r)
{
	unsigned long ptr, stack;
	char name[16];
	int cpu, ret = 0;

	if (kmk_irq_stack_ptr(&ptr))
		return kmk_missing(r, -ENOENT,
				   "no per-CPU IRQ stack pointer (BTF cannot see into pcpu_hot)");
	for_each_possible_cpu(cpu) {
		if (kmk_read_ulong(ptr + per_cpu_offset(cpu), &stack) || !stack)
			continue;
		if (IS_ENABLED(CONFIG_X86_64))
			stack = stack + 8 - IRQ_STACK_SIZE;
		snprintf(name, sizeof(name), "irq_stack%d", cpu);
		ret = kmk_register_va(r, 0, name, stack, IRQ_STACK_SIZE, 0);
		if (ret < 0)
			break;
	}
	return ret;
}

/*
 * The other CPUs' idle tasks (CPU 0's is init_task): crash reads every
 * runqueue's idle task_struct at start-up ("fill_task_struct" read error when
 * that CPU ran another task at the panic, so the capture did not save it).
 * Created at boot for every possible CPU; found through rq->idle (BTF).
 */
static void kmk_want_idle_tasks(void)
{
	s64 off = kmk_btf_member_offset("rq", "idle");
	unsigned long rq, idle;
	int cpu;

	if (off < 0 || kmk_percpu_sym("runqueues", &rq))
		return;
	for_each_possible_cpu(cpu)
		if (cpu && !kmk_read_ulong(rq + per_cpu_offset(cpu) + off, &idle) && idle)
			kmk_want(idle, kmk_task_struct_size());
}

/*
 * init_task, the head of the task list, and init_stack, the stack of CPU 0's
 * idle task (bt of a panic in an interrupt taken while idle ends there).
 * crash reads every task_struct with the run-time size (the FPU state follows
 * the structure), init_task too.
 */
int kmk_add_init_task(struct kmk_region *r)
{
	kmk_want((unsigned long)&init_task, kmk_task_struct_size());
	kmk_want_sym("init_stack", THREAD_SIZE);
	kmk_want_idle_tasks();
	return kmk_commit(r);
}

/*
 * Tables of string pointers crash reads at start-up: the pointers, and the
 * page of each string, as crash reads a string as a BUFSIZE block. It fetches
 * the pointer after the last before it tests the loop bound: one more.
 * task_state_array gives ps its state names (else a read error in "sys"); its
 * length is the one fs/proc/array.c checks with BUILD_BUG_ON.
 */
static bool kmk_want_strings(const char *sym, unsigned int n)
{
	unsigned long addr, str;
	unsigned int i;

	if (kmk_sym(sym, &addr))
		return false;
	kmk_want(addr, (n + 1) * sizeof(char *));
	for (i = 0; i < n; i++)
		if (!kmk_read_ulong(addr + i * sizeof(char *), &str) && str)
			kmk_want_page(str);
	return true;
}

/*
 * pageflag_names, crash's names of the page flags (else a read error line at
 * start-up): the array up to its {0, NULL} end (BTF has no type for it: only
 * per-CPU variables), and the page of each name; the names sit together in
 * .rodata, so a page or two.
 */
#define KMK_PAGEFLAGS_MAX	64

static void kmk_want_pageflag_names(void)
{
	struct trace_print_flags f;
	unsigned long addr;
	unsigned int i;

	if (kmk_sym("pageflag_names", &addr))
		return;
	for (i = 0; i < KMK_PAGEFLAGS_MAX; i++) {
		if (copy_from_kernel_nofault(&f, (void *)(addr + i * sizeof(f)), sizeof(f)))
			return;
		if (!f.name)
			break;
		kmk_want_page((unsigned long)f.name);
	}
	if (i < KMK_PAGEFLAGS_MAX)
		kmk_want(addr, (i + 1) * sizeof(f));
}

int kmk_add_crash_strings(struct kmk_region *r)
{
	if (!kmk_want_strings("task_state_array", 1 + ilog2(TASK_REPORT_MAX)))
		return kmk_missing(r, -ENOENT, "symbol task_state_array not found");
	kmk_want_pageflag_names();
	return kmk_commit(r);
}

/*
 * init_pid_ns and the inner nodes of its pid xarray: crash finds tasks by
 * their struct pid through them. The leaves (struct pid) belong to tasks that
 * come and go, so they are not captured here.
 */
unsigned long kmk_pid_ns_nodes[KMK_MAX_XA_NODES];
unsigned int kmk_pid_ns_nnodes;

static unsigned int kmk_xa_nodes(void *entry, unsigned long *nodes, unsigned int n)
{
	struct xa_node *node;
	unsigned int i;

	if (!xa_is_node(entry) || n >= KMK_MAX_XA_NODES)
		return n;
	node = xa_to_node(entry);
	nodes[n++] = (unsigned long)node;
	if (!node->shift)
		return n;
	for (i = 0; i < XA_CHUNK_SIZE; i++)
		n = kmk_xa_nodes(rcu_dereference(node->slots[i]), nodes, n);
	return n;
}

int kmk_add_pid_ns(struct kmk_region *r)
{
	unsigned long nodes[KMK_MAX_XA_NODES];
	unsigned int i, n;
	int ret;

	kmk_want((unsigned long)&init_pid_ns, sizeof(init_pid_ns));
	rcu_read_lock();
	n = kmk_xa_nodes(rcu_dereference(init_pid_ns.idr.idr_rt.xa_head), nodes, 0);
	rcu_read_unlock();
	for (i = 0; i < n; i++)
		kmk_want(nodes[i], sizeof(struct xa_node));
	ret = kmk_commit(r);
	if (ret >= 0) {
		/* all in rows now; published for the panic capture (capture_pid.c) */
		memcpy(kmk_pid_ns_nodes, nodes, n * sizeof(nodes[0]));
		/* the addresses before the count that covers them */
		smp_store_release(&kmk_pid_ns_nnodes, n);
	}
	return ret;
}

#ifdef CONFIG_X86_64
/*
 * Kernel text crash reads at start-up (x86 crash only):
 *  - it tells a frame-pointer kernel by the prologue of a few functions: 4
 *    bytes at each and, past an ftrace call, 4 more at +5;
 *  - gdb disassembles common_interrupt() to find the register holding the
 *    interrupted stack pointer, and schedule(), then __schedule(), to find
 *    the return address of switch_to(), each for as many instructions as the
 *    function has bytes: that reads about 4.4 times the function's length
 *    past its start (6.1: 3 pages from __schedule, 6.12: 4), and a gdb read
 *    error there leaves crash unusable ("recursive temporary file usage").
 *    schedule() follows __schedule() in .sched.text, so 4 pages from
 *    __schedule's cover both.
 */
#define KMK_SCHED_PAGES	4
#define KMK_PROLOGUE	16

static const char * const kmk_prologue_syms[] = {
	"__x64_sys_open", "__do_sys_fork", "__x64_sys_read", "do_futex", "vfs_read",
};

static const char * const kmk_text_syms[] = {
	"common_interrupt", "schedule",
};

int kmk_add_crash_text(struct kmk_region *r)
{
	unsigned long addr;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kmk_prologue_syms); i++)
		kmk_want_sym(kmk_prologue_syms[i], KMK_PROLOGUE);
	for (i = 0; i < ARRAY_SIZE(kmk_text_syms); i++)
		if (!kmk_sym(kmk_text_syms[i], &addr))
			kmk_want_page(addr);
	if (!kmk_sym("__schedule", &addr))
		kmk_want(addr & PAGE_MASK, KMK_SCHED_PAGES * PAGE_SIZE);
	if (!kmk_nspans)
		return kmk_missing(r, -ENOENT, "none of the functions was found");
	return kmk_commit(r);
}
#endif
