/* SPDX-License-Identifier: GPL-2.0 */
/* kminidump_kernel: internal interfaces between the module's files. */
#ifndef _KMK_KERNEL_H
#define _KMK_KERNEL_H

#include <linux/types.h>
#include <kminidump.h>

/* Region sets, chosen with the regions= and kallsyms= parameters. */
#define KMK_SET_MINIMAL		0x1	/* kmemdump/meminspect parity: log, uts, masks... */
#define KMK_SET_DEFAULT		0x2	/* + what crash, drgn and makedumpfile need */
#define KMK_SET_KALLSYMS	0x4	/* the kallsyms tables (large with KALLSYMS_ALL) */

/* Fixed region ids, in the spirit of kmemdump's kmemdump_uid. */
enum kmk_id {
	KMK_ID_VMCOREINFO = 2,
	KMK_ID_CONFIG,
	KMK_ID_TOTALRAM,
	KMK_ID_CPU_POSSIBLE,
	KMK_ID_CPU_PRESENT,
	KMK_ID_CPU_ONLINE,
	KMK_ID_CPU_ACTIVE,
	KMK_ID_JIFFIES,
	KMK_ID_BANNER,
	KMK_ID_NR_THREADS,
	KMK_ID_NR_IRQS,
	KMK_ID_TAINTED_MASK,
	KMK_ID_TAINT_FLAGS,
	KMK_ID_MEM_SECTION,
	KMK_ID_NODE_DATA,
	KMK_ID_NODE_STATES,
	KMK_ID_PER_CPU_OFFSET,
	KMK_ID_NR_SWAPFILES,
	KMK_ID_INIT_UTS_NS,
	KMK_ID_PRB,
	KMK_ID_PRINTK_RB_STATIC,
	KMK_ID_PRINTK_RB_DYNAMIC,
	KMK_ID_PRB_DESCS,
	KMK_ID_PRB_INFOS,
	KMK_ID_PRB_DATA,
	KMK_ID_CLEAR_SEQ,
	KMK_ID_HIGH_MEMORY,
	KMK_ID_INIT_MM,
	KMK_ID_PGD,
	KMK_ID_TK_CORE,
	KMK_ID_SHADOW_TK,
	KMK_ID_KALLSYMS,	/* first of the kallsyms tables */
	KMK_ID_FIXED_END = 256,
};

/* The outcome of one wanted region, for the log and debugfs "kernel". */
struct kmk_region {
	const char *name;		/* row name, at most 15 characters */
	u32 id;				/* fixed id, or 0 for fresh ones */
	unsigned int sets;		/* KMK_SET_* it belongs to */
	int (*add)(struct kmk_region *r);
	const char *symbol;		/* for regions added by kmk_add_simple() */
	size_t size;
	/* filled in */
	int err;			/* 0, or why it is missing */
	const char *why;		/* one-line reason when missing */
	unsigned int rows_added;	/* regions registered for it */
	u64 bytes;
	unsigned int sources;		/* KMK_SRC_*: what its finder used */
};

/*
 * Where a region's address and size came from, noted by the lookups and reads
 * its finder made (address and size together): debugfs "kernel" and the
 * VMCOREINFO line KMINIDUMP_SOURCE(region) that kminidump info shows.
 */
#define KMK_SRC_EXPORTED	0x01	/* an exported symbol this module links to */
#define KMK_SRC_KALLSYMS	0x02	/* kallsyms through a kprobe */
#define KMK_SRC_VMCOREINFO	0x04	/* the kernel's VMCOREINFO (SYMBOL, SIZE, OFFSET...) */
#define KMK_SRC_TABLE		0x08	/* the symbol table user space loaded */
#define KMK_SRC_BTF		0x10	/* the kernel's BTF */
#define KMK_SRC_HEADERS		0x20	/* sizes from the headers this module was built with */
#define KMK_SRC_POINTERS	0x40	/* pointers followed in kernel memory */
#define KMK_SRC_OWN		0x80	/* this module's own buffers */

/* register.c: sources are collected between start and take, one region at a time */
void kmk_sources_start(void);
void kmk_sources_note(unsigned int src);
void kmk_sources_take(struct kmk_region *r);
int kmk_sources_str(unsigned int src, char *buf, size_t size);

/* register.c: what every finder calls */
int kmk_sym(const char *name, unsigned long *addr);
int kmk_read_ulong(unsigned long addr, unsigned long *val);
int kmk_missing(struct kmk_region *r, int err, const char *why);
int kmk_register_va(struct kmk_region *r, u32 id, const char *name,
		    unsigned long va, size_t size, u32 flags);
int kmk_register_pa(struct kmk_region *r, u32 id, const char *name,
		    phys_addr_t pa, size_t size);
void kmk_unregister_all(void);

/* btf.c: the kernel's own BTF, read in place while the module loads */
int kmk_btf_init(void);
void kmk_btf_exit(void);
s64 kmk_btf_struct_size(const char *name);
s64 kmk_btf_var_size(const char *name);
s64 kmk_btf_member_offset(const char *sname, const char *member);
s64 kmk_btf_percpu_offset(const char *name);

/* layout.c: sizes and offsets from VMCOREINFO, else BTF; per-CPU addresses */
s64 kmk_size_of(const char *type);
s64 kmk_offset_of(const char *type, const char *member);
s64 kmk_vmci_number(const char *key);
int kmk_percpu_sym(const char *name, unsigned long *addr);
size_t kmk_task_struct_size(void);

/* crash_util.c: what the crash utility needs on top of the catalogue's other regions */
int kmk_add_crash_vars(struct kmk_region *r);
int kmk_add_crash_percpu(struct kmk_region *r);
int kmk_add_exc_stacks(struct kmk_region *r);
int kmk_add_irq_stacks(struct kmk_region *r);
int kmk_add_init_task(struct kmk_region *r);
int kmk_add_crash_strings(struct kmk_region *r);
int kmk_add_pid_ns(struct kmk_region *r);
/* the pid xarray nodes it registered at load: the panic capture takes the others */
#define KMK_MAX_XA_NODES	32
extern unsigned long kmk_pid_ns_nodes[KMK_MAX_XA_NODES];
extern unsigned int kmk_pid_ns_nnodes;
int kmk_add_crash_text(struct kmk_region *r);

/* regions.c: the region catalogue, the regions=, kallsyms= and extra= parameters */
extern struct kmk_region kmk_regions[];
extern const unsigned int kmk_nr_regions;
extern struct kmk_region kmk_extra_region;
/* regions outside the catalogue, with their own life cycle (capture, page tables) */
extern struct kmk_region *const kmk_other_regions[];
extern const unsigned int kmk_nr_other_regions;
unsigned int kmk_current_sets(void);
int kmk_regions_init(void);
void kmk_regions_exit(void);

/* vmcoreinfo.c: keys the tools need that the kernel's copy may lack */
void kmk_vmcoreinfo_complete(void);
void kmk_sources_publish(void);

/* pgtable.c: the page-table pages that map the regions */
extern struct kmk_region kmk_pgt_region;
unsigned long kmk_pgt_walk(unsigned long va, void (*found)(void *table, void *ctx), void *ctx);
int kmk_pgtable_init(void);
void kmk_pgtable_exit(void);

/* capture.c: panic-time registers, tasks and stacks (capture.h: its parts) */
extern struct kmk_region kmk_capture_region;
int kmk_capture_init(void);
void kmk_capture_exit(void);

/* modules.c: the loaded modules (a module notifier), their panic pages (capture_mod.c) */
extern struct kmk_region kmk_modules_region;
int kmk_modules_init(void);
void kmk_modules_exit(void);

/* debugfs.c: the "kernel" file */
void kmk_debugfs_init(void);
void kmk_debugfs_exit(void);

#endif /* _KMK_KERNEL_H */
