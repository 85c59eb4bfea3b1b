// SPDX-License-Identifier: GPL-2.0
/*
 * Symbol lookup without calling unexported kernel functions (x86 IBT and
 * arm64 kCFI kill indirect calls into them), below the VMCOREINFO resolver
 * (vmcoreinfo.c), which needs them to find the kernel's VMCOREINFO:
 *  - kprobes: register_kprobe() resolves a name through kallsyms and stores
 *    the address in the kprobe even when it then refuses a data symbol;
 *  - a table user space loads through debugfs (System.map or /proc/kallsyms),
 *    for kernels without CONFIG_KALLSYMS_ALL; its KASLR offset is measured
 *    against the exported init_task and must agree on every other exported
 *    anchor the table names, and the build it names ("# release", "# version"
 *    lines, linux_banner) must be the running one: a table of another build
 *    gives addresses that point anywhere, and the module dereferences them.
 *    Even a table that passes is only read with *_nofault by its users.
 */
#include <linux/bsearch.h>
#include <linux/ctype.h>
#include <linux/firmware.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/panic_notifier.h>
#include <linux/percpu.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include "core.h"

static bool use_kprobes = true;
module_param(use_kprobes, bool, 0444);
MODULE_PARM_DESC(use_kprobes, "Resolve symbols through kprobes when the kernel has them (default: Y)");

/*
 * Opt-in: Debian's firmware loader logs two errors for a file that is absent,
 * and most systems have kprobes and KALLSYMS_ALL, so no table at all.
 */
static bool symbols_firmware;
module_param(symbols_firmware, bool, 0444);
MODULE_PARM_DESC(symbols_firmware, "Load the symbol table installed as firmware kminidump/symbols-<release> (kminidump symbols --install) at init (default: N)");

#ifdef CONFIG_KPROBES
/*
 * Weak, and reached through pointers read at run time: the module loader
 * leaves an unresolved weak symbol at 0, so the core still loads on a kernel
 * whose KMI trims kprobes. These are exported functions, so the indirect call
 * is one IBT and kCFI accept.
 */
#pragma weak register_kprobe
#pragma weak unregister_kprobe
static int (*kmd_register_kprobe)(struct kprobe *p) = register_kprobe;
static void (*kmd_unregister_kprobe)(struct kprobe *p) = unregister_kprobe;
#endif

static bool kmd_have_kprobes;

#ifdef CONFIG_SECURITY
/*
 * Exported, but not in GKI's KMI lists: weak like register_kprobe, so the
 * core loads where it is absent (then lockdown is not known: one log line).
 */
#pragma weak security_locked_down
static int (*kmd_security_locked_down)(enum lockdown_reason what) = security_locked_down;
#endif

/* -EPERM when the kernel is locked down for @what (the lockdown LSM's own check). */
int kmd_locked_down(enum lockdown_reason what)
{
#ifdef CONFIG_SECURITY
	int (*fn)(enum lockdown_reason what) = READ_ONCE(kmd_security_locked_down);

	if (fn)
		return fn(what);
#endif
	return 0;
}

struct kmd_sym {
	unsigned long addr;
	const char *name;
};

#define KMD_SYM_CHUNK	(64 * 1024)
#define KMD_LINE_MAX	(KSYM_NAME_LEN + 64)

/* A user-supplied symbol table, while it is written and once committed. */
struct kmd_symtab {
	struct kmd_sym *syms;
	size_t nr, cap;
	struct list_head chunks;	/* name storage */
	char *chunk;
	size_t chunk_used;
	char line[KMD_LINE_MAX];	/* a line split across writes */
	size_t line_len;
	unsigned long skipped;
	long offset;			/* runtime - table address */
	unsigned long pcpu_end;		/* x86-64: zero-based per-CPU symbols below this */
	bool from_kallsyms;
	int error;
	char release[65];		/* "# release R" line, if any */
	char version[65];		/* "# version V" line, if any */
};

struct kmd_chunk {
	struct list_head list;
	char data[];
};

static DEFINE_MUTEX(kmd_syms_lock);	/* guards kmd_user */
static struct kmd_symtab *kmd_user;

static void kmd_symtab_free(struct kmd_symtab *st)
{
	struct kmd_chunk *c, *tmp;

	if (!st)
		return;
	list_for_each_entry_safe(c, tmp, &st->chunks, list)
		kfree(c);
	kvfree(st->syms);
	kfree(st);
}

#ifdef CONFIG_KPROBES
/*
 * register_kprobe() moves a symbol's address past a leading ENDBR64
 * (arch_adjust_kprobe_addr() on IBT kernels), and leaves the moved address in
 * the kprobe whether it then accepts the probe or refuses it (a data symbol,
 * a blacklisted or noinstr function such as the asm_exc_* entries): the
 * lookup would report symbol+4. Guessing from the word before is not enough
 * (data may hold those bytes, and telling text from data needs
 * kernel_text_address(), which is not exported), so ask kprobes itself about
 * @addr - 4: it moves that address to @addr exactly when @addr - 4 starts a
 * symbol (kallsyms) whose first word is ENDBR64, that is, when our symbol is
 * there. A disabled probe, as for the lookup: nothing is patched.
 */
static unsigned long kmd_text_start(unsigned long addr, int (*reg)(struct kprobe *p),
				    void (*unreg)(struct kprobe *p))
{
#ifdef CONFIG_X86_KERNEL_IBT
	struct kprobe kp = { .addr = (void *)(addr - 4), .flags = KPROBE_FLAG_DISABLED };
	u32 insn;

	if (copy_from_kernel_nofault(&insn, (void *)(addr - 4), sizeof(insn)) ||
	    insn != 0xfa1e0ff3)
		return addr;
	if (!reg(&kp))
		unreg(&kp);
	if ((unsigned long)kp.addr == addr)
		return addr - 4;
#endif
	return addr;
}
#endif

int kmd_lookup_kprobe(const char *name, unsigned long *addr)
{
#ifdef CONFIG_KPROBES
	struct kprobe kp = { .symbol_name = name, .flags = KPROBE_FLAG_DISABLED };
	int (*reg)(struct kprobe *p) = READ_ONCE(kmd_register_kprobe);
	void (*unreg)(struct kprobe *p) = READ_ONCE(kmd_unregister_kprobe);
	int ret;

	if (!kmd_have_kprobes)
		return -ENOENT;
	/* a disabled probe is never armed: no text patching for a lookup */
	ret = reg(&kp);
	if (!ret)
		unreg(&kp);
	if (!kp.addr)
		return -ENOENT;
	/* accepted or refused, kprobes may have stepped over an ENDBR64 */
	*addr = kmd_text_start((unsigned long)kp.addr, reg, unreg);
	return 0;
#else
	return -ENOENT;
#endif
}

int kminidump_kprobe_register(struct kprobe *kp)
{
#ifdef CONFIG_KPROBES
	int (*reg)(struct kprobe *p) = READ_ONCE(kmd_register_kprobe);

	if (kmd_have_kprobes)
		return reg(kp);
#endif
	return -EOPNOTSUPP;
}
EXPORT_SYMBOL_NS_GPL(kminidump_kprobe_register, KMD_NS);

void kminidump_kprobe_unregister(struct kprobe *kp)
{
#ifdef CONFIG_KPROBES
	void (*unreg)(struct kprobe *p) = READ_ONCE(kmd_unregister_kprobe);

	if (kmd_have_kprobes)
		unreg(kp);
#endif
}
EXPORT_SYMBOL_NS_GPL(kminidump_kprobe_unregister, KMD_NS);

static int kmd_sym_cmp_name(const void *key, const void *elt)
{
	return strcmp(key, ((const struct kmd_sym *)elt)->name);
}

/*
 * x86-64 links .data..percpu at 0: those symbols are offsets into each CPU's
 * area, not addresses, and KASLR does not move them (System.map and
 * /proc/kallsyms both show them zero-based).
 */
static unsigned long kmd_sym_runtime(const struct kmd_symtab *st, unsigned long addr)
{
	if (addr < st->pcpu_end)
		return addr;
	return addr + st->offset;
}

int kmd_lookup_table(const char *name, unsigned long *addr)
{
	const struct kmd_sym *s;
	int ret = -ENOENT;

	mutex_lock(&kmd_syms_lock);
	if (kmd_user) {
		s = bsearch(name, kmd_user->syms, kmd_user->nr, sizeof(*s), kmd_sym_cmp_name);
		if (s) {
			/* several local symbols share the name: which one is unknowable */
			if ((s > kmd_user->syms && !strcmp(s[-1].name, name)) ||
			    (s + 1 < kmd_user->syms + kmd_user->nr && !strcmp(s[1].name, name))) {
				ret = -ENOTUNIQ;
			} else {
				*addr = kmd_sym_runtime(kmd_user, s->addr);
				ret = 0;
			}
		}
	}
	mutex_unlock(&kmd_syms_lock);
	return ret;
}

/* kprobes, then the loaded table: what finding the kernel's VMCOREINFO may use */
int kmd_symbols_lookup(const char *name, unsigned long *addr)
{
	if (!name || !*name)
		return -EINVAL;
	if (!kmd_lookup_kprobe(name, addr))
		return 0;
	return kmd_lookup_table(name, addr);
}

/* Writing a table: parse whole lines, keep a partial one for the next write. */

static char *kmd_symtab_store(struct kmd_symtab *st, const char *name, size_t n)
{
	char *p;

	if (!st->chunk || st->chunk_used + n + 1 > KMD_SYM_CHUNK) {
		struct kmd_chunk *c = kmalloc(sizeof(*c) + KMD_SYM_CHUNK, GFP_KERNEL);

		if (!c)
			return NULL;
		list_add(&c->list, &st->chunks);
		st->chunk = c->data;
		st->chunk_used = 0;
	}
	p = st->chunk + st->chunk_used;
	memcpy(p, name, n);
	p[n] = 0;
	st->chunk_used += n + 1;
	return p;
}

static int kmd_symtab_line(struct kmd_symtab *st, char *line)
{
	char *addr_s, *type, *name;
	unsigned long addr;
	struct kmd_sym *s;

	if (line[0] == '#') {	/* "# release R", "# version V" or a comment */
		if (!strncmp(line, "# release ", 10))
			strscpy(st->release, line + 10, sizeof(st->release));
		else if (!strncmp(line, "# version ", 10))
			strscpy(st->version, line + 10, sizeof(st->version));
		return 0;
	}
	addr_s = strsep(&line, " \t");
	type = strsep(&line, " \t");
	name = strsep(&line, " \t");
	if (!addr_s || !*addr_s)
		return 0;	/* blank line */
	if (!type || !name || !*name || kstrtoul(addr_s, 16, &addr))
		return -EINVAL;
	if (line && strchr(line, '[')) {
		st->skipped++;	/* a module's symbol */
		return 0;
	}
	if (st->nr == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 4096;
		struct kmd_sym *n = kvmalloc_array(cap, sizeof(*n), GFP_KERNEL);

		if (!n)
			return -ENOMEM;
		if (st->nr)
			memcpy(n, st->syms, st->nr * sizeof(*n));
		kvfree(st->syms);
		st->syms = n;
		st->cap = cap;
	}
	s = &st->syms[st->nr];
	s->name = kmd_symtab_store(st, name, strlen(name));
	if (!s->name)
		return -ENOMEM;
	s->addr = addr;
	st->nr++;
	return 0;
}

static int kmd_symtab_feed(struct kmd_symtab *st, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n') {
			if (st->line_len >= sizeof(st->line) - 1) {
				pr_warn("symbols: line longer than %zu bytes; is this a System.map?\n",
					sizeof(st->line));
				return -EINVAL;
			}
			st->line[st->line_len++] = buf[i];
			continue;
		}
		st->line[st->line_len] = 0;
		st->line_len = 0;
		if (kmd_symtab_line(st, st->line)) {
			pr_warn("symbols: cannot parse line %zu ('%s'): expected '<hex address> <type> <name>'\n",
				st->nr + 1, st->line);
			return -EINVAL;
		}
	}
	return 0;
}

static struct kmd_symtab *kmd_symtab_new(void)
{
	struct kmd_symtab *st = kzalloc(sizeof(*st), GFP_KERNEL);

	if (st)
		INIT_LIST_HEAD(&st->chunks);
	return st;
}

int kmd_symbols_write(const char __user *ubuf, size_t len, void **state)
{
	struct kmd_symtab *st = *state;
	size_t done = 0;
	char *buf;

	if (!st) {
		st = kmd_symtab_new();
		if (!st)
			return -ENOMEM;
		*state = st;
	}
	if (st->error)
		return st->error;
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (done < len && !st->error) {
		size_t n = min_t(size_t, len - done, PAGE_SIZE);

		if (copy_from_user(buf, ubuf + done, n))
			st->error = -EFAULT;
		else
			st->error = kmd_symtab_feed(st, buf, n);
		done += n;
	}
	kfree(buf);
	return st->error;
}

static int kmd_sym_cmp(const void *a, const void *b)
{
	const struct kmd_sym *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static const struct kmd_sym *kmd_symtab_find(const struct kmd_symtab *st, const char *name)
{
	const struct kmd_sym *s = bsearch(name, st->syms, st->nr, sizeof(*s), kmd_sym_cmp_name);

	/* a name several local symbols share is no anchor */
	if (s && ((s > st->syms && !strcmp(s[-1].name, name)) ||
		  (s + 1 < st->syms + st->nr && !strcmp(s[1].name, name))))
		return NULL;
	return s;
}

/*
 * Exported symbols whose addresses the module takes directly: in data, bss,
 * rodata and text, so a table whose offset holds for init_task alone (another
 * build of the same kernel, where only some sections moved) is caught.
 * Each one the table names must agree; the default table (what kallsyms lacks)
 * names the data ones, a full System.map or /proc/kallsyms all of them.
 */
static const struct {
	const char *name;
	const void *addr;
} kmd_anchors[] = {
	{ "jiffies", (const void *)&jiffies },
	{ "init_uts_ns", &init_uts_ns },
	{ "system_state", &system_state },
	{ "panic_notifier_list", &panic_notifier_list },
	{ "schedule", schedule },
};

/* 0, or a log line naming why the table is not the running kernel's and -EINVAL. */
static int kmd_symtab_verify(struct kmd_symtab *st)
{
	const struct new_utsname *uts = &init_uts_ns.name;
	const struct kmd_sym *s;
	char banner[160];
	unsigned int i;

	if (st->release[0] && strcmp(st->release, uts->release)) {
		pr_warn("symbols: refused: the table is of release %s, this kernel is %s\n",
			st->release, uts->release);
		return -EINVAL;
	}
	if (st->version[0] && strcmp(st->version, uts->version)) {
		pr_warn("symbols: refused: the table is of build '%s', this kernel is '%s'\n",
			st->version, uts->version);
		return -EINVAL;
	}
	s = kmd_symtab_find(st, "init_task");
	if (!s) {
		pr_warn("symbols: the table has no init_task, so its KASLR offset is unknown\n");
		return -EINVAL;
	}
	st->offset = (unsigned long)&init_task - s->addr;
#if defined(CONFIG_X86_64) && defined(CONFIG_SMP)
	s = kmd_symtab_find(st, "__per_cpu_start");
	if (s && !s->addr) {
		s = kmd_symtab_find(st, "__per_cpu_end");
		st->pcpu_end = s ? s->addr : 0;
	}
	s = kmd_symtab_find(st, "this_cpu_off");
	if (s && kmd_sym_runtime(st, s->addr) != (unsigned long)&this_cpu_off) {
		pr_warn("symbols: refused: per-CPU this_cpu_off is at 0x%lx in the table, 0x%lx here (another build's table?)\n",
			kmd_sym_runtime(st, s->addr), (unsigned long)&this_cpu_off);
		return -EINVAL;
	}
#endif
	for (i = 0; i < ARRAY_SIZE(kmd_anchors); i++) {
		s = kmd_symtab_find(st, kmd_anchors[i].name);
		if (s && kmd_sym_runtime(st, s->addr) != (unsigned long)kmd_anchors[i].addr) {
			pr_warn("symbols: refused: with init_task's KASLR offset 0x%lx, %s is at 0x%lx in the table but 0x%lx here (a table of another build?)\n",
				st->offset, kmd_anchors[i].name, kmd_sym_runtime(st, s->addr),
				(unsigned long)kmd_anchors[i].addr);
			return -EINVAL;
		}
	}
	/* linux_banner is not exported: read where the table says it is, never trust it */
	s = kmd_symtab_find(st, "linux_banner");
	if (s) {
		unsigned long a = kmd_sym_runtime(st, s->addr);
		size_t rl = strlen(uts->release), n;

		/* strncpy_from_kernel_nofault is not exported: a byte at a time */
		for (n = 0; n < sizeof(banner) - 1; n++)
			if (copy_from_kernel_nofault(&banner[n], (void *)(a + n), 1) || !banner[n])
				break;
		banner[n] = 0;
		if (n < 14 + rl || strncmp(banner, "Linux version ", 14) ||
		    strncmp(banner + 14, uts->release, rl) || banner[14 + rl] != ' ') {
			pr_warn("symbols: refused: the table's linux_banner does not point at this kernel's banner (a table of another build?)\n");
			return -EINVAL;
		}
	}
	return 0;
}

/* The table is complete: sort it, check it is this kernel's and make it current. */
int kmd_symbols_commit(void *state)
{
	struct kmd_symtab *st = state, *old;
	size_t i;
	bool all_zero = true;

	if (!st)
		return 0;
	if (!st->error && st->line_len) {
		st->line[st->line_len] = 0;
		st->line_len = 0;
		st->error = kmd_symtab_line(st, st->line);
	}
	if (st->error)
		goto err;
	for (i = 0; i < st->nr && all_zero; i++)
		all_zero = !st->syms[i].addr;
	if (!st->nr || all_zero) {
		pr_warn("symbols: no usable addresses (%s); read /proc/kallsyms as root or use System.map\n",
			st->nr ? "all zero" : "empty");
		goto err;
	}
	sort(st->syms, st->nr, sizeof(*st->syms), kmd_sym_cmp, NULL);
	if (kmd_symtab_verify(st))
		goto err;
	st->from_kallsyms = !st->offset;
	mutex_lock(&kmd_syms_lock);
	old = kmd_user;
	kmd_user = st;
	mutex_unlock(&kmd_syms_lock);
	kmd_symtab_free(old);
	pr_info("symbols: loaded %zu symbols (%lu module symbols skipped), KASLR offset 0x%lx\n",
		st->nr, st->skipped, st->offset);
	return 0;
err:
	kmd_symtab_free(st);
	return -EINVAL;
}

/* A table written but never committed (its file went away without a flush). */
void kmd_symbols_discard(void *state)
{
	kmd_symtab_free(state);
}

void kmd_symbols_show(struct seq_file *m)
{
	seq_printf(m, "kprobes: %s\n", kmd_have_kprobes ? "yes" :
		   use_kprobes ? "unavailable" : "disabled (use_kprobes=0)");
	mutex_lock(&kmd_syms_lock);
	if (kmd_user)
		seq_printf(m, "table: %zu symbols, KASLR offset 0x%lx\n",
			   kmd_user->nr, kmd_user->offset);
	else
		seq_puts(m, "table: none (kminidump symbols --system-map FILE loads one)\n");
	mutex_unlock(&kmd_syms_lock);
}

/*
 * With symbols_firmware=1, a table installed as firmware,
 * kminidump/symbols-<release> (kminidump symbols --install writes it under
 * /lib/firmware), is loaded at init: under lockdown=integrity debugfs refuses
 * the writable symbols file, firmware loading is not restricted. Direct
 * filesystem lookup only. Checked exactly like a written table.
 */
static void kmd_symbols_firmware(void)
{
	char name[sizeof("kminidump/symbols-") + sizeof(init_uts_ns.name.release)];
	const struct firmware *fw;
	struct kmd_symtab *st;

	if (!symbols_firmware)
		return;
	snprintf(name, sizeof(name), "kminidump/symbols-%s", init_uts_ns.name.release);
	if (request_firmware_direct(&fw, name, NULL)) {
		pr_warn("symbols: no table installed as firmware %s (symbols_firmware=1): kminidump symbols --system-map FILE --install writes it\n",
			name);
		return;
	}
	st = kmd_symtab_new();
	if (!st) {
		release_firmware(fw);
		return;
	}
	st->error = kmd_symtab_feed(st, fw->data, fw->size);
	release_firmware(fw);
	/* the firmware loader logged the file's name; this logs what was loaded or why not */
	kmd_symbols_commit(st);
}

int kmd_symbols_init(void)
{
#ifdef CONFIG_KPROBES
	kmd_have_kprobes = use_kprobes && READ_ONCE(kmd_register_kprobe) &&
			   READ_ONCE(kmd_unregister_kprobe);
#endif
#ifdef CONFIG_SECURITY
	if (!READ_ONCE(kmd_security_locked_down))
		pr_warn("security_locked_down is not exported: the live core file cannot honour lockdown=confidentiality\n");
#endif
	if (!use_kprobes)
		pr_warn("kprobes disabled (use_kprobes=0): symbols resolve only through VMCOREINFO and a loaded table (kminidump symbols)\n");
	else if (!kmd_have_kprobes)
		pr_warn("kprobes unavailable: symbols resolve only through VMCOREINFO and a loaded table (kminidump symbols)\n");
	kmd_symbols_firmware();
	return 0;
}

void kmd_symbols_exit(void)
{
	mutex_lock(&kmd_syms_lock);
	kmd_symtab_free(kmd_user);
	kmd_user = NULL;
	mutex_unlock(&kmd_syms_lock);
}
