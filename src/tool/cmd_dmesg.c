// SPDX-License-Identifier: GPL-2.0
/* kminidump dmesg: the kernel log of a core, from VMCOREINFO alone. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include "tool.h"

static void kmd_dmesg_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s dmesg CORE [-o FILE]\n"
		"Print the printk ring of a core the way makedumpfile --dump-dmesg does,\n"
		"using only its VMCOREINFO note (no vmlinux).\n"
		"\n"
		"  -o, --output FILE  write the log here instead of standard output\n"
		"  -q, --quiet        errors only\n"
		"  -v, --verbose      say more\n"
		"  -h, --help         this text\n",
		KMD_PROG);
}

static int kmd_dmesg_file(const char *path, const char *outname)
{
	FILE *out = stdout;
	struct kmd_core c;
	struct kmd_file f;
	int ret = kmd_file_map(&f, path);

	if (!ret && outname) {
		ret = kmd_check_not_input(outname, &f, 1);
		if (!ret && !(out = fopen(outname, "w"))) {
			kmd_err("Can't open %s. %s", outname, strerror(errno));
			ret = KMD_EXIT_IO;
		}
	}
	if (!ret) {
		ret = kmd_core_open(&c, f.path, f.data, f.size);
		if (!ret) {
			ret = kmd_dmesg(&c, out);
			kmd_core_close(&c);
		}
		if ((fflush(out) || ferror(out)) && ret != KMD_EXIT_IO) {
			kmd_err("Can't write %s. %s", outname ? outname : "the output",
				strerror(errno));
			ret = KMD_EXIT_IO;
		}
		if (out != stdout && fclose(out) && ret != KMD_EXIT_IO) {
			kmd_err("Can't write %s. %s", outname, strerror(errno));
			ret = KMD_EXIT_IO;
		}
	}
	kmd_file_unmap(&f);
	return ret;
}

int kmd_cmd_dmesg(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		KMD_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *outname = NULL;
	int opt;

	optind = 0;	/* glibc: restart scanning after main()'s getopt */
	while ((opt = getopt_long(argc, argv, "o:hVqv", opts, NULL)) != -1) {
		int ex = -1;

		if (opt == 'o')
			outname = optarg;
		else if (kmd_common_opt(opt, "dmesg", kmd_dmesg_usage, &ex) && ex >= 0)
			return ex;
	}
	if (argc - optind != 1) {
		kmd_err("dmesg: give one core file");
		fprintf(stderr, "Try '%s dmesg --help'.\n", KMD_PROG);
		return KMD_EXIT_USAGE;
	}
	return kmd_dmesg_file(argv[optind], outname);
}
