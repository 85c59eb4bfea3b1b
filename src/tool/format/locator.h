/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the kminidump_rmem locator (include/uapi/kminidump_rmem.h) from
 * bytes in memory, every field checked.
 */
#ifndef _KMT_LOCATOR_H
#define _KMT_LOCATOR_H

#include <stddef.h>
#include <stdint.h>

#include "../../../include/uapi/kminidump_rmem.h"

struct kmt_locator {
	uint32_t version, hdr_size, size, crc, seq, state, flags, boot_seq;
	uint64_t buf_pa, buf_size, kelf_pa, table_pa, copy_off, copy_size;
	uint32_t kelf_size, table_off, table_gen, panic_cpu;
	uint8_t boot_id[16];
	char release[KMD_LOC_RELEASE_LEN + 1];
};

/* zlib's CRC-32 of @len bytes (the locator's crc). */
uint32_t kmt_crc32(const uint8_t *p, size_t len);
/* Offset of the seq field: a reader compares it before and after. */
#define KMT_LOC_SEQ_OFF		24
/*
 * Checks @len bytes at @p, read at physical address @pa, as a locator. On
 * failure returns KMT_EXIT_FORMAT and writes the reason to @why.
 */
int kmt_locator_parse(const uint8_t *p, size_t len, uint64_t pa, struct kmt_locator *l,
		      char *why, size_t whylen);

#endif /* _KMT_LOCATOR_H */
