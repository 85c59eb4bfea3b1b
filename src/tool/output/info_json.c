// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump info --json: what a core holds as one JSON document, the schema of
 * docs/tool.md ("info --json"), version KMT_INFO_JSON_VERSION. The members
 * follow the text sections; "panic", "symbols" and "cpus" are info_panic.c's.
 */
#include <stdlib.h>
#include <string.h>
#include "format/elfcore.h"
#include "lib/bytes.h"
#include "lib/util.h"
#include "output/info.h"
#include "output/json.h"

static void kmt_json_core(const struct kmt_info_ctx *x, struct kmt_json *j)
{
	const struct kmt_core *c = x->c;
	size_t loads;

	kmt_core_load_bytes(c, &loads);
	kmt_json_object(j, "core");
	kmt_json_str(j, "path", c->path);
	kmt_json_u64(j, "size", c->size);
	kmt_json_str(j, "machine", kmt_machine_name(c->machine));
	kmt_json_u64(j, "e_machine", c->machine);
	kmt_json_u64(j, "class", gelf_getclass(c->elf) == ELFCLASS64 ? 64 : 32);
	kmt_json_bool(j, "big_endian", c->big_endian);
	kmt_json_u64(j, "phnum", c->nphdr);
	kmt_json_u64(j, "loads", loads);
	kmt_json_end(j, '}');
}

static void kmt_json_table(const struct kmt_info_ctx *x, struct kmt_json *j)
{
	const struct kmt_kelf *k = &x->c->table;

	if (!x->c->has_table) {
		kmt_json_null(j, "table");
		return;
	}
	kmt_json_object(j, "table");
	kmt_json_u64(j, "version", k->version);
	kmt_json_u64(j, "capacity", k->capacity);
	kmt_json_u64(j, "count", k->count);
	kmt_json_u64(j, "gen", k->gen);
	kmt_json_array(j, "flags");
	if (k->flags & KMD_TABLE_F_LIVE)
		kmt_json_str(j, NULL, "LIVE");
	if (k->flags & KMD_TABLE_F_PANIC)
		kmt_json_str(j, NULL, "PANIC");
	kmt_json_end(j, ']');
	kmt_json_hex(j, "flags_value", k->flags);
	if (k->flags & KMD_TABLE_F_PANIC)
		kmt_json_u64(j, "panic_cpu", k->panic_cpu);
	else
		kmt_json_null(j, "panic_cpu");
	kmt_json_u64(j, "nr_cpus", k->nr_cpus);
	kmt_json_hex(j, "kelf_pa", k->kelf_pa);
	kmt_json_hex(j, "kelf_va", k->kelf_va);
	kmt_json_u64(j, "kelf_size", k->kelf_size);
	kmt_json_u64(j, "hdr_size", k->hdr_size);
	kmt_json_u64(j, "row_size", k->row_size);
	kmt_json_end(j, '}');
}

/* Table rows that are not FREE, with whether the core holds their bytes. */
static void kmt_json_rows(const struct kmt_info_ctx *x, struct kmt_json *j)
{
	const struct kmt_core *c = x->c;
	uint32_t i;

	kmt_json_array(j, "rows");
	for (i = 0; c->has_table && i < c->table.capacity; i++) {
		struct kmt_rowinfo r;
		char flags[16];
		bool load = i < c->nphdr && c->phdr[i].p_type == PT_LOAD;

		kmt_kelf_row(&c->table, i, &r);
		if (r.state == KMD_ROW_FREE)
			continue;
		kmt_row_flags_str(&r, flags, sizeof(flags));
		kmt_json_object(j, NULL);
		kmt_json_u64(j, "index", i);
		kmt_json_str(j, "state", kmt_row_state_name(r.state));
		kmt_json_hex(j, "state_value", r.state);
		kmt_json_u64(j, "id", r.id);
		kmt_json_str(j, "name", r.name);
		kmt_json_str(j, "owner", r.owner);
		kmt_json_str(j, "flags", flags);
		kmt_json_hex(j, "flags_value", r.flags);
		kmt_json_u64(j, "piece", r.piece);
		kmt_json_hex(j, "va", r.va);
		kmt_json_hex(j, "pa", r.pa);
		kmt_json_u64(j, "size", r.size);
		kmt_json_u64(j, "room", r.room);
		kmt_json_bool(j, "in_core", i == 0 || load);
		kmt_json_end(j, '}');
	}
	kmt_json_end(j, ']');
}

static void kmt_json_segments(const struct kmt_info_ctx *x, struct kmt_json *j)
{
	const struct kmt_core *c = x->c;
	size_t i;

	kmt_json_array(j, "segments");
	for (i = 0; i < c->nphdr; i++) {
		const GElf_Phdr *ph = &c->phdr[i];
		struct kmt_rowinfo r;

		if (ph->p_type == PT_NULL)
			continue;
		kmt_json_object(j, NULL);
		kmt_json_u64(j, "index", i);
		if (ph->p_type == PT_LOAD)
			kmt_json_str(j, "type", "LOAD");
		else if (ph->p_type == PT_NOTE)
			kmt_json_str(j, "type", "NOTE");
		else
			kmt_json_hex(j, "type", ph->p_type);
		kmt_json_u64(j, "offset", ph->p_offset);
		kmt_json_hex(j, "vaddr", ph->p_vaddr);
		kmt_json_hex(j, "paddr", ph->p_paddr);
		kmt_json_u64(j, "filesz", ph->p_filesz);
		kmt_json_u64(j, "memsz", ph->p_memsz);
		if (ph->p_type == PT_LOAD && c->has_table && i < c->table.capacity) {
			kmt_kelf_row(&c->table, i, &r);
			kmt_json_str(j, "row", r.name);
		} else {
			kmt_json_null(j, "row");
		}
		kmt_json_bool(j, "truncated", !kmt_in_bounds(ph->p_offset, ph->p_filesz, c->size));
		kmt_json_end(j, '}');
	}
	kmt_json_end(j, ']');
}

static void kmt_json_notes(const struct kmt_info_ctx *x, struct kmt_json *j)
{
	const struct kmt_core *c = x->c;
	size_t i;

	kmt_json_array(j, "notes");
	for (i = 0; i < c->nnotes; i++) {
		kmt_json_object(j, NULL);
		kmt_json_str(j, "name", c->notes[i].name);
		kmt_json_u64(j, "type", c->notes[i].type);
		kmt_json_u64(j, "descsz", c->notes[i].descsz);
		kmt_json_u64(j, "offset", c->notes[i].offset);
		kmt_json_end(j, '}');
	}
	kmt_json_end(j, ']');
}

struct kmt_vmci_line {
	const char *key, *val;
	size_t klen, vlen, order;
	bool first;
};

static int kmt_vmci_line_cmp(const void *a, const void *b)
{
	const struct kmt_vmci_line *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int d = memcmp(x->key, y->key, n);

	if (d)
		return d;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int kmt_vmci_order_cmp(const void *a, const void *b)
{
	const struct kmt_vmci_line *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

/* Every KEY=VALUE line as one member, in text order; a repeated key keeps its first value. */
static void kmt_json_vmcoreinfo(const struct kmt_info_ctx *x, struct kmt_json *j)
{
	const struct kmt_vmci *v = &x->c->vmci;
	const char *p, *end;
	struct kmt_vmci_line *l;
	size_t n = 0, i;

	if (!x->c->has_vmci) {
		kmt_json_null(j, "vmcoreinfo");
		return;
	}
	l = kmt_calloc(kmt_vmci_lines(v) + 1, sizeof(*l));
	for (p = v->text, end = v->text + v->len; p < end; ) {
		const char *nl = memchr(p, '\n', end - p), *eol = nl ? nl : end;
		const char *eq = memchr(p, '=', eol - p);

		if (eq && eq > p) {
			l[n] = (struct kmt_vmci_line){ .key = p, .klen = eq - p, .val = eq + 1,
						       .vlen = eol - eq - 1, .order = n };
			n++;
		}
		p = eol + 1;
	}
	qsort(l, n, sizeof(*l), kmt_vmci_line_cmp);
	for (i = 0; i < n; i++)
		l[i].first = !i || l[i].klen != l[i - 1].klen || memcmp(l[i].key, l[i - 1].key,
									 l[i].klen);
	qsort(l, n, sizeof(*l), kmt_vmci_order_cmp);
	kmt_json_object(j, "vmcoreinfo");
	kmt_json_u64(j, "lines", kmt_vmci_lines(v));
	kmt_json_u64(j, "bytes", v->len);
	kmt_json_object(j, "values");
	for (i = 0; i < n; i++) {
		char key[256];

		if (!l[i].first)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(l[i].klen < 255 ? l[i].klen : 255), l[i].key);
		kmt_json_strn(j, key, l[i].val, l[i].vlen);
	}
	kmt_json_end(j, '}');
	kmt_json_end(j, '}');
	free(l);
}

static void kmt_json_modules(const struct kmt_info_ctx *x, struct kmt_json *j)
{
	size_t i, k;

	kmt_json_array(j, "modules");
	for (i = 0; i < x->nmods; i++) {
		const struct kmt_kmod *m = &x->mods[i];

		kmt_json_object(j, NULL);
		kmt_json_str(j, "name", m->name);
		kmt_json_str(j, "path", m->path);
		kmt_json_array(j, "sections");
		for (k = 0; k < m->nsec; k++) {
			kmt_json_object(j, NULL);
			kmt_json_str(j, "name", m->sec[k].name);
			kmt_json_hex(j, "addr", m->sec[k].addr);
			kmt_json_u64(j, "size", m->sec[k].size);
			kmt_json_bool(j, "text", m->sec[k].text);
			kmt_json_end(j, '}');
		}
		kmt_json_end(j, ']');
		kmt_json_array(j, "symbols");
		for (k = 0; k < m->syms.n; k++) {
			kmt_json_object(j, NULL);
			kmt_json_str(j, "name", m->syms.s[k].name);
			kmt_json_hex(j, "addr", m->syms.s[k].addr);
			kmt_json_u64(j, "size", m->syms.s[k].size);
			kmt_json_bool(j, "function", m->syms.s[k].type == 't');
			kmt_json_end(j, '}');
		}
		kmt_json_end(j, ']');
		kmt_json_end(j, '}');
	}
	kmt_json_end(j, ']');
}

static void kmt_json_total(const struct kmt_info_ctx *x, struct kmt_json *j)
{
	size_t n;
	uint64_t bytes = kmt_core_load_bytes(x->c, &n);

	kmt_json_object(j, "total");
	kmt_json_u64(j, "regions", n);
	kmt_json_u64(j, "bytes", bytes);
	kmt_json_u64(j, "file_bytes", x->c->size);
	kmt_json_end(j, '}');
}

int kmt_info_print_json(const struct kmt_info_ctx *x)
{
	struct kmt_json j;

	kmt_json_init(&j, x->out);
	kmt_json_object(&j, NULL);
	kmt_json_str(&j, "schema", "kminidump-info");
	kmt_json_u64(&j, "version", KMT_INFO_JSON_VERSION);
	kmt_json_str(&j, "tool_version", KMT_VERSION);
	kmt_json_core(x, &j);
	kmt_json_table(x, &j);
	kmt_json_rows(x, &j);
	kmt_json_segments(x, &j);
	kmt_json_notes(x, &j);
	kmt_json_vmcoreinfo(x, &j);
	kmt_json_modules(x, &j);
	kmt_info_panic_json(x, &j);
	kmt_json_total(x, &j);
	kmt_json_end(&j, '}');
	kmt_json_finish(&j);
	return 0;
}
