// SPDX-License-Identifier: GPL-2.0
/*
 * Cleaning to the point of coherency: what firmware after a warm reset, the
 * next boot or another bus master reads from DRAM must not sit dirty in a CPU
 * cache. The one file with arch code in the core.
 *  - arm64: dcache_clean_poc() is neither exported nor in the GKI KMI (only
 *    caches_clean_inval_pou is), so the same loop here: "dc civac" by the
 *    smallest D-cache line of CTR_EL0, then "dsb sy". civac rather than cvac:
 *    the kernel itself turns cvac into civac on CPUs with the clean-cache
 *    erratum (ARM64_WORKAROUND_CLEAN_CACHE), and invalidating costs nothing here.
 *  - x86: caches are coherent with DMA and with the other CPUs, but a warm
 *    reset (INIT, or firmware resetting the package) may drop dirty lines, so
 *    clflush_cache_range() (exported) writes the range back. wbinvd would write
 *    back this CPU's whole cache and take milliseconds; the ranges are known.
 */
#include <linux/cache.h>
#include <linux/kernel.h>
#include <asm/cacheflush.h>
#include "core.h"

void kminidump_clean_poc(const void *va, size_t size)
{
	unsigned long start = (unsigned long)va, end = start + size;

	if (!va || !size || end < start)
		return;
#if defined(CONFIG_ARM64)
	{
		/* CTR_EL0.DminLine, bits [19:16]: log2 of the line in 4-byte words */
		unsigned long line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
		unsigned long a;

		for (a = start & ~(line - 1); a < end; a += line)
			asm volatile("dc civac, %0" : : "r" (a) : "memory");
		dsb(sy);
	}
#elif defined(CONFIG_X86)
	while (start < end) {
		/* clflush_cache_range() takes an unsigned int size */
		unsigned int n = min_t(unsigned long, end - start, SZ_1G);

		clflush_cache_range((void *)start, n);
		start += n;
	}
#else
	mb();	/* no cache maintenance known here: at least order the stores */
#endif
}
EXPORT_SYMBOL_NS_GPL(kminidump_clean_poc, KMD_NS);
