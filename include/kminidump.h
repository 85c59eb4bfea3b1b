/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kminidump kernel API, exported by kminidump.ko in the KMINIDUMP namespace.
 * Users add MODULE_IMPORT_NS(KMD_NS) (src/compat/compat.h spells the
 * namespace for every kernel).
 *
 * A region is a named range of kernel memory that a crash analyst needs. The
 * core keeps it as one or more table rows, one per physically contiguous piece,
 * and describes each as a PT_LOAD of the KELF core header.
 */
#ifndef _KMINIDUMP_H
#define _KMINIDUMP_H

#include <linux/types.h>
#include <linux/notifier.h>
#include <linux/ptrace.h>
#include <uapi/kminidump.h>

struct module;

/* Region ids: callers pass 0 to get a fresh id, or a fixed id below KMINIDUMP_ID_DYNAMIC. */
#define KMINIDUMP_ID_ELF	1
#define KMINIDUMP_ID_DYNAMIC	1024

/* Registration flags (also stored in the rows, see KMD_ROW_F_*). */
#define KMINIDUMP_F_MOVABLE	KMD_ROW_F_MOVABLE	/* may be moved with kminidump_update() */
#define KMINIDUMP_F_PANIC	KMD_ROW_F_PANIC		/* filled by a panic-time capture */

int __kminidump_register_va(struct module *owner, u32 id, const char *name,
			    const void *va, size_t size, u32 flags);
int __kminidump_register_pa(struct module *owner, u32 id, const char *name,
			    phys_addr_t pa, size_t size, u32 flags);
int __kminidump_register_symbol(struct module *owner, u32 id, const char *name,
				const char *symbol, size_t size, u32 flags);

/**
 * kminidump_register_va() - add a range of kernel virtual memory
 * @id: fixed region id, or 0 for a fresh one
 * @name: short unique name (at most KMD_NAME_LEN - 1 characters)
 * @va: start address: linear map, kernel image, vmalloc, module or per-CPU memory
 * @size: bytes; the range is widened to 4-byte boundaries
 * @flags: KMINIDUMP_F_MOVABLE (one piece, updatable lock-free), KMINIDUMP_F_PANIC
 *
 * The range is split into physically contiguous pieces, one row each.
 * Context: process context; takes the table mutex.
 * Return: the region id (> 0), or a negative errno with one log line naming the cause.
 */
#define kminidump_register_va(id, name, va, size, flags) \
	__kminidump_register_va(THIS_MODULE, id, name, va, size, flags)
/* kminidump_register_pa() - add a physically contiguous range (va shown when mapped). */
#define kminidump_register_pa(id, name, pa, size, flags) \
	__kminidump_register_pa(THIS_MODULE, id, name, pa, size, flags)
/* kminidump_register_symbol() - add @size bytes at kernel symbol @symbol. */
#define kminidump_register_symbol(id, name, symbol, size, flags) \
	__kminidump_register_symbol(THIS_MODULE, id, name, symbol, size, flags)

/*
 * Remove every piece of region @id, which the calling module registered.
 * Process context. Returns 0, -ENOENT, or -EPERM (another module's region,
 * or the ELF header row) with a log line.
 */
int __kminidump_unregister(struct module *owner, u32 id);
#define kminidump_unregister(id) __kminidump_unregister(THIS_MODULE, id)

/*
 * Move a KMINIDUMP_F_MOVABLE region to @va/@size (size <= the registered size; the
 * new range must be physically contiguous). Lock-free and allocation-free: safe
 * in atomic context and on the panic path. Returns 0; -ENOENT if the region is
 * not there or is being removed or moved by another CPU at that instant (the
 * update is then not applied: an update never brings back a removed row);
 * -EPERM if it is not movable; -E2BIG if larger than registered. A KMINIDUMP_F_PANIC
 * region is parked until moved (no PT_LOAD, no room in the core: docs/format.md) and
 * moves only during the panic: -EBUSY before it.
 */
int kminidump_update(u32 id, const void *va, size_t size);
/* Same, by physical address (va is recorded as given, may be 0). */
int kminidump_update_pa(u32 id, const void *va, phys_addr_t pa, size_t size);

/*
 * Fill the NT_PRSTATUS note of @cpu in KELF: @pid and the registers @regs.
 * Lock-free and allocation-free: meant for the panic path.
 */
int kminidump_set_prstatus(unsigned int cpu, pid_t pid, struct pt_regs *regs);

/*
 * register_kprobe()/unregister_kprobe() where the kernel has them and
 * use_kprobes allows: -EOPNOTSUPP otherwise (the core links them weakly).
 */
struct kprobe;
int kminidump_kprobe_register(struct kprobe *kp);
void kminidump_kprobe_unregister(struct kprobe *kp);

/*
 * The panic capture hook: called once at panic on the panicking CPU, before
 * the table is marked PANIC and before consumers hear KMINIDUMP_PANIC. It may
 * call kminidump_update[_pa]() and kminidump_set_prstatus() (consumers get no
 * UPDATE for them). No lock, no allocation, bounded. One hook at a time: a
 * second is refused with -EBUSY; pass NULL to clear it. Process context.
 */
typedef void (*kminidump_capture_fn_t)(void);
int kminidump_set_panic_capture(kminidump_capture_fn_t fn);

/*
 * Write @size bytes at @va back to the point of coherency (arm64: dc civac
 * by cache line, dsb; x86: clflush), so firmware after a warm reset, the next
 * boot or another bus master reads them from DRAM. @va must be mapped. Any
 * context, no lock: meant for the panic path, on buffers a backend owns.
 */
void kminidump_clean_poc(const void *va, size_t size);

/* Look up a kernel symbol with the core's resolvers (user table, kprobes, VMCOREINFO). */
int kminidump_lookup_symbol(const char *symbol, unsigned long *addr);

/* The resolver that found a symbol (kminidump_lookup_symbol_from()). */
enum kminidump_sym_source {
	KMINIDUMP_SYM_KALLSYMS = 1,	/* kallsyms, through a kprobe */
	KMINIDUMP_SYM_VMCOREINFO,	/* a SYMBOL() line of the kernel's VMCOREINFO */
	KMINIDUMP_SYM_TABLE,		/* the symbol table user space loaded */
};

/* kminidump_lookup_symbol(), but returns the kminidump_sym_source on success. */
int kminidump_lookup_symbol_from(const char *symbol, unsigned long *addr);

/* Translate a kernel virtual address to physical; false if it is not mapped. */
bool kminidump_virt_to_phys(unsigned long va, phys_addr_t *pa);

/*
 * Consumers (backends) learn about rows through a notifier. Events carry a
 * struct kminidump_event. ADD and REMOVE come in process context under the
 * table mutex; a consumer registered late gets ADD for every existing row
 * first. UPDATE comes from kminidump_update() (any context), except during a
 * panic. PANIC comes once, from the core's panic notifier (atomic, lock-free,
 * one CPU left; row is NULL), after the capture hook ran and the table is
 * final (KMD_TABLE_F_PANIC set, KELF cleaned to the point of coherency): a
 * consumer mirrors or cleans what it owns then, with kminidump_clean_poc().
 */
enum kminidump_event_type {
	KMINIDUMP_ADD = 1,
	KMINIDUMP_REMOVE,
	KMINIDUMP_UPDATE,
	KMINIDUMP_PANIC,
};

struct kminidump_event {
	unsigned int index;		/* row index: table order */
	const struct kmd_row *row;	/* the row in the table (read-only) */
};

int kminidump_register_consumer(struct notifier_block *nb);
int kminidump_unregister_consumer(struct notifier_block *nb);

/*
 * Call @fn for every valid row in table order, under the table mutex.
 * Stops and returns the first non-zero value @fn returns.
 */
typedef int (*kminidump_row_fn_t)(const struct kminidump_event *ev, void *data);
int kminidump_traverse(kminidump_row_fn_t fn, void *data);

/*
 * Append a "KEY=VALUE" line to the private VMCOREINFO copy in KELF.
 * Process context; the panic path uses kminidump_vmcoreinfo_append_atomic().
 */
__printf(1, 2) int kminidump_vmcoreinfo_append(const char *fmt, ...);
__printf(1, 2) int kminidump_vmcoreinfo_append_atomic(const char *fmt, ...);
/* Copy the value of VMCOREINFO key @key into @buf; returns its length or -ENOENT/-E2BIG. */
int kminidump_vmcoreinfo_value(const char *key, char *buf, size_t size);

#endif /* _KMINIDUMP_H */
