// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own VMCOREINFO note, found from its physical address: what
 * /sys/kernel/vmcoreinfo prints ("PA SIZE") on every kernel with kdump's
 * crash core, even one whose kallsyms has no data symbols (no KALLSYMS_ALL)
 * and no System.map. A user-space step reads that file and passes
 * vmcoreinfo_pa= at load (docs/core.md); reading a sysfs file from inside a
 * module is frowned upon. The address is user input: the note must lie in
 * RAM that the linear map covers, be an ELF note named VMCOREINFO of a sane
 * size and start with this kernel's OSRELEASE; every read is _nofault.
 */
#include <linux/elf.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include "core.h"

static unsigned long long vmcoreinfo_pa;
module_param(vmcoreinfo_pa, ullong, 0444);
MODULE_PARM_DESC(vmcoreinfo_pa, "Physical address of the kernel's VMCOREINFO note, the first field of /sys/kernel/vmcoreinfo (default 0: none)");

#define KMD_VMCI_NAME	"VMCOREINFO"

/* Every page of [pa, pa + len) is RAM in the linear map; its address, else 0. */
static unsigned long kmd_vmcinote_map(phys_addr_t pa, size_t len)
{
	phys_addr_t p;

	for (p = pa & PAGE_MASK; p < pa + len; p += PAGE_SIZE)
		if (!page_is_ram(PHYS_PFN(p)) || !kmd_phys_to_virt(p))
			return 0;
	return kmd_phys_to_virt(pa);
}

static bool kmd_vmcinote_bad(const char *why)
{
	pr_warn("vmcoreinfo_pa=0x%llx: %s; VMCOREINFO from the symbol resolvers instead\n",
		vmcoreinfo_pa, why);
	return false;
}

/*
 * Copy the note's text into @dst (@room bytes) and set *@len. False, with one
 * log line when the parameter was given, if there is no good note there.
 */
bool kmd_vmcoreinfo_from_note(char *dst, size_t room, size_t *len)
{
	char name[ALIGN(sizeof(KMD_VMCI_NAME), 4)], rel[sizeof(init_uts_ns.name.release) + 12];
	struct elf_note n;
	unsigned long va;
	size_t size, rl;

	if (!vmcoreinfo_pa)
		return false;
	if (!IS_ALIGNED(vmcoreinfo_pa, 4) || vmcoreinfo_pa + PAGE_SIZE < vmcoreinfo_pa)
		return kmd_vmcinote_bad("not a 4-byte aligned address");
	va = kmd_vmcinote_map(vmcoreinfo_pa, sizeof(n) + sizeof(name));
	if (!va)
		return kmd_vmcinote_bad("not in RAM the kernel maps");
	if (copy_from_kernel_nofault(&n, (void *)va, sizeof(n)) ||
	    copy_from_kernel_nofault(name, (void *)(va + sizeof(n)), sizeof(name)))
		return kmd_vmcinote_bad("cannot be read");
	if (n.n_namesz != sizeof(KMD_VMCI_NAME) || n.n_type ||
	    memcmp(name, KMD_VMCI_NAME, sizeof(KMD_VMCI_NAME)))
		return kmd_vmcinote_bad("not an ELF note named VMCOREINFO");
	size = n.n_descsz;
	if (size <= 10 || size >= room || size > PAGE_SIZE)
		return kmd_vmcinote_bad("the note's size is out of range");
	va += sizeof(n) + sizeof(name);
	if (!kmd_vmcinote_map(vmcoreinfo_pa + sizeof(n) + sizeof(name), size) ||
	    copy_from_kernel_nofault(dst, (void *)va, size))
		return kmd_vmcinote_bad("its text cannot be read");
	rl = scnprintf(rel, sizeof(rel), "OSRELEASE=%s\n", init_uts_ns.name.release);
	if (size < rl || memcmp(dst, rel, rl) || memchr(dst, 0, size)) {
		memset(dst, 0, size);
		return kmd_vmcinote_bad("its text is not this kernel's VMCOREINFO");
	}
	/* keep lines whole: a text not ending in a newline gets one */
	if (dst[size - 1] != '\n' && size + 1 < room)
		dst[size++] = '\n';
	*len = size;
	pr_info("VMCOREINFO: the kernel's note at vmcoreinfo_pa=0x%llx (%zu bytes)\n",
		vmcoreinfo_pa, size);
	return true;
}
