/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `kminidump info` prints about a core: a list of sections, each one
 * small function (info_text.c); the panic section, registers and
 * backtraces, is info_panic.c.
 */
#ifndef _KMT_INFO_H
#define _KMT_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "format/elfcore.h"
#include "format/symtab.h"

struct kmt_info_ctx {
	const struct kmt_core *c;
	const struct kmt_symtab *syms;	/* may be NULL */
	uint64_t kaslr;			/* KERNELOFFSET, to relocate System.map */
	uint64_t img_lo, img_hi;	/* _text.._end in the System.map */
	const char *map_path;		/* for messages */
	bool all_cpus;			/* panic: every CPU, even those with empty NT_PRSTATUS */
	FILE *out;
};

int kmt_info_print(const struct kmt_info_ctx *ctx);
/* info_panic.c: the "panic" section (registers, backtrace) of a crash image */
void kmt_info_panic(const struct kmt_info_ctx *ctx);

#endif /* _KMT_INFO_H */
