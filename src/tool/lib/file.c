// SPDX-License-Identifier: GPL-2.0
/*
 * Input files, and what happens to files when the tool is stopped.
 *
 * Inputs come from a crashed, possibly hostile guest: every input is opened
 * non-blocking (a FIFO named like a dump cannot hang the tool), fstat'ed, and
 * taken only if it is a regular file; it is mapped, never read whole into the
 * heap, except a regular file whose size is 0 (/proc/kallsyms), read up to a
 * bound. A mapped file that shrinks while it is read (a RAM file QEMU still
 * owns, a dump being truncated) raises SIGBUS: the handler names the file and
 * the offset, removes the temporary outputs and exits with KMT_EXIT_IO, instead
 * of the tool dying. SIGINT, SIGTERM and SIGHUP remove the temporaries too.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_READ_IN_MAX		(256ULL << 20)	/* a size-0 file (procfs) read whole */
#define KMT_MAX_MAPPED		4096		/* files named in a SIGBUS message */
#define KMT_MAX_TEMPS		8		/* outputs being written at once */

/* What the signal handlers need, in plain static storage. */
static struct {
	const uint8_t *start;
	size_t size;
	const char *path;
} kmt_mapped[KMT_MAX_MAPPED];
static const char *volatile kmt_temps[KMT_MAX_TEMPS];
static bool kmt_handlers_set;

static void kmt_say(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));

	(void)r;
}

static void kmt_remove_temps(void)
{
	size_t i;

	for (i = 0; i < KMT_MAX_TEMPS; i++)
		if (kmt_temps[i])
			unlink(kmt_temps[i]);
}

static void kmt_on_sigbus(int sig, siginfo_t *si, void *uc)
{
	const uint8_t *a = si->si_addr;
	char hex[19] = "0x", *p;
	uint64_t off = 0;
	size_t i;
	int k;

	(void)sig;
	(void)uc;
	kmt_say(KMT_PROG ": ");
	for (i = 0; i < KMT_MAX_MAPPED; i++) {
		if (kmt_mapped[i].start && a >= kmt_mapped[i].start &&
		    a < kmt_mapped[i].start + kmt_mapped[i].size) {
			off = a - kmt_mapped[i].start;
			kmt_say(kmt_mapped[i].path);
			break;
		}
	}
	if (i == KMT_MAX_MAPPED)
		kmt_say("an input file");
	for (p = hex + 2, k = 60; k >= 0; k -= 4)
		if ((off >> k) || k == 0 || p > hex + 2)
			*p++ = "0123456789abcdef"[(off >> k) & 15];
	*p = 0;
	kmt_say(" shrank while it was read (no data at offset ");
	kmt_say(hex);
	kmt_say("); read it when nothing writes it any more (a stopped guest, a finished copy)\n");
	kmt_remove_temps();
	_exit(KMT_EXIT_IO);
}

static void kmt_on_stop(int sig)
{
	kmt_remove_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void kmt_set_handlers(void)
{
	struct sigaction sa;

	if (kmt_handlers_set)
		return;
	kmt_handlers_set = true;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = kmt_on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kmt_on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void kmt_file_guard_temp(const char *path, bool on)
{
	size_t i;

	kmt_set_handlers();
	for (i = 0; i < KMT_MAX_TEMPS; i++) {
		if (on && !kmt_temps[i]) {
			kmt_temps[i] = path;
			return;
		}
		if (!on && kmt_temps[i] == path) {
			kmt_temps[i] = NULL;
			return;
		}
	}
}

static void kmt_file_register(const struct kmt_file *f, bool on)
{
	size_t i;

	kmt_set_handlers();
	for (i = 0; i < KMT_MAX_MAPPED; i++) {
		if (on && !kmt_mapped[i].start) {
			kmt_mapped[i].path = f->path;
			kmt_mapped[i].size = f->size;
			kmt_mapped[i].start = f->data;
			return;
		}
		if (!on && kmt_mapped[i].start == f->data) {
			kmt_mapped[i].start = NULL;
			return;
		}
	}
}

const char *kmt_file_kind(mode_t mode)
{
	return S_ISDIR(mode) ? "a directory" : S_ISCHR(mode) ? "a character device" :
	       S_ISBLK(mode) ? "a block device" : S_ISFIFO(mode) ? "a FIFO" :
	       S_ISSOCK(mode) ? "a socket" : "not a regular file";
}

static int kmt_file_read_in(struct kmt_file *f, int fd)
{
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = kmt_malloc(cap);

	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap >= KMT_READ_IN_MAX) {
				kmt_err("%s reads as more than %llu MiB although its size is 0; give a copy of it",
					f->path, KMT_READ_IN_MAX >> 20);
				free(buf);
				return KMT_EXIT_LIMIT;
			}
			buf = kmt_realloc(buf, cap *= 2);
		}
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
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
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
	if (!S_ISREG(st.st_mode)) {
		kmt_err("Can't read %s: it is %s; give a regular file (a copy of it)", path,
			kmt_file_kind(st.st_mode));
		close(fd);
		return KMT_EXIT_IO;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		kmt_err("Can't map %s: %llu bytes do not fit in this address space", path,
			(unsigned long long)st.st_size);
		ret = KMT_EXIT_LIMIT;
	} else if (st.st_size > 0) {
		void *p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED) {
			kmt_err("Can't map %s. %s", path, strerror(errno));
			ret = KMT_EXIT_IO;
		} else {
			f->data = p;
			f->size = st.st_size;
			f->mapped = true;
			kmt_file_register(f, true);
		}
	} else {
		ret = fcntl(fd, F_SETFL, 0) ? KMT_EXIT_IO : kmt_file_read_in(f, fd);
	}
	close(fd);
	return ret;
}

void kmt_file_unmap(struct kmt_file *f)
{
	if (f->mapped) {
		kmt_file_register(f, false);
		munmap(f->data, f->size);
	} else {
		free(f->data);
	}
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
