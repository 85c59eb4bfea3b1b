/* SPDX-License-Identifier: GPL-2.0 */
/* kminidump_rmem: the reserved buffer (buffer.c), its locator (locator.c), debugfs. */
#ifndef _KMR_RMEM_H
#define _KMR_RMEM_H

#include <linux/types.h>
#include <uapi/kminidump.h>
#include <uapi/kminidump_rmem.h>

struct kmr_buf {
	phys_addr_t pa;
	size_t size;
	const char *source;	/* "mem_address", "devicetree" */
	void *va;		/* memremap(MEMREMAP_WB) */
};

extern struct kmr_buf kmr_buf;
/* What the buffer held when the module loaded (a previous boot's or load's locator). */
extern struct kmd_locator kmr_prev;
extern bool kmr_prev_valid;
extern char kmr_prev_why[96];

int kmr_buffer_init(void);
void kmr_buffer_exit(void);

int kmr_locator_init(void);
void kmr_locator_exit(void);
const struct kmd_locator *kmr_locator(void);
/* Checks a locator's bytes read from the buffer; @why gets the reason it is refused. */
bool kmr_locator_check(const struct kmd_locator *l, phys_addr_t pa, char *why, size_t len);

/* copy.c: copy=1, at panic */
extern const void *kmr_last;	/* the previous crash's copy, kept */
extern size_t kmr_last_size;
void kmr_copy_keep(const struct kmd_locator *prev, const char *release);
void kmr_copy_panic(struct kmd_locator *l, const void *kelf, u32 kelf_size,
		    const struct kmd_table *t);

void kmr_debugfs_init(void);
void kmr_debugfs_exit(void);

#endif /* _KMR_RMEM_H */
