// SPDX-License-Identifier: GPL-2.0
/*
 * Cleaning to the point of coherency: what firmware after a warm reset, the
 * next boot or another bus master reads from DRAM must not sit dirty in a CPU
 * cache. The one file with arch code in the core.
 *  - arm64: dcache_clean_poc() is neither exported nor in the GKI KMI (only
 *    caches_clean_inval_pou is), so the same loop here: "dc civac" by the
 *    smallest D-cache line of CTR_EL0, then "dsb sy". The smallest of every
 *    CPU's, as the kernel's own loop takes it: on a system whose CPUs differ
 *    (ARM64_MISMATCHED_CACHE_TYPE) this CPU's CTR_EL0 may give a longer line
 *    than another cluster's caches have, and stepping by it would skip lines
 *    there. read_sanitised_ftr_reg() gives the system-wide value; it is
 *    exported but not in android14-6.1's KMI, so it is found through kprobes
 *    at load (never from a user's symbol table: it is called), else this
 *    CPU's CTR_EL0 is used, with one log line. civac rather than cvac:
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
#ifdef CONFIG_ARM64
#include <asm/sysreg.h>
#endif
#include "core.h"

#if defined(CONFIG_ARM64)
static u64 (*kmd_read_sanitised)(u32 id);
#endif

void kmd_cache_init(void)
{
#if defined(CONFIG_ARM64)
	unsigned long addr;

	if (!kmd_lookup_kprobe("read_sanitised_ftr_reg", &addr))
		kmd_read_sanitised = (u64 (*)(u32))addr;
	else
		pr_info("read_sanitised_ftr_reg not found: cache cleans step by this CPU's line size (CPUs with different caches may keep a line)\n");
#endif
}

void kminidump_clean_poc(const void *va, size_t size)
{
	unsigned long start = (unsigned long)va, end = start + size;

	if (!va || !size || end < start)
		return;
#if defined(CONFIG_ARM64)
	{
		u64 (*sanitised)(u32 id) = READ_ONCE(kmd_read_sanitised);
		u64 ctr = sanitised ? sanitised(SYS_CTR_EL0) : read_sysreg(ctr_el0);
		/* CTR_EL0.DminLine, bits [19:16]: log2 of the line in 4-byte words */
		unsigned long line = 4UL << ((ctr >> 16) & 0xf);
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
