/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small QMP client (QEMU Machine Protocol) on a unix socket, for
 * `kminidump collect`: the greeting and qmp_capabilities, commands with an id
 * and a timeout, and events queued while a command waits. QEMU, or whatever
 * listens on the socket, is not trusted: a message is at most KMT_QMP_MAX_MSG
 * bytes and KMT_QMP_MAX_TOK JSON values, every wait has a deadline, and a
 * garbled or unexpected reply is a clear error (KMT_EXIT_QMP), never a crash
 * or a hang.
 */
#ifndef _KMT_QMP_H
#define _KMT_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/jsonread.h"

#define KMT_QMP_MAX_MSG		(1U << 20)	/* bytes of one message (one line) */
#define KMT_QMP_MAX_TOK		65536		/* JSON values in one message */
#define KMT_QMP_EVQ		32		/* events kept while a command waits */

struct kmt_qmp_event {
	char name[48];		/* "GUEST_PANICKED", "RESET", "SHUTDOWN", "STOP", ... */
	char action[24];	/* data.action of GUEST_PANICKED ("pause", "poweroff", "run") */
	char reason[32];	/* data.reason of SHUTDOWN/RESET ("guest-panic", "host-qmp-quit") */
	double qemu_time;	/* the event's timestamp (QEMU's wall clock), 0 if none */
	double got;		/* kmt_now() when it was read */
};

struct kmt_qmp {
	int fd;
	const char *path;
	char *buf;		/* bytes received, not yet a whole line */
	size_t len;
	char *line;		/* the current message (NUL-terminated copy) */
	struct kmt_jr_tok *tok;
	struct kmt_jr j;	/* the current message, parsed */
	uint64_t id;
	struct kmt_qmp_event evq[KMT_QMP_EVQ];
	unsigned int nev, dropped;
	char version[32];	/* "7.2.22" from the greeting */
	char error[256];	/* QEMU's error text of the last refused command */
	char error_class[48];
};

/* Connects, reads the greeting, negotiates; KMT_EXIT_QMP with a message if it fails. */
int kmt_qmp_connect(struct kmt_qmp *q, const char *path, int timeout_ms);
void kmt_qmp_close(struct kmt_qmp *q);
/*
 * Runs @cmd with the JSON object text @args (or NULL) and waits up to
 * @timeout_ms for its answer; on success the token index of its "return"
 * value in q->j (valid until the next call). QEMU refusing the command:
 * KMT_EXIT_QMP, QEMU's text in q->error (printed unless @quiet_refusal).
 */
int kmt_qmp_cmd(struct kmt_qmp *q, const char *cmd, const char *args, int timeout_ms,
		bool quiet_refusal, int *ret_tok);
/*
 * Waits up to @timeout_ms (negative: for ever) for an event whose name is in
 * the NULL-terminated @names (queued ones first; others are dropped).
 * 0 and *ev; 1 on timeout; KMT_EXIT_QMP when the connection fails.
 */
int kmt_qmp_wait_event(struct kmt_qmp *q, const char *const *names, int timeout_ms,
		       struct kmt_qmp_event *ev);
/* Forgets the queued events (those from before a collection's --then are stale). */
void kmt_qmp_drop_events(struct kmt_qmp *q);
/* Reads one message from @buf of @len bytes as QMP would (the fuzz target's entry). */
int kmt_qmp_feed(struct kmt_qmp *q, const char *buf, size_t len);
/* Allocates what kmt_qmp_feed needs without a socket (fuzzing). */
void kmt_qmp_init_buffers(struct kmt_qmp *q);

#endif /* _KMT_QMP_H */
