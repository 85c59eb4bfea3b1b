// SPDX-License-Identifier: GPL-2.0
/*
 * A core file's decoders (input/corefile.c): the age v1 header parser and
 * STREAM reader with a fixed identity (the C2SP CCTV vectors' own, so that
 * their files are seeds that get past the MAC), then zstd, capped at 16 MiB.
 */
#include "fuzz.h"
#include "input/corefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmt_identities ids;
	uint8_t *out = NULL;
	size_t outlen;
	int decoded;

	kmt_fuzz_init();
	if (!ids.n) {
		ids.k = malloc(sizeof(*ids.k));
		if (kmt_age_parse_identity("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0",
					   ids.k, "fuzz"))
			abort();
		ids.n = 1;
	}
	if (!kmt_decode(data, size, &ids, 16 << 20, "fuzz", &out, &outlen, &decoded) && decoded)
		free(out);
	return 0;
}
