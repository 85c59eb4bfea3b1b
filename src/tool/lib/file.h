/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input files: regular files only, opened non-blocking, mapped (a size-0
 * procfs file is read in); a mapped file that shrinks under the tool is a
 * clear error, not a crash (lib/file.c). Outputs: lib/outfile.h.
 */
#ifndef _KMT_FILE_H
#define _KMT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A file mapped private and writable (libelf may touch its image), or read in. */
struct kmt_file {
	char *path;
	uint8_t *data;
	size_t size;
	bool mapped;
	uint64_t dev, ino;	/* to refuse writing over an input */
};

int kmt_file_map(struct kmt_file *f, const char *path);
void kmt_file_unmap(struct kmt_file *f);
/* Fails (usage) if @out is one of the @n mapped inputs: truncating it would pull the rug. */
int kmt_check_not_input(const char *out, const struct kmt_file *in, size_t n);

/* "a FIFO", "a character device"... for messages about a file that is not regular. */
const char *kmt_file_kind(mode_t mode);
/* While @on, a SIGBUS, SIGINT, SIGTERM or SIGHUP removes the temporary file @path. */
void kmt_file_guard_temp(const char *path, bool on);

/* Write all of @buf to @fd; 0 or -1 with errno set. */
int kmt_write_all(int fd, const void *buf, size_t len);

#endif /* _KMT_FILE_H */
