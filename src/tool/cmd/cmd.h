/* SPDX-License-Identifier: GPL-2.0 */
/* The commands of kminidump (one file each) and the options they all take. */
#ifndef _KMT_CMD_H
#define _KMT_CMD_H

#include <getopt.h>
#include <stdio.h>

int kmt_cmd_extract(int argc, char **argv);
int kmt_cmd_assemble(int argc, char **argv);
int kmt_cmd_info(int argc, char **argv);
int kmt_cmd_dmesg(int argc, char **argv);
int kmt_cmd_symbols(int argc, char **argv);
int kmt_cmd_collect(int argc, char **argv);

/* Common options, accepted before or after the command. */
#define KMT_COMMON_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "verbose", no_argument, NULL, 'v' }

/* Handles h, V, q, v; returns 1 if handled (and *exitp set for h/V), 0 if not ours. */
int kmt_common_opt(int opt, const char *cmd, void (*usage)(FILE *), int *exitp);

#endif /* _KMT_CMD_H */
