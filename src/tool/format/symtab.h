/* SPDX-License-Identifier: GPL-2.0 */
/* System.map and /proc/kallsyms: "<hex address> <type> <name>[\t[module]]" lines. */
#ifndef _KMT_SYMTAB_H
#define _KMT_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kmt_sym {
	uint64_t addr;
	char type;
	char *name;
	bool module;		/* "[mod]" in /proc/kallsyms */
	uint64_t size;		/* 0: unknown (System.map has no sizes) */
};

struct kmt_symtab {
	struct kmt_sym *s;
	size_t n, cap;
	char *text;		/* owns the names */
};

int kmt_symtab_load(struct kmt_symtab *t, const char *path);
int kmt_symtab_parse(struct kmt_symtab *t, const char *text, size_t len, const char *name);
void kmt_symtab_free(struct kmt_symtab *t);
void kmt_symtab_sort_addr(struct kmt_symtab *t);
/* Nearest symbol at or below @addr (sorted table), or NULL. */
const struct kmt_sym *kmt_symtab_lookup(const struct kmt_symtab *t, uint64_t addr);
/* Distance from @s to the next higher address of the sorted table, 0 if none. */
uint64_t kmt_symtab_gap(const struct kmt_symtab *t, const struct kmt_sym *s);

struct kmt_text_ranges {
	uint64_t lo[2], hi[2];	/* _stext.._etext, _sinittext.._einittext */
};

void kmt_symtab_text_ranges(const struct kmt_symtab *t, struct kmt_text_ranges *r);
/* A symbol a kernel without CONFIG_KALLSYMS_ALL cannot resolve itself. */
bool kmt_sym_kallsyms_lacks(const struct kmt_text_ranges *r, const struct kmt_sym *s);

#endif /* _KMT_SYMTAB_H */
