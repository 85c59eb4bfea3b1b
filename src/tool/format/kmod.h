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
	bool from_core;		/* named from the core's module table (kallsyms or --modules) */
};

struct kmt_core;

/*
 * The modules of kminidump_kernel's table in @c (VMCOREINFO KMINIDUMP_MODULES=,
 * include/uapi/kminidump_modules.h), appended to *@mods: each with its text as
 * one section and the function symbols of its kallsyms tables where the core
 * holds them (the modules a captured stack named). With @dir, a module whose
 * DIR/NAME.ko exists takes its symbols from that file instead, its text
 * sections laid out from the text base as the kernel lays them out. A module
 * named by a --module already in *@mods is left out. Returns how many were
 * added; a core without the table adds none. Hostile input: bounded reads.
 */
size_t kmt_kmod_from_core(const struct kmt_core *c, const char *dir, struct kmt_kmod **mods,
			  size_t *n);

/* Loads FILE:SECTION=ADDR[,SECTION=ADDR...]; 0 or an exit code (message printed). */
int kmt_kmod_load(struct kmt_kmod *m, const char *spec);
void kmt_kmod_free(struct kmt_kmod *m);
/* The symbol holding @addr inside one of the sections given, or NULL. */
const struct kmt_sym *kmt_kmod_lookup(const struct kmt_kmod *m, uint64_t addr);
/* @addr lies in one of the module's text sections given. */
bool kmt_kmod_is_text(const struct kmt_kmod *m, uint64_t addr);

#endif /* _KMT_KMOD_H */
