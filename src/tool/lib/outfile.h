/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output files, written so that nobody ever sees half of one: the bytes go to
 * a temporary file in the target's directory, renamed over the target only
 * when everything was written (kmt_out_commit); on an error, a signal or a
 * SIGBUS only that temporary is removed. An existing character device or FIFO
 * (/dev/stdout, a pipe) is written in place and never removed; any other
 * file that is not regular (a directory, a block device, a socket) is refused.
 */
#ifndef _KMT_OUTFILE_H
#define _KMT_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/file.h"

struct kmt_out {
	const char *path;	/* as given, for messages */
	char *target;		/* the file renamed over at commit (symbolic links followed) */
	char *tmp;		/* the temporary, NULL when written in place */
	int fd;
	FILE *fp;		/* kmt_out_stdio() */
};

/* Creates the temporary (or opens the device); refuses an input as output. */
int kmt_out_open(struct kmt_out *o, const char *path, const struct kmt_file *inputs,
		 size_t ninputs);
/* A stdio stream on the output; kmt_out_commit() flushes and closes it. */
FILE *kmt_out_stdio(struct kmt_out *o);
/* Writes all of @buf; on an error prints why and returns KMT_EXIT_IO. */
int kmt_out_write(struct kmt_out *o, const void *buf, size_t len);
/* Flushes, syncs and renames into place; 0 or KMT_EXIT_IO (the temporary removed). */
int kmt_out_commit(struct kmt_out *o);
/* Closes and removes the temporary; the target is left as it was. */
void kmt_out_abort(struct kmt_out *o);

#endif /* _KMT_OUTFILE_H */
