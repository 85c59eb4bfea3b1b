// SPDX-License-Identifier: GPL-2.0
/* kminidump dmesg: the kernel log of a core, from VMCOREINFO alone. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cmd.h"
#include "format/elfcore.h"
#include "format/printk.h"
#include "input/corefile.h"
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/outfile.h"

static void kmt_dmesg_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s dmesg CORE [-o FILE] [-i KEYFILE]\n"
		"Print the printk ring of a core the way makedumpfile --dump-dmesg does,\n"
		"using only its VMCOREINFO note (no vmlinux). CORE may be zstd-compressed\n"
		"and age-encrypted (kminidump extract --compress zstd --encrypt-to).\n"
		"\n"
		"  -o, --output FILE  write the log here instead of standard output (through a\n"
		"                     temporary file, renamed when complete)\n"
		KMT_IDENTITY_HELP
		"  -q, --quiet        errors only\n"
		"  -v, --verbose      say more\n"
		"  -h, --help         this text\n",
		KMT_PROG);
}

/*
 * The core is opened and checked before the output is created; the log goes
 * to a temporary renamed into place at the end, also when some records could
 * not be read (exit 6: the log holds the others), never after another error.
 */
static int kmt_dmesg_file(const char *path, const char *outname,
			  const struct kmt_identities *ids)
{
	struct kmt_out o = { .fd = -1 };
	FILE *out = stdout;
	struct kmt_core c;
	struct kmt_file f;
	int ret = kmt_corefile_open(&f, path, ids);

	if (!ret)
		ret = kmt_core_open(&c, f.path, f.data, f.size);
	if (ret) {
		kmt_file_unmap(&f);
		return ret;
	}
	if (outname) {
		ret = kmt_out_open(&o, outname, &f, 1);
		if (!ret && !(out = kmt_out_stdio(&o))) {
			kmt_out_abort(&o);
			ret = KMT_EXIT_IO;
		}
	}
	if (!ret)
		ret = kmt_dmesg(&c, out);
	kmt_core_close(&c);
	kmt_file_unmap(&f);
	if (outname && o.fd >= 0) {
		if (ret && ret != KMT_EXIT_MISSING) {
			kmt_out_abort(&o);
		} else {
			int r = kmt_out_commit(&o);

			ret = r ? r : ret;
		}
	} else if (!outname && (fflush(stdout) || ferror(stdout)) && ret != KMT_EXIT_IO) {
		kmt_err("Can't write the output. %s", strerror(errno));
		ret = KMT_EXIT_IO;
	}
	return ret;
}

int kmt_cmd_dmesg(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		KMT_IDENTITY_LONGOPT,
		KMT_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kmt_identities ids = { 0 };
	const char *outname = NULL;
	int opt, ret;

	optind = 0;	/* glibc: restart scanning after main()'s getopt */
	while ((opt = getopt_long(argc, argv, "o:i:hVqv", opts, NULL)) != -1) {
		int ex = -1;

		if (opt == 'o') {
			outname = optarg;
		} else if (opt == 'i') {
			ex = kmt_identity_add(&ids, optarg);
			if (ex) {
				kmt_identities_free(&ids);
				return ex;
			}
		} else if (kmt_common_opt(opt, "dmesg", kmt_dmesg_usage, &ex) && ex >= 0) {
			kmt_identities_free(&ids);
			return ex;
		}
	}
	if (argc - optind != 1) {
		kmt_err("dmesg: give one core file");
		fprintf(stderr, "Try '%s dmesg --help'.\n", KMT_PROG);
		kmt_identities_free(&ids);
		return KMT_EXIT_USAGE;
	}
	ret = kmt_dmesg_file(argv[optind], outname, &ids);
	kmt_identities_free(&ids);
	return ret;
}
