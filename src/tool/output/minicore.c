// SPDX-License-Identifier: GPL-2.0
/*
 * Building a core from a KELF found in RAM: the KELF bytes first, then every
 * row that is VALID with a PT_LOAD of the same physical address, in table
 * order, at recomputed running offsets. Rows that cannot be taken become
 * PT_NULL in the output; the table note is copied as found. A row caught in
 * the middle of an update is skipped (the reader rule); a row the guest got
 * wrong (outside RAM, overlapping another, too large, offsets that overflow)
 * is left out and the core marked partial (KMINIDUMP_PARTIAL in VMCOREINFO).
 */
#include <errno.h>
#include <stdarg.h>
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

struct kmt_extract_sink {
	struct kmt_stream *s;
	int ret;
};

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

/* Counts a row left out of the core (the dump is then partial) and says why. */
static void kmt_plan_leave_out(struct kmt_plan *p, uint32_t i, const char *name,
			       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void kmt_plan_leave_out(struct kmt_plan *p, uint32_t i, const char *name,
			       const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	kmt_warn("row %u '%s' %s: left out, the core is partial", i, name, why);
	if (!p->partial++)
		snprintf(p->first_partial, sizeof(p->first_partial), "row %u '%s' %s", i, name,
			 why);
}

/*
 * Size limits, file offsets and RAM coverage of a row that is otherwise taken:
 * a row the guest got wrong (or lied about) is left out, not fatal.
 */
static bool kmt_take_ok(const struct kmt_phys *m, const struct kmt_extract_opts *o,
			struct kmt_plan *p, uint32_t i, const struct kmt_rowinfo *r,
			const GElf_Phdr *ph)
{
	char range[80];

	if (ph->p_filesz > KMT_REGION_LIMIT && !o->force) {
		kmt_plan_leave_out(p, i, r->name, "is 0x%llx bytes, more than the %llu MiB limit for one region (--force takes it)",
				   (unsigned long long)ph->p_filesz,
				   (unsigned long long)(KMT_REGION_LIMIT >> 20));
		return false;
	}
	if (ph->p_offset + ph->p_filesz < ph->p_offset) {
		kmt_plan_leave_out(p, i, r->name, "has offset 0x%llx + size 0x%llx, past the end of a file",
				   (unsigned long long)ph->p_offset,
				   (unsigned long long)ph->p_filesz);
		return false;
	}
	if (!kmt_phys_covers(m, ph->p_paddr, ph->p_filesz)) {
		kmt_plan_leave_out(p, i, r->name, "at pa %s is outside the RAM sources",
				   kmt_range_str(range, sizeof(range), ph->p_paddr, ph->p_filesz));
		return false;
	}
	if (p->bytes + ph->p_filesz > KMT_TOTAL_LIMIT && !o->force) {
		kmt_plan_leave_out(p, i, r->name, "would make the regions more than %llu GiB (--force takes it)",
				   (unsigned long long)(KMT_TOTAL_LIMIT >> 30));
		return false;
	}
	if (ph->p_filesz != r->size)
		kmt_verbose("row %u '%s': PT_LOAD has 0x%llx bytes, the row 0x%llx", i, r->name,
			    (unsigned long long)ph->p_filesz, (unsigned long long)r->size);
	return true;
}

/*
 * Rows whose bytes overlap in the input's file layout (each other or the
 * header) cannot all be right: the first one in file order is kept, the
 * others are left out. O(n log n).
 */
static void kmt_plan_overlaps(struct kmt_plan *p, bool *drop)
{
	struct kmt_take *t = kmt_malloc((p->n ? p->n : 1) * sizeof(*t));
	uint64_t end = p->k->kelf_size;
	uint32_t prev = 0;
	size_t i;

	memcpy(t, p->take, p->n * sizeof(*t));
	if (p->n > 1)
		qsort(t, p->n, sizeof(*t), kmt_take_cmp);
	for (i = 0; i < p->n; i++) {
		struct kmt_rowinfo r;

		if (!t[i].size)
			continue;
		if (t[i].in_off < end) {
			kmt_kelf_row(p->k, t[i].i, &r);
			if (prev)
				kmt_plan_leave_out(p, t[i].i, r.name, "overlaps row %u in the file (offset 0x%llx < 0x%llx)",
						   prev, (unsigned long long)t[i].in_off,
						   (unsigned long long)end);
			else
				kmt_plan_leave_out(p, t[i].i, r.name, "at file offset 0x%llx overlaps the 0x%x-byte header",
						   (unsigned long long)t[i].in_off, p->k->kelf_size);
			drop[t[i].i] = true;
			continue;
		}
		end = t[i].in_off + t[i].size;
		prev = t[i].i;
	}
	free(t);
}

/*
 * VMCOREINFO of the output gets "KMINIDUMP_PARTIAL=N rows left out; first: ..."
 * (or KMINIDUMP_UNSTABLE=..., the generation rule failed) when its note has
 * room, so that such a core says so wherever it goes.
 */
static void kmt_plan_mark(struct kmt_plan *p, const char *line)
{
	const struct kmt_kelf *k = p->k;
	uint64_t pos = 0;

	while (k->notes_size - pos >= 12) {
		uint8_t *n = p->hdr + k->notes_off + pos;
		uint32_t namesz = kmt_le32(n), descsz = kmt_le32(n + 4);
		uint64_t desc = 12 + kmt_align_up(namesz, 4);
		char buf[320];
		size_t len, add;

		if (namesz == sizeof("VMCOREINFO") && !memcmp(n + 12, "VMCOREINFO", namesz) &&
		    desc + descsz <= k->notes_size - pos) {
			char *text = (char *)n + desc;

			len = strnlen(text, descsz);
			add = snprintf(buf, sizeof(buf), "%s%s\n",
				       len && text[len - 1] != '\n' ? "\n" : "", line);
			if (add < sizeof(buf) && len + add < descsz)
				memcpy(text + len, buf, add);
			else
				kmt_warn("no room in VMCOREINFO to mark the core (%.40s)", line);
			return;
		}
		pos += 12 + kmt_align_up(namesz, 4) + kmt_align_up(descsz, 4);
	}
}

int kmt_extract_plan(const struct kmt_phys *m, const struct kmt_found *f,
		     const struct kmt_extract_opts *o, struct kmt_plan *p)
{
	const struct kmt_kelf *k = &f->k;
	uint64_t out = k->kelf_size;
	char buf[160];
	bool *drop;
	size_t j, n;
	uint32_t i;

	memset(p, 0, sizeof(*p));
	p->k = k;
	p->take = kmt_calloc(k->capacity, sizeof(*p->take));
	p->hdr = kmt_malloc(k->kelf_size);
	drop = kmt_calloc(k->capacity, sizeof(*drop));
	memcpy(p->hdr, f->buf, k->kelf_size);
	for (i = 1; i < k->capacity; i++) {
		struct kmt_rowinfo r;
		const char *why;
		GElf_Phdr ph;

		kmt_kelf_phdr(k, i, &ph);
		kmt_kelf_row(k, i, &r);
		drop[i] = true;
		if (ph.p_type == PT_NULL && r.state == KMD_ROW_FREE)
			continue;
		/* reserved for a panic capture and not moved: nothing to take, by design */
		if (ph.p_type == PT_NULL && r.state == KMD_ROW_VALID && (r.flags & KMD_ROW_F_PARKED)) {
			kmt_verbose("row %u '%s' is parked (a capture row not moved): not in the core",
				    i, r.name);
			continue;
		}
		why = kmt_row_skip(&ph, &r, buf, sizeof(buf));
		if (why) {
			kmt_warn("row %u '%s' %s: skipped", i, r.name, why);
			p->skipped++;
			continue;
		}
		if (!kmt_take_ok(m, o, p, i, &r, &ph))
			continue;
		drop[i] = false;
		p->take[p->n++] = (struct kmt_take){ .i = i, .pa = ph.p_paddr, .size = ph.p_filesz,
						     .in_off = ph.p_offset };
		p->bytes += ph.p_filesz;
	}
	kmt_plan_overlaps(p, drop);
	/* what is left, in table order at running offsets; the rest PT_NULL */
	p->bytes = 0;
	for (j = n = 0; j < p->n; j++) {
		if (drop[p->take[j].i])
			continue;
		p->take[n] = p->take[j];
		p->take[n].out_off = out;
		kmt_put_le64(p->hdr + PH_OFF(p->take[n].i) + 8, out);
		out += p->take[n].size;
		p->bytes += p->take[n].size;
		n++;
	}
	p->n = n;
	for (i = 1; i < k->capacity; i++)
		if (drop[i])
			memset(p->hdr + PH_OFF(i), 0, 56);
	if (p->partial) {
		char line[300];

		snprintf(line, sizeof(line), "KMINIDUMP_PARTIAL=%u rows left out; first: %s",
			 p->partial, p->first_partial);
		kmt_plan_mark(p, line);
	}
	if (o->unstable) {
		char line[160];

		snprintf(line, sizeof(line),
			 "KMINIDUMP_UNSTABLE=the table was being changed: generation %u before, %u after",
			 o->gen_before, o->gen_after);
		kmt_plan_mark(p, line);
	}
	free(drop);
	return 0;
}

void kmt_plan_free(struct kmt_plan *p)
{
	free(p->take);
	free(p->hdr);
	memset(p, 0, sizeof(*p));
}

static int kmt_write_piece(const uint8_t *d, size_t n, void *arg)
{
	struct kmt_extract_sink *k = arg;

	k->ret = kmt_stream_write(k->s, d, n);
	return k->ret ? -1 : 0;
}

int kmt_extract_write(const struct kmt_phys *m, const struct kmt_plan *p, struct kmt_stream *s)
{
	struct kmt_extract_sink k = { .s = s };
	size_t i;
	int ret = kmt_stream_write(s, p->hdr, p->k->kelf_size);

	if (ret)
		return ret;
	for (i = 0; i < p->n; i++) {
		int r = kmt_phys_walk(m, p->take[i].pa, p->take[i].size, kmt_write_piece, &k);

		if (k.ret)	/* the stream said why */
			return k.ret;
		if (r) {	/* checked by the plan; only a changed source gets here */
			kmt_err("pa 0x%llx vanished from the RAM sources",
				(unsigned long long)p->take[i].pa);
			return KMT_EXIT_MISSING;
		}
	}
	return 0;
}
