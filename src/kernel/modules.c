// SPDX-License-Identifier: GPL-2.0
/*
 * The loaded modules, as crash, drgn and `kminidump info` read them:
 *   - the `modules` list head and every struct module: crash 8.0.2 refuses a
 *     core without them (read error on "modules") and lists them with `mod`;
 *   - each module's exported-symbol arrays and their strings, which crash
 *     reads with FAULT_ON_ERROR while it gathers module symbols;
 *   - a table of our own (include/uapi/kminidump_modules.h, row "kmods",
 *     VMCOREINFO KMINIDUMP_MODULES=) with each module's name, text, data and
 *     kallsyms addresses, which the panic capture (capture_mod.c) reads to
 *     find the modules a stack names and the host tool reads to name frames.
 * Kept up to date by a module notifier; the panic path reads only the table,
 * lock-free (an entry is published with a release store of its state).
 */
#include <linux/ctype.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/kminidump_modules.h>
#include "capture.h"

/* crash reads this many bytes past the last exported name (its BUFSIZE) */
#define KMK_CRASH_STRBUF	1500

/* The export table's entry with PREL32 relocations (kernel/module/internal.h on 6.12). */
struct kmk_ksym {
#ifdef CONFIG_HAVE_ARCH_PREL32_RELOCATIONS
	int value_offset, name_offset, namespace_offset;
#else
	unsigned long value;
	const char *name, *namespace;
#endif
};

enum { KMK_MR_MOD, KMK_MR_SYMS, KMK_MR_SYMSTR, KMK_MR_GPL, KMK_MR_GPLSTR, KMK_MR_N };

struct kmk_mod_rows {
	struct module *mod;
	u32 ids[KMK_MR_N];
};

struct kmk_region kmk_modules_region = { .name = "modules", .sets = KMK_SET_MINIMAL |
					  KMK_SET_DEFAULT };
struct kmd_mods *kmk_mods;			/* the table, registered as row "kmods" */
struct kmd_mod_entry *kmk_mod_entries;		/* its entries, after the header */
static struct kmk_mod_rows kmk_mod_rows[KMK_MODS_MAX];
static DEFINE_MUTEX(kmk_mods_lock);		/* writers of the table and kmk_mod_rows */
static u32 kmk_mods_id, kmk_head_id;
unsigned long kmk_mods_lo = ULONG_MAX, kmk_mods_hi;
bool kmk_mods_on;				/* the table is ready: the panic may read it */

static const char *kmk_ksym_name(const struct kmk_ksym *s)
{
#ifdef CONFIG_HAVE_ARCH_PREL32_RELOCATIONS
	return (const char *)&s->name_offset + s->name_offset;
#else
	return s->name;
#endif
}

/* The end of the module memory range holding @addr, 0 if none does. */
static unsigned long kmk_mod_range_end(const struct module *mod, unsigned long addr)
{
	unsigned long base[KMD_MOD_RANGES];
	unsigned int size[KMD_MOD_RANGES], i, n = kmd_mod_ranges(mod, base, size);

	for (i = 0; i < n; i++)
		if (addr >= base[i] && addr < base[i] + size[i])
			return base[i] + size[i];
	return 0;
}

static int kmk_mod_register(struct kmk_mod_rows *mr, unsigned int slot, const char *fmt,
			    unsigned int which, const void *va, size_t size)
{
	char name[16];
	int ret;

	snprintf(name, sizeof(name), fmt, slot);
	ret = kminidump_register_va(0, name, va, size, 0);
	if (ret < 0)
		return ret;
	mr->ids[which] = ret;
	kmk_modules_region.rows_added++;
	kmk_modules_region.bytes += size;
	return 0;
}

/*
 * An export table and the strings crash reads with it: from the lowest name
 * to the highest plus its BUFSIZE, cut at the end of the module range.
 */
static int kmk_mod_ksyms(struct kmk_mod_rows *mr, unsigned int slot, const char *fmt,
			 const char *sfmt, unsigned int which, const struct kmk_ksym *syms,
			 unsigned int n)
{
	unsigned long first = ULONG_MAX, last = 0, end, a;
	unsigned int i;
	int ret;

	/* crash, too, leaves out an export table outside the module's memory */
	if (!n || !syms || n > SZ_64K || !kmk_mod_range_end(mr->mod, (unsigned long)syms))
		return 0;
	ret = kmk_mod_register(mr, slot, fmt, which, syms, n * sizeof(*syms));
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		a = (unsigned long)kmk_ksym_name(&syms[i]);
		first = min(first, a);
		last = max(last, a);
	}
	end = kmk_mod_range_end(mr->mod, first);
	if (!end)
		return 0;	/* crash then reads the names one by one: not from module memory */
	return kmk_mod_register(mr, slot, sfmt, which + 1, (void *)first,
				min(last + KMK_CRASH_STRBUF, end) - first);
}

static void kmk_mod_fill(struct kmd_mod_entry *e, struct module *mod)
{
	unsigned long base[KMD_MOD_RANGES];
	unsigned int size[KMD_MOD_RANGES], n = kmd_mod_ranges(mod, base, size);

	e->module = (unsigned long)mod;
	e->text = base[0];
	e->text_size = kmd_mod_text_size(mod);
	e->data = n > 1 ? base[1] : base[0];
	e->data_size = n > 1 ? size[1] : size[0];
#ifdef CONFIG_KALLSYMS
	e->symtab = (unsigned long)mod->core_kallsyms.symtab;
	e->num_symtab = mod->core_kallsyms.num_symtab;
	e->strtab = (unsigned long)mod->core_kallsyms.strtab;
	/* the type table follows the string table (kernel/module/kallsyms.c) */
	if (mod->core_kallsyms.typetab > mod->core_kallsyms.strtab)
		e->strtab_size = mod->core_kallsyms.typetab - mod->core_kallsyms.strtab;
#endif
	strscpy(e->name, mod->name, sizeof(e->name));
}

static void kmk_mod_remove_slot(unsigned int i)
{
	struct kmk_mod_rows *mr = &kmk_mod_rows[i];

	WRITE_ONCE(kmk_mod_entries[i].state, KMD_MOD_ST_FREE);
	kmk_release(mr->ids, KMK_MR_N);
	mr->mod = NULL;
}

/* Process context, kmk_mods_lock held. */
static void kmk_mod_add(struct module *mod)
{
	struct kmk_mod_rows *mr = NULL;
	struct kmd_mod_entry *e;
	unsigned int i;
	int ret;

	for (i = 0; i < KMK_MODS_MAX; i++) {
		if (kmk_mod_rows[i].mod == mod)
			return;		/* already there: the load-time walk met it too */
		if (!mr && !kmk_mod_rows[i].mod)
			mr = &kmk_mod_rows[i];
	}
	if (!mr) {
		if (!kmk_mods->dropped++)
			pr_warn("modules: more than %u modules: %s and later ones not in the minidump\n",
				KMK_MODS_MAX, mod->name);
		return;
	}
	i = mr - kmk_mod_rows;
	mr->mod = mod;
	e = &kmk_mod_entries[i];
	WRITE_ONCE(e->state, KMD_MOD_ST_BUSY);
	smp_wmb();	/* BUSY before the fields change */
	memset((char *)e + sizeof(e->state), 0, sizeof(*e) - sizeof(e->state));
	kmk_mod_fill(e, mod);
	ret = kmk_mod_register(mr, i, "mod%u", KMK_MR_MOD, mod, sizeof(*mod));
	if (!ret)
		ret = kmk_mod_ksyms(mr, i, "msyms%u", "msymstr%u", KMK_MR_SYMS,
				    (const struct kmk_ksym *)mod->syms, mod->num_syms);
	if (!ret)
		ret = kmk_mod_ksyms(mr, i, "mgpl%u", "mgplstr%u", KMK_MR_GPL,
				    (const struct kmk_ksym *)mod->gpl_syms, mod->num_gpl_syms);
	if (ret)
		pr_warn("modules: %s: no room for its rows (%d): crash may refuse the minidump (raise kminidump.capacity)\n",
			mod->name, ret);
	/* pairs with the panic reader's acquire: the fields before VALID */
	smp_store_release(&e->state, KMD_MOD_ST_VALID);
	/* bounds of every text seen, only widened: a quick no for most stack words */
	if (e->text_size) {
		WRITE_ONCE(kmk_mods_lo, min_t(unsigned long, READ_ONCE(kmk_mods_lo), e->text));
		WRITE_ONCE(kmk_mods_hi, max_t(unsigned long, READ_ONCE(kmk_mods_hi),
					      e->text + e->text_size));
	}
}

static void kmk_mod_remove(struct module *mod)
{
	unsigned int i;

	for (i = 0; i < KMK_MODS_MAX; i++)
		if (kmk_mod_rows[i].mod == mod)
			kmk_mod_remove_slot(i);
}

/*
 * Runs before the core's notifier (priority 1 against 0): a going module's
 * rows are ours to remove, so the core does not log them as left behind.
 */
static int kmk_mod_event(struct notifier_block *nb, unsigned long action, void *data)
{
	struct module *mod = data;

	if (action != MODULE_STATE_COMING && action != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	mutex_lock(&kmk_mods_lock);
	if (action == MODULE_STATE_COMING)
		kmk_mod_add(mod);
	else
		kmk_mod_remove(mod);
	mutex_unlock(&kmk_mods_lock);
	return NOTIFY_OK;
}

static struct notifier_block kmk_mod_nb = {
	.notifier_call = kmk_mod_event,
	.priority = 1,
};

/*
 * A node of the module list is a module's when the struct module around it
 * lies inside that module's own memory (the loader places it in the module's
 * data); the list head, in the kernel's data, is not (its surroundings are
 * read nofault: whatever they hold). An address range test cannot tell them
 * apart: arm64 maps the kernel image inside the vmalloc area, next to modules.
 * The symbol, where it resolves, settles it first.
 */
static bool kmk_is_module_node(struct list_head *p, unsigned long head_sym)
{
	static struct module copy;	/* init only, one caller: kmk_mods_walk() */
	unsigned long m = (unsigned long)list_entry(p, struct module, list);

	unsigned int i;

	if ((head_sym && (unsigned long)p == head_sym) ||
	    copy_from_kernel_nofault(&copy, (void *)m, sizeof(copy)) ||
	    copy.state > MODULE_STATE_UNFORMED || !copy.name[0])
		return false;
	for (i = 0; i < sizeof(copy.name) && copy.name[i]; i++)
		if (!isalnum(copy.name[i]) && copy.name[i] != '_' && copy.name[i] != '-')
			return false;
	return i < sizeof(copy.name) && kmk_mod_range_end(&copy, m) &&
	       kmk_mod_range_end(&copy, m + sizeof(copy) - 1);
}

/*
 * The modules already loaded (this one included), and the list head: walked
 * from our own entry under RCU, as the kernel's readers of the list do; each
 * module held with a reference while its rows are added.
 */
static void kmk_mods_walk(void)
{
	static struct module *found[KMK_MODS_MAX];
	struct list_head *p, *head = NULL;
	unsigned int n = 0, i, guard = 0;
	unsigned long head_sym = 0;

	if (kmk_sym("modules", &head_sym))
		head_sym = 0;
	rcu_read_lock();
	for (p = &THIS_MODULE->list; guard < 4 * KMK_MODS_MAX; guard++) {
		p = rcu_dereference(list_next_rcu(p));
		if (p == &THIS_MODULE->list)
			break;
		if (!kmk_is_module_node(p, head_sym)) {
			head = p;
			continue;
		}
		if (n < KMK_MODS_MAX) {
			struct module *m = list_entry(p, struct module, list);

			if (m->state != MODULE_STATE_UNFORMED && try_module_get(m))
				found[n++] = m;
		}
	}
	rcu_read_unlock();
	if (head) {
		int ret = kminidump_register_va(0, "modules", head, sizeof(*head), 0);

		if (ret > 0) {
			kmk_head_id = ret;
			kmk_modules_region.rows_added++;
			kmk_modules_region.bytes += sizeof(*head);
		}
	}
	if (!kmk_head_id)
		pr_warn("modules: the list head was not found: crash needs --no_modules\n");
	mutex_lock(&kmk_mods_lock);
	kmk_mod_add(THIS_MODULE);
	for (i = 0; i < n; i++) {
		kmk_mod_add(found[i]);
		module_put(found[i]);
	}
	mutex_unlock(&kmk_mods_lock);
}

int kmk_modules_init(void)
{
	size_t size = sizeof(*kmk_mods) + KMK_MODS_MAX * sizeof(*kmk_mod_entries);
	int ret;

	if (!(kmk_current_sets() & kmk_modules_region.sets)) {
		kmk_modules_region.sets = 0;	/* off: not listed */
		return 0;
	}
	kmk_mods = kzalloc(size, GFP_KERNEL);
	if (!kmk_mods) {
		ret = -ENOMEM;
		goto err_missing;
	}
	kmk_mod_entries = (struct kmd_mod_entry *)(kmk_mods + 1);
	memcpy(kmk_mods->magic, KMD_MODS_MAGIC, sizeof(kmk_mods->magic));
	kmk_mods->version = KMD_MODS_VERSION;
	kmk_mods->capacity = KMK_MODS_MAX;
	kmk_mods->entry_size = sizeof(struct kmd_mod_entry);
	ret = kminidump_register_va(0, "kmods", kmk_mods, size, 0);
	if (ret < 0)
		goto err_free;
	kmk_mods_id = ret;
	kmk_modules_region.rows_added++;
	kmk_modules_region.bytes += size;
	kminidump_vmcoreinfo_append("KMINIDUMP_MODULES=%lx", (unsigned long)kmk_mods);
	ret = register_module_notifier(&kmk_mod_nb);
	if (ret)
		goto err_unreg;
	kmk_mods_walk();
	ret = kmk_mod_pages_init();
	if (ret)
		pr_warn("modules: no rows for module memory at panic (%d): module frames unnamed\n",
			ret);
	smp_store_release(&kmk_mods_on, true);	/* the table filled before */
	return 0;

err_unreg:
	kminidump_unregister(kmk_mods_id);
	kmk_mods_id = 0;
err_free:
	kfree(kmk_mods);
	kmk_mods = NULL;
err_missing:
	kmk_missing(&kmk_modules_region, ret, "no table of modules (see the log)");
	pr_warn("region modules missing (%d): crash needs --no_modules\n", ret);
	return 0;	/* one feature lost, the rest loads */
}

void kmk_modules_exit(void)
{
	unsigned int i;

	if (!kmk_mods)
		return;
	WRITE_ONCE(kmk_mods_on, false);
	/* a panic reads the table with interrupts off, an RCU reader: let it finish first */
	synchronize_rcu();
	kmk_mod_pages_exit();
	unregister_module_notifier(&kmk_mod_nb);
	mutex_lock(&kmk_mods_lock);
	for (i = 0; i < KMK_MODS_MAX; i++)
		if (kmk_mod_rows[i].mod)
			kmk_mod_remove_slot(i);
	mutex_unlock(&kmk_mods_lock);
	kmk_release(&kmk_head_id, 1);
	kmk_release(&kmk_mods_id, 1);
	kfree(kmk_mods);
	kmk_mods = NULL;
}
