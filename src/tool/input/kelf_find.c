// SPDX-License-Identifier: GPL-2.0
/*
 * Finding KELF in physical memory: at a given address, or by trying every
 * page-aligned address for an ELF64 ET_CORE header whose first note is a
 * valid KMINIDUMP table that names that very address as kelf_pa.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "input/kelf_find.h"
#include "lib/bytes.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_MAX_CANDIDATES	64	/* listed in the message */

void kmt_found_free(struct kmt_found *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

/*
 * A header that failed early: read up to the end of its PT_NOTE when that is
 * plausible, so the reason names the first real fault rather than a short read.
 */
static void kmt_kelf_reason(const struct kmt_phys *m, uint64_t pa, uint8_t **buf, uint64_t len,
			    char *why, size_t whylen)
{
	struct kmt_kelf k;
	uint64_t want = len;

	if (len >= 64 + 56) {
		uint64_t off = kmt_le64(*buf + 64 + 8), size = kmt_le64(*buf + 64 + 32);

		if (off <= KMT_KELF_MAX && size <= KMT_KELF_MAX && off + size > len &&
		    kmt_phys_covers(m, pa, off + size)) {
			want = off + size;
			*buf = kmt_realloc(*buf, want);
			kmt_phys_read(m, pa, *buf, want);
		}
	}
	if (!kmt_kelf_parse(*buf, want, &k, why, whylen))
		snprintf(why, whylen, "not a KELF header");
}

/* Reads and checks the KELF at @pa; the reason for a refusal goes to @why. */
static int kmt_kelf_at(const struct kmt_phys *m, uint64_t pa, struct kmt_found *f,
		       char *why, size_t whylen)
{
	uint64_t need = 64 + 56, next;
	uint8_t *buf = NULL;
	int tries, r, ret;

	memset(f, 0, sizeof(*f));
	for (tries = 0; tries < 4; tries++) {
		buf = kmt_realloc(buf, need);
		if (kmt_phys_read(m, pa, buf, need)) {
			snprintf(why, whylen, "0x%llx bytes at pa 0x%llx are not all in the RAM sources",
				 (unsigned long long)need, (unsigned long long)pa);
			free(buf);
			return KMT_EXIT_MISSING;
		}
		r = kmt_kelf_peek(buf, need, &next);
		if (r < 0 || (r == 1 && next <= need)) {
			kmt_kelf_reason(m, pa, &buf, need, why, whylen);
			free(buf);
			return KMT_EXIT_FORMAT;
		}
		need = next;
		if (!r)
			break;
	}
	buf = kmt_realloc(buf, need);
	if (kmt_phys_read(m, pa, buf, need)) {
		snprintf(why, whylen, "its kelf_size 0x%llx bytes at pa 0x%llx are not all in the RAM sources",
			 (unsigned long long)need, (unsigned long long)pa);
		free(buf);
		return KMT_EXIT_MISSING;
	}
	ret = kmt_kelf_parse(buf, need, &f->k, why, whylen);
	if (!ret && f->k.kelf_pa != pa) {
		snprintf(why, whylen, "its table says kelf_pa 0x%llx (a stale or foreign copy)",
			 (unsigned long long)f->k.kelf_pa);
		ret = KMT_EXIT_FORMAT;
	}
	if (ret) {
		free(buf);
		memset(f, 0, sizeof(*f));
		return ret;
	}
	f->pa = pa;
	f->buf = buf;
	return 0;
}

static bool kmt_looks_like_kelf(const uint8_t *p)
{
	return !memcmp(p, ELFMAG, SELFMAG) && p[EI_CLASS] == ELFCLASS64 &&
	       p[EI_DATA] == ELFDATA2LSB && kmt_le16(p + 16) == ET_CORE &&
	       kmt_le64(p + 32) == 64;
}

/* What the scan keeps of a valid header: no bytes, only what ranks and names it. */
struct kmt_cand {
	uint64_t pa;
	uint32_t flags, gen, capacity;
};

static int kmt_rank(uint32_t flags)
{
	return flags & KMD_TABLE_F_PANIC ? 2 : flags & KMD_TABLE_F_LIVE ? 1 : 0;
}

static void kmt_describe(const struct kmt_cand *c, char *buf, size_t len)
{
	char flags[40];

	kmt_table_flags_str(c->flags, flags, sizeof(flags));
	snprintf(buf, len, "pa 0x%llx (%s, gen %u, %u rows)", (unsigned long long)c->pa,
		 flags, c->gen, c->capacity);
}

/*
 * Checks the header at @pa of range @r where it lies, without copying it: the
 * parser reads only the structures, whose size the table bounds. A header cut
 * by the end of its range is checked through a copy when RAM goes on there.
 */
static int kmt_kelf_check(const struct kmt_phys *m, const struct kmt_range *r, uint64_t pa,
			  struct kmt_cand *c, char *why, size_t whylen)
{
	uint64_t avail = r->pa + r->len - pa;
	struct kmt_found f;
	struct kmt_kelf k;
	int ret;

	ret = kmt_kelf_parse(r->data + (pa - r->pa), avail, &k, why, whylen);
	if (!ret && k.kelf_pa != pa) {
		snprintf(why, whylen, "its table says kelf_pa 0x%llx (a stale or foreign copy)",
			 (unsigned long long)k.kelf_pa);
		return KMT_EXIT_FORMAT;
	}
	if (ret && k.kelf_size > avail && kmt_phys_covers(m, pa, k.kelf_size)) {
		ret = kmt_kelf_at(m, pa, &f, why, whylen);
		if (ret)
			return ret;
		k = f.k;
		kmt_found_free(&f);
	}
	if (ret)
		return ret;
	*c = (struct kmt_cand){ .pa = pa, .flags = k.flags, .gen = k.gen,
				.capacity = k.capacity };
	return 0;
}

/*
 * Every page-aligned address of every range: memory O(one KELF) whatever RAM
 * holds (only the best candidate is copied, at the end), time O(RAM pages +
 * each candidate's table).
 */
static int kmt_scan(const struct kmt_phys *m, struct kmt_found *out)
{
	struct kmt_cand list[KMT_MAX_CANDIDATES], best = { 0 }, c;
	size_t nc = 0, i, near = 0;
	char why[256], desc[128];

	for (i = 0; i < m->n; i++) {
		const struct kmt_range *r = &m->r[i];
		uint64_t end = r->pa + r->len, pa = kmt_align_up(r->pa, KMT_PAGE);

		for (; pa >= r->pa && pa < end && end - pa >= 64; pa += KMT_PAGE) {
			if (!kmt_looks_like_kelf(r->data + (pa - r->pa)))
				continue;
			if (kmt_kelf_check(m, r, pa, &c, why, sizeof(why))) {
				kmt_verbose("ELF core header at pa 0x%llx is not a KELF: %s",
					    (unsigned long long)pa, why);
				near++;
				continue;
			}
			if (nc < KMT_MAX_CANDIDATES)
				list[nc] = c;
			if (!nc || kmt_rank(c.flags) > kmt_rank(best.flags) ||
			    (kmt_rank(c.flags) == kmt_rank(best.flags) && c.gen > best.gen))
				best = c;
			nc++;
		}
	}
	if (!nc) {
		kmt_err("no KELF header found in %llu bytes of RAM%s; is kminidump.ko loaded in that kernel? (--kelf PA reads one address)",
			(unsigned long long)kmt_phys_total(m),
			near ? " (ELF core headers that are not KELF were seen: -v says why)" : "");
		return KMT_EXIT_NOTFOUND;
	}
	if (nc > 1) {
		kmt_info("%zu KELF headers found:", nc);
		for (i = 0; i < nc && i < KMT_MAX_CANDIDATES; i++) {
			kmt_describe(&list[i], desc, sizeof(desc));
			kmt_info("  %s", desc);
		}
		if (nc > KMT_MAX_CANDIDATES)
			kmt_info("  ... and %zu more", nc - KMT_MAX_CANDIDATES);
		kmt_describe(&best, desc, sizeof(desc));
		kmt_info("using the one at %s: %s", desc,
			 kmt_rank(best.flags) == 2 ? "it has the PANIC flag" :
			 kmt_rank(best.flags) == 1 ? "it has the LIVE flag" : "highest generation");
	} else {
		kmt_describe(&best, desc, sizeof(desc));
		kmt_verbose("KELF found at %s", desc);
	}
	if (kmt_kelf_at(m, best.pa, out, why, sizeof(why))) {
		kmt_err("the KELF header at pa 0x%llx changed while the RAM was scanned: %s",
			(unsigned long long)best.pa, why);
		return KMT_EXIT_FORMAT;
	}
	return 0;
}

int kmt_find_kelf(const struct kmt_phys *m, bool have_pa, uint64_t pa, struct kmt_found *out)
{
	char why[256];
	int ret;

	if (!have_pa)
		return kmt_scan(m, out);
	ret = kmt_kelf_at(m, pa, out, why, sizeof(why));
	if (ret)
		kmt_err("no valid KELF header at pa 0x%llx: %s", (unsigned long long)pa, why);
	return ret;
}
