// SPDX-License-Identifier: GPL-2.0
/*
 * The output stream (output/stream.h): zstd, then age, then the temporary file.
 * The age stage keeps one chunk: a full chunk is sealed only when more bytes
 * come (the last chunk, full or not, carries the last-chunk flag), so nothing
 * has to be known about the total size in advance.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <zstd.h>
#include <openssl/crypto.h>
#include "format/age.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "output/stream.h"

struct kmt_stream {
	struct kmt_out out;
	ZSTD_CCtx *zc;
	uint8_t *zbuf;		/* zstd's output, ZSTD_CStreamOutSize() */
	size_t zcap;
	bool age;
	struct kmt_age_writer aw;
	uint8_t *chunk;		/* plaintext of the chunk being filled */
	size_t fill;
	uint8_t *sealed;	/* KMT_AGE_CHUNK + KMT_AGE_TAG */
	struct kmt_stream_stats st;
};

int kmt_stream_opt(struct kmt_stream_opts *so, int opt, const char *arg, int *ret)
{
	switch (opt) {
	case KMT_OPT_COMPRESS:
		*ret = 0;
		if (!strcmp(arg, "zstd")) {
			so->zstd = true;
		} else if (!strcmp(arg, "none")) {
			so->zstd = false;
		} else {
			kmt_err("--compress %s: this tool compresses with zstd (or none)", arg);
			*ret = KMT_EXIT_USAGE;
		}
		return 1;
	case KMT_OPT_ENCRYPT_TO:
		*ret = 0;
		if (so->nrcpt >= KMT_AGE_MAX_KEYS) {
			kmt_err("--encrypt-to: more than %d recipients", KMT_AGE_MAX_KEYS);
			*ret = KMT_EXIT_USAGE;
			return 1;
		}
		so->rcpt = kmt_realloc(so->rcpt, (so->nrcpt + 1) * sizeof(*so->rcpt));
		*ret = kmt_age_parse_recipient(arg, &so->rcpt[so->nrcpt], "--encrypt-to");
		if (!*ret)
			so->nrcpt++;
		return 1;
	case 'R':
		*ret = kmt_age_load_keys(arg, false, &so->rcpt, &so->nrcpt);
		if (*ret == KMT_EXIT_FORMAT)
			*ret = KMT_EXIT_USAGE;
		return 1;
	}
	return 0;
}

void kmt_stream_opts_free(struct kmt_stream_opts *so)
{
	free(so->rcpt);
	so->rcpt = NULL;
	so->nrcpt = 0;
}

static void kmt_stream_free(struct kmt_stream *s)
{
	ZSTD_freeCCtx(s->zc);
	free(s->zbuf);
	if (s->chunk)
		OPENSSL_cleanse(s->chunk, KMT_AGE_CHUNK);
	free(s->chunk);
	free(s->sealed);
	kmt_age_writer_wipe(&s->aw);
	free(s);
}

/* To the file. */
static int kmt_stream_file(struct kmt_stream *s, const void *buf, size_t len)
{
	s->st.out += len;
	return kmt_out_write(&s->out, buf, len);
}

static int kmt_stream_seal(struct kmt_stream *s, bool last)
{
	double t = kmt_now();
	int ret = kmt_age_seal(&s->aw, s->chunk, s->fill, last, s->sealed);

	s->st.t_age += kmt_now() - t;
	if (!ret)
		ret = kmt_stream_file(s, s->sealed, s->fill + KMT_AGE_TAG);
	s->fill = 0;
	return ret;
}

/* To age (or to the file). */
static int kmt_stream_age(struct kmt_stream *s, const uint8_t *p, size_t len)
{
	s->st.compressed += len;
	if (!s->age)
		return kmt_stream_file(s, p, len);
	while (len) {
		size_t k;
		int ret;

		if (s->fill == KMT_AGE_CHUNK) {	/* more comes: not the last chunk */
			ret = kmt_stream_seal(s, false);
			if (ret)
				return ret;
		}
		k = KMT_AGE_CHUNK - s->fill < len ? KMT_AGE_CHUNK - s->fill : len;
		memcpy(s->chunk + s->fill, p, k);
		s->fill += k;
		p += k;
		len -= k;
	}
	return 0;
}

/* Through zstd with @end (ZSTD_e_continue or ZSTD_e_end). */
static int kmt_stream_zstd(struct kmt_stream *s, const void *buf, size_t len,
			   ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = { buf, len, 0 };
	size_t left;

	do {
		ZSTD_outBuffer zo = { s->zbuf, s->zcap, 0 };
		double t = kmt_now();
		int ret;

		left = ZSTD_compressStream2(s->zc, &zo, &in, end);
		s->st.t_zstd += kmt_now() - t;
		if (ZSTD_isError(left)) {
			kmt_err("zstd: %s", ZSTD_getErrorName(left));
			return KMT_EXIT_FAILURE;
		}
		ret = kmt_stream_age(s, s->zbuf, zo.pos);
		if (ret)
			return ret;
	} while (end == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

int kmt_stream_open(struct kmt_stream **sp, const char *path, const struct kmt_stream_opts *so,
		    const struct kmt_file *inputs, size_t ninputs)
{
	struct kmt_stream *s = kmt_calloc(1, sizeof(*s));
	uint8_t *hdr = NULL;
	size_t hdrlen = 0;
	int ret;

	*sp = NULL;
	if (so && so->zstd) {
		s->zc = ZSTD_createCCtx();
		s->zcap = ZSTD_CStreamOutSize();
		s->zbuf = kmt_malloc(s->zcap);
		if (!s->zc ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(s->zc, ZSTD_c_compressionLevel,
							so->zstd_level ? so->zstd_level :
							KMT_ZSTD_LEVEL)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(s->zc, ZSTD_c_checksumFlag, 1))) {
			kmt_err("zstd: can't set up the compressor");
			kmt_stream_free(s);
			return KMT_EXIT_FAILURE;
		}
	}
	if (so && so->nrcpt) {
		/*
		 * The plaintext is in this process's memory only: no core dump of it, no
		 * ptrace by another process of the same user (root still can).
		 */
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		s->age = true;
		s->chunk = kmt_malloc(KMT_AGE_CHUNK);
		s->sealed = kmt_malloc(KMT_AGE_CHUNK + KMT_AGE_TAG);
		ret = kmt_age_header(so->rcpt, so->nrcpt, &s->aw, &hdr, &hdrlen);
		if (ret) {
			kmt_stream_free(s);
			return ret;
		}
	}
	ret = kmt_out_open(&s->out, path, inputs, ninputs);
	if (ret) {	/* nothing left open */
		free(hdr);
		kmt_stream_free(s);
		return ret;
	}
	if (hdr)
		ret = kmt_stream_file(s, hdr, hdrlen);
	free(hdr);
	if (ret) {
		kmt_stream_abort(s);
		return ret;
	}
	*sp = s;
	return 0;
}

int kmt_stream_write(struct kmt_stream *s, const void *buf, size_t len)
{
	s->st.in += len;
	if (s->zc)
		return kmt_stream_zstd(s, buf, len, ZSTD_e_continue);
	return kmt_stream_age(s, buf, len);
}

int kmt_stream_commit(struct kmt_stream *s, struct kmt_stream_stats *st)
{
	double t;
	int ret = 0;

	if (s->zc)
		ret = kmt_stream_zstd(s, NULL, 0, ZSTD_e_end);
	if (!ret && s->age)
		ret = kmt_stream_seal(s, true);	/* empty only when the whole payload is */
	if (ret) {
		kmt_stream_abort(s);
		return ret;
	}
	t = kmt_now();
	ret = kmt_out_commit(&s->out);
	s->st.t_sync = kmt_now() - t;
	if (st)
		*st = s->st;
	kmt_stream_free(s);
	return ret;
}

void kmt_stream_abort(struct kmt_stream *s)
{
	if (!s)
		return;
	kmt_out_abort(&s->out);
	kmt_stream_free(s);
}

void kmt_stream_stats(const struct kmt_stream *s, struct kmt_stream_stats *st)
{
	*st = s->st;
}
