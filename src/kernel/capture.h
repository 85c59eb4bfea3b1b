/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Panic-time capture: interfaces between its parts. capture.c runs the
 * capture; below it, each file owns one concern and the rows it reserves:
 *   capture_regs.c   what each CPU records about itself (kprobes, die notifier)
 *   capture_rows.c   rows reserved at load, parked until a panic moves them
 *   capture_stack.c  stack pages, their page tables, text pages the stacks return into
 *   capture_pid.c    the pid xarray's nodes
 *   capture_mod.c    module memory of the modules the stacks name (modules.c's table)
 *   capture_orc.c    x86 ORC entries of the panic task's frames (CONFIG_UNWINDER_ORC only)
 */
#ifndef _KMK_CAPTURE_H
#define _KMK_CAPTURE_H

#include <linux/ptrace.h>
#include <linux/sched.h>
#include "kernel.h"

#define KMK_STACK_PAGES		(THREAD_SIZE / PAGE_SIZE)
#define KMK_STACK_PGT		2	/* page-table pages under one stack */
#define KMK_PC_PGT		2	/* page-table pages under a pc outside the image */
#define KMK_MAX_SLOTS		64	/* short slot numbers in row names; 768 rows */

/*
 * A record's state. The CPU that owns it claims it with a cmpxchg to BUSY,
 * writes it, and publishes the final state with a release store; readers
 * acquire @how. DIE (an oops) may be replaced by a later oops, the panic or a
 * stop; PANIC_ENTRY, PANIC_OOPS (the oops that led to the panic) and STOP are
 * final: written once per panic, the first writer wins, and the panic CPU's
 * record is never replaced by a stop-path record (x86's stop NMI handler also
 * runs on the panic CPU).
 */
enum kmk_how { KMK_NONE, KMK_BUSY, KMK_DIE, KMK_PANIC_ENTRY, KMK_PANIC_OOPS, KMK_STOP };

/*
 * Another CPU's record the capture takes: a final one. Not only STOP: a CPU
 * that entered panic() too and lost the race for panic_cpu stops itself
 * (panic_smp_self_stop(), interrupts off: arm64's stop IPI never reaches it)
 * and keeps its PANIC_ENTRY or PANIC_OOPS record, its registers at panic()
 * entry or at its oops: the second of two CPUs that crashed at once.
 */
static inline bool kmk_rec_final(unsigned int how)
{
	return how == KMK_STOP || how == KMK_PANIC_ENTRY || how == KMK_PANIC_OOPS;
}

/* What a CPU recorded about itself; written by that CPU only. */
struct kmk_cpu_rec {
	struct pt_regs regs;
	struct task_struct *task;
	unsigned int how;		/* enum kmk_how, see above */
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

/* The text pages found so far during one capture. */
#define KMK_TEXT_PAGES		32

struct kmk_found {
	unsigned long pages[KMK_TEXT_PAGES];
	unsigned int npages;
	u64 mods;			/* entries of modules.c's table named so far */
	u8 mod_order[64];		/* the same, in the order first named */
	unsigned int nmods;
};

/* modules.c: the table of loaded modules (include/uapi/kminidump_modules.h) */
/* entries; one bit each in kmk_found.mods, one mod_order slot */
#define KMK_MODS_MAX		64
struct kmd_mods;
struct kmd_mod_entry;
extern struct kmd_mods *kmk_mods;
extern struct kmd_mod_entry *kmk_mod_entries;
extern bool kmk_mods_on;
extern unsigned long kmk_mods_lo, kmk_mods_hi;	/* every module text lies inside */

/* capture_regs.c */
extern struct kmk_cpu_rec *kmk_recs;		/* [nr_cpu_ids] */
int kmk_regs_init(void);
void kmk_regs_exit(void);
int kmk_regs_arm(void);
void kmk_regs_disarm(void);
void kmk_record_self(void);

/* capture_rows.c */
extern struct kmk_slot *kmk_slots;		/* [kmk_nslots] */
extern unsigned int kmk_nslots;
extern size_t kmk_task_size;
int kmk_rows_init(unsigned int nslots);
void kmk_rows_exit(void);
int kmk_reserve(const char *fmt, u8 a, s8 b, size_t size, u32 *id);
int kmk_reserve_slot(unsigned int k);
void kmk_release(u32 *ids, unsigned int n);
void kmk_move(u32 id, const void *va, size_t size);

/* capture_stack.c */
extern unsigned long kmk_stext, kmk_etext, kmk_park_fn;
int kmk_text_init(void);
void kmk_text_exit(void);
bool kmk_is_text(unsigned long addr);
void kmk_text_page(unsigned long addr, struct kmk_found *f);
void kmk_text_pc(unsigned long pc, struct kmk_found *f);
void kmk_scan_stack(unsigned long sp, unsigned long stack, struct kmk_found *f);
void kmk_capture_stack_pgt(const struct kmk_slot *s, unsigned long stack);
bool kmk_capture_pc(const struct kmk_slot *s, unsigned long pc);

/* capture_pid.c */
int kmk_pid_nodes_init(void);
void kmk_pid_nodes_exit(void);
void kmk_pid_nodes_capture(void);

/* capture_mod.c */
void kmk_mod_note(unsigned long addr, struct kmk_found *f);
void kmk_mod_capture(const struct kmk_found *f);
int kmk_mod_pages_init(void);
void kmk_mod_pages_exit(void);

/* capture_orc.c: x86 kernels that unwind with ORC */
#ifdef CONFIG_UNWINDER_ORC
int kmk_orc_init(void);
void kmk_orc_exit(void);
void kmk_orc_capture(struct task_struct *t, struct pt_regs *regs,
		     const struct kmk_slot *s, bool pc_taken, struct kmk_found *f);
#else
static inline int kmk_orc_init(void)
{
	return 0;
}

static inline void kmk_orc_exit(void)
{
}

static inline void kmk_orc_capture(struct task_struct *t, struct pt_regs *regs,
				   const struct kmk_slot *s, bool pc_taken,
				   struct kmk_found *f)
{
}
#endif

#endif /* _KMK_CAPTURE_H */
