// SPDX-License-Identifier: GPL-2.0
/* The strict JSON reader of format/jsonread.h (RFC 8259 grammar). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "format/jsonread.h"

struct kmt_jr_p {
	struct kmt_jr *j;
	size_t pos;
	char *why;
	size_t whylen;
};

static int kmt_jr_fail(struct kmt_jr_p *p, const char *what)
{
	snprintf(p->why, p->whylen, "%s at byte %zu", what, p->pos);
	return -1;
}

static void kmt_jr_ws(struct kmt_jr_p *p)
{
	const char *s = p->j->text;

	while (p->pos < p->j->len &&
	       (s[p->pos] == ' ' || s[p->pos] == '\t' || s[p->pos] == '\n' || s[p->pos] == '\r'))
		p->pos++;
}

static int kmt_jr_new(struct kmt_jr_p *p, uint32_t type)
{
	struct kmt_jr *j = p->j;

	if (j->n >= j->cap)
		return kmt_jr_fail(p, "too many values"), -1;
	j->t[j->n].type = type;
	j->t[j->n].start = j->t[j->n].end = (uint32_t)p->pos;
	j->t[j->n].next = j->n + 1;
	return (int)j->n++;
}

static int kmt_jr_hex4(const char *s)
{
	int i, v = 0;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static int kmt_jr_string(struct kmt_jr_p *p)
{
	const char *s = p->j->text;
	size_t len = p->j->len;
	int t;

	p->pos++;	/* the opening quote */
	t = kmt_jr_new(p, KMT_JR_STR);
	if (t < 0)
		return -1;
	while (p->pos < len && s[p->pos] != '"') {
		unsigned char c = s[p->pos];

		if (c < 0x20)
			return kmt_jr_fail(p, "a control character in a string");
		if (c == '\\') {
			if (p->pos + 1 >= len)
				break;
			c = s[p->pos + 1];
			if (c == 'u') {
				if (len - p->pos < 6 || kmt_jr_hex4(s + p->pos + 2) < 0)
					return kmt_jr_fail(p, "a bad \\u escape");
				p->pos += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", c))
				return kmt_jr_fail(p, "a bad escape");
			p->pos += 2;
			continue;
		}
		p->pos++;
	}
	if (p->pos >= len)
		return kmt_jr_fail(p, "an unterminated string");
	p->j->t[t].end = (uint32_t)p->pos;
	p->pos++;
	return t;
}

static int kmt_jr_number(struct kmt_jr_p *p)
{
	const char *s = p->j->text;
	size_t len = p->j->len, d;
	int t = kmt_jr_new(p, KMT_JR_NUM);

	if (t < 0)
		return -1;
	if (s[p->pos] == '-')
		p->pos++;
	if (p->pos < len && s[p->pos] == '0') {
		p->pos++;
	} else {
		for (d = p->pos; p->pos < len && s[p->pos] >= '0' && s[p->pos] <= '9'; p->pos++)
			;
		if (p->pos == d)
			return kmt_jr_fail(p, "a bad number");
	}
	if (p->pos < len && s[p->pos] == '.') {
		for (d = ++p->pos; p->pos < len && s[p->pos] >= '0' && s[p->pos] <= '9'; p->pos++)
			;
		if (p->pos == d)
			return kmt_jr_fail(p, "a bad fraction");
	}
	if (p->pos < len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
		p->pos++;
		if (p->pos < len && (s[p->pos] == '+' || s[p->pos] == '-'))
			p->pos++;
		for (d = p->pos; p->pos < len && s[p->pos] >= '0' && s[p->pos] <= '9'; p->pos++)
			;
		if (p->pos == d)
			return kmt_jr_fail(p, "a bad exponent");
	}
	p->j->t[t].end = (uint32_t)p->pos;
	return t;
}

static int kmt_jr_word(struct kmt_jr_p *p, const char *w, uint32_t type)
{
	size_t n = strlen(w);
	int t;

	if (p->j->len - p->pos < n || memcmp(p->j->text + p->pos, w, n))
		return kmt_jr_fail(p, "an unexpected character");
	t = kmt_jr_new(p, type);
	if (t < 0)
		return -1;
	p->pos += n;
	p->j->t[t].end = (uint32_t)p->pos;
	return t;
}

static int kmt_jr_value(struct kmt_jr_p *p, int depth);

static int kmt_jr_container(struct kmt_jr_p *p, int depth, bool obj)
{
	char close = obj ? '}' : ']';
	int t, first = 1;

	if (depth >= KMT_JR_MAX_DEPTH)
		return kmt_jr_fail(p, "nested too deep");
	t = kmt_jr_new(p, obj ? KMT_JR_OBJ : KMT_JR_ARR);
	if (t < 0)
		return -1;
	p->pos++;
	for (;;) {
		kmt_jr_ws(p);
		if (p->pos >= p->j->len)
			return kmt_jr_fail(p, "the message ends inside a value");
		if (p->j->text[p->pos] == close && first)
			break;
		if (!first) {
			if (p->j->text[p->pos] == close)
				break;
			if (p->j->text[p->pos] != ',')
				return kmt_jr_fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
			p->pos++;
			kmt_jr_ws(p);
		}
		first = 0;
		if (obj) {
			if (p->pos >= p->j->len || p->j->text[p->pos] != '"')
				return kmt_jr_fail(p, "expected a member name");
			if (kmt_jr_string(p) < 0)
				return -1;
			kmt_jr_ws(p);
			if (p->pos >= p->j->len || p->j->text[p->pos] != ':')
				return kmt_jr_fail(p, "expected ':'");
			p->pos++;
		}
		if (kmt_jr_value(p, depth + 1) < 0)
			return -1;
	}
	p->pos++;
	p->j->t[t].end = (uint32_t)p->pos;
	p->j->t[t].next = p->j->n;
	return t;
}

static int kmt_jr_value(struct kmt_jr_p *p, int depth)
{
	char c;

	kmt_jr_ws(p);
	if (p->pos >= p->j->len)
		return kmt_jr_fail(p, "expected a value");
	c = p->j->text[p->pos];
	switch (c) {
	case '{':
		return kmt_jr_container(p, depth, true);
	case '[':
		return kmt_jr_container(p, depth, false);
	case '"':
		return kmt_jr_string(p);
	case 't':
		return kmt_jr_word(p, "true", KMT_JR_TRUE);
	case 'f':
		return kmt_jr_word(p, "false", KMT_JR_FALSE);
	case 'n':
		return kmt_jr_word(p, "null", KMT_JR_NULL);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return kmt_jr_number(p);
		return kmt_jr_fail(p, "an unexpected character");
	}
}

int kmt_jr_parse(struct kmt_jr *j, const char *text, size_t len, struct kmt_jr_tok *t,
		 uint32_t cap, char *why, size_t whylen)
{
	struct kmt_jr_p p = { .j = j, .pos = 0, .why = why, .whylen = whylen };

	j->text = text;
	j->len = len;
	j->t = t;
	j->n = 0;
	j->cap = cap;
	if (len > UINT32_MAX - 1)
		return kmt_jr_fail(&p, "a message over 4 GiB");
	if (kmt_jr_value(&p, 0) < 0) {
		j->n = 0;
		return -1;
	}
	kmt_jr_ws(&p);
	if (p.pos != len) {
		j->n = 0;
		return kmt_jr_fail(&p, "more after the value");
	}
	return 0;
}

/* Decodes the string token @tok into @buf (or only compares with @cmp when @buf is NULL). */
static bool kmt_jr_unescape(const struct kmt_jr *j, int tok, char *buf, size_t size,
			    const char *cmp)
{
	const struct kmt_jr_tok *t;
	size_t i, o = 0;

	if (tok < 0 || (uint32_t)tok >= j->n || j->t[tok].type != KMT_JR_STR)
		return false;
	t = &j->t[tok];
	for (i = t->start; i < t->end;) {
		unsigned char c = j->text[i];
		int u = -1;

		if (c == '\\') {
			c = j->text[i + 1];
			if (c == 'u') {
				u = kmt_jr_hex4(j->text + i + 2);
				c = u >= 0x20 && u < 0x7f ? (unsigned char)u : '?';
				i += 6;
			} else {
				c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' :
				    c == 'b' ? '\b' : c == 'f' ? '\f' : c;
				i += 2;
			}
		} else {
			i++;
		}
		if (cmp) {
			/* a \u escape outside ASCII never equals our ASCII literals */
			if (u >= 0x7f || cmp[o] != (char)c)
				return false;
			o++;
			continue;
		}
		if (c < 0x20 || c > 0x7e)
			c = '?';
		if (o + 1 < size)
			buf[o++] = (char)c;
	}
	if (cmp)
		return cmp[o] == 0;
	if (size)
		buf[o] = 0;
	return true;
}

bool kmt_jr_str_is(const struct kmt_jr *j, int tok, const char *s)
{
	return kmt_jr_unescape(j, tok, NULL, 0, s);
}

bool kmt_jr_str(const struct kmt_jr *j, int tok, char *buf, size_t size)
{
	if (size)
		buf[0] = 0;
	return kmt_jr_unescape(j, tok, buf, size, NULL);
}

int kmt_jr_get(const struct kmt_jr *j, int obj, const char *key)
{
	uint32_t i;

	if (obj < 0 || (uint32_t)obj >= j->n || j->t[obj].type != KMT_JR_OBJ)
		return -1;
	for (i = obj + 1; i < j->t[obj].next; i = j->t[i + 1].next)
		if (kmt_jr_str_is(j, i, key))
			return (int)i + 1;
	return -1;
}

int kmt_jr_path(const struct kmt_jr *j, int tok, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, tok);
	while (tok >= 0 && (key = va_arg(ap, const char *)))
		tok = kmt_jr_get(j, tok, key);
	va_end(ap);
	return tok;
}

int kmt_jr_count(const struct kmt_jr *j, int tok)
{
	uint32_t i;
	int n = 0;

	if (tok < 0 || (uint32_t)tok >= j->n ||
	    (j->t[tok].type != KMT_JR_ARR && j->t[tok].type != KMT_JR_OBJ))
		return -1;
	for (i = tok + 1; i < j->t[tok].next; i = j->t[i].next) {
		if (j->t[tok].type == KMT_JR_OBJ)
			i++;	/* the member's value */
		n++;
	}
	return n;
}

int kmt_jr_elem(const struct kmt_jr *j, int arr, int idx)
{
	uint32_t i;
	int n = 0;

	if (arr < 0 || (uint32_t)arr >= j->n || j->t[arr].type != KMT_JR_ARR || idx < 0)
		return -1;
	for (i = arr + 1; i < j->t[arr].next; i = j->t[i].next, n++)
		if (n == idx)
			return (int)i;
	return -1;
}

int kmt_jr_bool(const struct kmt_jr *j, int tok, bool *v)
{
	if (tok < 0 || (uint32_t)tok >= j->n ||
	    (j->t[tok].type != KMT_JR_TRUE && j->t[tok].type != KMT_JR_FALSE))
		return -1;
	*v = j->t[tok].type == KMT_JR_TRUE;
	return 0;
}

int kmt_jr_u64(const struct kmt_jr *j, int tok, uint64_t *v)
{
	uint64_t x = 0;
	uint32_t i;

	if (tok < 0 || (uint32_t)tok >= j->n || j->t[tok].type != KMT_JR_NUM)
		return -1;
	for (i = j->t[tok].start; i < j->t[tok].end; i++) {
		char c = j->text[i];

		if (c < '0' || c > '9' || x > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(c - '0');
	}
	*v = x;
	return 0;
}
