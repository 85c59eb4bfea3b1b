/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel module's symbols (its .ko, an ELF relocatable file) placed at the
 * addresses its sections were loaded at, as /sys/module/NAME/sections/ gives
 * them: `--module FILE.ko:.text=ADDR[,.init.text=ADDR...]`. Only function and
 * object symbols of the sections given get an address.
 */
#ifndef _KMT_KMOD_H
#define _KMT_KMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/symtab.h"

struct kmt_kmod_section {
	char *name;
	uint64_t addr, size;
	bool text;		/* SHF_EXECINSTR */
};

struct kmt_kmod {
	char *path;
	char name[64];		/* the module's name: the file's, without .ko */
	struct kmt_kmod_section *sec;
	size_t nsec;
	struct kmt_symtab syms;	/* run-time addresses, sorted; kmt_sym.size from st_size */
};

/* Loads FILE:SECTION=ADDR[,SECTION=ADDR...]; 0 or an exit code (message printed). */
int kmt_kmod_load(struct kmt_kmod *m, const char *spec);
void kmt_kmod_free(struct kmt_kmod *m);
/* The symbol holding @addr inside one of the sections given, or NULL. */
const struct kmt_sym *kmt_kmod_lookup(const struct kmt_kmod *m, uint64_t addr);
/* @addr lies in one of the module's text sections given. */
bool kmt_kmod_is_text(const struct kmt_kmod *m, uint64_t addr);

#endif /* _KMT_KMOD_H */
