// SPDX-License-Identifier: GPL-2.0
/* Messages, number parsing, memory and file helpers. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "tool.h"

int kmd_verbosity = 1;

static void kmd_vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", KMD_PROG, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void kmd_err(const char *fmt, ...)
{
	va_list ap;

	if (kmd_verbosity < 0)
		return;
	va_start(ap, fmt);
	kmd_vmsg("", fmt, ap);
	va_end(ap);
}

void kmd_warn(const char *fmt, ...)
{
	va_list ap;

	if (kmd_verbosity < 1)
		return;
	va_start(ap, fmt);
	kmd_vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void kmd_info(const char *fmt, ...)
{
	va_list ap;

	if (kmd_verbosity < 1)
		return;
	va_start(ap, fmt);
	kmd_vmsg("", fmt, ap);
	va_end(ap);
}

void kmd_verbose(const char *fmt, ...)
{
	va_list ap;

	if (kmd_verbosity < 2)
		return;
	va_start(ap, fmt);
	kmd_vmsg("", fmt, ap);
	va_end(ap);
}

static void kmd_oom(size_t n)
{
	kmd_err("Can't allocate %zu bytes of memory. %s", n, strerror(ENOMEM));
	exit(KMD_EXIT_FAILURE);
}

void *kmd_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		kmd_oom(n);
	return p;
}

void *kmd_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		kmd_oom(n * size);
	return p;
}

void *kmd_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		kmd_oom(n);
	return q;
}

char *kmd_strdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(kmd_malloc(n), s, n);
}

int kmd_parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		x = strtoull(s + 2, &end, 16);
	else
		x = strtoull(s, &end, 10);
	if (errno || *end || end == s || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && !s[2]))
		return -1;
	*v = x;
	return 0;
}

double kmd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int kmd_file_read_in(struct kmd_file *f, int fd)
{
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = kmd_malloc(cap);

	for (;;) {
		ssize_t n;

		if (len == cap)
			buf = kmd_realloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kmd_err("Can't read %s. %s", f->path, strerror(errno));
			free(buf);
			return KMD_EXIT_IO;
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

int kmd_file_map(struct kmd_file *f, const char *path)
{
	struct stat st;
	int fd, ret = 0;

	memset(f, 0, sizeof(*f));
	f->path = kmd_strdup(path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		kmd_err("Can't open %s. %s", path, strerror(errno));
		return KMD_EXIT_IO;
	}
	if (fstat(fd, &st)) {
		kmd_err("Can't stat %s. %s", path, strerror(errno));
		close(fd);
		return KMD_EXIT_IO;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (S_ISDIR(st.st_mode)) {
		kmd_err("Can't read %s. %s", path, strerror(EISDIR));
		close(fd);
		return KMD_EXIT_IO;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= SIZE_MAX) {
		void *p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED) {
			kmd_err("Can't map %s. %s", path, strerror(errno));
			ret = KMD_EXIT_IO;
		} else {
			f->data = p;
			f->size = st.st_size;
			f->mapped = true;
		}
	} else {
		ret = kmd_file_read_in(f, fd);
	}
	close(fd);
	return ret;
}

void kmd_file_unmap(struct kmd_file *f)
{
	if (f->mapped)
		munmap(f->data, f->size);
	else
		free(f->data);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

int kmd_check_not_input(const char *out, const struct kmd_file *in, size_t n)
{
	struct stat st;
	size_t i;

	if (stat(out, &st) || !S_ISREG(st.st_mode))
		return 0;
	for (i = 0; i < n; i++) {
		if (in[i].dev == (uint64_t)st.st_dev && in[i].ino == (uint64_t)st.st_ino) {
			kmd_err("-o %s is the input %s; give another output file", out, in[i].path);
			return KMD_EXIT_USAGE;
		}
	}
	return 0;
}

int kmd_write_all(int fd, const void *buf, size_t len)
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

int kmd_common_opt(int opt, const char *cmd, void (*usage)(FILE *), int *exitp)
{
	switch (opt) {
	case 'h':
		usage(stdout);
		*exitp = KMD_EXIT_OK;
		return 1;
	case 'V':
		printf("%s %s\n", KMD_PROG, KMD_VERSION);
		*exitp = KMD_EXIT_OK;
		return 1;
	case 'q':
		kmd_verbosity = 0;
		return 1;
	case 'v':
		if (kmd_verbosity >= 0)
			kmd_verbosity = 2;
		return 1;
	case '?':
		fprintf(stderr, "Try '%s%s%s --help'.\n", KMD_PROG, *cmd ? " " : "", cmd);
		*exitp = KMD_EXIT_USAGE;
		return 1;
	}
	return 0;
}
