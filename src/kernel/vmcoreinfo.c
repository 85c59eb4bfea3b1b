// SPDX-License-Identifier: GPL-2.0
/*
 * Keys the analysis tools need that the kernel's VMCOREINFO may lack: the
 * kernel text markers kallsyms decoders use, and, on kernels without
 * VMCOREINFO at all (Android GKI), the ones drgn and makedumpfile require.
 */
#include <linux/elf.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include "kernel.h"
#ifdef CONFIG_ARM64
#include <asm/pgtable-hwdef.h>
#include <asm/sysreg.h>
#endif

static bool kmk_vmci_has(const char *key)
{
	char val[2];

	return kminidump_vmcoreinfo_value(key, val, sizeof(val)) != -ENOENT;
}

/* KEY=value, unless the kernel's VMCOREINFO (or an earlier append) has KEY. */
static __printf(2, 3) void kmk_vmci_put(const char *key, const char *fmt, ...)
{
	char val[64];
	va_list ap;

	if (kmk_vmci_has(key))
		return;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	kminidump_vmcoreinfo_append("%s=%s", key, val);
}

static void kmk_vmci_symbol(const char *sym)
{
	char key[64];
	unsigned long addr;

	snprintf(key, sizeof(key), "SYMBOL(%s)", sym);
	if (!kmk_vmci_has(key) && !kmk_sym(sym, &addr))
		kminidump_vmcoreinfo_append("SYMBOL(%s)=%lx", sym, addr);
}

static void kmk_vmci_size(const char *type)
{
	char key[64];
	s64 n;

	snprintf(key, sizeof(key), "SIZE(%s)", type);
	n = kmk_btf_struct_size(type);
	if (!kmk_vmci_has(key) && n >= 0)
		kminidump_vmcoreinfo_append("SIZE(%s)=%lld", type, n);
}

static void kmk_vmci_offset(const char *type, const char *member)
{
	char key[96];
	s64 n;

	snprintf(key, sizeof(key), "OFFSET(%s.%s)", type, member);
	n = kmk_btf_member_offset(type, member);
	if (!kmk_vmci_has(key) && n >= 0)
		kminidump_vmcoreinfo_append("OFFSET(%s.%s)=%lld", type, member, n);
}

#define KMK_NT_GNU_BUILD_ID	3
#define KMK_BUILD_ID_SIZE	20	/* ld --build-id=sha1, what Kbuild links vmlinux with */

/*
 * BUILD-ID: drgn and debuginfod match the vmlinux by it. vmlinux_build_id exists only
 * with VMCORE_INFO or STACKTRACE_BUILD_ID; the GNU note is in .notes either way.
 */
static void kmk_vmci_build_id(void)
{
	struct {
		struct elf64_note h;
		char name[4];
		unsigned char id[KMK_BUILD_ID_SIZE];
	} n;
	unsigned long p, end;
	unsigned int i;

	if (kmk_vmci_has("BUILD-ID") || kmk_sym("__start_notes", &p) ||
	    kmk_sym("__stop_notes", &end))
		return;
	for (i = 0; i < 16 && p + sizeof(n.h) <= end; i++) {
		if (copy_from_kernel_nofault(&n.h, (void *)p, sizeof(n.h)))
			return;
		if (n.h.n_type == KMK_NT_GNU_BUILD_ID && n.h.n_namesz == 4 &&
		    n.h.n_descsz == KMK_BUILD_ID_SIZE && p + sizeof(n) <= end &&
		    !copy_from_kernel_nofault(&n, (void *)p, sizeof(n)) &&
		    !memcmp(n.name, "GNU", 4)) {
			kminidump_vmcoreinfo_append("BUILD-ID=%20phN", n.id);
			return;
		}
		p += sizeof(n.h) + ALIGN(n.h.n_namesz, 4) + ALIGN(n.h.n_descsz, 4);
	}
}

#ifdef CONFIG_ARM64
/*
 * What arch/arm64/kernel/vmcore_info.c writes, in its formats: drgn needs VA_BITS or
 * TCR_EL1_T1SZ and KERNELOFFSET (KASLR), crash kimage_voffset and PHYS_OFFSET too.
 * kaslr_offset() reads the unexported _text: resolve it instead.
 */
static void kmk_vmci_arch(void)
{
	u64 t1sz = (read_sysreg(tcr_el1) & TCR_T1SZ_MASK) >> TCR_T1SZ_OFFSET;
	/* the kernel signs return addresses when its IA key is on (vabits_actual = 64 - T1SZ) */
	u64 pacmask = read_sysreg(sctlr_el1) & SCTLR_ELx_ENIA ? GENMASK_ULL(63, 64 - t1sz) : 0;
	unsigned long text = 0;

	kmk_vmci_put("NUMBER(VA_BITS)", "%d", VA_BITS);
	kmk_vmci_put("NUMBER(MODULES_VADDR)", "0x%lx", MODULES_VADDR);
	kmk_vmci_put("NUMBER(MODULES_END)", "0x%lx", MODULES_END);
	kmk_vmci_put("NUMBER(VMALLOC_START)", "0x%lx", VMALLOC_START);
	kmk_vmci_put("NUMBER(VMALLOC_END)", "0x%lx", VMALLOC_END);
	kmk_vmci_put("NUMBER(VMEMMAP_START)", "0x%lx", VMEMMAP_START);
	kmk_vmci_put("NUMBER(VMEMMAP_END)", "0x%lx", VMEMMAP_END);
	kmk_vmci_put("NUMBER(kimage_voffset)", "0x%llx", kimage_voffset);
	kmk_vmci_put("NUMBER(PHYS_OFFSET)", "0x%llx", memstart_addr);
	kmk_vmci_put("NUMBER(TCR_EL1_T1SZ)", "0x%llx", t1sz);
	/* kallsyms resolves only _stext.._end; the linker script puts _text SEGMENT_ALIGN below */
	if (kmk_sym("_text", &text) && !kmk_sym("_stext", &text))
		text -= SEGMENT_ALIGN;
	if (text)
		kmk_vmci_put("KERNELOFFSET", "%lx", text - KIMAGE_VADDR);
	kmk_vmci_put("NUMBER(KERNELPACMASK)", "0x%llx", pacmask);
}
#else
static void kmk_vmci_arch(void)
{
}
#endif

void kmk_vmcoreinfo_complete(void)
{
	static const char * const markers[] = {
		"_text", "_stext", "_etext", "_sinittext", "_einittext", "_end",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(markers); i++)
		kmk_vmci_symbol(markers[i]);

	/* without the kernel's own text (GKI) the core synthesized only OSRELEASE and PAGESIZE */
	kmk_vmci_build_id();
	kmk_vmci_arch();
	kmk_vmci_symbol("swapper_pg_dir");
	kmk_vmci_symbol("init_uts_ns");
	kmk_vmci_symbol("prb");
	kmk_vmci_symbol("printk_rb_static");
	kmk_vmci_symbol("clear_seq");
	kmk_vmci_size("printk_ringbuffer");
	kmk_vmci_offset("printk_ringbuffer", "desc_ring");
	kmk_vmci_offset("printk_ringbuffer", "text_data_ring");
	kmk_vmci_offset("printk_ringbuffer", "fail");
	kmk_vmci_size("prb_desc_ring");
	kmk_vmci_offset("prb_desc_ring", "count_bits");
	kmk_vmci_offset("prb_desc_ring", "descs");
	kmk_vmci_offset("prb_desc_ring", "infos");
	kmk_vmci_offset("prb_desc_ring", "head_id");
	kmk_vmci_offset("prb_desc_ring", "tail_id");
	kmk_vmci_size("prb_desc");
	kmk_vmci_offset("prb_desc", "state_var");
	kmk_vmci_offset("prb_desc", "text_blk_lpos");
	kmk_vmci_size("prb_data_blk_lpos");
	kmk_vmci_offset("prb_data_blk_lpos", "begin");
	kmk_vmci_offset("prb_data_blk_lpos", "next");
	kmk_vmci_size("printk_info");
	kmk_vmci_offset("printk_info", "seq");
	kmk_vmci_offset("printk_info", "ts_nsec");
	kmk_vmci_offset("printk_info", "text_len");
	kmk_vmci_offset("printk_info", "caller_id");
	kmk_vmci_offset("printk_info", "dev_info");
	kmk_vmci_size("dev_printk_info");
	kmk_vmci_offset("dev_printk_info", "subsystem");
	kmk_vmci_offset("dev_printk_info", "device");
	kmk_vmci_size("prb_data_ring");
	kmk_vmci_offset("prb_data_ring", "size_bits");
	kmk_vmci_offset("prb_data_ring", "data");
	kmk_vmci_offset("prb_data_ring", "head_lpos");
	kmk_vmci_offset("prb_data_ring", "tail_lpos");
	kmk_vmci_size("latched_seq");
	kmk_vmci_offset("latched_seq", "val");
	kmk_vmci_put("SIZE(atomic_long_t)", "%zu", sizeof(atomic_long_t));
	kmk_vmci_put("OFFSET(atomic_long_t.counter)", "%d", 0);
}

/*
 * KMINIDUMP_SOURCE(region)=kallsyms+headers for every region found: which
 * sources gave its address and size, for kminidump info to show from the core.
 */
void kmk_sources_publish(void)
{
	unsigned int i;
	char src[96];

	for (i = 0; i < kmk_nr_regions + kmk_nr_other_regions; i++) {
		const struct kmk_region *r = i < kmk_nr_regions ? &kmk_regions[i] :
					     kmk_other_regions[i - kmk_nr_regions];

		if (r->rows_added && kmk_sources_str(r->sources, src, sizeof(src)))
			kminidump_vmcoreinfo_append("KMINIDUMP_SOURCE(%s)=%s", r->name, src);
	}
}
