// SPDX-License-Identifier: GPL-2.0
/* System.map and /proc/kallsyms: "<hex address> <type> <name>[\t[module]]" lines. */
#include <stdlib.h>
#include <string.h>
#include "format/symtab.h"
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_SYM_NAME_MAX	511	/* KSYM_NAME_LEN - 1 on Linux 6.1+ */

static bool kmt_hex(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (!n || n > 16)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		x = x << 4 | d;
	}
	*v = x;
	return true;
}

static size_t kmt_field(char **p, char *end)
{
	char *s = *p;

	while (s < end && *s != ' ' && *s != '\t')
		s++;
	return s - *p;
}

static void kmt_skip_blanks(char **p, char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

/* Parses one line in place (NUL-terminates the name). 0, 1 for a blank line, -1 malformed. */
static int kmt_symtab_line(struct kmt_symtab *t, char *p, char *end)
{
	struct kmt_sym s = { 0 };
	size_t n;

	kmt_skip_blanks(&p, end);
	if (p == end)
		return 1;
	n = kmt_field(&p, end);
	if (!kmt_hex(p, n, &s.addr))
		return -1;
	p += n;
	kmt_skip_blanks(&p, end);
	if (kmt_field(&p, end) != 1)
		return -1;
	s.type = *p++;
	kmt_skip_blanks(&p, end);
	n = kmt_field(&p, end);
	if (!n || n > KMT_SYM_NAME_MAX)
		return -1;
	s.name = p;
	p += n;
	kmt_skip_blanks(&p, end);
	if (p < end) {
		if (*p != '[' || end[-1] != ']')
			return -1;
		s.module = true;
	}
	s.name[n] = 0;	/* the byte after the name is a blank or the line's end */
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->s = kmt_realloc(t->s, t->cap * sizeof(*t->s));
	}
	t->s[t->n++] = s;
	return 0;
}

int kmt_symtab_parse(struct kmt_symtab *t, const char *text, size_t len, const char *name)
{
	char *p, *end;
	size_t line = 0;

	memset(t, 0, sizeof(*t));
	t->text = kmt_malloc(len + 1);
	memcpy(t->text, text, len);
	t->text[len] = 0;
	for (p = t->text, end = t->text + len; p < end; ) {
		char *nl = memchr(p, '\n', end - p), *eol = nl ? nl : end;

		line++;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (memchr(p, 0, eol - p) || kmt_symtab_line(t, p, eol) < 0) {
			kmt_err("%s:%zu: expected '<hex address> <type> <name>' (is this a System.map or /proc/kallsyms?)",
				name, line);
			kmt_symtab_free(t);
			return KMT_EXIT_FORMAT;
		}
		p = nl ? nl + 1 : end;
	}
	if (!t->n) {
		kmt_err("%s has no symbols", name);
		kmt_symtab_free(t);
		return KMT_EXIT_FORMAT;
	}
	return 0;
}

int kmt_symtab_load(struct kmt_symtab *t, const char *path)
{
	struct kmt_file f;
	int ret = kmt_file_map(&f, path);

	if (ret) {
		memset(t, 0, sizeof(*t));
		kmt_file_unmap(&f);
		return ret;
	}
	ret = kmt_symtab_parse(t, (const char *)f.data, f.size, path);
	kmt_file_unmap(&f);
	return ret;
}

void kmt_symtab_free(struct kmt_symtab *t)
{
	free(t->s);
	free(t->text);
	memset(t, 0, sizeof(*t));
}

static int kmt_sym_addr_cmp(const void *a, const void *b)
{
	const struct kmt_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

void kmt_symtab_sort_addr(struct kmt_symtab *t)
{
	if (t->n > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(t->s, t->n, sizeof(*t->s), kmt_sym_addr_cmp);
}

/* The first symbol above @addr (sorted table): t->n if none. */
static size_t kmt_symtab_upper(const struct kmt_symtab *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->s[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Binary searches only: a table of a million aliases of one address costs log n a lookup. */
const struct kmt_sym *kmt_symtab_lookup(const struct kmt_symtab *t, uint64_t addr)
{
	size_t i = kmt_symtab_upper(t, addr), lo = 0, hi;
	uint64_t a;

	if (!i)
		return NULL;
	/* among symbols at one address, the first one sorted by name */
	a = t->s[i - 1].addr;
	for (hi = i - 1; lo < hi; ) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->s[mid].addr < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return &t->s[lo];
}

uint64_t kmt_symtab_gap(const struct kmt_symtab *t, const struct kmt_sym *s)
{
	size_t i = kmt_symtab_upper(t, s->addr);

	return i < t->n ? t->s[i].addr - s->addr : 0;
}

/* The text ranges kallsyms covers even without CONFIG_KALLSYMS_ALL. */
void kmt_symtab_text_ranges(const struct kmt_symtab *t, struct kmt_text_ranges *r)
{
	static const char *const marks[4] = { "_stext", "_etext", "_sinittext", "_einittext" };
	uint64_t *v[4] = { &r->lo[0], &r->hi[0], &r->lo[1], &r->hi[1] };
	size_t i, m;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < t->n; i++)
		for (m = 0; m < 4; m++)
			if (!t->s[i].module && !strcmp(t->s[i].name, marks[m]))
				*v[m] = t->s[i].addr;
}

/*
 * What a kernel without CONFIG_KALLSYMS_ALL cannot resolve itself: every
 * symbol outside the text ranges (data, and linker-script symbols typed T
 * such as arm64's swapper_pg_dir), plus init_task, the module's KASLR anchor.
 */
bool kmt_sym_kallsyms_lacks(const struct kmt_text_ranges *r, const struct kmt_sym *s)
{
	size_t i;

	if (!strcmp(s->name, "init_task"))
		return true;
	for (i = 0; i < 2; i++)
		if (s->addr >= r->lo[i] && s->addr < r->hi[i])
			return false;
	return true;
}
