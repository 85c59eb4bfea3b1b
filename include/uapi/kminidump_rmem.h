/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The locator of kminidump_rmem.ko: the first page of a reserved-memory
 * buffer whose physical address a hypervisor, a bootloader or the next boot
 * already knows. It says where KELF (include/uapi/kminidump.h) is, so a
 * collector reads 4 KiB and then the table instead of scanning all of RAM.
 * docs/format.md specifies it; docs/rmem.md says how to reserve the buffer.
 *
 * Little-endian, natural alignment, nothing packed. struct kmd_locator sits
 * at offset 0 of the buffer; the rest of the first page is zero.
 *
 * Reader's rule (a guest that may be running): read seq; if it is odd, the
 * locator is being rewritten: read again. Read hdr_size bytes, check magic,
 * version, hdr_size, size and crc (CRC-32 as zlib computes it, over hdr_size
 * bytes with the crc field taken as zero), then read seq again: the snapshot
 * is stable when both reads of seq are equal and even. Then read KELF at
 * kelf_pa and follow the table's own rule; its kelf_pa must equal the
 * locator's.
 */
#ifndef _UAPI_KMINIDUMP_RMEM_H
#define _UAPI_KMINIDUMP_RMEM_H

#include <linux/types.h>

#define KMD_LOC_MAGIC		"KMDLOCAT"	/* 8 bytes, no NUL */
#define KMD_LOC_VERSION		1
#define KMD_LOC_SIZE		4096		/* bytes of the buffer the locator owns */

/* kmd_locator.state */
#define KMD_LOC_ST_LIVE		1	/* the module is loaded; KELF is being kept */
#define KMD_LOC_ST_PANIC	2	/* the kernel panicked; the capture is finished */
#define KMD_LOC_ST_GONE		3	/* the module was unloaded: kelf_pa is stale */

/* The name both sides print for a locator state (debugfs, kminidump extract). */
static inline const char *kmd_locator_state_name(unsigned int state)
{
	switch (state) {
	case KMD_LOC_ST_LIVE:
		return "LIVE";
	case KMD_LOC_ST_PANIC:
		return "PANIC";
	case KMD_LOC_ST_GONE:
		return "GONE";
	}
	return "unknown";
}

/* kmd_locator.flags */
#define KMD_LOC_F_COPY		0x1	/* the buffer holds a copy of the core (copy_*) */
#define KMD_LOC_F_PARTIAL	0x2	/* that copy lacks rows that did not fit */

#define KMD_LOC_RELEASE_LEN	64	/* utsname release, NUL padded */

struct kmd_locator {
	char	magic[8];	/* KMD_LOC_MAGIC */
	__le32	version;	/* KMD_LOC_VERSION */
	__le32	hdr_size;	/* sizeof(struct kmd_locator) */
	__le32	size;		/* KMD_LOC_SIZE */
	__le32	crc;		/* CRC-32 of hdr_size bytes, this field as zero */
	__le32	seq;		/* odd while being rewritten */
	__le32	state;		/* KMD_LOC_ST_* */
	__le64	buf_pa;		/* physical address of this buffer */
	__le64	buf_size;	/* bytes of the whole reserved buffer */
	__le64	kelf_pa;	/* physical address of KELF */
	__le32	kelf_size;	/* its bytes */
	__le32	table_off;	/* struct kmd_table within KELF */
	__le64	table_pa;	/* kelf_pa + table_off */
	__le32	table_gen;	/* the table's gen when the locator was last written */
	__le32	panic_cpu;	/* with KMD_LOC_ST_PANIC */
	__le32	flags;		/* KMD_LOC_F_* */
	__le32	boot_seq;	/* loads of the module into this buffer since it was zero */
	__u8	boot_id[16];	/* random, per load of the writer (no kernel API reads boot_id) */
	char	release[KMD_LOC_RELEASE_LEN];	/* uname -r of the writer */
	__le64	copy_off;	/* with KMD_LOC_F_COPY: the core's offset in the buffer */
	__le64	copy_size;	/* and its bytes; both within buf_size */
	__le64	reserved[4];	/* zero */
};

#endif /* _UAPI_KMINIDUMP_RMEM_H */
