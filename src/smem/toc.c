// SPDX-License-Identifier: GPL-2.0
/*
 * The minidump TOC (SMEM item 602) and the APSS entry we own in it.
 *
 * The kernel's qcom_smem driver may probe after this module loads (its
 * hwspinlock provider comes later, or the driver itself): until it is there,
 * a platform bus notifier waits for a driver to bind and retries; one log
 * line says so if nothing came after wait_secs. Each refusal (no item 602,
 * too small, uninitialized, disabled, APSS owned by someone else) is one log
 * line and leaves the module loaded and inert. At unload APSS gets back what
 * the firmware had written, so another owner can take it.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/soc/qcom/smem.h>
#include <linux/workqueue.h>
#include "smem.h"

static unsigned int kms_wait_secs = 60;
module_param_named(wait_secs, kms_wait_secs, uint, 0444);
MODULE_PARM_DESC(wait_secs, "Seconds to wait for the qcom_smem driver before saying so (default: 60)");

static struct kmd_md_subsystem *kms_apss;
static struct kmd_md_subsystem kms_saved;
static bool kms_done;		/* owned, or refused: stop waiting */
static bool kms_waiting;
static DEFINE_MUTEX(kms_toc_lock);

static void kms_attach_fn(struct work_struct *w);
static DECLARE_WORK(kms_attach_work, kms_attach_fn);
static void kms_timeout_fn(struct work_struct *w);
static DECLARE_DELAYED_WORK(kms_timeout_work, kms_timeout_fn);

#define KMS_TOC_MIN	(offsetof(struct kmd_md_toc, subsystems) + sizeof(struct kmd_md_subsystem))

/*
 * How many items the driver allows: qcom_smem_get() WARNs for an item at or
 * past that count (SMEM version 11, or 12 without an SIII smem_info: 512), and
 * a WARN is a panic under panic_on_warn. So read it first, as the driver does,
 * from SMEM's own reserved memory (read-only, mapped write-combining like the
 * driver's mapping; every field read is naturally aligned). 0 if it can't be
 * told.
 */
static u32 kms_smem_items(void)
{
	struct device_node *np, *mem;
	struct reserved_mem *rmem;
	u32 items = 0, n, version;
	u8 *p, *pt;

	np = of_find_compatible_node(NULL, NULL, "qcom,smem");
	if (!np)
		return 0;
	mem = of_parse_phandle(np, "memory-region", 0);
	rmem = of_reserved_mem_lookup(mem ? mem : np);
	of_node_put(mem);
	of_node_put(np);
	if (!rmem || rmem->size < SZ_16K)
		return 0;
	p = memremap(rmem->base, rmem->size, MEMREMAP_WC);
	if (!p)
		return 0;
	version = le32_to_cpup((__le32 *)(p + 64 + 7 * 4)) >> 16;	/* version[7] >> 16 */
	pt = p + rmem->size - SZ_4K;				/* the partition table */
	n = le32_to_cpup((__le32 *)(pt + 8));
	if (version == 11)
		items = 512;
	else if (version == 12 && !memcmp(pt, "$TOC", 4) && n <= (SZ_4K - 32 - 20) / 48)
		items = memcmp(pt + 32 + n * 48, "SIII", 4) ? 512 :
			le16_to_cpup((__le16 *)(pt + 32 + n * 48 + 16));
	memunmap(p);
	return items;
}

/* Unpublished first, then the fields the firmware had. */
static void kms_restore(struct kmd_md_subsystem *ss)
{
	WRITE_ONCE(ss->status, kms_saved.status);
	wmb();	/* unpublished before the fields it vouched for change */
	WRITE_ONCE(ss->region_count, kms_saved.region_count);
	WRITE_ONCE(ss->regions_baseptr, kms_saved.regions_baseptr);
	WRITE_ONCE(ss->enabled, kms_saved.enabled);
	WRITE_ONCE(ss->encryption_status, kms_saved.encryption_status);
	WRITE_ONCE(ss->encryption_required, kms_saved.encryption_required);
	wmb();	/* given back before the module's memory goes */
}

/* 0 owned, -EPROBE_DEFER not there yet, another errno: refused (logged). */
static int kms_take(void)
{
	struct kmd_md_subsystem *ss;
	struct kmd_md_toc *toc;
	size_t size = 0;
	phys_addr_t pa;
	int ret;

	u32 items;

	if (!qcom_smem_is_available())
		return -EPROBE_DEFER;
	items = kms_smem_items();
	if (items <= KMD_SMEM_MD_ITEM) {
		if (items)
			pr_warn("SMEM holds %u items, so no item %u (SMEM version 11, or no smem_info): the boot firmware has no minidump table; not publishing\n",
				items, KMD_SMEM_MD_ITEM);
		else
			pr_warn("can't read SMEM's item count from the device tree's qcom,smem reserved memory: not asking for item %u (the driver would WARN); not publishing\n",
				KMD_SMEM_MD_ITEM);
		return -ENODEV;
	}
	toc = qcom_smem_get(QCOM_SMEM_HOST_ANY, KMD_SMEM_MD_ITEM, &size);
	if (IS_ERR(toc)) {
		if (PTR_ERR(toc) == -EPROBE_DEFER)
			return -EPROBE_DEFER;
		pr_warn("no SMEM item %u (%ld): the boot firmware did not set up minidump; not publishing\n",
			KMD_SMEM_MD_ITEM, PTR_ERR(toc));
		return -ENODEV;
	}
	if (size < KMS_TOC_MIN) {
		pr_warn("SMEM item %u is %zu bytes, a minidump TOC with APSS needs %zu; not publishing\n",
			KMD_SMEM_MD_ITEM, size, KMS_TOC_MIN);
		return -ENODEV;
	}
	if (!le32_to_cpu(READ_ONCE(toc->status))) {
		pr_warn("the minidump TOC is not initialized by the firmware (status 0); not publishing\n");
		return -ENODEV;
	}
	if (le32_to_cpu(READ_ONCE(toc->md_revision)) != KMD_MD_REVISION) {
		pr_warn("minidump TOC revision %u, this module knows %u; not publishing\n",
			le32_to_cpu(toc->md_revision), KMD_MD_REVISION);
		return -ENODEV;
	}
	if (le32_to_cpu(READ_ONCE(toc->enabled)) != KMD_MD_ENABLED) {
		pr_warn("the firmware has minidump disabled (enabled 0x%08x); not publishing: enable it in the boot firmware\n",
			le32_to_cpu(toc->enabled));
		return -EPERM;
	}
	ss = &toc->subsystems[KMD_MD_SS_APSS];
	if (READ_ONCE(ss->status) || READ_ONCE(ss->regions_baseptr) ||
	    READ_ONCE(ss->region_count)) {
		pr_warn("the APSS minidump table is already owned (status %u, %u regions at pa 0x%llx): a vendor minidump driver or meminspect publishes it; not taking over\n",
			le32_to_cpu(ss->status), le32_to_cpu(ss->region_count),
			le64_to_cpu(ss->regions_baseptr));
		return -EBUSY;
	}
	kms_saved = *ss;
	WRITE_ONCE(ss->encryption_status, cpu_to_le32(KMD_MD_ENC_DONE));
	WRITE_ONCE(ss->encryption_required, cpu_to_le32(KMD_MD_ENC_NR));
	WRITE_ONCE(ss->region_count, 0);
	WRITE_ONCE(ss->regions_baseptr, cpu_to_le64(kms_regions_pa()));
	WRITE_ONCE(ss->enabled, cpu_to_le32(KMD_MD_ENABLED));
	wmb();	/* the entry is whole before it says published */
	WRITE_ONCE(ss->status, cpu_to_le32(1));
	ret = kms_regions_attach(ss);
	if (ret) {
		kms_restore(ss);
		return ret;
	}
	kms_apss = ss;
	pa = qcom_smem_virt_to_phys(toc);
	pr_info("publishing kminidump's rows in the APSS minidump table (SMEM item %u at pa %pa, regions at pa 0x%llx)\n",
		KMD_SMEM_MD_ITEM, &pa, (u64)kms_regions_pa());
	return 0;
}

static void kms_attach_fn(struct work_struct *w)
{
	int ret;

	mutex_lock(&kms_toc_lock);
	if (!kms_done) {
		ret = kms_take();
		kms_done = ret != -EPROBE_DEFER;
	}
	mutex_unlock(&kms_toc_lock);
}

static void kms_timeout_fn(struct work_struct *w)
{
	mutex_lock(&kms_toc_lock);
	if (!kms_done)
		pr_warn("no qcom_smem driver after %u s: load qcom_hwspinlock and smem (qcom_smem), check the device tree's qcom,smem node; still waiting\n",
			kms_wait_secs);
	mutex_unlock(&kms_toc_lock);
}

/* A driver bound on the platform bus: maybe qcom_smem, maybe its hwspinlock. */
static int kms_bus_event(struct notifier_block *nb, unsigned long action, void *data)
{
	if (action == BUS_NOTIFY_BOUND_DRIVER && !READ_ONCE(kms_done))
		queue_work(system_unbound_wq, &kms_attach_work);
	return NOTIFY_DONE;
}

static struct notifier_block kms_bus_nb = { .notifier_call = kms_bus_event };

int kms_toc_init(void)
{
	int ret;

	mutex_lock(&kms_toc_lock);
	ret = kms_take();
	kms_done = ret != -EPROBE_DEFER;
	mutex_unlock(&kms_toc_lock);
	if (kms_done)
		return 0;	/* owned, or refused with its log line: loaded and inert */
	ret = bus_register_notifier(&platform_bus_type, &kms_bus_nb);
	if (ret) {
		pr_warn("can't wait for the qcom_smem driver (%d); load it before this module\n",
			ret);
		return 0;
	}
	kms_waiting = true;
	pr_info("waiting for the qcom_smem driver to probe\n");
	/* system_unbound_wq: in every kernel's KMI (system_wq's name changed in 6.12.y) */
	queue_delayed_work(system_unbound_wq, &kms_timeout_work, kms_wait_secs * HZ);
	/* it may have bound between the first try and the notifier */
	queue_work(system_unbound_wq, &kms_attach_work);
	return 0;
}

void kms_toc_exit(void)
{
	struct kmd_md_subsystem *ss;

	if (kms_waiting) {
		bus_unregister_notifier(&platform_bus_type, &kms_bus_nb);
		kms_waiting = false;
	}
	cancel_delayed_work_sync(&kms_timeout_work);
	cancel_work_sync(&kms_attach_work);
	ss = kms_apss;
	if (!ss)
		return;
	kms_regions_detach();
	kms_restore(ss);
	kms_apss = NULL;
}
