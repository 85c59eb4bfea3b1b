// SPDX-License-Identifier: GPL-2.0
/* System.map / kallsyms lines, the filter of what kallsyms lacks and address lookup. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmt_text_ranges r;
	struct kmt_symtab t;
	size_t i, n = 0;

	kmt_fuzz_init();
	if (kmt_symtab_parse(&t, (const char *)data, size, "map"))
		return 0;
	kmt_symtab_text_ranges(&t, &r);
	for (i = 0; i < t.n; i++)
		n += kmt_sym_kallsyms_lacks(&r, &t.s[i]);
	kmt_symtab_sort_addr(&t);
	kmt_symtab_lookup(&t, n * 0x1000);
	kmt_symtab_lookup(&t, ~0ULL);
	kmt_symtab_free(&t);
	return 0;
}
