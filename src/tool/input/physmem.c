// SPDX-License-Identifier: GPL-2.0
/*
 * The physical memory map: ranges of the sources sorted by address, lookups
 * and reads that may cross from one range to the next.
 */
#include <stdlib.h>
#include <string.h>
#include "input/physmem.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

int kmt_phys_add_mem(struct kmt_phys *m, uint64_t pa, const uint8_t *data, uint64_t len,
		     const char *name)
{
	struct kmt_range *r;

	if (!len)
		return 0;
	if (pa + len < pa) {
		kmt_err("%s: 0x%llx bytes at pa 0x%llx wrap around the address space", name,
			(unsigned long long)len, (unsigned long long)pa);
		return KMT_EXIT_FORMAT;
	}
	m->r = kmt_realloc(m->r, (m->n + 1) * sizeof(*m->r));
	r = &m->r[m->n++];
	r->pa = pa;
	r->len = len;
	r->data = data;
	r->origin = name;
	return 0;
}

struct kmt_file *kmt_phys_new_file(struct kmt_phys *m)
{
	m->files = kmt_realloc(m->files, (m->nfiles + 1) * sizeof(*m->files));
	return &m->files[m->nfiles++];
}
static int kmt_range_cmp(const void *a, const void *b)
{
	const struct kmt_range *x = a, *y = b;

	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

int kmt_phys_finish(struct kmt_phys *m)
{
	size_t i;

	if (!m->n) {
		kmt_err("no memory to read: give --ram FILE@PHYSBASE or --dump FILE");
		return KMT_EXIT_USAGE;
	}
	qsort(m->r, m->n, sizeof(*m->r), kmt_range_cmp);
	for (i = 1; i < m->n; i++) {
		const struct kmt_range *a = &m->r[i - 1], *b = &m->r[i];

		if (b->pa < a->pa + a->len) {
			kmt_err("%s and %s overlap at pa 0x%llx", a->origin, b->origin,
				(unsigned long long)b->pa);
			return a->origin == b->origin ? KMT_EXIT_FORMAT : KMT_EXIT_USAGE;
		}
	}
	return 0;
}

void kmt_phys_free(struct kmt_phys *m)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		kmt_file_unmap(&m->files[i]);
	free(m->files);
	free(m->r);
	memset(m, 0, sizeof(*m));
}

/* The range holding @pa, or NULL. */
static const struct kmt_range *kmt_phys_find(const struct kmt_phys *m, uint64_t pa)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {		/* first range starting above pa */
		size_t mid = lo + (hi - lo) / 2;

		if (m->r[mid].pa <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	if (pa - m->r[lo - 1].pa < m->r[lo - 1].len)
		return &m->r[lo - 1];
	return NULL;
}

int kmt_phys_walk(const struct kmt_phys *m, uint64_t pa, uint64_t len,
		  int (*fn)(const uint8_t *p, size_t n, void *arg), void *arg)
{
	while (len) {
		const struct kmt_range *r = kmt_phys_find(m, pa);
		uint64_t off, n;

		if (!r)
			return -1;
		off = pa - r->pa;
		n = r->len - off < len ? r->len - off : len;
		if (n > SIZE_MAX)
			n = SIZE_MAX;
		if (fn && fn(r->data + off, n, arg))
			return -2;
		pa += n;
		len -= n;
	}
	return 0;
}

bool kmt_phys_covers(const struct kmt_phys *m, uint64_t pa, uint64_t len)
{
	if (pa + len < pa)
		return false;
	return !kmt_phys_walk(m, pa, len, NULL, NULL);
}

static int kmt_copy_out(const uint8_t *p, size_t n, void *arg)
{
	uint8_t **dst = arg;

	memcpy(*dst, p, n);
	*dst += n;
	return 0;
}

int kmt_phys_read(const struct kmt_phys *m, uint64_t pa, void *buf, uint64_t len)
{
	uint8_t *dst = buf;

	if (!kmt_phys_covers(m, pa, len))
		return -1;
	return kmt_phys_walk(m, pa, len, kmt_copy_out, &dst);
}

uint64_t kmt_phys_total(const struct kmt_phys *m)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < m->n; i++)
		t += m->r[i].len;
	return t;
}
