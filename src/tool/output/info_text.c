// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump info, as text: a list of sections, each printed by one small
 * function; a new section is one more function and one more line in
 * kmt_info_sections[]. The panic section is info_panic.c.
 */
#include <string.h>
#include <time.h>
#include "format/elfcore.h"
#include "lib/bytes.h"
#include "output/info.h"

const char *kmt_machine_name(uint16_t m)
{
	switch (m) {
	case EM_X86_64:
		return "x86_64";
	case EM_AARCH64:
		return "aarch64";
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_RISCV:
		return "riscv";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390";
	}
	return "unknown";
}

static void kmt_info_core(const struct kmt_info_ctx *x)
{
	const struct kmt_core *c = x->c;
	size_t loads;

	kmt_core_load_bytes(c, &loads);
	fprintf(x->out, "core: %s, %zu bytes, %s (machine %u%s), %zu program headers, %zu PT_LOAD\n",
		c->path, c->size, kmt_machine_name(c->machine), c->machine,
		c->big_endian ? ", big-endian" : "", c->nphdr, loads);
}

static void kmt_info_table(const struct kmt_info_ctx *x)
{
	const struct kmt_kelf *k = &x->c->table;
	char flags[40];

	if (!x->c->has_table) {
		fprintf(x->out, "kminidump table: none (not a kminidump core)\n");
		return;
	}
	kmt_table_flags_str(k->flags, flags, sizeof(flags));
	fprintf(x->out, "kminidump table: version %u, %u rows (%u in use), generation %u, flags %s",
		k->version, k->capacity, k->count, k->gen, flags);
	if (k->flags & KMD_TABLE_F_PANIC)
		fprintf(x->out, ", panic_cpu %u", k->panic_cpu);
	fprintf(x->out, "\n  KELF: pa 0x%llx, va 0x%llx, %u bytes; nr_cpus %u\n",
		(unsigned long long)k->kelf_pa, (unsigned long long)k->kelf_va, k->kelf_size,
		k->nr_cpus);
}

/* "  symbol+0xoff" for a kernel image address, or "". */
static void kmt_info_symbol(const struct kmt_info_ctx *x, uint64_t va, char *buf, size_t len)
{
	const struct kmt_sym *s;
	uint64_t a = va - x->kaslr;

	buf[0] = 0;
	if (!x->syms || !x->syms->n || !va)
		return;
	if (!x->img_lo || !x->img_hi || a < x->img_lo || a >= x->img_hi)
		return;		/* linear map, vmalloc, modules: not in System.map */
	s = kmt_symtab_lookup(x->syms, a);
	if (!s)
		return;
	if (a == s->addr)
		snprintf(buf, len, "  %s", s->name);
	else
		snprintf(buf, len, "  %s+0x%llx", s->name, (unsigned long long)(a - s->addr));
}

static void kmt_info_line(FILE *out, size_t i, const char *name, uint64_t va, uint64_t pa,
			  uint64_t size, const char *flags, const char *extra)
{
	char line[800];
	size_t n;

	snprintf(line, sizeof(line), "  %4zu  %-15s 0x%016llx 0x%016llx %10llu  %-5s%s", i, name,
		 (unsigned long long)va, (unsigned long long)pa, (unsigned long long)size, flags,
		 extra);
	n = strlen(line);
	while (n && line[n - 1] == ' ')
		line[--n] = 0;
	fprintf(out, "%s\n", line);
}

/* A program header and, for kminidump cores, its row. */
static void kmt_info_region(const struct kmt_info_ctx *x, size_t i, const GElf_Phdr *ph)
{
	const struct kmt_core *c = x->c;
	struct kmt_rowinfo r = { .state = KMD_ROW_VALID };
	char flags[16], sym[600], extra[640];
	const char *note = "";
	bool row = c->has_table && i < c->table.capacity;

	if (row)
		kmt_kelf_row(&c->table, i, &r);
	if (ph->p_type != PT_LOAD) {
		if (!row || r.state == KMD_ROW_FREE)
			return;
		kmt_row_flags_str(&r, flags, sizeof(flags));
		note = i == 0 ? "  (this header)" :
		       r.state == KMD_ROW_BUSY ? "  (not in core: BUSY)" :
		       r.flags & KMD_ROW_F_PARKED ? "  (parked: reserved, not filled)" :
		       "  (not in core)";
		kmt_info_line(x->out, i, r.name, r.va, r.pa, r.size, flags, note);
		return;
	}
	if (row)
		kmt_row_flags_str(&r, flags, sizeof(flags));
	else
		snprintf(flags, sizeof(flags), "-");
	if (!kmt_in_bounds(ph->p_offset, ph->p_filesz, c->size))
		note = "  (truncated)";
	kmt_info_symbol(x, ph->p_vaddr, sym, sizeof(sym));
	snprintf(extra, sizeof(extra), "%s%s", sym, note);
	kmt_info_line(x->out, i, row ? r.name : "-", ph->p_vaddr, ph->p_paddr, ph->p_filesz,
		      flags, extra);
}

static void kmt_info_regions(const struct kmt_info_ctx *x)
{
	size_t i;

	fprintf(x->out, "regions:\n  %4s  %-15s %-18s %-18s %10s  %s\n", "idx", "name", "va", "pa",
		"size", "flags");
	for (i = 0; i < x->c->nphdr; i++)
		kmt_info_region(x, i, &x->c->phdr[i]);
}

static bool kmt_all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static int32_t kmt_core_s32(const struct kmt_core *c, const uint8_t *p)
{
	uint32_t v = c->big_endian ? (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]
				   : kmt_le32(p);

	return (int32_t)v;
}

static void kmt_info_prstatus(const struct kmt_info_ctx *x)
{
	const struct kmt_core *c = x->c;
	size_t i, cpu = 0, n = 0, nz = 0;
	bool is64 = gelf_getclass(c->elf) == ELFCLASS64;
	size_t pid_off = is64 ? 32 : 24;

	for (i = 0; i < c->nnotes; i++)
		n += !strcmp(c->notes[i].name, "CORE") && c->notes[i].type == NT_PRSTATUS;
	if (!n)
		return;
	fprintf(x->out, "  CORE NT_PRSTATUS: %zu (one per CPU)", n);
	for (i = 0; i < c->nnotes; i++) {
		const struct kmt_note *t = &c->notes[i];

		if (strcmp(t->name, "CORE") || t->type != NT_PRSTATUS)
			continue;
		if (!kmt_all_zero(t->desc, t->descsz)) {
			fprintf(x->out, "%s cpu %zu", nz++ ? "," : "; filled:", cpu);
			if (t->descsz >= pid_off + 4)
				fprintf(x->out, " pid %d", kmt_core_s32(c, t->desc + pid_off));
		}
		cpu++;
	}
	fprintf(x->out, "%s\n", nz ? "" : "; all empty");
}

static void kmt_info_prpsinfo(const struct kmt_info_ctx *x, const struct kmt_note *t)
{
	/* struct elf_prpsinfo (64-bit): pr_fname[16] at 40, pr_psargs[80] at 56 */
	char fname[17] = "", args[81] = "";
	size_t j;

	if (t->descsz >= 136) {
		memcpy(fname, t->desc + 40, 16);
		memcpy(args, t->desc + 56, 80);
	}
	for (j = 0; fname[j]; j++)
		if (fname[j] < 0x20 || fname[j] > 0x7e)
			fname[j] = '?';
	for (j = 0; args[j]; j++)
		if (args[j] < 0x20 || args[j] > 0x7e)
			args[j] = '?';
	fprintf(x->out, "  CORE NT_PRPSINFO: fname \"%s\", psargs \"%s\"\n", fname, args);
}

static void kmt_info_notes(const struct kmt_info_ctx *x)
{
	const struct kmt_core *c = x->c;
	bool prstatus_done = false;
	size_t i;

	fprintf(x->out, "notes: %zu\n", c->nnotes);
	for (i = 0; i < c->nnotes; i++) {
		const struct kmt_note *t = &c->notes[i];
		char name[24];
		size_t j;

		if (!strcmp(t->name, "CORE") && t->type == NT_PRSTATUS) {
			if (!prstatus_done)
				kmt_info_prstatus(x);
			prstatus_done = true;
		} else if (!strcmp(t->name, "CORE") && t->type == NT_PRPSINFO) {
			kmt_info_prpsinfo(x, t);
		} else if (!strcmp(t->name, "VMCOREINFO")) {
			struct kmt_vmci v;

			kmt_vmci_init(&v, t->desc, t->descsz);
			fprintf(x->out, "  VMCOREINFO: %zu lines, %zu bytes of text in %zu\n",
				kmt_vmci_lines(&v), v.len, t->descsz);
		} else {
			snprintf(name, sizeof(name), "%s", t->name);
			for (j = 0; name[j]; j++)
				if (name[j] < 0x20 || name[j] > 0x7e)
					name[j] = '?';
			fprintf(x->out, "  %s type %u: %zu bytes%s\n", name[0] ? name : "(no name)",
				t->type, t->descsz,
				!strcmp(t->name, KMD_NOTE_NAME) && t->type == KMD_NT_TABLE ?
				" (region table)" : "");
		}
	}
}

static void kmt_info_vmci_key(const struct kmt_info_ctx *x, const char *key)
{
	size_t n, j;
	const char *v = kmt_vmci_get(&x->c->vmci, key, &n);

	if (!v)
		return;
	fprintf(x->out, "  %s=", key);
	for (j = 0; j < n && j < 512; j++)
		fputc(v[j] >= 0x20 && v[j] <= 0x7e ? v[j] : '?', x->out);
	if (!strcmp(key, "CRASHTIME")) {
		uint64_t t;
		struct tm tm;
		char date[64];

		if (!kmt_vmci_num(&x->c->vmci, key, 10, &t) && t < (1ULL << 40)) {
			time_t tt = (time_t)t;

			if (gmtime_r(&tt, &tm) &&
			    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm))
				fprintf(x->out, " (%s)", date);
		}
	}
	fputc('\n', x->out);
}

static void kmt_info_vmcoreinfo(const struct kmt_info_ctx *x)
{
	static const char *const keys[] = {
		"OSRELEASE", "BUILD-ID", "PAGESIZE", "KERNELOFFSET", "CRASHTIME", "PANIC_MESSAGE",
		"KMINIDUMP_PARTIAL", "KMINIDUMP_UNSTABLE",
	};
	size_t i;

	if (!x->c->has_vmci) {
		fprintf(x->out, "vmcoreinfo: none\n");
		return;
	}
	fprintf(x->out, "vmcoreinfo: %zu lines\n", kmt_vmci_lines(&x->c->vmci));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		kmt_info_vmci_key(x, keys[i]);
}

/* KMINIDUMP_SOURCE(region)=...: which sources kminidump_kernel found each region with */
static void kmt_info_sources(const struct kmt_info_ctx *x)
{
	static const char key[] = "KMINIDUMP_SOURCE(";
	const struct kmt_vmci *v = &x->c->vmci;
	const char *p, *end;
	bool head = false;

	if (!x->c->has_vmci)
		return;
	for (p = v->text, end = v->text + v->len; p < end; ) {
		const char *nl = memchr(p, '\n', end - p), *eol = nl ? nl : end;
		const char *close = memchr(p, ')', eol - p);
		size_t k = sizeof(key) - 1, j;

		if ((size_t)(eol - p) > k && !memcmp(p, key, k) && close && close + 1 < eol &&
		    close[1] == '=') {
			if (!head)
				fprintf(x->out, "sources (where kminidump_kernel found each region):\n");
			head = true;
			fprintf(x->out, "  %-16.*s ", (int)(close - p - k < 64 ? close - p - k : 64),
				p + k);
			for (j = 0; close + 2 + j < eol && j < 128; j++)
				fputc(close[2 + j] >= 0x20 && close[2 + j] <= 0x7e ? close[2 + j] : '?',
				      x->out);
			fputc('\n', x->out);
		}
		p = eol + 1;
	}
}

static void kmt_info_total(const struct kmt_info_ctx *x)
{
	size_t n;
	uint64_t bytes = kmt_core_load_bytes(x->c, &n);

	fprintf(x->out, "total: %zu regions, %llu bytes of region data, %zu bytes in the file\n", n,
		(unsigned long long)bytes, x->c->size);
}

static void (*const kmt_info_sections[])(const struct kmt_info_ctx *) = {
	kmt_info_core,
	kmt_info_table,
	kmt_info_regions,
	kmt_info_notes,
	kmt_info_vmcoreinfo,
	kmt_info_sources,
	kmt_info_panic,
	kmt_info_total,
};

int kmt_info_print(const struct kmt_info_ctx *x)
{
	size_t i;

	for (i = 0; i < sizeof(kmt_info_sections) / sizeof(kmt_info_sections[0]); i++)
		kmt_info_sections[i](x);
	return 0;
}
