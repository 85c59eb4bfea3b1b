// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump: turn what a collector got (RAM images, an ELF dump, a QDL/edl
 * md_*.BIN set) into one small ELF core, and look inside such cores.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cmd.h"
#include "lib/exitcode.h"
#include "lib/msg.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} kmt_cmds[] = {
	{ "extract", kmt_cmd_extract, "RAM images or an ELF dump -> minidump core" },
	{ "assemble", kmt_cmd_assemble, "QDL/edl md_*.BIN set -> minidump core" },
	{ "info", kmt_cmd_info, "describe a core: regions, notes, VMCOREINFO, table" },
	{ "dmesg", kmt_cmd_dmesg, "print a core's kernel log (like makedumpfile --dump-dmesg)" },
	{ "collect", kmt_cmd_collect, "QEMU guest panics -> minidump cores, guest restarted" },
	{ "symbols", kmt_cmd_symbols, "load a System.map or kallsyms into the running module" },
};

#define KMT_NCMDS (sizeof(kmt_cmds) / sizeof(kmt_cmds[0]))

static void kmt_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-q|-v] COMMAND [OPTIONS]\n\nCommands:\n", KMT_PROG);
	for (i = 0; i < KMT_NCMDS; i++)
		fprintf(f, "  %-9s %s\n", kmt_cmds[i].name, kmt_cmds[i].what);
	fprintf(f, "\nCommon options: -h/--help, --version, -q/--quiet, -v/--verbose.\n"
		"'%s COMMAND --help' describes a command; see kminidump(1) for exit codes.\n",
		KMT_PROG);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		KMT_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int opt;
	size_t i;

	/* options before the command; '+' stops at the command name */
	while ((opt = getopt_long(argc, argv, "+hVqv", opts, NULL)) != -1) {
		int ex = -1;

		if (kmt_common_opt(opt, "", kmt_usage, &ex) && ex >= 0)
			return ex;
	}
	if (optind >= argc) {
		kmt_usage(stderr);
		return KMT_EXIT_USAGE;
	}
	for (i = 0; i < KMT_NCMDS; i++) {
		char prog[32];

		if (strcmp(argv[optind], kmt_cmds[i].name))
			continue;
		/* getopt's own messages then read "kminidump extract: ..." */
		snprintf(prog, sizeof(prog), "%s %s", KMT_PROG, kmt_cmds[i].name);
		argv[optind] = prog;
		return kmt_cmds[i].fn(argc - optind, argv + optind);
	}
	kmt_err("unknown command '%s'", argv[optind]);
	fprintf(stderr, "Try '%s --help'.\n", KMT_PROG);
	return KMT_EXIT_USAGE;
}
