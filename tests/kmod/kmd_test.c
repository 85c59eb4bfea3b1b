// SPDX-License-Identifier: GPL-2.0
/*
 * kmd_test: plants known objects for the QEMU tests and drives the kminidump
 * API from inside the kernel (in the spirit of drgn's test module).
 *
 * /sys/kernel/debug/kmd_test/
 *   buffers   one line per planted buffer: "<name> 0x<va> <size> <seed>"; byte i
 *             of a buffer is kmd_pattern(seed, i), so the host can check the
 *             bytes at the physical addresses the table gives
 *   cmd       one command per write, the write returns its errno:
 *               reg-va <name> <buffer> [movable|panic]  register a planted buffer
 *               reg-pa <name> <buffer>             same, by physical address
 *               reg-sym <name> <symbol> <size>     register a kernel symbol
 *               update <name> <buffer>             move a movable region
 *               unreg <name>                       unregister what reg-* added
 *               attach <n> | detach <n>            consumer n (0 or 1)
 *               stress <threads> | stress-stop     register/unregister/update loops, and
 *                                                  an hrtimer moving region "mt" from
 *                                                  hard-IRQ context
 *   consumer0, consumer1   event counts seen by each consumer
 *   stress    operation counts of the stress threads and of the timer
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <kminidump.h>

MODULE_IMPORT_NS(KMD_NS);

#define KMD_TEST_REGS		16
#define KMD_TEST_THREADS	8
#define KMD_TEST_PER_THREAD	6

struct kmd_test_pcpu {
	u8 bytes[192];
};

static DEFINE_PER_CPU(struct kmd_test_pcpu, kmd_test_pcpu);
static u8 kmd_test_static[5000];	/* module memory */
static u8 *kmd_test_vmalloc;		/* several pages: several physical pieces */
static u8 *kmd_test_kmalloc;		/* linear map */
static u8 *kmd_test_alt;		/* same size as kmalloc: a movable region's second home */

#define KMD_TEST_VMALLOC_SIZE	(3 * PAGE_SIZE + 123)
#define KMD_TEST_KMALLOC_SIZE	2000

static u8 kmd_pattern(u32 seed, u32 i)
{
	return (u8)(seed * 131 + i * 7 + (i >> 8) + 1);
}

static void kmd_fill(u8 *p, size_t n, u32 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = kmd_pattern(seed, i);
}

struct kmd_test_buf {
	char name[16];
	void *va;
	size_t size;
	u32 seed;
};

#define KMD_TEST_CPUS		8	/* per-CPU buffers for the first CPUs only */

static struct kmd_test_buf kmd_bufs[4 + KMD_TEST_CPUS];
static unsigned int kmd_nbufs;

static void kmd_add_buf(const char *name, void *va, size_t size, u32 seed)
{
	struct kmd_test_buf *b = &kmd_bufs[kmd_nbufs++];

	strscpy(b->name, name, sizeof(b->name));
	b->va = va;
	b->size = size;
	b->seed = seed;
	kmd_fill(va, size, seed);
}

static struct kmd_test_buf *kmd_find_buf(const char *name)
{
	unsigned int i;

	for (i = 0; i < kmd_nbufs; i++)
		if (!strcmp(kmd_bufs[i].name, name))
			return &kmd_bufs[i];
	return NULL;
}

/* Regions registered through "cmd", by name. */
static struct {
	char name[16];
	int id;
} kmd_regs[KMD_TEST_REGS];
static DEFINE_MUTEX(kmd_test_lock);

static int kmd_reg_slot(const char *name, bool create)
{
	int i, free = -1;

	for (i = 0; i < KMD_TEST_REGS; i++) {
		if (kmd_regs[i].id && !strcmp(kmd_regs[i].name, name))
			return i;
		if (!kmd_regs[i].id && free < 0)
			free = i;
	}
	return create ? free : -1;
}

/* Consumers: count what the notifier tells them. */
struct kmd_test_consumer {
	struct notifier_block nb;
	bool attached;
	atomic_t adds, removes, updates, panics;
	atomic_t panic_updates;	/* UPDATEs heard while a panic or oops was in progress */
	unsigned int replayed;	/* ADD events delivered inside register_consumer() */
	bool in_register;
};

static struct kmd_test_consumer kmd_consumers[2];

static int kmd_consumer_event(struct notifier_block *nb, unsigned long ev, void *data)
{
	struct kmd_test_consumer *c = container_of(nb, struct kmd_test_consumer, nb);
	const struct kminidump_event *e = data;

	switch (ev) {
	case KMINIDUMP_ADD:
		if (WARN_ON(!e->row || le32_to_cpu(e->row->state) != KMD_ROW_VALID))
			break;
		atomic_inc(&c->adds);
		if (c->in_register)
			c->replayed++;
		break;
	case KMINIDUMP_REMOVE:
		atomic_inc(&c->removes);
		break;
	case KMINIDUMP_UPDATE:
		atomic_inc(&c->updates);
		if (READ_ONCE(oops_in_progress))
			atomic_inc(&c->panic_updates);
		break;
	case KMINIDUMP_PANIC:
		/* the panic tier reads this line: once, with nothing heard in the panic */
		pr_emerg("consumer%td: PANIC %d, UPDATE during the panic %d\n",
			 c - kmd_consumers, atomic_inc_return(&c->panics),
			 atomic_read(&c->panic_updates));
		break;
	}
	return NOTIFY_OK;
}

static int kmd_consumer_show(struct seq_file *m, void *v)
{
	struct kmd_test_consumer *c = m->private;

	seq_printf(m, "attached %d adds %d removes %d updates %d panics %d replayed %u\n",
		   c->attached, atomic_read(&c->adds), atomic_read(&c->removes),
		   atomic_read(&c->updates), atomic_read(&c->panics), c->replayed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kmd_consumer);

static int kmd_attach(unsigned int n, bool attach)
{
	struct kmd_test_consumer *c;
	int ret;

	if (n >= ARRAY_SIZE(kmd_consumers))
		return -EINVAL;
	c = &kmd_consumers[n];
	if (attach == c->attached)
		return -EALREADY;
	if (!attach) {
		ret = kminidump_unregister_consumer(&c->nb);
		c->attached = false;
		return ret;
	}
	c->nb.notifier_call = kmd_consumer_event;
	atomic_set(&c->adds, 0);
	atomic_set(&c->removes, 0);
	atomic_set(&c->updates, 0);
	atomic_set(&c->panic_updates, 0);
	c->replayed = 0;
	c->in_register = true;
	ret = kminidump_register_consumer(&c->nb);
	c->in_register = false;
	c->attached = !ret;
	return ret;
}

/* Stress: each thread owns KMD_TEST_PER_THREAD chunks and one movable region. */
struct kmd_stress {
	struct task_struct *task;
	unsigned int t;
	u8 *chunk[KMD_TEST_PER_THREAD];
	int id[KMD_TEST_PER_THREAD];
	u8 *home[2];
	int movable;
	unsigned long ops, errors;
};

static struct kmd_stress kmd_stress[KMD_TEST_THREADS];
static unsigned int kmd_nstress;

/*
 * Movable region "mt" (one page, homes of seed 3000 and 3001) moved from an hrtimer
 * every KMD_TIMER_NS, in hard-IRQ context: kminidump_update() must work from any
 * context, so the host's snapshots see it moved while the threads hold the table.
 */
#define KMD_TIMER_NS		(200 * NSEC_PER_USEC)
static struct {
	struct hrtimer timer;
	u8 *home[2];
	int id;
	unsigned int flip;
	atomic_long_t ops, errors;
	bool armed;
} kmd_timer;

static enum hrtimer_restart kmd_timer_fn(struct hrtimer *t)
{
	kmd_timer.flip ^= 1;
	if (kminidump_update(kmd_timer.id, kmd_timer.home[kmd_timer.flip], PAGE_SIZE))
		atomic_long_inc(&kmd_timer.errors);
	atomic_long_inc(&kmd_timer.ops);
	hrtimer_forward_now(t, ns_to_ktime(KMD_TIMER_NS));
	return HRTIMER_RESTART;
}

static void kmd_timer_stop(void)
{
	if (kmd_timer.armed)
		hrtimer_cancel(&kmd_timer.timer);
	kmd_timer.armed = false;
	if (kmd_timer.id > 0)
		kminidump_unregister(kmd_timer.id);
	kmd_timer.id = 0;
	free_page((unsigned long)kmd_timer.home[0]);
	free_page((unsigned long)kmd_timer.home[1]);
	kmd_timer.home[0] = NULL;
	kmd_timer.home[1] = NULL;
}

static int kmd_timer_start(void)
{
	kmd_timer.home[0] = (u8 *)__get_free_page(GFP_KERNEL);
	kmd_timer.home[1] = (u8 *)__get_free_page(GFP_KERNEL);
	if (!kmd_timer.home[0] || !kmd_timer.home[1]) {
		kmd_timer_stop();
		return -ENOMEM;
	}
	kmd_fill(kmd_timer.home[0], PAGE_SIZE, 3000);
	kmd_fill(kmd_timer.home[1], PAGE_SIZE, 3001);
	kmd_timer.flip = 0;
	atomic_long_set(&kmd_timer.ops, 0);
	atomic_long_set(&kmd_timer.errors, 0);
	kmd_timer.id = kminidump_register_va(0, "mt", kmd_timer.home[0], PAGE_SIZE,
					     KMINIDUMP_F_MOVABLE);
	if (kmd_timer.id < 0) {
		int ret = kmd_timer.id;

		kmd_timer_stop();
		return ret;
	}
	hrtimer_init(&kmd_timer.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	kmd_timer.timer.function = kmd_timer_fn;
	hrtimer_start(&kmd_timer.timer, ns_to_ktime(KMD_TIMER_NS), HRTIMER_MODE_REL_HARD);
	kmd_timer.armed = true;
	return 0;
}

/* chunk k of thread t: its size and seed are what the host expects from its name */
static size_t kmd_stress_size(unsigned int t, unsigned int k)
{
	return 64 + 4 * (t * KMD_TEST_PER_THREAD + k);
}

static u32 kmd_stress_seed(unsigned int t, unsigned int k)
{
	return 1000 + t * KMD_TEST_PER_THREAD + k;
}

static int kmd_stress_fn(void *arg)
{
	struct kmd_stress *s = arg;
	char name[16];
	unsigned int k, flip = 0;
	int ret;

	while (!kthread_should_stop()) {
		k = get_random_u32() % KMD_TEST_PER_THREAD;
		snprintf(name, sizeof(name), "s%u_%u", s->t, k);
		if (s->id[k] > 0) {
			ret = kminidump_unregister(s->id[k]);
			s->id[k] = 0;
		} else {
			ret = kminidump_register_va(0, name, s->chunk[k],
						    kmd_stress_size(s->t, k), 0);
			s->id[k] = ret > 0 ? ret : 0;
			if (ret == -ENOSPC)
				ret = 0;	/* the table may fill up: not an error */
		}
		if (ret < 0)
			s->errors++;
		if (s->movable > 0) {
			unsigned long irqs;

			/* every other move with interrupts off: atomic context */
			flip ^= 1;
			if (flip)
				local_irq_save(irqs);
			if (kminidump_update(s->movable, s->home[flip], PAGE_SIZE))
				s->errors++;
			if (flip)
				local_irq_restore(irqs);
		}
		s->ops++;
		if (!(s->ops % 64))
			cond_resched();
	}
	for (k = 0; k < KMD_TEST_PER_THREAD; k++)
		if (s->id[k] > 0)
			kminidump_unregister(s->id[k]);
	if (s->movable > 0)
		kminidump_unregister(s->movable);
	return 0;
}

static void kmd_stress_free(struct kmd_stress *s)
{
	unsigned int k;

	for (k = 0; k < KMD_TEST_PER_THREAD; k++)
		kfree(s->chunk[k]);
	free_page((unsigned long)s->home[0]);
	free_page((unsigned long)s->home[1]);
	memset(s, 0, sizeof(*s));
}

static void kmd_stress_stop(void)
{
	unsigned int i;

	if (kmd_timer.armed)
		pr_info("stress timer: %ld ops, %ld errors\n", atomic_long_read(&kmd_timer.ops),
			atomic_long_read(&kmd_timer.errors));
	kmd_timer_stop();
	for (i = 0; i < kmd_nstress; i++) {
		if (kmd_stress[i].task)
			kthread_stop(kmd_stress[i].task);
		pr_info("stress thread %u: %lu ops, %lu errors\n", i,
			kmd_stress[i].ops, kmd_stress[i].errors);
	}
	for (i = 0; i < kmd_nstress; i++)
		kmd_stress_free(&kmd_stress[i]);
	kmd_nstress = 0;
}

static int kmd_stress_start(unsigned int n)
{
	unsigned int i, k;
	char name[16];
	int ret;

	if (kmd_nstress || kmd_timer.armed || !n || n > KMD_TEST_THREADS)
		return -EINVAL;
	ret = kmd_timer_start();
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		struct kmd_stress *s = &kmd_stress[i];

		s->t = i;
		for (k = 0; k < KMD_TEST_PER_THREAD; k++) {
			s->chunk[k] = kmalloc(kmd_stress_size(i, k), GFP_KERNEL);
			if (!s->chunk[k])
				goto nomem;
			kmd_fill(s->chunk[k], kmd_stress_size(i, k), kmd_stress_seed(i, k));
		}
		s->home[0] = (u8 *)__get_free_page(GFP_KERNEL);
		s->home[1] = (u8 *)__get_free_page(GFP_KERNEL);
		if (!s->home[0] || !s->home[1])
			goto nomem;
		kmd_fill(s->home[0], PAGE_SIZE, 2000 + 2 * i);
		kmd_fill(s->home[1], PAGE_SIZE, 2001 + 2 * i);
		snprintf(name, sizeof(name), "m%u", i);
		s->movable = kminidump_register_va(0, name, s->home[0], PAGE_SIZE,
						   KMINIDUMP_F_MOVABLE);
		kmd_nstress = i + 1;
		s->task = kthread_run(kmd_stress_fn, s, "kmd_stress/%u", i);
		if (IS_ERR(s->task)) {
			s->task = NULL;
			kmd_stress_stop();
			return -ENOMEM;
		}
	}
	return 0;
nomem:
	kmd_nstress = i + 1;
	kmd_stress_stop();
	return -ENOMEM;
}

static int kmd_stress_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < kmd_nstress; i++)
		seq_printf(m, "thread %u ops %lu errors %lu\n", i, kmd_stress[i].ops,
			   kmd_stress[i].errors);
	if (kmd_timer.armed)
		seq_printf(m, "timer - ops %ld errors %ld\n", atomic_long_read(&kmd_timer.ops),
			   atomic_long_read(&kmd_timer.errors));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kmd_stress);

static int kmd_buffers_show(struct seq_file *m, void *v)
{
	unsigned int i;

	for (i = 0; i < kmd_nbufs; i++)
		seq_printf(m, "%s 0x%lx %zu %u\n", kmd_bufs[i].name,
			   (unsigned long)kmd_bufs[i].va, kmd_bufs[i].size, kmd_bufs[i].seed);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kmd_buffers);

static int kmd_cmd_reg(const char *cmd, char *name, char *arg, char *arg2)
{
	struct kmd_test_buf *b = NULL;
	unsigned long size;
	int slot, ret;

	if (!name || !arg)
		return -EINVAL;
	slot = kmd_reg_slot(name, true);
	if (slot < 0)
		return -ENOSPC;
	if (strcmp(cmd, "reg-sym")) {
		b = kmd_find_buf(arg);
		if (!b)
			return -ENOENT;
	}
	if (!strcmp(cmd, "reg-va")) {
		u32 flags = 0;

		/* "panic": a capture row as kminidump_kernel reserves one, parked */
		if (arg2 && !strcmp(arg2, "movable"))
			flags = KMINIDUMP_F_MOVABLE;
		else if (arg2 && !strcmp(arg2, "panic"))
			flags = KMINIDUMP_F_MOVABLE | KMINIDUMP_F_PANIC;
		ret = kminidump_register_va(0, name, b->va, b->size, flags);
	} else if (!strcmp(cmd, "reg-pa")) {
		phys_addr_t pa;

		if (!kminidump_virt_to_phys((unsigned long)b->va, &pa))
			return -EFAULT;
		ret = kminidump_register_pa(0, name, pa, b->size, 0);
	} else {
		if (!arg2 || kstrtoul(arg2, 0, &size))
			return -EINVAL;
		ret = kminidump_register_symbol(0, name, arg, size, 0);
	}
	if (ret > 0) {
		strscpy(kmd_regs[slot].name, name, sizeof(kmd_regs[slot].name));
		kmd_regs[slot].id = ret;
	}
	return ret < 0 ? ret : 0;
}

static ssize_t kmd_cmd_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char *buf, *p, *cmd, *a1, *a2, *a3;
	struct kmd_test_buf *b;
	unsigned int n;
	int slot, ret;

	buf = memdup_user_nul(ubuf, min_t(size_t, len, 128));
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	p = strim(buf);
	cmd = strsep(&p, " ");
	a1 = strsep(&p, " ");
	a2 = strsep(&p, " ");
	a3 = strsep(&p, " ");

	mutex_lock(&kmd_test_lock);
	if (!strncmp(cmd, "reg-", 4)) {
		ret = kmd_cmd_reg(cmd, a1, a2, a3);
	} else if (!strcmp(cmd, "unreg") || !strcmp(cmd, "update")) {
		slot = a1 ? kmd_reg_slot(a1, false) : -1;
		if (slot < 0) {
			ret = -ENOENT;
		} else if (!strcmp(cmd, "unreg")) {
			ret = kminidump_unregister(kmd_regs[slot].id);
			kmd_regs[slot].id = 0;
		} else {
			b = a2 ? kmd_find_buf(a2) : NULL;
			ret = b ? kminidump_update(kmd_regs[slot].id, b->va, b->size) : -ENOENT;
		}
	} else if (!strcmp(cmd, "unreg-id")) {
		/* any id, owned or not: the core must refuse another's region */
		ret = a1 && !kstrtouint(a1, 0, &n) ? kminidump_unregister(n) : -EINVAL;
	} else if (!strcmp(cmd, "update-id")) {
		/* a stale id, as a late update after removal would hold */
		b = a2 ? kmd_find_buf(a2) : NULL;
		ret = a1 && b && !kstrtouint(a1, 0, &n) ? kminidump_update(n, b->va, b->size) :
		      -EINVAL;
	} else if (!strcmp(cmd, "fixed-id")) {
		/* fixed-id NAME BUF ID: a caller-chosen id, which must be in range */
		b = a2 ? kmd_find_buf(a2) : NULL;
		ret = a1 && b && a3 && !kstrtouint(a3, 0, &n) ?
		      kminidump_register_va(n, a1, b->va, b->size, 0) : -EINVAL;
		if (ret > 0) {
			kminidump_unregister(ret);
			ret = 0;
		}
	} else if (!strcmp(cmd, "attach") || !strcmp(cmd, "detach")) {
		ret = a1 && !kstrtouint(a1, 0, &n) ? kmd_attach(n, cmd[0] == 'a') : -EINVAL;
	} else if (!strcmp(cmd, "stress")) {
		ret = a1 && !kstrtouint(a1, 0, &n) ? kmd_stress_start(n) : -EINVAL;
	} else if (!strcmp(cmd, "stress-stop")) {
		kmd_stress_stop();
		ret = 0;
	} else {
		ret = -EINVAL;
	}
	mutex_unlock(&kmd_test_lock);
	kfree(buf);
	return ret ? ret : len;
}

static const struct file_operations kmd_cmd_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = kmd_cmd_write,
};

static struct dentry *kmd_dir;

static int __init kmd_test_init(void)
{
	char name[16];
	unsigned int cpu;

	kmd_test_vmalloc = vmalloc(KMD_TEST_VMALLOC_SIZE);
	kmd_test_kmalloc = kmalloc(KMD_TEST_KMALLOC_SIZE, GFP_KERNEL);
	kmd_test_alt = kmalloc(KMD_TEST_KMALLOC_SIZE, GFP_KERNEL);
	if (!kmd_test_vmalloc || !kmd_test_kmalloc || !kmd_test_alt)
		goto err_alloc;
	kmd_add_buf("vmalloc", kmd_test_vmalloc, KMD_TEST_VMALLOC_SIZE, 1);
	kmd_add_buf("kmalloc", kmd_test_kmalloc, KMD_TEST_KMALLOC_SIZE, 2);
	kmd_add_buf("alt", kmd_test_alt, KMD_TEST_KMALLOC_SIZE, 3);
	kmd_add_buf("static", kmd_test_static, sizeof(kmd_test_static), 4);
	for_each_possible_cpu(cpu) {
		if (cpu >= KMD_TEST_CPUS)
			break;
		snprintf(name, sizeof(name), "percpu%u", cpu);
		kmd_add_buf(name, per_cpu_ptr(&kmd_test_pcpu, cpu),
			    sizeof(struct kmd_test_pcpu), 10 + cpu);
	}

	kmd_dir = debugfs_create_dir("kmd_test", NULL);
	debugfs_create_file("buffers", 0400, kmd_dir, NULL, &kmd_buffers_fops);
	debugfs_create_file("cmd", 0200, kmd_dir, NULL, &kmd_cmd_fops);
	debugfs_create_file("consumer0", 0400, kmd_dir, &kmd_consumers[0], &kmd_consumer_fops);
	debugfs_create_file("consumer1", 0400, kmd_dir, &kmd_consumers[1], &kmd_consumer_fops);
	debugfs_create_file("stress", 0400, kmd_dir, NULL, &kmd_stress_fops);
	return 0;

err_alloc:
	vfree(kmd_test_vmalloc);
	kfree(kmd_test_kmalloc);
	kfree(kmd_test_alt);
	return -ENOMEM;
}

static void __exit kmd_test_exit(void)
{
	unsigned int i;

	debugfs_remove_recursive(kmd_dir);
	kmd_stress_stop();
	for (i = 0; i < ARRAY_SIZE(kmd_consumers); i++)
		if (kmd_consumers[i].attached)
			kmd_attach(i, false);
	for (i = 0; i < KMD_TEST_REGS; i++)
		if (kmd_regs[i].id)
			kminidump_unregister(kmd_regs[i].id);
	vfree(kmd_test_vmalloc);
	kfree(kmd_test_kmalloc);
	kfree(kmd_test_alt);
}

module_init(kmd_test_init);
module_exit(kmd_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kminidump test module: planted objects and API exercise");
