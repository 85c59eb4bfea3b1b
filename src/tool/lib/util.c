// SPDX-License-Identifier: GPL-2.0
/* Memory that never comes back NULL, number parsing, time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

static void kmt_oom(size_t n)
{
	kmt_err("Can't allocate %zu bytes of memory. %s", n, strerror(ENOMEM));
	exit(KMT_EXIT_FAILURE);
}

void *kmt_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		kmt_oom(n);
	return p;
}

void *kmt_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		kmt_oom(n * size);
	return p;
}

void *kmt_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		kmt_oom(n);
	return q;
}

char *kmt_strdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(kmt_malloc(n), s, n);
}

int kmt_parse_u64(const char *s, uint64_t *v)
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

double kmt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *kmt_range_str(char *buf, size_t len, uint64_t start, uint64_t size)
{
	if (start + size < start)
		snprintf(buf, len, "0x%llx + 0x%llx (past the end of the address space)",
			 (unsigned long long)start, (unsigned long long)size);
	else
		snprintf(buf, len, "0x%llx..0x%llx", (unsigned long long)start,
			 (unsigned long long)(start + size));
	return buf;
}
