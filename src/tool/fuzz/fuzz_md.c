// SPDX-License-Identifier: GPL-2.0
/*
 * A QDL/edl md_*.BIN set: name ordering and the layout check. Input: a count
 * byte, then per file a name length byte, the name and a 32-bit size, then the
 * files' bytes one after the other.
 */
#include "fuzz.h"

#define MAX_FILES	32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmt_mdfile f[MAX_FILES];
	char names[MAX_FILES][256];
	size_t nf, i, pos = 1;
	int code;

	kmt_fuzz_init();
	if (!size)
		return 0;
	nf = data[0] % MAX_FILES + 1;
	memset(f, 0, sizeof(f));
	for (i = 0; i < nf; i++) {
		size_t n;

		if (pos >= size)
			return 0;
		n = data[pos++];
		if (n > size - pos || size - pos - n < 4)
			return 0;
		memcpy(names[i], data + pos, n);
		names[i][n] = 0;
		pos += n;
		f[i].size = kmt_le32(data + pos);
		pos += 4;
		f[i].path = names[i];
		f[i].base = names[i];
	}
	for (i = 0; i < nf; i++) {
		if (f[i].size > size - pos)
			f[i].size = size - pos;
		f[i].data = (uint8_t *)data + pos;	/* read-only below but for libelf */
		pos += f[i].size;
	}
	/* libelf wants a writable image: give it copies */
	for (i = 0; i < nf; i++)
		f[i].data = kmt_fuzz_copy(f[i].data, f[i].size);
	if (!kmt_md_order(f, nf))
		kmt_assemble_check(f, nf, nf & 1, &code);
	for (i = 0; i < nf; i++)
		free(f[i].data);
	return 0;
}
