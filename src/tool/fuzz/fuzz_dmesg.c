// SPDX-License-Identifier: GPL-2.0
/* The printk ring decoder on an ELF core, driven by its VMCOREINFO alone. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = kmt_fuzz_copy(data, size);
	struct kmt_core c;

	kmt_fuzz_init();
	if (!kmt_core_open(&c, "core", copy, size)) {
		kmt_dmesg(&c, kmt_fuzz_null_file());
		kmt_core_close(&c);
	}
	free(copy);
	return 0;
}
