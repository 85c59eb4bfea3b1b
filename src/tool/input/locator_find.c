// SPDX-License-Identifier: GPL-2.0
/*
 * The locator at a known address (kminidump extract --locator), or the best
 * one found by trying every page (--scan-locator). A guest that is still
 * running may rewrite it while we read: retry a bounded number of times.
 */
#include <stdio.h>
#include <string.h>
#include "format/kelf.h"
#include "input/locator_find.h"
#include "lib/bytes.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_LOC_TRIES	100
#define KMT_LOC_READ	256	/* covers struct kmd_locator */

static int kmt_locator_at(const struct kmt_phys *m, uint64_t pa, struct kmt_locator *l,
			  char *why, size_t whylen)
{
	uint8_t hdr[KMT_LOC_READ], seq[4];
	int tries, ret = KMT_EXIT_FORMAT;

	for (tries = 0; tries < KMT_LOC_TRIES; tries++) {
		if (kmt_phys_read(m, pa, hdr, sizeof(hdr))) {
			snprintf(why, whylen, "pa 0x%llx is not in the RAM sources",
				 (unsigned long long)pa);
			return KMT_EXIT_MISSING;
		}
		ret = kmt_locator_parse(hdr, sizeof(hdr), pa, l, why, whylen);
		/* Odd: the writer is between its two seq stores; it will be done soon. */
		if (!memcmp(hdr, KMD_LOC_MAGIC, 8) && (kmt_le32(hdr + KMT_LOC_SEQ_OFF) & 1))
			continue;
		if (kmt_phys_read(m, pa + KMT_LOC_SEQ_OFF, seq, 4))
			return KMT_EXIT_MISSING;
		/* A stable snapshot: seq unchanged across the read (and even: parse checks). */
		if (kmt_le32(seq) == kmt_le32(hdr + KMT_LOC_SEQ_OFF))
			break;
		ret = KMT_EXIT_FORMAT;
		snprintf(why, whylen, "the locator changed during %d reads (a running guest?)",
			 KMT_LOC_TRIES);
	}
	if (!ret && tries)
		kmt_info("locator at pa 0x%llx: stable after %d re-reads", (unsigned long long)pa,
			 tries);
	return ret;
}

static int kmt_loc_rank(const struct kmt_locator *l)
{
	return l->state == KMD_LOC_ST_PANIC ? 2 : l->state == KMD_LOC_ST_LIVE ? 1 : 0;
}

static int kmt_locator_scan(const struct kmt_phys *m, struct kmt_locator *out,
			    uint64_t *found_pa)
{
	struct kmt_locator l;
	size_t i, n = 0, near = 0;
	char why[256];

	for (i = 0; i < m->n; i++) {
		const struct kmt_range *r = &m->r[i];
		uint64_t end = r->pa + r->len, pa = kmt_align_up(r->pa, KMT_PAGE);

		for (; pa >= r->pa && pa < end && end - pa >= 8; pa += KMT_PAGE) {
			if (memcmp(r->data + (pa - r->pa), KMD_LOC_MAGIC, 8))
				continue;
			if (kmt_locator_at(m, pa, &l, why, sizeof(why))) {
				kmt_verbose("locator magic at pa 0x%llx, but: %s",
					    (unsigned long long)pa, why);
				near++;
				continue;
			}
			kmt_info("locator at pa 0x%llx: %s, boot %u of %s",
				 (unsigned long long)pa, kmd_locator_state_name(l.state),
				 l.boot_seq, l.release);
			if (!n || kmt_loc_rank(&l) > kmt_loc_rank(out) ||
			    (kmt_loc_rank(&l) == kmt_loc_rank(out) && l.boot_seq > out->boot_seq)) {
				*out = l;
				*found_pa = pa;
			}
			n++;
		}
	}
	if (!n) {
		kmt_err("no locator found in %llu bytes of RAM%s; is kminidump_rmem.ko loaded in that kernel? (--scan reads KELF without it)",
			(unsigned long long)kmt_phys_total(m),
			near ? " (invalid ones were seen: -v says why)" : "");
		return KMT_EXIT_NOTFOUND;
	}
	return 0;
}

int kmt_find_locator(const struct kmt_phys *m, bool have_pa, uint64_t pa,
		     struct kmt_locator *out, uint64_t *found_pa)
{
	char why[256];
	int ret;

	if (!have_pa)
		return kmt_locator_scan(m, out, found_pa);
	ret = kmt_locator_at(m, pa, out, why, sizeof(why));
	if (ret)
		kmt_err("no valid locator at pa 0x%llx: %s", (unsigned long long)pa, why);
	*found_pa = pa;
	return ret;
}
