// SPDX-License-Identifier: GPL-2.0
/*
 * Where the buffer comes from, in order: a devicetree reserved-memory node
 * compatible with "kminidump,rmem", or the mem_address/mem_size parameters
 * (the ramoops model: memmap=SIZE$ADDR on amd64). It is refused unless it is
 * page-aligned, at least one page, and outside the RAM the kernel uses.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include "rmem.h"

static ulong mem_address;
module_param_hw(mem_address, ulong, iomem, 0444);
MODULE_PARM_DESC(mem_address,
		 "physical address of the reserved buffer (when no devicetree node names it); the effective value is shown here");
static ulong mem_size;
module_param_hw(mem_size, ulong, iomem, 0444);
MODULE_PARM_DESC(mem_size, "bytes of the reserved buffer, a page multiple >= 4096");

struct kmr_buf kmr_buf;

#define KMR_COMPATIBLE	"kminidump,rmem"

static void kmr_from_dt(void)
{
#if IS_ENABLED(CONFIG_OF_RESERVED_MEM)
	struct device_node *np = of_find_compatible_node(NULL, NULL, KMR_COMPATIBLE);
	struct reserved_mem *rmem;

	if (!np)
		return;
	rmem = of_reserved_mem_lookup(np);
	if (!rmem) {
		pr_warn("devicetree node %pOF is not a reserved-memory child with a reg: move it under /reserved-memory (docs/rmem.md)\n",
			np);
	} else if (!of_property_read_bool(np, "no-map")) {
		pr_warn("devicetree node %pOF lacks no-map: the kernel may use that memory; add no-map (docs/rmem.md)\n",
			np);
	} else {
		kmr_buf.pa = rmem->base;
		kmr_buf.size = rmem->size;
		kmr_buf.source = "devicetree";
	}
	of_node_put(np);
#endif
}

/* Any page the kernel counts as System RAM: memmap=nn$ss and no-map ranges are not. */
static bool kmr_overlaps_ram(phys_addr_t pa, size_t size)
{
	unsigned long pfn;

	for (pfn = PHYS_PFN(pa); pfn < PHYS_PFN(pa + size); pfn++)
		if (page_is_ram(pfn))
			return true;
	return false;
}

int kmr_buffer_init(void)
{
	kmr_from_dt();
	if (!kmr_buf.source && mem_address) {
		kmr_buf.pa = mem_address;
		kmr_buf.size = mem_size;
		kmr_buf.source = "mem_address";
	}
	if (!kmr_buf.source) {
		pr_err("no buffer: reserve one (amd64: memmap=SIZE\\$ADDR and mem_address=ADDR mem_size=SIZE; arm64: a /reserved-memory node compatible with \"%s\", no-map; docs/rmem.md)\n",
		       KMR_COMPATIBLE);
		return -ENODEV;
	}
	if (kmr_buf.size < KMD_LOC_SIZE || !PAGE_ALIGNED(kmr_buf.pa) ||
	    !PAGE_ALIGNED(kmr_buf.size) || kmr_buf.pa + kmr_buf.size < kmr_buf.pa) {
		pr_err("%s buffer %pa+0x%zx: must be page-aligned and at least %d bytes; reserve it so (docs/rmem.md)\n",
		       kmr_buf.source, &kmr_buf.pa, kmr_buf.size, KMD_LOC_SIZE);
		return -EINVAL;
	}
	if (kmr_overlaps_ram(kmr_buf.pa, kmr_buf.size)) {
		pr_err("%s buffer %pa+0x%zx overlaps the RAM the kernel uses: reserve it first (memmap=0x%zx\\$%pa on the command line, or a no-map node)\n",
		       kmr_buf.source, &kmr_buf.pa, kmr_buf.size, kmr_buf.size, &kmr_buf.pa);
		return -EINVAL;
	}
	kmr_buf.va = memremap(kmr_buf.pa, kmr_buf.size, MEMREMAP_WB);
	if (!kmr_buf.va) {
		pr_err("%s buffer %pa+0x%zx: memremap failed; is it a RAM range firmware keeps?\n",
		       kmr_buf.source, &kmr_buf.pa, kmr_buf.size);
		return -ENOMEM;
	}
	/* reflected back, the ramoops way: what was found, whatever the source */
	mem_address = kmr_buf.pa;
	mem_size = kmr_buf.size;
	pr_info("%s buffer at %pa, 0x%zx bytes\n", kmr_buf.source, &kmr_buf.pa, kmr_buf.size);
	return 0;
}

void kmr_buffer_exit(void)
{
	memunmap(kmr_buf.va);
}
