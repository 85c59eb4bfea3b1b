/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QDL/edl minidump sets: one md_<name><N>.BIN file per region, N the 1-based
 * table order; concatenated in N order they form the ELF core the first
 * file's program headers describe.
 */
#ifndef _KMT_MDSET_H
#define _KMT_MDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/kelf.h"

/* One file per table row at most: a larger set cannot match any table. */
#define KMT_MD_MAX_FILES	(KMD_MAX_CAPACITY + 1)

struct kmt_mdfile {
	char *path;
	const char *base;	/* file name without directory */
	uint32_t n;		/* 1-based table order */
	uint8_t *data;
	size_t size;
	uint64_t off;		/* in the concatenation */
};

/*
 * Checks an ordered md_*.BIN set; returns the number of mismatches, reported
 * as errors (@fatal) or warnings. *exitcode: 0, KMT_EXIT_FORMAT or _MISMATCH.
 */
int kmt_assemble_check(struct kmt_mdfile *f, size_t nf, bool fatal, int *exitcode);
/* Orders files by their N (resolving names that end in digits); 0 or an exit code. */
int kmt_md_order(struct kmt_mdfile *f, size_t nf);
int kmt_md_parse_name(const char *base, size_t *digits_at, size_t *digits_len);

#endif /* _KMT_MDSET_H */
