// SPDX-License-Identifier: GPL-2.0
/* The KELF parser: header, program headers, note chain, table and rows. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmt_kelf k;
	char why[256], flags[40];
	uint64_t need;
	uint32_t i;

	kmt_fuzz_init();
	kmt_kelf_peek(data, size, &need);
	if (kmt_kelf_parse(data, size, &k, why, sizeof(why)))
		return 0;
	kmt_table_flags_str(k.flags, flags, sizeof(flags));
	for (i = 0; i < k.capacity; i++) {
		struct kmt_rowinfo r;
		GElf_Phdr ph;
		char rf[16];

		kmt_kelf_row(&k, i, &r);
		kmt_kelf_phdr(&k, i, &ph);
		kmt_row_flags_str(&r, rf, sizeof(rf));
		(void)kmt_row_state_name(r.state);
	}
	return 0;
}
