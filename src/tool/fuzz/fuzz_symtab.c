// SPDX-License-Identifier: GPL-2.0
/* System.map / kallsyms lines, the filter of what kallsyms lacks and address lookup. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmd_text_ranges r;
	struct kmd_symtab t;
	size_t i, n = 0;

	kmd_fuzz_init();
	if (kmd_symtab_parse(&t, (const char *)data, size, "map"))
		return 0;
	kmd_symtab_text_ranges(&t, &r);
	for (i = 0; i < t.n; i++)
		n += kmd_sym_kallsyms_lacks(&r, &t.s[i]);
	kmd_symtab_sort_addr(&t);
	kmd_symtab_lookup(&t, n * 0x1000);
	kmd_symtab_lookup(&t, ~0ULL);
	kmd_symtab_free(&t);
	return 0;
}
