// SPDX-License-Identifier: GPL-2.0
/*
 * An ELF core in memory, read through libelf: program headers, notes (the
 * VMCOREINFO text, the KMINIDUMP table when present), and reads by virtual or
 * physical address across PT_LOADs. Works on any ELF core (kminidump,
 * kmemdump, QEMU, kdump), not only on the KELF layout.
 */
#include <stdlib.h>
#include <string.h>
#include "format/elfcore.h"
#include "lib/bytes.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_MAX_CORE_PHDRS	(1u << 20)
#define KMT_MAX_NOTES		(1u << 20)

struct kmt_span {
	uint64_t start, len;
	uint64_t off;		/* in the file */
	uint64_t maxend;	/* the highest end of this span and every one sorted before it */
};

/* Sorted lookup tables built at open; kept outside struct kmt_core's public part. */
struct kmt_core_index {
	struct kmt_span *va, *pa;
	size_t nva, npa;
};

static int kmt_span_cmp(const void *a, const void *b)
{
	const struct kmt_span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void kmt_span_sort(struct kmt_span *s, size_t n)
{
	uint64_t max = 0;
	size_t i;

	if (n > 1)
		qsort(s, n, sizeof(*s), kmt_span_cmp);
	for (i = 0; i < n; i++) {
		if (s[i].start + s[i].len > max)
			max = s[i].start + s[i].len;
		s[i].maxend = max;
	}
}

static void kmt_core_add_note(struct kmt_core *c, const char *name, uint32_t type,
			      const uint8_t *desc, size_t descsz, uint64_t off)
{
	struct kmt_note *n;

	if (c->nnotes == c->notes_cap) {	/* doubling: a million notes cost O(n) copies */
		c->notes_cap = c->notes_cap ? c->notes_cap * 2 : 64;
		c->notes = kmt_realloc(c->notes, c->notes_cap * sizeof(*c->notes));
	}
	n = &c->notes[c->nnotes++];
	n->name = name;
	n->type = type;
	n->desc = desc;
	n->descsz = descsz;
	n->offset = off;
}

static void kmt_core_notes_in(struct kmt_core *c, const GElf_Phdr *ph, size_t idx)
{
	uint64_t size = ph->p_filesz;
	size_t off = 0, next, name_off, desc_off;
	Elf_Data *d;
	GElf_Nhdr nh;

	if (!kmt_in_bounds(ph->p_offset, size, c->size)) {
		if (ph->p_offset >= c->size) {
			kmt_warn("%s: PT_NOTE %zu at 0x%llx is past the end of the file", c->path,
				 idx, (unsigned long long)ph->p_offset);
			return;
		}
		kmt_warn("%s: PT_NOTE %zu is cut off by the end of the file", c->path, idx);
		size = c->size - ph->p_offset;
	}
	if (!size)
		return;
	d = elf_getdata_rawchunk(c->elf, ph->p_offset, size, ELF_T_NHDR);
	if (!d) {
		kmt_warn("%s: can't read PT_NOTE %zu. %s", c->path, idx, elf_errmsg(-1));
		return;
	}
	while (off < d->d_size) {
		const char *name = "";
		const uint8_t *b = d->d_buf;

		next = gelf_getnote(d, off, &nh, &name_off, &desc_off);
		if (!next) {
			/* trailing zero padding is common; anything else is damage */
			size_t j;

			for (j = off; j < d->d_size && !b[j]; j++)
				;
			if (j < d->d_size)
				kmt_warn("%s: malformed note at file offset 0x%llx; notes after it are ignored",
					 c->path, (unsigned long long)(ph->p_offset + off));
			break;
		}
		if (c->nnotes == KMT_MAX_NOTES) {
			if (!c->notes_dropped++)
				kmt_warn("%s: more than %u notes; the notes from file offset 0x%llx on are ignored",
					 c->path, KMT_MAX_NOTES,
					 (unsigned long long)(ph->p_offset + off));
			break;
		}
		if (nh.n_namesz && b[name_off + nh.n_namesz - 1] == 0)
			name = (const char *)b + name_off;
		kmt_core_add_note(c, name, nh.n_type, b + desc_off, nh.n_descsz,
				  ph->p_offset + desc_off);
		off = next;
	}
}

static void kmt_core_find_special(struct kmt_core *c)
{
	char why[200];
	size_t i;

	for (i = 0; i < c->nnotes; i++) {
		const struct kmt_note *n = &c->notes[i];

		if (!c->has_vmci && !strcmp(n->name, "VMCOREINFO")) {
			kmt_vmci_init(&c->vmci, n->desc, n->descsz);
			c->has_vmci = true;
		} else if (!c->has_table && !strcmp(n->name, KMD_NOTE_NAME) &&
			   n->type == KMD_NT_TABLE) {
			if (kmt_kelf_parse_table(n->desc, n->descsz, &c->table, why, sizeof(why)))
				kmt_warn("%s: the %s table note is unusable: %s", c->path,
					 KMD_NOTE_NAME, why);
			else
				c->has_table = true;
		}
	}
}

static void kmt_core_build_index(struct kmt_core *c)
{
	struct kmt_core_index *x = kmt_calloc(1, sizeof(*x));
	size_t i;

	x->va = kmt_calloc(c->nphdr, sizeof(*x->va));
	x->pa = kmt_calloc(c->nphdr, sizeof(*x->pa));
	for (i = 0; i < c->nphdr; i++) {
		const GElf_Phdr *ph = &c->phdr[i];
		uint64_t len = ph->p_filesz;

		if (ph->p_type != PT_LOAD || !len || ph->p_offset >= c->size)
			continue;
		if (len > c->size - ph->p_offset)
			len = c->size - ph->p_offset;	/* a truncated core: keep what is there */
		if (ph->p_vaddr && ph->p_vaddr + len > ph->p_vaddr)
			x->va[x->nva++] = (struct kmt_span){ ph->p_vaddr, len, ph->p_offset, 0 };
		if (ph->p_paddr + len > ph->p_paddr)
			x->pa[x->npa++] = (struct kmt_span){ ph->p_paddr, len, ph->p_offset, 0 };
	}
	kmt_span_sort(x->va, x->nva);
	kmt_span_sort(x->pa, x->npa);
	c->index = x;
}

int kmt_elf_phnum(Elf *elf, const GElf_Ehdr *eh, size_t size, const char *path, size_t max,
		  size_t *n)
{
	size_t declared = eh->e_phnum;

	if (elf_getphdrnum(elf, n)) {
		kmt_err("%s: Can't read the program headers. %s", path, elf_errmsg(-1));
		return KMT_EXIT_FORMAT;
	}
	if (declared == PN_XNUM)
		declared = *n;		/* from section header 0; libelf checked it */
	if (*n > max) {
		kmt_err("%s has %zu program headers, more than %zu", path, *n, max);
		return KMT_EXIT_FORMAT;
	}
	/* libelf quietly drops program headers past the end of the file */
	if (*n < declared || (declared && (eh->e_phentsize != gelf_fsize(elf, ELF_T_PHDR, 1,
								       EV_CURRENT) ||
		!kmt_in_bounds(eh->e_phoff, (uint64_t)declared * eh->e_phentsize, size)))) {
		kmt_err("%s is truncated or damaged: %zu program headers of %u bytes at 0x%llx do not fit in its %zu bytes",
			path, declared, eh->e_phentsize, (unsigned long long)eh->e_phoff, size);
		return KMT_EXIT_FORMAT;
	}
	return 0;
}

static int kmt_core_signature(const uint8_t *d, size_t size, const char *path)
{
	if (size >= 8 && !memcmp(d, "KDUMP   ", 8)) {
		kmt_err("%s is in the compressed kdump format; this tool reads ELF cores (makedumpfile -E)",
			path);
		return KMT_EXIT_FORMAT;
	}
	if (size < SELFMAG || memcmp(d, ELFMAG, SELFMAG)) {
		kmt_err("%s is not an ELF file (wrong magic)", path);
		return KMT_EXIT_FORMAT;
	}
	return 0;
}

int kmt_core_open(struct kmt_core *c, const char *path, uint8_t *data, size_t size)
{
	GElf_Ehdr eh;
	size_t i;
	int ret;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->data = data;
	c->size = size;
	ret = kmt_core_signature(data, size, path);
	if (ret)
		return ret;
	elf_version(EV_CURRENT);
	c->elf = elf_memory((char *)data, size);
	if (!c->elf || elf_kind(c->elf) != ELF_K_ELF || !gelf_getehdr(c->elf, &eh)) {
		kmt_err("%s: Can't read the ELF header. %s", path, elf_errmsg(-1));
		kmt_core_close(c);
		return KMT_EXIT_FORMAT;
	}
	if (eh.e_type != ET_CORE) {
		kmt_err("%s is an ELF file of type %u, not a core (ET_CORE)", path, eh.e_type);
		kmt_core_close(c);
		return KMT_EXIT_FORMAT;
	}
	c->machine = eh.e_machine;
	c->big_endian = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	ret = kmt_elf_phnum(c->elf, &eh, size, path, KMT_MAX_CORE_PHDRS, &c->nphdr);
	if (ret) {
		kmt_core_close(c);
		return ret;
	}
	c->phdr = kmt_calloc(c->nphdr, sizeof(*c->phdr));
	for (i = 0; i < c->nphdr; i++) {
		if (!gelf_getphdr(c->elf, i, &c->phdr[i])) {
			kmt_err("%s: Can't read program header %zu. %s", path, i, elf_errmsg(-1));
			kmt_core_close(c);
			return KMT_EXIT_FORMAT;
		}
		if (c->phdr[i].p_type == PT_NOTE)
			kmt_core_notes_in(c, &c->phdr[i], i);
	}
	kmt_core_find_special(c);
	kmt_core_build_index(c);
	return 0;
}

void kmt_core_close(struct kmt_core *c)
{
	struct kmt_core_index *x = c->index;

	if (x) {
		free(x->va);
		free(x->pa);
		free(x);
	}
	if (c->elf)
		elf_end(c->elf);
	free(c->phdr);
	free(c->notes);
	memset(c, 0, sizeof(*c));
}

/* The span holding @addr, or NULL. */
static const struct kmt_span *kmt_span_find(const struct kmt_span *s, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* overlapping spans are rare: look back a little first */
	for (i = lo; i > 0 && lo - i < 8; i--)
		if (addr - s[i - 1].start < s[i - 1].len)
			return &s[i - 1];
	/*
	 * Then any number of them: the first span whose running maximum end passes
	 * @addr holds it (it starts at or below @addr and ends above it).
	 */
	if (!lo || s[lo - 1].maxend <= addr)
		return NULL;
	for (hi = lo - 1, lo = 0; lo < hi; ) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid].maxend > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &s[lo];
}

static int kmt_core_read(const struct kmt_core *c, const struct kmt_span *s, size_t n,
			 uint64_t addr, void *buf, size_t len)
{
	uint8_t *dst = buf;

	while (len) {
		const struct kmt_span *sp = kmt_span_find(s, n, addr);
		uint64_t off, k;

		if (!sp)
			return -1;
		off = addr - sp->start;
		k = sp->len - off < len ? sp->len - off : len;
		memcpy(dst, c->data + sp->off + off, k);
		dst += k;
		addr += k;
		len -= k;
		if (len && !addr)
			return -1;	/* wrapped around */
	}
	return 0;
}

int kmt_core_read_va(const struct kmt_core *c, uint64_t va, void *buf, size_t len)
{
	return kmt_core_read(c, c->index->va, c->index->nva, va, buf, len);
}

int kmt_core_read_pa(const struct kmt_core *c, uint64_t pa, void *buf, size_t len)
{
	return kmt_core_read(c, c->index->pa, c->index->npa, pa, buf, len);
}

uint64_t kmt_core_load_bytes(const struct kmt_core *c, size_t *n)
{
	uint64_t bytes = 0;
	size_t i, loads = 0;

	for (i = 0; i < c->nphdr; i++) {
		if (c->phdr[i].p_type == PT_LOAD) {
			loads++;
			bytes += c->phdr[i].p_filesz;
		}
	}
	if (n)
		*n = loads;
	return bytes;
}
