// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump: turn what a collector got (RAM images, an ELF dump, a QDL/edl
 * md_*.BIN set) into one small ELF core, and look inside such cores.
 */
#include <getopt.h>
#include <stdlib.h>
#include "tool.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} kmd_cmds[] = {
	{ "extract", kmd_cmd_extract, "RAM images or an ELF dump -> minidump core" },
	{ "assemble", kmd_cmd_assemble, "QDL/edl md_*.BIN set -> minidump core" },
	{ "info", kmd_cmd_info, "describe a core: regions, notes, VMCOREINFO, table" },
	{ "dmesg", kmd_cmd_dmesg, "print a core's kernel log (like makedumpfile --dump-dmesg)" },
	{ "symbols", kmd_cmd_symbols, "load a System.map or kallsyms into the running module" },
};

#define KMD_NCMDS (sizeof(kmd_cmds) / sizeof(kmd_cmds[0]))

static void kmd_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-q|-v] COMMAND [OPTIONS]\n\nCommands:\n", KMD_PROG);
	for (i = 0; i < KMD_NCMDS; i++)
		fprintf(f, "  %-9s %s\n", kmd_cmds[i].name, kmd_cmds[i].what);
	fprintf(f, "\nCommon options: -h/--help, --version, -q/--quiet, -v/--verbose.\n"
		"'%s COMMAND --help' describes a command; see kminidump(1) for exit codes.\n",
		KMD_PROG);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		KMD_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	int opt;
	size_t i;

	/* options before the command; '+' stops at the command name */
	while ((opt = getopt_long(argc, argv, "+hVqv", opts, NULL)) != -1) {
		int ex = -1;

		if (kmd_common_opt(opt, "", kmd_usage, &ex) && ex >= 0)
			return ex;
	}
	if (optind >= argc) {
		kmd_usage(stderr);
		return KMD_EXIT_USAGE;
	}
	for (i = 0; i < KMD_NCMDS; i++) {
		char prog[32];

		if (strcmp(argv[optind], kmd_cmds[i].name))
			continue;
		/* getopt's own messages then read "kminidump extract: ..." */
		snprintf(prog, sizeof(prog), "%s %s", KMD_PROG, kmd_cmds[i].name);
		argv[optind] = prog;
		return kmd_cmds[i].fn(argc - optind, argv + optind);
	}
	kmd_err("unknown command '%s'", argv[optind]);
	fprintf(stderr, "Try '%s --help'.\n", KMD_PROG);
	return KMD_EXIT_USAGE;
}
