/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The Qualcomm minidump table in SMEM item 602, as boot firmware reads it
 * after a crash (the layout of the upstream qcom minidump drivers; fourcc
 * values stored little-endian). kminidump_smem.ko (src/smem/) owns the APSS
 * entry; the host tool (extract --smem) and tests/smem/smem.py read it.
 * Every field is written by firmware or by the kernel of the crashed machine:
 * readers check each one (docs/smem.md).
 */
#ifndef _UAPI_KMINIDUMP_SMEM_H
#define _UAPI_KMINIDUMP_SMEM_H

#include <linux/types.h>

#define KMD_SMEM_MD_ITEM	602	/* SBL_MINIDUMP_SMEM_ID, host QCOM_SMEM_HOST_ANY */
#define KMD_MD_REVISION		1
#define KMD_MD_SS_APSS		0	/* subsystems[] index of Linux */
#define KMD_MD_SS_DECLARED	10	/* subsystems in a 336-byte TOC */
#define KMD_MD_APSS_MAX		201	/* regions the firmware downloads for APSS */
#define KMD_MD_NAME_LEN		16	/* includes the NUL */

#define KMD_MD_VALID		0x56414C49	/* "VALI": region valid */
#define KMD_MD_INVALID		0x494E5641	/* "INVA" */
#define KMD_MD_ENABLED		0x454E424C	/* "ENBL" */
#define KMD_MD_DISABLED		0x4453424C	/* "DSBL" */
#define KMD_MD_ENC_DONE		0x444F4E45	/* "DONE": encryption_status */
#define KMD_MD_ENC_NR		0x00004E52	/* "NR": encryption_required */

struct kmd_md_region {
	char	name[KMD_MD_NAME_LEN];
	__le32	seq_num;
	__le32	valid;		/* KMD_MD_VALID */
	__le64	address;	/* physical */
	__le64	size;		/* multiple of 4 */
};

struct kmd_md_subsystem {
	__le32	status;		/* 1: published by its owner */
	__le32	enabled;	/* KMD_MD_ENABLED */
	__le32	encryption_status;
	__le32	encryption_required;
	__le32	region_count;	/* written last when adding */
	__le32	pad;
	__le64	regions_baseptr;	/* physical address of struct kmd_md_region[] */
};

struct kmd_md_toc {
	__le32	status;		/* non-zero: the firmware initialized minidump */
	__le32	md_revision;	/* KMD_MD_REVISION */
	__le32	enabled;	/* KMD_MD_ENABLED */
	__le32	pad;
	struct kmd_md_subsystem subsystems[KMD_MD_SS_DECLARED];
};

#endif /* _UAPI_KMINIDUMP_SMEM_H */
