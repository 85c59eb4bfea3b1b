/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kminidump host tool: declarations shared by the subcommands.
 *
 * Every parser works on a byte range in memory (a mapped file, a buffer read
 * from RAM images, or a fuzzer's input) and checks every access against it.
 * Functions that can fail return 0 or a KMD_EXIT_* code and have already
 * printed one message saying why.
 */
#ifndef _KMD_TOOL_H
#define _KMD_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <gelf.h>

#include "exitcode.h"
#include "../../include/uapi/kminidump.h"

#ifndef KMD_VERSION
#define KMD_VERSION "unknown"
#endif

#define KMD_PROG		"kminidump"
#define KMD_PAGE		4096ULL		/* KELF alignment and scan step */
#define KMD_KELF_MAX		(64ULL << 20)	/* a KELF larger than this is not ours */
#define KMD_MAX_CPUS		65536
#define KMD_REGION_LIMIT	(1ULL << 30)	/* per region, unless --force */
#define KMD_TOTAL_LIMIT		(4ULL << 30)	/* per core, unless --force */

/* ---- util.c: messages, numbers, files ---- */

extern int kmd_verbosity;	/* -1 silent (fuzzing), 0 quiet, 1 normal, 2 verbose */

void kmd_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kmd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kmd_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *kmd_malloc(size_t n);
void *kmd_calloc(size_t n, size_t size);
void *kmd_realloc(void *p, size_t n);
char *kmd_strdup(const char *s);

int kmd_parse_u64(const char *s, uint64_t *v);	/* hex (0x) or decimal, whole string */
double kmd_now(void);

static inline uint16_t kmd_le16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t kmd_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

static inline uint64_t kmd_le64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)kmd_le32(b) | (uint64_t)kmd_le32(b + 4) << 32;
}

static inline void kmd_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = v;
	b[1] = v >> 8;
	b[2] = v >> 16;
	b[3] = v >> 24;
}

static inline void kmd_put_le64(void *p, uint64_t v)
{
	kmd_put_le32(p, (uint32_t)v);
	kmd_put_le32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

/* [off, off + len) lies inside a buffer of @size bytes, without overflow. */
static inline bool kmd_in_bounds(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static inline uint64_t kmd_align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* A file mapped private and writable (libelf may touch its image), or read in. */
struct kmd_file {
	char *path;
	uint8_t *data;
	size_t size;
	bool mapped;
	uint64_t dev, ino;	/* to refuse writing over an input */
};

int kmd_file_map(struct kmd_file *f, const char *path);
void kmd_file_unmap(struct kmd_file *f);
/* Fails (usage) if @out is one of the @n mapped inputs: truncating it would pull the rug. */
int kmd_check_not_input(const char *out, const struct kmd_file *in, size_t n);

/* Write all of @buf to @fd; 0 or -1 with errno set. */
int kmd_write_all(int fd, const void *buf, size_t len);

/* ---- vmcoreinfo.c: "KEY=VALUE" lines ---- */

struct kmd_vmci {
	const char *text;	/* not NUL-terminated; padding NULs are cut off */
	size_t len;
};

void kmd_vmci_init(struct kmd_vmci *v, const void *text, size_t len);
/* Value of @key (e.g. "SYMBOL(prb)"), or NULL; *vlen gets its length. */
const char *kmd_vmci_get(const struct kmd_vmci *v, const char *key, size_t *vlen);
/* Numeric value: base 16 for SYMBOL()/KERNELOFFSET, 10 for the rest. 0 or -1. */
int kmd_vmci_num(const struct kmd_vmci *v, const char *key, int base, uint64_t *out);
size_t kmd_vmci_lines(const struct kmd_vmci *v);

/* ---- kelf.c: the KELF header (include/uapi/kminidump.h) ---- */

struct kmd_rowinfo {
	uint32_t state, id, flags, piece;
	char name[KMD_NAME_LEN + 1];
	char owner[KMD_OWNER_LEN + 1];
	uint64_t va, pa, size, room;
};

struct kmd_kelf {
	const uint8_t *data;	/* kelf_size bytes */
	uint16_t machine;
	uint32_t capacity;
	uint64_t notes_off, notes_size;	/* PT_NOTE */
	/* struct kmd_table */
	uint32_t version, hdr_size, row_size, count, gen, flags, panic_cpu, nr_cpus;
	uint64_t kelf_pa, kelf_va;
	uint32_t kelf_size;
	const uint8_t *rows;	/* capacity rows of row_size bytes */
};

/*
 * Checks @len bytes at @p as a KELF: ELF header, program headers, note chain,
 * KMINIDUMP table. @len may exceed kelf_size (a core file). On failure returns
 * KMD_EXIT_FORMAT and writes the reason to @why (no message printed).
 */
int kmd_kelf_parse(const uint8_t *p, size_t len, struct kmd_kelf *k, char *why, size_t whylen);
/* Parses a KMINIDUMP table note descriptor alone (cores whose KELF layout is not ours). */
int kmd_kelf_parse_table(const uint8_t *desc, size_t descsz, struct kmd_kelf *k,
			 char *why, size_t whylen);
void kmd_kelf_row(const struct kmd_kelf *k, uint32_t i, struct kmd_rowinfo *r);
/* Program header @i of the KELF (raw, little-endian ELF64). */
void kmd_kelf_phdr(const struct kmd_kelf *k, uint32_t i, GElf_Phdr *ph);
const char *kmd_row_state_name(uint32_t state);
void kmd_row_flags_str(const struct kmd_rowinfo *r, char *buf, size_t len);
void kmd_table_flags_str(uint32_t flags, char *buf, size_t len);
/*
 * Looks at the first @len bytes of a possible KELF: -1 it is not one, 1 more
 * bytes are needed (*need), 0 it may be one of *need = kelf_size bytes.
 */
int kmd_kelf_peek(const uint8_t *p, size_t len, uint64_t *need);

/* ---- phys.c: physical memory from RAM images and ELF dumps ---- */

struct kmd_range {
	uint64_t pa, len;
	const uint8_t *data;
	const char *origin;	/* file name, for messages */
};

struct kmd_phys {
	struct kmd_range *r;
	size_t n;
	struct kmd_file *files;
	size_t nfiles;
};

/* FILE@PHYSBASE */
int kmd_phys_add_raw(struct kmd_phys *m, const char *spec);
int kmd_phys_add_elf(struct kmd_phys *m, const char *path, bool force);
/* The same from memory (fuzzing); @data must stay valid. */
int kmd_phys_add_elf_mem(struct kmd_phys *m, uint8_t *data, size_t size, const char *name,
			 bool force);
int kmd_phys_add_mem(struct kmd_phys *m, uint64_t pa, const uint8_t *data, uint64_t len,
		     const char *name);
int kmd_phys_finish(struct kmd_phys *m);	/* sort, reject overlaps */
void kmd_phys_free(struct kmd_phys *m);
bool kmd_phys_covers(const struct kmd_phys *m, uint64_t pa, uint64_t len);
int kmd_phys_read(const struct kmd_phys *m, uint64_t pa, void *buf, uint64_t len);
/* Calls @fn on the pieces of [pa, pa + len); fails if a byte is missing. */
int kmd_phys_walk(const struct kmd_phys *m, uint64_t pa, uint64_t len,
		  int (*fn)(const uint8_t *p, size_t n, void *arg), void *arg);
uint64_t kmd_phys_total(const struct kmd_phys *m);

/* ---- scan.c: finding KELF in physical memory ---- */

struct kmd_found {
	uint64_t pa;
	uint8_t *buf;		/* kelf_size bytes, owned */
	struct kmd_kelf k;
};

/* @pa_given: use this address; otherwise scan. */
int kmd_find_kelf(const struct kmd_phys *m, bool have_pa, uint64_t pa, struct kmd_found *out);
void kmd_found_free(struct kmd_found *f);

/* ---- elfcore.c: an ELF core in memory, read through libelf ---- */

struct kmd_note {
	const char *name;	/* NUL-terminated within the file, or "" */
	uint32_t type;
	const uint8_t *desc;
	size_t descsz;
	uint64_t offset;	/* of the descriptor in the file */
};

struct kmd_core {
	const char *path;
	uint8_t *data;
	size_t size;
	Elf *elf;
	uint16_t machine;
	bool big_endian;
	size_t nphdr;
	GElf_Phdr *phdr;
	struct kmd_note *notes;
	size_t nnotes;
	struct kmd_vmci vmci;
	bool has_vmci;
	bool has_table;
	struct kmd_kelf table;	/* from the KMINIDUMP note, when present */
	struct kmd_core_index *index;
};

int kmd_core_open(struct kmd_core *c, const char *path, uint8_t *data, size_t size);
/* Program header count, refusing tables that do not fit in the @size-byte image. */
int kmd_elf_phnum(Elf *elf, const GElf_Ehdr *eh, size_t size, const char *path, size_t max,
		  size_t *n);
void kmd_core_close(struct kmd_core *c);
/* Reads by virtual (p_vaddr) or physical (p_paddr) address across PT_LOADs. 0 or -1. */
int kmd_core_read_va(const struct kmd_core *c, uint64_t va, void *buf, size_t len);
int kmd_core_read_pa(const struct kmd_core *c, uint64_t pa, void *buf, size_t len);

/* ---- printk.c: the lockless printk ring (Linux 5.10+) ---- */

int kmd_dmesg(const struct kmd_core *c, FILE *out);

/* ---- symtab.c: System.map and /proc/kallsyms ---- */

struct kmd_sym {
	uint64_t addr;
	char type;
	char *name;
	bool module;		/* "[mod]" in /proc/kallsyms */
};

struct kmd_symtab {
	struct kmd_sym *s;
	size_t n, cap;
	char *text;		/* owns the names */
};

int kmd_symtab_load(struct kmd_symtab *t, const char *path);
int kmd_symtab_parse(struct kmd_symtab *t, const char *text, size_t len, const char *name);
void kmd_symtab_free(struct kmd_symtab *t);
void kmd_symtab_sort_addr(struct kmd_symtab *t);
/* Nearest symbol at or below @addr (sorted table), or NULL. */
const struct kmd_sym *kmd_symtab_lookup(const struct kmd_symtab *t, uint64_t addr);
struct kmd_text_ranges {
	uint64_t lo[2], hi[2];	/* _stext.._etext, _sinittext.._einittext */
};
void kmd_symtab_text_ranges(const struct kmd_symtab *t, struct kmd_text_ranges *r);
bool kmd_sym_kallsyms_lacks(const struct kmd_text_ranges *r, const struct kmd_sym *s);

/* ---- extract.c / assemble.c: building a core ---- */

struct kmd_extract_opts {
	bool force;
};

struct kmd_take {
	uint32_t i;		/* row and program header index */
	uint64_t pa, size;
	uint64_t in_off;	/* p_offset in RAM */
	uint64_t out_off;	/* p_offset in the output */
};

struct kmd_plan {
	const struct kmd_kelf *k;
	uint8_t *hdr;		/* the KELF with the output's program headers */
	struct kmd_take *take;
	size_t n;
	unsigned int skipped;
	uint64_t bytes;		/* of region data */
};

/* Decides which rows go into the core; messages for every skipped row. */
int kmd_extract_plan(const struct kmd_phys *m, const struct kmd_found *f,
		     const struct kmd_extract_opts *o, struct kmd_plan *p);
int kmd_extract_write(const struct kmd_phys *m, const struct kmd_plan *p, int fd,
		      const char *outname);
void kmd_plan_free(struct kmd_plan *p);

struct kmd_mdfile {
	char *path;
	const char *base;	/* file name without directory */
	uint32_t n;		/* 1-based table order */
	uint8_t *data;
	size_t size;
	uint64_t off;		/* in the concatenation */
};

/*
 * Checks an ordered md_*.BIN set; returns the number of mismatches, reported
 * as errors (@fatal) or warnings. *exitcode: 0, KMD_EXIT_FORMAT or _MISMATCH.
 */
int kmd_assemble_check(struct kmd_mdfile *f, size_t nf, bool fatal, int *exitcode);
/* Orders files by their N (resolving names that end in digits); 0 or an exit code. */
int kmd_md_order(struct kmd_mdfile *f, size_t nf);
int kmd_md_parse_name(const char *base, size_t *digits_at, size_t *digits_len);

/* ---- subcommands ---- */

int kmd_cmd_extract(int argc, char **argv);
int kmd_cmd_assemble(int argc, char **argv);
int kmd_cmd_info(int argc, char **argv);
int kmd_cmd_dmesg(int argc, char **argv);
int kmd_cmd_symbols(int argc, char **argv);

/* info.c sections; another file may add one (e.g. a panic backtrace). */
struct kmd_info_ctx {
	const struct kmd_core *c;
	const struct kmd_symtab *syms;	/* may be NULL */
	uint64_t kaslr;			/* KERNELOFFSET, to relocate System.map */
	uint64_t img_lo, img_hi;	/* _text.._end in the System.map */
	const char *map_path;		/* for messages */
	bool all_cpus;			/* panic: every CPU, even those with empty NT_PRSTATUS */
	FILE *out;
};

int kmd_info_print(const struct kmd_info_ctx *ctx);
/* info_panic.c: the "panic" section (registers, backtrace) of a crash image */
void kmd_info_panic(const struct kmd_info_ctx *ctx);

/* Common options, accepted before or after the subcommand. */
#define KMD_COMMON_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "verbose", no_argument, NULL, 'v' }

/* Handles h, V, q, v; returns 1 if handled (and *exitp set for h/V), 0 if not ours. */
int kmd_common_opt(int opt, const char *cmd, void (*usage)(FILE *), int *exitp);

#endif /* _KMD_TOOL_H */
