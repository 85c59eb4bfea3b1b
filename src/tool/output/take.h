/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Taking the minidump out of physical memory and writing it, the one path
 * `extract` and `collect` share: where KELF is (a scan, a known PA, the
 * kminidump_rmem locator), the generation rule with its retries, the plan and
 * the output. Stage times are measured for collect's report.
 */
#ifndef _KMT_TAKE_H
#define _KMT_TAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "format/locator.h"
#include "input/physmem.h"
#include "output/minicore.h"
#include "output/stream.h"

enum kmt_where { KMT_WHERE_SCAN, KMT_WHERE_KELF, KMT_WHERE_LOCATOR, KMT_WHERE_SCAN_LOCATOR };

struct kmt_take_req {
	enum kmt_where where;
	uint64_t pa;			/* KELF's or the locator's, for those two */
	bool force;
	const char *out;		/* the core's path (temporary + rename) */
	const struct kmt_stream_opts *so;	/* --compress, --encrypt-to (NULL: plain) */
};

struct kmt_take_res {
	bool have_loc;
	uint64_t loc_pa;
	struct kmt_locator loc;
	uint64_t kelf_pa;
	uint32_t kelf_size, flags, gen, gen_after;
	bool stable;
	int tries;
	size_t regions;
	unsigned int skipped, partial;
	uint64_t bytes;			/* of region data */
	uint64_t out_bytes;		/* of the file written */
	/* seconds: locator + KELF + plan; region bytes through the stream; fsync + rename */
	double t_table, t_regions, t_write;
	struct kmt_stream_stats st;	/* of the last write: sizes, zstd and age times */
};

/*
 * Returns 0 (the core written, res filled) or a KMT_EXIT_* code with its
 * message printed; a partial or unstable core is written and counts as 0 here:
 * res->partial and res->stable say so (extract maps them to KMT_EXIT_PARTIAL).
 */
int kmt_take(const struct kmt_phys *m, const struct kmt_take_req *r, struct kmt_take_res *res);

#endif /* _KMT_TAKE_H */
