// SPDX-License-Identifier: GPL-2.0
/*
 * The region table: rows in KELF's KMINIDUMP note and their program headers.
 *
 * A collector may read the table from RAM at any instant (a hypervisor, boot
 * firmware after a reset), so every writer keeps these rules:
 *  - a row's fields are written only while its state is FREE or BUSY and its
 *    program header is PT_NULL; VALID and PT_LOAD are stored last;
 *  - p_offset of a row is kelf_size plus the room of every non-free row before
 *    it; when a row is inserted later rows move up last-first, when one is
 *    removed they move down first-first, so no two PT_LOADs ever overlap in
 *    the file even between two stores;
 *  - rows never move between slots, so a lock-free update of one row never
 *    races with a writer rearranging the table.
 * Writers hold kmd.lock. kminidump_update() holds nothing: it only touches its
 * own row's address fields, state and p_type, and owns the row for that time
 * by moving its state VALID -> BUSY with cmpxchg (a removal does the same, so
 * a late update of a row being removed or reused fails instead of publishing).
 *
 * Every writer, locked or not, is inside kmd_write_begin()/kmd_write_end():
 * the table's {gen, writers} word makes gen odd while any writer is inside,
 * so an outside reader can tell a stable picture (docs/format.md).
 *
 * A KMINIDUMP_F_PANIC region is parked when it is added: VALID and listed,
 * but with no PT_LOAD and no room in the core file (flag PARKED), so that a
 * collector (QDL, firmware after a watchdog reset) never sees the placeholder
 * address its rows share. The panic capture's update unparks it: it takes its
 * room, later rows move up, then it becomes a PT_LOAD. That offset shift is
 * only safe with nobody else in the table, so a parked row moves only while
 * the core is panicking (one CPU left); an update that would show bytes
 * another PT_LOAD already shows at the same addresses leaves the row parked.
 */
#include <linux/ctype.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/notifier.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "core.h"

static unsigned long kmd_max_region_size = 64UL << 20;
module_param_named(max_region_size, kmd_max_region_size, ulong, 0644);
MODULE_PARM_DESC(max_region_size, "Largest region accepted, in bytes (default: 64 MiB)");

static u32 kmd_state(unsigned int i)
{
	return le32_to_cpu(READ_ONCE(kmd.rows[i].state));
}

static void kmd_set_state(unsigned int i, u32 state)
{
	/* everything written before becomes visible no later than the state */
	smp_wmb();
	WRITE_ONCE(kmd.rows[i].state, cpu_to_le32(state));
}

/*
 * The table's {gen, writers} word, as one u64 (the format is little-endian:
 * gen is the low half). Updates may run on several CPUs at once, lock-free,
 * so the word changes only by cmpxchg: the first writer in makes gen odd, the
 * last one out makes it even again. A value-returning cmpxchg is fully
 * ordered, so no store of the writer moves before its begin or after its end,
 * on arm64 as on x86 (TCG on an x86 host never reorders stores: no test here
 * can show a missing barrier; this is by reasoning).
 */
static u64 *kmd_seq_word(void)
{
	BUILD_BUG_ON(offsetof(struct kmd_table, writers) != offsetof(struct kmd_table, gen) + 4);
	BUILD_BUG_ON(offsetof(struct kmd_table, gen) % 8);
#ifndef __LITTLE_ENDIAN
#error "the kminidump table is little-endian: {gen, writers} is read as one u64"
#endif
	return (u64 *)&kmd.table->gen;
}

void kmd_write_begin(void)
{
	u64 *w = kmd_seq_word(), old, new;

	do {
		old = READ_ONCE(*w);
		new = old + (1ULL << 32);
		if (!(old >> 32))	/* first writer in: gen turns odd */
			new = (new & ~0xffffffffULL) | (u32)(old + 1);
	} while (cmpxchg64(w, old, new) != old);
}

void kmd_write_end(void)
{
	u64 *w = kmd_seq_word(), old, new;

	do {
		old = READ_ONCE(*w);
		if (WARN_ON_ONCE(!(old >> 32)))
			return;
		new = old - (1ULL << 32);
		if (!(new >> 32))	/* last writer out: gen turns even */
			new = (u32)(old + 1);
	} while (cmpxchg64(w, old, new) != old);
}

static void kmd_table_changed(int delta)
{
	struct kmd_table *t = kmd.table;

	WRITE_ONCE(t->count, cpu_to_le32(le32_to_cpu(t->count) + delta));
}

static void kmd_notify(unsigned long event, unsigned int i)
{
	struct kminidump_event ev = { .index = i, .row = &kmd.rows[i] };

	atomic_notifier_call_chain(&kmd.consumers, event, &ev);
}

static u64 kmd_room(unsigned int i)
{
	return le64_to_cpu(kmd.rows[i].room);
}

/* Where row @i starts in the core file: after KELF and every non-free row before it. */
static u64 kmd_offset_of(unsigned int i)
{
	u64 off = kmd.kelf_size;
	unsigned int j;

	for (j = 1; j < i; j++)
		if (kmd_state(j) != KMD_ROW_FREE)
			off += kmd_room(j);
	return off;
}

static void kmd_shift_offsets(unsigned int from, s64 delta)
{
	unsigned int j;

	/*
	 * The order is the point (no two PT_LOADs overlap between two stores),
	 * so each store is ordered after the previous one: arm64 would
	 * otherwise make them visible in any order.
	 */
	if (delta > 0) {
		for (j = kmd.capacity - 1; j >= from; j--)
			if (kmd_state(j) != KMD_ROW_FREE) {
				WRITE_ONCE(kmd.phdr[j].p_offset, kmd.phdr[j].p_offset + delta);
				smp_wmb();	/* this row moved before the next one does */
			}
	} else {
		for (j = from; j < kmd.capacity; j++)
			if (kmd_state(j) != KMD_ROW_FREE) {
				WRITE_ONCE(kmd.phdr[j].p_offset, kmd.phdr[j].p_offset + delta);
				smp_wmb();	/* this row moved before the next one does */
			}
	}
}

static int kmd_free_slots(void)
{
	unsigned int i;
	int n = 0;

	for (i = 1; i < kmd.capacity; i++)
		n += kmd_state(i) == KMD_ROW_FREE;
	return n;
}

static unsigned int kmd_first_free(void)
{
	unsigned int i;

	for (i = 1; i < kmd.capacity; i++)
		if (kmd_state(i) == KMD_ROW_FREE)
			return i;
	return 0;
}

struct kmd_piece {
	u32 id;
	u32 flags;
	u32 piece;
	const char *name;
	struct module *owner;
	u64 va;
	u64 pa;
	u64 size;
};

/*
 * Insert one physically contiguous piece; the caller checked there is a free
 * slot. Later rows move up first, leaving a gap; the row is written while it
 * is FREE (readers skip it) and becomes a PT_LOAD, then VALID, only once whole.
 */
static unsigned int kmd_insert(const struct kmd_piece *pc)
{
	unsigned int i = kmd_first_free();
	struct kmd_row *r = &kmd.rows[i];
	bool park = pc->flags & KMD_ROW_F_PANIC;

	/* callers count free rows first; row 0 is KELF and never free */
	if (WARN_ON_ONCE(!i))
		return 0;
	kmd_write_begin();
	if (!park)
		kmd_shift_offsets(i + 1, pc->size);
	r->id = cpu_to_le32(pc->id);
	strscpy(r->name, pc->name, sizeof(r->name));
	strscpy(r->owner, pc->owner ? module_name(pc->owner) : "user", sizeof(r->owner));
	r->flags = cpu_to_le32(pc->flags | (park ? KMD_ROW_F_PARKED : 0));
	r->piece = cpu_to_le32(pc->piece);
	r->va = cpu_to_le64(pc->va);
	r->pa = cpu_to_le64(pc->pa);
	r->size = cpu_to_le64(pc->size);
	r->room = cpu_to_le64(park ? 0 : pc->size);
	kmd.slots[i].owner = pc->owner;
	kmd.slots[i].reserve = pc->size;
	WRITE_ONCE(kmd.phdr[i].p_offset, kmd_offset_of(i));
	/* a parked row stays PT_NULL: readers skip it (docs/format.md) */
	if (!park)
		kmd_kelf_set_load(i);
	kmd_set_state(i, KMD_ROW_VALID);
	kmd_table_changed(1);
	kmd_write_end();
	kmd_notify(KMINIDUMP_ADD, i);
	return i;
}

/*
 * Take row @i from VALID to BUSY for its removal. An update that owns the row
 * (it moved it to BUSY itself) is lock-free and short: wait for it to give the
 * row back. Once BUSY is ours, no update can take the row again (it needs
 * VALID), and the row is FREE or reused before it is VALID next.
 */
static void kmd_claim_row(unsigned int i)
{
	u32 *st = (u32 *)&kmd.rows[i].state;

	while (cmpxchg(st, cpu_to_le32(KMD_ROW_VALID), cpu_to_le32(KMD_ROW_BUSY)) !=
	       cpu_to_le32(KMD_ROW_VALID))
		cpu_relax();
}

/*
 * Remove row @i: it stops being a PT_LOAD, gives up its room (so it occupies
 * nothing while later rows move down over it), then becomes FREE and is wiped.
 */
static void kmd_remove(unsigned int i)
{
	struct kmd_row *r = &kmd.rows[i];
	u64 room = kmd_room(i);

	kmd_notify(KMINIDUMP_REMOVE, i);
	kmd_write_begin();
	kmd_claim_row(i);
	kmd_kelf_clear_load(i);
	WRITE_ONCE(r->room, 0);
	kmd_shift_offsets(i + 1, -(s64)room);
	kmd_set_state(i, KMD_ROW_FREE);
	smp_wmb();	/* FREE before the fields go: readers skip FREE rows */
	memset(&kmd.phdr[i], 0, sizeof(kmd.phdr[i]));
	r->id = 0;
	r->flags = 0;
	r->piece = 0;
	memset(r->name, 0, sizeof(r->name));
	memset(r->owner, 0, sizeof(r->owner));
	r->va = 0;
	r->pa = 0;
	r->size = 0;
	kmd.slots[i].owner = NULL;
	kmd.slots[i].reserve = 0;
	kmd_table_changed(-1);
	kmd_write_end();
}

static bool kmd_name_ok(const char *name)
{
	size_t n = strlen(name), i;
	bool digits = true;

	if (!n || n >= KMD_NAME_LEN)
		return false;
	for (i = 0; i < n; i++) {
		if (!isgraph(name[i]))
			return false;
		digits &= !!isdigit(name[i]);
	}
	/* an all-digit name would read as an id, "id:N" is how control spells one */
	return !digits && strncmp(name, "id:", 3);
}

static bool kmd_id_used(u32 id)
{
	unsigned int i;

	for (i = 0; i < kmd.capacity; i++)
		if (kmd_state(i) != KMD_ROW_FREE && le32_to_cpu(kmd.rows[i].id) == id)
			return true;
	return false;
}

int kmd_find_id_by_name_locked(const char *name, u32 *id)
{
	unsigned int i;

	for (i = 0; i < kmd.capacity; i++) {
		if (kmd_state(i) != KMD_ROW_FREE &&
		    !strncmp(kmd.rows[i].name, name, KMD_NAME_LEN)) {
			*id = le32_to_cpu(kmd.rows[i].id);
			return 0;
		}
	}
	return -ENOENT;
}

/* Common checks for a new region; returns its id or a negative errno. */
static int kmd_check_new(u32 id, const char *name, size_t size)
{
	u32 other;

	if (!name || !kmd_name_ok(name)) {
		pr_warn("region name '%s' is invalid: 1 to %d printable characters, not all digits, not id:...\n",
			name ? name : "(null)", KMD_NAME_LEN - 1);
		return -EINVAL;
	}
	if (!size) {
		pr_warn("region '%s' has size 0\n", name);
		return -EINVAL;
	}
	if (size > kmd_max_region_size) {
		pr_warn("region '%s' is %zu bytes, more than max_region_size (%lu)\n",
			name, size, kmd_max_region_size);
		return -E2BIG;
	}
	if (!kmd_find_id_by_name_locked(name, &other)) {
		pr_warn("region '%s' already exists (id %u)\n", name, other);
		return -EEXIST;
	}
	if (id) {
		if (id == KMINIDUMP_ID_ELF || id >= KMINIDUMP_ID_DYNAMIC) {
			pr_warn("region '%s': fixed id %u is outside %u..%u (0 asks for a fresh id)\n",
				name, id, KMINIDUMP_ID_ELF + 1, KMINIDUMP_ID_DYNAMIC - 1);
			return -EINVAL;
		}
		if (kmd_id_used(id)) {
			pr_warn("region '%s': id %u is already in use\n", name, id);
			return -EEXIST;
		}
		return id;
	}
	do {
		id = kmd.next_id++;
		if (kmd.next_id < KMINIDUMP_ID_DYNAMIC)
			kmd.next_id = KMINIDUMP_ID_DYNAMIC;
	} while (kmd_id_used(id));
	return id;
}

/* Widen [*start, *start + *size) to 4-byte boundaries, as SMEM regions need. */
static void kmd_align4(u64 *start, u64 *size)
{
	u64 end = ALIGN(*start + *size, 4);

	*start = ALIGN_DOWN(*start, 4);
	*size = end - *start;
}

struct kmd_span {
	u64 va, pa, size;
};

/*
 * Split [va, va + size) into physically contiguous pieces, stored in @sp
 * (room for @max). Returns the number of pieces, which may be more than @max
 * (only the first @max are stored), or -EFAULT for an unmapped page.
 */
static int kmd_walk_pieces(unsigned long va, u64 size, struct kmd_span *sp, int max)
{
	unsigned long end = va + size, cur = va;
	phys_addr_t next_pa = 0, pa;
	int n = 0;

	while (cur < end) {
		unsigned long step = min(end, (cur & PAGE_MASK) + PAGE_SIZE) - cur;

		if (!kmd_virt_to_phys(cur, &pa))
			return -EFAULT;
		if (cur == va || pa != next_pa) {
			if (n < max)
				sp[n] = (struct kmd_span){ .va = cur, .pa = pa };
			n++;
		}
		if (n <= max)
			sp[n - 1].size += step;
		next_pa = pa + step;
		cur += step;
	}
	return n;
}

/*
 * One walk into a scratch list, then every insert or none: a region is never
 * left half in the table, and nothing is written before the room is known.
 */
int kmd_add_va(struct module *owner, u32 id, const char *name, unsigned long va,
	       size_t size, u32 flags)
{
	struct kmd_piece pc = { .name = name, .owner = owner, .flags = flags };
	int ret, n, i, nfree = kmd_free_slots();
	u64 start = va, len = size;
	struct kmd_span *sp;

	lockdep_assert_held(&kmd.lock);
	ret = kmd_check_new(id, name, size);
	if (ret < 0)
		return ret;
	pc.id = ret;
	kmd_align4(&start, &len);
	if (start + len < start) {
		pr_warn("region '%s': range 0x%llx + %llu wraps around\n", name, start, len);
		return -EINVAL;
	}
	if (!nfree) {
		pr_warn("region '%s': table full (%u rows): raise kminidump.capacity\n",
			name, kmd.capacity);
		return -ENOSPC;
	}
	sp = kcalloc(nfree, sizeof(*sp), GFP_KERNEL);
	if (!sp)
		return -ENOMEM;
	n = kmd_walk_pieces(start, len, sp, nfree);
	if (n == -EFAULT) {
		pr_warn("region '%s': 0x%llx..0x%llx is not all mapped kernel memory\n",
			name, start, start + len);
		ret = n;
		goto out;
	}
	if ((flags & KMINIDUMP_F_MOVABLE) && n != 1) {
		pr_warn("region '%s' is movable but not physically contiguous (%d pieces)\n",
			name, n);
		ret = -EINVAL;
		goto out;
	}
	if (n > nfree) {
		pr_warn("region '%s' needs %d rows, %d free of %u: raise kminidump.capacity\n",
			name, n, nfree, kmd.capacity);
		ret = -ENOSPC;
		goto out;
	}
	/* readers see the region's pieces appear as one change */
	kmd_write_begin();
	for (i = 0; i < n; i++) {
		pc.piece = i;
		pc.va = sp[i].va;
		pc.pa = sp[i].pa;
		pc.size = sp[i].size;
		kmd_insert(&pc);
	}
	kmd_write_end();
	ret = pc.id;
out:
	kfree(sp);
	return ret;
}

int kmd_add_pa(struct module *owner, u32 id, const char *name, phys_addr_t pa,
	       unsigned long va, size_t size, u32 flags)
{
	struct kmd_piece pc = { .name = name, .owner = owner,
				.flags = flags | KMD_ROW_F_BYPA };
	u64 start = pa, len = size;
	int ret;

	lockdep_assert_held(&kmd.lock);
	ret = kmd_check_new(id, name, size);
	if (ret < 0)
		return ret;
	if (!kmd_free_slots()) {
		pr_warn("region '%s': table full (%u rows): raise kminidump.capacity\n",
			name, kmd.capacity);
		return -ENOSPC;
	}
	pc.id = ret;
	kmd_align4(&start, &len);
	pc.pa = start;
	pc.va = va ? va - (pa - start) : 0;
	pc.size = len;
	kmd_insert(&pc);
	return pc.id;
}

int __kminidump_register_va(struct module *owner, u32 id, const char *name,
			    const void *va, size_t size, u32 flags)
{
	int ret;

	mutex_lock(&kmd.lock);
	ret = kmd_add_va(owner, id, name, (unsigned long)va, size,
			 flags & (KMINIDUMP_F_MOVABLE | KMINIDUMP_F_PANIC));
	mutex_unlock(&kmd.lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(__kminidump_register_va, KMD_NS);

int __kminidump_register_pa(struct module *owner, u32 id, const char *name,
			    phys_addr_t pa, size_t size, u32 flags)
{
	int ret;

	mutex_lock(&kmd.lock);
	ret = kmd_add_pa(owner, id, name, pa, kmd_phys_to_virt(pa), size,
			 flags & (KMINIDUMP_F_MOVABLE | KMINIDUMP_F_PANIC));
	mutex_unlock(&kmd.lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(__kminidump_register_pa, KMD_NS);

int __kminidump_register_symbol(struct module *owner, u32 id, const char *name,
				const char *symbol, size_t size, u32 flags)
{
	unsigned long addr;
	int ret;

	ret = kmd_lookup(symbol, &addr);
	if (ret) {
		pr_warn("region '%s': symbol %s not found\n", name, symbol);
		return ret;
	}
	return __kminidump_register_va(owner, id, name, (void *)addr, size, flags);
}
EXPORT_SYMBOL_NS_GPL(__kminidump_register_symbol, KMD_NS);

/* Remove every row of region @id (all of it in one change for a reader). */
int kmd_del_locked(u32 id)
{
	unsigned int i;
	int n = 0;

	lockdep_assert_held(&kmd.lock);
	if (id == KMINIDUMP_ID_ELF)
		return -EPERM;
	kmd_write_begin();
	for (i = 1; i < kmd.capacity; i++) {
		if (kmd_state(i) != KMD_ROW_FREE && le32_to_cpu(kmd.rows[i].id) == id) {
			kmd_remove(i);
			n++;
		}
	}
	kmd_write_end();
	return n ? 0 : -ENOENT;
}

/* A module removes only its own regions: another's id, or a user's, is refused. */
int __kminidump_unregister(struct module *owner, u32 id)
{
	unsigned int i;
	int ret;

	mutex_lock(&kmd.lock);
	for (i = 1; i < kmd.capacity; i++) {
		if (kmd_state(i) != KMD_ROW_FREE && le32_to_cpu(kmd.rows[i].id) == id &&
		    kmd.slots[i].owner != owner) {
			pr_warn("%s may not remove region %u '%.*s': it belongs to %s\n",
				owner ? module_name(owner) : "kernel", id, KMD_NAME_LEN,
				kmd.rows[i].name, kmd.slots[i].owner ?
				module_name(kmd.slots[i].owner) : "user (debugfs control)");
			mutex_unlock(&kmd.lock);
			return -EPERM;
		}
	}
	ret = kmd_del_locked(id);
	mutex_unlock(&kmd.lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(__kminidump_unregister, KMD_NS);

/*
 * Own row @i for an update: VALID -> BUSY by cmpxchg, then check it is still
 * region @id (the row may have been removed and reused between the lookup and
 * the cmpxchg; the id cannot change while we hold BUSY). A row being removed
 * is BUSY or FREE already, so a late update fails here and never publishes.
 */
static int kmd_own_row(unsigned int i, u32 id)
{
	u32 *st = (u32 *)&kmd.rows[i].state;

	if (cmpxchg(st, cpu_to_le32(KMD_ROW_VALID), cpu_to_le32(KMD_ROW_BUSY)) !=
	    cpu_to_le32(KMD_ROW_VALID))
		return -ENOENT;
	if (le32_to_cpu(READ_ONCE(kmd.rows[i].id)) != id) {
		/* not ours after all: give it back unchanged (release: nothing was written) */
		smp_store_release(st, cpu_to_le32(KMD_ROW_VALID));
		return -ENOENT;
	}
	return 0;
}

/*
 * Does another PT_LOAD already show [pa, pa + len) with the same virtual
 * addresses (or @va 0)? Then a parked row moved there would only repeat
 * those bytes at the same address (idle tasks share init_struct_pid; stacks
 * in one vmalloc area share their page-table pages, which pgtable.c rows
 * hold already): it stays parked and costs no row in SMEM. Panic only.
 */
static bool kmd_shown_elsewhere(unsigned int i, u64 va, u64 pa, u64 len)
{
	unsigned int j;

	for (j = 1; j < kmd.capacity; j++) {
		const struct kmd_row *o = &kmd.rows[j];
		u64 opa = le64_to_cpu(o->pa), ova = le64_to_cpu(o->va);

		if (j == i || kmd_state(j) != KMD_ROW_VALID ||
		    READ_ONCE(kmd.phdr[j].p_type) != PT_LOAD)
			continue;
		if (pa < opa || pa + len > opa + le64_to_cpu(o->size))
			continue;
		if (!va || (ova && va - ova == pa - opa))
			return true;
	}
	return false;
}

/*
 * A parked row takes its room: the gap opens first (later rows move up,
 * last-first), then the row's room and offset are written; the caller makes
 * it a PT_LOAD last. The row is BUSY and PT_NULL meanwhile: readers skip it.
 * Orders: kmd_shift_offsets() puts an smp_wmb() after each moved row, and
 * kmd_kelf_set_load() one before PT_LOAD, so on arm64 no reader sees the row
 * claim its room before the rows after it moved, nor a PT_LOAD before its
 * room; the panic's writer bracket keeps gen odd throughout. (TCG on x86
 * never reorders stores: this is by reasoning, not by a test.)
 */
static void kmd_unpark(unsigned int i)
{
	struct kmd_row *r = &kmd.rows[i];
	u64 room = kmd.slots[i].reserve;

	kmd_shift_offsets(i + 1, room);
	WRITE_ONCE(r->room, cpu_to_le64(room));
	WRITE_ONCE(kmd.phdr[i].p_offset, kmd_offset_of(i));
	WRITE_ONCE(r->flags, cpu_to_le32(le32_to_cpu(r->flags) & ~KMD_ROW_F_PARKED));
}

static int kmd_update_row(unsigned int i, const void *va, phys_addr_t pa, size_t size)
{
	struct kmd_row *r = &kmd.rows[i];
	u64 start = pa, len = size, vstart;
	u32 flags = le32_to_cpu(r->flags);

	if (!(flags & KMD_ROW_F_MOVABLE))
		return -EPERM;
	kmd_align4(&start, &len);
	if (!size || len > kmd.slots[i].reserve)
		return -E2BIG;
	vstart = va ? (unsigned long)va - (pa - start) : 0;
	if (flags & KMD_ROW_F_PARKED) {
		/* shifting offsets needs the table to itself: the panic CPU alone */
		if (!READ_ONCE(kmd_panicking))
			return -EBUSY;
		if (kmd_shown_elsewhere(i, vstart, start, len))
			return 0;
		kmd_unpark(i);
	}

	kmd_kelf_clear_load(i);
	/* the row reads BUSY and PT_NULL before any address field changes */
	WRITE_ONCE(r->va, cpu_to_le64(vstart));
	WRITE_ONCE(r->pa, cpu_to_le64(start));
	WRITE_ONCE(r->size, cpu_to_le64(len));
	kmd_kelf_set_load(i);
	return 0;
}

int kminidump_update_pa(u32 id, const void *va, phys_addr_t pa, size_t size)
{
	unsigned int i;
	int ret = -ENOENT;

	/* short and lock-free; no preemption while the row is BUSY (a remover waits) */
	preempt_disable();
	for (i = 1; i < kmd.capacity; i++) {
		if (kmd_state(i) == KMD_ROW_VALID && le32_to_cpu(READ_ONCE(kmd.rows[i].id)) == id) {
			ret = 0;
			break;
		}
	}
	if (ret)
		goto out;
	kmd_write_begin();
	ret = kmd_own_row(i, id);
	if (!ret) {
		ret = kmd_update_row(i, va, pa, size);
		/* every field is visible before the row is VALID again */
		smp_store_release(&kmd.rows[i].state, cpu_to_le32(KMD_ROW_VALID));
	}
	kmd_write_end();
	/* at panic consumers hear of the table once, final: KMINIDUMP_PANIC */
	if (!ret && !READ_ONCE(kmd_panicking))
		kmd_notify(KMINIDUMP_UPDATE, i);
out:
	preempt_enable();
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kminidump_update_pa, KMD_NS);

int kminidump_update(u32 id, const void *va, size_t size)
{
	unsigned long v = (unsigned long)va, cur;
	phys_addr_t pa, p;

	if (!size || !kmd_virt_to_phys(v, &pa))
		return -EFAULT;
	/* the new range must be one physically contiguous piece */
	for (cur = (v & PAGE_MASK) + PAGE_SIZE; cur < v + size; cur += PAGE_SIZE)
		if (!kmd_virt_to_phys(cur, &p) || p != pa + (cur - v))
			return -EFAULT;
	return kminidump_update_pa(id, va, pa, size);
}
EXPORT_SYMBOL_NS_GPL(kminidump_update, KMD_NS);

/*
 * Consumers are an atomic notifier chain: an RCU-protected list. Calls (UPDATE
 * from any context, NMI and the panic path included) are RCU readers; adding
 * takes the chain's spinlock, removing also waits for an RCU grace period, so
 * no CPU is inside a consumer's callback when kminidump_unregister_consumer()
 * returns and its module may go.
 */
int kminidump_register_consumer(struct notifier_block *nb)
{
	struct notifier_block *p;
	unsigned int i;

	mutex_lock(&kmd.lock);
	rcu_read_lock();
	for (p = rcu_dereference(kmd.consumers.head); p; p = rcu_dereference(p->next))
		if (p == nb)
			break;
	rcu_read_unlock();
	if (p) {
		mutex_unlock(&kmd.lock);
		return -EEXIST;
	}
	/* the replay and later ADDs are both under kmd.lock: no row is missed or seen twice */
	atomic_notifier_chain_register(&kmd.consumers, nb);
	for (i = 0; i < kmd.capacity; i++) {
		struct kminidump_event ev = { .index = i, .row = &kmd.rows[i] };

		if (kmd_state(i) == KMD_ROW_VALID)
			nb->notifier_call(nb, KMINIDUMP_ADD, &ev);
	}
	mutex_unlock(&kmd.lock);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kminidump_register_consumer, KMD_NS);

int kminidump_unregister_consumer(struct notifier_block *nb)
{
	/* waits (synchronize_rcu) for every caller inside the chain */
	return atomic_notifier_chain_unregister(&kmd.consumers, nb);
}
EXPORT_SYMBOL_NS_GPL(kminidump_unregister_consumer, KMD_NS);

/*
 * Remove the consumers whose notifier block lies in @mod (NULL: every one),
 * with one warning: a module that unloads while registered would leave a
 * freed callback on the chain.
 */
static void kmd_drop_consumers(struct module *mod, const char *why)
{
	struct notifier_block *p;
	unsigned int n = 0;

	for (;;) {
		rcu_read_lock();
		for (p = rcu_dereference(kmd.consumers.head); p; p = rcu_dereference(p->next))
			if (!mod || within_module((unsigned long)p, mod))
				break;
		rcu_read_unlock();
		if (!p)
			break;
		atomic_notifier_chain_unregister(&kmd.consumers, p);
		n++;
	}
	if (n)
		pr_warn("%u consumers still registered %s; removed them\n", n, why);
}

int kminidump_traverse(kminidump_row_fn_t fn, void *data)
{
	unsigned int i;
	int ret = 0;

	mutex_lock(&kmd.lock);
	for (i = 0; !ret && i < kmd.capacity; i++) {
		struct kminidump_event ev = { .index = i, .row = &kmd.rows[i] };

		if (kmd_state(i) == KMD_ROW_VALID)
			ret = fn(&ev, data);
	}
	mutex_unlock(&kmd.lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kminidump_traverse, KMD_NS);

/* Lock-free: the panic notifier calls it with one CPU left. */
void kmd_notify_panic(void)
{
	struct kminidump_event ev = { .index = 0, .row = NULL };

	atomic_notifier_call_chain(&kmd.consumers, KMINIDUMP_PANIC, &ev);
}

/*
 * Does row @i show memory of module @mod (its code or data)? Per-CPU areas of
 * modules are not looked at: nothing registers them today.
 */
static bool kmd_row_in_module(unsigned int i, struct module *mod)
{
	const struct kmd_row *r = &kmd.rows[i];
	unsigned long va = le64_to_cpu(r->va), size = le64_to_cpu(r->size);

	if (!va)
		return false;
	return within_module(va, mod) || within_module(va + size - 1, mod);
}

/*
 * A module going away: drop the rows it registered and forgot, and the rows
 * anyone registered that point into its memory (configs.ko's config, "add
 * <module symbol>" from control, extra=), before that memory is freed.
 */
static int kmd_module_event(struct notifier_block *nb, unsigned long action, void *data)
{
	struct module *mod = data;
	unsigned int i, owned = 0, inside = 0;

	if (action != MODULE_STATE_GOING)
		return NOTIFY_DONE;
	kmd_drop_consumers(mod, "by a module that went away");
	mutex_lock(&kmd.lock);
	kmd_write_begin();
	for (i = 1; i < kmd.capacity; i++) {
		if (kmd_state(i) == KMD_ROW_FREE)
			continue;
		if (kmd.slots[i].owner == mod) {
			kmd_remove(i);
			owned++;
		} else if (kmd_row_in_module(i, mod)) {
			kmd_remove(i);
			inside++;
		}
	}
	kmd_write_end();
	mutex_unlock(&kmd.lock);
	if (owned)
		pr_warn("module %s went away with %u rows registered; removed them\n",
			module_name(mod), owned);
	if (inside)
		pr_info("module %s unloaded: removed %u rows that pointed into its memory\n",
			module_name(mod), inside);
	return NOTIFY_OK;
}

static struct notifier_block kmd_module_nb = {
	.notifier_call = kmd_module_event,
};

int kmd_table_init(void)
{
	struct kmd_table *t = kmd.table;
	struct kmd_row *r = &kmd.rows[0];
	int ret;

	kmd.slots = kcalloc(kmd.capacity, sizeof(*kmd.slots), GFP_KERNEL);
	if (!kmd.slots)
		return -ENOMEM;
	kmd.next_id = KMINIDUMP_ID_DYNAMIC;

	memcpy(t->magic, KMD_TABLE_MAGIC, sizeof(t->magic));
	t->version = cpu_to_le32(KMD_TABLE_VERSION);
	t->hdr_size = cpu_to_le32(sizeof(*t));
	t->row_size = cpu_to_le32(sizeof(*r));
	t->capacity = cpu_to_le32(kmd.capacity);
	t->kelf_pa = cpu_to_le64(kmd.kelf_pa);
	t->kelf_va = cpu_to_le64((unsigned long)kmd.kelf);
	t->kelf_size = cpu_to_le32(kmd.kelf_size);
	t->nr_cpus = cpu_to_le32(nr_cpu_ids);
	t->flags = cpu_to_le32(KMD_TABLE_F_LIVE);

	r->id = cpu_to_le32(KMINIDUMP_ID_ELF);
	strscpy(r->name, "ELF", sizeof(r->name));
	strscpy(r->owner, KBUILD_MODNAME, sizeof(r->owner));
	r->flags = cpu_to_le32(KMD_ROW_F_HEADER);
	r->va = cpu_to_le64((unsigned long)kmd.kelf);
	r->pa = cpu_to_le64(kmd.kelf_pa);
	r->size = cpu_to_le64(kmd.kelf_size);
	r->room = r->size;
	kmd_set_state(0, KMD_ROW_VALID);
	kmd_table_changed(1);

	ret = register_module_notifier(&kmd_module_nb);
	if (ret) {
		kfree(kmd.slots);
		kmd.slots = NULL;
	}
	return ret;
}

void kmd_table_exit(void)
{
	unsigned int i;

	unregister_module_notifier(&kmd_module_nb);
	kmd_drop_consumers(NULL, "at unload");
	mutex_lock(&kmd.lock);
	for (i = 1; i < kmd.capacity; i++)
		if (kmd_state(i) != KMD_ROW_FREE)
			kmd_remove(i);
	WRITE_ONCE(kmd.table->flags, 0);
	mutex_unlock(&kmd.lock);
	kfree(kmd.slots);
	kmd.slots = NULL;
}
