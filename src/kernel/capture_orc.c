// SPDX-License-Identifier: GPL-2.0
/*
 * x86 kernels unwind with ORC, and crash reads the kernel's ORC tables from
 * the dump to walk frames; without them it guesses from the stack's contents
 * and shows stale frames. The tables are megabytes, so only the entries that
 * crash reads for the panic task's frames are captured: for each frame's ip,
 * its two orc_lookup words, the orc_unwind_ip slice they bound (crash
 * binary-searches it) and the orc_unwind entry found. The frames come from the
 * kernel's own unwinder (exported), run from the registers at panic() entry,
 * which is where crash starts the panic task's backtrace.
 * Built only where the kernel has CONFIG_UNWINDER_ORC (Kbuild).
 */
#include <linux/uaccess.h>
#include <asm/orc_lookup.h>
#include <asm/orc_types.h>
#include <asm/unwind.h>
#include "capture.h"

#define KMK_ORC_FRAMES		12
#define KMK_ORC_SLICE		512	/* bytes of orc_unwind_ip a 256-byte block needs, at most */

static struct {
	unsigned long lookup, ip_table, unwind, ip_end;
	unsigned int blocks;
	u32 ids[KMK_ORC_FRAMES][3];	/* lookup pair, ip slice, unwind entry */
	bool on;
} kmk_orc;

int kmk_orc_init(void)
{
	unsigned long nblocks;
	unsigned int f, i;
	int ret;

	if (kmk_sym("lookup_num_blocks", &nblocks) || kmk_sym("orc_lookup", &kmk_orc.lookup) ||
	    kmk_sym("__start_orc_unwind_ip", &kmk_orc.ip_table) ||
	    kmk_sym("__stop_orc_unwind_ip", &kmk_orc.ip_end) ||
	    kmk_sym("__start_orc_unwind", &kmk_orc.unwind) || !kmk_stext) {
		pr_warn("panic capture: ORC tables not found: crash guesses the frames from the stack\n");
		return 0;
	}
	/* the address may come from a user-supplied symbol table */
	if (copy_from_kernel_nofault(&kmk_orc.blocks, (void *)nblocks, sizeof(kmk_orc.blocks))) {
		pr_warn("panic capture: lookup_num_blocks unreadable: crash guesses the frames from the stack\n");
		return 0;
	}
	ret = kmk_register_va(&kmk_capture_region, 0, "orc_blocks", nblocks, sizeof(int), 0);
	for (f = 0; ret >= 0 && f < KMK_ORC_FRAMES; f++) {
		static const char *const fmt[3] = { "porcl%u", "porci%u", "porcu%u" };
		static const size_t room[3] = { 2 * sizeof(int), KMK_ORC_SLICE,
						sizeof(struct orc_entry) };

		for (i = 0; ret >= 0 && i < 3; i++)
			ret = kmk_reserve(fmt[i], f, -1, room[i], &kmk_orc.ids[f][i]);
	}
	kmk_orc.on = ret >= 0;
	return ret < 0 ? ret : 0;
}

void kmk_orc_exit(void)
{
	kmk_release(&kmk_orc.ids[0][0], KMK_ORC_FRAMES * 3);
	memset(&kmk_orc, 0, sizeof(kmk_orc));
}

/*
 * The tables' addresses may come from a user-supplied symbol table and are
 * read at panic: every read is _nofault, so a wrong address ends the ORC
 * capture of that frame instead of faulting inside the panic.
 */
static bool kmk_orc_read(unsigned long addr, int *val)
{
	return !copy_from_kernel_nofault(val, (void *)addr, sizeof(*val));
}

/* orc_unwind_ip holds ips relative to themselves; false: unreadable */
static bool kmk_orc_ip(unsigned long entry, unsigned long *ip)
{
	int rel;

	if (!kmk_orc_read(entry, &rel))
		return false;
	*ip = entry + rel;
	return true;
}

/* The ORC entries crash reads for @ip; false when there are none to take. */
static bool kmk_orc_frame(unsigned long ip, const u32 *ids)
{
	unsigned int idx = (ip - kmk_stext) / LOOKUP_BLOCK_SIZE, start, stop, lo, hi;
	unsigned long lookup = kmk_orc.lookup + idx * sizeof(int), mip;
	int w[2];

	if (!kmk_is_text(ip) || idx + 1 >= kmk_orc.blocks ||
	    !kmk_orc_read(lookup, &w[0]) || !kmk_orc_read(lookup + sizeof(int), &w[1]))
		return false;
	start = w[0];
	stop = w[1] + 1;
	if (stop <= start || (stop - start) * sizeof(int) > KMK_ORC_SLICE ||
	    kmk_orc.ip_table + stop * sizeof(int) > kmk_orc.ip_end)
		return false;
	/* the last entry at or below ip, as the kernel's and crash's searches find it */
	for (lo = start, hi = stop - 1; lo < hi;) {
		unsigned int mid = lo + (hi - lo + 1) / 2;

		if (!kmk_orc_ip(kmk_orc.ip_table + mid * sizeof(int), &mip))
			return false;
		if (mip <= ip)
			lo = mid;
		else
			hi = mid - 1;
	}
	kmk_move(ids[0], (void *)lookup, 2 * sizeof(int));
	kmk_move(ids[1], (void *)(kmk_orc.ip_table + start * sizeof(int)),
		 (stop - start) * sizeof(int));
	kmk_move(ids[2], (void *)(kmk_orc.unwind + lo * sizeof(struct orc_entry)),
		 sizeof(struct orc_entry));
	return true;
}

/*
 * Walk the frames; a return address is looked up one byte back (it may be the
 * first byte of the next function), an interrupted context's ip as it is.
 * The first frame in a module (where an exception came from) gets the slot's
 * pc rows when the registers' own pc did not take them.
 */
void kmk_orc_capture(struct task_struct *t, struct pt_regs *regs,
		     const struct kmk_slot *s, bool pc_taken, struct kmk_found *f)
{
	struct unwind_state state;
	unsigned int n = 0;

	if (!kmk_orc.on)
		return;
	for (unwind_start(&state, t, regs, NULL); !unwind_done(&state) && n < KMK_ORC_FRAMES;
	     unwind_next_frame(&state)) {
		unsigned long ip = unwind_get_return_address(&state);

		if (!ip)
			break;
		if (!kmk_is_text(ip) && !pc_taken)
			pc_taken = kmk_capture_pc(s, ip);
		kmk_text_page(ip, f);
		if (kmk_orc_frame(state.signal ? ip : ip - 1, kmk_orc.ids[n]))
			n++;
	}
}
