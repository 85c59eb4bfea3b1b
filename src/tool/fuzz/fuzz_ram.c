// SPDX-License-Identifier: GPL-2.0
/* A raw RAM image: the KELF scan, the extract plan and the core writer. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmd_extract_opts o = { .force = size & 1 };
	struct kmd_phys m = { 0 };
	struct kmd_found f = { 0 };
	struct kmd_plan p = { 0 };

	kmd_fuzz_init();
	if (!kmd_phys_add_mem(&m, 0x1000000, data, size, "ram") && !kmd_phys_finish(&m) &&
	    !kmd_find_kelf(&m, false, 0, &f) && !kmd_extract_plan(&m, &f, &o, &p))
		kmd_extract_write(&m, &p, kmd_fuzz_null_fd(), "null");
	kmd_plan_free(&p);
	kmd_found_free(&f);
	kmd_phys_free(&m);
	return 0;
}
