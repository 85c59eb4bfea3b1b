// SPDX-License-Identifier: GPL-2.0
/*
 * What every finder of this module calls: symbol lookup and safe reads through
 * the core, and registration with bookkeeping, so that what a finder found or
 * why it failed shows in the log and in debugfs "kernel", and so that unload
 * removes every region this module registered.
 */
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "kernel.h"

static DEFINE_MUTEX(kmk_lock);	/* guards the id list */
static u32 *kmk_ids;
static unsigned int kmk_nids, kmk_ids_cap;

/* module init runs one finder at a time: no lock needed for what it notes */
static unsigned int kmk_sources_seen;

void kmk_sources_start(void)
{
	kmk_sources_seen = 0;
}

void kmk_sources_note(unsigned int src)
{
	kmk_sources_seen |= src;
}

/*
 * What the finder noted; a finder that resolved nothing linked to an exported
 * symbol, and one that read no size from VMCOREINFO, BTF or memory took it
 * from the headers.
 */
void kmk_sources_take(struct kmk_region *r)
{
	unsigned int src = kmk_sources_seen;

	if (!(src & (KMK_SRC_KALLSYMS | KMK_SRC_VMCOREINFO | KMK_SRC_TABLE | KMK_SRC_BTF |
		     KMK_SRC_POINTERS | KMK_SRC_OWN)))
		src |= KMK_SRC_EXPORTED;
	if (!(src & (KMK_SRC_VMCOREINFO | KMK_SRC_BTF | KMK_SRC_POINTERS | KMK_SRC_OWN)))
		src |= KMK_SRC_HEADERS;
	r->sources = src;
	kmk_sources_seen = 0;
}

/* "kallsyms+headers": the names of @src, in KMK_SRC_* order */
int kmk_sources_str(unsigned int src, char *buf, size_t size)
{
	static const char * const names[] = { "exported", "kallsyms", "vmcoreinfo", "table",
					       "btf", "headers", "pointers", "own" };
	unsigned int i;
	int n = 0;

	buf[0] = 0;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (src & BIT(i))
			n += scnprintf(buf + n, size - n, "%s%s", n ? "+" : "", names[i]);
	return n;
}

int kmk_sym(const char *name, unsigned long *addr)
{
	static const unsigned int src[] = {
		[KMINIDUMP_SYM_KALLSYMS] = KMK_SRC_KALLSYMS,
		[KMINIDUMP_SYM_VMCOREINFO] = KMK_SRC_VMCOREINFO,
		[KMINIDUMP_SYM_TABLE] = KMK_SRC_TABLE,
	};
	int ret = kminidump_lookup_symbol_from(name, addr);

	if (ret < 0)
		return ret;
	if (ret < ARRAY_SIZE(src))
		kmk_sources_note(src[ret]);
	return 0;
}

int kmk_read_ulong(unsigned long addr, unsigned long *val)
{
	if (copy_from_kernel_nofault(val, (void *)addr, sizeof(*val)))
		return -EFAULT;
	kmk_sources_note(KMK_SRC_POINTERS);
	return 0;
}

int kmk_missing(struct kmk_region *r, int err, const char *why)
{
	r->err = err;
	r->why = why;
	return err;
}

static int kmk_remember(u32 id)
{
	int ret = 0;

	mutex_lock(&kmk_lock);
	if (kmk_nids == kmk_ids_cap) {
		unsigned int cap = kmk_ids_cap ? kmk_ids_cap * 2 : 64;
		u32 *ids = krealloc_array(kmk_ids, cap, sizeof(*ids), GFP_KERNEL);

		if (ids) {
			kmk_ids = ids;
			kmk_ids_cap = cap;
		} else {
			ret = -ENOMEM;
		}
	}
	if (!ret)
		kmk_ids[kmk_nids++] = id;
	mutex_unlock(&kmk_lock);
	return ret;
}

static int kmk_registered(struct kmk_region *r, int ret, size_t size)
{
	if (ret < 0)
		return kmk_missing(r, ret, "registration refused (see the log line above)");
	if (kmk_remember(ret)) {
		kminidump_unregister(ret);
		return kmk_missing(r, -ENOMEM, "out of memory");
	}
	r->rows_added++;
	r->bytes += size;
	return ret;
}

int kmk_register_va(struct kmk_region *r, u32 id, const char *name,
		    unsigned long va, size_t size, u32 flags)
{
	return kmk_registered(r, kminidump_register_va(id, name, (void *)va, size, flags), size);
}

int kmk_register_pa(struct kmk_region *r, u32 id, const char *name,
		    phys_addr_t pa, size_t size)
{
	return kmk_registered(r, kminidump_register_pa(id, name, pa, size, 0), size);
}

/* Remove every region registered through kmk_register_*(), newest first. */
void kmk_unregister_all(void)
{
	mutex_lock(&kmk_lock);
	while (kmk_nids)
		kminidump_unregister(kmk_ids[--kmk_nids]);
	kfree(kmk_ids);
	kmk_ids = NULL;
	kmk_ids_cap = 0;
	mutex_unlock(&kmk_lock);
}
