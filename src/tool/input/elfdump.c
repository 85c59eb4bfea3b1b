// SPDX-License-Identifier: GPL-2.0
/*
 * ELF dumps as a physical memory source: every PT_LOAD with data is placed at
 * its p_paddr (QEMU dump-guest-memory, /proc/vmcore copies).
 */
#include <string.h>
#include "format/elfcore.h"
#include "input/physmem.h"
#include "lib/bytes.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_MAX_DUMP_PHDRS	(1u << 20)

static void kmt_libelf_init(void)
{
	static bool done;

	if (!done) {
		elf_version(EV_CURRENT);
		done = true;
	}
}
static int kmt_dump_signature(const uint8_t *d, size_t size, const char *name)
{
	if (size >= 8 && !memcmp(d, "KDUMP   ", 8)) {
		kmt_err("%s is in the compressed kdump format; convert it with makedumpfile -E or use an ELF dump",
			name);
		return KMT_EXIT_FORMAT;
	}
	if (size >= 12 && !memcmp(d, "makedumpfile", 12)) {
		kmt_err("%s is in the flattened format; rearrange it first: makedumpfile -R OUT < %s",
			name, name);
		return KMT_EXIT_FORMAT;
	}
	return 0;
}

int kmt_phys_add_elf_mem(struct kmt_phys *m, uint8_t *data, size_t size, const char *name,
			 bool force)
{
	GElf_Ehdr eh;
	size_t n, i, loads = 0;
	Elf *elf;
	int ret = kmt_dump_signature(data, size, name);

	if (ret)
		return ret;
	kmt_libelf_init();
	elf = elf_memory((char *)data, size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		kmt_err("%s is not an ELF file. %s", name, elf_errmsg(-1));
		ret = KMT_EXIT_FORMAT;
		goto out;
	}
	if (eh.e_type != ET_CORE) {
		kmt_err("%s is an ELF file of type %u, not a core (ET_CORE)", name, eh.e_type);
		ret = KMT_EXIT_FORMAT;
		goto out;
	}
	ret = kmt_elf_phnum(elf, &eh, size, name, KMT_MAX_DUMP_PHDRS, &n);
	if (ret)
		goto out;
	for (i = 0; i < n && !ret; i++) {
		GElf_Phdr ph;
		uint64_t len;

		if (!gelf_getphdr(elf, i, &ph)) {
			kmt_err("Can't read program header %zu of %s. %s", i, name, elf_errmsg(-1));
			ret = KMT_EXIT_FORMAT;
			break;
		}
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		len = ph.p_filesz;
		if (!kmt_in_bounds(ph.p_offset, len, size)) {
			if (!force) {
				char range[80];

				kmt_err("%s is truncated: PT_LOAD %zu (pa 0x%llx) needs the bytes at %s, the file has 0x%zx (--force uses what is there)",
					name, i, (unsigned long long)ph.p_paddr,
					kmt_range_str(range, sizeof(range), ph.p_offset, len), size);
				ret = KMT_EXIT_FORMAT;
				break;
			}
			len = ph.p_offset < size ? size - ph.p_offset : 0;
			kmt_warn("%s is truncated: PT_LOAD %zu keeps 0x%llx of 0x%llx bytes", name, i,
				 (unsigned long long)len, (unsigned long long)ph.p_filesz);
			if (!len)
				continue;
		}
		ret = kmt_phys_add_mem(m, ph.p_paddr, data + ph.p_offset, len, name);
		loads++;
	}
	if (!ret && !loads) {
		kmt_err("%s has no PT_LOAD with data", name);
		ret = KMT_EXIT_FORMAT;
	}
	if (!ret)
		kmt_verbose("ELF dump %s: %zu PT_LOADs", name, loads);
out:
	if (elf)
		elf_end(elf);
	return ret;
}

int kmt_phys_add_elf(struct kmt_phys *m, const char *path, bool force)
{
	struct kmt_file *f = kmt_phys_new_file(m);
	int ret = kmt_file_map(f, path);

	if (ret)
		return ret;
	return kmt_phys_add_elf_mem(m, f->data, f->size, f->path, force);
}
