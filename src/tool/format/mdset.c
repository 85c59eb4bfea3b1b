// SPDX-License-Identifier: GPL-2.0
/*
 * QDL/edl minidump sets: one md_<name><N>.BIN file per region, N the 1-based
 * table order. Concatenated in N order they must form the ELF core the first
 * file's program headers describe.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "format/elfcore.h"
#include "format/kelf.h"
#include "format/mdset.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_MD_MAX_N	1000000

int kmt_md_parse_name(const char *base, size_t *digits_at, size_t *digits_len)
{
	size_t n = strlen(base), end, i;

	if (n < 3 + 1 + 1 + 4 || strncasecmp(base, "md_", 3) || strcasecmp(base + n - 4, ".bin"))
		return -1;
	end = n - 4;
	for (i = end; i > 3 && isdigit((unsigned char)base[i - 1]); i--)
		;
	if (i == end)
		return -1;		/* no N */
	*digits_at = i;
	*digits_len = end - i;
	return 0;
}

/* Possible values of N: suffixes of the digits with no leading zero, name left non-empty. */
static size_t kmt_md_candidates(const struct kmt_mdfile *f, uint32_t *cand, size_t max)
{
	size_t at, len, k, nc = 0;

	if (kmt_md_parse_name(f->base, &at, &len))
		return 0;
	for (k = 1; k <= len && k <= 7 && nc < max; k++) {
		const char *s = f->base + at + len - k;
		unsigned long v = strtoul(s, NULL, 10);	/* stops at the '.' */

		if (*s == '0' || v < 1 || v > KMT_MD_MAX_N)
			continue;
		if (at + len - k <= 3)
			continue;		/* the name would be empty */
		cand[nc++] = v;
	}
	return nc;
}

static int kmt_md_cmp(const void *a, const void *b)
{
	const struct kmt_mdfile *x = a, *y = b;

	return x->n < y->n ? -1 : x->n > y->n;
}

/*
 * Names of the files the KELF's table predicts, by N: N = 1 is KELF, then one
 * per PT_LOAD in table order, named "K" + the first 8 characters of the row's
 * name. NULL when no file is a KELF.
 */
static char (*kmt_md_expected(const struct kmt_mdfile *f, size_t nf, size_t *count))[16]
{
	char (*names)[16], why[200];
	struct kmt_kelf k;
	size_t i, n = 1;

	for (i = 0; i < nf; i++)
		if (!kmt_kelf_parse(f[i].data, f[i].size, &k, why, sizeof(why)))
			break;
	if (i == nf)
		return NULL;
	names = kmt_calloc(k.capacity + 1, sizeof(*names));
	snprintf(names[1], sizeof(names[1]), "KELF");
	for (i = 1; i < k.capacity; i++) {
		struct kmt_rowinfo r;
		GElf_Phdr ph;

		kmt_kelf_phdr(&k, i, &ph);
		if (ph.p_type != PT_LOAD)
			continue;
		kmt_kelf_row(&k, i, &r);
		snprintf(names[++n], sizeof(names[n]), "K%.8s", r.name);
	}
	*count = n;
	return names;
}

/* Keeps the candidates whose name part is the one the table predicts, if any is. */
static void kmt_md_by_table(const struct kmt_mdfile *f, size_t nf, uint32_t (*cand)[8],
			    size_t *nc)
{
	size_t i, j, k, at, len, count = 0;
	char (*names)[16] = kmt_md_expected(f, nf, &count);

	if (!names)
		return;
	for (i = 0; i < nf; i++) {
		uint32_t keep[8];

		if (f[i].n || kmt_md_parse_name(f[i].base, &at, &len))
			continue;
		for (j = k = 0; j < nc[i]; j++) {
			size_t nlen = at + len - 3 - (size_t)snprintf(NULL, 0, "%u", cand[i][j]);

			if (cand[i][j] <= count && strlen(names[cand[i][j]]) == nlen &&
			    !strncmp(f[i].base + 3, names[cand[i][j]], nlen))
				keep[k++] = cand[i][j];
		}
		if (k) {
			memcpy(cand[i], keep, k * sizeof(keep[0]));
			nc[i] = k;
		}
	}
	free(names);
}

/* Assigns N to files left with one choice and drops that N elsewhere; repeats. */
static void kmt_md_propagate(struct kmt_mdfile *f, size_t nf, uint32_t (*cand)[8], size_t *nc)
{
	bool progress = true;
	size_t i, j, k;

	while (progress) {
		progress = false;
		for (i = 0; i < nf; i++) {
			if (f[i].n || nc[i] != 1)
				continue;
			f[i].n = cand[i][0];
			progress = true;
			for (j = 0; j < nf; j++) {
				if (j == i || f[j].n)
					continue;
				for (k = 0; k < nc[j]; ) {
					if (cand[j][k] == f[i].n)
						cand[j][k] = cand[j][--nc[j]];
					else
						k++;
				}
			}
		}
	}
}

static void kmt_md_keep_upto(uint32_t (*cand)[8], size_t *nc, size_t nf, uint32_t max)
{
	size_t i, j, k;

	for (i = 0; i < nf; i++) {
		for (j = k = 0; j < nc[i]; j++)
			if (cand[i][j] <= max)
				cand[i][k++] = cand[i][j];
		nc[i] = k;
	}
}

/*
 * Names ending in digits: the table in the KELF file names the files, else N
 * must lie within 1..nf; narrow the choices until every file has one N.
 */
static int kmt_md_resolve(struct kmt_mdfile *f, size_t nf, uint32_t (*cand)[8], size_t *nc)
{
	char list[200] = "";
	size_t i, bad = 0;

	kmt_md_by_table(f, nf, cand, nc);
	kmt_md_propagate(f, nf, cand, nc);
	for (i = 0; i < nf && !bad; i++)
		bad = !f[i].n;
	if (bad) {
		kmt_md_keep_upto(cand, nc, nf, nf);
		kmt_md_propagate(f, nf, cand, nc);
	}
	for (i = 0, bad = 0; i < nf; i++) {
		if (f[i].n)
			continue;
		if (bad++ < 4)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 bad > 1 ? ", " : "", f[i].base);
	}
	if (bad) {
		kmt_err("can't tell N from the names of %zu files (%s%s): their region names end in digits and no KELF table names them",
			bad, list, bad > 4 ? ", ..." : "");
		return KMT_EXIT_FORMAT;
	}
	return 0;
}

int kmt_md_order(struct kmt_mdfile *f, size_t nf)
{
	uint32_t (*cand)[8] = kmt_calloc(nf, sizeof(*cand));
	size_t *nc = kmt_calloc(nf, sizeof(*nc)), i;
	bool ambiguous = false;
	int ret = 0;

	for (i = 0; i < nf; i++) {
		f[i].n = 0;
		nc[i] = kmt_md_candidates(&f[i], cand[i], 8);
		if (!nc[i]) {
			kmt_err("%s: not an md_<name><N>.BIN file name", f[i].base);
			ret = KMT_EXIT_USAGE;
			goto out;
		}
		if (nc[i] == 1)
			f[i].n = cand[i][0];
		else
			ambiguous = true;
	}
	if (ambiguous) {
		for (i = 0; i < nf; i++)
			f[i].n = 0;
		ret = kmt_md_resolve(f, nf, cand, nc);
		if (ret)
			goto out;
	}
	qsort(f, nf, sizeof(*f), kmt_md_cmp);
	for (i = 0; i < nf; i++) {
		if (i && f[i].n == f[i - 1].n) {
			kmt_err("%s and %s both have N=%u: two regions can't have one table index",
				f[i - 1].base, f[i].base, f[i].n);
			ret = KMT_EXIT_FORMAT;
			goto out;
		}
		if (f[i].n != i + 1) {
			kmt_err("md_*%zu.BIN is missing: the set has %zu files, N goes up to %u",
				i + 1, nf, f[nf - 1].n);
			ret = KMT_EXIT_MISMATCH;
			goto out;
		}
		f[i].off = i ? f[i - 1].off + f[i - 1].size : 0;
	}
out:
	free(cand);
	free(nc);
	return ret;
}

#define KMT_MD_MAX_REPORT	10

/* Mismatches found so far; reported as errors, or as warnings with --force. */
struct kmt_md_rep {
	int bad;
	bool fatal;
};

static void kmt_md_say(bool fatal, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void kmt_md_say(bool fatal, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fatal)
		kmt_err("%s", msg);
	else
		kmt_warn("%s", msg);
}

/* One mismatch: counted always, printed for the first few. */
static void kmt_md_bad(struct kmt_md_rep *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void kmt_md_bad(struct kmt_md_rep *rep, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (++rep->bad > KMT_MD_MAX_REPORT)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kmt_md_say(rep->fatal, "%s", msg);
}

/* The file starting at offset @off, or the one containing it (*inside). */
static const struct kmt_mdfile *kmt_md_at(const struct kmt_mdfile *f, size_t nf, uint64_t off,
					  bool *inside)
{
	size_t i;

	*inside = false;
	for (i = 0; i < nf; i++) {
		if (f[i].off == off && f[i].size)
			return &f[i];
		if (off > f[i].off && off - f[i].off < f[i].size) {
			*inside = true;
			return &f[i];
		}
	}
	return NULL;
}

static void kmt_md_load_name(const struct kmt_kelf *k, bool has_table, size_t i, char *buf,
			     size_t len)
{
	struct kmt_rowinfo r;

	if (has_table && i < k->capacity) {
		kmt_kelf_row(k, i, &r);
		snprintf(buf, len, " '%s'", r.name);
	} else {
		buf[0] = 0;
	}
}

/* One PT_LOAD against the files. */
static void kmt_md_check_load(struct kmt_mdfile *f, size_t nf, uint64_t total, size_t i,
			      const GElf_Phdr *ph, const char *name, unsigned int *claimed,
			      struct kmt_md_rep *rep)
{
	const struct kmt_mdfile *m;
	bool inside;

	m = kmt_md_at(f, nf, ph->p_offset, &inside);
	if (!m) {
		kmt_md_bad(rep, "PT_LOAD %zu%s (pa 0x%llx, 0x%llx bytes) is at offset 0x%llx, past the end of the set (0x%llx bytes)",
			   i, name, (unsigned long long)ph->p_paddr,
			   (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_offset,
			   (unsigned long long)total);
		return;
	}
	if (inside) {
		kmt_md_bad(rep, "PT_LOAD %zu%s (pa 0x%llx) is at offset 0x%llx, inside %s (0x%llx..0x%llx), not where a file starts",
			   i, name, (unsigned long long)ph->p_paddr,
			   (unsigned long long)ph->p_offset, m->base, (unsigned long long)m->off,
			   (unsigned long long)(m->off + m->size));
		return;
	}
	claimed[m - f]++;
	if (m->size < ph->p_filesz) {
		kmt_md_bad(rep, "%s has 0x%zx bytes, PT_LOAD %zu%s (pa 0x%llx) needs 0x%llx",
			   m->base, m->size, i, name, (unsigned long long)ph->p_paddr,
			   (unsigned long long)ph->p_filesz);
		return;
	}
	if (m->size > ph->p_filesz)
		kmt_verbose("%s has 0x%llx bytes more than PT_LOAD %zu%s uses (room)", m->base,
			    (unsigned long long)(m->size - ph->p_filesz), i, name);
}

/* Rows that hold room in the file layout but have no PT_LOAD: the usual cause. */
static void kmt_md_hint_rows(const struct kmt_kelf *k)
{
	uint32_t i;

	for (i = 1; i < k->capacity; i++) {
		struct kmt_rowinfo r;
		GElf_Phdr ph;

		kmt_kelf_row(k, i, &r);
		kmt_kelf_phdr(k, i, &ph);
		if (r.state != KMD_ROW_FREE && r.room &&
		    (ph.p_type != PT_LOAD || r.state != KMD_ROW_VALID))
			kmt_info("note: row %u '%s' is %s%s: the collector may have left it out, but the offsets after it count its 0x%llx bytes of room",
				 i, r.name, kmt_row_state_name(r.state),
				 ph.p_type == PT_LOAD ? " with a PT_LOAD" : " without a PT_LOAD",
				 (unsigned long long)r.room);
	}
}

static int kmt_md_header(struct kmt_mdfile *f, Elf **elf, GElf_Ehdr *eh, size_t *nph)
{
	elf_version(EV_CURRENT);
	*elf = elf_memory((char *)f->data, f->size);
	if (!*elf || elf_kind(*elf) != ELF_K_ELF || !gelf_getehdr(*elf, eh) ||
	    eh->e_type != ET_CORE) {
		kmt_err("%s is not an ELF core header (the first file of a set must be)", f->base);
		return KMT_EXIT_FORMAT;
	}
	return kmt_elf_phnum(*elf, eh, f->size, f->base, KMD_MAX_CAPACITY, nph);
}

int kmt_assemble_check(struct kmt_mdfile *f, size_t nf, bool fatal, int *exitcode)
{
	uint64_t total = f[nf - 1].off + f[nf - 1].size, note_lo = 0, note_hi = 0;
	unsigned int *claimed = kmt_calloc(nf, sizeof(*claimed));
	struct kmt_kelf k;
	char why[200], name[40];
	struct kmt_md_rep rep = { .fatal = fatal };
	bool has_table;
	Elf *elf = NULL;
	GElf_Ehdr eh;
	size_t nph, i;

	*exitcode = kmt_md_header(&f[0], &elf, &eh, &nph);
	if (*exitcode)
		goto out;
	has_table = !kmt_kelf_parse(f[0].data, f[0].size, &k, why, sizeof(why));
	if (has_table && k.kelf_size != f[0].size)
		kmt_md_bad(&rep, "%s has 0x%zx bytes, its table says kelf_size 0x%x", f[0].base,
			   f[0].size, k.kelf_size);
	kmt_verbose("%s: %s, %zu program headers", f[0].base,
		    has_table ? "KELF with a KMINIDUMP table" : "ELF core header", nph);
	claimed[0] = 1;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, i, &ph)) {
			kmt_err("%s: Can't read program header %zu. %s", f[0].base, i, elf_errmsg(-1));
			*exitcode = KMT_EXIT_FORMAT;
			goto out;
		}
		if (ph.p_type == PT_NOTE) {
			char range[80];

			note_lo = ph.p_offset;
			note_hi = ph.p_offset + ph.p_filesz;
			if (note_hi < note_lo || note_hi > total)
				kmt_md_bad(&rep, "PT_NOTE %zu at offsets %s runs past the end of the set (0x%llx bytes)",
					   i, kmt_range_str(range, sizeof(range), ph.p_offset,
							    ph.p_filesz),
					   (unsigned long long)total);
			continue;
		}
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		kmt_md_load_name(&k, has_table, i, name, sizeof(name));
		kmt_md_check_load(f, nf, total, i, &ph, name, claimed, &rep);
	}
	for (i = 1; i < nf; i++) {
		bool in_note = f[i].off >= note_lo && f[i].off + f[i].size <= note_hi;

		if (!claimed[i] && !in_note && f[i].size)
			kmt_md_bad(&rep, "%s (0x%zx bytes at offset 0x%llx) is described by no program header",
				   f[i].base, f[i].size, (unsigned long long)f[i].off);
	}
	if (rep.bad > KMT_MD_MAX_REPORT)
		kmt_md_say(fatal, "... and %d more mismatch%s", rep.bad - KMT_MD_MAX_REPORT,
			   rep.bad - KMT_MD_MAX_REPORT > 1 ? "es" : "");
	if (rep.bad && has_table)
		kmt_md_hint_rows(&k);
	if (rep.bad)
		*exitcode = KMT_EXIT_MISMATCH;
out:
	if (elf)
		elf_end(elf);
	free(claimed);
	return rep.bad;
}
