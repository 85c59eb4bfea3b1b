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

#endif /* _KMINIDUMP_COMPAT_H */
