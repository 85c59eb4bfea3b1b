// SPDX-License-Identifier: GPL-2.0
/* An APSS region set -> the ELF core, by QDL's rules (see smemcore.h). */
#include <stdlib.h>
#include <string.h>
#include "format/kelf.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "output/smemcore.h"

#define KMT_SMEM_MAX_CORE	(4ULL << 30)	/* a larger core needs --force */
#define KMT_SMEM_MAX_ZEROS	(1ULL << 30)	/* zero fill for missing bytes, in all */
#define KMT_SMEM_MAX_REPORT	5

static const uint8_t kmt_zeros[65536];

static int kmt_smem_zeros(struct kmt_stream *o, uint64_t n)
{
	int ret = 0;

	while (n && !ret) {
		size_t k = n < sizeof(kmt_zeros) ? n : sizeof(kmt_zeros);

		ret = kmt_stream_write(o, kmt_zeros, k);
		n -= k;
	}
	return ret;
}

static int kmt_smem_put(const uint8_t *p, size_t n, void *arg)
{
	return kmt_stream_write(arg, p, n);
}

/*
 * The region for a PT_LOAD at @pa: the first one with that address not taken
 * by an earlier PT_LOAD (regions follow the program headers' order), else the
 * first one, as QDL takes it. *qdl_other: QDL would take another region of a
 * different size.
 */
static const struct kmt_md_region *kmt_smem_find(const struct kmt_smem_table *t, uint64_t pa,
						 bool *used, bool *qdl_other)
{
	const struct kmt_md_region *first = NULL;
	size_t i;

	*qdl_other = false;
	for (i = 0; i < t->n; i++) {
		if (t->r[i].pa != pa)
			continue;
		if (!first)
			first = &t->r[i];
		if (!used[i]) {
			used[i] = true;
			*qdl_other = first->size != t->r[i].size;
			return &t->r[i];
		}
	}
	return first;
}

static int kmt_smem_loads(const struct kmt_phys *m, const struct kmt_smem_table *t,
			  const struct kmt_kelf *k, uint64_t pos, bool force, struct kmt_stream *o,
			  struct kmt_smem_result *res)
{
	bool *used = kmt_calloc(t->n + 1, sizeof(*used)), qdl_other;
	uint64_t zeros = 0;
	uint32_t i;
	int ret = 0;

	for (i = 0; i < k->capacity && !ret; i++) {
		const struct kmt_md_region *r;
		GElf_Phdr ph;
		uint64_t n;

		kmt_kelf_phdr(k, i, &ph);
		if (ph.p_type != PT_LOAD)
			continue;
		res->loads++;
		if (ph.p_offset != pos) {
			if (ph.p_offset < pos) {
				kmt_err("KELF program header %u: p_offset 0x%llx overlaps the previous segment (file at 0x%llx)",
					i, (unsigned long long)ph.p_offset, (unsigned long long)pos);
				ret = KMT_EXIT_FORMAT;
				break;
			}
			if (res->qdl_differs++ < KMT_SMEM_MAX_REPORT)
				kmt_warn("KELF program header %u: p_offset 0x%llx leaves a gap after 0x%llx; QDL's minidump.elf would differ",
					 i, (unsigned long long)ph.p_offset, (unsigned long long)pos);
		}
		if (ph.p_offset + ph.p_filesz < ph.p_offset ||
		    (ph.p_offset + ph.p_filesz > KMT_SMEM_MAX_CORE && !force)) {
			kmt_err("KELF program header %u: the core would be over 4 GiB (--force writes it)",
				i);
			ret = KMT_EXIT_LIMIT;
			break;
		}
		r = kmt_smem_find(t, ph.p_paddr, used, &qdl_other);
		if (qdl_other && res->qdl_differs++ < KMT_SMEM_MAX_REPORT)
			kmt_warn("program header %u: pa 0x%llx has APSS regions of different sizes; QDL takes the first for every one",
				 i, (unsigned long long)ph.p_paddr);
		zeros += ph.p_offset - pos + ph.p_filesz - (r && r->size < ph.p_filesz ? r->size :
							    r ? ph.p_filesz : 0);
		if (zeros > KMT_SMEM_MAX_ZEROS && !force) {
			kmt_err("KELF program header %u: over 1 GiB of the core would be zeros the regions don't cover (--force writes it)",
				i);
			ret = KMT_EXIT_LIMIT;
			break;
		}
		ret = kmt_smem_zeros(o, ph.p_offset - pos);
		pos = ph.p_offset;
		if (!r) {
			if (res->missing++ < KMT_SMEM_MAX_REPORT)
				kmt_warn("no APSS region at pa 0x%llx for program header %u: %llu bytes of zeros",
					 (unsigned long long)ph.p_paddr, i,
					 (unsigned long long)ph.p_filesz);
			n = 0;
		} else {
			n = r->size < ph.p_filesz ? r->size : ph.p_filesz;
			if (r->size > ph.p_filesz && res->qdl_differs++ < KMT_SMEM_MAX_REPORT)
				kmt_warn("APSS region %s (pa 0x%llx) is %llu bytes, program header %u only %llu: QDL's minidump.elf would shift every later segment",
					 r->name, (unsigned long long)r->pa,
					 (unsigned long long)r->size, i,
					 (unsigned long long)ph.p_filesz);
			if (!ret)
				ret = kmt_phys_walk(m, r->pa, n, kmt_smem_put, o);
			res->bytes += n;
		}
		if (!ret)
			ret = kmt_smem_zeros(o, ph.p_filesz - n);
		pos += ph.p_filesz;
	}
	free(used);
	return ret;
}

int kmt_smem_core_write(const struct kmt_phys *m, const struct kmt_smem_table *t, bool force,
			struct kmt_stream *o, struct kmt_smem_result *res)
{
	const struct kmt_md_region *kr = NULL;
	struct kmt_kelf k;
	char why[200];
	uint8_t *kelf;
	size_t i;
	int ret;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < t->n && !kr; i++)
		if (!strncmp(t->r[i].name, "KELF", 4))
			kr = &t->r[i];
	if (!kr) {
		kmt_err("the APSS table has no KELF region: not a kminidump (or meminspect) table; nothing to assemble");
		return KMT_EXIT_NOTFOUND;
	}
	if (kr->size > KMT_KELF_MAX) {
		kmt_err("APSS region %s is %llu bytes: too large for a KELF header",
			kr->name, (unsigned long long)kr->size);
		return KMT_EXIT_FORMAT;
	}
	kelf = kmt_malloc(kr->size);
	if (kmt_phys_read(m, kr->pa, kelf, kr->size)) {
		free(kelf);
		return KMT_EXIT_MISSING;	/* the walk checked it: unreachable */
	}
	ret = kmt_kelf_parse(kelf, kr->size, &k, why, sizeof(why));
	if (ret) {
		kmt_err("APSS region %s at pa 0x%llx is not a KELF header: %s", kr->name,
			(unsigned long long)kr->pa, why);
		free(kelf);
		return ret;
	}
	for (i = 0; i < t->n; i++) {
		uint32_t j;
		bool hit = &t->r[i] == kr;
		GElf_Phdr ph;

		for (j = 0; j < k.capacity && !hit; j++) {
			kmt_kelf_phdr(&k, j, &ph);
			hit = ph.p_type == PT_LOAD && ph.p_paddr == t->r[i].pa;
		}
		if (!hit && res->qdl_differs++ < KMT_SMEM_MAX_REPORT)
			kmt_warn("APSS region %s (pa 0x%llx) matches no program header: QDL would take it for the VMCOREINFO tail",
				 t->r[i].name, (unsigned long long)t->r[i].pa);
	}
	ret = kmt_stream_write(o, kelf, kr->size);
	if (!ret)
		ret = kmt_smem_loads(m, t, &k, kr->size, force, o, res);
	free(kelf);
	if (!ret && res->missing)
		ret = KMT_EXIT_PARTIAL;
	return ret;
}
