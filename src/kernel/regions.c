// SPDX-License-Identifier: GPL-2.0
/*
 * The catalogue of kernel regions, found without annotations: addresses from
 * exported symbols, the core's symbol resolvers (kprobes, VMCOREINFO, a loaded
 * symbol table) and by following pointers; sizes from public headers,
 * VMCOREINFO and BTF, never from kallsyms distances.
 */
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/panic.h>
#include <linux/kernel_stat.h>
#include <linux/percpu.h>
#include <linux/sched/loadavg.h>
#include <linux/seqlock.h>
#include <linux/string.h>
#include <linux/timekeeper_internal.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <asm/page.h>
#include "kernel.h"

#define KMK_MD	(KMK_SET_MINIMAL | KMK_SET_DEFAULT)

static char *regions = "default";
module_param(regions, charp, 0444);
MODULE_PARM_DESC(regions, "Region set: default, minimal or none (default: default)");

static bool kallsyms;
module_param(kallsyms, bool, 0444);
MODULE_PARM_DESC(kallsyms, "Also register the kallsyms tables, 1-3 MB with KALLSYMS_ALL (default: N)");

static char *extra;
module_param(extra, charp, 0444);
MODULE_PARM_DESC(extra, "More symbols to register, as symbol:size[,symbol:size...]");

static unsigned int kmk_sets;

/* A symbol and a size known in advance. */
static int kmk_add_simple(struct kmk_region *r)
{
	unsigned long addr;

	if (kmk_sym(r->symbol, &addr))
		return kmk_missing(r, -ENOENT, "symbol not found");
	return kmk_register_va(r, r->id, r->name, addr, r->size, 0);
}

/* An exported object: its address needs no lookup at all. */
static int kmk_add_object(struct kmk_region *r, const void *obj, size_t size)
{
	return kmk_register_va(r, r->id, r->name, (unsigned long)obj, size, 0);
}

static int kmk_add_cpu_possible(struct kmk_region *r)
{
	return kmk_add_object(r, cpu_possible_mask, sizeof(struct cpumask));
}

static int kmk_add_cpu_present(struct kmk_region *r)
{
	return kmk_add_object(r, cpu_present_mask, sizeof(struct cpumask));
}

static int kmk_add_cpu_online(struct kmk_region *r)
{
	return kmk_add_object(r, cpu_online_mask, sizeof(struct cpumask));
}

static int kmk_add_cpu_active(struct kmk_region *r)
{
	return kmk_add_object(r, cpu_active_mask, sizeof(struct cpumask));
}

static int kmk_add_node_states(struct kmk_region *r)
{
	return kmk_add_object(r, node_states, sizeof(node_states));
}

static int kmk_add_per_cpu_offset(struct kmk_region *r)
{
	return kmk_add_object(r, __per_cpu_offset, sizeof(__per_cpu_offset));
}

static int kmk_add_uts(struct kmk_region *r)
{
	return kmk_add_object(r, &init_uts_ns, sizeof(init_uts_ns));
}

static int kmk_add_high_memory(struct kmk_region *r)
{
	return kmk_add_object(r, &high_memory, sizeof(high_memory));
}

/* The kernel's own VMCOREINFO buffer (KELF carries a private copy as well). */
static int kmk_add_vmcoreinfo(struct kmk_region *r)
{
	unsigned long data, size_addr, buf, size;

	if (kmk_sym("vmcoreinfo_data", &data) || kmk_sym("vmcoreinfo_size", &size_addr) ||
	    kmk_read_ulong(data, &buf) || kmk_read_ulong(size_addr, &size) || !buf || !size)
		return kmk_missing(r, -ENOENT, "the kernel has no VMCOREINFO (CONFIG_VMCORE_INFO)");
	return kmk_register_va(r, r->id, r->name, buf, min(size, PAGE_SIZE), 0);
}

/* The in-kernel .config (CONFIG_IKCONFIG): between two markers of the blob itself. */
static int kmk_add_config(struct kmk_region *r)
{
	unsigned long start, end;

	if (kmk_sym("kernel_config_data", &start) || kmk_sym("kernel_config_data_end", &end) ||
	    end <= start)
		return kmk_missing(r, -ENOENT, "no CONFIG_IKCONFIG");
	return kmk_register_va(r, r->id, r->name, start, end - start, 0);
}

static int kmk_add_banner(struct kmk_region *r)
{
	unsigned long addr;

	if (kmk_sym("linux_banner", &addr))
		return kmk_missing(r, -ENOENT, "symbol not found");
	return kmk_register_va(r, r->id, r->name, addr, strnlen((char *)addr, 1024) + 1, 0);
}

static int kmk_add_nr_irqs(struct kmk_region *r)
{
	unsigned long addr;

	/* renamed total_nr_irqs in later kernels */
	if (kmk_sym("nr_irqs", &addr) && kmk_sym("total_nr_irqs", &addr))
		return kmk_missing(r, -ENOENT, "neither nr_irqs nor total_nr_irqs found");
	return kmk_register_va(r, r->id, r->name, addr, sizeof(int), 0);
}

/*
 * mem_section: the pointer, its root array, and every root's page of sections.
 * Without the symbol, VMCOREINFO's SYMBOL(mem_section) still gives the root
 * array: the kernel prints the pointer's value there, not its address.
 */
static int kmk_add_mem_section(struct kmk_region *r)
{
#ifdef CONFIG_SPARSEMEM_EXTREME
	unsigned long addr, roots, root;
	char name[16], val[24];
	unsigned int i;
	int ret = 0;

	if (!kmk_sym("mem_section", &addr)) {
		ret = kmk_register_va(r, r->id, r->name, addr, sizeof(void *), 0);
		if (ret < 0 || kmk_read_ulong(addr, &roots) || !roots)
			return ret;
	} else if (kminidump_vmcoreinfo_value("SYMBOL(mem_section)", val, sizeof(val)) < 0 ||
		   kstrtoul(val, 16, &roots)) {
		return kmk_missing(r, -ENOENT, "neither the symbol nor VMCOREINFO found");
	}
	ret = kmk_register_va(r, 0, "mem_sect_roots", roots,
			      NR_SECTION_ROOTS * sizeof(void *), 0);
	for (i = 0; ret >= 0 && i < NR_SECTION_ROOTS; i++) {
		if (kmk_read_ulong(roots + i * sizeof(void *), &root) || !root)
			continue;
		snprintf(name, sizeof(name), "mem_sect%u", i);
		ret = kmk_register_va(r, 0, name, root,
				      SECTIONS_PER_ROOT * sizeof(struct mem_section), 0);
	}
	return ret;
#else
	return kmk_missing(r, -EOPNOTSUPP, "not CONFIG_SPARSEMEM_EXTREME");
#endif
}

/*
 * A node's pglist_data without its zonelists: with MAX_NUMNODES 1024 they are
 * 128 KiB of the 170 KiB, and no tool reads them from a dump.
 */
static int kmk_add_pgdat(struct kmk_region *r, u32 id, int nid, unsigned long pgdat)
{
	size_t zl = offsetof(pg_data_t, node_zonelists);
	size_t after = zl + sizeof_field(pg_data_t, node_zonelists);
	char name[16];
	int ret;

	snprintf(name, sizeof(name), "pgdat%d", nid);
	ret = kmk_register_va(r, id, name, pgdat, zl, 0);
	snprintf(name, sizeof(name), "pgdat%d_tail", nid);
	if (ret >= 0)
		ret = kmk_register_va(r, 0, name, pgdat + after, sizeof(pg_data_t) - after, 0);
	return ret;
}

/* node_data[] and the pglist_data of every online node. */
static int kmk_add_node_data(struct kmk_region *r)
{
	unsigned long addr;
	int ret;
#ifdef CONFIG_NUMA
	unsigned long pgdat;
	int nid;

	if (kmk_sym("node_data", &addr))
		return kmk_missing(r, -ENOENT, "symbol not found");
	ret = kmk_register_va(r, r->id, r->name, addr, MAX_NUMNODES * sizeof(void *), 0);
	for_each_online_node(nid) {
		if (ret < 0 || kmk_read_ulong(addr + nid * sizeof(void *), &pgdat) || !pgdat)
			continue;
		ret = kmk_add_pgdat(r, 0, nid, pgdat);
	}
#else
	if (kmk_sym("contig_page_data", &addr))
		return kmk_missing(r, -ENOENT, "symbol not found");
	ret = kmk_add_pgdat(r, r->id, 0, addr);
#endif
	return ret;
}

/* The printk ring behind prb, wherever log_buf_len= moved it. */
static int kmk_add_printk(struct kmk_region *r)
{
	s64 rb_size = kmk_size_of("printk_ringbuffer");
	s64 o_desc = kmk_offset_of("printk_ringbuffer", "desc_ring");
	s64 o_text = kmk_offset_of("printk_ringbuffer", "text_data_ring");
	s64 o_cbits = kmk_offset_of("prb_desc_ring", "count_bits");
	s64 o_descs = kmk_offset_of("prb_desc_ring", "descs");
	s64 o_infos = kmk_offset_of("prb_desc_ring", "infos");
	s64 o_sbits = kmk_offset_of("prb_data_ring", "size_bits");
	s64 o_data = kmk_offset_of("prb_data_ring", "data");
	s64 sz_desc = kmk_size_of("prb_desc");
	s64 sz_info = kmk_size_of("printk_info");
	s64 sz_seq = kmk_size_of("latched_seq");
	unsigned long prb, prb_val, rb_static = 0, p, clear_seq;
	unsigned int cbits, sbits;
	int ret;

	if (rb_size < 0 || o_desc < 0 || o_text < 0 || o_cbits < 0 || o_descs < 0 ||
	    o_infos < 0 || o_sbits < 0 || o_data < 0 || sz_desc < 0 || sz_info < 0)
		return kmk_missing(r, -ENOENT, "printk ring layout unknown (no VMCOREINFO or BTF)");
	if (kmk_sym("prb", &prb) || kmk_read_ulong(prb, &prb_val) || !prb_val)
		return kmk_missing(r, -ENOENT, "symbol prb not found");

	ret = kmk_register_va(r, KMK_ID_PRB, "prb", prb, sizeof(void *), 0);
	if (ret >= 0 && !kmk_sym("printk_rb_static", &rb_static))
		ret = kmk_register_va(r, KMK_ID_PRINTK_RB_STATIC, "printk_rb",
				      rb_static, rb_size, 0);
	/*
	 * log_buf_len= moved it. Without printk_rb_static (every kernel since 5.10
	 * has it, so no test reaches this), rb_static is 0 and prb_val is the ring.
	 */
	if (ret >= 0 && prb_val != rb_static)
		ret = kmk_register_va(r, KMK_ID_PRINTK_RB_DYNAMIC, "printk_rb_dyn",
				      prb_val, rb_size, 0);

	/* count_bits and size_bits are unsigned int in every kernel since 5.10 */
	if (copy_from_kernel_nofault(&cbits, (void *)(prb_val + o_desc + o_cbits), sizeof(cbits)) ||
	    copy_from_kernel_nofault(&sbits, (void *)(prb_val + o_text + o_sbits), sizeof(sbits)))
		return kmk_missing(r, -EFAULT, "printk ring unreadable (a wrong symbol table?)");
	if (cbits > 24 || sbits > 30)
		return kmk_missing(r, -EINVAL, "printk ring sizes out of range");
	if (ret >= 0 && !kmk_read_ulong(prb_val + o_desc + o_descs, &p))
		ret = kmk_register_va(r, KMK_ID_PRB_DESCS, "prb_descs", p,
				      (1UL << cbits) * sz_desc, 0);
	if (ret >= 0 && !kmk_read_ulong(prb_val + o_desc + o_infos, &p))
		ret = kmk_register_va(r, KMK_ID_PRB_INFOS, "prb_infos", p,
				      (1UL << cbits) * sz_info, 0);
	if (ret >= 0 && !kmk_read_ulong(prb_val + o_text + o_data, &p))
		ret = kmk_register_va(r, KMK_ID_PRB_DATA, "prb_data", p, 1UL << sbits, 0);
	if (ret >= 0 && sz_seq > 0 && !kmk_sym("clear_seq", &clear_seq))
		ret = kmk_register_va(r, KMK_ID_CLEAR_SEQ, "clear_seq", clear_seq, sz_seq, 0);
	return ret;
}

static int kmk_add_runqueues(struct kmk_region *r)
{
	s64 size = kmk_btf_var_size("runqueues");
	unsigned long rq;
	char name[16];
	int cpu, ret = 0;

	if (size <= 0)
		size = kmk_btf_struct_size("rq");
	if (size <= 0)
		return kmk_missing(r, -ENOENT, "size of struct rq unknown (no BTF)");
	if (kmk_percpu_sym("runqueues", &rq))
		return kmk_missing(r, -ENOENT, "per-CPU symbol runqueues not found");
	for_each_possible_cpu(cpu) {
		snprintf(name, sizeof(name), "runqueue%d", cpu);
		ret = kmk_register_va(r, 0, name, rq + per_cpu_offset(cpu), size, 0);
		if (ret < 0)
			break;
	}
	return ret;
}

static int kmk_add_init_mm(struct kmk_region *r)
{
	unsigned long addr;

	if (kmk_sym("init_mm", &addr))
		return kmk_missing(r, -ENOENT, "symbol not found");
	/* init_mm carries a cpumask of NR_CPUS bits after the structure */
	return kmk_register_va(r, r->id, r->name, addr,
			       sizeof(struct mm_struct) + sizeof(struct cpumask), 0);
}

/* The kernel's top-level page table (x86 keeps the PTI user copy in the page after it). */
static int kmk_add_pgd(struct kmk_region *r)
{
	unsigned long addr;
	size_t size = PAGE_SIZE;

#ifdef CONFIG_X86_64
	if (kmk_sym("init_top_pgt", &addr))
		return kmk_missing(r, -ENOENT, "symbol init_top_pgt not found");
	if (IS_ENABLED(CONFIG_MITIGATION_PAGE_TABLE_ISOLATION) ||
	    IS_ENABLED(CONFIG_PAGE_TABLE_ISOLATION))
		size *= 2;
#else
	if (kmk_sym("swapper_pg_dir", &addr))
		return kmk_missing(r, -ENOENT, "symbol swapper_pg_dir not found");
#endif
	return kmk_register_va(r, r->id, r->name, addr, size, 0);
}

/* tk_core wraps the timekeeper with its seqcount; crash reads the shadow copy for DATE. */
static int kmk_add_tk_core(struct kmk_region *r)
{
	s64 size = kmk_btf_struct_size("tk_data");
	unsigned long addr;

	if (size <= 0)
		size = ALIGN(sizeof(seqcount_raw_spinlock_t), __alignof__(struct timekeeper)) +
		       sizeof(struct timekeeper);
	if (kmk_sym("tk_core", &addr))
		return kmk_missing(r, -ENOENT, "symbol not found");
	return kmk_register_va(r, r->id, r->name, addr, size, 0);
}

/* The kallsyms tables, sized by walking them (the encoding is stable since 6.1). */
static int kmk_add_kallsyms(struct kmk_region *r)
{
	unsigned long num_addr, names, tt, a;
	unsigned int num, i, n;
	size_t len;
	int ret;

	if (kmk_sym("kallsyms_num_syms", &num_addr) || kmk_sym("kallsyms_names", &names) ||
	    kmk_sym("kallsyms_token_table", &tt))
		return kmk_missing(r, -ENOENT, "kallsyms tables not found");
	/* the addresses may come from a user-supplied table: every read is _nofault */
	if (copy_from_kernel_nofault(&num, (void *)num_addr, sizeof(num)))
		return kmk_missing(r, -EFAULT, "kallsyms_num_syms unreadable");
	if (!num || num > 10000000)
		return kmk_missing(r, -EINVAL, "kallsyms_num_syms out of range");
	ret = kmk_register_va(r, KMK_ID_KALLSYMS, "ks_num_syms", num_addr, sizeof(int), 0);
	/* names: per symbol a length (two bytes when the top bit is set), then tokens */
	for (i = 0, len = 0; ret >= 0 && i < num; i++) {
		u8 b[2];

		if (copy_from_kernel_nofault(b, (void *)(names + len), 2))
			return kmk_missing(r, -EFAULT, "kallsyms_names unreadable");
		n = b[0];
		if (n & 0x80) {
			n = (n & 0x7f) | (b[1] << 7);
			len++;
		}
		len += 1 + n;
	}
	if (ret >= 0)
		ret = kmk_register_va(r, 0, "ks_names", names, len, 0);
	/* 256 strings; strncpy_from_kernel_nofault is not exported: a byte at a time */
	for (i = 0, len = 0, n = 0; ret >= 0 && i < 256; len++) {
		u8 c;

		if (copy_from_kernel_nofault(&c, (void *)(tt + len), 1))
			return kmk_missing(r, -EFAULT, "kallsyms_token_table unreadable");
		if (!c || ++n == 256) {
			i++;
			n = 0;
		}
	}
	if (ret >= 0)
		ret = kmk_register_va(r, 0, "ks_token_table", tt, len, 0);
	if (ret >= 0 && !kmk_sym("kallsyms_token_index", &a))
		ret = kmk_register_va(r, 0, "ks_token_index", a, 256 * sizeof(u16), 0);
	if (ret >= 0 && !kmk_sym("kallsyms_offsets", &a))
		ret = kmk_register_va(r, 0, "ks_offsets", a, num * sizeof(int), 0);
	if (ret >= 0 && !kmk_sym("kallsyms_relative_base", &a))
		ret = kmk_register_va(r, 0, "ks_rel_base", a, sizeof(unsigned long), 0);
	if (ret >= 0 && !kmk_sym("kallsyms_markers", &a))
		ret = kmk_register_va(r, 0, "ks_markers", a,
				      DIV_ROUND_UP(num, 256) * sizeof(unsigned int), 0);
	if (ret >= 0 && !kmk_sym("kallsyms_seqs_of_names", &a))
		ret = kmk_register_va(r, 0, "ks_seqs", a, num * 3, 0);
	return ret;
}

#define SIMPLE(_name, _id, _sym, _size, _sets) \
	{ .name = _name, .id = _id, .symbol = _sym, .size = _size, .sets = _sets, \
	  .add = kmk_add_simple }
#define FINDER(_name, _id, _fn, _sets) \
	{ .name = _name, .id = _id, .add = _fn, .sets = _sets }

/* Table order is registration order: the small fixed objects first, as kmemdump does. */
struct kmk_region kmk_regions[] = {
	FINDER("vmcoreinfo", KMK_ID_VMCOREINFO, kmk_add_vmcoreinfo, KMK_MD),
	FINDER("config", KMK_ID_CONFIG, kmk_add_config, KMK_MD),
	SIMPLE("totalram", KMK_ID_TOTALRAM, "_totalram_pages", sizeof(atomic_long_t), KMK_MD),
	FINDER("cpu_possible", KMK_ID_CPU_POSSIBLE, kmk_add_cpu_possible, KMK_MD),
	FINDER("cpu_present", KMK_ID_CPU_PRESENT, kmk_add_cpu_present, KMK_MD),
	FINDER("cpu_online", KMK_ID_CPU_ONLINE, kmk_add_cpu_online, KMK_MD),
	FINDER("cpu_active", KMK_ID_CPU_ACTIVE, kmk_add_cpu_active, KMK_MD),
	SIMPLE("jiffies", KMK_ID_JIFFIES, "jiffies_64", sizeof(u64), KMK_MD),
	FINDER("linux_banner", KMK_ID_BANNER, kmk_add_banner, KMK_MD),
	SIMPLE("nr_threads", KMK_ID_NR_THREADS, "nr_threads", sizeof(int), KMK_MD),
	FINDER("nr_irqs", KMK_ID_NR_IRQS, kmk_add_nr_irqs, KMK_MD),
	SIMPLE("tainted_mask", KMK_ID_TAINTED_MASK, "tainted_mask", sizeof(unsigned long), KMK_MD),
	SIMPLE("taint_flags", KMK_ID_TAINT_FLAGS, "taint_flags", sizeof(taint_flags), KMK_MD),
	FINDER("mem_section", KMK_ID_MEM_SECTION, kmk_add_mem_section, KMK_MD),
	FINDER("node_data", KMK_ID_NODE_DATA, kmk_add_node_data, KMK_MD),
	FINDER("node_states", KMK_ID_NODE_STATES, kmk_add_node_states, KMK_MD),
	FINDER("per_cpu_offset", KMK_ID_PER_CPU_OFFSET, kmk_add_per_cpu_offset, KMK_MD),
	SIMPLE("nr_swapfiles", KMK_ID_NR_SWAPFILES, "nr_swapfiles", sizeof(unsigned int), KMK_MD),
	FINDER("init_uts_ns", KMK_ID_INIT_UTS_NS, kmk_add_uts, KMK_MD),
	FINDER("printk", 0, kmk_add_printk, KMK_MD),
	FINDER("runqueues", 0, kmk_add_runqueues, KMK_MD),
	FINDER("high_memory", KMK_ID_HIGH_MEMORY, kmk_add_high_memory, KMK_MD),
	FINDER("init_mm", KMK_ID_INIT_MM, kmk_add_init_mm, KMK_MD),
	FINDER("pgd", KMK_ID_PGD, kmk_add_pgd, KMK_MD),
	FINDER("tk_core", KMK_ID_TK_CORE, kmk_add_tk_core, KMK_MD),
	SIMPLE("shadow_tk", KMK_ID_SHADOW_TK, "shadow_timekeeper", sizeof(struct timekeeper),
	       KMK_SET_DEFAULT),
	FINDER("crash_vars", 0, kmk_add_crash_vars, KMK_SET_DEFAULT),
	FINDER("crash_percpu", 0, kmk_add_crash_percpu, KMK_SET_DEFAULT),
#ifdef CONFIG_X86_64
	FINDER("exc_stacks", 0, kmk_add_exc_stacks, KMK_SET_DEFAULT),
#endif
	FINDER("irq_stacks", 0, kmk_add_irq_stacks, KMK_SET_DEFAULT),
	FINDER("init_task", 0, kmk_add_init_task, KMK_SET_DEFAULT),
	FINDER("crash_strings", 0, kmk_add_crash_strings, KMK_SET_DEFAULT),
	FINDER("init_pid_ns", 0, kmk_add_pid_ns, KMK_SET_DEFAULT),
#ifdef CONFIG_X86_64
	FINDER("crash_text", 0, kmk_add_crash_text, KMK_SET_DEFAULT),
#endif
	FINDER("kallsyms", 0, kmk_add_kallsyms, KMK_SET_KALLSYMS),
};

const unsigned int kmk_nr_regions = ARRAY_SIZE(kmk_regions);

struct kmk_region *const kmk_other_regions[] = {
	&kmk_capture_region, &kmk_pgt_region, &kmk_modules_region,
};

const unsigned int kmk_nr_other_regions = ARRAY_SIZE(kmk_other_regions);

unsigned int kmk_current_sets(void)
{
	return kmk_sets;
}

static unsigned int kmk_parse_sets(void)
{
	unsigned int sets;

	if (!strcmp(regions, "default"))
		sets = KMK_SET_DEFAULT;
	else if (!strcmp(regions, "minimal"))
		sets = KMK_SET_MINIMAL;
	else if (!strcmp(regions, "none"))
		sets = 0;
	else
		return UINT_MAX;
	return sets | (kallsyms ? KMK_SET_KALLSYMS : 0);
}

/* extra=sym:size,...: one region each, named after the symbol */
struct kmk_region kmk_extra_region = { .name = "extra" };

static void kmk_add_extra(void)
{
	char *list, *p, *item;
	unsigned long addr;

	if (!extra || !*extra)
		return;
	list = kstrdup(extra, GFP_KERNEL);
	if (!list)
		return;
	for (p = list; (item = strsep(&p, ",")) != NULL;) {
		char *size_s = strchr(item, ':');
		unsigned long size;

		if (!size_s || kstrtoul(size_s + 1, 0, &size) || !size) {
			pr_warn("extra: '%s' is not symbol:size\n", item);
			continue;
		}
		*size_s = 0;
		if (kmk_sym(item, &addr)) {
			pr_warn("extra: symbol %s not found\n", item);
			continue;
		}
		kmk_register_va(&kmk_extra_region, 0, item, addr, size, 0);
	}
	kfree(list);
}

/*
 * Run every finder of the chosen sets, then extra=; a region that cannot be
 * found costs one log line and shows in debugfs "kernel". Only a bad
 * parameter fails the load.
 */
int kmk_regions_init(void)
{
	unsigned int i, found = 0, missing = 0;
	u64 bytes = 0;

	kmk_sets = kmk_parse_sets();
	if (kmk_sets == UINT_MAX) {
		pr_err("regions=%s: expected default, minimal or none\n", regions);
		return -EINVAL;
	}
	for (i = 0; i < kmk_nr_regions; i++) {
		struct kmk_region *r = &kmk_regions[i];

		if (!(r->sets & kmk_sets))
			continue;
		kmk_sources_start();
		r->add(r);
		kmk_sources_take(r);
		if (r->err) {
			pr_warn("region %s missing: %s\n", r->name, r->why);
			missing++;
		} else {
			found++;
			bytes += r->bytes;
		}
	}
	kmk_add_extra();
	pr_info("registered %u regions (%llu bytes), %u missing\n", found, bytes, missing);
	return 0;
}

/* Every region registered through kmk_register_*(): the catalogue's and the others'. */
void kmk_regions_exit(void)
{
	kmk_unregister_all();
}
