/* SPDX-License-Identifier: GPL-2.0 */
/* Finding the kminidump_rmem locator in physical memory: at a given address, or by a scan. */
#ifndef _KMT_LOCATOR_FIND_H
#define _KMT_LOCATOR_FIND_H

#include <stdbool.h>
#include <stdint.h>

#include "format/locator.h"
#include "input/physmem.h"

/*
 * @have_pa: read the locator at @pa; otherwise try every page-aligned address
 * (O(RAM pages), no copy). Follows the reader's rule of the header: the
 * snapshot is taken when seq is even and the same before and after.
 */
int kmt_find_locator(const struct kmt_phys *m, bool have_pa, uint64_t pa,
		     struct kmt_locator *out, uint64_t *found_pa);

#endif /* _KMT_LOCATOR_FIND_H */
