/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ELF core a downloaded APSS region set forms, put together by QDL's
 * rules (linux-msm/qdl, sahara_build_minidump_elf): the region whose name
 * starts with KELF first, then every PT_LOAD of its program headers in
 * order, filled from a region with that physical address (QDL: the first;
 * here the first not yet taken, as the regions follow the program headers)
 * and padded with zeros to p_filesz.
 */
#ifndef _KMT_SMEMCORE_H
#define _KMT_SMEMCORE_H

#include "input/smem.h"
#include "output/stream.h"

struct kmt_smem_result {
	unsigned int loads, missing, qdl_differs;
	uint64_t bytes;
};

/* 0, KMT_EXIT_PARTIAL (PT_LOADs without a region, zero filled) or an exit code. */
int kmt_smem_core_write(const struct kmt_phys *m, const struct kmt_smem_table *t, bool force,
			struct kmt_stream *o, struct kmt_smem_result *res);

#endif /* _KMT_SMEMCORE_H */
