// SPDX-License-Identifier: GPL-2.0
/* The options every command accepts: --help, --version, --quiet, --verbose. */
#include <stdio.h>
#include "cmd/cmd.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

int kmt_common_opt(int opt, const char *cmd, void (*usage)(FILE *), int *exitp)
{
	switch (opt) {
	case 'h':
		usage(stdout);
		*exitp = KMT_EXIT_OK;
		return 1;
	case 'V':
		printf("%s %s\n", KMT_PROG, KMT_VERSION);
		*exitp = KMT_EXIT_OK;
		return 1;
	case 'q':
		kmt_verbosity = 0;
		return 1;
	case 'v':
		if (kmt_verbosity >= 0)
			kmt_verbosity = 2;
		return 1;
	case '?':
		fprintf(stderr, "Try '%s%s%s --help'.\n", KMT_PROG, *cmd ? " " : "", cmd);
		*exitp = KMT_EXIT_USAGE;
		return 1;
	}
	return 0;
}
