// SPDX-License-Identifier: GPL-2.0
/* A raw RAM image: the KELF scan, the extract plan and the core writer. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmt_extract_opts o = { .force = size & 1 };
	struct kmt_phys m = { 0 };
	struct kmt_found f = { 0 };
	struct kmt_plan p = { 0 };

	kmt_fuzz_init();
	if (!kmt_phys_add_mem(&m, 0x1000000, data, size, "ram") && !kmt_phys_finish(&m) &&
	    !kmt_find_kelf(&m, false, 0, &f) && !kmt_extract_plan(&m, &f, &o, &p))
		kmt_fuzz_write_core(&m, &p);
	kmt_plan_free(&p);
	kmt_found_free(&f);
	kmt_phys_free(&m);
	return 0;
}
