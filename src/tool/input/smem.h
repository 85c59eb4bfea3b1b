/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Qualcomm minidump table as boot firmware reads it after a crash:
 * SMEM (version 12, global partition) -> item 602 (the minidump TOC) ->
 * subsystem 0 (APSS, Linux) -> its region array -> the regions, each
 * downloaded as md_<name><seq_num>.BIN. Every field comes from the crashed
 * machine and is checked (docs/smem.md).
 */
#ifndef _KMT_SMEM_H
#define _KMT_SMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input/physmem.h"

#define KMT_SMEM_DEFAULT_SIZE	0x200000ULL
#define KMT_SMEM_ITEM_MD_TOC	602
#define KMT_MD_APSS_MAX		201	/* KMD_MD_APSS_MAX */

struct kmt_md_region {
	char name[17];
	uint32_t seq, valid;
	uint64_t pa, size;
};

struct kmt_smem_table {
	uint64_t toc_pa;		/* item 602 */
	uint32_t toc_size, status, revision, enabled;
	uint32_t ss_status, ss_enabled, enc_status, enc_required, count;
	uint64_t regions_pa;
	struct kmt_md_region *r;	/* the VALI regions the firmware would download */
	size_t n;
	unsigned int left_out;		/* regions the firmware would skip or fail on */
};

/*
 * Walks SMEM at @pa (@size bytes) in @m to the APSS table. 0, or an exit code
 * after one message saying which step failed and why.
 */
int kmt_smem_walk(const struct kmt_phys *m, uint64_t pa, uint64_t size, bool force,
		  struct kmt_smem_table *t);
void kmt_smem_free(struct kmt_smem_table *t);

#endif /* _KMT_SMEM_H */
