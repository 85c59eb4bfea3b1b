// SPDX-License-Identifier: GPL-2.0
/* kminidump assemble: a QDL/edl md_*.BIN set -> one ELF core. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd/cmd.h"
#include "format/mdset.h"
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "output/stream.h"
#include "lib/util.h"

static void kmt_assemble_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s assemble DIR|FILES... -o CORE\n"
		"Concatenate a QDL/edl minidump set (md_<name><N>.BIN, N the 1-based table order)\n"
		"into one ELF core, after checking it against the first file's program headers.\n"
		"\n"
		"  -o, --output CORE  the core to write\n"
		KMT_STREAM_HELP
		"  -f, --force        write the concatenation even when files and headers disagree\n"
		"  -q, --quiet        errors only\n"
		"  -v, --verbose      say more\n"
		"  -h, --help         this text\n",
		KMT_PROG);
}

static void kmt_md_add(struct kmt_mdfile **f, size_t *nf, const char *path)
{
	struct kmt_mdfile *m;
	const char *slash = strrchr(path, '/');

	if (!(*nf & (*nf - 1)))		/* 0, 1, 2, 4...: double the array */
		*f = kmt_realloc(*f, (*nf ? 2 * *nf : 1) * sizeof(**f));
	m = &(*f)[(*nf)++];
	memset(m, 0, sizeof(*m));
	m->path = kmt_strdup(path);
	m->base = slash ? m->path + (slash - path) + 1 : m->path;
}

static int kmt_md_too_many(size_t n)
{
	kmt_err("%zu md_*.BIN files, more than %u: no table has that many regions", n,
		KMT_MD_MAX_FILES);
	return KMT_EXIT_USAGE;
}

static int kmt_md_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kmt_mdfile *)a)->base, ((const struct kmt_mdfile *)b)->base);
}

static int kmt_md_scan_dir(const char *dir, struct kmt_mdfile **f, size_t *nf)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t at, len;

	if (!d) {
		kmt_err("Can't open %s. %s", dir, strerror(errno));
		return KMT_EXIT_IO;
	}
	while ((e = readdir(d))) {
		char *path;

		if (*nf > KMT_MD_MAX_FILES) {
			kmt_err("%s has more than %u md_*.BIN files: no table has that many regions",
				dir, KMT_MD_MAX_FILES);
			closedir(d);
			return KMT_EXIT_FORMAT;
		}

		if (kmt_md_parse_name(e->d_name, &at, &len)) {
			if (e->d_name[0] != '.')
				kmt_verbose("%s/%s: not an md_<name><N>.BIN file; ignored", dir,
					    e->d_name);
			continue;
		}
		path = kmt_malloc(strlen(dir) + strlen(e->d_name) + 2);
		sprintf(path, "%s/%s", dir, e->d_name);
		kmt_md_add(f, nf, path);
		free(path);
	}
	closedir(d);
	if (!*nf) {
		kmt_err("no md_<name><N>.BIN files in %s", dir);
		return KMT_EXIT_NOTFOUND;
	}
	qsort(*f, *nf, sizeof(**f), kmt_md_name_cmp);	/* readdir order is no order */
	return 0;
}

static int kmt_md_write(const struct kmt_mdfile *f, size_t nf, const char *out,
			const struct kmt_file *maps, const struct kmt_stream_opts *so)
{
	struct kmt_stream *o;
	size_t i;
	int ret = kmt_stream_open(&o, out, so, maps, nf);

	if (ret)
		return ret;
	for (i = 0; i < nf && !ret; i++)
		ret = kmt_stream_write(o, f[i].data, f[i].size);
	if (ret) {
		kmt_stream_abort(o);
		return ret;
	}
	return kmt_stream_commit(o, NULL);
}

static int kmt_md_map_all(struct kmt_mdfile *f, size_t nf, struct kmt_file *maps)
{
	size_t i;
	int ret;

	for (i = 0; i < nf; i++) {
		ret = kmt_file_map(&maps[i], f[i].path);
		if (ret)
			return ret;
		f[i].data = maps[i].data;
		f[i].size = maps[i].size;
	}
	return 0;
}

static int kmt_assemble_run(struct kmt_mdfile *f, size_t nf, const char *out,
			    const struct kmt_stream_opts *so, bool force,
			    double t0)
{
	struct kmt_file *maps = kmt_calloc(nf, sizeof(*maps));
	uint64_t total;
	size_t i;
	int ret, code = 0;

	ret = kmt_md_map_all(f, nf, maps);
	if (!ret)
		ret = kmt_md_order(f, nf);
	if (!ret && kmt_assemble_check(f, nf, !force, &code)) {
		if (force && code == KMT_EXIT_MISMATCH)
			kmt_warn("the set does not match its program headers; writing it anyway (--force)");
		else
			ret = code;
	} else if (!ret) {
		ret = code;
	}
	if (!ret)
		ret = kmt_md_write(f, nf, out, maps, so);
	if (!ret) {
		total = f[nf - 1].off + f[nf - 1].size;
		kmt_info("assembled %zu files, %llu bytes, into %s in %.3f s", nf,
			 (unsigned long long)total, out, kmt_now() - t0);
	}
	for (i = 0; i < nf; i++)
		kmt_file_unmap(&maps[i]);
	free(maps);
	return ret;
}

int kmt_cmd_assemble(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		KMT_STREAM_LONGOPTS,
		KMT_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kmt_stream_opts so = { 0 };
	struct kmt_mdfile *f = NULL;
	const char *out = NULL;
	double t0 = kmt_now();
	bool force = false;
	size_t nf = 0, i;
	struct stat st;
	int opt, ret = 0;

	optind = 0;	/* glibc: restart scanning after main()'s getopt */
	while ((opt = getopt_long(argc, argv, "o:fhVqv" KMT_STREAM_SHORTOPTS, opts, NULL)) != -1) {
		int ex = -1;

		if (opt == 'o') {
			out = optarg;
		} else if (opt == 'f') {
			force = true;
		} else if (kmt_stream_opt(&so, opt, optarg, &ex)) {
			if (ex) {
				kmt_stream_opts_free(&so);
				return ex;
			}
		} else if (kmt_common_opt(opt, "assemble", kmt_assemble_usage, &ex) && ex >= 0) {
			kmt_stream_opts_free(&so);
			return ex;
		}
	}
	if (optind >= argc || !out) {
		kmt_err(!out ? "assemble: give the output core with -o CORE" :
			"assemble: give a directory or the md_*.BIN files");
		fprintf(stderr, "Try '%s assemble --help'.\n", KMT_PROG);
		kmt_stream_opts_free(&so);
		return KMT_EXIT_USAGE;
	}
	if (argc - optind == 1 && !stat(argv[optind], &st) && S_ISDIR(st.st_mode))
		ret = kmt_md_scan_dir(argv[optind], &f, &nf);
	else if ((size_t)(argc - optind) > KMT_MD_MAX_FILES)
		ret = kmt_md_too_many(argc - optind);
	else
		for (i = optind; i < (size_t)argc; i++)
			kmt_md_add(&f, &nf, argv[i]);
	if (!ret)
		ret = kmt_assemble_run(f, nf, out, &so, force, t0);
	for (i = 0; i < nf; i++)
		free(f[i].path);
	free(f);
	kmt_stream_opts_free(&so);
	return ret;
}
