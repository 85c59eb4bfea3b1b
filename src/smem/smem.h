/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kminidump_smem internals: the APSS entry of the Qualcomm minidump table in
 * SMEM item 602 (toc.c) and the region array that mirrors kminidump's rows
 * (regions.c). Layouts in include/uapi/kminidump_smem.h, choices in docs/smem.md.
 */
#ifndef _KMS_SMEM_H
#define _KMS_SMEM_H

#include <linux/types.h>
#include <uapi/kminidump_smem.h>

/* toc.c: find, validate and own APSS; calls kms_regions_attach() once owned */
int kms_toc_init(void);
void kms_toc_exit(void);

/* regions.c */
int kms_regions_init(void);
void kms_regions_exit(void);
int kms_regions_attach(struct kmd_md_subsystem *apss);
void kms_regions_detach(void);
phys_addr_t kms_regions_pa(void);

#endif /* _KMS_SMEM_H */
