/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 function entries as the kernel builds them with ftrace
 * (-fpatchable-function-entry=2): two words for ftrace, NOPs at build time,
 * "mov x9, x30" and a NOP or a "bl" once ftrace has initialized them. With
 * BTI (CONFIG_ARM64_BTI_KERNEL) the landing pad "bti c" comes first and the
 * two words after it (arm64's ftrace_call_adjust() skips it the same way);
 * with pointer authentication "paciasp" opens the body, after the two words.
 * Those words lie outside the unwind table's range for the function: a pc
 * there loses the caller in unwinders, so the panic() probe goes past them.
 * It never goes past "paciasp": from there on x30 holds a signed return
 * address.
 *
 * Pure function of the words, no kernel headers: the tool tests include it
 * (tests/tool/entry_skip_test.c) with synthesized prologues.
 */
#ifndef _KMK_ENTRY_SKIP_H
#define _KMK_ENTRY_SKIP_H

#define KMK_INSN_NOP		0xd503201fU
#define KMK_INSN_MOV_X9_X30	0xaa1e03e9U
#define KMK_INSN_BTI_C		0xd503245fU
#define KMK_INSN_BTI_JC		0xd50324dfU
#define KMK_INSN_PACIASP	0xd503233fU
#define KMK_ENTRY_WORDS		3	/* at most: bti c + the two ftrace words */

static inline int kmk_is_ftrace_word(u32 insn)
{
	/* a "bl" there is ftrace's call: the function is being traced */
	return insn == KMK_INSN_NOP || insn == KMK_INSN_MOV_X9_X30 ||
	       (insn & 0xfc000000U) == 0x94000000U;
}

/* Bytes to skip at a function entry, from its first @n words (n <= 3 read). */
static inline unsigned int kmk_entry_skip_words(const u32 *insn, unsigned int n)
{
	unsigned int i = 0, ftrace = 0;

	if (n && (insn[0] == KMK_INSN_BTI_C || insn[0] == KMK_INSN_BTI_JC))
		i = 1;
	while (i < n && ftrace < 2 && kmk_is_ftrace_word(insn[i])) {
		i++;
		ftrace++;
	}
	/* a landing pad alone is no ftrace entry: probe the function itself */
	return ftrace ? 4 * i : 0;
}

#endif /* _KMK_ENTRY_SKIP_H */
