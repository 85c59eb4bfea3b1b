/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages of the kminidump host tool: one line on stderr each, "kminidump: "
 * first. Functions that fail print one message saying why and return a
 * KMT_EXIT_* code (lib/exitcode.h).
 */
#ifndef _KMT_MSG_H
#define _KMT_MSG_H

#define KMT_PROG	"kminidump"

extern int kmt_verbosity;	/* -1 silent (fuzzing), 0 quiet, 1 normal, 2 verbose */

void kmt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kmt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kmt_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kmt_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* _KMT_MSG_H */
