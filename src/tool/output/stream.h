/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The output stream of a core: the bytes a writer gives flow
 *
 *   kmt_stream_write -> [zstd (libzstd)] -> [age v1 to the recipients] -> file
 *
 * and the file is lib/outfile.h's: a temporary in the target's directory,
 * fsync'ed and renamed over the target by kmt_stream_commit(), removed by
 * kmt_stream_abort() or a signal. Memory is bounded (one zstd window and one
 * 64 KiB age chunk), and when encrypting no plaintext reaches the disk: what
 * is written, also to the temporary, is ciphertext; the process is then made
 * non-dumpable (no core dump, no ptrace by the same user).
 *
 * Use (extract, collect):
 *
 *   struct kmt_stream_opts so = { 0 };
 *   while (getopt) ... default: if (kmt_stream_opt(&so, opt, optarg, &ret)) ...;
 *   ret = kmt_stream_open(&s, path, &so, inputs, ninputs);
 *   ... kmt_stream_write(s, buf, len) ...  (or kmt_stream_abort(s) on an error)
 *   ret = kmt_stream_commit(s, &stats);     (s is freed either way)
 *   kmt_stream_opts_free(&so);
 */
#ifndef _KMT_STREAM_H
#define _KMT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/age.h"
#include "lib/file.h"

struct kmt_stream_opts {
	bool zstd;		/* --compress zstd */
	int zstd_level;		/* 0: the default, KMT_ZSTD_LEVEL */
	struct kmt_age_key *rcpt;	/* --encrypt-to, -R: encrypt when nrcpt > 0 */
	size_t nrcpt;
};

#define KMT_ZSTD_LEVEL	9	/* 1.1 MB core: 70 KB in ~30 ms; 19 is 10% smaller, 6x slower */

/* Option codes of the long options below (short: -R FILE). */
#define KMT_OPT_COMPRESS	0x1001
#define KMT_OPT_ENCRYPT_TO	0x1002
#define KMT_STREAM_LONGOPTS \
	{ "compress", required_argument, NULL, KMT_OPT_COMPRESS }, \
	{ "encrypt-to", required_argument, NULL, KMT_OPT_ENCRYPT_TO }, \
	{ "recipients-file", required_argument, NULL, 'R' }
#define KMT_STREAM_SHORTOPTS	"R:"
#define KMT_STREAM_HELP \
	"      --compress zstd      compress the core with zstd (before encryption)\n" \
	"      --encrypt-to AGE1..  encrypt to this age X25519 recipient (repeatable):\n" \
	"                           an age v1 file, 'age -d -i KEY' decrypts it\n" \
	"  -R, --recipients-file F  encrypt to the age1... recipients in F (repeatable)\n"

/*
 * Takes option @opt of the three above into @so: 1 if it was one of them
 * (*@ret then 0 or KMT_EXIT_USAGE with a message), 0 if not (*@ret untouched).
 */
int kmt_stream_opt(struct kmt_stream_opts *so, int opt, const char *arg, int *ret);
void kmt_stream_opts_free(struct kmt_stream_opts *so);

/* What went through, and where the time went (seconds, wall clock). */
struct kmt_stream_stats {
	uint64_t in;		/* bytes written by the caller (the core) */
	uint64_t compressed;	/* after zstd (= in without it) */
	uint64_t out;		/* bytes of the file (after age) */
	double t_zstd, t_age;	/* spent compressing, encrypting */
	double t_sync;		/* fsync and rename at commit */
};

struct kmt_stream;

/*
 * Opens the output @path (lib/outfile.h: refuses an input, a directory...)
 * and, when encrypting, writes the age header. 0 or a KMT_EXIT_* code.
 */
int kmt_stream_open(struct kmt_stream **s, const char *path, const struct kmt_stream_opts *so,
		    const struct kmt_file *inputs, size_t ninputs);
/* 0, or KMT_EXIT_IO / KMT_EXIT_FAILURE (message printed; then abort). */
int kmt_stream_write(struct kmt_stream *s, const void *buf, size_t len);
/* Ends the zstd frame and the age stream, fsyncs, renames; frees @s. 0 or a KMT_EXIT_* code. */
int kmt_stream_commit(struct kmt_stream *s, struct kmt_stream_stats *st);
/* Removes the temporary (the target is left as it was); frees @s. NULL is fine. */
void kmt_stream_abort(struct kmt_stream *s);
/* The stats so far (a writer's progress). */
void kmt_stream_stats(const struct kmt_stream *s, struct kmt_stream_stats *st);

#endif /* _KMT_STREAM_H */
