// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 panic() probe's entry skip (src/kernel/entry_skip.h) on synthesized
 * prologues: Debian's arm64 kernels have no CONFIG_ARM64_BTI_KERNEL, so the BTI
 * shapes are only seen here. Prints "N passed, N failed".
 */
#include <stdint.h>
#include <stdio.h>

typedef uint32_t u32;
#include "../../src/kernel/entry_skip.h"

#define BL	0x94000123U	/* bl <ftrace_caller> */
#define STP	0xa9bf7bfdU	/* stp x29, x30, [sp, #-16]! */

static int passed, failed;

static void t(const char *what, const u32 *w, unsigned int n, unsigned int want)
{
	unsigned int got = kmk_entry_skip_words(w, n);

	if (got == want) {
		passed++;
		printf("ok %d %s: skip %u\n", passed + failed, what, got);
	} else {
		failed++;
		printf("not ok %d %s: skip %u, expected %u\n", passed + failed, what, got, want);
	}
}

int main(void)
{
	const u32 plain[] = { KMK_INSN_NOP, KMK_INSN_NOP, STP };
	const u32 traced[] = { KMK_INSN_MOV_X9_X30, BL, STP };
	const u32 inited[] = { KMK_INSN_MOV_X9_X30, KMK_INSN_NOP, KMK_INSN_PACIASP };
	const u32 bti[] = { KMK_INSN_BTI_C, KMK_INSN_NOP, KMK_INSN_NOP };
	const u32 bti_traced[] = { KMK_INSN_BTI_C, KMK_INSN_MOV_X9_X30, BL };
	const u32 bti_jc[] = { KMK_INSN_BTI_JC, KMK_INSN_MOV_X9_X30, KMK_INSN_NOP };
	const u32 bti_pac[] = { KMK_INSN_BTI_C, KMK_INSN_PACIASP, STP };
	const u32 pac[] = { KMK_INSN_PACIASP, STP, STP };
	const u32 none[] = { STP, KMK_INSN_NOP, KMK_INSN_NOP };

	printf("KTAP version 1\n");
	t("nop, nop (ftrace not initialized)", plain, 3, 8);
	t("mov x9, x30; bl (traced)", traced, 3, 8);
	t("mov x9, x30; nop; paciasp stays probed", inited, 3, 8);
	t("bti c; nop; nop", bti, 3, 12);
	t("bti c; mov x9, x30; bl", bti_traced, 3, 12);
	t("bti jc; mov x9, x30; nop", bti_jc, 3, 12);
	t("bti c; paciasp (no ftrace entry)", bti_pac, 3, 0);
	t("paciasp first (no ftrace entry)", pac, 3, 0);
	t("no entry words", none, 3, 0);
	t("bti c; nop with only 2 words readable", bti, 2, 8);
	t("nothing readable", plain, 0, 0);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
