// SPDX-License-Identifier: GPL-2.0
/* Core files, plain, zstd or age (input/corefile.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include <openssl/crypto.h>
#include "input/corefile.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

static const uint8_t kmt_zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

int kmt_identity_add(struct kmt_identities *ids, const char *path)
{
	int ret = kmt_age_load_keys(path, true, &ids->k, &ids->n);

	return ret == KMT_EXIT_FORMAT ? KMT_EXIT_USAGE : ret;
}

void kmt_identities_free(struct kmt_identities *ids)
{
	if (ids->k)
		OPENSSL_cleanse(ids->k, ids->n * sizeof(*ids->k));
	free(ids->k);
	ids->k = NULL;
	ids->n = 0;
}

int kmt_zstd_decode(const uint8_t *in, size_t len, uint64_t max, const char *name,
		    uint8_t **out, size_t *outlen)
{
	unsigned long long claim = ZSTD_getFrameContentSize(in, len);
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer zi = { in, len, 0 };
	size_t cap, o = 0;
	uint8_t *buf;
	int ret = 0;

	if (!d) {
		kmt_err("zstd: can't set up the decompressor");
		return KMT_EXIT_FAILURE;
	}
	if (claim != ZSTD_CONTENTSIZE_UNKNOWN && claim != ZSTD_CONTENTSIZE_ERROR && claim > max) {
		kmt_err("%s says it decompresses to %llu bytes, more than the %llu MiB this tool decompresses in memory; decompress it with zstd -d first",
			name, claim, (unsigned long long)(max >> 20));
		ZSTD_freeDCtx(d);
		return KMT_EXIT_LIMIT;
	}
	ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, KMT_ZSTD_WINDOW_LOG);
	/* the frame's own size when it says one (and it is sane), else grow by doubling */
	cap = claim != ZSTD_CONTENTSIZE_UNKNOWN && claim != ZSTD_CONTENTSIZE_ERROR && claim ?
	      (size_t)claim : 1 << 16;
	buf = kmt_malloc(cap);
	for (;;) {
		ZSTD_outBuffer zo = { buf, cap, o };
		size_t ipos = zi.pos, r = ZSTD_decompressStream(d, &zo, &zi);
		bool progress = zo.pos != o || zi.pos != ipos;

		if (ZSTD_isError(r)) {
			kmt_err("%s is not a valid zstd stream: %s", name, ZSTD_getErrorName(r));
			ret = KMT_EXIT_FORMAT;
			break;
		}
		o = zo.pos;
		if (!r && zi.pos == zi.size)
			break;		/* the last frame ended with the input */
		if (progress)
			continue;
		if (o < cap) {
			kmt_err("%s is a truncated zstd stream (the frame does not end)", name);
			ret = KMT_EXIT_FORMAT;
			break;
		}
		if (cap >= max) {
			kmt_err("%s decompresses to more than the %llu MiB this tool decompresses in memory; decompress it with zstd -d first",
				name, (unsigned long long)(max >> 20));
			ret = KMT_EXIT_LIMIT;
			break;
		}
		cap = cap > max / 2 ? (size_t)max : cap * 2;
		buf = kmt_realloc(buf, cap);
	}
	ZSTD_freeDCtx(d);
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	*outlen = o;
	return 0;
}

/* Any version: the age reader then says which one it does not read. */
static bool kmt_is_age(const uint8_t *in, size_t len)
{
	return len >= 19 && !memcmp(in, "age-encryption.org/", 19);
}

static bool kmt_is_armored_age(const uint8_t *in, size_t len)
{
	static const char begin[] = "-----BEGIN AGE ENCRYPTED FILE-----";

	return len >= sizeof(begin) - 1 && !memcmp(in, begin, sizeof(begin) - 1);
}

static bool kmt_is_zstd(const uint8_t *in, size_t len)
{
	return len >= 4 && !memcmp(in, kmt_zstd_magic, 4);
}

int kmt_decode(const uint8_t *in, size_t len, const struct kmt_identities *ids, uint64_t max,
	       const char *name, uint8_t **out, size_t *outlen, int *decoded)
{
	uint8_t *plain = NULL;
	size_t plen = 0;
	int ret;

	*decoded = 0;
	if (kmt_is_armored_age(in, len)) {
		kmt_err("%s is an ASCII-armored age file: decrypt it with age -d first (this tool reads binary age files)",
			name);
		return KMT_EXIT_FORMAT;
	}
	if (kmt_is_age(in, len)) {
		if (!ids || !ids->n) {
			kmt_err("%s is age-encrypted: give the key with -i KEYFILE (AGE-SECRET-KEY-1..., made by age-keygen)",
				name);
			return KMT_EXIT_NOTFOUND;
		}
		ret = kmt_age_decrypt(in, len, ids->k, ids->n, max, name, &plain, &plen);
		if (ret)
			return ret;
		*decoded = 1;
		if (!kmt_is_zstd(plain, plen)) {
			*out = plain;
			*outlen = plen;
			return 0;
		}
		in = plain;
		len = plen;
	}
	if (kmt_is_zstd(in, len)) {
		ret = kmt_zstd_decode(in, len, max, name, out, outlen);
		if (plain) {
			OPENSSL_cleanse(plain, plen);
			free(plain);
		}
		if (!ret)
			*decoded |= 2;
		return ret;
	}
	return 0;
}

int kmt_corefile_open(struct kmt_file *f, const char *path, const struct kmt_identities *ids)
{
	int ret = kmt_file_map(f, path), decoded;
	uint8_t *out = NULL;
	size_t outlen = 0;

	if (ret)
		return ret;
	ret = kmt_decode(f->data, f->size, ids, KMT_DECODE_MAX, f->path, &out, &outlen, &decoded);
	if (ret || !decoded)
		return ret;
	kmt_verbose("%s: %s%s%s, %llu bytes of core", f->path, decoded & 1 ? "age-encrypted" : "",
		    decoded == 3 ? ", " : "", decoded & 2 ? "zstd-compressed" : "",
		    (unsigned long long)outlen);
	/* the decoded core replaces the mapping; path, dev and ino stay */
	{
		struct kmt_file plain = *f;

		f->path = NULL;
		kmt_file_unmap(f);
		*f = plain;
	}
	f->data = out;
	f->size = outlen;
	f->mapped = false;
	return 0;
}
