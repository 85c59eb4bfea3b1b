// SPDX-License-Identifier: GPL-2.0
/*
 * Walking SMEM to the APSS minidump table the way boot firmware and the
 * kernel's qcom_smem driver do (drivers/soc/qcom/smem.c): header, partition
 * table in the last 4 KiB, the global partition's uncached item list, item
 * 602, subsystem 0, its regions. Each step is bounded by what the previous
 * one proved to be inside SMEM or RAM; a list can't loop because every entry
 * moves forward by at least its own header.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "../../../include/uapi/kminidump_smem.h"
#include "input/smem.h"
#include "lib/bytes.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

#define SMEM_HDR_SIZE		8400
#define SMEM_VERSION_OFF	(64 + 7 * 4)	/* version[SMEM_MASTER_SBL_VERSION_INDEX] */
#define SMEM_INITIALIZED_OFF	192
#define SMEM_GLOBAL_PART_VERSION 12
#define SMEM_GLOBAL_HEAP_VERSION 11
#define SMEM_PTABLE_SIZE	4096
#define SMEM_PTABLE_ENTRY	48
#define SMEM_GLOBAL_HOST	0xfffe
#define SMEM_ITEM_COUNT		512	/* without an SIII smem_info */
#define SMEM_PART_HDR		32
#define SMEM_PRIV_HDR		16
#define SMEM_CANARY		0xa5a5

#define MD_TOC_SIZE		sizeof(struct kmd_md_toc)
#define MD_SS_OFF		offsetof(struct kmd_md_toc, subsystems)
#define MD_SS_SIZE		sizeof(struct kmd_md_subsystem)
#define MD_REGION_SIZE		sizeof(struct kmd_md_region)
#define MD_ENABLED		KMD_MD_ENABLED
#define MD_VALID		KMD_MD_VALID
#define MD_ENC_DONE		KMD_MD_ENC_DONE

_Static_assert(sizeof(struct kmd_md_toc) == 336 && sizeof(struct kmd_md_region) == 40 &&
	       sizeof(struct kmd_md_subsystem) == 32, "the firmware's minidump layout");

#define KMT_MD_REGION_MAX	(1ULL << 30)	/* one region over 1 GiB needs --force */

static int kmt_smem_read(const struct kmt_phys *m, uint64_t pa, void *buf, uint64_t len,
			 const char *what)
{
	if (!kmt_phys_read(m, pa, buf, len))
		return 0;
	kmt_err("SMEM: %s at pa 0x%llx (%llu bytes) is not in the input memory; give the RAM that holds it",
		what, (unsigned long long)pa, (unsigned long long)len);
	return KMT_EXIT_MISSING;
}

/* The global partition from the partition table: *off and *size within SMEM. */
static int kmt_smem_global_part(const struct kmt_phys *m, uint64_t pa, uint64_t size,
				uint64_t *off, uint64_t *psize, uint32_t *items)
{
	uint8_t pt[SMEM_PTABLE_SIZE];
	uint32_t n, i, found = 0;
	int ret = kmt_smem_read(m, pa + size - SMEM_PTABLE_SIZE, pt, sizeof(pt), "the partition table");

	if (ret)
		return ret;
	if (memcmp(pt, "$TOC", 4)) {
		kmt_err("SMEM: no partition table ($TOC) in the last 4 KiB at pa 0x%llx: is the SMEM size right (--smem-size)?",
			(unsigned long long)(pa + size - SMEM_PTABLE_SIZE));
		return KMT_EXIT_FORMAT;
	}
	n = kmt_le32(pt + 8);
	if (kmt_le32(pt + 4) != 1 || n > (SMEM_PTABLE_SIZE - 32 - 20) / SMEM_PTABLE_ENTRY) {
		kmt_err("SMEM: partition table version %u with %u entries: expected version 1, at most %u entries",
			kmt_le32(pt + 4), n, (SMEM_PTABLE_SIZE - 32 - 20) / SMEM_PTABLE_ENTRY);
		return KMT_EXIT_FORMAT;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *e = pt + 32 + i * SMEM_PTABLE_ENTRY;

		if (kmt_le16(e + 12) != SMEM_GLOBAL_HOST || kmt_le16(e + 14) != SMEM_GLOBAL_HOST)
			continue;
		*off = kmt_le32(e);
		*psize = kmt_le32(e + 4);
		if (!kmt_le32(e + 16) || *off < SMEM_HDR_SIZE || *psize < SMEM_PART_HDR ||
		    *off + *psize > size - SMEM_PTABLE_SIZE) {
			kmt_err("SMEM: global partition at offset 0x%llx, size 0x%llx, cacheline %u: outside SMEM or malformed",
				(unsigned long long)*off, (unsigned long long)*psize, kmt_le32(e + 16));
			return KMT_EXIT_FORMAT;
		}
		found = 1;
		break;
	}
	if (!found) {
		kmt_err("SMEM: the partition table has no global partition (hosts 0xfffe/0xfffe)");
		return KMT_EXIT_NOTFOUND;
	}
	/* smem_info follows the entries; without it the driver allows 512 items */
	*items = SMEM_ITEM_COUNT;
	if (!memcmp(pt + 32 + n * SMEM_PTABLE_ENTRY, "SIII", 4))
		*items = kmt_le16(pt + 32 + n * SMEM_PTABLE_ENTRY + 16);
	return 0;
}

/* Item @item in the global partition's uncached list: its pa and size. */
static int kmt_smem_item(const struct kmt_phys *m, uint64_t part_pa, uint64_t psize,
			 uint16_t item, uint64_t *ipa, uint32_t *isize)
{
	uint8_t h[SMEM_PART_HDR], e[SMEM_PRIV_HDR];
	uint64_t pos, end;
	int ret = kmt_smem_read(m, part_pa, h, sizeof(h), "the global partition header");

	if (ret)
		return ret;
	if (memcmp(h, "$PRT", 4) || kmt_le32(h + 8) != psize || kmt_le32(h + 12) > psize) {
		kmt_err("SMEM: bad global partition header at pa 0x%llx (magic, size %u for 0x%llx, free offset %u)",
			(unsigned long long)part_pa, kmt_le32(h + 8), (unsigned long long)psize,
			kmt_le32(h + 12));
		return KMT_EXIT_FORMAT;
	}
	end = kmt_le32(h + 12);
	for (pos = SMEM_PART_HDR; pos + SMEM_PRIV_HDR <= end; ) {
		uint32_t sz;
		uint16_t pad_hdr, pad_data;

		ret = kmt_smem_read(m, part_pa + pos, e, sizeof(e), "an SMEM item header");
		if (ret)
			return ret;
		if (kmt_le16(e) != SMEM_CANARY) {
			kmt_err("SMEM: item header at pa 0x%llx has canary 0x%04x, not 0xa5a5: the item list is corrupt",
				(unsigned long long)(part_pa + pos), kmt_le16(e));
			return KMT_EXIT_FORMAT;
		}
		sz = kmt_le32(e + 4);
		pad_data = kmt_le16(e + 8);
		pad_hdr = kmt_le16(e + 10);
		if (pos + SMEM_PRIV_HDR + pad_hdr + (uint64_t)sz > end || pad_data > sz) {
			kmt_err("SMEM: item %u at pa 0x%llx (size %u, padding %u/%u) runs past the partition's used part",
				kmt_le16(e + 2), (unsigned long long)(part_pa + pos), sz, pad_hdr, pad_data);
			return KMT_EXIT_FORMAT;
		}
		if (kmt_le16(e + 2) == item) {
			*ipa = part_pa + pos + SMEM_PRIV_HDR + pad_hdr;
			*isize = sz - pad_data;
			return 0;
		}
		pos += SMEM_PRIV_HDR + pad_hdr + (uint64_t)sz;
	}
	kmt_err("SMEM: no item %u (the minidump table of contents): the firmware did not set up minidump",
		item);
	return KMT_EXIT_NOTFOUND;
}

static int kmt_smem_toc(const struct kmt_phys *m, uint64_t pa, uint64_t size,
			struct kmt_smem_table *t)
{
	uint8_t h[SMEM_INITIALIZED_OFF + 4];
	uint64_t poff = 0, psize = 0;
	uint32_t version, items = 0;
	int ret;

	if (size < SMEM_HDR_SIZE + SMEM_PTABLE_SIZE || size > (1ULL << 32) || pa + size < pa) {
		kmt_err("SMEM size 0x%llx: expected 0x%x..4 GiB", (unsigned long long)size,
			SMEM_HDR_SIZE + SMEM_PTABLE_SIZE);
		return KMT_EXIT_USAGE;
	}
	ret = kmt_smem_read(m, pa, h, sizeof(h), "the SMEM header");
	if (ret)
		return ret;
	version = kmt_le32(h + SMEM_VERSION_OFF) >> 16;
	if (kmt_le32(h + SMEM_INITIALIZED_OFF) != 1) {
		kmt_err("SMEM at pa 0x%llx is not initialized (initialized = %u): wrong address, or the boot firmware never set it up",
			(unsigned long long)pa, kmt_le32(h + SMEM_INITIALIZED_OFF));
		return KMT_EXIT_NOTFOUND;
	}
	if (version != SMEM_GLOBAL_PART_VERSION) {
		kmt_err(version == SMEM_GLOBAL_HEAP_VERSION ?
			"SMEM version %u (global heap) has no item 602: no minidump table" :
			"SMEM version %u: only version 12 (global partition) holds a minidump table",
			version);
		return KMT_EXIT_FORMAT;
	}
	ret = kmt_smem_global_part(m, pa, size, &poff, &psize, &items);
	if (ret)
		return ret;
	if (items <= KMT_SMEM_ITEM_MD_TOC) {
		kmt_err("SMEM: %u items allowed (%s), so item 602 can't exist", items,
			items == SMEM_ITEM_COUNT ? "no SIII smem_info after the partition table" :
			"smem_info's num_items");
		return KMT_EXIT_NOTFOUND;
	}
	return kmt_smem_item(m, pa + poff, psize, KMT_SMEM_ITEM_MD_TOC, &t->toc_pa, &t->toc_size);
}

static int kmt_smem_regions(const struct kmt_phys *m, bool force, struct kmt_smem_table *t)
{
	uint32_t n = t->count, i, j;
	uint8_t *a;
	int ret;

	if (n > KMT_MD_APSS_MAX) {
		kmt_warn("APSS: region_count %u is over the firmware's %u: the regions past %u are not downloaded",
			 n, KMT_MD_APSS_MAX, KMT_MD_APSS_MAX);
		t->left_out += n - KMT_MD_APSS_MAX;
		n = KMT_MD_APSS_MAX;
	}
	a = kmt_malloc((size_t)n * MD_REGION_SIZE + 1);
	ret = kmt_smem_read(m, t->regions_pa, a, (uint64_t)n * MD_REGION_SIZE, "the APSS region array");
	if (ret) {
		free(a);
		return ret;
	}
	t->r = kmt_calloc(n + 1, sizeof(*t->r));
	for (i = 0; i < n; i++) {
		const uint8_t *e = a + (size_t)i * MD_REGION_SIZE;
		struct kmt_md_region *r = &t->r[t->n];
		const char *why = NULL;

		memcpy(r->name, e, 16);
		r->name[16] = 0;
		r->seq = kmt_le32(e + offsetof(struct kmd_md_region, seq_num));
		r->valid = kmt_le32(e + offsetof(struct kmd_md_region, valid));
		r->pa = kmt_le64(e + offsetof(struct kmd_md_region, address));
		r->size = kmt_le64(e + offsetof(struct kmd_md_region, size));
		if (r->valid != MD_VALID) {
			kmt_verbose("APSS region %u (%s): valid = 0x%08x, not VALI: not downloaded",
				    i, r->name, r->valid);
			continue;
		}
		if (!r->name[0] || memchr(e, 0, 16) == NULL)
			why = "its name is empty or not NUL-terminated";
		else if (!r->size || r->pa + r->size < r->pa)
			why = "its size is 0 or it wraps the address space";
		else if (r->size > KMT_MD_REGION_MAX && !force)
			why = "it is over 1 GiB (--force takes it)";
		else if (!kmt_phys_covers(m, r->pa, r->size))
			why = "it is not in the input memory";
		for (j = 0; j < t->n && !why; j++)
			if (t->r[j].seq == r->seq)
				why = "its seq_num repeats an earlier region's";
		if (why) {
			kmt_warn("APSS region %u (%s, seq %u, pa 0x%llx, %llu bytes) left out: %s",
				 i, r->name, r->seq, (unsigned long long)r->pa,
				 (unsigned long long)r->size, why);
			t->left_out++;
			continue;
		}
		t->n++;
	}
	free(a);
	return 0;
}

int kmt_smem_walk(const struct kmt_phys *m, uint64_t pa, uint64_t size, bool force,
		  struct kmt_smem_table *t)
{
	uint8_t toc[MD_TOC_SIZE], *ss = toc + MD_SS_OFF;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = kmt_smem_toc(m, pa, size, t);
	if (ret)
		return ret;
	if (t->toc_size < MD_SS_OFF + MD_SS_SIZE) {
		kmt_err("SMEM item 602 is %u bytes, too small for the minidump TOC and its APSS entry",
			t->toc_size);
		return KMT_EXIT_FORMAT;
	}
	ret = kmt_smem_read(m, t->toc_pa, toc, MD_SS_OFF + MD_SS_SIZE, "the minidump TOC");
	if (ret)
		return ret;
	t->status = kmt_le32(toc);
	t->revision = kmt_le32(toc + 4);
	t->enabled = kmt_le32(toc + 8);
#define SS(f) (ss + offsetof(struct kmd_md_subsystem, f))
	t->ss_status = kmt_le32(SS(status));
	t->ss_enabled = kmt_le32(SS(enabled));
	t->enc_status = kmt_le32(SS(encryption_status));
	t->enc_required = kmt_le32(SS(encryption_required));
	t->count = kmt_le32(SS(region_count));
	t->regions_pa = kmt_le64(SS(regions_baseptr));
#undef SS
	if (!t->status) {
		kmt_err("minidump TOC at pa 0x%llx: status 0, the firmware did not initialize it",
			(unsigned long long)t->toc_pa);
		return KMT_EXIT_NOTFOUND;
	}
	if (t->enabled != MD_ENABLED)
		kmt_warn("minidump TOC: enabled = 0x%08x, not ENBL: the firmware would not download a minidump",
			 t->enabled);
	if (t->ss_status != 1 || t->ss_enabled != MD_ENABLED || !t->regions_pa) {
		kmt_err("APSS table not published (status %u, enabled 0x%08x, regions at pa 0x%llx): was kminidump_smem loaded?",
			t->ss_status, t->ss_enabled, (unsigned long long)t->regions_pa);
		return KMT_EXIT_NOTFOUND;
	}
	if (t->enc_status != MD_ENC_DONE)
		kmt_warn("APSS: encryption_status 0x%08x, not DONE: the firmware would skip the table",
			 t->enc_status);
	return kmt_smem_regions(m, force, t);
}

void kmt_smem_free(struct kmt_smem_table *t)
{
	free(t->r);
	t->r = NULL;
	t->n = 0;
}
