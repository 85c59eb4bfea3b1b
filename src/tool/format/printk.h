/* SPDX-License-Identifier: GPL-2.0 */
/* The lockless printk ring (Linux 5.10+) of a core, found through VMCOREINFO alone. */
#ifndef _KMT_PRINTK_H
#define _KMT_PRINTK_H

#include <stdio.h>

#include "format/elfcore.h"

/* Prints every record as makedumpfile --dump-dmesg does; 0 or an exit code. */
int kmt_dmesg(const struct kmt_core *c, FILE *out);

#endif /* _KMT_PRINTK_H */
