// SPDX-License-Identifier: GPL-2.0
/* The printk ring decoder on an ELF core, driven by its VMCOREINFO alone. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = kmd_fuzz_copy(data, size);
	struct kmd_core c;

	kmd_fuzz_init();
	if (!kmd_core_open(&c, "core", copy, size)) {
		kmd_dmesg(&c, kmd_fuzz_null_file());
		kmd_core_close(&c);
	}
	free(copy);
	return 0;
}
