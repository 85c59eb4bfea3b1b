/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel differences, in one place. Force-included into every kminidump
 * object by Kbuild. Shims are named after the upstream API they stand in for
 * and are chosen by feature, not by version; the version test below only sets
 * the floor.
 */
#ifndef _KMINIDUMP_COMPAT_H
#define _KMINIDUMP_COMPAT_H

#include <linux/version.h>
#include <linux/module.h>

#if LINUX_VERSION_MAJOR < 6 || (LINUX_VERSION_MAJOR == 6 && LINUX_VERSION_PATCHLEVEL < 1)
#error "kminidump supports Linux 6.1 and later"
#endif

/*
 * Symbol namespaces became string literals in 6.13 (commit cdd30ebb1b9f);
 * before, they were bare identifiers that the macros stringified. Nothing
 * but the version tells the two apart at preprocessing time.
 */
#if LINUX_VERSION_MAJOR > 6 || (LINUX_VERSION_MAJOR == 6 && LINUX_VERSION_PATCHLEVEL >= 13)
#define KMD_NS			"KMINIDUMP"
#else
#define KMD_NS			KMINIDUMP
#endif

/*
 * A module's memory: one core_layout (text first, then rodata and data,
 * kallsyms at its end) until 6.4, then mem[] by type (commit ac3b43283923).
 * for_each_mod_mem_type() arrived with mem[]. Ranges: the text first.
 */
#define KMD_MOD_RANGES		4
#ifdef for_each_mod_mem_type
static inline unsigned int kmd_mod_ranges(const struct module *m, unsigned long *base,
					  unsigned int *size)
{
	static const enum mod_mem_type t[KMD_MOD_RANGES] = {
		MOD_TEXT, MOD_DATA, MOD_RODATA, MOD_RO_AFTER_INIT,
	};
	unsigned int i;

	for (i = 0; i < KMD_MOD_RANGES; i++) {
		base[i] = (unsigned long)m->mem[t[i]].base;
		size[i] = m->mem[t[i]].size;
	}
	return KMD_MOD_RANGES;
}

static inline unsigned int kmd_mod_text_size(const struct module *m)
{
	return m->mem[MOD_TEXT].size;
}
#else
static inline unsigned int kmd_mod_ranges(const struct module *m, unsigned long *base,
					  unsigned int *size)
{
	base[0] = (unsigned long)m->core_layout.base;
	size[0] = m->core_layout.size;
	return 1;
}

static inline unsigned int kmd_mod_text_size(const struct module *m)
{
	return m->core_layout.text_size;
}
#endif

#endif /* _KMINIDUMP_COMPAT_H */
