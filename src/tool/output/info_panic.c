// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump info, section "panic" and the CPUs: what a crash image says about
 * the crash without vmlinux. The panic string, CRASHTIME and the crashing CPU
 * come from VMCOREINFO and the table; the registers from each CPU's
 * NT_PRSTATUS; the backtrace from the saved registers and the stack pages of
 * the core (read by virtual address through the PT_LOADs), symbolized with a
 * System.map and the modules given with --module.
 *
 *   arm64   follows the frame-pointer chain: x29 -> { previous x29, lr }, the
 *           way arch/arm64/kernel/stacktrace.c does, while records stay in the
 *           stacks of the core and move up.
 *   x86_64  Debian kernels unwind with ORC, not frame pointers: every word from
 *           rsp to the top of the stack that points into kernel text is shown,
 *           the way the kernel's "? " lines are (unreliable by nature). At the
 *           top of an IRQ stack the kernel keeps the interrupted stack pointer
 *           (arch/x86/include/asm/irq_stack.h): the scan continues there.
 *   arm64   an exception's frame record lies in its pt_regs: the interrupted
 *           function's lr (its caller, for a leaf) is shown after it.
 *
 * Each CPU is analysed once into a struct kmt_cpu_view (registers, backtrace
 * lines), then printed as text or JSON. Everything is bounded: a stack is one
 * THREAD_SIZE window, at most 4 windows, 64 frames or words, every read checked.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "format/elfcore.h"
#include "format/kmod.h"
#include "format/symtab.h"
#include "lib/bytes.h"
#include "lib/util.h"
#include "output/info.h"
#include "output/json.h"

#define KMT_PR_REG_OFF		112	/* pr_reg in struct elf_prstatus (64-bit) */
#define KMT_PR_PID_OFF		32	/* pr_pid */
#define KMT_X86_NREGS		27	/* struct user_regs_struct */
#define KMT_ARM64_NREGS		34	/* struct user_pt_regs: x0..x30, sp, pc, pstate */
#define KMT_THREAD_SIZE		16384	/* x86_64 and arm64 without KASAN */
#define KMT_STACK_WORDS		(KMT_THREAD_SIZE / 8)
#define KMT_MAX_FRAMES		64
#define KMT_MAX_STACKS		4	/* irq -> task and the like */
#define KMT_MAX_REGS		34
#define KMT_BT_ITEMS		(2 * KMT_MAX_FRAMES + 2 * KMT_MAX_STACKS + 4)

/* x86_64 kernel image window: __START_KERNEL_map .. MODULES_VADDR */
#define KMT_X86_IMAGE_LO	0xffffffff80000000ULL
#define KMT_X86_IMAGE_HI	0xffffffffc0000000ULL

/* struct user_regs_struct (arch/x86/include/asm/user_64.h), pt_regs order */
enum {
	X_R15, X_R14, X_R13, X_R12, X_RBP, X_RBX, X_R11, X_R10, X_R9, X_R8, X_RAX, X_RCX,
	X_RDX, X_RSI, X_RDI, X_ORIG_RAX, X_RIP, X_CS, X_EFLAGS, X_RSP, X_SS, X_FS_BASE,
	X_GS_BASE, X_DS, X_ES, X_FS, X_GS,
};

static const char *const kmt_x86_reg_names[KMT_X86_NREGS] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx",
	"rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base",
	"gs_base", "ds", "es", "fs", "gs",
};

/* struct user_pt_regs (arch/arm64/include/uapi/asm/ptrace.h) */
enum { A_FP = 29, A_LR = 30, A_SP = 31, A_PC = 32, A_PSTATE = 33 };

static const char *const kmt_arm64_reg_names[KMT_ARM64_NREGS] = {
	"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
	"x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24",
	"x25", "x26", "x27", "x28", "x29", "x30", "sp", "pc", "pstate",
};

struct kmt_panic {
	const struct kmt_info_ctx *x;
	FILE *out;
	bool x86, arm64;
	bool syms;			/* a System.map with text bounds */
	uint64_t text_lo, text_hi;	/* run-time _stext.._etext (init text is freed by then) */
	unsigned int va_bits;		/* arm64: to strip pointer authentication codes */
};

struct kmt_stack {
	uint64_t base;			/* THREAD_SIZE-aligned window */
	uint64_t lo, hi;		/* the part around the anchor that the core holds */
	uint8_t buf[KMT_THREAD_SIZE];
	bool ok[KMT_STACK_WORDS];	/* word i is in the core */
};

/* One line of a backtrace, in order. */
enum { BT_STACK, BT_NEXT, BT_FRAME };
enum { BT_PC, BT_LR, BT_FP, BT_WORD, BT_ILR };

struct kmt_bt_item {
	uint8_t type, kind;
	unsigned int stack;		/* index of the stack it was read from */
	uint64_t a, b;			/* STACK: lo, hi; FRAME: fp or sp offset, address */
};

struct kmt_bt {
	const char *method;		/* "stack-scan" or "frame-pointer" */
	const char *note;		/* added to the title line */
	struct kmt_bt_item it[KMT_BT_ITEMS];
	size_t n;
	unsigned int nstacks;
	char end[200];			/* why it stopped */
};

enum { CPU_NO_NOTE, CPU_EMPTY, CPU_NOT_DECODED, CPU_TRUNCATED, CPU_REGS };

struct kmt_cpu_view {
	size_t cpu;
	bool panic_cpu;
	const struct kmt_note *t;
	int status;
	bool has_pid;
	int32_t pid;
	size_t nregs, need;
	uint64_t r[KMT_MAX_REGS];
	struct kmt_bt bt;
};

/* A symbol found for an address. */
struct kmt_symref {
	const struct kmt_sym *s;
	const char *module;		/* NULL: the kernel image */
	uint64_t off, size;		/* size 0: unknown */
};

static bool kmt_panic_all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void kmt_panic_text(FILE *out, const char *v, size_t n)
{
	size_t j;

	for (j = 0; j < n && j < 512; j++)
		fputc(v[j] >= 0x20 && v[j] <= 0x7e ? v[j] : '?', out);
}

/* ---- symbols ---- */

static bool kmt_in_text(const struct kmt_panic *p, uint64_t a)
{
	size_t i;

	if (a >= p->text_lo && a < p->text_hi)
		return true;
	for (i = 0; i < p->x->nmods; i++)
		if (kmt_kmod_is_text(&p->x->mods[i], a))
			return true;
	return false;
}

/* The kernel symbol holding run-time address @va, or NULL (outside _text.._end, no map). */
static const struct kmt_sym *kmt_panic_kernel_lookup(const struct kmt_panic *p, uint64_t va)
{
	const struct kmt_info_ctx *x = p->x;
	uint64_t a = va - x->kaslr;

	if (!x->syms || !x->syms->n || !x->img_lo || !x->img_hi || a < x->img_lo ||
	    a >= x->img_hi)
		return NULL;
	return kmt_symtab_lookup(x->syms, a);
}

/* The symbol holding run-time address @va: a module's (--module) or the kernel's. */
static const struct kmt_sym *kmt_panic_lookup(const struct kmt_panic *p, uint64_t va)
{
	const struct kmt_sym *s;
	size_t i;

	for (i = 0; i < p->x->nmods; i++) {
		s = kmt_kmod_lookup(&p->x->mods[i], va);
		if (s)
			return s;
	}
	return kmt_panic_kernel_lookup(p, va);
}

/*
 * The symbol of @va. @ret: a return address, named like the kernel's %pB: the
 * byte before it is looked up, because a call to a noreturn function may be the
 * last instruction of its caller, and the return address then is the next
 * function's first.
 */
static bool kmt_panic_resolve(const struct kmt_panic *p, uint64_t va, bool ret,
			      struct kmt_symref *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < p->x->nmods; i++) {
		const struct kmt_kmod *m = &p->x->mods[i];

		r->s = kmt_kmod_lookup(m, va - ret);
		if (r->s) {
			r->module = m->name;
			r->off = va - r->s->addr;
			/* st_size, unless the address lies past it (padding, an unnamed part) */
			r->size = r->s->size && r->off <= r->s->size ? r->s->size :
				  kmt_symtab_gap(&m->syms, r->s);
			return true;
		}
	}
	r->s = kmt_panic_kernel_lookup(p, va - ret);
	if (!r->s)
		return false;
	r->off = va - p->x->kaslr - r->s->addr;
	r->size = kmt_symtab_gap(p->x->syms, r->s);
	return true;
}

/* "name+0xoff/0xsize [module]" into @buf, "" when @va has no name. */
static void kmt_symref_str(const struct kmt_symref *r, char *buf, size_t len)
{
	char mod[80] = "";

	buf[0] = 0;
	if (!r->s)
		return;
	if (r->module)
		snprintf(mod, sizeof(mod), " [%s]", r->module);
	if (r->size)
		snprintf(buf, len, "%s+0x%llx/0x%llx%s", r->s->name, (unsigned long long)r->off,
			 (unsigned long long)r->size, mod);
	else
		snprintf(buf, len, "%s+0x%llx%s", r->s->name, (unsigned long long)r->off, mod);
}

/* "  name+0xoff/0xsize" for a text line, "" when it has no name. */
static void kmt_panic_sym(const struct kmt_panic *p, uint64_t va, bool ret, char *buf,
			  size_t len)
{
	struct kmt_symref r;

	buf[0] = 0;
	if (!kmt_panic_resolve(p, va, ret, &r) || len < 3)
		return;
	buf[0] = buf[1] = ' ';
	kmt_symref_str(&r, buf + 2, len - 2);
}

/* Where kernel text is at run time: the System.map's, or a guess from VMCOREINFO. */
static void kmt_panic_text_bounds(struct kmt_panic *p)
{
	const struct kmt_info_ctx *x = p->x;
	struct kmt_text_ranges r;
	uint64_t stext;

	if (x->syms) {
		kmt_symtab_text_ranges(x->syms, &r);
		if (!r.lo[0] || r.hi[0] <= r.lo[0]) {
			r.lo[0] = x->img_lo;	/* no _stext/_etext: the whole image */
			r.hi[0] = x->img_hi;
		}
		if (r.lo[0] && r.hi[0] > r.lo[0]) {
			p->text_lo = r.lo[0] + x->kaslr;
			p->text_hi = r.hi[0] + x->kaslr;
		}
		p->syms = p->text_hi > p->text_lo;
		if (p->syms)
			return;
	}
	if (!p->x86)
		return;
	/* SYMBOL(_stext) is a run-time address; the image ends where modules start */
	if (!x->c->has_vmci || kmt_vmci_num(&x->c->vmci, "SYMBOL(_stext)", 16, &stext) ||
	    stext < KMT_X86_IMAGE_LO || stext >= KMT_X86_IMAGE_HI)
		stext = KMT_X86_IMAGE_LO;
	p->text_lo = stext;
	p->text_hi = KMT_X86_IMAGE_HI;
}

/* arm64 return addresses may carry a pointer authentication code in their top bits. */
static uint64_t kmt_strip_pac(const struct kmt_panic *p, uint64_t v)
{
	if (!p->arm64 || !(v & (1ULL << 55)) || p->va_bits < 36 || p->va_bits > 52)
		return v;
	return v | ~((1ULL << p->va_bits) - 1);
}

/* ---- stacks ---- */

/* Loads the THREAD_SIZE window holding @addr; false if the core lacks @addr itself. */
static bool kmt_stack_load(const struct kmt_core *c, uint64_t addr, struct kmt_stack *s)
{
	enum { CHUNK = 512 };
	bool *ok = s->ok;
	size_t w, lo, hi, i, j;

	s->base = addr & ~(uint64_t)(KMT_THREAD_SIZE - 1);
	w = (addr - s->base) / 8;
	if (kmt_core_read_va(c, s->base + w * 8, s->buf + w * 8, 8))
		return false;
	/* whole chunks first; word by word only where a chunk is partly missing */
	for (i = 0; i < KMT_THREAD_SIZE; i += CHUNK) {
		bool all = !kmt_core_read_va(c, s->base + i, s->buf + i, CHUNK);

		for (j = i; j < i + CHUNK; j += 8)
			ok[j / 8] = all || !kmt_core_read_va(c, s->base + j, s->buf + j, 8);
	}
	for (lo = w; lo > 0 && ok[lo - 1]; lo--)
		;
	for (hi = w + 1; hi < KMT_STACK_WORDS && ok[hi]; hi++)
		;
	s->lo = s->base + lo * 8;
	s->hi = s->base + hi * 8;
	return true;
}

static uint64_t kmt_stack_word(const struct kmt_stack *s, uint64_t addr)
{
	return kmt_le64(s->buf + (addr - s->base));
}

/* ---- backtraces, as lines ---- */

static void kmt_bt_add(struct kmt_bt *bt, uint8_t type, uint8_t kind, uint64_t a, uint64_t b)
{
	if (bt->n == KMT_BT_ITEMS)
		return;		/* the bounds below keep well under it */
	if (type == BT_STACK)
		bt->nstacks++;
	bt->it[bt->n++] = (struct kmt_bt_item){ .type = type, .kind = kind, .a = a, .b = b,
						.stack = bt->nstacks ? bt->nstacks - 1 : 0 };
}

static void kmt_bt_stack(struct kmt_bt *bt, const struct kmt_stack *s)
{
	kmt_bt_add(bt, BT_STACK, 0, s->lo, s->hi);
}

static void kmt_bt_end(struct kmt_bt *bt, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kmt_bt_end(struct kmt_bt *bt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(bt->end, sizeof(bt->end), fmt, ap);
	va_end(ap);
}

/* x86_64: every word from sp to the top of its stack that points into kernel text. */
static void kmt_bt_scan(const struct kmt_panic *p, uint64_t pc, uint64_t sp,
			struct kmt_stack *s, struct kmt_bt *bt)
{
	const char *where = !p->syms ? "the kernel image" :
			    p->x->nmods ? "kernel or module text" : "kernel text";
	uint64_t a, start, seen[KMT_MAX_STACKS], words = 0;
	unsigned int n = 0, nseen = 0, i;

	bt->method = "stack-scan";
	bt->note = p->syms ? "" :
		   "; raw addresses, no --system-map: words in the kernel image, text or not";
	if (!kmt_stack_load(p->x->c, sp & ~7ULL, s)) {
		kmt_bt_add(bt, BT_FRAME, BT_PC, 0, pc);
		kmt_bt_end(bt, "sp 0x%016llx is not in the core: no PT_LOAD holds it; nothing to scan",
			   (unsigned long long)sp);
		return;
	}
	kmt_bt_stack(bt, s);
	kmt_bt_add(bt, BT_FRAME, BT_PC, 0, pc);
	start = (sp & 7) ? (sp | 7) + 1 : sp;	/* the first whole word at or above sp */
	for (;;) {
		uint64_t link;

		seen[nseen++] = s->base;
		for (a = start; a < s->hi; a += 8) {
			uint64_t v = kmt_stack_word(s, a);

			if (!kmt_in_text(p, v))
				continue;
			if (n == KMT_MAX_FRAMES) {
				kmt_bt_end(bt, "%u words shown; stopping at sp+0x%llx", n,
					   (unsigned long long)(a - sp));
				return;
			}
			n++;
			kmt_bt_add(bt, BT_FRAME, BT_WORD, a - sp, v);
		}
		words += s->hi > start ? (s->hi - start) / 8 : 0;
		/*
		 * An IRQ stack's top word holds the interrupted stack pointer; the IRQ
		 * stack is not THREAD_SIZE aligned (vmap'ed), so its top is where the
		 * saved part ends, not the window's.
		 */
		if (nseen == KMT_MAX_STACKS)
			break;
		link = kmt_stack_word(s, s->hi - 8);
		for (i = 0; i < nseen; i++)
			if (seen[i] == (link & ~(uint64_t)(KMT_THREAD_SIZE - 1)))
				break;
		if ((link & 7) || i < nseen || !link || kmt_in_text(p, link) ||
		    !kmt_stack_load(p->x->c, link, s))
			break;
		kmt_bt_add(bt, BT_NEXT, 0, 0, 0);
		kmt_bt_stack(bt, s);
		sp = start = link;
	}
	kmt_bt_end(bt, "end of the stack in the core: %u of %llu words point into %s", n,
		   (unsigned long long)words, where);
}

/*
 * arm64: the lr register, as a frame after pc, unless the first frame record
 * holds it already or it lies in pc's own function (a stale return from an
 * earlier call). Registers taken at a function's entry (a kprobe on panic, a
 * fault in a leaf) have the caller only there: the function has not pushed
 * its frame record yet. Without a System.map the function is unknown.
 */
static void kmt_bt_lr(const struct kmt_panic *p, uint64_t pc, uint64_t lr, bool have_first,
		      uint64_t first, uint8_t kind, struct kmt_bt *bt)
{
	const struct kmt_sym *a, *b;

	lr = kmt_strip_pac(p, lr);
	if (!lr || (have_first && lr == first))
		return;
	a = kmt_panic_lookup(p, pc);
	b = kmt_panic_lookup(p, lr - 1);
	if (a && a == b)
		return;
	kmt_bt_add(bt, BT_FRAME, kind, 0, lr);
}

/*
 * arm64: a frame record that is the stackframe of a pt_regs (an exception
 * taken at EL1, arch/arm64/kernel/entry.S kernel_entry: "stp x29, x22,
 * [sp, #S_STACKFRAME]") holds the interrupted fp and pc; the interrupted lr is
 * in pt_regs.regs[30] and, for a leaf, is the only trace of its caller. The
 * record is one if pt_regs.pc is its lr and pt_regs.sp the end of pt_regs
 * (Linux 6.1 to 6.12: S_STACKFRAME 304, PT_REGS_SIZE 336). Returns that lr, or 0.
 */
#define KMT_ARM64_S_STACKFRAME	304
#define KMT_ARM64_PT_REGS_SIZE	336

static uint64_t kmt_bt_pt_regs_lr(const struct kmt_panic *p, const struct kmt_stack *s,
				  uint64_t fp, uint64_t rec_lr)
{
	uint64_t base = fp - KMT_ARM64_S_STACKFRAME;

	if (fp < s->lo + KMT_ARM64_S_STACKFRAME || base + KMT_ARM64_PT_REGS_SIZE > s->hi)
		return 0;
	if (kmt_stack_word(s, base + 8 * A_PC) != rec_lr ||
	    kmt_stack_word(s, base + 8 * A_SP) != base + KMT_ARM64_PT_REGS_SIZE)
		return 0;
	return kmt_strip_pac(p, kmt_stack_word(s, base + 8 * A_LR));
}

/* arm64: the frame records { fp, lr } from x29 up, across at most a few stacks. */
static void kmt_bt_frames(const struct kmt_panic *p, uint64_t pc, uint64_t sp, uint64_t fp,
			  uint64_t lr_reg, struct kmt_stack *s, struct kmt_bt *bt)
{
	uint64_t seen[KMT_MAX_STACKS], floor;
	unsigned int nseen = 0, n, i;
	uint8_t first[8];

	bt->method = "frame-pointer";
	bt->note = p->x->syms ? "" : "; raw addresses, no --system-map";
	if (!kmt_stack_load(p->x->c, sp & ~7ULL, s)) {
		kmt_bt_add(bt, BT_FRAME, BT_PC, 0, pc);
		kmt_bt_lr(p, pc, lr_reg, false, 0, BT_LR, bt);
		kmt_bt_end(bt, "sp 0x%016llx is not in the core: no PT_LOAD holds it; no frames",
			   (unsigned long long)sp);
		return;
	}
	kmt_bt_stack(bt, s);
	seen[nseen++] = s->base;
	floor = s->lo;
	kmt_bt_add(bt, BT_FRAME, BT_PC, 0, pc);
	if (fp && !(fp & 7) && !kmt_core_read_va(p->x->c, fp + 8, first, 8))
		kmt_bt_lr(p, pc, lr_reg, true, kmt_strip_pac(p, kmt_le64(first)), BT_LR, bt);
	else
		kmt_bt_lr(p, pc, lr_reg, false, 0, BT_LR, bt);
	for (n = 0; ; n++) {
		uint64_t nfp, lr, ilr;

		if (!fp) {
			kmt_bt_end(bt, "fp is 0: end of the chain");
			return;
		}
		if (fp & 7) {
			kmt_bt_end(bt, "fp 0x%016llx is not 8-byte aligned: stopping",
				   (unsigned long long)fp);
			return;
		}
		if (n == KMT_MAX_FRAMES) {
			kmt_bt_end(bt, "%u frames shown; stopping", n);
			return;
		}
		if (fp < s->lo || fp >= s->hi || s->hi - fp < 16) {
			uint64_t base = fp & ~(uint64_t)(KMT_THREAD_SIZE - 1);

			for (i = 0; i < nseen; i++)
				if (seen[i] == base)
					break;
			if (base == s->base) {
				kmt_bt_end(bt, "frame record at 0x%016llx is not in the core: stopping",
					   (unsigned long long)fp);
				return;
			}
			if (i < nseen) {
				kmt_bt_end(bt, "frame loop: fp 0x%016llx goes back into a stack already walked; stopping",
					   (unsigned long long)fp);
				return;
			}
			if (nseen == KMT_MAX_STACKS || !kmt_stack_load(p->x->c, fp, s) ||
			    s->hi - fp < 16) {
				kmt_bt_end(bt, "fp 0x%016llx leaves the stacks in the core: stopping",
					   (unsigned long long)fp);
				return;
			}
			seen[nseen++] = s->base;
			kmt_bt_add(bt, BT_NEXT, 0, 0, 0);
			kmt_bt_stack(bt, s);
			floor = s->lo;
		}
		if (fp < floor) {
			kmt_bt_end(bt, "frame loop: fp 0x%016llx is below the previous frame record; stopping",
				   (unsigned long long)fp);
			return;
		}
		nfp = kmt_stack_word(s, fp);
		lr = kmt_stack_word(s, fp + 8);
		if (!nfp && !lr) {
			kmt_bt_end(bt, "final frame record at 0x%016llx", (unsigned long long)fp);
			return;
		}
		kmt_bt_add(bt, BT_FRAME, BT_FP, fp, kmt_strip_pac(p, lr));
		ilr = kmt_bt_pt_regs_lr(p, s, fp, lr);
		if (ilr && nfp && !(nfp & 7) && !kmt_core_read_va(p->x->c, nfp + 8, first, 8))
			kmt_bt_lr(p, lr, ilr, true, kmt_strip_pac(p, kmt_le64(first)), BT_ILR, bt);
		else if (ilr)
			kmt_bt_lr(p, lr, ilr, false, 0, BT_ILR, bt);
		floor = fp + 16;
		fp = nfp;
	}
}

/* ---- one CPU: the analysis ---- */

static void kmt_cpu_analyze(const struct kmt_panic *p, size_t cpu, bool panic_cpu,
			    const struct kmt_note *t, struct kmt_stack *s, struct kmt_cpu_view *v)
{
	size_t i;

	memset(v, 0, sizeof(*v));
	v->cpu = cpu;
	v->panic_cpu = panic_cpu;
	v->t = t;
	v->nregs = p->x86 ? KMT_X86_NREGS : KMT_ARM64_NREGS;
	if (!t) {
		v->status = CPU_NO_NOTE;
		return;
	}
	if (kmt_panic_all_zero(t->desc, t->descsz)) {
		v->status = CPU_EMPTY;
		return;
	}
	if (t->descsz >= KMT_PR_PID_OFF + 4) {
		v->has_pid = true;
		v->pid = (int32_t)kmt_le32(t->desc + KMT_PR_PID_OFF);
	}
	if (!p->x86 && !p->arm64) {
		v->status = CPU_NOT_DECODED;
		return;
	}
	v->need = KMT_PR_REG_OFF + v->nregs * 8;
	if (t->descsz < v->need) {
		v->status = CPU_TRUNCATED;
		return;
	}
	v->status = CPU_REGS;
	for (i = 0; i < v->nregs; i++)
		v->r[i] = kmt_le64(t->desc + KMT_PR_REG_OFF + i * 8);
	if (p->x86)
		kmt_bt_scan(p, v->r[X_RIP], v->r[X_RSP], s, &v->bt);
	else
		kmt_bt_frames(p, v->r[A_PC], v->r[A_SP], v->r[A_FP], v->r[A_LR], s, &v->bt);
}

/* ---- one CPU: text ---- */

static void kmt_regs_x86(const struct kmt_panic *p, const uint64_t *r)
{
	static const struct { const char *name; int i; } gp[] = {
		{ "RAX", X_RAX }, { "RBX", X_RBX }, { "RCX", X_RCX },
		{ "RDX", X_RDX }, { "RSI", X_RSI }, { "RDI", X_RDI },
		{ "RBP", X_RBP }, { "R08", X_R8 }, { "R09", X_R9 },
		{ "R10", X_R10 }, { "R11", X_R11 }, { "R12", X_R12 },
		{ "R13", X_R13 }, { "R14", X_R14 }, { "R15", X_R15 },
	};
	FILE *o = p->out;
	char sym[600];
	size_t i;

	kmt_panic_sym(p, r[X_RIP], false, sym, sizeof(sym));
	fprintf(o, "    RIP: %04llx:%016llx%s\n", (unsigned long long)(r[X_CS] & 0xffff),
		(unsigned long long)r[X_RIP], sym);
	fprintf(o, "    RSP: %04llx:%016llx EFLAGS: %08llx ORIG_RAX: %016llx\n",
		(unsigned long long)(r[X_SS] & 0xffff), (unsigned long long)r[X_RSP],
		(unsigned long long)r[X_EFLAGS], (unsigned long long)r[X_ORIG_RAX]);
	for (i = 0; i < sizeof(gp) / sizeof(gp[0]); i++)
		fprintf(o, "%s%s: %016llx%s", i % 3 ? " " : "    ", gp[i].name,
			(unsigned long long)r[gp[i].i], i % 3 == 2 ? "\n" : "");
	fprintf(o, "    FS_BASE: %016llx GS_BASE: %016llx\n", (unsigned long long)r[X_FS_BASE],
		(unsigned long long)r[X_GS_BASE]);
	fprintf(o, "    CS: %04llx SS: %04llx DS: %04llx ES: %04llx FS: %04llx GS: %04llx\n",
		(unsigned long long)(r[X_CS] & 0xffff), (unsigned long long)(r[X_SS] & 0xffff),
		(unsigned long long)(r[X_DS] & 0xffff), (unsigned long long)(r[X_ES] & 0xffff),
		(unsigned long long)(r[X_FS] & 0xffff), (unsigned long long)(r[X_GS] & 0xffff));
}

static void kmt_regs_arm64(const struct kmt_panic *p, const uint64_t *r)
{
	FILE *o = p->out;
	char sym[600];
	int i;

	kmt_panic_sym(p, r[A_PC], false, sym, sizeof(sym));
	fprintf(o, "    pc : %016llx%s\n", (unsigned long long)r[A_PC], sym);
	kmt_panic_sym(p, kmt_strip_pac(p, r[A_LR]), true, sym, sizeof(sym));
	fprintf(o, "    lr : %016llx%s\n", (unsigned long long)r[A_LR], sym);
	fprintf(o, "    sp : %016llx pstate: %08llx\n", (unsigned long long)r[A_SP],
		(unsigned long long)r[A_PSTATE]);
	for (i = 29; i >= 0; i--)
		fprintf(o, "%sx%-2d: %016llx%s", i % 3 == 2 ? "    " : " ", i,
			(unsigned long long)r[i], i % 3 == 0 ? "\n" : "");
}

static void kmt_bt_print(const struct kmt_panic *p, const struct kmt_bt *bt)
{
	static const char *const label[] = { [BT_PC] = "pc", [BT_LR] = "lr (register)",
					     [BT_ILR] = "lr (interrupted)" };
	char sym[600], at[48];
	size_t i;

	fprintf(p->out, "    backtrace: %s%s\n", !strcmp(bt->method, "stack-scan") ?
		"stack scan (unreliable: not every word is a return address)" : bt->method,
		bt->note);
	for (i = 0; i < bt->n; i++) {
		const struct kmt_bt_item *it = &bt->it[i];

		if (it->type == BT_STACK) {
			fprintf(p->out, "      stack 0x%016llx-0x%016llx (%llu bytes in the core)\n",
				(unsigned long long)it->a, (unsigned long long)it->b,
				(unsigned long long)(it->b - it->a));
			continue;
		}
		if (it->type == BT_NEXT) {
			fprintf(p->out, "      -- next stack --\n");
			continue;
		}
		if (it->kind == BT_FP)
			snprintf(at, sizeof(at), "[fp 0x%016llx]", (unsigned long long)it->a);
		else if (it->kind == BT_WORD)
			snprintf(at, sizeof(at), "[sp+0x%llx]", (unsigned long long)it->a);
		else
			snprintf(at, sizeof(at), "%s", label[it->kind]);
		kmt_panic_sym(p, it->b, it->kind != BT_PC, sym, sizeof(sym));
		fprintf(p->out, "      %-24s 0x%016llx%s\n", at, (unsigned long long)it->b, sym);
	}
	fprintf(p->out, "      (%s)\n", bt->end);
}

/* One CPU: pid, registers, backtrace. */
static void kmt_cpu_print(const struct kmt_panic *p, const struct kmt_cpu_view *v)
{
	const char *tag = v->panic_cpu ? " (panic cpu)" : "";

	if (v->status == CPU_NO_NOTE) {
		fprintf(p->out, "  cpu %zu%s: no NT_PRSTATUS note for it\n", v->cpu, tag);
		return;
	}
	if (v->status == CPU_EMPTY) {
		fprintf(p->out, "  cpu %zu%s: NT_PRSTATUS empty (registers not saved)\n", v->cpu,
			tag);
		return;
	}
	fprintf(p->out, "  cpu %zu%s:", v->cpu, tag);
	if (v->has_pid)
		fprintf(p->out, " pid %d", v->pid);
	fputc('\n', p->out);
	if (v->status == CPU_NOT_DECODED) {
		fprintf(p->out, "    registers: not decoded for this machine (x86_64 and aarch64 are)\n");
		return;
	}
	if (v->status == CPU_TRUNCATED) {
		fprintf(p->out, "    registers: NT_PRSTATUS is truncated: %zu bytes, the %s registers end at %zu\n",
			v->t->descsz, p->x86 ? "x86_64" : "aarch64", v->need);
		return;
	}
	if (p->x86)
		kmt_regs_x86(p, v->r);
	else
		kmt_regs_arm64(p, v->r);
	kmt_bt_print(p, &v->bt);
}

/* ---- one CPU: JSON ---- */

static void kmt_json_symref(struct kmt_json *j, const struct kmt_panic *p, uint64_t va,
			    bool ret)
{
	struct kmt_symref r;
	char buf[600];

	if (!kmt_panic_resolve(p, va, ret, &r)) {
		kmt_json_null(j, "symbol");
		return;
	}
	kmt_symref_str(&r, buf, sizeof(buf));
	kmt_json_str(j, "symbol", buf);
	kmt_json_str(j, "function", r.s->name);
	kmt_json_u64(j, "offset", r.off);
	if (r.size)
		kmt_json_u64(j, "size", r.size);
	else
		kmt_json_null(j, "size");
	if (r.module)
		kmt_json_str(j, "module", r.module);
	else
		kmt_json_null(j, "module");
}

static void kmt_bt_json(struct kmt_json *j, const struct kmt_panic *p, const struct kmt_bt *bt)
{
	static const char *const kind[] = { [BT_PC] = "pc", [BT_LR] = "lr", [BT_FP] = "frame",
					    [BT_WORD] = "word", [BT_ILR] = "interrupted-lr" };
	size_t i;

	kmt_json_object(j, "backtrace");
	kmt_json_str(j, "method", bt->method);
	kmt_json_bool(j, "symbols", !*bt->note);
	kmt_json_array(j, "stacks");
	for (i = 0; i < bt->n; i++) {
		if (bt->it[i].type != BT_STACK)
			continue;
		kmt_json_object(j, NULL);
		kmt_json_hex(j, "lo", bt->it[i].a);
		kmt_json_hex(j, "hi", bt->it[i].b);
		kmt_json_u64(j, "bytes", bt->it[i].b - bt->it[i].a);
		kmt_json_end(j, '}');
	}
	kmt_json_end(j, ']');
	kmt_json_array(j, "frames");
	for (i = 0; i < bt->n; i++) {
		const struct kmt_bt_item *it = &bt->it[i];

		if (it->type != BT_FRAME)
			continue;
		kmt_json_object(j, NULL);
		kmt_json_str(j, "kind", kind[it->kind]);
		kmt_json_hex(j, "addr", it->b);
		kmt_json_symref(j, p, it->b, it->kind != BT_PC);
		if (it->kind == BT_FP)
			kmt_json_hex(j, "fp", it->a);
		if (it->kind == BT_WORD)
			kmt_json_u64(j, "sp_offset", it->a);
		if (bt->nstacks)
			kmt_json_u64(j, "stack", it->stack);
		else
			kmt_json_null(j, "stack");
		kmt_json_end(j, '}');
	}
	kmt_json_end(j, ']');
	kmt_json_str(j, "end", bt->end);
	kmt_json_end(j, '}');
}

static void kmt_cpu_json(struct kmt_json *j, const struct kmt_panic *p,
			 const struct kmt_cpu_view *v)
{
	static const char *const status[] = {
		[CPU_NO_NOTE] = "no-note", [CPU_EMPTY] = "empty",
		[CPU_NOT_DECODED] = "not-decoded", [CPU_TRUNCATED] = "truncated",
		[CPU_REGS] = "registers",
	};
	const char *const *names = p->x86 ? kmt_x86_reg_names : kmt_arm64_reg_names;
	size_t i;

	kmt_json_object(j, NULL);
	kmt_json_u64(j, "cpu", v->cpu);
	kmt_json_bool(j, "panic_cpu", v->panic_cpu);
	kmt_json_str(j, "status", status[v->status]);
	if (v->has_pid)
		kmt_json_i64(j, "pid", v->pid);
	else
		kmt_json_null(j, "pid");
	if (v->status != CPU_REGS) {
		kmt_json_null(j, "registers");
		kmt_json_null(j, "backtrace");
		kmt_json_end(j, '}');
		return;
	}
	kmt_json_object(j, "registers");
	for (i = 0; i < v->nregs; i++)
		kmt_json_hex(j, names[i], v->r[i]);
	kmt_json_end(j, '}');
	kmt_bt_json(j, p, &v->bt);
	kmt_json_end(j, '}');
}

/* ---- the section ---- */

static void kmt_panic_init(struct kmt_panic *p, const struct kmt_info_ctx *x)
{
	const struct kmt_core *c = x->c;
	uint64_t v;

	memset(p, 0, sizeof(*p));
	p->x = x;
	p->out = x->out;
	p->x86 = c->machine == EM_X86_64 && !c->big_endian && gelf_getclass(c->elf) == ELFCLASS64;
	p->arm64 = c->machine == EM_AARCH64 && !c->big_endian &&
		   gelf_getclass(c->elf) == ELFCLASS64;
	p->va_bits = 48;
	if (c->has_vmci) {
		if (!kmt_vmci_num(&c->vmci, "NUMBER(TCR_EL1_T1SZ)", 16, &v) && v >= 12 && v <= 28)
			p->va_bits = 64 - v;
		else if (!kmt_vmci_num(&c->vmci, "NUMBER(VA_BITS)", 10, &v) && v >= 36 && v <= 52)
			p->va_bits = v;
	}
	kmt_panic_text_bounds(p);
}

static void kmt_panic_header(const struct kmt_panic *p)
{
	const struct kmt_core *c = p->x->c;
	const struct kmt_info_ctx *x = p->x;
	const char *v;
	uint64_t t;
	size_t n;

	fprintf(p->out, "panic:\n");
	if (!c->has_vmci) {
		fprintf(p->out, "  (no VMCOREINFO: no panic message, no crash time)\n");
	} else {
		v = kmt_vmci_get(&c->vmci, "PANIC_MESSAGE", &n);
		fprintf(p->out, "  message: ");
		if (v)
			kmt_panic_text(p->out, v, n);
		else
			fprintf(p->out, "(none in VMCOREINFO)");
		fputc('\n', p->out);
		if (!kmt_vmci_num(&c->vmci, "CRASHTIME", 10, &t)) {
			struct tm tm;
			char date[64];
			time_t tt = (time_t)t;

			fprintf(p->out, "  crash time: %llu", (unsigned long long)t);
			if (t < (1ULL << 40) && gmtime_r(&tt, &tm) &&
			    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm))
				fprintf(p->out, " (%s)", date);
			fputc('\n', p->out);
		}
	}
	fprintf(p->out, "  panic cpu: %u\n", c->table.panic_cpu);
	if (c->has_vmci && !kmt_vmci_num(&c->vmci, "KMINIDUMP_CAPTURE_NS", 10, &t))
		fprintf(p->out, "  capture: %llu ns (KMINIDUMP_CAPTURE_NS)\n", (unsigned long long)t);
	if (p->syms)
		fprintf(p->out, "  symbols: %s, relocated by KERNELOFFSET 0x%llx; text 0x%016llx-0x%016llx\n",
			x->map_path ? x->map_path : "System.map", (unsigned long long)x->kaslr,
			(unsigned long long)p->text_lo, (unsigned long long)p->text_hi);
	else if (x->syms)
		fprintf(p->out, "  symbols: %s has no _stext/_etext or _text/_end: raw addresses\n",
			x->map_path ? x->map_path : "the System.map");
	else
		fprintf(p->out, "  symbols: none (raw addresses; give --system-map)\n");
	for (n = 0; n < x->nmods; n++)
		fprintf(p->out, "  module: %s (%s), %zu symbols\n", x->mods[n].name,
			x->mods[n].path, x->mods[n].syms.n);
}

/* The CPU notes: NT_PRSTATUS in order, the N-th being CPU N. */
static const struct kmt_note **kmt_prstatus_notes(const struct kmt_core *c, size_t *n)
{
	const struct kmt_note **pr;
	size_t i;

	for (i = 0, *n = 0; i < c->nnotes; i++)
		*n += !strcmp(c->notes[i].name, "CORE") && c->notes[i].type == NT_PRSTATUS;
	pr = kmt_calloc(*n ? *n : 1, sizeof(*pr));
	for (i = 0, *n = 0; i < c->nnotes; i++)
		if (!strcmp(c->notes[i].name, "CORE") && c->notes[i].type == NT_PRSTATUS)
			pr[(*n)++] = &c->notes[i];
	return pr;
}

void kmt_info_panic(const struct kmt_info_ctx *x)
{
	const struct kmt_core *c = x->c;
	struct kmt_cpu_view *v;
	const struct kmt_note **pr;
	struct kmt_stack *s;
	struct kmt_panic p;
	uint32_t pcpu = c->table.panic_cpu;
	size_t i, n;

	if (!c->has_table)
		return;
	if (!(c->table.flags & KMD_TABLE_F_PANIC)) {
		fprintf(x->out, "panic: none (no PANIC flag in the table: not a crash image)\n");
		return;
	}
	kmt_panic_init(&p, x);
	kmt_panic_header(&p);
	pr = kmt_prstatus_notes(c, &n);
	s = kmt_malloc(sizeof(*s));
	v = kmt_malloc(sizeof(*v));
	kmt_cpu_analyze(&p, pcpu, true, pcpu < n ? pr[pcpu] : NULL, s, v);
	kmt_cpu_print(&p, v);
	for (i = 0; i < n; i++) {
		if (i == pcpu)
			continue;
		if (x->all_cpus || !kmt_panic_all_zero(pr[i]->desc, pr[i]->descsz)) {
			kmt_cpu_analyze(&p, i, false, pr[i], s, v);
			kmt_cpu_print(&p, v);
		}
	}
	free(v);
	free(s);
	free(pr);
}

void kmt_info_panic_json(const struct kmt_info_ctx *x, struct kmt_json *j)
{
	const struct kmt_core *c = x->c;
	bool panic = c->has_table && (c->table.flags & KMD_TABLE_F_PANIC);
	uint32_t pcpu = panic ? c->table.panic_cpu : UINT32_MAX;
	struct kmt_cpu_view *v;
	const struct kmt_note **pr;
	struct kmt_stack *s;
	struct kmt_panic p;
	const char *msg;
	size_t i, n, len;
	uint64_t t;

	kmt_panic_init(&p, x);
	if (!panic) {
		kmt_json_null(j, "panic");
	} else {
		kmt_json_object(j, "panic");
		msg = c->has_vmci ? kmt_vmci_get(&c->vmci, "PANIC_MESSAGE", &len) : NULL;
		if (msg)
			kmt_json_strn(j, "message", msg, len);
		else
			kmt_json_null(j, "message");
		if (c->has_vmci && !kmt_vmci_num(&c->vmci, "CRASHTIME", 10, &t))
			kmt_json_u64(j, "crash_time", t);
		else
			kmt_json_null(j, "crash_time");
		kmt_json_u64(j, "panic_cpu", pcpu);
		if (c->has_vmci && !kmt_vmci_num(&c->vmci, "KMINIDUMP_CAPTURE_NS", 10, &t))
			kmt_json_u64(j, "capture_ns", t);
		else
			kmt_json_null(j, "capture_ns");
		kmt_json_end(j, '}');
	}
	kmt_json_object(j, "symbols");
	if (x->map_path)
		kmt_json_str(j, "system_map", x->map_path);
	else
		kmt_json_null(j, "system_map");
	kmt_json_hex(j, "kaslr", x->kaslr);
	kmt_json_bool(j, "named", p.syms);
	if (p.text_hi > p.text_lo) {
		kmt_json_hex(j, "text_lo", p.text_lo);
		kmt_json_hex(j, "text_hi", p.text_hi);
	} else {
		kmt_json_null(j, "text_lo");
		kmt_json_null(j, "text_hi");
	}
	kmt_json_end(j, '}');

	pr = kmt_prstatus_notes(c, &n);
	s = kmt_malloc(sizeof(*s));
	v = kmt_malloc(sizeof(*v));
	kmt_json_array(j, "cpus");
	for (i = 0; i < n; i++) {
		kmt_cpu_analyze(&p, i, i == pcpu, pr[i], s, v);
		kmt_cpu_json(j, &p, v);
	}
	if (panic && pcpu >= n) {	/* the table names a CPU without a note */
		kmt_cpu_analyze(&p, pcpu, true, NULL, s, v);
		kmt_cpu_json(j, &p, v);
	}
	kmt_json_end(j, ']');
	free(v);
	free(s);
	free(pr);
}
