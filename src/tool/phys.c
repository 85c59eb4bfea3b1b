// SPDX-License-Identifier: GPL-2.0
/*
 * Physical memory sources: raw RAM images (QEMU memory-backend-file, pmemsave)
 * placed at a base address, and ELF dumps whose PT_LOADs carry p_paddr (QEMU
 * dump-guest-memory, /proc/vmcore copies). Files are mapped, never copied.
 */
#include <stdlib.h>
#include "tool.h"

#define KMD_MAX_DUMP_PHDRS	(1u << 20)

static void kmd_libelf_init(void)
{
	static bool done;

	if (!done) {
		elf_version(EV_CURRENT);
		done = true;
	}
}

int kmd_phys_add_mem(struct kmd_phys *m, uint64_t pa, const uint8_t *data, uint64_t len,
		     const char *name)
{
	struct kmd_range *r;

	if (!len)
		return 0;
	if (pa + len < pa) {
		kmd_err("%s: 0x%llx bytes at pa 0x%llx wrap around the address space", name,
			(unsigned long long)len, (unsigned long long)pa);
		return KMD_EXIT_FORMAT;
	}
	m->r = kmd_realloc(m->r, (m->n + 1) * sizeof(*m->r));
	r = &m->r[m->n++];
	r->pa = pa;
	r->len = len;
	r->data = data;
	r->origin = name;
	return 0;
}

static struct kmd_file *kmd_phys_new_file(struct kmd_phys *m)
{
	m->files = kmd_realloc(m->files, (m->nfiles + 1) * sizeof(*m->files));
	return &m->files[m->nfiles++];
}

int kmd_phys_add_raw(struct kmd_phys *m, const char *spec)
{
	const char *at = strrchr(spec, '@');
	struct kmd_file *f;
	uint64_t base;
	char *path;
	int ret;

	if (!at || at == spec || kmd_parse_u64(at + 1, &base)) {
		kmd_err("--ram %s: expected FILE@PHYSBASE (PHYSBASE in hex 0x... or decimal)", spec);
		return KMD_EXIT_USAGE;
	}
	path = kmd_malloc(at - spec + 1);
	memcpy(path, spec, at - spec);
	path[at - spec] = 0;
	f = kmd_phys_new_file(m);
	ret = kmd_file_map(f, path);
	free(path);
	if (ret)
		return ret;
	if (!f->size) {
		kmd_err("%s is empty", f->path);
		return KMD_EXIT_FORMAT;
	}
	kmd_verbose("RAM image %s: %zu bytes at pa 0x%llx", f->path, f->size,
		    (unsigned long long)base);
	return kmd_phys_add_mem(m, base, f->data, f->size, f->path);
}

static int kmd_dump_signature(const uint8_t *d, size_t size, const char *name)
{
	if (size >= 8 && !memcmp(d, "KDUMP   ", 8)) {
		kmd_err("%s is in the compressed kdump format; convert it with makedumpfile -E or use an ELF dump",
			name);
		return KMD_EXIT_FORMAT;
	}
	if (size >= 12 && !memcmp(d, "makedumpfile", 12)) {
		kmd_err("%s is in the flattened format; rearrange it first: makedumpfile -R OUT < %s",
			name, name);
		return KMD_EXIT_FORMAT;
	}
	return 0;
}

int kmd_phys_add_elf_mem(struct kmd_phys *m, uint8_t *data, size_t size, const char *name,
			 bool force)
{
	GElf_Ehdr eh;
	size_t n, i, loads = 0;
	Elf *elf;
	int ret = kmd_dump_signature(data, size, name);

	if (ret)
		return ret;
	kmd_libelf_init();
	elf = elf_memory((char *)data, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		kmd_err("%s is not an ELF file. %s", name, elf_errmsg(-1));
		ret = KMD_EXIT_FORMAT;
		goto out;
	}
	if (eh.e_type != ET_CORE) {
		kmd_err("%s is an ELF file of type %u, not a core (ET_CORE)", name, eh.e_type);
		ret = KMD_EXIT_FORMAT;
		goto out;
	}
	ret = kmd_elf_phnum(elf, &eh, size, name, KMD_MAX_DUMP_PHDRS, &n);
	if (ret)
		goto out;
	for (i = 0; i < n && !ret; i++) {
		GElf_Phdr ph;
		uint64_t len;

		if (!gelf_getphdr(elf, i, &ph)) {
			kmd_err("Can't read program header %zu of %s. %s", i, name, elf_errmsg(-1));
			ret = KMD_EXIT_FORMAT;
			break;
		}
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		len = ph.p_filesz;
		if (!kmd_in_bounds(ph.p_offset, len, size)) {
			if (!force) {
				kmd_err("%s is truncated: PT_LOAD %zu (pa 0x%llx) needs bytes up to 0x%llx, the file has 0x%zx (--force uses what is there)",
					name, i, (unsigned long long)ph.p_paddr,
					(unsigned long long)ph.p_offset + len, size);
				ret = KMD_EXIT_FORMAT;
				break;
			}
			len = ph.p_offset < size ? size - ph.p_offset : 0;
			kmd_warn("%s is truncated: PT_LOAD %zu keeps 0x%llx of 0x%llx bytes", name, i,
				 (unsigned long long)len, (unsigned long long)ph.p_filesz);
			if (!len)
				continue;
		}
		ret = kmd_phys_add_mem(m, ph.p_paddr, data + ph.p_offset, len, name);
		loads++;
	}
	if (!ret && !loads) {
		kmd_err("%s has no PT_LOAD with data", name);
		ret = KMD_EXIT_FORMAT;
	}
	if (!ret)
		kmd_verbose("ELF dump %s: %zu PT_LOADs", name, loads);
out:
	if (elf)
		elf_end(elf);
	return ret;
}

int kmd_phys_add_elf(struct kmd_phys *m, const char *path, bool force)
{
	struct kmd_file *f = kmd_phys_new_file(m);
	int ret = kmd_file_map(f, path);

	if (ret)
		return ret;
	return kmd_phys_add_elf_mem(m, f->data, f->size, f->path, force);
}

static int kmd_range_cmp(const void *a, const void *b)
{
	const struct kmd_range *x = a, *y = b;

	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

int kmd_phys_finish(struct kmd_phys *m)
{
	size_t i;

	if (!m->n) {
		kmd_err("no memory to read: give --ram FILE@PHYSBASE or --dump FILE");
		return KMD_EXIT_USAGE;
	}
	qsort(m->r, m->n, sizeof(*m->r), kmd_range_cmp);
	for (i = 1; i < m->n; i++) {
		const struct kmd_range *a = &m->r[i - 1], *b = &m->r[i];

		if (b->pa < a->pa + a->len) {
			kmd_err("%s and %s overlap at pa 0x%llx", a->origin, b->origin,
				(unsigned long long)b->pa);
			return a->origin == b->origin ? KMD_EXIT_FORMAT : KMD_EXIT_USAGE;
		}
	}
	return 0;
}

void kmd_phys_free(struct kmd_phys *m)
{
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		kmd_file_unmap(&m->files[i]);
	free(m->files);
	free(m->r);
	memset(m, 0, sizeof(*m));
}

/* The range holding @pa, or NULL. */
static const struct kmd_range *kmd_phys_find(const struct kmd_phys *m, uint64_t pa)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {		/* first range starting above pa */
		size_t mid = lo + (hi - lo) / 2;

		if (m->r[mid].pa <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	if (pa - m->r[lo - 1].pa < m->r[lo - 1].len)
		return &m->r[lo - 1];
	return NULL;
}

int kmd_phys_walk(const struct kmd_phys *m, uint64_t pa, uint64_t len,
		  int (*fn)(const uint8_t *p, size_t n, void *arg), void *arg)
{
	while (len) {
		const struct kmd_range *r = kmd_phys_find(m, pa);
		uint64_t off, n;

		if (!r)
			return -1;
		off = pa - r->pa;
		n = r->len - off < len ? r->len - off : len;
		if (n > SIZE_MAX)
			n = SIZE_MAX;
		if (fn && fn(r->data + off, n, arg))
			return -2;
		pa += n;
		len -= n;
	}
	return 0;
}

bool kmd_phys_covers(const struct kmd_phys *m, uint64_t pa, uint64_t len)
{
	if (pa + len < pa)
		return false;
	return !kmd_phys_walk(m, pa, len, NULL, NULL);
}

static int kmd_copy_out(const uint8_t *p, size_t n, void *arg)
{
	uint8_t **dst = arg;

	memcpy(*dst, p, n);
	*dst += n;
	return 0;
}

int kmd_phys_read(const struct kmd_phys *m, uint64_t pa, void *buf, uint64_t len)
{
	uint8_t *dst = buf;

	if (!kmd_phys_covers(m, pa, len))
		return -1;
	return kmd_phys_walk(m, pa, len, kmd_copy_out, &dst);
}

uint64_t kmd_phys_total(const struct kmd_phys *m)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < m->n; i++)
		t += m->r[i].len;
	return t;
}
