/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `kminidump info` prints about a core: a list of sections, each one
 * small function (info_text.c), or one JSON document (info_json.c); the panic
 * section, registers and backtraces, is info_panic.c.
 */
#ifndef _KMT_INFO_H
#define _KMT_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "format/elfcore.h"
#include "format/kmod.h"
#include "format/symtab.h"
#include "output/json.h"

/* The version of the `info --json` schema (docs/tool.md); bumped on incompatible changes. */
#define KMT_INFO_JSON_VERSION	1

struct kmt_info_ctx {
	const struct kmt_core *c;
	const struct kmt_symtab *syms;	/* may be NULL */
	uint64_t kaslr;			/* KERNELOFFSET, to relocate System.map */
	uint64_t img_lo, img_hi;	/* _text.._end in the System.map */
	const char *map_path;		/* for messages */
	const struct kmt_kmod *mods;	/* --module */
	size_t nmods;
	bool all_cpus;			/* panic: every CPU, even those with empty NT_PRSTATUS */
	FILE *out;
};

int kmt_info_print(const struct kmt_info_ctx *ctx);
/* info_json.c: the same as one JSON document */
int kmt_info_print_json(const struct kmt_info_ctx *ctx);
const char *kmt_machine_name(uint16_t machine);

/* info_panic.c: the "panic" section (registers, backtrace) of a crash image */
void kmt_info_panic(const struct kmt_info_ctx *ctx);
/* its JSON members: "panic", "symbols", "cpus" */
void kmt_info_panic_json(const struct kmt_info_ctx *ctx, struct kmt_json *j);

#endif /* _KMT_INFO_H */
