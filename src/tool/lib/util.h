/* SPDX-License-Identifier: GPL-2.0 */
/* Allocation (exits with KMT_EXIT_FAILURE when memory runs out), numbers, time. */
#ifndef _KMT_UTIL_H
#define _KMT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef KMT_VERSION
#define KMT_VERSION "unknown"
#endif

void *kmt_malloc(size_t n);
void *kmt_calloc(size_t n, size_t size);
void *kmt_realloc(void *p, size_t n);
char *kmt_strdup(const char *s);

int kmt_parse_u64(const char *s, uint64_t *v);	/* hex (0x) or decimal, whole string */
double kmt_now(void);
/* "0xSTART..0xEND", or "0xSTART + 0xLEN" when the end is past 2^64; returns @buf. */
const char *kmt_range_str(char *buf, size_t len, uint64_t start, uint64_t size);

#endif /* _KMT_UTIL_H */
