// SPDX-License-Identifier: GPL-2.0
/*
 * Building a core from a KELF found in RAM: the KELF bytes first, then every
 * row that is VALID with a PT_LOAD of the same physical address, in table
 * order, at recomputed running offsets. Rows that cannot be taken become
 * PT_NULL in the output; the table note is copied as found.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/minicore.h"
#include "lib/bytes.h"
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/util.h"

#define PH_OFF(i)	(64 + (size_t)(i) * 56)

static int kmt_take_cmp(const void *a, const void *b)
{
	const struct kmt_take *x = a, *y = b;

	return x->in_off < y->in_off ? -1 : x->in_off > y->in_off;
}

/* Why row @i is not taken, or NULL if it is. */
static const char *kmt_row_skip(const GElf_Phdr *ph, const struct kmt_rowinfo *r, char *buf,
				size_t len)
{
	if (r->state == KMD_ROW_BUSY)
		return "is BUSY (being written when RAM was read)";
	if (ph->p_type == PT_NULL) {
		snprintf(buf, len, "is %s but its program header is PT_NULL",
			 kmt_row_state_name(r->state));
		return buf;
	}
	if (ph->p_type != PT_LOAD) {
		snprintf(buf, len, "has a program header of type 0x%x", ph->p_type);
		return buf;
	}
	if (r->state != KMD_ROW_VALID) {
		snprintf(buf, len, "has a PT_LOAD but state %s (0x%08x)",
			 kmt_row_state_name(r->state), r->state);
		return buf;
	}
	if (r->pa != ph->p_paddr) {
		snprintf(buf, len, "says pa 0x%llx but its PT_LOAD says 0x%llx (caught mid-update)",
			 (unsigned long long)r->pa, (unsigned long long)ph->p_paddr);
		return buf;
	}
	return NULL;
}

/* Size limits and RAM coverage of a row that is otherwise taken; 1 = skip it. */
static int kmt_take_check(const struct kmt_phys *m, const struct kmt_extract_opts *o,
			  uint32_t i, const struct kmt_rowinfo *r, const GElf_Phdr *ph)
{
	if (ph->p_filesz > KMT_REGION_LIMIT && !o->force) {
		kmt_err("row %u '%s' is 0x%llx bytes, more than the %llu MiB limit for one region (--force to accept)",
			i, r->name, (unsigned long long)ph->p_filesz,
			(unsigned long long)(KMT_REGION_LIMIT >> 20));
		return -KMT_EXIT_LIMIT;
	}
	if (ph->p_offset + ph->p_filesz < ph->p_offset) {
		kmt_err("row %u '%s': offset 0x%llx + size 0x%llx overflows", i, r->name,
			(unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz);
		return -KMT_EXIT_FORMAT;
	}
	if (!kmt_phys_covers(m, ph->p_paddr, ph->p_filesz)) {
		if (!o->force) {
			kmt_err("row %u '%s': pa 0x%llx..0x%llx is outside the RAM sources (--force skips it)",
				i, r->name, (unsigned long long)ph->p_paddr,
				(unsigned long long)(ph->p_paddr + ph->p_filesz));
			return -KMT_EXIT_MISSING;
		}
		kmt_warn("row %u '%s': pa 0x%llx..0x%llx is outside the RAM sources: skipped", i,
			 r->name, (unsigned long long)ph->p_paddr,
			 (unsigned long long)(ph->p_paddr + ph->p_filesz));
		return 1;
	}
	if (ph->p_filesz != r->size)
		kmt_verbose("row %u '%s': PT_LOAD has 0x%llx bytes, the row 0x%llx", i, r->name,
			    (unsigned long long)ph->p_filesz, (unsigned long long)r->size);
	return 0;
}

static int kmt_plan_overlaps(struct kmt_plan *p)
{
	struct kmt_take *t = kmt_malloc(p->n * sizeof(*t));
	uint64_t end = p->k->kelf_size;
	uint32_t prev = 0;
	size_t i;
	int ret = 0;

	memcpy(t, p->take, p->n * sizeof(*t));
	qsort(t, p->n, sizeof(*t), kmt_take_cmp);
	for (i = 0; i < p->n; i++) {
		if (!t[i].size)
			continue;
		if (t[i].in_off < end) {
			if (prev)
				kmt_err("program headers %u and %u overlap in the file (0x%llx < 0x%llx)",
					prev, t[i].i, (unsigned long long)t[i].in_off,
					(unsigned long long)end);
			else
				kmt_err("program header %u at file offset 0x%llx overlaps the 0x%x-byte header",
					t[i].i, (unsigned long long)t[i].in_off, p->k->kelf_size);
			ret = KMT_EXIT_FORMAT;
			break;
		}
		end = t[i].in_off + t[i].size;
		prev = t[i].i;
	}
	free(t);
	return ret;
}

int kmt_extract_plan(const struct kmt_phys *m, const struct kmt_found *f,
		     const struct kmt_extract_opts *o, struct kmt_plan *p)
{
	const struct kmt_kelf *k = &f->k;
	uint64_t out = k->kelf_size;
	char buf[160];
	uint32_t i;
	int ret;

	memset(p, 0, sizeof(*p));
	p->k = k;
	p->take = kmt_calloc(k->capacity, sizeof(*p->take));
	p->hdr = kmt_malloc(k->kelf_size);
	memcpy(p->hdr, f->buf, k->kelf_size);
	for (i = 1; i < k->capacity; i++) {
		struct kmt_rowinfo r;
		const char *why;
		GElf_Phdr ph;

		kmt_kelf_phdr(k, i, &ph);
		kmt_kelf_row(k, i, &r);
		if (ph.p_type == PT_NULL && r.state == KMD_ROW_FREE)
			goto null;
		why = kmt_row_skip(&ph, &r, buf, sizeof(buf));
		if (why) {
			kmt_warn("row %u '%s' %s: skipped", i, r.name, why);
			p->skipped++;
			goto null;
		}
		ret = kmt_take_check(m, o, i, &r, &ph);
		if (ret < 0) {
			kmt_plan_free(p);
			return -ret;
		}
		if (ret) {
			p->skipped++;
			goto null;
		}
		p->take[p->n++] = (struct kmt_take){ .i = i, .pa = ph.p_paddr, .size = ph.p_filesz,
						     .in_off = ph.p_offset, .out_off = out };
		kmt_put_le64(p->hdr + PH_OFF(i) + 8, out);
		out += ph.p_filesz;
		p->bytes += ph.p_filesz;
		if (p->bytes > KMT_TOTAL_LIMIT && !o->force) {
			kmt_err("the regions add up to more than %llu GiB (--force to accept)",
				(unsigned long long)(KMT_TOTAL_LIMIT >> 30));
			kmt_plan_free(p);
			return KMT_EXIT_LIMIT;
		}
		continue;
null:
		memset(p->hdr + PH_OFF(i), 0, 56);
	}
	ret = kmt_plan_overlaps(p);
	if (ret)
		kmt_plan_free(p);
	return ret;
}

void kmt_plan_free(struct kmt_plan *p)
{
	free(p->take);
	free(p->hdr);
	memset(p, 0, sizeof(*p));
}

static int kmt_write_piece(const uint8_t *d, size_t n, void *arg)
{
	return kmt_write_all(*(int *)arg, d, n);
}

int kmt_extract_write(const struct kmt_phys *m, const struct kmt_plan *p, int fd,
		      const char *outname)
{
	size_t i;

	if (kmt_write_all(fd, p->hdr, p->k->kelf_size)) {
		kmt_err("Can't write %s. %s", outname, strerror(errno));
		return KMT_EXIT_IO;
	}
	for (i = 0; i < p->n; i++) {
		int r = kmt_phys_walk(m, p->take[i].pa, p->take[i].size, kmt_write_piece, &fd);

		if (r == -2) {
			kmt_err("Can't write %s. %s", outname, strerror(errno));
			return KMT_EXIT_IO;
		}
		if (r) {	/* checked by the plan; only a changed source gets here */
			kmt_err("pa 0x%llx vanished from the RAM sources",
				(unsigned long long)p->take[i].pa);
			return KMT_EXIT_MISSING;
		}
	}
	return 0;
}
