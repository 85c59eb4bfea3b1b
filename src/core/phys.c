// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel virtual to physical translation for any mapped kernel address: linear
 * map, kernel image, vmalloc, modules, per-CPU chunks. The kernel exports no
 * single helper for all of them (virt_to_phys is linear-map only, and
 * vmalloc_to_page warns on huge mappings, which panics with panic_on_warn), so
 * ask the MMU's own tables. Lock-free and safe in atomic context.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <asm/page.h>
#include "core.h"

#if defined(CONFIG_X86_64)
#include <asm/pgtable_types.h>
#include <asm/processor.h>

bool kmd_virt_to_phys(unsigned long va, phys_addr_t *pa)
{
	unsigned int level;
	unsigned long pfn, mask;
	pte_t *pte;

	if ((long)va >= 0 || !__is_canonical_address(va, boot_cpu_data.x86_virt_bits))
		return false;
	pte = lookup_address(va, &level);
	if (!pte || !pte_present(*pte))
		return false;
	switch (level) {
	case PG_LEVEL_4K:
		pfn = pte_pfn(*pte);
		mask = PAGE_MASK;
		break;
	case PG_LEVEL_2M:
		pfn = pmd_pfn(*(pmd_t *)pte);
		mask = PMD_MASK;
		break;
	case PG_LEVEL_1G:
		pfn = pud_pfn(*(pud_t *)pte);
		mask = PUD_MASK;
		break;
	default:
		return false;
	}
	*pa = ((phys_addr_t)pfn << PAGE_SHIFT) | (va & ~mask);
	return true;
}

#elif defined(CONFIG_ARM64)
#include <asm/barrier.h>
#include <asm/sysreg.h>

bool kmd_virt_to_phys(unsigned long va, phys_addr_t *pa)
{
	unsigned long flags;
	u64 par;

	/* bit 55 selects TTBR1, the kernel half (top-byte tags aside) */
	if (!(va & BIT(55)))
		return false;
	/* the MMU walks exactly what the kernel would; interrupts could reuse PAR_EL1 */
	local_irq_save(flags);
	asm volatile("at s1e1r, %0" : : "r" (va));
	isb();
	par = read_sysreg_par();
	local_irq_restore(flags);
	if (par & SYS_PAR_EL1_F)
		return false;
	*pa = (par & GENMASK_ULL(51, 12)) | (va & GENMASK_ULL(11, 0));
	return true;
}

#else
#error "kminidump: address translation is implemented for x86_64 and arm64 only"
#endif

/*
 * The linear-map address of @pa, or 0 when it has none (no-map reserved
 * memory, holes): the arithmetic answer is checked against the MMU.
 */
unsigned long kmd_phys_to_virt(phys_addr_t pa)
{
	unsigned long va = (unsigned long)phys_to_virt(pa);
	phys_addr_t back;

	if (!kmd_virt_to_phys(va, &back) || back != pa)
		return 0;
	return va;
}

bool kminidump_virt_to_phys(unsigned long va, phys_addr_t *pa)
{
	return kmd_virt_to_phys(va, pa);
}
EXPORT_SYMBOL_NS_GPL(kminidump_virt_to_phys, KMD_NS);
