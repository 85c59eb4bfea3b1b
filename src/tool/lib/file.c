// SPDX-License-Identifier: GPL-2.0
/* Input files (mapped or read in) and writing to output files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/util.h"

static int kmt_file_read_in(struct kmt_file *f, int fd)
{
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = kmt_malloc(cap);

	for (;;) {
		ssize_t n;

		if (len == cap)
			buf = kmt_realloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kmt_err("Can't read %s. %s", f->path, strerror(errno));
			free(buf);
			return KMT_EXIT_IO;
		}
		if (!n)
			break;
		len += n;
	}
	f->data = buf;
	f->size = len;
	f->mapped = false;
	return 0;
}

int kmt_file_map(struct kmt_file *f, const char *path)
{
	struct stat st;
	int fd, ret = 0;

	memset(f, 0, sizeof(*f));
	f->path = kmt_strdup(path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kmt_err("Can't open %s. %s", path, strerror(errno));
		return KMT_EXIT_IO;
	}
	if (fstat(fd, &st)) {
		kmt_err("Can't stat %s. %s", path, strerror(errno));
		close(fd);
		return KMT_EXIT_IO;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (S_ISDIR(st.st_mode)) {
		kmt_err("Can't read %s. %s", path, strerror(EISDIR));
		close(fd);
		return KMT_EXIT_IO;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= SIZE_MAX) {
		void *p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED) {
			kmt_err("Can't map %s. %s", path, strerror(errno));
			ret = KMT_EXIT_IO;
		} else {
			f->data = p;
			f->size = st.st_size;
			f->mapped = true;
		}
	} else {
		ret = kmt_file_read_in(f, fd);
	}
	close(fd);
	return ret;
}

void kmt_file_unmap(struct kmt_file *f)
{
	if (f->mapped)
		munmap(f->data, f->size);
	else
		free(f->data);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

int kmt_check_not_input(const char *out, const struct kmt_file *in, size_t n)
{
	struct stat st;
	size_t i;

	if (stat(out, &st) || !S_ISREG(st.st_mode))
		return 0;
	for (i = 0; i < n; i++) {
		if (in[i].dev == (uint64_t)st.st_dev && in[i].ino == (uint64_t)st.st_ino) {
			kmt_err("-o %s is the input %s; give another output file", out, in[i].path);
			return KMT_EXIT_USAGE;
		}
	}
	return 0;
}

int kmt_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len > (1 << 30) ? (1 << 30) : len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}
