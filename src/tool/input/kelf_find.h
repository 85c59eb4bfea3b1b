/* SPDX-License-Identifier: GPL-2.0 */
/* Finding the KELF header in physical memory: at a given address, or by a scan. */
#ifndef _KMT_KELF_FIND_H
#define _KMT_KELF_FIND_H

#include <stdbool.h>
#include <stdint.h>

#include "format/kelf.h"
#include "input/physmem.h"

struct kmt_found {
	uint64_t pa;
	uint8_t *buf;		/* kelf_size bytes, owned */
	struct kmt_kelf k;
};

/* @have_pa: use @pa; otherwise scan. */
int kmt_find_kelf(const struct kmt_phys *m, bool have_pa, uint64_t pa, struct kmt_found *out);
void kmt_found_free(struct kmt_found *f);

#endif /* _KMT_KELF_FIND_H */
