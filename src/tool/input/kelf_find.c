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

#define KMT_MAX_CANDIDATES	64

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

static int kmt_rank(const struct kmt_found *f)
{
	return f->k.flags & KMD_TABLE_F_PANIC ? 2 : f->k.flags & KMD_TABLE_F_LIVE ? 1 : 0;
}

static void kmt_describe(const struct kmt_found *f, char *buf, size_t len)
{
	char flags[40];

	kmt_table_flags_str(f->k.flags, flags, sizeof(flags));
	snprintf(buf, len, "pa 0x%llx (%s, gen %u, %u rows)", (unsigned long long)f->pa,
		 flags, f->k.gen, f->k.capacity);
}

static int kmt_scan(const struct kmt_phys *m, struct kmt_found *out)
{
	struct kmt_found c[KMT_MAX_CANDIDATES];
	size_t nc = 0, i, best = 0, near = 0;
	char why[256], desc[128];

	for (i = 0; i < m->n; i++) {
		const struct kmt_range *r = &m->r[i];
		uint64_t end = r->pa + r->len, pa = kmt_align_up(r->pa, KMT_PAGE);

		for (; pa >= r->pa && pa < end && end - pa >= 64; pa += KMT_PAGE) {
			if (!kmt_looks_like_kelf(r->data + (pa - r->pa)))
				continue;
			if (kmt_kelf_at(m, pa, &c[nc], why, sizeof(why))) {
				kmt_verbose("ELF core header at pa 0x%llx is not a KELF: %s",
					    (unsigned long long)pa, why);
				near++;
				continue;
			}
			if (++nc == KMT_MAX_CANDIDATES) {
				kmt_warn("more than %d KELF headers; looking no further",
					 KMT_MAX_CANDIDATES);
				goto done;
			}
		}
	}
done:
	if (!nc) {
		kmt_err("no KELF header found in %llu bytes of RAM%s; is kminidump.ko loaded in that kernel? (--kelf PA reads one address)",
			(unsigned long long)kmt_phys_total(m),
			near ? " (ELF core headers that are not KELF were seen: -v says why)" : "");
		return KMT_EXIT_NOTFOUND;
	}
	for (i = 1; i < nc; i++)
		if (kmt_rank(&c[i]) > kmt_rank(&c[best]) ||
		    (kmt_rank(&c[i]) == kmt_rank(&c[best]) && c[i].k.gen > c[best].k.gen))
			best = i;
	if (nc > 1) {
		kmt_info("%zu KELF headers found:", nc);
		for (i = 0; i < nc; i++) {
			kmt_describe(&c[i], desc, sizeof(desc));
			kmt_info("  %s", desc);
		}
		kmt_describe(&c[best], desc, sizeof(desc));
		kmt_info("using the one at %s: %s", desc,
			 kmt_rank(&c[best]) == 2 ? "it has the PANIC flag" :
			 kmt_rank(&c[best]) == 1 ? "it has the LIVE flag" : "highest generation");
	} else {
		kmt_describe(&c[0], desc, sizeof(desc));
		kmt_verbose("KELF found at %s", desc);
	}
	*out = c[best];
	for (i = 0; i < nc; i++)
		if (i != best)
			kmt_found_free(&c[i]);
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
