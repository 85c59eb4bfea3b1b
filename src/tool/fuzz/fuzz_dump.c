// SPDX-License-Identifier: GPL-2.0
/* An ELF dump (QEMU, kdump) as the memory source, the KELF scan, the core writer. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmt_extract_opts o = { .force = true };
	uint8_t *copy = kmt_fuzz_copy(data, size);
	struct kmt_phys m = { 0 };
	struct kmt_found f = { 0 };
	struct kmt_plan p = { 0 };

	kmt_fuzz_init();
	if (!kmt_phys_add_elf_mem(&m, copy, size, "dump", size & 1) && !kmt_phys_finish(&m)) {
		uint8_t b[16];

		kmt_phys_read(&m, 0x1000000, b, sizeof(b));
		if (!kmt_find_kelf(&m, false, 0, &f) && !kmt_extract_plan(&m, &f, &o, &p))
			kmt_fuzz_write_core(&m, &p);
	}
	kmt_plan_free(&p);
	kmt_found_free(&f);
	kmt_phys_free(&m);
	free(copy);
	return 0;
}
