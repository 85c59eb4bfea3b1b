/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the KELF header (include/uapi/kminidump.h): ELF header, program
 * headers, note chain, the KMINIDUMP table and its rows. Works on bytes in
 * memory and checks every access against their length.
 */
#ifndef _KMT_KELF_H
#define _KMT_KELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gelf.h>

#include "../../../include/uapi/kminidump.h"

#define KMT_PAGE		4096ULL		/* KELF alignment and scan step */
#define KMT_KELF_MAX		(64ULL << 20)	/* a KELF larger than this is not ours */
#define KMT_MAX_CPUS		65536

struct kmt_rowinfo {
	uint32_t state, id, flags, piece;
	char name[KMD_NAME_LEN + 1];
	char owner[KMD_OWNER_LEN + 1];
	uint64_t va, pa, size, room;
};

struct kmt_kelf {
	const uint8_t *data;	/* kelf_size bytes */
	uint16_t machine;
	uint32_t capacity;
	uint64_t notes_off, notes_size;	/* PT_NOTE */
	/* struct kmd_table */
	uint32_t version, hdr_size, row_size, count, gen, writers, flags, panic_cpu, nr_cpus;
	uint64_t table_off;	/* offset of struct kmd_table in the KELF */
	uint64_t kelf_pa, kelf_va;
	uint32_t kelf_size;
	const uint8_t *rows;	/* capacity rows of row_size bytes */
};

/*
 * Checks @len bytes at @p as a KELF: ELF header, program headers, note chain,
 * KMINIDUMP table. @len may exceed kelf_size (a core file). On failure returns
 * KMT_EXIT_FORMAT and writes the reason to @why (no message printed).
 */
int kmt_kelf_parse(const uint8_t *p, size_t len, struct kmt_kelf *k, char *why, size_t whylen);
/* Parses a KMINIDUMP table note descriptor alone (cores whose KELF layout is not ours). */
int kmt_kelf_parse_table(const uint8_t *desc, size_t descsz, struct kmt_kelf *k,
			 char *why, size_t whylen);
void kmt_kelf_row(const struct kmt_kelf *k, uint32_t i, struct kmt_rowinfo *r);
/* Program header @i of the KELF (raw, little-endian ELF64). */
void kmt_kelf_phdr(const struct kmt_kelf *k, uint32_t i, GElf_Phdr *ph);
const char *kmt_row_state_name(uint32_t state);
void kmt_row_flags_str(const struct kmt_rowinfo *r, char *buf, size_t len);
void kmt_table_flags_str(uint32_t flags, char *buf, size_t len);
/*
 * Looks at the first @len bytes of a possible KELF: -1 it is not one, 1 more
 * bytes are needed (*need), 0 it may be one of *need = kelf_size bytes.
 */
int kmt_kelf_peek(const uint8_t *p, size_t len, uint64_t *need);

#endif /* _KMT_KELF_H */
