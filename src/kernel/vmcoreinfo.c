// SPDX-License-Identifier: GPL-2.0
/*
 * Keys the analysis tools need that the kernel's VMCOREINFO may lack: the
 * kernel text markers kallsyms decoders use, and, on kernels without
 * VMCOREINFO at all (Android GKI), the ones drgn and makedumpfile require.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/utsname.h>
#include "kernel.h"

static bool kmk_vmci_has(const char *key)
{
	char val[2];

	return kminidump_vmcoreinfo_value(key, val, sizeof(val)) != -ENOENT;
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

void kmk_vmcoreinfo_complete(void)
{
	static const char * const markers[] = {
		"_text", "_stext", "_etext", "_sinittext", "_einittext", "_end",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(markers); i++)
		kmk_vmci_symbol(markers[i]);

	/* without the kernel's own text (GKI) the core synthesized only OSRELEASE and PAGESIZE */
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
	if (!kmk_vmci_has("SIZE(atomic_long_t)"))
		kminidump_vmcoreinfo_append("SIZE(atomic_long_t)=%zu", sizeof(atomic_long_t));
	if (!kmk_vmci_has("OFFSET(atomic_long_t.counter)"))
		kminidump_vmcoreinfo_append("OFFSET(atomic_long_t.counter)=0");
}
