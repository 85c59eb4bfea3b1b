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

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "kminidump supports Linux 6.1 and later"
#endif

/*
 * Symbol namespaces became string literals in 6.13 (commit cdd30ebb1b9f);
 * before, they were bare identifiers that the macros stringified. Nothing
 * but the version tells the two apart at preprocessing time.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define KMD_NS			"KMINIDUMP"
#else
#define KMD_NS			KMINIDUMP
#endif
#define KMD_EXPORT(sym)		EXPORT_SYMBOL_NS_GPL(sym, KMD_NS)
#define KMD_IMPORT_NS()		MODULE_IMPORT_NS(KMD_NS)

#endif /* _KMINIDUMP_COMPAT_H */
