// SPDX-License-Identifier: GPL-2.0
/* A raw RAM image with a kminidump_rmem locator: the locator scan, then the KELF it names. */
#include "fuzz.h"
#include "input/locator_find.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmt_phys m = { 0 };
	struct kmt_found f = { 0 };
	struct kmt_locator l;
	uint64_t pa;

	kmt_fuzz_init();
	if (!kmt_phys_add_mem(&m, 0x1000000, data, size, "ram") && !kmt_phys_finish(&m) &&
	    !kmt_find_locator(&m, false, 0, &l, &pa))
		kmt_find_kelf(&m, true, l.kelf_pa, &f);
	kmt_locator_parse(data, size, 0x1000000, &l, (char[64]){ 0 }, 64);
	kmt_found_free(&f);
	kmt_phys_free(&m);
	return 0;
}
