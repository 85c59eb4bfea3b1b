/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Physical memory of the crashed machine, from its sources: raw RAM images
 * placed at a base address (ramfile.c) and ELF dumps whose PT_LOADs carry
 * p_paddr (elfdump.c). Files are mapped, never copied.
 */
#ifndef _KMT_PHYSMEM_H
#define _KMT_PHYSMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/file.h"

struct kmt_range {
	uint64_t pa, len;
	const uint8_t *data;
	const char *origin;	/* file name, for messages */
};

struct kmt_phys {
	struct kmt_range *r;
	size_t n;
	struct kmt_file *files;
	size_t nfiles;
};

/* ramfile.c: FILE@PHYSBASE */
int kmt_phys_add_raw(struct kmt_phys *m, const char *spec);
/* elfdump.c: an ELF dump file, or the same from memory (fuzzing; @data must stay valid) */
int kmt_phys_add_elf(struct kmt_phys *m, const char *path, bool force);
int kmt_phys_add_elf_mem(struct kmt_phys *m, uint8_t *data, size_t size, const char *name,
			 bool force);

/* physmem.c */
int kmt_phys_add_mem(struct kmt_phys *m, uint64_t pa, const uint8_t *data, uint64_t len,
		     const char *name);
struct kmt_file *kmt_phys_new_file(struct kmt_phys *m);
int kmt_phys_finish(struct kmt_phys *m);	/* sort, reject overlaps */
void kmt_phys_free(struct kmt_phys *m);
bool kmt_phys_covers(const struct kmt_phys *m, uint64_t pa, uint64_t len);
int kmt_phys_read(const struct kmt_phys *m, uint64_t pa, void *buf, uint64_t len);
/* Calls @fn on the pieces of [pa, pa + len); fails if a byte is missing. */
int kmt_phys_walk(const struct kmt_phys *m, uint64_t pa, uint64_t len,
		  int (*fn)(const uint8_t *p, size_t n, void *arg), void *arg);
uint64_t kmt_phys_total(const struct kmt_phys *m);

#endif /* _KMT_PHYSMEM_H */
