// SPDX-License-Identifier: GPL-2.0
/*
 * KELF: the ELF core header that describes the table, with its notes.
 * Layout: include/uapi/kminidump.h. The buffer is allocated once, at load, so
 * nothing on the panic path allocates.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include "core.h"

#define KMD_NOTE_SIZE(name, descsz) \
	(sizeof(struct elf64_note) + ALIGN(sizeof(name), 4) + ALIGN(descsz, 4))

/*
 * The VMCOREINFO text: a base (the kernel's own copy, or a synthesized one)
 * followed by the lines modules appended. Both are kept outside KELF so the
 * text can be rebuilt when a better base turns up.
 */
static char *vmci_base;		/* KMD_VMCOREINFO_ROOM bytes */
static size_t vmci_base_len;
static bool vmci_from_kernel;
static char *vmci_extra;		/* KMD_VMCOREINFO_ROOM bytes */
static size_t vmci_extra_len;
static size_t vmci_len;		/* bytes of text in KELF's note */

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

/*
 * Publish @len bytes of text into the note. The first byte is written last,
 * so a reader at any instant sees either the old text, an empty text, or the
 * new text, never a mix that parses.
 */
static void kmd_vmcoreinfo_publish(const char *text, size_t len)
{
	char *v = kmd.vmcoreinfo;

	if (len >= KMD_VMCOREINFO_ROOM)
		len = KMD_VMCOREINFO_ROOM - 1;
	WRITE_ONCE(v[0], 0);
	/* the text reads empty before its body changes ... */
	smp_wmb();
	if (len > 1)
		memcpy(v + 1, text + 1, len - 1);
	memset(v + len, 0, KMD_VMCOREINFO_ROOM - len);
	/* ... and whole again only once the body is complete */
	smp_wmb();
	if (len)
		WRITE_ONCE(v[0], text[0]);
	WRITE_ONCE(vmci_len, len);
}

static void kmd_vmcoreinfo_rebuild(void)
{
	char *buf = kmalloc(KMD_VMCOREINFO_ROOM, GFP_KERNEL);
	size_t n;

	if (!buf)
		return;
	n = min_t(size_t, vmci_base_len, KMD_VMCOREINFO_ROOM - 1);
	memcpy(buf, vmci_base, n);
	if (n + vmci_extra_len < KMD_VMCOREINFO_ROOM) {
		memcpy(buf + n, vmci_extra, vmci_extra_len);
		n += vmci_extra_len;
	}
	kmd_vmcoreinfo_publish(buf, n);
	kfree(buf);
}

/* Find the kernel's own VMCOREINFO text (vmcoreinfo_data is not exported). */
static bool kmd_vmcoreinfo_from_kernel(void)
{
	unsigned long data_addr, size_addr;
	const char *data;
	size_t size;

	if (kmd_lookup("vmcoreinfo_data", &data_addr) ||
	    kmd_lookup("vmcoreinfo_size", &size_addr))
		return false;
	data = *(const char **)data_addr;
	size = *(size_t *)size_addr;
	if (!data || !size || size >= KMD_VMCOREINFO_ROOM ||
	    strncmp(data, "OSRELEASE=", 10))
		return false;
	memcpy(vmci_base, data, size);
	vmci_base_len = size;
	/* vmcoreinfo_size need not end on a line; keep lines whole */
	if (vmci_base[size - 1] != '\n' && size + 1 < KMD_VMCOREINFO_ROOM)
		vmci_base[vmci_base_len++] = '\n';
	return true;
}

static void kmd_vmcoreinfo_synthesize(void)
{
	vmci_base_len = scnprintf(vmci_base, KMD_VMCOREINFO_ROOM,
				  "OSRELEASE=%s\nPAGESIZE=%lu\n",
				  init_uts_ns.name.release, PAGE_SIZE);
}

/* Called when a new symbol source appears: switch to the kernel's text if we can now. */
void kmd_vmcoreinfo_refresh(void)
{
	if (vmci_from_kernel)
		return;
	vmci_from_kernel = kmd_vmcoreinfo_from_kernel();
	if (vmci_from_kernel) {
		pr_info("VMCOREINFO: using the kernel's copy (%zu bytes)\n", vmci_base_len);
		kmd_vmcoreinfo_rebuild();
	}
}

size_t kmd_vmcoreinfo_len(void)
{
	return READ_ONCE(vmci_len);
}

/*
 * Append one line. In process context (table lock held) it is kept across
 * rebuilds. On the panic path (one CPU left) it goes straight into the note:
 * the line's first byte is written last, so the text stays whole at every instant.
 */
int kmd_vmcoreinfo_append_str(const char *line, bool atomic)
{
	size_t n = strlen(line), len = READ_ONCE(vmci_len);
	char *v = kmd.vmcoreinfo;

	if (!n || line[n - 1] != '\n')
		return -EINVAL;
	if (len + n >= KMD_VMCOREINFO_ROOM)
		return -ENOSPC;
	if (!atomic) {
		if (vmci_extra_len + n >= KMD_VMCOREINFO_ROOM)
			return -ENOSPC;
		memcpy(vmci_extra + vmci_extra_len, line, n);
		vmci_extra_len += n;
	}
	memcpy(v + len + 1, line + 1, n - 1);
	/* the line's first byte ends the text until the rest is in place */
	smp_wmb();
	WRITE_ONCE(v[len], line[0]);
	WRITE_ONCE(vmci_len, len + n);
	return 0;
}

int kminidump_vmcoreinfo_append(const char *fmt, ...)
{
	char line[256];
	va_list args;
	int ret;

	va_start(args, fmt);
	ret = vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	if (ret >= sizeof(line) - 1)
		return -E2BIG;
	if (!ret || line[ret - 1] != '\n')
		strcat(line, "\n");
	mutex_lock(&kmd.lock);
	ret = kmd_vmcoreinfo_append_str(line, false);
	mutex_unlock(&kmd.lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kminidump_vmcoreinfo_append, KMD_NS);

int kminidump_vmcoreinfo_append_atomic(const char *fmt, ...)
{
	static char line[256];	/* the panic path runs on one CPU */
	va_list args;
	int ret;

	va_start(args, fmt);
	ret = vsnprintf(line, sizeof(line) - 1, fmt, args);
	va_end(args);
	if (ret >= sizeof(line) - 2)
		return -E2BIG;
	if (!ret || line[ret - 1] != '\n') {
		line[ret] = '\n';
		line[ret + 1] = 0;
	}
	return kmd_vmcoreinfo_append_str(line, true);
}
EXPORT_SYMBOL_NS_GPL(kminidump_vmcoreinfo_append_atomic, KMD_NS);

/* Copy the value of VMCOREINFO line @key ("SYMBOL(prb)", "OSRELEASE"...) into @buf. */
int kminidump_vmcoreinfo_value(const char *key, char *buf, size_t size)
{
	const char *v = kmd.vmcoreinfo, *end = v + READ_ONCE(vmci_len);
	size_t klen = strlen(key);

	if (!v)
		return -ENOENT;
	while (v < end) {
		const char *nl = strnchr(v, end - v, '\n');
		size_t n;

		if (!nl)
			break;
		if (nl - v > klen && !strncmp(v, key, klen) && v[klen] == '=') {
			n = nl - (v + klen + 1);
			if (n >= size)
				return -E2BIG;
			memcpy(buf, v + klen + 1, n);
			buf[n] = 0;
			return n;
		}
		v = nl + 1;
	}
	return -ENOENT;
}
EXPORT_SYMBOL_NS_GPL(kminidump_vmcoreinfo_value, KMD_NS);

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

	vmci_base = kzalloc(KMD_VMCOREINFO_ROOM, GFP_KERNEL);
	vmci_extra = kzalloc(KMD_VMCOREINFO_ROOM, GFP_KERNEL);
	kmd.kelf = alloc_pages_exact(size, GFP_KERNEL | __GFP_ZERO);
	if (!vmci_base || !vmci_extra || !kmd.kelf) {
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

	vmci_from_kernel = kmd_vmcoreinfo_from_kernel();
	if (!vmci_from_kernel) {
		pr_warn("VMCOREINFO: the kernel's copy was not found; using a minimal one (load a symbol table: kminidump symbols)\n");
		kmd_vmcoreinfo_synthesize();
	}
	kmd_vmcoreinfo_rebuild();
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
	kfree(vmci_base);
	kfree(vmci_extra);
	vmci_base = NULL;
	vmci_extra = NULL;
	vmci_base_len = 0;
	vmci_extra_len = 0;
	vmci_len = 0;
	vmci_from_kernel = false;
}
