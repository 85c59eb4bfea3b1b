// SPDX-License-Identifier: GPL-2.0
/*
 * The KELF header as include/uapi/kminidump.h specifies and src/core/kelf.c
 * builds it: ELF64 little-endian ET_CORE, e_phnum = capacity program headers
 * at offset 64, [0] the PT_NOTE whose first note is "KMINIDUMP"/KMD_NT_TABLE
 * holding struct kmd_table and capacity rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "format/kelf.h"
#include "lib/bytes.h"
#include "lib/exitcode.h"

#define EH_SIZE		64
#define PH_SIZE		56
#define NOTE_HDR	12
#define KMT_NOTE_NAMESZ	sizeof(KMD_NOTE_NAME)	/* 10, with the NUL */
#define KMT_KELF_EXTRA_NOTES	64	/* notes beyond the NT_PRSTATUS ones */

static int kmt_why(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int kmt_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return KMT_EXIT_FORMAT;
}

#define TBL(f)	offsetof(struct kmd_table, f)
#define ROW(f)	offsetof(struct kmd_row, f)

int kmt_kelf_parse_table(const uint8_t *d, size_t descsz, struct kmt_kelf *k,
			 char *why, size_t whylen)
{
	if (descsz < sizeof(struct kmd_table))
		return kmt_why(why, whylen, "the table note is %zu bytes, less than a table header (%zu)",
			       descsz, sizeof(struct kmd_table));
	if (memcmp(d + TBL(magic), KMD_TABLE_MAGIC, 8))
		return kmt_why(why, whylen, "wrong table magic (not \"%s\")", KMD_TABLE_MAGIC);
	k->version = kmt_le32(d + TBL(version));
	k->hdr_size = kmt_le32(d + TBL(hdr_size));
	k->row_size = kmt_le32(d + TBL(row_size));
	k->capacity = kmt_le32(d + TBL(capacity));
	k->count = kmt_le32(d + TBL(count));
	k->gen = kmt_le32(d + TBL(gen));
	k->writers = kmt_le32(d + TBL(writers));
	k->kelf_pa = kmt_le64(d + TBL(kelf_pa));
	k->kelf_va = kmt_le64(d + TBL(kelf_va));
	k->kelf_size = kmt_le32(d + TBL(kelf_size));
	k->flags = kmt_le32(d + TBL(flags));
	k->panic_cpu = kmt_le32(d + TBL(panic_cpu));
	k->nr_cpus = kmt_le32(d + TBL(nr_cpus));
	if (k->version != KMD_TABLE_VERSION)
		return kmt_why(why, whylen, "table version %u, this tool reads version %u",
			       k->version, KMD_TABLE_VERSION);
	if (k->hdr_size < sizeof(struct kmd_table) || k->hdr_size > descsz)
		return kmt_why(why, whylen, "table hdr_size %u out of range %zu..%zu",
			       k->hdr_size, sizeof(struct kmd_table), descsz);
	if (k->row_size < sizeof(struct kmd_row) || k->row_size > 4096)
		return kmt_why(why, whylen, "table row_size %u out of range %zu..4096",
			       k->row_size, sizeof(struct kmd_row));
	if (k->capacity < 1 || k->capacity > KMD_MAX_CAPACITY)
		return kmt_why(why, whylen, "table capacity %u out of range 1..%u",
			       k->capacity, KMD_MAX_CAPACITY);
	if ((uint64_t)k->capacity * k->row_size > descsz - k->hdr_size)
		return kmt_why(why, whylen, "%u rows of %u bytes do not fit in the %zu-byte table note",
			       k->capacity, k->row_size, descsz);
	if (k->nr_cpus > KMT_MAX_CPUS)
		return kmt_why(why, whylen, "table nr_cpus %u out of range 0..%u",
			       k->nr_cpus, KMT_MAX_CPUS);
	k->rows = d + k->hdr_size;
	return 0;
}

/*
 * Walks the note chain; every note must lie inside [off, off + size). KELF has
 * the table, NT_PRPSINFO, one NT_PRSTATUS per CPU and VMCOREINFO: more than
 * @max notes is not ours (and would make a hostile page cost more than its table).
 */
static int kmt_kelf_check_notes(const uint8_t *p, uint64_t off, uint64_t size, uint64_t max,
				char *why, size_t whylen)
{
	uint64_t pos = 0, count = 0;

	while (pos < size) {
		uint64_t namesz, descsz, n;

		if (++count > max)
			return kmt_why(why, whylen, "more than %llu notes in PT_NOTE (nr_cpus + %u)",
				       (unsigned long long)max, KMT_KELF_EXTRA_NOTES);

		if (size - pos < NOTE_HDR)
			return kmt_why(why, whylen, "a note header at offset 0x%llx is cut off",
				       (unsigned long long)(off + pos));
		namesz = kmt_le32(p + off + pos);
		descsz = kmt_le32(p + off + pos + 4);
		n = NOTE_HDR + kmt_align_up(namesz, 4) + kmt_align_up(descsz, 4);
		if (n > size - pos)
			return kmt_why(why, whylen, "the note at offset 0x%llx (%llu + %llu bytes) overruns PT_NOTE",
				       (unsigned long long)(off + pos),
				       (unsigned long long)namesz, (unsigned long long)descsz);
		pos += n;
	}
	return 0;
}

/* ELF header and PT_NOTE of a KELF; fills machine, capacity, notes_*. */
static int kmt_kelf_parse_ehdr(const uint8_t *p, size_t len, struct kmt_kelf *k,
			       char *why, size_t whylen)
{
	uint64_t phoff, phend;
	uint16_t phnum;

	if (len < EH_SIZE)
		return kmt_why(why, whylen, "%zu bytes, shorter than an ELF header", len);
	if (memcmp(p, ELFMAG, SELFMAG))
		return kmt_why(why, whylen, "no ELF magic");
	if (p[EI_CLASS] != ELFCLASS64 || p[EI_DATA] != ELFDATA2LSB || p[EI_VERSION] != EV_CURRENT)
		return kmt_why(why, whylen, "not a little-endian ELF64 (class %u, data %u, version %u)",
			       p[EI_CLASS], p[EI_DATA], p[EI_VERSION]);
	if (kmt_le16(p + 16) != ET_CORE)
		return kmt_why(why, whylen, "ELF type %u, not ET_CORE", kmt_le16(p + 16));
	k->machine = kmt_le16(p + 18);
	phoff = kmt_le64(p + 32);
	phnum = kmt_le16(p + 56);
	if (phoff != EH_SIZE || kmt_le16(p + 54) != PH_SIZE)
		return kmt_why(why, whylen, "program headers at %llu of %u bytes, expected at 64 of 56",
			       (unsigned long long)phoff, kmt_le16(p + 54));
	if (phnum < 2 || phnum > KMD_MAX_CAPACITY)
		return kmt_why(why, whylen, "e_phnum %u out of range 2..%u", phnum, KMD_MAX_CAPACITY);
	k->capacity = phnum;
	phend = EH_SIZE + (uint64_t)phnum * PH_SIZE;
	if (phend > len)
		return kmt_why(why, whylen, "%u program headers need %llu bytes, have %zu",
			       phnum, (unsigned long long)phend, len);
	if (kmt_le32(p + EH_SIZE) != PT_NOTE)
		return kmt_why(why, whylen, "program header 0 is type %u, not PT_NOTE",
			       kmt_le32(p + EH_SIZE));
	k->notes_off = kmt_le64(p + EH_SIZE + 8);
	k->notes_size = kmt_le64(p + EH_SIZE + 32);
	if (k->notes_off < phend || !kmt_in_bounds(k->notes_off, k->notes_size, len))
		return kmt_why(why, whylen, "PT_NOTE at 0x%llx, 0x%llx bytes: outside 0x%llx..0x%zx",
			       (unsigned long long)k->notes_off, (unsigned long long)k->notes_size,
			       (unsigned long long)phend, len);
	return 0;
}

/* The first note: "KMINIDUMP"/KMD_NT_TABLE; returns its descriptor. */
static int kmt_kelf_first_note(const uint8_t *p, const struct kmt_kelf *k,
			       const uint8_t **desc, size_t *descsz, char *why, size_t whylen)
{
	const uint8_t *n = p + k->notes_off;
	uint64_t hdr = NOTE_HDR + kmt_align_up(KMT_NOTE_NAMESZ, 4);

	if (k->notes_size < hdr)
		return kmt_why(why, whylen, "PT_NOTE is %llu bytes, too small for the table note",
			       (unsigned long long)k->notes_size);
	if (kmt_le32(n) != KMT_NOTE_NAMESZ || memcmp(n + NOTE_HDR, KMD_NOTE_NAME, KMT_NOTE_NAMESZ))
		return kmt_why(why, whylen, "the first note is not \"%s\"", KMD_NOTE_NAME);
	if (kmt_le32(n + 8) != KMD_NT_TABLE)
		return kmt_why(why, whylen, "the %s note has type %u, not %u", KMD_NOTE_NAME,
			       kmt_le32(n + 8), KMD_NT_TABLE);
	*descsz = kmt_le32(n + 4);
	if (*descsz > k->notes_size - hdr)
		return kmt_why(why, whylen, "the %s note (%zu bytes) overruns PT_NOTE",
			       KMD_NOTE_NAME, *descsz);
	*desc = n + hdr;
	return 0;
}

int kmt_kelf_parse(const uint8_t *p, size_t len, struct kmt_kelf *k, char *why, size_t whylen)
{
	const uint8_t *desc = NULL;
	size_t descsz = 0;
	uint16_t phnum;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = kmt_kelf_parse_ehdr(p, len, k, why, whylen);
	if (ret)
		return ret;
	phnum = k->capacity;
	ret = kmt_kelf_first_note(p, k, &desc, &descsz, why, whylen);
	if (ret)
		return ret;
	ret = kmt_kelf_parse_table(desc, descsz, k, why, whylen);
	if (ret)
		return ret;
	k->table_off = (uint64_t)(desc - p);
	if (k->capacity != phnum)
		return kmt_why(why, whylen, "table capacity %u but %u program headers",
			       k->capacity, phnum);
	if (k->kelf_size % KMT_PAGE || k->kelf_size > KMT_KELF_MAX ||
	    k->kelf_size < k->notes_off + k->notes_size)
		return kmt_why(why, whylen, "kelf_size %u is not a page multiple in 0x%llx..0x%llx",
			       k->kelf_size, (unsigned long long)(k->notes_off + k->notes_size),
			       (unsigned long long)KMT_KELF_MAX);
	if (k->kelf_size > len)
		return kmt_why(why, whylen, "kelf_size %u but only %zu bytes present", k->kelf_size, len);
	ret = kmt_kelf_check_notes(p, k->notes_off, k->notes_size,
				   (uint64_t)k->nr_cpus + KMT_KELF_EXTRA_NOTES, why, whylen);
	if (ret)
		return ret;
	k->data = p;
	return 0;
}

int kmt_kelf_peek(const uint8_t *p, size_t len, uint64_t *need)
{
	struct kmt_kelf k;
	const uint8_t *desc;

	memset(&k, 0, sizeof(k));
	if (len < EH_SIZE + PH_SIZE) {
		*need = EH_SIZE + PH_SIZE;
		return len < EH_SIZE || !memcmp(p, ELFMAG, SELFMAG) ? 1 : -1;
	}
	/*
	 * kmt_kelf_parse_ehdr() reads only the first 120 bytes (ELF header and
	 * program header 0); claiming the largest possible length makes it check
	 * the field values alone. The bounds are checked once everything is read.
	 */
	if (kmt_kelf_parse_ehdr(p, EH_SIZE + PH_SIZE + (uint64_t)KMD_MAX_CAPACITY * PH_SIZE +
				KMT_KELF_MAX, &k, NULL, 0))
		return -1;
	if (k.notes_off > KMT_KELF_MAX)
		return -1;
	if (len < k.notes_off + NOTE_HDR + 12 + sizeof(struct kmd_table)) {
		*need = k.notes_off + NOTE_HDR + 12 + sizeof(struct kmd_table);
		return 1;
	}
	/* the first note's header and the table header, without its rows */
	desc = p + k.notes_off + NOTE_HDR + kmt_align_up(KMT_NOTE_NAMESZ, 4);
	if (kmt_le32(p + k.notes_off) != KMT_NOTE_NAMESZ || kmt_le32(p + k.notes_off + 8) !=
	    KMD_NT_TABLE || memcmp(p + k.notes_off + NOTE_HDR, KMD_NOTE_NAME, KMT_NOTE_NAMESZ) ||
	    memcmp(desc, KMD_TABLE_MAGIC, 8))
		return -1;
	*need = kmt_le32(desc + TBL(kelf_size));
	if (*need < EH_SIZE + PH_SIZE || *need > KMT_KELF_MAX)
		return -1;
	return 0;
}

void kmt_kelf_row(const struct kmt_kelf *k, uint32_t i, struct kmt_rowinfo *r)
{
	const uint8_t *d = k->rows + (size_t)i * k->row_size;

	memset(r, 0, sizeof(*r));
	r->state = kmt_le32(d + ROW(state));
	r->id = kmt_le32(d + ROW(id));
	memcpy(r->name, d + ROW(name), KMD_NAME_LEN);
	memcpy(r->owner, d + ROW(owner), KMD_OWNER_LEN);
	r->flags = kmt_le32(d + ROW(flags));
	r->piece = kmt_le32(d + ROW(piece));
	r->va = kmt_le64(d + ROW(va));
	r->pa = kmt_le64(d + ROW(pa));
	r->size = kmt_le64(d + ROW(size));
	r->room = kmt_le64(d + ROW(room));
	/* names are written by the kernel: show them, but only printable */
	for (size_t j = 0; r->name[j]; j++)
		if (r->name[j] < 0x21 || r->name[j] > 0x7e)
			r->name[j] = '?';
	for (size_t j = 0; r->owner[j]; j++)
		if (r->owner[j] < 0x21 || r->owner[j] > 0x7e)
			r->owner[j] = '?';
}

void kmt_kelf_phdr(const struct kmt_kelf *k, uint32_t i, GElf_Phdr *ph)
{
	const uint8_t *d = k->data + EH_SIZE + (size_t)i * PH_SIZE;

	ph->p_type = kmt_le32(d);
	ph->p_flags = kmt_le32(d + 4);
	ph->p_offset = kmt_le64(d + 8);
	ph->p_vaddr = kmt_le64(d + 16);
	ph->p_paddr = kmt_le64(d + 24);
	ph->p_filesz = kmt_le64(d + 32);
	ph->p_memsz = kmt_le64(d + 40);
	ph->p_align = kmt_le64(d + 48);
}

const char *kmt_row_state_name(uint32_t state)
{
	switch (state) {
	case KMD_ROW_FREE:
		return "FREE";
	case KMD_ROW_VALID:
		return "VALID";
	case KMD_ROW_BUSY:
		return "BUSY";
	}
	return "BAD";
}

void kmt_row_flags_str(const struct kmt_rowinfo *r, char *buf, size_t len)
{
	char s[8], *p = s;

	if (r->flags & KMD_ROW_F_HEADER)
		*p++ = 'H';
	if (r->flags & KMD_ROW_F_MOVABLE)
		*p++ = 'M';
	if (r->flags & KMD_ROW_F_PANIC)
		*p++ = 'P';
	if (r->flags & KMD_ROW_F_BYPA)
		*p++ = 'A';
	if (r->flags & KMD_ROW_F_PARKED)
		*p++ = 'R';
	if (r->state == KMD_ROW_BUSY)
		*p++ = 'B';
	if (p == s)
		*p++ = '-';
	*p = 0;
	snprintf(buf, len, "%s", s);
}

void kmt_table_flags_str(uint32_t flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s",
		 flags & KMD_TABLE_F_LIVE ? "LIVE" : "",
		 (flags & KMD_TABLE_F_LIVE) && (flags & KMD_TABLE_F_PANIC) ? "|" : "",
		 flags & KMD_TABLE_F_PANIC ? "PANIC" : "",
		 flags & (KMD_TABLE_F_LIVE | KMD_TABLE_F_PANIC) ? "" : "none");
	if (flags & ~(KMD_TABLE_F_LIVE | KMD_TABLE_F_PANIC)) {
		size_t n = strlen(buf);

		snprintf(buf + n, len - n, "|0x%x", flags & ~(KMD_TABLE_F_LIVE | KMD_TABLE_F_PANIC));
	}
}
