/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer for `info --json`: nested objects and arrays, two-space
 * indentation, strings escaped so that any byte the guest wrote comes out as
 * valid JSON (control and non-ASCII bytes as \u00XX). 64-bit addresses and
 * register values are written as "0x..." strings: JSON numbers lose precision
 * above 2^53 in most parsers.
 */
#ifndef _KMT_JSON_H
#define _KMT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KMT_JSON_MAX_DEPTH	16

struct kmt_json {
	FILE *out;
	int depth;
	bool more[KMT_JSON_MAX_DEPTH];	/* a value was written at this depth */
};

void kmt_json_init(struct kmt_json *j, FILE *out);
void kmt_json_finish(struct kmt_json *j);	/* the final newline */

/* @key is the member name inside an object, NULL inside an array. */
void kmt_json_object(struct kmt_json *j, const char *key);
void kmt_json_array(struct kmt_json *j, const char *key);
void kmt_json_end(struct kmt_json *j, char close);	/* '}' or ']' */

void kmt_json_str(struct kmt_json *j, const char *key, const char *s);
void kmt_json_strn(struct kmt_json *j, const char *key, const char *s, size_t n);
void kmt_json_u64(struct kmt_json *j, const char *key, uint64_t v);
void kmt_json_i64(struct kmt_json *j, const char *key, int64_t v);
void kmt_json_hex(struct kmt_json *j, const char *key, uint64_t v);
void kmt_json_bool(struct kmt_json *j, const char *key, bool v);
void kmt_json_null(struct kmt_json *j, const char *key);

#endif /* _KMT_JSON_H */
