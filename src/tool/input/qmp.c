// SPDX-License-Identifier: GPL-2.0
/* The QMP client of input/qmp.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "input/qmp.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

void kmt_qmp_init_buffers(struct kmt_qmp *q)
{
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->buf = kmt_malloc(KMT_QMP_MAX_MSG + 1);
	q->line = kmt_malloc(KMT_QMP_MAX_MSG + 1);
	q->tok = kmt_calloc(KMT_QMP_MAX_TOK, sizeof(*q->tok));
}

void kmt_qmp_close(struct kmt_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	free(q->buf);
	free(q->line);
	free(q->tok);
	q->buf = q->line = NULL;
	q->tok = NULL;
	q->fd = -1;
}

/* Milliseconds left until @deadline (kmt_now() seconds; negative: no deadline). */
static int kmt_qmp_left(double deadline)
{
	double left;

	if (deadline < 0)
		return -1;
	left = (deadline - kmt_now()) * 1000.0;
	return left <= 0 ? 0 : left > 1e9 ? 1000000000 : (int)left + 1;
}

/* A short, printable excerpt of what QEMU sent, for messages. */
static const char *kmt_qmp_excerpt(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < size; i++)
		buf[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (i < n && o + 4 <= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = 0;
	return buf;
}

static void kmt_qmp_event_in(struct kmt_qmp *q)
{
	struct kmt_jr *j = &q->j;
	struct kmt_qmp_event *e;
	uint64_t s = 0, us = 0;

	if (q->nev == KMT_QMP_EVQ) {	/* the oldest goes: bounded, whatever QEMU sends */
		memmove(q->evq, q->evq + 1, sizeof(q->evq[0]) * (KMT_QMP_EVQ - 1));
		q->nev--;
		q->dropped++;
	}
	e = &q->evq[q->nev++];
	memset(e, 0, sizeof(*e));
	kmt_jr_str(j, kmt_jr_get(j, 0, "event"), e->name, sizeof(e->name));
	kmt_jr_str(j, kmt_jr_path(j, 0, "data", "action", NULL), e->action, sizeof(e->action));
	kmt_jr_str(j, kmt_jr_path(j, 0, "data", "reason", NULL), e->reason, sizeof(e->reason));
	if (!kmt_jr_u64(j, kmt_jr_path(j, 0, "timestamp", "seconds", NULL), &s) &&
	    !kmt_jr_u64(j, kmt_jr_path(j, 0, "timestamp", "microseconds", NULL), &us) &&
	    us < 1000000)
		e->qemu_time = (double)s + (double)us / 1e6;
	e->got = kmt_now();
	kmt_verbose("QMP event %s%s%s", e->name, *e->action ? " action " : "", e->action);
}

/*
 * The next message into q->line / q->j: 0, 1 when @deadline passes first,
 * KMT_EXIT_QMP when the connection breaks or the message is not a JSON object.
 * Events are queued here.
 */
static int kmt_qmp_next(struct kmt_qmp *q, double deadline)
{
	char why[128], ex[80];

	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		size_t n;
		ssize_t r;
		int p;

		if (nl) {
			n = nl - q->buf;
			memcpy(q->line, q->buf, n);
			q->line[n] = 0;
			q->len -= n + 1;
			memmove(q->buf, nl + 1, q->len);
			if (n && q->line[n - 1] == '\r')
				q->line[--n] = 0;
			if (kmt_jr_parse(&q->j, q->line, n, q->tok, KMT_QMP_MAX_TOK, why,
					 sizeof(why))) {
				kmt_err("QMP socket %s: QEMU sent a message that is not JSON (%s): \"%s\"",
					q->path, why, kmt_qmp_excerpt(q->line, n, ex, sizeof(ex)));
				return KMT_EXIT_QMP;
			}
			if (q->j.t[0].type != KMT_JR_OBJ) {
				kmt_err("QMP socket %s: a message that is not a JSON object: \"%s\"",
					q->path, kmt_qmp_excerpt(q->line, n, ex, sizeof(ex)));
				return KMT_EXIT_QMP;
			}
			if (kmt_jr_get(&q->j, 0, "event") >= 0)
				kmt_qmp_event_in(q);
			return 0;
		}
		if (q->len >= KMT_QMP_MAX_MSG) {
			kmt_err("QMP socket %s: a message longer than %u bytes: \"%s\" (is it QEMU?)",
				q->path, KMT_QMP_MAX_MSG, kmt_qmp_excerpt(q->buf, 40, ex, sizeof(ex)));
			return KMT_EXIT_QMP;
		}
		if (q->fd < 0)
			return 1;
		p = poll(&pfd, 1, kmt_qmp_left(deadline));
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0) {
			kmt_err("QMP socket %s: poll: %s", q->path, strerror(errno));
			return KMT_EXIT_QMP;
		}
		if (!p)
			return 1;
		r = read(q->fd, q->buf + q->len, KMT_QMP_MAX_MSG - q->len);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			kmt_err("QMP socket %s: %s", q->path, strerror(errno));
			return KMT_EXIT_QMP;
		}
		if (!r) {
			kmt_err("QMP socket %s: QEMU closed the connection%s", q->path,
				q->len ? " in the middle of a message" : "");
			return KMT_EXIT_QMP;
		}
		q->len += r;
	}
}

int kmt_qmp_feed(struct kmt_qmp *q, const char *buf, size_t len)
{
	int ret;

	if (len > KMT_QMP_MAX_MSG - q->len)
		len = KMT_QMP_MAX_MSG - q->len;
	memcpy(q->buf + q->len, buf, len);
	q->len += len;
	while (!(ret = kmt_qmp_next(q, 0)))
		;
	return ret == 1 ? 0 : ret;
}

static int kmt_qmp_send(struct kmt_qmp *q, const char *text, double deadline)
{
	size_t off = 0, n = strlen(text);

	while (off < n) {
		struct pollfd pfd = { .fd = q->fd, .events = POLLOUT };
		ssize_t w;
		int p = poll(&pfd, 1, kmt_qmp_left(deadline));

		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0) {
			kmt_err("QMP socket %s: %s", q->path,
				p ? strerror(errno) : "QEMU does not read its socket (timed out)");
			return KMT_EXIT_QMP;
		}
		w = send(q->fd, text + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w < 0) {
			kmt_err("QMP socket %s: %s", q->path, strerror(errno));
			return KMT_EXIT_QMP;
		}
		off += w;
	}
	return 0;
}

int kmt_qmp_cmd(struct kmt_qmp *q, const char *cmd, const char *args, int timeout_ms,
		bool quiet_refusal, int *ret_tok)
{
	double deadline = kmt_now() + timeout_ms / 1000.0;
	char *text = kmt_malloc(strlen(cmd) + (args ? strlen(args) : 0) + 80);
	uint64_t id = ++q->id, got;
	int ret, r;

	sprintf(text, "{\"execute\": \"%s\"%s%s, \"id\": %" PRIu64 "}\n", cmd,
		args ? ", \"arguments\": " : "", args ? args : "", id);
	kmt_verbose("QMP -> %s", cmd);
	ret = kmt_qmp_send(q, text, deadline);
	free(text);
	q->error[0] = q->error_class[0] = 0;
	while (!ret) {
		ret = kmt_qmp_next(q, deadline);
		if (ret == 1) {
			kmt_err("QMP socket %s: no answer to %s within %.1f s", q->path, cmd,
				timeout_ms / 1000.0);
			return KMT_EXIT_QMP;
		}
		if (ret)
			return ret;
		/* events, the greeting and answers to earlier commands that timed out */
		if (kmt_jr_u64(&q->j, kmt_jr_get(&q->j, 0, "id"), &got) || got != id)
			continue;
		r = kmt_jr_get(&q->j, 0, "return");
		if (r >= 0) {
			*ret_tok = r;
			return 0;
		}
		r = kmt_jr_get(&q->j, 0, "error");
		if (r < 0) {
			kmt_err("QMP socket %s: the answer to %s has neither \"return\" nor \"error\"",
				q->path, cmd);
			return KMT_EXIT_QMP;
		}
		if (!kmt_jr_str(&q->j, kmt_jr_get(&q->j, r, "desc"), q->error, sizeof(q->error)))
			snprintf(q->error, sizeof(q->error), "(no description)");
		kmt_jr_str(&q->j, kmt_jr_get(&q->j, r, "class"), q->error_class,
			   sizeof(q->error_class));
		if (!quiet_refusal)
			kmt_err("QEMU refused %s: %s", cmd, q->error);
		return KMT_EXIT_QMP;
	}
	return ret;
}

int kmt_qmp_wait_event(struct kmt_qmp *q, const char *const *names, int timeout_ms,
		       struct kmt_qmp_event *ev)
{
	double deadline = timeout_ms < 0 ? -1 : kmt_now() + timeout_ms / 1000.0;
	int ret;

	for (;;) {
		while (q->nev) {
			const char *const *n;
			bool want = false;

			*ev = q->evq[0];
			memmove(q->evq, q->evq + 1, sizeof(q->evq[0]) * --q->nev);
			for (n = names; *n; n++)
				want |= !strcmp(*n, ev->name);
			if (want)
				return 0;
		}
		ret = kmt_qmp_next(q, deadline);
		if (ret)
			return ret;
	}
}

void kmt_qmp_drop_events(struct kmt_qmp *q)
{
	q->nev = 0;
}

static int kmt_qmp_open(struct kmt_qmp *q, const char *path, double deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path)) {
		kmt_err("QMP socket %s: the path is longer than %zu bytes (a unix socket's limit)",
			path, sizeof(sa.sun_path) - 1);
		return KMT_EXIT_USAGE;
	}
	strcpy(sa.sun_path, path);
	for (;;) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (q->fd < 0) {
			kmt_err("socket: %s", strerror(errno));
			return KMT_EXIT_QMP;
		}
		if (!connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)))
			return 0;
		if (errno == EINPROGRESS)
			return 0;	/* the greeting's wait covers it */
		close(q->fd);
		q->fd = -1;
		if ((errno != ENOENT && errno != ECONNREFUSED && errno != EAGAIN) ||
		    kmt_now() >= deadline) {
			kmt_err("Can't connect to the QMP socket %s. %s (QEMU needs -qmp unix:%s,server=on,wait=off)",
				path, strerror(errno), path);
			return KMT_EXIT_QMP;
		}
		usleep(20000);
	}
}

int kmt_qmp_connect(struct kmt_qmp *q, const char *path, int timeout_ms)
{
	double deadline = kmt_now() + timeout_ms / 1000.0;
	uint64_t maj = 0, min = 0, mic = 0;
	int ret, r;

	kmt_qmp_init_buffers(q);
	q->path = path;
	ret = kmt_qmp_open(q, path, deadline);
	if (ret)
		return ret;
	ret = kmt_qmp_next(q, deadline);
	if (ret == 1) {
		kmt_err("QMP socket %s: no greeting within %.1f s; another client may hold it (QEMU serves one client per -qmp socket: give collect one of its own)",
			path, timeout_ms / 1000.0);
		return KMT_EXIT_QMP;
	}
	if (ret)
		return ret;
	r = kmt_jr_get(&q->j, 0, "QMP");
	if (r < 0) {
		kmt_err("QMP socket %s: the first message is not a QMP greeting (is it a QMP socket? -qmp, not -monitor)",
			path);
		return KMT_EXIT_QMP;
	}
	r = kmt_jr_path(&q->j, r, "version", "qemu", NULL);
	if (!kmt_jr_u64(&q->j, kmt_jr_get(&q->j, r, "major"), &maj) &&
	    !kmt_jr_u64(&q->j, kmt_jr_get(&q->j, r, "minor"), &min) &&
	    !kmt_jr_u64(&q->j, kmt_jr_get(&q->j, r, "micro"), &mic))
		snprintf(q->version, sizeof(q->version), "%" PRIu64 ".%" PRIu64 ".%" PRIu64,
			 maj % 1000, min % 1000, mic % 1000);
	else
		snprintf(q->version, sizeof(q->version), "(unknown version)");
	return kmt_qmp_cmd(q, "qmp_capabilities", NULL, timeout_ms, false, &r);
}
