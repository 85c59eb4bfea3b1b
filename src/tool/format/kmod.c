// SPDX-License-Identifier: GPL-2.0
/* Module symbols from a .ko at given section addresses (format/kmod.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gelf.h>
#include "format/elfcore.h"
#include "format/kmod.h"
#include "format/vmcoreinfo.h"
#include "../../../include/uapi/kminidump_modules.h"
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_KMOD_MAX_SECTIONS	64
#define KMT_KMOD_MAX_SYMS	(1u << 20)

/* "SECTION=ADDR,SECTION=ADDR" into m->sec (sizes and text flags come from the file). */
static int kmt_kmod_sections(struct kmt_kmod *m, const char *list, const char *spec)
{
	char *copy = kmt_strdup(list), *save = NULL, *tok;
	int ret = 0;

	for (tok = strtok_r(copy, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		uint64_t addr;

		if (!eq || eq == tok || kmt_parse_u64(eq + 1, &addr)) {
			kmt_err("--module %s: expected SECTION=ADDR, got '%s'", spec, tok);
			ret = KMT_EXIT_USAGE;
		} else if (m->nsec == KMT_KMOD_MAX_SECTIONS) {
			kmt_err("--module %s: more than %d sections", spec, KMT_KMOD_MAX_SECTIONS);
			ret = KMT_EXIT_USAGE;
		} else {
			*eq = 0;
			m->sec = kmt_realloc(m->sec, (m->nsec + 1) * sizeof(*m->sec));
			m->sec[m->nsec++] = (struct kmt_kmod_section){ .name = kmt_strdup(tok),
								       .addr = addr };
		}
	}
	free(copy);
	if (!ret && !m->nsec) {
		kmt_err("--module %s: give at least one SECTION=ADDR", spec);
		ret = KMT_EXIT_USAGE;
	}
	return ret;
}

/* The given section called @name, or NULL. */
static struct kmt_kmod_section *kmt_kmod_sec(struct kmt_kmod *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nsec; i++)
		if (!strcmp(m->sec[i].name, name))
			return &m->sec[i];
	return NULL;
}

static void kmt_kmod_add(struct kmt_kmod *m, const char *name, uint64_t addr, uint64_t size,
			 char type)
{
	struct kmt_symtab *t = &m->syms;
	size_t len = strlen(name) + 1;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->s = kmt_realloc(t->s, t->cap * sizeof(*t->s));
	}
	t->s[t->n++] = (struct kmt_sym){ .addr = addr, .type = type,
					 .name = memcpy(kmt_malloc(len), name, len),
					 .module = true, .size = size };
}

/* Section sizes and flags, then the symbols of the sections given. */
static int kmt_kmod_read(struct kmt_kmod *m, Elf *elf, size_t nsh)
{
	struct kmt_kmod_section **map = kmt_calloc(nsh, sizeof(*map));
	size_t shstrndx, i, found = 0;
	Elf_Scn *scn = NULL;
	int ret = 0;

	if (elf_getshdrstrndx(elf, &shstrndx)) {
		kmt_err("%s: no section name table. %s", m->path, elf_errmsg(-1));
		free(map);
		return KMT_EXIT_FORMAT;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || elf_ndxscn(scn) >= nsh)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		map[elf_ndxscn(scn)] = name ? kmt_kmod_sec(m, name) : NULL;
		if (map[elf_ndxscn(scn)]) {
			map[elf_ndxscn(scn)]->size = sh.sh_size;
			map[elf_ndxscn(scn)]->text = sh.sh_flags & SHF_EXECINSTR;
			found++;
		}
	}
	for (i = 0; i < m->nsec; i++)
		if (!m->sec[i].size)
			kmt_warn("%s has no section %s (or it is empty): ignored", m->path,
				 m->sec[i].name);
	scn = NULL;
	while (found && (scn = elf_nextscn(elf, scn)) && !ret) {
		Elf_Data *d;
		GElf_Shdr sh;
		size_t n, j;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = d ? d->d_size / sh.sh_entsize : 0;
		if (n > KMT_KMOD_MAX_SYMS) {
			kmt_err("%s: %zu symbols, more than %u", m->path, n, KMT_KMOD_MAX_SYMS);
			ret = KMT_EXIT_FORMAT;
			break;
		}
		for (j = 0; j < n; j++) {
			const struct kmt_kmod_section *s;
			const char *name;
			GElf_Sym sym;
			int type;

			if (!gelf_getsym(d, j, &sym) || sym.st_shndx >= nsh || !map[sym.st_shndx])
				continue;
			type = GELF_ST_TYPE(sym.st_info);
			if (type != STT_FUNC && type != STT_OBJECT)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			s = map[sym.st_shndx];
			if (!name || !*name || sym.st_value >= s->size)
				continue;
			kmt_kmod_add(m, name, s->addr + sym.st_value, sym.st_size,
				     type == STT_FUNC ? 't' : 'd');
		}
	}
	free(map);
	return ret;
}

int kmt_kmod_load(struct kmt_kmod *m, const char *spec)
{
	const char *eq = strchr(spec, '='), *colon = NULL, *p, *base;
	struct kmt_file f;
	GElf_Ehdr eh;
	size_t nsh, n;
	Elf *elf;
	int ret;

	memset(m, 0, sizeof(*m));
	for (p = spec; eq && p < eq; p++)	/* the last ':' before the first '=' */
		if (*p == ':')
			colon = p;
	if (!colon || colon == spec) {
		kmt_err("--module %s: expected FILE.ko:SECTION=ADDR[,SECTION=ADDR...]", spec);
		return KMT_EXIT_USAGE;
	}
	m->path = kmt_malloc(colon - spec + 1);
	memcpy(m->path, spec, colon - spec);
	m->path[colon - spec] = 0;
	base = strrchr(m->path, '/') ? strrchr(m->path, '/') + 1 : m->path;
	n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".ko"))
		n -= 3;
	snprintf(m->name, sizeof(m->name), "%.*s", (int)n, base);
	ret = kmt_kmod_sections(m, colon + 1, spec);
	if (ret)
		return ret;
	ret = kmt_file_map(&f, m->path);
	if (ret) {
		kmt_file_unmap(&f);
		return ret;
	}
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)f.data, f.size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) || eh.e_type != ET_REL ||
	    elf_getshdrnum(elf, &nsh)) {
		kmt_err("%s is not a kernel module (an ELF relocatable file)", m->path);
		ret = KMT_EXIT_FORMAT;
	} else {
		ret = kmt_kmod_read(m, elf, nsh);
	}
	if (elf)
		elf_end(elf);
	kmt_file_unmap(&f);
	if (!ret)
		kmt_symtab_sort_addr(&m->syms);
	return ret;
}

void kmt_kmod_free(struct kmt_kmod *m)
{
	size_t i;

	for (i = 0; i < m->nsec; i++)
		free(m->sec[i].name);
	for (i = 0; i < m->syms.n; i++)
		free(m->syms.s[i].name);
	free(m->sec);
	free(m->syms.s);
	free(m->path);
	memset(m, 0, sizeof(*m));
}

static const struct kmt_kmod_section *kmt_kmod_in(const struct kmt_kmod *m, uint64_t addr)
{
	size_t i;

	for (i = 0; i < m->nsec; i++)
		if (m->sec[i].size && addr >= m->sec[i].addr &&
		    addr - m->sec[i].addr < m->sec[i].size)
			return &m->sec[i];
	return NULL;
}

const struct kmt_sym *kmt_kmod_lookup(const struct kmt_kmod *m, uint64_t addr)
{
	const struct kmt_kmod_section *s = kmt_kmod_in(m, addr);
	const struct kmt_sym *sym;

	if (!s)
		return NULL;
	sym = kmt_symtab_lookup(&m->syms, addr);
	/* a symbol of another section below this one is not the one */
	return sym && sym->addr >= s->addr ? sym : NULL;
}

bool kmt_kmod_is_text(const struct kmt_kmod *m, uint64_t addr)
{
	const struct kmt_kmod_section *s = kmt_kmod_in(m, addr);

	return s && s->text;
}

/* ---- the module table in a core (kminidump_kernel's "kmods") ---- */

#define KMT_KMODS_MAX		4096		/* entries we accept */
#define KMT_KMOD_MAX_TEXT	(256u << 20)
#define KMT_KMOD_MAX_STRTAB	(64u << 20)

/* "PATH:SEC=ADDR,..." for the text sections of the .ko at @path, placed from @text on. */
static int kmt_kmod_ko_spec(const char *path, uint64_t text, char **spec)
{
	size_t nsh, shstrndx, len, cap = 256;
	uint64_t off = 0;
	struct kmt_file f;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	Elf *elf;
	int ret = -1;

	if (access(path, R_OK))
		return -1;	/* no .ko for it: its kallsyms in the core, if any */
	if (kmt_file_map(&f, path)) {
		kmt_file_unmap(&f);
		return -1;
	}
	*spec = kmt_malloc(cap);
	len = (size_t)snprintf(*spec, cap, "%s:", path);
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)f.data, f.size);
	if (elf && elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &eh) && eh.e_type == ET_REL &&
	    !elf_getshdrnum(elf, &nsh) && !elf_getshdrstrndx(elf, &shstrndx)) {
		/*
		 * kernel/module/main.c layout_sections(): the core's text first, the
		 * SHF_EXECINSTR|SHF_ALLOC sections in file order, each aligned, leaving
		 * out .init* ones (the init layout, freed by now).
		 */
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr sh;
			const char *name;
			char item[160];
			int k;

			if (!gelf_getshdr(scn, &sh) ||
			    (sh.sh_flags & (SHF_EXECINSTR | SHF_ALLOC)) != (SHF_EXECINSTR | SHF_ALLOC))
				continue;
			name = elf_strptr(elf, shstrndx, sh.sh_name);
			if (!name || !strncmp(name, ".init", 5) || strchr(name, ',') ||
			    strchr(name, '='))
				continue;
			if (sh.sh_addralign > 1 && sh.sh_addralign <= 4096)
				off = (off + sh.sh_addralign - 1) & ~(sh.sh_addralign - 1);
			k = snprintf(item, sizeof(item), "%s%s=0x%llx", ret ? "" : ",", name,
				     (unsigned long long)(text + off));
			if (k < 0 || (size_t)k >= sizeof(item))
				continue;
			if (len + k + 1 > cap) {
				cap = (len + k + 1) * 2;
				*spec = kmt_realloc(*spec, cap);
			}
			memcpy(*spec + len, item, k + 1);
			len += k;
			off += sh.sh_size;
			ret = 0;
		}
	}
	if (elf)
		elf_end(elf);
	kmt_file_unmap(&f);
	if (ret) {
		free(*spec);
		*spec = NULL;
	}
	return ret;
}

/*
 * Assembler mapping and local labels ($x, $d on arm64; .L*, L0*) that a
 * module's kallsyms keeps but that name no function: the kernel skips them
 * when it names an address, and so must we (else "$x+0x14/0x24").
 */
static bool kmt_kmod_mapping_symbol(const char *s)
{
	return s[0] == '$' || (s[0] == '.' && s[1] == 'L') || (s[0] == 'L' && s[1] == '0');
}

/* The function symbols of @e's kallsyms tables inside its text, when the core holds them. */
static void kmt_kmod_core_syms(struct kmt_kmod *m, const struct kmt_core *c,
			       const struct kmd_mod_entry *e)
{
	size_t symsz = (size_t)e->num_symtab * sizeof(Elf64_Sym), i;
	Elf64_Sym *sym;
	char *str;

	if (!e->num_symtab || e->num_symtab > KMT_KMOD_MAX_SYMS || !e->strtab_size ||
	    e->strtab_size > KMT_KMOD_MAX_STRTAB)
		return;
	sym = kmt_malloc(symsz);
	str = kmt_malloc(e->strtab_size + 1);
	if (!kmt_core_read_va(c, e->symtab, sym, symsz) &&
	    !kmt_core_read_va(c, e->strtab, str, e->strtab_size)) {
		str[e->strtab_size] = 0;
		for (i = 1; i < e->num_symtab; i++) {
			int type = ELF64_ST_TYPE(sym[i].st_info);

			if ((type != STT_FUNC && type != STT_NOTYPE) ||
			    sym[i].st_name >= e->strtab_size || !str[sym[i].st_name] ||
			    kmt_kmod_mapping_symbol(str + sym[i].st_name) ||
			    sym[i].st_value < e->text || sym[i].st_value - e->text >= e->text_size)
				continue;
			kmt_kmod_add(m, str + sym[i].st_name, sym[i].st_value, 0, 't');
		}
	}
	free(sym);
	free(str);
}

/*
 * The last KMINIDUMP_MODULES= line: VMCOREINFO lines are only appended, and
 * kminidump_kernel loaded again appends its new table's address after the old.
 */
static int kmt_kmods_va(const struct kmt_vmci *v, uint64_t *va)
{
	static const char key[] = "KMINIDUMP_MODULES=";
	const char *p = v->text, *end = v->text + v->len, *last = NULL;
	char num[32];
	size_t n;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p), *eol = nl ? nl : end;

		if ((size_t)(eol - p) > sizeof(key) - 1 && !memcmp(p, key, sizeof(key) - 1))
			last = p + sizeof(key) - 1;
		p = eol + 1;
	}
	if (!last)
		return -1;
	/* "%lx": hex without 0x */
	num[0] = '0';
	num[1] = 'x';
	for (n = 2; last + n - 2 < end && last[n - 2] != '\n' && n < sizeof(num) - 1; n++)
		num[n] = last[n - 2];
	num[n] = 0;
	return kmt_parse_u64(num, va) ? -1 : 0;
}

static bool kmt_kmod_named(const struct kmt_kmod *mods, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(mods[i].name, name))
			return true;
	return false;
}

size_t kmt_kmod_from_core(const struct kmt_core *c, const char *dir, struct kmt_kmod **mods,
			  size_t *n)
{
	struct kmd_mods h;
	uint64_t va;
	size_t added = 0, given = *n, i;

	if (!c->has_vmci || kmt_kmods_va(&c->vmci, &va) || kmt_core_read_va(c, va, &h, sizeof(h)) ||
	    memcmp(h.magic, KMD_MODS_MAGIC, sizeof(h.magic)) || h.version != KMD_MODS_VERSION ||
	    h.entry_size != sizeof(struct kmd_mod_entry) || h.capacity > KMT_KMODS_MAX)
		return 0;
	for (i = 0; i < h.capacity; i++) {
		struct kmd_mod_entry e;
		struct kmt_kmod *m;
		char *spec = NULL, path[4096];

		if (kmt_core_read_va(c, va + sizeof(h) + i * sizeof(e), &e, sizeof(e)) ||
		    e.state != KMD_MOD_ST_VALID || !e.text_size || e.text_size > KMT_KMOD_MAX_TEXT ||
		    e.text + e.text_size < e.text)
			continue;
		e.name[sizeof(e.name) - 1] = 0;
		if (!e.name[0] || strchr(e.name, '/') || kmt_kmod_named(*mods, given, e.name))
			continue;
		*mods = kmt_realloc(*mods, (*n + 1) * sizeof(**mods));
		m = &(*mods)[*n];
		memset(m, 0, sizeof(*m));
		if (dir && snprintf(path, sizeof(path), "%s/%s.ko", dir, e.name) < (int)sizeof(path) &&
		    !kmt_kmod_ko_spec(path, e.text, &spec)) {
			int ret = kmt_kmod_load(m, spec);

			free(spec);
			if (!ret) {
				m->from_core = true;
				(*n)++;
				added++;
				continue;
			}
			kmt_kmod_free(m);
		}
		m->path = kmt_strdup("the core's module table");
		snprintf(m->name, sizeof(m->name), "%s", e.name);
		m->sec = kmt_calloc(1, sizeof(*m->sec));
		m->sec[0] = (struct kmt_kmod_section){ .name = kmt_strdup(".text"),
						       .addr = e.text, .size = e.text_size,
						       .text = true };
		m->nsec = 1;
		m->from_core = true;
		kmt_kmod_core_syms(m, c, &e);
		kmt_symtab_sort_addr(&m->syms);
		/* sized as the kernel sizes them: up to the next symbol, the last to the text's end */
		for (size_t j = 0; j < m->syms.n; j++)
			m->syms.s[j].size = (j + 1 < m->syms.n ? m->syms.s[j + 1].addr :
					     e.text + e.text_size) - m->syms.s[j].addr;
		(*n)++;
		added++;
	}
	return added;
}
