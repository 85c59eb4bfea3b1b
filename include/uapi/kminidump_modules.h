/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kminidump_kernel.ko's table of the loaded modules, one region of the
 * minidump (row "kmods"), found through the VMCOREINFO line
 * KMINIDUMP_MODULES=<hex VA>. It lets a reader name module addresses without
 * the kernel's struct module layout: each entry gives the module's name, its
 * text and data, and where its kallsyms tables (the ELF symbol table and its
 * string table that the module keeps after init) are. The tables' bytes are in
 * the minidump only for the modules whose text a captured stack or register
 * names (moved there at panic); a reader tries the addresses and names what it
 * can read.
 *
 * Little-endian, natural alignment, nothing packed. An entry is usable when
 * its state is KMD_MOD_ST_VALID: the writer sets BUSY, fills the entry, then
 * stores VALID with release ordering; a removal stores FREE.
 */
#ifndef _UAPI_KMINIDUMP_MODULES_H
#define _UAPI_KMINIDUMP_MODULES_H

#include <linux/types.h>

#define KMD_MODS_MAGIC		"KMDMODS1"	/* 8 bytes, no NUL */
#define KMD_MODS_VERSION	1
#define KMD_MOD_NAME_LEN	56		/* MODULE_NAME_LEN on 64-bit */

/* kmd_mod_entry.state */
#define KMD_MOD_ST_FREE		0
#define KMD_MOD_ST_BUSY		1
#define KMD_MOD_ST_VALID	2

struct kmd_mod_entry {
	__u32 state;
	__u32 num_symtab;	/* Elf64_Sym entries at symtab, the first one null */
	__u64 module;		/* the struct module */
	__u64 text;		/* 6.1 the start of core_layout, 6.4+ mem[MOD_TEXT] */
	__u64 data;		/* 6.1 the whole core_layout, 6.4+ mem[MOD_DATA] */
	__u32 text_size;
	__u32 data_size;
	__u64 symtab;		/* core_kallsyms.symtab */
	__u64 strtab;		/* core_kallsyms.strtab */
	__u32 strtab_size;	/* bytes of strtab (0: unknown) */
	__u32 reserved;
	char name[KMD_MOD_NAME_LEN];	/* NUL terminated */
};

/* The table's header; capacity struct kmd_mod_entry follow it. */
struct kmd_mods {
	char magic[8];
	__u32 version;
	__u32 capacity;		/* entries that follow */
	__u32 entry_size;	/* sizeof(struct kmd_mod_entry) */
	__u32 dropped;		/* modules loaded while the table was full */
};

#endif /* _UAPI_KMINIDUMP_MODULES_H */
