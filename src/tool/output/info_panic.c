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
#include <string.h>
#include <time.h>
#include "format/elfcore.h"
#include "format/symtab.h"
#include "lib/bytes.h"
#include "lib/util.h"
#include "output/info.h"

#define KMT_PR_REG_OFF		112	/* pr_reg in struct elf_prstatus (64-bit) */
#define KMT_PR_PID_OFF		32	/* pr_pid */
#define KMT_X86_NREGS		27	/* struct user_regs_struct */
#define KMT_ARM64_NREGS		34	/* struct user_pt_regs: x0..x30, sp, pc, pstate */
#define KMT_THREAD_SIZE		16384	/* x86_64 and arm64 without KASAN */
#define KMT_STACK_WORDS		(KMT_THREAD_SIZE / 8)
#define KMT_MAX_FRAMES		64
#define KMT_MAX_STACKS		4	/* arm64: irq -> task and the like */
#define KMT_MAX_REGS		34

/* x86_64 kernel image window: __START_KERNEL_map .. MODULES_VADDR */
#define KMT_X86_IMAGE_LO	0xffffffff80000000ULL
#define KMT_X86_IMAGE_HI	0xffffffffc0000000ULL

/* struct user_regs_struct (arch/x86/include/asm/user_64.h), pt_regs order */
enum {
	X_R15, X_R14, X_R13, X_R12, X_RBP, X_RBX, X_R11, X_R10, X_R9, X_R8, X_RAX, X_RCX,
	X_RDX, X_RSI, X_RDI, X_ORIG_RAX, X_RIP, X_CS, X_EFLAGS, X_RSP, X_SS, X_FS_BASE,
	X_GS_BASE, X_DS, X_ES, X_FS, X_GS,
};

/* struct user_pt_regs (arch/arm64/include/uapi/asm/ptrace.h) */
enum { A_FP = 29, A_LR = 30, A_SP = 31, A_PC = 32, A_PSTATE = 33 };

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
	return a >= p->text_lo && a < p->text_hi;
}

/* The symbol holding run-time address @va, or NULL (outside _text.._end, no map). */
static const struct kmt_sym *kmt_panic_lookup(const struct kmt_panic *p, uint64_t va)
{
	const struct kmt_info_ctx *x = p->x;
	uint64_t a = va - x->kaslr;

	if (!x->syms || !x->syms->n || !x->img_lo || !x->img_hi || a < x->img_lo ||
	    a >= x->img_hi)
		return NULL;
	return kmt_symtab_lookup(x->syms, a);
}

/*
 * "  name+0xoff/0xsize" for a kernel image address, "" when it has no name.
 * @ret: a return address, named like the kernel's %pB: the byte before it is
 * looked up, because a call to a noreturn function may be the last instruction
 * of its caller, and the return address then is the next function's first.
 */
static void kmt_panic_sym(const struct kmt_panic *p, uint64_t va, bool ret, char *buf,
			  size_t len)
{
	const struct kmt_symtab *t = p->x->syms;
	const struct kmt_sym *s = kmt_panic_lookup(p, va - ret);
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

static void kmt_stack_describe(const struct kmt_panic *p, const struct kmt_stack *s)
{
	fprintf(p->out, "      stack 0x%016llx-0x%016llx (%llu bytes in the core)\n",
		(unsigned long long)s->lo, (unsigned long long)s->hi,
		(unsigned long long)(s->hi - s->lo));
}

static void kmt_bt_pc(const struct kmt_panic *p, uint64_t pc)
{
	char sym[600];

	kmt_panic_sym(p, pc, false, sym, sizeof(sym));
	fprintf(p->out, "      %-24s 0x%016llx%s\n", "pc", (unsigned long long)pc, sym);
}

/* x86_64: every word from sp to the top of its stack that points into kernel text. */
static void kmt_bt_scan(const struct kmt_panic *p, uint64_t pc, uint64_t sp,
			struct kmt_stack *s)
{
	const char *where = p->syms ? "kernel text" : "the kernel image";
	uint64_t a, start;
	unsigned int n = 0;
	char sym[600], at[32];

	fprintf(p->out, "    backtrace: stack scan (unreliable: not every word is a return address)%s\n",
		p->syms ? "" : "; raw addresses, no --system-map: words in the kernel image, text or not");
	if (!kmt_stack_load(p->x->c, sp & ~7ULL, s)) {
		kmt_bt_pc(p, pc);
		fprintf(p->out, "      (sp 0x%016llx is not in the core: no PT_LOAD holds it; nothing to scan)\n",
			(unsigned long long)sp);
		return;
	}
	kmt_stack_describe(p, s);
	kmt_bt_pc(p, pc);
	start = (sp & 7) ? (sp | 7) + 1 : sp;	/* the first whole word at or above sp */
	for (a = start; a < s->hi; a += 8) {
		uint64_t v = kmt_stack_word(s, a);

		if (!kmt_in_text(p, v))
			continue;
		if (n == KMT_MAX_FRAMES) {
			fprintf(p->out, "      (%u words shown; stopping at sp+0x%llx)\n", n,
				(unsigned long long)(a - sp));
			return;
		}
		n++;
		kmt_panic_sym(p, v, true, sym, sizeof(sym));
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
static void kmt_bt_lr(const struct kmt_panic *p, uint64_t pc, uint64_t lr, bool have_first,
		      uint64_t first)
{
	const struct kmt_sym *a, *b;
	char sym[600];

	lr = kmt_strip_pac(p, lr);
	if (!lr || (have_first && lr == first))
		return;
	a = kmt_panic_lookup(p, pc);
	b = kmt_panic_lookup(p, lr - 1);
	if (a && a == b)
		return;
	kmt_panic_sym(p, lr, true, sym, sizeof(sym));
	fprintf(p->out, "      %-24s 0x%016llx%s\n", "lr (register)", (unsigned long long)lr,
		sym);
}

/* arm64: the frame records { fp, lr } from x29 up, across at most a few stacks. */
static void kmt_bt_frames(const struct kmt_panic *p, uint64_t pc, uint64_t sp, uint64_t fp,
			  uint64_t lr_reg, struct kmt_stack *s)
{
	uint64_t seen[KMT_MAX_STACKS], floor;
	unsigned int nseen = 0, n, i;
	char sym[600], at[48];
	uint8_t first[8];

	fprintf(p->out, "    backtrace: frame-pointer%s\n",
		p->x->syms ? "" : "; raw addresses, no --system-map");
	if (!kmt_stack_load(p->x->c, sp & ~7ULL, s)) {
		kmt_bt_pc(p, pc);
		kmt_bt_lr(p, pc, lr_reg, false, 0);
		fprintf(p->out, "      (sp 0x%016llx is not in the core: no PT_LOAD holds it; no frames)\n",
			(unsigned long long)sp);
		return;
	}
	kmt_stack_describe(p, s);
	seen[nseen++] = s->base;
	floor = s->lo;
	kmt_bt_pc(p, pc);
	if (fp && !(fp & 7) && !kmt_core_read_va(p->x->c, fp + 8, first, 8))
		kmt_bt_lr(p, pc, lr_reg, true, kmt_strip_pac(p, kmt_le64(first)));
	else
		kmt_bt_lr(p, pc, lr_reg, false, 0);
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
		if (n == KMT_MAX_FRAMES) {
			fprintf(p->out, "      (%u frames shown; stopping)\n", n);
			return;
		}
		if (fp < s->lo || fp >= s->hi || s->hi - fp < 16) {
			uint64_t base = fp & ~(uint64_t)(KMT_THREAD_SIZE - 1);

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
			if (nseen == KMT_MAX_STACKS || !kmt_stack_load(p->x->c, fp, s) ||
			    s->hi - fp < 16) {
				fprintf(p->out, "      (fp 0x%016llx leaves the stacks in the core: stopping)\n",
					(unsigned long long)fp);
				return;
			}
			seen[nseen++] = s->base;
			fprintf(p->out, "      -- next stack --\n");
			kmt_stack_describe(p, s);
			floor = s->lo;
		}
		if (fp < floor) {
			fprintf(p->out, "      (frame loop: fp 0x%016llx is below the previous frame record; stopping)\n",
				(unsigned long long)fp);
			return;
		}
		nfp = kmt_stack_word(s, fp);
		lr = kmt_stack_word(s, fp + 8);
		if (!nfp && !lr) {
			fprintf(p->out, "      (final frame record at 0x%016llx)\n",
				(unsigned long long)fp);
			return;
		}
		lr = kmt_strip_pac(p, lr);
		kmt_panic_sym(p, lr, true, sym, sizeof(sym));
		snprintf(at, sizeof(at), "[fp 0x%016llx]", (unsigned long long)fp);
		fprintf(p->out, "      %-24s 0x%016llx%s\n", at, (unsigned long long)lr, sym);
		floor = fp + 16;
		fp = nfp;
	}
}

/* ---- registers ---- */

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

/* One CPU: pid, registers, backtrace. @t may be NULL (no note for this CPU). */
static void kmt_panic_cpu(const struct kmt_panic *p, size_t cpu, bool panic_cpu,
			  const struct kmt_note *t, struct kmt_stack *s)
{
	size_t nregs = p->x86 ? KMT_X86_NREGS : KMT_ARM64_NREGS, need, i;
	const char *tag = panic_cpu ? " (panic cpu)" : "";
	uint64_t r[KMT_MAX_REGS];

	if (!t) {
		fprintf(p->out, "  cpu %zu%s: no NT_PRSTATUS note for it\n", cpu, tag);
		return;
	}
	if (kmt_panic_all_zero(t->desc, t->descsz)) {
		fprintf(p->out, "  cpu %zu%s: NT_PRSTATUS empty (registers not saved)\n", cpu, tag);
		return;
	}
	fprintf(p->out, "  cpu %zu%s:", cpu, tag);
	if (t->descsz >= KMT_PR_PID_OFF + 4)
		fprintf(p->out, " pid %d", (int32_t)kmt_le32(t->desc + KMT_PR_PID_OFF));
	fputc('\n', p->out);
	if (!p->x86 && !p->arm64) {
		fprintf(p->out, "    registers: not decoded for this machine (x86_64 and aarch64 are)\n");
		return;
	}
	need = KMT_PR_REG_OFF + nregs * 8;
	if (t->descsz < need) {
		fprintf(p->out, "    registers: NT_PRSTATUS is truncated: %zu bytes, the %s registers end at %zu\n",
			t->descsz, p->x86 ? "x86_64" : "aarch64", need);
		return;
	}
	for (i = 0; i < nregs; i++)
		r[i] = kmt_le64(t->desc + KMT_PR_REG_OFF + i * 8);
	if (p->x86) {
		kmt_regs_x86(p, r);
		kmt_bt_scan(p, r[X_RIP], r[X_RSP], s);
	} else {
		kmt_regs_arm64(p, r);
		kmt_bt_frames(p, r[A_PC], r[A_SP], r[A_FP], r[A_LR], s);
	}
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
}

void kmt_info_panic(const struct kmt_info_ctx *x)
{
	const struct kmt_core *c = x->c;
	struct kmt_panic p = { .x = x, .out = x->out };
	const struct kmt_note **pr;
	struct kmt_stack *s;
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
		if (!kmt_vmci_num(&c->vmci, "NUMBER(TCR_EL1_T1SZ)", 16, &v) && v >= 12 && v <= 28)
			p.va_bits = 64 - v;
		else if (!kmt_vmci_num(&c->vmci, "NUMBER(VA_BITS)", 10, &v) && v >= 36 && v <= 52)
			p.va_bits = v;
	}
	kmt_panic_text_bounds(&p);
	kmt_panic_header(&p);

	for (i = 0; i < c->nnotes; i++)
		n += !strcmp(c->notes[i].name, "CORE") && c->notes[i].type == NT_PRSTATUS;
	pr = kmt_calloc(n ? n : 1, sizeof(*pr));
	for (i = 0, n = 0; i < c->nnotes; i++)
		if (!strcmp(c->notes[i].name, "CORE") && c->notes[i].type == NT_PRSTATUS)
			pr[n++] = &c->notes[i];
	s = kmt_malloc(sizeof(*s));
	kmt_panic_cpu(&p, c->table.panic_cpu, true,
		      c->table.panic_cpu < n ? pr[c->table.panic_cpu] : NULL, s);
	for (i = 0; i < n; i++) {
		if (i == c->table.panic_cpu)
			continue;
		if (x->all_cpus || !kmt_panic_all_zero(pr[i]->desc, pr[i]->descsz))
			kmt_panic_cpu(&p, i, false, pr[i], s);
	}
	free(s);
	free(pr);
}
