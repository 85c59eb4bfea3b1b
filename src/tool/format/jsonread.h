/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict, bounded JSON reader for what QEMU's QMP sends (one message per
 * line). The text is validated whole and cut into tokens in document order
 * (jsmn-like, no allocation: the caller gives the token array); every token
 * knows where its subtree ends, so lookups never rescan. Nesting is limited
 * to KMT_JR_MAX_DEPTH and the token count to the array's size: a hostile or
 * garbled peer costs O(message) time and no memory beyond the caller's.
 */
#ifndef _KMT_JSONREAD_H
#define _KMT_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMT_JR_MAX_DEPTH	32

enum kmt_jr_type { KMT_JR_NULL, KMT_JR_FALSE, KMT_JR_TRUE, KMT_JR_NUM, KMT_JR_STR,
		   KMT_JR_ARR, KMT_JR_OBJ };

struct kmt_jr_tok {
	uint32_t type;
	uint32_t start, end;	/* bytes of the value (a string: inside the quotes) */
	uint32_t next;		/* index of the first token after this subtree */
};

struct kmt_jr {
	const char *text;
	size_t len;
	struct kmt_jr_tok *t;
	uint32_t n, cap;
};

/*
 * Parses @len bytes at @text (one value, white space around it allowed) into
 * @cap tokens at @t. 0, or -1 with the reason and its byte offset in @why.
 */
int kmt_jr_parse(struct kmt_jr *j, const char *text, size_t len, struct kmt_jr_tok *t,
		 uint32_t cap, char *why, size_t whylen);
/* The value of member @key of object token @obj; -1 if @obj is not an object or lacks it. */
int kmt_jr_get(const struct kmt_jr *j, int obj, const char *key);
/* The same along a path of keys, e.g. kmt_jr_path(j, 0, "return", "status", NULL). */
int kmt_jr_path(const struct kmt_jr *j, int tok, ...);
/* Number of elements of an array (members of an object); -1 for a scalar. */
int kmt_jr_count(const struct kmt_jr *j, int tok);
/* The @i-th element of array @arr (O(i) hops), -1 past the end. */
int kmt_jr_elem(const struct kmt_jr *j, int arr, int i);
/* A string token equal to @s (after unescaping)? */
bool kmt_jr_str_is(const struct kmt_jr *j, int tok, const char *s);
/*
 * A string token unescaped into @buf (always terminated; truncated to fit;
 * control and non-ASCII characters as '?', so the result is safe to print).
 * Returns false if @tok is not a string.
 */
bool kmt_jr_str(const struct kmt_jr *j, int tok, char *buf, size_t size);
/* true/false token: 0 and *v set; -1 otherwise. */
int kmt_jr_bool(const struct kmt_jr *j, int tok, bool *v);
/* A non-negative integer number that fits in 64 bits: 0 and *v set; -1 otherwise. */
int kmt_jr_u64(const struct kmt_jr *j, int tok, uint64_t *v);

#endif /* _KMT_JSONREAD_H */
