/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A core file as info and dmesg read it: plain, zstd-compressed, age-encrypted
 * (with -i KEYFILE), or zstd inside age, told apart by their first bytes, not
 * their names. A decoded core lives in the heap, at most KMT_DECODE_MAX bytes
 * (refused before it is allocated when the frame or the age file says so,
 * else as soon as the output passes it), so a zstd bomb costs neither the
 * memory nor the time of its claimed size.
 */
#ifndef _KMT_COREFILE_H
#define _KMT_COREFILE_H

#include <stddef.h>
#include <stdint.h>

#include "format/age.h"
#include "lib/file.h"

#define KMT_DECODE_MAX		(256ULL << 20)	/* bytes of a decoded core (a minidump: 1-16 MiB) */
#define KMT_ZSTD_WINDOW_LOG	27		/* 128 MiB: zstd's default limit, said aloud */

/* Identities for .age inputs (-i KEYFILE, repeatable). */
struct kmt_identities {
	struct kmt_age_key *k;
	size_t n;
};

#define KMT_IDENTITY_LONGOPT	{ "identity", required_argument, NULL, 'i' }
#define KMT_IDENTITY_HELP \
	"  -i, --identity KEYFILE  open an age-encrypted core with the AGE-SECRET-KEY-1...\n" \
	"                          identities in KEYFILE (repeatable; age-keygen's file)\n"

/* -i KEYFILE: 0 or a KMT_EXIT_* code (message printed). */
int kmt_identity_add(struct kmt_identities *ids, const char *path);
void kmt_identities_free(struct kmt_identities *ids);

/*
 * Maps @path (lib/file.h) and decodes it when it is zstd or age: @f then
 * holds the plain core (f->mapped false). 0, or KMT_EXIT_IO, KMT_EXIT_FORMAT
 * (a damaged stream), KMT_EXIT_NOTFOUND (age without a matching identity),
 * KMT_EXIT_LIMIT (over KMT_DECODE_MAX).
 */
int kmt_corefile_open(struct kmt_file *f, const char *path, const struct kmt_identities *ids);

/* The decoders on bytes in memory, for kmt_corefile_open and the fuzzers. */
int kmt_zstd_decode(const uint8_t *in, size_t len, uint64_t max, const char *name,
		    uint8_t **out, size_t *outlen);
int kmt_decode(const uint8_t *in, size_t len, const struct kmt_identities *ids, uint64_t max,
	       const char *name, uint8_t **out, size_t *outlen, int *decoded);

#endif /* _KMT_COREFILE_H */
