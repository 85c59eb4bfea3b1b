// SPDX-License-Identifier: GPL-2.0
/* The JSON writer of output/json.h. */
#include <inttypes.h>
#include <string.h>
#include "output/json.h"

void kmt_json_init(struct kmt_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->more[0] = false;
}

void kmt_json_finish(struct kmt_json *j)
{
	fputc('\n', j->out);
}

static void kmt_json_escaped(FILE *out, const char *s, size_t n)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c > 0x7e)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* Separator, newline and indentation before a value, then its key. */
static void kmt_json_key(struct kmt_json *j, const char *key)
{
	if (j->depth > 0) {
		fputs(j->more[j->depth] ? ",\n" : "\n", j->out);
		fprintf(j->out, "%*s", 2 * j->depth, "");
	}
	j->more[j->depth] = true;
	if (key) {
		kmt_json_escaped(j->out, key, strlen(key));
		fputs(": ", j->out);
	}
}

static void kmt_json_open(struct kmt_json *j, const char *key, char c)
{
	kmt_json_key(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < KMT_JSON_MAX_DEPTH)
		j->depth++;
	j->more[j->depth] = false;
}

void kmt_json_object(struct kmt_json *j, const char *key)
{
	kmt_json_open(j, key, '{');
}

void kmt_json_array(struct kmt_json *j, const char *key)
{
	kmt_json_open(j, key, '[');
}

void kmt_json_end(struct kmt_json *j, char close)
{
	bool had = j->more[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had)
		fprintf(j->out, "\n%*s", 2 * j->depth, "");
	fputc(close, j->out);
}

void kmt_json_strn(struct kmt_json *j, const char *key, const char *s, size_t n)
{
	kmt_json_key(j, key);
	kmt_json_escaped(j->out, s, n);
}

void kmt_json_str(struct kmt_json *j, const char *key, const char *s)
{
	kmt_json_strn(j, key, s, strlen(s));
}

void kmt_json_u64(struct kmt_json *j, const char *key, uint64_t v)
{
	kmt_json_key(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void kmt_json_i64(struct kmt_json *j, const char *key, int64_t v)
{
	kmt_json_key(j, key);
	fprintf(j->out, "%" PRId64, v);
}

void kmt_json_hex(struct kmt_json *j, const char *key, uint64_t v)
{
	kmt_json_key(j, key);
	fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void kmt_json_bool(struct kmt_json *j, const char *key, bool v)
{
	kmt_json_key(j, key);
	fputs(v ? "true" : "false", j->out);
}

void kmt_json_null(struct kmt_json *j, const char *key)
{
	kmt_json_key(j, key);
	fputs("null", j->out);
}
