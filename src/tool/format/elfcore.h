/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An ELF core in memory, read through libelf: program headers, notes (the
 * VMCOREINFO text, the KMINIDUMP table when present), reads by virtual or
 * physical address across PT_LOADs. Any ELF core, not only the KELF layout.
 */
#ifndef _KMT_ELFCORE_H
#define _KMT_ELFCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gelf.h>

#include "format/kelf.h"
#include "format/vmcoreinfo.h"

struct kmt_note {
	const char *name;	/* NUL-terminated within the file, or "" */
	uint32_t type;
	const uint8_t *desc;
	size_t descsz;
	uint64_t offset;	/* of the descriptor in the file */
};

struct kmt_core_index;

struct kmt_core {
	const char *path;
	uint8_t *data;
	size_t size;
	Elf *elf;
	uint16_t machine;
	bool big_endian;
	size_t nphdr;
	GElf_Phdr *phdr;
	struct kmt_note *notes;
	size_t nnotes, notes_cap;
	size_t notes_dropped;	/* PT_NOTEs cut by the note limit */
	struct kmt_vmci vmci;
	bool has_vmci;
	bool has_table;
	struct kmt_kelf table;	/* from the KMINIDUMP note, when present */
	struct kmt_core_index *index;
};

int kmt_core_open(struct kmt_core *c, const char *path, uint8_t *data, size_t size);
void kmt_core_close(struct kmt_core *c);
/* Reads by virtual (p_vaddr) or physical (p_paddr) address across PT_LOADs. 0 or -1. */
int kmt_core_read_va(const struct kmt_core *c, uint64_t va, void *buf, size_t len);
int kmt_core_read_pa(const struct kmt_core *c, uint64_t pa, void *buf, size_t len);

/* Bytes of region data (p_filesz of the PT_LOADs), and how many PT_LOADs in *n if @n. */
uint64_t kmt_core_load_bytes(const struct kmt_core *c, size_t *n);

/* Program header count of any ELF file, refusing tables that do not fit in @size bytes. */
int kmt_elf_phnum(Elf *elf, const GElf_Ehdr *eh, size_t size, const char *path, size_t max,
		  size_t *n);

#endif /* _KMT_ELFCORE_H */
