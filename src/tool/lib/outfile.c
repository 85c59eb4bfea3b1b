// SPDX-License-Identifier: GPL-2.0
/* Output files through a temporary and a rename (lib/outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"

static void kmt_out_free(struct kmt_out *o)
{
	if (o->tmp)
		kmt_file_guard_temp(o->tmp, false);
	free(o->tmp);
	free(o->target);
	o->tmp = o->target = NULL;
	o->fd = -1;
	o->fp = NULL;
}

/*
 * The file a rename must replace: symbolic links are followed (their target is
 * written, the link stays), even to a target that does not exist yet.
 */
static char *kmt_out_resolve(const char *path)
{
	char *p = kmt_strdup(path), link[4096];
	struct stat st;
	int hops;

	for (hops = 0; hops < 40; hops++) {
		ssize_t n;
		char *q, *dir;

		if (lstat(p, &st) || !S_ISLNK(st.st_mode))
			break;
		n = readlink(p, link, sizeof(link) - 1);
		if (n < 0)
			break;
		link[n] = 0;
		if (link[0] == '/') {
			q = kmt_strdup(link);
		} else {
			dir = dirname(p);
			q = kmt_malloc(strlen(dir) + n + 2);
			sprintf(q, "%s/%s", dir, link);
		}
		free(p);
		p = q;
	}
	return p;
}

/* An existing device or FIFO, written in place; -1 for anything else that is not regular. */
static int kmt_out_direct(struct kmt_out *o, const struct stat *st)
{
	if (!S_ISCHR(st->st_mode) && !S_ISFIFO(st->st_mode)) {
		kmt_err("Can't write %s: it is %s; give a file name", o->path,
			kmt_file_kind(st->st_mode));
		return KMT_EXIT_USAGE;
	}
	o->fd = open(o->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (o->fd < 0) {
		kmt_err("Can't open %s. %s", o->path, strerror(errno));
		return KMT_EXIT_IO;
	}
	return 0;
}

int kmt_out_open(struct kmt_out *o, const char *path, const struct kmt_file *inputs,
		 size_t ninputs)
{
	char *dir, *base, *copy;
	sigset_t stop, old;
	struct stat st;
	mode_t mask;
	int ret, err;

	memset(o, 0, sizeof(*o));
	o->path = path;
	o->fd = -1;
	ret = kmt_check_not_input(path, inputs, ninputs);
	if (ret)
		return ret;
	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return kmt_out_direct(o, &st);
	o->target = kmt_out_resolve(path);
	copy = kmt_strdup(o->target);
	dir = dirname(copy);
	base = strrchr(o->target, '/') ? strrchr(o->target, '/') + 1 : o->target;
	o->tmp = kmt_malloc(strlen(dir) + strlen(base) + 16);
	sprintf(o->tmp, "%s/.%s.XXXXXX", dir, base);
	free(copy);
	/*
	 * A signal between mkostemp() and the guard would leave the temporary
	 * behind: hold them until the guard knows it (then the handler removes it).
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	o->fd = mkostemp(o->tmp, O_CLOEXEC);
	if (o->fd >= 0)
		kmt_file_guard_temp(o->tmp, true);
	err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (o->fd < 0) {
		kmt_err("Can't create a file next to %s. %s", path, strerror(err));
		free(o->tmp);
		o->tmp = NULL;
		kmt_out_free(o);
		return KMT_EXIT_IO;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(o->fd, 0644 & ~mask)) {
		kmt_err("Can't set the mode of %s. %s", o->tmp, strerror(errno));
		kmt_out_abort(o);
		return KMT_EXIT_IO;
	}
	return 0;
}

FILE *kmt_out_stdio(struct kmt_out *o)
{
	if (!o->fp)
		o->fp = fdopen(o->fd, "w");
	if (!o->fp)
		kmt_err("Can't write %s. %s", o->path, strerror(errno));
	return o->fp;
}

int kmt_out_write(struct kmt_out *o, const void *buf, size_t len)
{
	if (kmt_write_all(o->fd, buf, len)) {
		kmt_err("Can't write %s. %s", o->path, strerror(errno));
		return KMT_EXIT_IO;
	}
	return 0;
}

int kmt_out_commit(struct kmt_out *o)
{
	int err = 0;

	if (o->fp) {
		if (fflush(o->fp) || ferror(o->fp))
			err = errno ? errno : EIO;
	}
	if (!err && o->tmp && fsync(o->fd))
		err = errno;
	if (o->fp ? fclose(o->fp) : close(o->fd))
		err = err ? err : errno;
	o->fp = NULL;
	o->fd = -1;
	if (!err && o->tmp && rename(o->tmp, o->target))
		err = errno;
	if (err) {
		kmt_err("Can't write %s. %s", o->path, strerror(err));
		if (o->tmp)
			unlink(o->tmp);
		kmt_out_free(o);
		return KMT_EXIT_IO;
	}
	kmt_out_free(o);
	return 0;
}

void kmt_out_abort(struct kmt_out *o)
{
	if (o->fp)
		fclose(o->fp);
	else if (o->fd >= 0)
		close(o->fd);
	if (o->tmp)
		unlink(o->tmp);
	kmt_out_free(o);
}
