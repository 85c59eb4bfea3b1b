/* SPDX-License-Identifier: GPL-2.0 */
/* kminidump core: internal interfaces between the core's files. */
#ifndef _KMD_CORE_H
#define _KMD_CORE_H

#include <linux/elf.h>
#include <linux/elfcore.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/security.h>
#include <kminidump.h>

struct dentry;

/* Kernel-private companion of a table row (never read by a collector). */
struct kmd_slot {
	struct module *owner;	/* NULL: added from debugfs */
	u64 reserve;		/* bytes registered: the most an update may move it to */
};

struct kmd_core {
	struct mutex lock;		/* serializes every writer of the table */
	unsigned int capacity;		/* rows, including row 0 (KELF) */
	u32 next_id;			/* next fresh region id */

	/* KELF: one physically contiguous buffer, see include/uapi/kminidump.h */
	void *kelf;
	size_t kelf_size;
	phys_addr_t kelf_pa;
	struct elf64_hdr *ehdr;
	struct elf64_phdr *phdr;		/* [capacity]; [0] is PT_NOTE */
	struct kmd_table *table;
	struct kmd_row *rows;		/* [capacity] */
	struct kmd_slot *slots;		/* [capacity], kernel memory outside KELF */
	void *prstatus;			/* first NT_PRSTATUS descriptor */
	size_t prstatus_stride;		/* bytes from one NT_PRSTATUS descriptor to the next */
	char *vmcoreinfo;		/* KMD_VMCOREINFO_ROOM bytes, NUL padded */

	struct atomic_notifier_head consumers;	/* RCU list, see table.c */
	struct dentry *debugfs;
};

extern struct kmd_core kmd;

/* kelf.c: the ELF core header and its notes; defines kmd */
int kmd_kelf_init(void);
void kmd_kelf_exit(void);
void kmd_kelf_set_load(unsigned int i);
void kmd_kelf_clear_load(unsigned int i);

/* symbols.c: symbol resolvers below VMCOREINFO: kprobes and a loaded table */
int kmd_symbols_init(void);
void kmd_symbols_exit(void);
int kmd_lookup_kprobe(const char *name, unsigned long *addr);
int kmd_lookup_table(const char *name, unsigned long *addr);
int kmd_symbols_lookup(const char *name, unsigned long *addr);
int kmd_locked_down(enum lockdown_reason what);
int kmd_symbols_write(const char __user *buf, size_t len, void **state);
int kmd_symbols_commit(void *state);
void kmd_symbols_discard(void *state);
void kmd_symbols_show(struct seq_file *m);

/* vmcoreinfo.c: the VMCOREINFO note's text, and kmd_lookup() on top of every resolver */
int kmd_vmcoreinfo_init(void);
void kmd_vmcoreinfo_exit(void);
void kmd_vmcoreinfo_refresh(void);
size_t kmd_vmcoreinfo_len(void);
/* vmcinote.c: the kernel's note at vmcoreinfo_pa= (user space reads /sys/kernel/vmcoreinfo) */
bool kmd_vmcoreinfo_from_note(char *dst, size_t room, size_t *len);
int kmd_vmcoreinfo_append_str(const char *line, bool atomic);
int kmd_lookup(const char *name, unsigned long *addr);

/* table.c: rows and the writer protocol */
int kmd_table_init(void);
void kmd_table_exit(void);
int kmd_add_va(struct module *owner, u32 id, const char *name, unsigned long va,
	       size_t size, u32 flags);
int kmd_add_pa(struct module *owner, u32 id, const char *name, phys_addr_t pa,
	       unsigned long va, size_t size, u32 flags);
int kmd_del_locked(u32 id);
void kmd_write_begin(void);
void kmd_write_end(void);
int kmd_find_id_by_name_locked(const char *name, u32 *id);
void kmd_notify_panic(void);

/* cache.c: kminidump_clean_poc(); the system-wide line size, found at load */
void kmd_cache_init(void);

/* phys.c: address translation */
bool kmd_virt_to_phys(unsigned long va, phys_addr_t *pa);
unsigned long kmd_phys_to_virt(phys_addr_t pa);

/* corefile.c: debugfs "core" */
extern const struct file_operations kmd_core_fops;

/* debugfs.c */
void kmd_debugfs_init(void);
void kmd_debugfs_exit(void);

/* panic.c: the panic sequence; kmd_panicking: consumers hear no UPDATE */
extern bool kmd_panicking;
int kmd_panic_init(void);
void kmd_panic_exit(void);

#endif /* _KMD_CORE_H */
