// SPDX-License-Identifier: GPL-2.0
/*
 * KELF: the ELF core header that describes the table, with its notes, and the
 * core's state. Layout: include/uapi/kminidump.h. The buffer is allocated
 * once, at load, so nothing on the panic path allocates.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include "core.h"

struct kmd_core kmd = {
	.lock = __MUTEX_INITIALIZER(kmd.lock),
	.consumers = ATOMIC_NOTIFIER_INIT(kmd.consumers),
};

#define KMD_NOTE_SIZE(name, descsz) \
	(sizeof(struct elf64_note) + ALIGN(sizeof(name), 4) + ALIGN(descsz, 4))

static void *kmd_note(void *p, const char *name, u32 type, size_t descsz, void **desc)
{
	struct elf64_note *n = p;
	size_t namesz = strlen(name) + 1;

	n->n_namesz = namesz;
	n->n_descsz = descsz;
	n->n_type = type;
	p += sizeof(*n);
	memcpy(p, name, namesz);
	p += ALIGN(namesz, 4);
	*desc = p;
	return p + ALIGN(descsz, 4);
}

static size_t kmd_prstatus_size(void)
{
	return sizeof(struct elf_prstatus);
}

static void kmd_copy_regs(elf_gregset_t *dst, struct pt_regs *regs)
{
#ifdef CONFIG_X86_64
	/*
	 * ELF_CORE_COPY_REGS() reads the inactive GS base through a function the
	 * kernel does not export. pt_regs is the first 21 words of
	 * user_regs_struct, in order; the segment bases stay zero.
	 */
	BUILD_BUG_ON(sizeof(*regs) != 21 * sizeof(unsigned long));
	memcpy(dst, regs, sizeof(*regs));
#else
	elf_core_copy_regs(dst, regs);
#endif
}

int kminidump_set_prstatus(unsigned int cpu, pid_t pid, struct pt_regs *regs)
{
	struct elf_prstatus *st;

	if (cpu >= nr_cpu_ids || !kmd.prstatus)
		return -EINVAL;
	st = kmd.prstatus + cpu * kmd.prstatus_stride;
	memset(st, 0, sizeof(*st));
	st->common.pr_pid = pid;
	kmd_copy_regs(&st->pr_reg, regs);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(kminidump_set_prstatus, KMD_NS);

/* Program header @i describes row @i; make it a PT_LOAD of the row's current range. */
void kmd_kelf_set_load(unsigned int i)
{
	const struct kmd_row *r = &kmd.rows[i];
	struct elf64_phdr *p = &kmd.phdr[i];

	WRITE_ONCE(p->p_vaddr, le64_to_cpu(r->va));
	WRITE_ONCE(p->p_paddr, le64_to_cpu(r->pa));
	WRITE_ONCE(p->p_filesz, le64_to_cpu(r->size));
	WRITE_ONCE(p->p_memsz, le64_to_cpu(r->size));
	WRITE_ONCE(p->p_flags, PF_R | PF_W);
	WRITE_ONCE(p->p_align, 0);
	/* PT_LOAD only once the fields it vouches for are written */
	smp_wmb();
	WRITE_ONCE(p->p_type, PT_LOAD);
}

void kmd_kelf_clear_load(unsigned int i)
{
	WRITE_ONCE(kmd.phdr[i].p_type, PT_NULL);
	/* PT_NULL is visible before any field it described changes */
	smp_wmb();
}

int kmd_kelf_init(void)
{
	size_t table_sz = sizeof(struct kmd_table) + kmd.capacity * sizeof(struct kmd_row);
	size_t notes_off, notes_end, size;
	void *p, *desc;
	struct elf_prpsinfo *ps;
	unsigned int cpu;
	struct elf64_hdr *e;

	notes_off = ALIGN(sizeof(struct elf64_hdr) + kmd.capacity * sizeof(struct elf64_phdr), 8);
	kmd.prstatus_stride = KMD_NOTE_SIZE("CORE", kmd_prstatus_size());
	notes_end = notes_off + KMD_NOTE_SIZE(KMD_NOTE_NAME, table_sz) +
		    KMD_NOTE_SIZE("CORE", sizeof(struct elf_prpsinfo)) +
		    nr_cpu_ids * kmd.prstatus_stride +
		    KMD_NOTE_SIZE("VMCOREINFO", KMD_VMCOREINFO_ROOM);
	size = PAGE_ALIGN(notes_end);

	kmd.kelf = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO);
	if (!kmd.kelf) {
		pr_err("cannot allocate the %zu-byte ELF header; lower kminidump.capacity\n",
		       size);
		kmd_kelf_exit();
		return -ENOMEM;
	}
	kmd.kelf_size = size;
	kmd.kelf_pa = virt_to_phys(kmd.kelf);

	kmd.ehdr = kmd.kelf;
	e = kmd.ehdr;
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_ident[EI_OSABI] = ELFOSABI_NONE;
	e->e_type = ET_CORE;
	e->e_machine = ELF_ARCH;
	e->e_version = EV_CURRENT;
	e->e_phoff = sizeof(struct elf64_hdr);
	e->e_ehsize = sizeof(struct elf64_hdr);
	e->e_phentsize = sizeof(struct elf64_phdr);
	e->e_phnum = kmd.capacity;

	kmd.phdr = kmd.kelf + sizeof(struct elf64_hdr);
	kmd.phdr[0].p_type = PT_NOTE;
	kmd.phdr[0].p_offset = notes_off;
	kmd.phdr[0].p_filesz = notes_end - notes_off;

	p = kmd.kelf + notes_off;
	p = kmd_note(p, KMD_NOTE_NAME, KMD_NT_TABLE, table_sz, &desc);
	kmd.table = desc;
	kmd.rows = desc + sizeof(struct kmd_table);

	p = kmd_note(p, "CORE", NT_PRPSINFO, sizeof(*ps), &desc);
	ps = desc;
	ps->pr_sname = 'R';
	strscpy(ps->pr_fname, "vmlinux", sizeof(ps->pr_fname));
	strscpy(ps->pr_psargs, init_uts_ns.name.release, sizeof(ps->pr_psargs));

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		kmd_note(p, "CORE", NT_PRSTATUS, kmd_prstatus_size(), &desc);
		if (!cpu)
			kmd.prstatus = desc;
		p += kmd.prstatus_stride;
	}

	p = kmd_note(p, "VMCOREINFO", 0, KMD_VMCOREINFO_ROOM, &desc);
	kmd.vmcoreinfo = desc;
	WARN_ON(p != kmd.kelf + notes_end);
	return 0;
}

void kmd_kelf_exit(void)
{
	if (kmd.kelf) {
		/* a stale header in freed memory must not be found by a RAM scan */
		memset(kmd.kelf, 0, kmd.kelf_size);
		free_pages_exact(kmd.kelf, kmd.kelf_size);
		kmd.kelf = NULL;
	}
}
