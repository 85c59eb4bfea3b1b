// SPDX-License-Identifier: GPL-2.0
/*
 * age v1 with X25519 recipients (format/age.h). The file, as the C2SP age
 * specification has it:
 *
 *   age-encryption.org/v1
 *   -> X25519 <ephemeral share, base64>       one stanza per recipient
 *   <wrapped file key, base64, 64 columns>
 *   --- <HMAC-SHA256 of the header up to "---", base64>
 *   <16-byte nonce><chunks of 64 KiB + 16-byte tag, the last one flagged>
 *
 * base64 is the standard alphabet without padding and must be canonical.
 * The file key (16 random bytes) is wrapped for each recipient with
 * ChaCha20-Poly1305 under HKDF-SHA256(X25519(e, pk), salt = share || pk,
 * "age-encryption.org/v1/X25519"); the header MAC key is HKDF(file key, "",
 * "header"), the payload key HKDF(file key, nonce, "payload"), and chunk i's
 * nonce is i as 11 bytes big-endian then 1 for the last chunk, 0 otherwise.
 * The reader is strict (it reads what a hostile guest's host may have been
 * handed): one canonical encoding, bounded stanzas, nothing after the last
 * chunk, and no plaintext before every chunk authenticated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include "format/age.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_AGE_MAX_STANZAS	1024	/* X25519 unwraps are O(stanzas x identities) */
#define KMT_AGE_KEYFILE_MAX	(1 << 20)
#define KMT_AGE_B64_COLS	64

/* ---- bech32 ---- */

static const char kmt_b32[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t kmt_b32_polymod(uint32_t c, uint8_t v)
{
	static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd,
					 0x2a1462b3 };
	uint8_t top = c >> 25;
	int i;

	c = (c & 0x1ffffff) << 5 ^ v;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			c ^= gen[i];
	return c;
}

int kmt_bech32_decode(const char *s, char *hrp, size_t hrplen, uint8_t *out, size_t outmax,
		      size_t *outlen)
{
	size_t len = strlen(s), sep, i, n = 0;
	bool lower = false, upper = false;
	uint32_t chk = 1, acc = 0;
	int bits = 0;

	for (i = 0; i < len; i++) {
		unsigned char ch = s[i];

		if (ch < 33 || ch > 126)
			return -1;
		lower |= ch >= 'a' && ch <= 'z';
		upper |= ch >= 'A' && ch <= 'Z';
	}
	if (lower && upper)
		return -1;
	sep = len;
	for (i = len; i-- > 0;)
		if (s[i] == '1') {
			sep = i;
			break;
		}
	if (sep == len || sep < 1 || sep + 7 > len || sep + 1 > hrplen)
		return -1;
	for (i = 0; i < sep; i++)
		hrp[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
	hrp[sep] = 0;
	for (i = 0; i < sep; i++)
		chk = kmt_b32_polymod(chk, (uint8_t)hrp[i] >> 5);
	chk = kmt_b32_polymod(chk, 0);
	for (i = 0; i < sep; i++)
		chk = kmt_b32_polymod(chk, (uint8_t)hrp[i] & 31);
	for (i = sep + 1; i < len; i++) {
		char ch = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
		const char *p = strchr(kmt_b32, ch);

		if (!p || !ch)
			return -1;
		chk = kmt_b32_polymod(chk, (uint8_t)(p - kmt_b32));
		if (i >= len - 6)
			continue;	/* the checksum */
		acc = (acc << 5 | (uint32_t)(p - kmt_b32)) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n == outmax)
				return -1;
			out[n++] = acc >> bits;
		}
	}
	/* padding: fewer than 5 bits, all zero */
	if (chk != 1 || bits >= 5 || (acc & ((1u << bits) - 1)))
		return -1;
	*outlen = n;
	return 0;
}

static int kmt_age_parse_key(const char *s, const char *want_hrp, struct kmt_age_key *k,
			     const char *what, const char *kind)
{
	char hrp[32];
	size_t n;

	if (kmt_bech32_decode(s, hrp, sizeof(hrp), k->k, sizeof(k->k), &n) ||
	    strcmp(hrp, want_hrp) || n != 32) {
		kmt_err("%s: '%.20s%s' is not an age X25519 %s (%s...)", what, s,
			strlen(s) > 20 ? "..." : "", kind,
			!strcmp(kind, "recipient") ? "age1" : "AGE-SECRET-KEY-1");
		return KMT_EXIT_USAGE;
	}
	return 0;
}

int kmt_age_parse_recipient(const char *s, struct kmt_age_key *r, const char *what)
{
	/* age writes recipients lowercase: an uppercase one is a typo we need not take */
	if (strncmp(s, "age1", 4)) {
		kmt_err("%s: '%.20s%s' is not an age X25519 recipient (age1...)", what, s,
			strlen(s) > 20 ? "..." : "");
		return KMT_EXIT_USAGE;
	}
	return kmt_age_parse_key(s, "age", r, what, "recipient");
}

int kmt_age_parse_identity(const char *s, struct kmt_age_key *id, const char *what)
{
	if (strncmp(s, "AGE-SECRET-KEY-1", 16)) {
		kmt_err("%s: a line is not an age X25519 identity (AGE-SECRET-KEY-1...)", what);
		return KMT_EXIT_USAGE;
	}
	return kmt_age_parse_key(s, "age-secret-key-", id, what, "identity");
}

/* A key file is the user's, not the guest's: a pipe (-i <(...)) is fine, bounded. */
static int kmt_age_read_small(const char *path, char **text)
{
	size_t len = 0, cap = 4096;
	char *buf;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		kmt_err("Can't open %s. %s", path, strerror(errno));
		return KMT_EXIT_IO;
	}
	if (!fstat(fd, &st) && S_ISDIR(st.st_mode)) {
		kmt_err("Can't read %s: it is a directory; give a key file", path);
		close(fd);
		return KMT_EXIT_IO;
	}
	buf = kmt_malloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (len == cap) {
			if (cap >= KMT_AGE_KEYFILE_MAX) {
				kmt_err("%s is over %d KiB: not a key file", path,
					KMT_AGE_KEYFILE_MAX >> 10);
				free(buf);
				close(fd);
				return KMT_EXIT_LIMIT;
			}
			cap *= 2;
			buf = kmt_realloc(buf, cap + 1);
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			kmt_err("Can't read %s. %s", path, strerror(errno));
			free(buf);
			close(fd);
			return KMT_EXIT_IO;
		}
		if (!r)
			break;
		len += r;
	}
	close(fd);
	buf[len] = 0;
	*text = buf;
	return 0;
}

int kmt_age_load_keys(const char *path, bool identity, struct kmt_age_key **keys, size_t *n)
{
	char *text, *line, *save = NULL, what[300];
	size_t before = *n, lineno = 0;
	int ret = kmt_age_read_small(path, &text);

	if (ret)
		return ret;
	for (line = strtok_r(text, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);

		lineno++;
		if (l && line[l - 1] == '\r')
			line[--l] = 0;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (*n >= KMT_AGE_MAX_KEYS) {
			kmt_err("%s: more than %d keys", path, KMT_AGE_MAX_KEYS);
			ret = KMT_EXIT_LIMIT;
			break;
		}
		*keys = kmt_realloc(*keys, (*n + 1) * sizeof(**keys));
		snprintf(what, sizeof(what), "%s line %zu", path, lineno);
		ret = identity ? kmt_age_parse_identity(line, &(*keys)[*n], what) :
				 kmt_age_parse_recipient(line, &(*keys)[*n], what);
		if (!ret)
			(*n)++;
	}
	if (!ret && *n == before) {
		kmt_err("%s has no %s", path, identity ? "identity (AGE-SECRET-KEY-1...)" :
			"recipient (age1...)");
		ret = KMT_EXIT_USAGE;
	}
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	return ret;
}

/* ---- base64, standard alphabet, no padding ---- */

static const char kmt_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t kmt_b64_encode(const uint8_t *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = kmt_b64[v >> 18];
		out[o++] = kmt_b64[(v >> 12) & 63];
		out[o++] = kmt_b64[(v >> 6) & 63];
		out[o++] = kmt_b64[v & 63];
	}
	if (len - i == 1) {
		out[o++] = kmt_b64[in[i] >> 2];
		out[o++] = kmt_b64[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		out[o++] = kmt_b64[v >> 10];
		out[o++] = kmt_b64[(v >> 4) & 63];
		out[o++] = kmt_b64[(v & 15) << 2];
	}
	out[o] = 0;
	return o;
}

/* Canonical only: no padding, unused low bits zero. Bytes written, or -1. */
static long kmt_b64_decode(const char *in, size_t len, uint8_t *out, size_t outmax)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		const char *p = in[i] ? strchr(kmt_b64, in[i]) : NULL;

		if (!p)
			return -1;
		acc = (acc << 6 | (uint32_t)(p - kmt_b64)) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outmax)
				return -1;
			out[o++] = acc >> bits;
		}
	}
	if (acc & ((1u << bits) - 1))
		return -1;
	return (long)o;
}

/* ---- primitives, all OpenSSL's ---- */

static int kmt_hkdf(const uint8_t *ikm, size_t ikmlen, const uint8_t *salt, size_t saltlen,
		    const char *info, uint8_t out[32])
{
	EVP_PKEY_CTX *p = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t outlen = 32;
	int ok;

	ok = p && EVP_PKEY_derive_init(p) > 0 && EVP_PKEY_CTX_set_hkdf_md(p, EVP_sha256()) > 0 &&
	     /* an empty salt is HashLen zeros (RFC 5869): OpenSSL's default without one */
	     (!saltlen || EVP_PKEY_CTX_set1_hkdf_salt(p, salt, (int)saltlen) > 0) &&
	     EVP_PKEY_CTX_set1_hkdf_key(p, ikm, (int)ikmlen) > 0 &&
	     EVP_PKEY_CTX_add1_hkdf_info(p, (const unsigned char *)info, (int)strlen(info)) > 0 &&
	     EVP_PKEY_derive(p, out, &outlen) > 0 && outlen == 32;
	EVP_PKEY_CTX_free(p);
	return ok ? 0 : -1;
}

/* ChaCha20-Poly1305, 12-byte nonce, no AAD: @out gets @len bytes then the tag. */
static int kmt_aead_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *in,
			 size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0, m = 0, ok;

	ok = c && len <= INT32_MAX &&
	     EVP_EncryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce) > 0 &&
	     (!len || EVP_EncryptUpdate(c, out, &n, in, (int)len) > 0) &&
	     EVP_EncryptFinal_ex(c, out + n, &m) > 0 && (size_t)(n + m) == len &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, KMT_AGE_TAG, out + len) > 0;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* @len includes the tag; @out gets @len - 16 bytes. -1 when it does not authenticate. */
static int kmt_aead_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *in,
			 size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	size_t pl = len - KMT_AGE_TAG;
	int n = 0, m = 0, ok;

	ok = c && len >= KMT_AGE_TAG && len <= INT32_MAX &&
	     EVP_DecryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce) > 0 &&
	     (!pl || EVP_DecryptUpdate(c, out, &n, in, (int)pl) > 0) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, KMT_AGE_TAG, (void *)(in + pl)) > 0 &&
	     EVP_DecryptFinal_ex(c, out + n, &m) > 0 && (size_t)(n + m) == pl;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

/* X25519(@priv, @peer) into @shared; -1 also for an all-zero result (a low-order point). */
static int kmt_x25519(const uint8_t priv[32], const uint8_t peer[32], uint8_t shared[32])
{
	EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
	EVP_PKEY *b = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
	EVP_PKEY_CTX *c = a ? EVP_PKEY_CTX_new(a, NULL) : NULL;
	static const uint8_t zero[32];
	size_t len = 32;
	int ok;

	ok = b && c && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, b) > 0 &&
	     EVP_PKEY_derive(c, shared, &len) > 0 && len == 32 &&
	     CRYPTO_memcmp(shared, zero, 32);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	return ok ? 0 : -1;
}

static int kmt_x25519_public(const uint8_t priv[32], uint8_t pub[32])
{
	EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
	size_t len = 32;
	int ok = a && EVP_PKEY_get_raw_public_key(a, pub, &len) > 0 && len == 32;

	EVP_PKEY_free(a);
	return ok ? 0 : -1;
}

static const char kmt_x25519_info[] = "age-encryption.org/v1/X25519";

/* The X25519 wrap key of a stanza: HKDF(shared, share || recipient). */
static int kmt_age_wrap_key(const uint8_t shared[32], const uint8_t share[32],
			    const uint8_t rcpt[32], uint8_t key[32])
{
	uint8_t salt[64];

	memcpy(salt, share, 32);
	memcpy(salt + 32, rcpt, 32);
	return kmt_hkdf(shared, 32, salt, sizeof(salt), kmt_x25519_info, key);
}

static int kmt_age_mac(const uint8_t file_key[16], const uint8_t *hdr, size_t len,
		       uint8_t mac[32])
{
	unsigned int maclen = 32;
	uint8_t key[32];
	int ret = -1;

	if (!kmt_hkdf(file_key, 16, NULL, 0, "header", key) &&
	    HMAC(EVP_sha256(), key, 32, hdr, len, mac, &maclen) && maclen == 32)
		ret = 0;
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

/* ---- writing ---- */

int kmt_age_header(const struct kmt_age_key *rcpt, size_t n, struct kmt_age_writer *w,
		   uint8_t **hdr, size_t *hdrlen)
{
	/* per stanza: "-> X25519 " + 43 + "\n" + 43 + "\n" */
	size_t cap = sizeof(KMT_AGE_MAGIC) + n * 100 + 64 + KMT_AGE_NONCE, len;
	uint8_t file_key[16], eph[32], share[32], shared[32], key[32], body[32], mac[32];
	uint8_t nonce[12] = { 0 };
	char *h = kmt_malloc(cap), b64[64];
	size_t i;
	int ret = KMT_EXIT_FAILURE;

	memset(w, 0, sizeof(*w));
	len = (size_t)sprintf(h, "%s", KMT_AGE_MAGIC);
	if (RAND_bytes(file_key, sizeof(file_key)) != 1)
		goto out;
	for (i = 0; i < n; i++) {
		if (RAND_bytes(eph, sizeof(eph)) != 1 || kmt_x25519_public(eph, share) ||
		    kmt_x25519(eph, rcpt[i].k, shared) ||
		    kmt_age_wrap_key(shared, share, rcpt[i].k, key) ||
		    kmt_aead_seal(key, nonce, file_key, 16, body)) {
			if (kmt_x25519(eph, rcpt[i].k, shared))
				kmt_err("recipient %zu is not a usable X25519 key (a low-order point)",
					i + 1);
			else
				kmt_err("age: OpenSSL failed to wrap the file key");
			ret = KMT_EXIT_USAGE;
			goto out;
		}
		kmt_b64_encode(share, 32, b64);
		len += (size_t)sprintf(h + len, "-> X25519 %s\n", b64);
		kmt_b64_encode(body, 32, b64);
		len += (size_t)sprintf(h + len, "%s\n", b64);
	}
	len += (size_t)sprintf(h + len, "---");
	if (kmt_age_mac(file_key, (uint8_t *)h, len, mac))
		goto out;
	kmt_b64_encode(mac, 32, b64);
	len += (size_t)sprintf(h + len, " %s\n", b64);
	if (RAND_bytes((uint8_t *)h + len, KMT_AGE_NONCE) != 1 ||
	    kmt_hkdf(file_key, 16, (uint8_t *)h + len, KMT_AGE_NONCE, "payload", w->payload_key))
		goto out;
	len += KMT_AGE_NONCE;
	*hdr = (uint8_t *)h;
	*hdrlen = len;
	h = NULL;
	ret = 0;
out:
	if (ret == KMT_EXIT_FAILURE)
		kmt_err("age: OpenSSL failed to make the header (random generator, HKDF or HMAC)");
	OPENSSL_cleanse(file_key, sizeof(file_key));
	OPENSSL_cleanse(eph, sizeof(eph));
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	free(h);
	return ret;
}

static void kmt_age_nonce(uint64_t counter, bool last, uint8_t nonce[12])
{
	int i;

	memset(nonce, 0, 12);
	for (i = 0; i < 8; i++)
		nonce[10 - i] = counter >> (8 * i);
	nonce[11] = last;
}

int kmt_age_seal(struct kmt_age_writer *w, const uint8_t *in, size_t len, bool last,
		 uint8_t *out)
{
	uint8_t nonce[12];

	kmt_age_nonce(w->counter++, last, nonce);
	if (len > KMT_AGE_CHUNK || kmt_aead_seal(w->payload_key, nonce, in, len, out)) {
		kmt_err("age: OpenSSL failed to encrypt chunk %llu",
			(unsigned long long)w->counter - 1);
		return KMT_EXIT_FAILURE;
	}
	return 0;
}

void kmt_age_writer_wipe(struct kmt_age_writer *w)
{
	OPENSSL_cleanse(w, sizeof(*w));
}

/* ---- reading ---- */

struct kmt_age_rd {
	const uint8_t *p;
	size_t len, pos;
	const char *name;
};

/* The next line without its '\n' (a header has no CR); NULL at the end of the file. */
static const char *kmt_age_line(struct kmt_age_rd *r, size_t *len)
{
	const uint8_t *s = r->p + r->pos, *nl = memchr(s, '\n', r->len - r->pos);

	if (!nl)
		return NULL;
	*len = nl - s;
	r->pos += *len + 1;
	return (const char *)s;
}

static int kmt_age_bad(const struct kmt_age_rd *r, const char *why)
{
	kmt_err("%s is not a valid age file: %s", r->name, why);
	return KMT_EXIT_FORMAT;
}

/* A stanza's argument: printable ASCII, no space, not empty. */
static bool kmt_age_arg_ok(const char *a, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] < 33 || a[i] > 126)
			return false;
	return len > 0;
}

#define KMT_AGE_MAX_ARGS	16
#define KMT_AGE_MAX_BODY	4096

struct kmt_age_stanza {
	const char *arg[KMT_AGE_MAX_ARGS];
	size_t arglen[KMT_AGE_MAX_ARGS];
	size_t nargs;
	uint8_t body[KMT_AGE_MAX_BODY];
	size_t bodylen;
};

/* "-> " was seen: the arguments in @line, then the body lines. */
static int kmt_age_stanza(struct kmt_age_rd *r, const char *line, size_t len,
			  struct kmt_age_stanza *st)
{
	size_t i = 3, start;

	st->nargs = 0;
	st->bodylen = 0;
	while (i <= len) {
		start = i;
		while (i < len && line[i] != ' ')
			i++;
		if (st->nargs == KMT_AGE_MAX_ARGS)
			return kmt_age_bad(r, "a stanza has too many arguments");
		if (!kmt_age_arg_ok(line + start, i - start))
			return kmt_age_bad(r, "a stanza has an empty or non-printable argument");
		st->arg[st->nargs] = line + start;
		st->arglen[st->nargs++] = i - start;
		i++;
	}
	for (;;) {
		const char *b = kmt_age_line(r, &len);
		long got;

		if (!b)
			return kmt_age_bad(r, "the header ends inside a stanza");
		if (len > KMT_AGE_B64_COLS)
			return kmt_age_bad(r, "a stanza body line is longer than 64 columns");
		got = kmt_b64_decode(b, len, st->body + st->bodylen,
				     sizeof(st->body) - st->bodylen);
		if (got < 0)
			return kmt_age_bad(r, "a stanza body is not canonical base64");
		st->bodylen += got;
		if (len < KMT_AGE_B64_COLS)
			return 0;
	}
}

/* An X25519 stanza as the specification spells it: two arguments, 32-byte share and body. */
static int kmt_age_x25519_check(struct kmt_age_rd *r, const struct kmt_age_stanza *st,
				uint8_t share[32])
{
	if (st->nargs != 2 || st->arglen[1] != 43 ||
	    kmt_b64_decode(st->arg[1], st->arglen[1], share, 32) != 32)
		return kmt_age_bad(r, "an X25519 stanza's share is not 32 bytes of base64");
	if (st->bodylen != 32)
		return kmt_age_bad(r, "an X25519 stanza's body is not 32 bytes");
	return 0;
}

/*
 * An X25519 stanza unwrapped with @id: 0 and @file_key if it was wrapped for
 * @id, 1 if not, KMT_EXIT_FORMAT for a share that gives the all-zero secret.
 */
static int kmt_age_unwrap(struct kmt_age_rd *r, const struct kmt_age_stanza *st,
			  const uint8_t share[32], const struct kmt_age_key *id,
			  uint8_t file_key[16])
{
	uint8_t pub[32], shared[32], key[32], out[16], nonce[12] = { 0 };
	int ret = 1;

	if (kmt_x25519_public(id->k, pub))
		return kmt_age_bad(r, "OpenSSL refused an identity");
	if (kmt_x25519(id->k, share, shared))
		return kmt_age_bad(r, "an X25519 stanza's share is a low-order point");
	if (!kmt_age_wrap_key(shared, share, pub, key) &&
	    !kmt_aead_open(key, nonce, st->body, 32, out)) {
		memcpy(file_key, out, 16);
		ret = 0;
	}
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(out, sizeof(out));
	return ret;
}

/* The header: the file key and the position of the payload nonce, or an exit code. */
static int kmt_age_read_header(struct kmt_age_rd *r, const struct kmt_age_key *ids, size_t n,
			       uint8_t file_key[16])
{
	struct kmt_age_stanza *st = kmt_malloc(sizeof(*st));
	bool found = false;
	size_t len, nst = 0, i;
	uint8_t mac[32], want[32], share[32];
	const char *line = kmt_age_line(r, &len);
	int ret = 0;

	if (!line || len != sizeof(KMT_AGE_MAGIC) - 2 ||
	    memcmp(line, KMT_AGE_MAGIC, sizeof(KMT_AGE_MAGIC) - 2)) {
		ret = kmt_age_bad(r, line && len > 19 && !memcmp(line, "age-encryption.org/", 19) ?
				  "an unsupported version (this reads v1)" : "no age v1 first line");
		goto out;
	}
	for (;;) {
		size_t at = r->pos;

		line = kmt_age_line(r, &len);
		if (!line) {
			ret = kmt_age_bad(r, "the header has no MAC line");
			goto out;
		}
		if (len >= 3 && !memcmp(line, "---", 3)) {
			if (len != 4 + 43 || line[3] != ' ' ||
			    kmt_b64_decode(line + 4, 43, mac, 32) != 32) {
				ret = kmt_age_bad(r, "the MAC line is not '--- ' and 32 bytes of base64");
				goto out;
			}
			if (!found)
				break;
			if (kmt_age_mac(file_key, r->p, at + 3, want)) {
				ret = kmt_age_bad(r, "OpenSSL failed to compute the header MAC");
				goto out;
			}
			if (CRYPTO_memcmp(mac, want, 32))
				ret = kmt_age_bad(r, "the header MAC does not match (the header was changed)");
			goto out;
		}
		if (len < 3 || memcmp(line, "-> ", 3)) {
			ret = kmt_age_bad(r, "a header line is neither a stanza nor the MAC");
			goto out;
		}
		if (++nst > KMT_AGE_MAX_STANZAS) {
			ret = kmt_age_bad(r, "more than 1024 stanzas");
			goto out;
		}
		ret = kmt_age_stanza(r, line, len, st);
		if (ret)
			goto out;
		if (st->arglen[0] != 6 || memcmp(st->arg[0], "X25519", 6))
			continue;	/* another recipient type: not ours to open */
		ret = kmt_age_x25519_check(r, st, share);
		if (ret)
			goto out;
		for (i = 0; i < n && !found; i++) {
			ret = kmt_age_unwrap(r, st, share, &ids[i], file_key);
			if (ret == KMT_EXIT_FORMAT)
				goto out;
			found = !ret;
		}
		ret = 0;
	}
	kmt_err("%s: none of the %zu identities given opens it (encrypted to other recipients)",
		r->name, n);
	ret = KMT_EXIT_NOTFOUND;
out:
	free(st);
	return ret;
}

int kmt_age_decrypt(const uint8_t *in, size_t len, const struct kmt_age_key *ids, size_t n,
		    uint64_t max, const char *name, uint8_t **out, size_t *outlen)
{
	struct kmt_age_rd r = { .p = in, .len = len, .name = name };
	const size_t full = KMT_AGE_CHUNK + KMT_AGE_TAG;
	uint8_t file_key[16], key[32], nonce[12], *buf = NULL;
	uint64_t chunks, plain, counter = 0;
	size_t pay, o = 0;
	int ret = kmt_age_read_header(&r, ids, n, file_key);

	if (ret)
		return ret;
	if (len - r.pos < KMT_AGE_NONCE) {
		ret = kmt_age_bad(&r, "the payload nonce is missing");
		goto out;
	}
	if (kmt_hkdf(file_key, 16, in + r.pos, KMT_AGE_NONCE, "payload", key)) {
		ret = kmt_age_bad(&r, "OpenSSL failed to derive the payload key");
		goto out;
	}
	r.pos += KMT_AGE_NONCE;
	pay = len - r.pos;
	chunks = pay / full + (pay % full != 0);
	if (!chunks || (pay % full && pay % full < KMT_AGE_TAG)) {
		ret = kmt_age_bad(&r, pay ? "the last chunk is shorter than its tag" :
				  "the payload has no chunk");
		goto out;
	}
	plain = pay - chunks * KMT_AGE_TAG;
	if (plain > max) {
		kmt_err("%s holds %llu bytes, more than the %llu MiB this tool decrypts in memory; decrypt it with age -d first",
			name, (unsigned long long)plain, (unsigned long long)(max >> 20));
		ret = KMT_EXIT_LIMIT;
		goto out;
	}
	buf = kmt_malloc(plain ? plain : 1);
	while (r.pos < len) {
		size_t c = len - r.pos < full ? len - r.pos : full;
		bool last = r.pos + c == len;

		kmt_age_nonce(counter, last, nonce);
		if (kmt_aead_open(key, nonce, in + r.pos, c, buf + o)) {
			kmt_err("%s: payload chunk %llu does not authenticate (damaged, truncated or reordered)",
				name, (unsigned long long)counter);
			ret = KMT_EXIT_FORMAT;
			goto out;
		}
		if (last && c == KMT_AGE_TAG && counter) {
			ret = kmt_age_bad(&r, "an empty last chunk after others");
			goto out;
		}
		o += c - KMT_AGE_TAG;
		r.pos += c;
		counter++;
	}
	*out = buf;
	*outlen = o;
	buf = NULL;
out:
	if (buf) {
		OPENSSL_cleanse(buf, o);
		free(buf);
	}
	OPENSSL_cleanse(file_key, sizeof(file_key));
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}
