/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kminidump on-memory formats, shared by the kernel modules and the host tool.
 *
 * Everything here is little-endian with natural alignment; nothing is packed.
 *
 * The KELF region (row 0 of the table) is one physically contiguous buffer:
 *
 *   offset 0                 Elf64_Ehdr (ET_CORE, e_phnum = capacity, fixed)
 *   offset 64                Elf64_Phdr[capacity]: [0] is PT_NOTE, [i] describes row i
 *   notes (PT_NOTE, in order)
 *     "KMINIDUMP" type KMD_NT_TABLE   struct kmd_table + struct kmd_row[capacity]
 *     "CORE"      NT_PRPSINFO
 *     "CORE"      NT_PRSTATUS         one per possible CPU, zero until a panic fills it
 *     "VMCOREINFO" type 0             KMD_VMCOREINFO_ROOM bytes of text, NUL padded
 *   padding up to kmd_table.kelf_size
 *
 * Row i (i >= 1) is one physically contiguous range. Its program header is
 * PT_LOAD when the row is VALID and PT_NULL otherwise; p_offset is kelf_size plus
 * the room of every non-free row before it, so concatenating the regions in table
 * order (KELF first) is a valid ELF core.
 *
 * Consistency for a reader that looks at RAM at any instant: every store that
 * changes meaning is a single aligned store, and a row's fields are written
 * while its state and program header say "not valid". A reader takes a row
 * only when state == KMD_ROW_VALID and its program header is PT_LOAD with the
 * same physical address; anything else is a free or busy row. A reader that
 * needs one consistent picture follows the generation rule of docs/format.md:
 * read gen, read the table and the regions, read gen again; equal and even
 * means nothing changed in between.
 */
#ifndef _UAPI_KMINIDUMP_H
#define _UAPI_KMINIDUMP_H

#include <linux/types.h>

/* Note name and types of the notes kminidump adds to KELF. */
#define KMD_NOTE_NAME		"KMINIDUMP"
#define KMD_NT_TABLE		1

#define KMD_TABLE_MAGIC		"KMDTABLE"	/* 8 bytes, no NUL */
#define KMD_TABLE_VERSION	2	/* 2: {gen, writers} word, count moved (docs/format.md) */

/* kmd_table.flags */
#define KMD_TABLE_F_LIVE	0x1	/* the module owning the table is loaded */
#define KMD_TABLE_F_PANIC	0x2	/* the kernel panicked; panic_* fields are set */

/* Row states (fourcc values, as in the Qualcomm minidump table). */
#define KMD_ROW_FREE		0x00000000
#define KMD_ROW_VALID		0x56414C49	/* "VALI" */
#define KMD_ROW_BUSY		0x59535542	/* "BUSY": being written, room reserved */

/* kmd_row.flags */
#define KMD_ROW_F_HEADER	0x0001	/* row 0: the KELF buffer itself */
#define KMD_ROW_F_MOVABLE	0x0002	/* address is updated lock-free at run time */
#define KMD_ROW_F_PANIC		0x0004	/* filled at panic time */
#define KMD_ROW_F_BYPA		0x0008	/* registered by physical address */
#define KMD_ROW_F_PARKED	0x0010	/* a panic row not moved yet: no PT_LOAD, no room */

#define KMD_NAME_LEN		16	/* includes the NUL */
#define KMD_OWNER_LEN		16	/* includes the NUL */

/* Room for the private VMCOREINFO text, NUL padded (the kernel's is at most one page). */
#define KMD_VMCOREINFO_ROOM	8192

/* Default and maximum table capacity (rows, including the KELF row). */
#define KMD_DEFAULT_CAPACITY	201	/* the Qualcomm APSS limit */
#define KMD_MAX_CAPACITY	4096

struct kmd_table {
	char	magic[8];	/* KMD_TABLE_MAGIC */
	__le32	version;	/* KMD_TABLE_VERSION */
	__le32	hdr_size;	/* sizeof(struct kmd_table) */
	__le32	row_size;	/* sizeof(struct kmd_row) */
	__le32	capacity;	/* rows that follow, including row 0 */
	/*
	 * gen and writers are one aligned 64-bit word, changed only by atomic
	 * compare-and-exchange: gen turns odd when the first writer enters and
	 * even when the last one leaves, so a reader that sees the same even gen
	 * before and after reading saw no change (docs/format.md).
	 */
	__le32	gen;		/* even: no writer inside; odd while writers != 0 */
	__le32	writers;	/* writers inside (kernel CPUs changing the table) */
	__le64	kelf_pa;	/* physical address of KELF */
	__le64	kelf_va;	/* its kernel virtual address */
	__le32	kelf_size;	/* bytes of KELF, a multiple of the page size */
	__le32	flags;		/* KMD_TABLE_F_* */
	__le32	panic_cpu;	/* CPU that panicked, valid with KMD_TABLE_F_PANIC */
	__le32	nr_cpus;	/* NT_PRSTATUS notes present (possible CPUs) */
	__le32	count;		/* non-free rows; informational (offset 24 in version 1) */
	__le32	reserved0;
	__le64	reserved1;
};

struct kmd_row {
	__le32	state;		/* KMD_ROW_* */
	__le32	id;		/* region id; the pieces of one region share it */
	char	name[KMD_NAME_LEN];
	char	owner[KMD_OWNER_LEN];	/* registering module */
	__le32	flags;		/* KMD_ROW_F_* */
	__le32	piece;		/* index of this piece within its region */
	__le64	va;		/* kernel virtual address (0 if unmapped) */
	__le64	pa;		/* physical address */
	__le64	size;		/* bytes to dump now (multiple of 4, <= room) */
	__le64	room;		/* bytes reserved for it in the core file */
};

#endif /* _UAPI_KMINIDUMP_H */
