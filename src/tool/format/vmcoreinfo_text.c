// SPDX-License-Identifier: GPL-2.0
/*
 * VMCOREINFO text: one KEY=VALUE per line. kminidump's copy is NUL padded to a
 * fixed room, the kernel's need not end with a newline.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "format/vmcoreinfo.h"

void kmt_vmci_init(struct kmt_vmci *v, const void *text, size_t len)
{
	const char *nul = memchr(text, 0, len);

	v->text = text;
	v->len = nul ? (size_t)(nul - (const char *)text) : len;
}

const char *kmt_vmci_get(const struct kmt_vmci *v, const char *key, size_t *vlen)
{
	const char *p = v->text, *end = v->text + v->len;
	size_t klen = strlen(key);

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *eol = nl ? nl : end;

		if ((size_t)(eol - p) > klen && !memcmp(p, key, klen) && p[klen] == '=') {
			if (vlen)
				*vlen = eol - (p + klen + 1);
			return p + klen + 1;
		}
		p = eol + 1;
	}
	return NULL;
}

int kmt_vmci_num(const struct kmt_vmci *v, const char *key, int base, uint64_t *out)
{
	char buf[32];
	size_t n;
	const char *s = kmt_vmci_get(v, key, &n);
	unsigned long long x;
	char *end;
	bool neg = false;

	if (!s || !n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	s = buf;
	if (base == 10 && *s == '-') {	/* NUMBER() values are signed */
		neg = true;
		s++;
	}
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	x = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	*out = neg ? -(uint64_t)x : x;
	return 0;
}

size_t kmt_vmci_lines(const struct kmt_vmci *v)
{
	size_t n = 0, i;

	for (i = 0; i < v->len; i++)
		n += v->text[i] == '\n';
	if (v->len && v->text[v->len - 1] != '\n')
		n++;
	return n;
}
