// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump info, section "panic": what a crash image says about the crash
 * without vmlinux. The panic string, CRASHTIME and the crashing CPU come from
 * VMCOREINFO and the table; the registers from each CPU's NT_PRSTATUS; the
 * backtrace from the saved registers and the stack pages of the core (read by
 * virtual address through the PT_LOADs), symbolized with a System.map.
 *
 *   arm64   follows the frame-pointer chain: x29 -> { previous x29, lr }, the
 *           way arch/arm64/kernel/stacktrace.c does, while records stay in the
 *           stacks of the core and move up.
 *   x86_64  Debian kernels unwind with ORC, not frame pointers: every word from
 *           rsp to the top of the stack that points into kernel text is shown,
 *           the way the kernel's "? " lines are (unreliable by nature).
 *
 * Everything is bounded: a stack is one THREAD_SIZE window, at most 64 frames
 * or words are printed, every read is checked.
 */
#include <stdlib.h>
#include <time.h>
#include "tool.h"

#define KMD_PR_REG_OFF		112	/* pr_reg in struct elf_prstatus (64-bit) */
#define KMD_PR_PID_OFF		32	/* pr_pid */
#define KMD_X86_NREGS		27	/* struct user_regs_struct */
#define KMD_ARM64_NREGS		34	/* struct user_pt_regs: x0..x30, sp, pc, pstate */
#define KMD_THREAD_SIZE		16384	/* x86_64 and arm64 without KASAN */
#define KMD_STACK_WORDS		(KMD_THREAD_SIZE / 8)
#define KMD_MAX_FRAMES		64
#define KMD_MAX_STACKS		4	/* arm64: irq -> task and the like */
#define KMD_MAX_REGS		34

/* x86_64 kernel image window: __START_KERNEL_map .. MODULES_VADDR */
#define KMD_X86_IMAGE_LO	0xffffffff80000000ULL
#define KMD_X86_IMAGE_HI	0xffffffffc0000000ULL

/* struct user_regs_struct (arch/x86/include/asm/user_64.h), pt_regs order */
enum {
	X_R15, X_R14, X_R13, X_R12, X_RBP, X_RBX, X_R11, X_R10, X_R9, X_R8, X_RAX, X_RCX,
	X_RDX, X_RSI, X_RDI, X_ORIG_RAX, X_RIP, X_CS, X_EFLAGS, X_RSP, X_SS, X_FS_BASE,
	X_GS_BASE, X_DS, X_ES, X_FS, X_GS,
};

/* struct user_pt_regs (arch/arm64/include/uapi/asm/ptrace.h) */
enum { A_FP = 29, A_LR = 30, A_SP = 31, A_PC = 32, A_PSTATE = 33 };

struct kmd_panic {
	const struct kmd_info_ctx *x;
	FILE *out;
	bool x86, arm64;
	bool syms;			/* a System.map with text bounds */
	uint64_t text_lo, text_hi;	/* run-time _stext.._etext (init text is freed by then) */
	unsigned int va_bits;		/* arm64: to strip pointer authentication codes */
};

struct kmd_stack {
	uint64_t base;			/* THREAD_SIZE-aligned window */
	uint64_t lo, hi;		/* the part around the anchor that the core holds */
	uint8_t buf[KMD_THREAD_SIZE];
	bool ok[KMD_STACK_WORDS];	/* word i is in the core */
};

static bool kmd_panic_all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void kmd_panic_text(FILE *out, const char *v, size_t n)
{
	size_t j;

	for (j = 0; j < n && j < 512; j++)
		fputc(v[j] >= 0x20 && v[j] <= 0x7e ? v[j] : '?', out);
}

/* ---- symbols ---- */

static bool kmd_in_text(const struct kmd_panic *p, uint64_t a)
{
	return a >= p->text_lo && a < p->text_hi;
}

/* The symbol holding run-time address @va, or NULL (outside _text.._end, no map). */
static const struct kmd_sym *kmd_panic_lookup(const struct kmd_panic *p, uint64_t va)
{
	const struct kmd_info_ctx *x = p->x;
	uint64_t a = va - x->kaslr;

	if (!x->syms || !x->syms->n || !x->img_lo || !x->img_hi || a < x->img_lo ||
	    a >= x->img_hi)
		return NULL;
	return kmd_symtab_lookup(x->syms, a);
}

/*
 * "  name+0xoff/0xsize" for a kernel image address, "" when it has no name.
 * @ret: a return address, named like the kernel's %pB: the byte before it is
 * looked up, because a call to a noreturn function may be the last instruction
 * of its caller, and the return address then is the next function's first.
 */
static void kmd_panic_sym(const struct kmd_panic *p, uint64_t va, bool ret, char *buf,
			  size_t len)
{
	const struct kmd_symtab *t = p->x->syms;
	const struct kmd_sym *s = kmd_panic_lookup(p, va - ret);
	uint64_t off;
	size_t i;

	buf[0] = 0;
	if (!s)
		return;
	off = va - p->x->kaslr - s->addr;
	for (i = s - t->s + 1; i < t->n && t->s[i].addr == s->addr; i++)
		;
	if (i < t->n)
		snprintf(buf, len, "  %s+0x%llx/0x%llx", s->name, (unsigned long long)off,
			 (unsigned long long)(t->s[i].addr - s->addr));
	else
		snprintf(buf, len, "  %s+0x%llx", s->name, (unsigned long long)off);
}

/* Where kernel text is at run time: the System.map's, or a guess from VMCOREINFO. */
static void kmd_panic_text_bounds(struct kmd_panic *p)
{
	const struct kmd_info_ctx *x = p->x;
	struct kmd_text_ranges r;
	uint64_t stext;

	if (x->syms) {
		kmd_symtab_text_ranges(x->syms, &r);
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
	if (!x->c->has_vmci || kmd_vmci_num(&x->c->vmci, "SYMBOL(_stext)", 16, &stext) ||
	    stext < KMD_X86_IMAGE_LO || stext >= KMD_X86_IMAGE_HI)
		stext = KMD_X86_IMAGE_LO;
	p->text_lo = stext;
	p->text_hi = KMD_X86_IMAGE_HI;
}

/* arm64 return addresses may carry a pointer authentication code in their top bits. */
static uint64_t kmd_strip_pac(const struct kmd_panic *p, uint64_t v)
{
	if (!p->arm64 || !(v & (1ULL << 55)) || p->va_bits < 36 || p->va_bits > 52)
		return v;
	return v | ~((1ULL << p->va_bits) - 1);
}

/* ---- stacks ---- */

/* Loads the THREAD_SIZE window holding @addr; false if the core lacks @addr itself. */
static bool kmd_stack_load(const struct kmd_core *c, uint64_t addr, struct kmd_stack *s)
{
	enum { CHUNK = 512 };
	bool *ok = s->ok;
	size_t w, lo, hi, i, j;

	s->base = addr & ~(uint64_t)(KMD_THREAD_SIZE - 1);
	w = (addr - s->base) / 8;
	if (kmd_core_read_va(c, s->base + w * 8, s->buf + w * 8, 8))
		return false;
	/* whole chunks first; word by word only where a chunk is partly missing */
	for (i = 0; i < KMD_THREAD_SIZE; i += CHUNK) {
		bool all = !kmd_core_read_va(c, s->base + i, s->buf + i, CHUNK);

		for (j = i; j < i + CHUNK; j += 8)
			ok[j / 8] = all || !kmd_core_read_va(c, s->base + j, s->buf + j, 8);
	}
	for (lo = w; lo > 0 && ok[lo - 1]; lo--)
		;
	for (hi = w + 1; hi < KMD_STACK_WORDS && ok[hi]; hi++)
		;
	s->lo = s->base + lo * 8;
	s->hi = s->base + hi * 8;
	return true;
}

static uint64_t kmd_stack_word(const struct kmd_stack *s, uint64_t addr)
{
	return kmd_le64(s->buf + (addr - s->base));
}

static void kmd_stack_describe(const struct kmd_panic *p, const struct kmd_stack *s)
{
	fprintf(p->out, "      stack 0x%016llx-0x%016llx (%llu bytes in the core)\n",
		(unsigned long long)s->lo, (unsigned long long)s->hi,
		(unsigned long long)(s->hi - s->lo));
}

static void kmd_bt_pc(const struct kmd_panic *p, uint64_t pc)
{
	char sym[600];

	kmd_panic_sym(p, pc, false, sym, sizeof(sym));
	fprintf(p->out, "      %-24s 0x%016llx%s\n", "pc", (unsigned long long)pc, sym);
}

/* x86_64: every word from sp to the top of its stack that points into kernel text. */
static void kmd_bt_scan(const struct kmd_panic *p, uint64_t pc, uint64_t sp,
			struct kmd_stack *s)
{
	const char *where = p->syms ? "kernel text" : "the kernel image";
	uint64_t a, start;
	unsigned int n = 0;
	char sym[600], at[32];

	fprintf(p->out, "    backtrace: stack scan (unreliable: not every word is a return address)%s\n",
		p->syms ? "" : "; raw addresses, no --system-map: words in the kernel image, text or not");
	if (!kmd_stack_load(p->x->c, sp & ~7ULL, s)) {
		kmd_bt_pc(p, pc);
		fprintf(p->out, "      (sp 0x%016llx is not in the core: no PT_LOAD holds it; nothing to scan)\n",
			(unsigned long long)sp);
		return;
	}
	kmd_stack_describe(p, s);
	kmd_bt_pc(p, pc);
	start = (sp & 7) ? (sp | 7) + 1 : sp;	/* the first whole word at or above sp */
	for (a = start; a < s->hi; a += 8) {
		uint64_t v = kmd_stack_word(s, a);

		if (!kmd_in_text(p, v))
			continue;
		if (n == KMD_MAX_FRAMES) {
			fprintf(p->out, "      (%u words shown; stopping at sp+0x%llx)\n", n,
				(unsigned long long)(a - sp));
			return;
		}
		n++;
		kmd_panic_sym(p, v, true, sym, sizeof(sym));
		snprintf(at, sizeof(at), "[sp+0x%llx]", (unsigned long long)(a - sp));
		fprintf(p->out, "      %-24s 0x%016llx%s\n", at, (unsigned long long)v, sym);
	}
	fprintf(p->out, "      (end of the stack in the core: %u of %llu words point into %s)\n",
		n, (unsigned long long)(s->hi > start ? (s->hi - start) / 8 : 0), where);
}

/*
 * arm64: the lr register, as a frame after pc, unless the first frame record
 * holds it already or it lies in pc's own function (a stale return from an
 * earlier call). Registers taken at a function's entry (a kprobe on panic, a
 * fault in a leaf) have the caller only there: the function has not pushed
 * its frame record yet. Without a System.map the function is unknown.
 */
static void kmd_bt_lr(const struct kmd_panic *p, uint64_t pc, uint64_t lr, bool have_first,
		      uint64_t first)
{
	const struct kmd_sym *a, *b;
	char sym[600];

	lr = kmd_strip_pac(p, lr);
	if (!lr || (have_first && lr == first))
		return;
	a = kmd_panic_lookup(p, pc);
	b = kmd_panic_lookup(p, lr - 1);
	if (a && a == b)
		return;
	kmd_panic_sym(p, lr, true, sym, sizeof(sym));
	fprintf(p->out, "      %-24s 0x%016llx%s\n", "lr (register)", (unsigned long long)lr,
		sym);
}

/* arm64: the frame records { fp, lr } from x29 up, across at most a few stacks. */
static void kmd_bt_frames(const struct kmd_panic *p, uint64_t pc, uint64_t sp, uint64_t fp,
			  uint64_t lr_reg, struct kmd_stack *s)
{
	uint64_t seen[KMD_MAX_STACKS], floor;
	unsigned int nseen = 0, n, i;
	char sym[600], at[48];
	uint8_t first[8];

	fprintf(p->out, "    backtrace: frame-pointer%s\n",
		p->x->syms ? "" : "; raw addresses, no --system-map");
	if (!kmd_stack_load(p->x->c, sp & ~7ULL, s)) {
		kmd_bt_pc(p, pc);
		kmd_bt_lr(p, pc, lr_reg, false, 0);
		fprintf(p->out, "      (sp 0x%016llx is not in the core: no PT_LOAD holds it; no frames)\n",
			(unsigned long long)sp);
		return;
	}
	kmd_stack_describe(p, s);
	seen[nseen++] = s->base;
	floor = s->lo;
	kmd_bt_pc(p, pc);
	if (fp && !(fp & 7) && !kmd_core_read_va(p->x->c, fp + 8, first, 8))
		kmd_bt_lr(p, pc, lr_reg, true, kmd_strip_pac(p, kmd_le64(first)));
	else
		kmd_bt_lr(p, pc, lr_reg, false, 0);
	for (n = 0; ; n++) {
		uint64_t nfp, lr;

		if (!fp) {
			fprintf(p->out, "      (fp is 0: end of the chain)\n");
			return;
		}
		if (fp & 7) {
			fprintf(p->out, "      (fp 0x%016llx is not 8-byte aligned: stopping)\n",
				(unsigned long long)fp);
			return;
		}
		if (n == KMD_MAX_FRAMES) {
			fprintf(p->out, "      (%u frames shown; stopping)\n", n);
			return;
		}
		if (fp < s->lo || fp >= s->hi || s->hi - fp < 16) {
			uint64_t base = fp & ~(uint64_t)(KMD_THREAD_SIZE - 1);

			for (i = 0; i < nseen; i++)
				if (seen[i] == base)
					break;
			if (base == s->base) {
				fprintf(p->out, "      (frame record at 0x%016llx is not in the core: stopping)\n",
					(unsigned long long)fp);
				return;
			}
			if (i < nseen) {
				fprintf(p->out, "      (frame loop: fp 0x%016llx goes back into a stack already walked; stopping)\n",
					(unsigned long long)fp);
				return;
			}
			if (nseen == KMD_MAX_STACKS || !kmd_stack_load(p->x->c, fp, s) ||
			    s->hi - fp < 16) {
				fprintf(p->out, "      (fp 0x%016llx leaves the stacks in the core: stopping)\n",
					(unsigned long long)fp);
				return;
			}
			seen[nseen++] = s->base;
			fprintf(p->out, "      -- next stack --\n");
			kmd_stack_describe(p, s);
			floor = s->lo;
		}
		if (fp < floor) {
			fprintf(p->out, "      (frame loop: fp 0x%016llx is below the previous frame record; stopping)\n",
				(unsigned long long)fp);
			return;
		}
		nfp = kmd_stack_word(s, fp);
		lr = kmd_stack_word(s, fp + 8);
		if (!nfp && !lr) {
			fprintf(p->out, "      (final frame record at 0x%016llx)\n",
				(unsigned long long)fp);
			return;
		}
		lr = kmd_strip_pac(p, lr);
		kmd_panic_sym(p, lr, true, sym, sizeof(sym));
		snprintf(at, sizeof(at), "[fp 0x%016llx]", (unsigned long long)fp);
		fprintf(p->out, "      %-24s 0x%016llx%s\n", at, (unsigned long long)lr, sym);
		floor = fp + 16;
		fp = nfp;
	}
}

/* ---- registers ---- */

static void kmd_regs_x86(const struct kmd_panic *p, const uint64_t *r)
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

	kmd_panic_sym(p, r[X_RIP], false, sym, sizeof(sym));
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

static void kmd_regs_arm64(const struct kmd_panic *p, const uint64_t *r)
{
	FILE *o = p->out;
	char sym[600];
	int i;

	kmd_panic_sym(p, r[A_PC], false, sym, sizeof(sym));
	fprintf(o, "    pc : %016llx%s\n", (unsigned long long)r[A_PC], sym);
	kmd_panic_sym(p, kmd_strip_pac(p, r[A_LR]), true, sym, sizeof(sym));
	fprintf(o, "    lr : %016llx%s\n", (unsigned long long)r[A_LR], sym);
	fprintf(o, "    sp : %016llx pstate: %08llx\n", (unsigned long long)r[A_SP],
		(unsigned long long)r[A_PSTATE]);
	for (i = 29; i >= 0; i--)
		fprintf(o, "%sx%-2d: %016llx%s", i % 3 == 2 ? "    " : " ", i,
			(unsigned long long)r[i], i % 3 == 0 ? "\n" : "");
}

/* One CPU: pid, registers, backtrace. @t may be NULL (no note for this CPU). */
static void kmd_panic_cpu(const struct kmd_panic *p, size_t cpu, bool panic_cpu,
			  const struct kmd_note *t, struct kmd_stack *s)
{
	size_t nregs = p->x86 ? KMD_X86_NREGS : KMD_ARM64_NREGS, need, i;
	const char *tag = panic_cpu ? " (panic cpu)" : "";
	uint64_t r[KMD_MAX_REGS];

	if (!t) {
		fprintf(p->out, "  cpu %zu%s: no NT_PRSTATUS note for it\n", cpu, tag);
		return;
	}
	if (kmd_panic_all_zero(t->desc, t->descsz)) {
		fprintf(p->out, "  cpu %zu%s: NT_PRSTATUS empty (registers not saved)\n", cpu, tag);
		return;
	}
	fprintf(p->out, "  cpu %zu%s:", cpu, tag);
	if (t->descsz >= KMD_PR_PID_OFF + 4)
		fprintf(p->out, " pid %d", (int32_t)kmd_le32(t->desc + KMD_PR_PID_OFF));
	fputc('\n', p->out);
	if (!p->x86 && !p->arm64) {
		fprintf(p->out, "    registers: not decoded for this machine (x86_64 and aarch64 are)\n");
		return;
	}
	need = KMD_PR_REG_OFF + nregs * 8;
	if (t->descsz < need) {
		fprintf(p->out, "    registers: NT_PRSTATUS is truncated: %zu bytes, the %s registers end at %zu\n",
			t->descsz, p->x86 ? "x86_64" : "aarch64", need);
		return;
	}
	for (i = 0; i < nregs; i++)
		r[i] = kmd_le64(t->desc + KMD_PR_REG_OFF + i * 8);
	if (p->x86) {
		kmd_regs_x86(p, r);
		kmd_bt_scan(p, r[X_RIP], r[X_RSP], s);
	} else {
		kmd_regs_arm64(p, r);
		kmd_bt_frames(p, r[A_PC], r[A_SP], r[A_FP], r[A_LR], s);
	}
}

static void kmd_panic_header(const struct kmd_panic *p)
{
	const struct kmd_core *c = p->x->c;
	const struct kmd_info_ctx *x = p->x;
	const char *v;
	uint64_t t;
	size_t n;

	fprintf(p->out, "panic:\n");
	if (!c->has_vmci) {
		fprintf(p->out, "  (no VMCOREINFO: no panic message, no crash time)\n");
	} else {
		v = kmd_vmci_get(&c->vmci, "PANIC_MESSAGE", &n);
		fprintf(p->out, "  message: ");
		if (v)
			kmd_panic_text(p->out, v, n);
		else
			fprintf(p->out, "(none in VMCOREINFO)");
		fputc('\n', p->out);
		if (!kmd_vmci_num(&c->vmci, "CRASHTIME", 10, &t)) {
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
	if (c->has_vmci && !kmd_vmci_num(&c->vmci, "KMINIDUMP_CAPTURE_NS", 10, &t))
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
}

void kmd_info_panic(const struct kmd_info_ctx *x)
{
	const struct kmd_core *c = x->c;
	struct kmd_panic p = { .x = x, .out = x->out };
	const struct kmd_note **pr;
	struct kmd_stack *s;
	size_t i, n = 0;
	uint64_t v;

	if (!c->has_table)
		return;
	if (!(c->table.flags & KMD_TABLE_F_PANIC)) {
		fprintf(x->out, "panic: none (no PANIC flag in the table: not a crash image)\n");
		return;
	}
	p.x86 = c->machine == EM_X86_64 && !c->big_endian && gelf_getclass(c->elf) == ELFCLASS64;
	p.arm64 = c->machine == EM_AARCH64 && !c->big_endian &&
		  gelf_getclass(c->elf) == ELFCLASS64;
	p.va_bits = 48;
	if (c->has_vmci) {
		if (!kmd_vmci_num(&c->vmci, "NUMBER(TCR_EL1_T1SZ)", 16, &v) && v >= 12 && v <= 28)
			p.va_bits = 64 - v;
		else if (!kmd_vmci_num(&c->vmci, "NUMBER(VA_BITS)", 10, &v) && v >= 36 && v <= 52)
			p.va_bits = v;
	}
	kmd_panic_text_bounds(&p);
	kmd_panic_header(&p);

	for (i = 0; i < c->nnotes; i++)
		n += !strcmp(c->notes[i].name, "CORE") && c->notes[i].type == NT_PRSTATUS;
	pr = kmd_calloc(n ? n : 1, sizeof(*pr));
	for (i = 0, n = 0; i < c->nnotes; i++)
		if (!strcmp(c->notes[i].name, "CORE") && c->notes[i].type == NT_PRSTATUS)
			pr[n++] = &c->notes[i];
	s = kmd_malloc(sizeof(*s));
	kmd_panic_cpu(&p, c->table.panic_cpu, true,
		      c->table.panic_cpu < n ? pr[c->table.panic_cpu] : NULL, s);
	for (i = 0; i < n; i++) {
		if (i == c->table.panic_cpu)
			continue;
		if (x->all_cpus || !kmd_panic_all_zero(pr[i]->desc, pr[i]->descsz))
			kmd_panic_cpu(&p, i, false, pr[i], s);
	}
	free(s);
	free(pr);
}
