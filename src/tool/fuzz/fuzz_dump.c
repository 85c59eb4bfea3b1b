// SPDX-License-Identifier: GPL-2.0
/* An ELF dump (QEMU, kdump) as the memory source, the KELF scan, the core writer. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmd_extract_opts o = { .force = true };
	uint8_t *copy = kmd_fuzz_copy(data, size);
	struct kmd_phys m = { 0 };
	struct kmd_found f = { 0 };
	struct kmd_plan p = { 0 };

	kmd_fuzz_init();
	if (!kmd_phys_add_elf_mem(&m, copy, size, "dump", size & 1) && !kmd_phys_finish(&m)) {
		uint8_t b[16];

		kmd_phys_read(&m, 0x1000000, b, sizeof(b));
		if (!kmd_find_kelf(&m, false, 0, &f) && !kmd_extract_plan(&m, &f, &o, &p))
			kmd_extract_write(&m, &p, kmd_fuzz_null_fd(), "null");
	}
	kmd_plan_free(&p);
	kmd_found_free(&f);
	kmd_phys_free(&m);
	free(copy);
	return 0;
}
