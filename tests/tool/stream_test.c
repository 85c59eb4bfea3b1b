// SPDX-License-Identifier: GPL-2.0
/*
 * The output stream (src/tool/output/stream.h) and the age reader
 * (src/tool/format/age.h) on inputs the tool's commands cannot make:
 *
 *   stream_test write OUT SIZE [--compress zstd] [--encrypt-to R]... [-R F]...
 *       SIZE bytes of a fixed pattern (compressible, not constant) written
 *       through the stream in writes of odd sizes; the tests compare what
 *       `age -d` and `zstd -d` make of OUT with `stream_test pattern SIZE`.
 *   stream_test copy IN OUT [options as write]   IN through the stream (the sizes
 *       and times of a real core: docs/tool.md's figures)
 *   stream_test pattern SIZE            the pattern on stdout
 *   stream_test decrypt FILE KEYFILE    decrypt with format/age.c: prints the
 *       SHA-256 of the payload, exits with kmt_age_decrypt()'s code
 *   stream_test bech32 STRING           prints HRP and the data in hex, or exits 1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "format/age.h"
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "output/stream.h"

static uint8_t pattern_byte(uint64_t i)
{
	/* words from a short list, with a counter: zstd gets 10-20x, not 1000x */
	static const char *w[] = { "panic ", "rq ", "0xffff8880 ", "task ", "\n", "jiffies " };
	uint64_t k = i / 64;

	return i % 64 < 8 ? (uint8_t)(k * 2654435761u >> (i % 8 * 4)) :
	       (uint8_t)w[(k + i / 7) % 6][i % strlen(w[(k + i / 7) % 6])];
}

static int cmd_write(int argc, char **argv)
{
	struct kmt_stream_opts so = { 0 };
	struct kmt_stream_stats st;
	struct kmt_stream *s;
	uint64_t size, done = 0;
	uint8_t buf[70000];
	struct kmt_file in = { 0 };
	bool copy = !strcmp(argv[1], "copy");
	double t0 = kmt_now();
	size_t step = 1;
	int i, ret = 0;

	if (copy) {
		ret = kmt_file_map(&in, argv[2]);
		if (ret)
			return ret;
		size = in.size;
		argv++;
		argc--;
	} else if (argc < 4 || kmt_parse_u64(argv[3], &size)) {
		return KMT_EXIT_USAGE;
	}
	for (i = copy ? 3 : 4; i < argc && !ret; i++) {
		int opt = !strcmp(argv[i], "--compress") ? KMT_OPT_COMPRESS :
			  !strcmp(argv[i], "--encrypt-to") ? KMT_OPT_ENCRYPT_TO :
			  !strcmp(argv[i], "-R") ? 'R' : 0;

		if (!opt || i + 1 >= argc || !kmt_stream_opt(&so, opt, argv[i + 1], &ret))
			return KMT_EXIT_USAGE;
		i++;
	}
	if (!ret)
		ret = kmt_stream_open(&s, argv[2], &so, NULL, 0);
	while (!ret && done < size) {
		size_t n = size - done < step ? size - done : step, j;

		for (j = 0; j < n && !copy; j++)
			buf[j] = pattern_byte(done + j);
		ret = kmt_stream_write(s, copy ? in.data + done : buf, n);
		done += n;
		step = step * 3 + 1 > sizeof(buf) ? 1 : step * 3 + 1;	/* 1, 4, 13, ... 66430 */
	}
	if (ret) {
		kmt_stream_abort(s);
	} else {
		ret = kmt_stream_commit(s, &st);
		if (!ret)
			printf("in %llu compressed %llu out %llu; zstd %.4f s, age %.4f s, fsync+rename %.4f s, all %.4f s\n",
			       (unsigned long long)st.in, (unsigned long long)st.compressed,
			       (unsigned long long)st.out, st.t_zstd, st.t_age, st.t_sync,
			       kmt_now() - t0);
	}
	kmt_stream_opts_free(&so);
	if (copy)
		kmt_file_unmap(&in);
	return ret;
}

static int cmd_decrypt(char **argv)
{
	struct kmt_age_key *ids = NULL;
	size_t nids = 0, outlen = 0, i;
	uint8_t *out = NULL, md[32];
	unsigned int mdlen = 32;
	struct kmt_file f;
	int ret = kmt_age_load_keys(argv[3], true, &ids, &nids);

	if (ret)
		return ret;
	ret = kmt_file_map(&f, argv[2]);
	if (!ret)
		ret = kmt_age_decrypt(f.data, f.size, ids, nids, 64ULL << 20, f.path, &out, &outlen);
	if (!ret) {
		EVP_Digest(out, outlen, md, &mdlen, EVP_sha256(), NULL);
		for (i = 0; i < 32; i++)
			printf("%02x", md[i]);
		printf("\n");
	}
	free(out);
	free(ids);
	kmt_file_unmap(&f);
	return ret;
}

int main(int argc, char **argv)
{
	uint64_t size, i;

	if (argc >= 4 && (!strcmp(argv[1], "write") || !strcmp(argv[1], "copy")))
		return cmd_write(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "pattern") && !kmt_parse_u64(argv[2], &size)) {
		for (i = 0; i < size; i++)
			putchar(pattern_byte(i));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "decrypt"))
		return cmd_decrypt(argv);
	if (argc == 3 && !strcmp(argv[1], "bech32")) {
		uint8_t out[256];
		char hrp[100];
		size_t n;

		if (kmt_bech32_decode(argv[2], hrp, sizeof(hrp), out, sizeof(out), &n))
			return 1;
		printf("%s ", hrp);
		for (i = 0; i < n; i++)
			printf("%02x", out[i]);
		printf("\n");
		return 0;
	}
	fprintf(stderr, "usage: see the comment at the top of stream_test.c\n");
	return KMT_EXIT_USAGE;
}
