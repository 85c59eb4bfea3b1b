// SPDX-License-Identifier: GPL-2.0
/* The kminidump_rmem locator: checks of magic, version, sizes, CRC and bounds. */
#include <stdio.h>
#include <string.h>
#include "format/kelf.h"
#include "format/locator.h"
#include "lib/bytes.h"
#include "lib/exitcode.h"

#define KMT_LOC_HDR	216	/* sizeof(struct kmd_locator), tests/tool/layout.py */
#define KMT_LOC_CRC_OFF	20

uint32_t kmt_crc32(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c >> 1 ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

int kmt_locator_parse(const uint8_t *p, size_t len, uint64_t pa, struct kmt_locator *l,
		      char *why, size_t whylen)
{
	uint8_t hdr[KMT_LOC_HDR];

	memset(l, 0, sizeof(*l));
	if (len < KMT_LOC_HDR) {
		snprintf(why, whylen, "%zu bytes, a locator has %d", len, KMT_LOC_HDR);
		return KMT_EXIT_FORMAT;
	}
	if (memcmp(p, KMD_LOC_MAGIC, 8)) {
		snprintf(why, whylen, "no locator magic \"%s\" there", KMD_LOC_MAGIC);
		return KMT_EXIT_FORMAT;
	}
	l->version = kmt_le32(p + 8);
	l->hdr_size = kmt_le32(p + 12);
	l->size = kmt_le32(p + 16);
	l->crc = kmt_le32(p + KMT_LOC_CRC_OFF);
	if (l->version != KMD_LOC_VERSION || l->hdr_size != KMT_LOC_HDR ||
	    l->size != KMD_LOC_SIZE) {
		snprintf(why, whylen,
			 "locator version %u, hdr_size %u, size %u (this tool reads version %d, %d, %d)",
			 l->version, l->hdr_size, l->size, KMD_LOC_VERSION, KMT_LOC_HDR,
			 KMD_LOC_SIZE);
		return KMT_EXIT_FORMAT;
	}
	memcpy(hdr, p, sizeof(hdr));
	memset(hdr + KMT_LOC_CRC_OFF, 0, 4);
	if (kmt_crc32(hdr, sizeof(hdr)) != l->crc) {
		snprintf(why, whylen, "locator crc 0x%08x does not match its bytes (0x%08x): torn or corrupt",
			 l->crc, kmt_crc32(hdr, sizeof(hdr)));
		return KMT_EXIT_FORMAT;
	}
	l->seq = kmt_le32(p + KMT_LOC_SEQ_OFF);
	l->state = kmt_le32(p + 28);
	l->buf_pa = kmt_le64(p + 32);
	l->buf_size = kmt_le64(p + 40);
	l->kelf_pa = kmt_le64(p + 48);
	l->kelf_size = kmt_le32(p + 56);
	l->table_off = kmt_le32(p + 60);
	l->table_pa = kmt_le64(p + 64);
	l->table_gen = kmt_le32(p + 72);
	l->panic_cpu = kmt_le32(p + 76);
	l->flags = kmt_le32(p + 80);
	l->boot_seq = kmt_le32(p + 84);
	memcpy(l->boot_id, p + 88, 16);
	memcpy(l->release, p + 104, KMD_LOC_RELEASE_LEN);
	l->release[KMD_LOC_RELEASE_LEN] = 0;
	l->copy_off = kmt_le64(p + 168);
	l->copy_size = kmt_le64(p + 176);
	if (l->seq & 1) {
		snprintf(why, whylen, "locator seq %u is odd: being rewritten", l->seq);
		return KMT_EXIT_FORMAT;
	}
	if (l->buf_pa != pa) {
		snprintf(why, whylen, "locator says buf_pa 0x%llx (a stale or moved copy)",
			 (unsigned long long)l->buf_pa);
		return KMT_EXIT_FORMAT;
	}
	if (l->buf_size < KMD_LOC_SIZE || l->buf_size % KMT_PAGE) {
		snprintf(why, whylen, "locator buf_size 0x%llx is not a page multiple of at least %d",
			 (unsigned long long)l->buf_size, KMD_LOC_SIZE);
		return KMT_EXIT_FORMAT;
	}
	if (l->state < KMD_LOC_ST_LIVE || l->state > KMD_LOC_ST_GONE) {
		snprintf(why, whylen, "locator state %u is unknown", l->state);
		return KMT_EXIT_FORMAT;
	}
	if (!l->kelf_size || l->kelf_size > KMT_KELF_MAX || l->kelf_pa % KMT_PAGE ||
	    l->table_off >= l->kelf_size || l->table_pa != l->kelf_pa + l->table_off) {
		snprintf(why, whylen,
			 "locator's KELF (pa 0x%llx, 0x%x bytes, table at +0x%x = 0x%llx) is inconsistent",
			 (unsigned long long)l->kelf_pa, l->kelf_size, l->table_off,
			 (unsigned long long)l->table_pa);
		return KMT_EXIT_FORMAT;
	}
	if ((l->flags & KMD_LOC_F_COPY) &&
	    (l->copy_off < KMD_LOC_SIZE || l->copy_off > l->buf_size ||
	     l->copy_size > l->buf_size - l->copy_off)) {
		snprintf(why, whylen, "locator's copy (+0x%llx, 0x%llx bytes) is outside the buffer",
			 (unsigned long long)l->copy_off, (unsigned long long)l->copy_size);
		return KMT_EXIT_FORMAT;
	}
	return 0;
}
