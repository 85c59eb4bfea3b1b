// SPDX-License-Identifier: GPL-2.0
/*
 * Stacks at panic: the page tables under a task's (VMAP) stack, the page of a
 * pc in module code and its page tables, and the kernel text pages the stacks
 * return into (crash checks every text word it meets for a call before it: a
 * page it cannot read makes it keep a stale word as a frame).
 */
#include <linux/mm.h>
#include <linux/sched/task_stack.h>
#include "capture.h"

static u32 kmk_text_ids[KMK_TEXT_PAGES];
unsigned long kmk_stext, kmk_etext;		/* kernel text, [_stext, _etext) */
unsigned long kmk_park_fn;			/* where a stopped CPU sits: its text is read */

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
void kmk_capture_stack_pgt(const struct kmk_slot *s, unsigned long stack)
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

bool kmk_is_text(unsigned long addr)
{
	return addr >= kmk_stext && addr < kmk_etext;
}

void kmk_text_page(unsigned long addr, struct kmk_found *f)
{
	unsigned long page = addr & PAGE_MASK;
	unsigned int i;

	if (!kmk_is_text(addr)) {
		kmk_mod_note(addr, f);	/* module text: its memory is taken at the end */
		return;
	}
	if (f->npages >= KMK_TEXT_PAGES)
		return;
	for (i = 0; i < f->npages && f->pages[i] != page; i++)
		;
	if (i == f->npages) {
		f->pages[f->npages++] = page;
		kmk_move(kmk_text_ids[i], (void *)page, PAGE_SIZE);
	}
}

/* A pc's page, and the next: gdb disassembles the whole function around a pc. */
void kmk_text_pc(unsigned long pc, struct kmk_found *f)
{
	kmk_text_page(pc, f);
	kmk_text_page(pc + PAGE_SIZE, f);
}

/*
 * Text pages of the words in kernel text on a stack, from @sp up (a scan: not
 * every such word is a return address). @sp may be on an interrupt stack: scan
 * it to the end of its THREAD_SIZE block, then the task's stack.
 */
void kmk_scan_stack(unsigned long sp, unsigned long stack, struct kmk_found *f)
{
	unsigned long a, end = ALIGN(sp + 1, THREAD_SIZE);
	phys_addr_t pa;

	if (stack && sp >= stack && sp < stack + THREAD_SIZE)
		end = stack + THREAD_SIZE;
	for (a = ALIGN(sp, sizeof(long)); a < end && f->npages < KMK_TEXT_PAGES;
	     a += sizeof(long)) {
		/* one translation a page: a stack is mapped page by page */
		if ((a == ALIGN(sp, sizeof(long)) || !(a & ~PAGE_MASK)) &&
		    !kminidump_virt_to_phys(a, &pa))
			break;
		kmk_text_page(READ_ONCE(*(unsigned long *)a), f);
	}
	if (stack && (sp < stack || sp >= stack + THREAD_SIZE))
		kmk_scan_stack(stack, stack, f);
}

/* A pc outside the kernel image (a module): its page and the tables that map it. */
bool kmk_capture_pc(const struct kmk_slot *s, unsigned long pc)
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

/* The kernel text bounds and the shared text-page rows. */
int kmk_text_init(void)
{
	unsigned int i;
	int ret = 0;

	if (kmk_sym("_stext", &kmk_stext) || kmk_sym("_etext", &kmk_etext))
		pr_warn("panic capture: _stext/_etext not found: no text pages of the backtraces\n");
	/* the stop IPI's handler ends there, halted, on the stopped CPUs */
	if (kmk_sym(IS_ENABLED(CONFIG_X86_64) ? "stop_this_cpu" : "local_cpu_stop", &kmk_park_fn))
		kmk_park_fn = 0;
	for (i = 0; !ret && i < KMK_TEXT_PAGES; i++)
		ret = kmk_reserve("ptext%u", i, -1, PAGE_SIZE, &kmk_text_ids[i]);
	return ret;
}

void kmk_text_exit(void)
{
	kmk_release(kmk_text_ids, KMK_TEXT_PAGES);
}
