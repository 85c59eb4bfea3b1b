// SPDX-License-Identifier: GPL-2.0
/*
 * SMEM -> item 602 -> APSS -> regions -> the core by QDL's rules. Input: a
 * 32-bit SMEM size L, L bytes of SMEM at 0x70000000 (its partition table in
 * the last 4 KiB), then the RAM the regions point into, at 0x1000000.
 */
#include "fuzz.h"
#include "input/smem.h"
#include "output/smemcore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmt_phys m = { 0 };
	struct kmt_smem_table t;
	struct kmt_smem_result res;
	struct kmt_stream *o;
	size_t l;

	kmt_fuzz_init();
	if (size < 4)
		return 0;
	l = kmt_le32(data);
	if (l > size - 4)
		l = size - 4;
	if (!kmt_phys_add_mem(&m, 0x70000000, data + 4, l, "smem") &&
	    !kmt_phys_add_mem(&m, 0x1000000, data + 4 + l, size - 4 - l, "ram") &&
	    !kmt_phys_finish(&m) && !kmt_smem_walk(&m, 0x70000000, l, false, &t)) {
		if (!kmt_stream_open(&o, "/dev/null", NULL, NULL, 0)) {
			kmt_smem_core_write(&m, &t, false, o, &res);
			kmt_stream_abort(o);
		}
		kmt_smem_free(&t);
	}
	kmt_phys_free(&m);
	return 0;
}
