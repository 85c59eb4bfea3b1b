// SPDX-License-Identifier: GPL-2.0
/* kminidump info: what a core holds (output/info_text.c, output/info_json.c). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cmd.h"
#include "format/elfcore.h"
#include "format/kmod.h"
#include "format/symtab.h"
#include "input/corefile.h"
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "output/info.h"

static void kmt_info_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s info CORE [--json] [--system-map FILE] [--module KO:SECTION=ADDR,...]\n"
		"                      [--modules DIR] [--all-cpus] [-i KEYFILE]\n"
		"Describe a minidump core: regions, notes, VMCOREINFO, the kminidump table,\n"
		"and for a crash image the panic: message, registers, a backtrace. CORE may be\n"
		"zstd-compressed and age-encrypted (extract --compress zstd --encrypt-to).\n"
		"\n"
		"  -s, --system-map FILE  name addresses (regions, registers, backtraces) with\n"
		"                         this System.map, relocated by VMCOREINFO's KERNELOFFSET\n"
		"  -m, --module KO:SECTION=ADDR[,SECTION=ADDR...]\n"
		"                         name addresses in a module with its .ko, its sections\n"
		"                         loaded at ADDR (/sys/module/NAME/sections/); repeatable\n"
		"  -M, --modules DIR      name module frames from DIR/NAME.ko for the modules the\n"
		"                         core lists (without it: from the module kallsyms the\n"
		"                         core holds, for the modules a captured stack named)\n"
		"  -a, --all-cpus         panic: show every CPU, also those whose NT_PRSTATUS is\n"
		"                         empty (by default: the panic CPU and every filled one)\n"
		"  -j, --json             one JSON document instead (schema: kminidump(1), JSON)\n"
		KMT_IDENTITY_HELP
		"  -q, --quiet            errors only\n"
		"  -v, --verbose          say more\n"
		"  -h, --help             this text\n",
		KMT_PROG);
}

/* The kernel image's bounds in the System.map: _text (or _stext) to _end. */
static void kmt_info_image_bounds(const struct kmt_symtab *t, uint64_t *lo, uint64_t *hi)
{
	size_t i;

	*lo = 0;
	*hi = 0;
	for (i = 0; i < t->n; i++) {
		if (!strcmp(t->s[i].name, "_text") || (!*lo && !strcmp(t->s[i].name, "_stext")))
			*lo = t->s[i].addr;
		else if (!strcmp(t->s[i].name, "_end"))
			*hi = t->s[i].addr;
	}
}

int kmt_cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "system-map", required_argument, NULL, 's' },
		{ "all-cpus", no_argument, NULL, 'a' },
		{ "modules", required_argument, NULL, 'M' },
		{ "module", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		KMT_IDENTITY_LONGOPT,
		KMT_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kmt_info_ctx x = { .out = stdout };
	struct kmt_symtab syms = { 0 };
	struct kmt_identities ids = { 0 };
	const char *map = NULL, *moddir = NULL;
	struct kmt_kmod *mods;
	bool json = false;
	struct kmt_core c;
	struct kmt_file f;
	size_t nmods = 0, i;
	int opt, ret = 0;

	mods = kmt_calloc(argc, sizeof(*mods));
	optind = 0;	/* glibc: restart scanning after main()'s getopt */
	while (!ret && (opt = getopt_long(argc, argv, "s:am:M:ji:hVqv", opts, NULL)) != -1) {
		int ex = -1;

		if (opt == 's')
			map = optarg;
		else if (opt == 'a')
			x.all_cpus = true;
		else if (opt == 'M')
			moddir = optarg;
		else if (opt == 'j')
			json = true;
		else if (opt == 'm')
			ret = kmt_kmod_load(&mods[nmods++], optarg);
		else if (opt == 'i')
			ret = kmt_identity_add(&ids, optarg);
		else if (kmt_common_opt(opt, "info", kmt_info_usage, &ex) && ex >= 0)
			ret = ex ? ex : -1;
	}
	if (!ret && argc - optind != 1) {
		kmt_err("info: give one core file");
		fprintf(stderr, "Try '%s info --help'.\n", KMT_PROG);
		ret = KMT_EXIT_USAGE;
	}
	if (ret)
		goto out;
	x.mods = mods;
	x.nmods = nmods;
	if (map) {
		ret = kmt_symtab_load(&syms, map);
		if (ret)
			goto out;
		kmt_symtab_sort_addr(&syms);
		kmt_info_image_bounds(&syms, &x.img_lo, &x.img_hi);
		if (!x.img_lo || !x.img_hi)
			kmt_warn("%s has no _text/_stext and _end: regions are not named", map);
		x.syms = &syms;
		x.map_path = map;
	}
	ret = kmt_corefile_open(&f, argv[optind], &ids);
	if (!ret) {
		ret = kmt_core_open(&c, f.path, f.data, f.size);
		if (!ret) {
			x.c = &c;
			kmt_kmod_from_core(&c, moddir, &mods, &nmods);
			x.mods = mods;
			x.nmods = nmods;
			if (c.has_vmci && kmt_vmci_num(&c.vmci, "KERNELOFFSET", 16, &x.kaslr))
				x.kaslr = 0;
			ret = json ? kmt_info_print_json(&x) : kmt_info_print(&x);
			kmt_core_close(&c);
		}
	}
	kmt_file_unmap(&f);
	if (!ret && (fflush(stdout) || ferror(stdout))) {
		kmt_err("Can't write the output. %s", strerror(errno));
		ret = KMT_EXIT_IO;
	}
out:
	kmt_symtab_free(&syms);
	kmt_identities_free(&ids);
	for (i = 0; i < nmods; i++)
		kmt_kmod_free(&mods[i]);
	free(mods);
	return ret < 0 ? KMT_EXIT_OK : ret;
}
