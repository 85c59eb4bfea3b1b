/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The minidump core built from a KELF found in physical memory: which rows
 * go in (the plan), then the KELF bytes and the rows' bytes, in table order.
 */
#ifndef _KMT_MINICORE_H
#define _KMT_MINICORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input/kelf_find.h"
#include "input/physmem.h"
#include "output/stream.h"

#define KMT_REGION_LIMIT	(1ULL << 30)	/* per region, unless --force */
#define KMT_TOTAL_LIMIT		(4ULL << 30)	/* per core, unless --force */

struct kmt_extract_opts {
	bool force;
	/* the generation rule failed (docs/format.md): say so in VMCOREINFO */
	bool unstable;
	uint32_t gen_before, gen_after;
};

struct kmt_take {
	uint32_t i;		/* row and program header index */
	uint64_t pa, size;
	uint64_t in_off;	/* p_offset in RAM */
	uint64_t out_off;	/* p_offset in the output */
};

struct kmt_plan {
	const struct kmt_kelf *k;
	uint8_t *hdr;		/* the KELF with the output's program headers */
	struct kmt_take *take;
	size_t n;
	unsigned int skipped;	/* caught mid-update (BUSY, halves disagree): the reader rule */
	unsigned int partial;	/* left out because the guest got them wrong */
	char first_partial[240];	/* the first of those, for VMCOREINFO */
	uint64_t bytes;		/* of region data */
};

/*
 * Decides which rows go into the core, with a message for every row that does
 * not; never fails (p->partial says whether rows had to be left out).
 */
int kmt_extract_plan(const struct kmt_phys *m, const struct kmt_found *f,
		     const struct kmt_extract_opts *o, struct kmt_plan *p);
/* The core's bytes into @s (output/stream.h); 0 or an exit code, the message printed. */
int kmt_extract_write(const struct kmt_phys *m, const struct kmt_plan *p, struct kmt_stream *s);
void kmt_plan_free(struct kmt_plan *p);

#endif /* _KMT_MINICORE_H */
