// SPDX-License-Identifier: GPL-2.0
/* An ELF core: program headers, notes, VMCOREINFO, the table; what info prints. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = kmd_fuzz_copy(data, size);
	struct kmd_info_ctx x = { .out = kmd_fuzz_null_file() };
	struct kmd_core c;

	kmd_fuzz_init();
	if (!kmd_core_open(&c, "core", copy, size)) {
		uint8_t b[64];

		x.c = &c;
		kmd_info_print(&x);
		kmd_core_read_pa(&c, 0x1180000, b, sizeof(b));
		kmd_core_close(&c);
	}
	free(copy);
	return 0;
}
