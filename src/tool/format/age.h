/* SPDX-License-Identifier: GPL-2.0 */
/*
 * age v1 (the C2SP age specification, age-encryption.org/v1) with X25519
 * recipients only: the framing is ours (bech32 keys, the header, its stanzas
 * and MAC, 64 KiB STREAM chunks), every primitive is OpenSSL 3's (X25519,
 * HKDF-SHA256, ChaCha20-Poly1305, HMAC-SHA256, the random generator).
 *
 * Writing: kmt_age_header() makes a file key and the header for the
 * recipients; kmt_age_seal() encrypts one chunk. Reading: kmt_age_decrypt()
 * checks a whole file in memory against identities and returns the payload.
 */
#ifndef _KMT_AGE_H
#define _KMT_AGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMT_AGE_CHUNK		65536	/* plaintext bytes of every chunk but the last */
#define KMT_AGE_TAG		16
#define KMT_AGE_NONCE		16	/* the payload nonce after the header */
#define KMT_AGE_MAGIC		"age-encryption.org/v1\n"
#define KMT_AGE_MAX_KEYS	256	/* recipients or identities, each */

struct kmt_age_key {
	uint8_t k[32];		/* X25519: public (recipient) or private (identity) */
};

/*
 * Bech32 (BIP 173, checksum constant 1, no length limit as age has it): the
 * human-readable part lowercased into @hrp, the 5-bit groups regrouped into
 * bytes in @out. 0, or -1 for anything that is not canonical bech32.
 */
int kmt_bech32_decode(const char *s, char *hrp, size_t hrplen, uint8_t *out, size_t outmax,
		      size_t *outlen);

/* "age1..." -> public key; 0 or KMT_EXIT_USAGE with a message naming @what. */
int kmt_age_parse_recipient(const char *s, struct kmt_age_key *r, const char *what);
/* "AGE-SECRET-KEY-1..." -> private key; 0 or KMT_EXIT_USAGE. */
int kmt_age_parse_identity(const char *s, struct kmt_age_key *id, const char *what);
/*
 * A file of keys, one a line, '#' comments and blank lines ignored (age's
 * recipients and identity files): appended to *@keys (realloc'ed), *@n updated.
 * @identity: AGE-SECRET-KEY-1 lines, else age1 lines. 0 or a KMT_EXIT_* code.
 */
int kmt_age_load_keys(const char *path, bool identity, struct kmt_age_key **keys, size_t *n);

/* The writer's state: the payload key, the chunk counter. */
struct kmt_age_writer {
	uint8_t payload_key[32];
	uint64_t counter;
};

/*
 * A fresh file key wrapped for each of @n recipients: the header (through the
 * MAC line) and the payload nonce in *@hdr (malloc'ed, *@hdrlen bytes), @w
 * ready for the chunks. 0 or a KMT_EXIT_* code (message printed).
 */
int kmt_age_header(const struct kmt_age_key *rcpt, size_t n, struct kmt_age_writer *w,
		   uint8_t **hdr, size_t *hdrlen);
/*
 * Chunk @w->counter: @len (<= KMT_AGE_CHUNK; 0 only for an empty payload)
 * bytes of @in sealed into @out (@len + KMT_AGE_TAG bytes). 0 or KMT_EXIT_FAILURE.
 */
int kmt_age_seal(struct kmt_age_writer *w, const uint8_t *in, size_t len, bool last,
		 uint8_t *out);
void kmt_age_writer_wipe(struct kmt_age_writer *w);

/*
 * Decrypts a whole age file (@in, @len bytes) with the first of the @n
 * identities that unwraps an X25519 stanza, into a malloc'ed *@out of *@outlen
 * bytes, refusing more than @max bytes of plaintext before it is allocated.
 * Nothing is returned unless every chunk authenticated. 0, KMT_EXIT_NOTFOUND
 * (no identity matches), KMT_EXIT_FORMAT (not canonical age, bad MAC, a
 * chunk that does not authenticate, truncated) or KMT_EXIT_LIMIT; the message
 * names @name.
 */
int kmt_age_decrypt(const uint8_t *in, size_t len, const struct kmt_age_key *ids, size_t n,
		    uint64_t max, const char *name, uint8_t **out, size_t *outlen);

#endif /* _KMT_AGE_H */
