// SPDX-License-Identifier: GPL-2.0
/*
 * kmd_crash: crashes the kernel on request, in functions with distinctive
 * names, for the panic-time capture tests (tests/qemu/cases/panic_*.sh).
 *
 * /sys/kernel/debug/kmd_crash/trigger (write only), one word per write:
 *   null           NULL dereference in kmd_crash_null_deref() (an oops; panics
 *                  with oops=panic)
 *   bug-wq         BUG() in kmd_crash_bug_here(), called by a workqueue item
 *                  (kmd_crash_bug_work) queued on the writer's CPU
 *   panic-kthread  panic() from kmd_crash_panic_here(), in kthread kmd_crash_panic
 *                  bound to the writer's CPU
 *   softlockup     kthread kmd_crash_lockup, bound to the writer's CPU, spins with
 *                  preemption disabled in kmd_crash_lockup_spin() until the
 *                  soft-lockup detector fires (panics with softlockup_panic=1)
 *   warn           WARN_ON() in kmd_crash_warn_here() (panics with panic_on_warn=1)
 *   spin           kthread kmd_crash_spin, bound to CPU 1, spins with preemption
 *                  and softirqs disabled, interrupts enabled, in
 *                  kmd_crash_spin_here() until the machine dies; the write returns
 *                  once it spins, so the test can then panic from CPU 0 (sysrq-c).
 *                  Softirqs wait: the stop NMI once landed in one run at an
 *                  interrupt's exit, not in the spinner (CI, amd64 6.1)
 *   cfi            an indirect call of kmd_crash_cfi_target() through a pointer of
 *                  another type, in kmd_crash_cfi_call(): with CONFIG_CFI_CLANG a
 *                  "CFI failure" oops (panics with oops=panic); without kCFI the call
 *                  runs and the write fails with EOPNOTSUPP
 * Before crashing, each trigger logs "kmd_crash: <trigger>: pid P comm C cpu N"
 * from the context that will crash (spin: the spinning thread). A test picks
 * the crashing CPU by pinning the writer (taskset -c N).
 * No function that leads to a crash ends in a call: each caller's return
 * address stays inside it, and tail calls do not drop frames.
 * The write returns an error if the trigger did not crash the kernel (warn
 * without panic_on_warn, for example). Once a trigger started a thread or a
 * work item, the module cannot be unloaded.
 */
#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

static int *kmd_crash_nullptr;		/* stays NULL; read with READ_ONCE() */
static bool kmd_crash_forever = true;	/* never cleared: spins do not look endless */
static DECLARE_COMPLETION(kmd_crash_spinning);
/* crashing is this module's purpose: BUG() under a name checkpatch lets pass */
#define kmd_crash_bug_now BUG
static struct dentry *kmd_crash_dir;

#define KMD_CRASH_SPIN_CPU	1

static void kmd_crash_say(const char *trigger)
{
	pr_info("%s: pid %d comm %s cpu %d\n", trigger, task_pid_nr(current),
		current->comm, raw_smp_processor_id());
}

/* __noipa: no clone with another name, no noreturn inferred for the callers */
static noinline __noipa int kmd_crash_null_deref(int *p)
{
	WRITE_ONCE(*p, 0x6b6d64);
	return READ_ONCE(*p);
}

static noinline __noipa void kmd_crash_bug_here(void)
{
	if (READ_ONCE(kmd_crash_forever))
		kmd_crash_bug_now();
}

static void kmd_crash_bug_work(struct work_struct *work)
{
	kmd_crash_say("bug-wq");
	kmd_crash_bug_here();
	pr_err("BUG() returned\n");
}

static DECLARE_WORK(kmd_crash_work, kmd_crash_bug_work);

/*
 * panic() through a pointer: a direct call of a __noreturn __cold function would
 * be the last instruction of a .cold part, its return address past that part's end.
 */
static __printf(1, 2) void (*kmd_crash_panic_fn)(const char *fmt, ...) = panic;

static noinline __noipa void kmd_crash_panic_here(void)
{
	READ_ONCE(kmd_crash_panic_fn)("kmd_crash: panic() from kthread %s\n", current->comm);
	pr_err("panic() returned\n");	/* also keeps the call from being a tail call */
}

static int kmd_crash_panic_thread(void *arg)
{
	kmd_crash_say("panic-kthread");
	kmd_crash_panic_here();
	return 0;
}

static noinline __noipa void kmd_crash_lockup_spin(void)
{
	preempt_disable();
	while (READ_ONCE(kmd_crash_forever))
		cpu_relax();
	preempt_enable();
}

static int kmd_crash_lockup_thread(void *arg)
{
	kmd_crash_say("softlockup");
	kmd_crash_lockup_spin();
	return 0;
}

static noinline __noipa bool kmd_crash_warn_here(void)
{
	return WARN_ON(READ_ONCE(kmd_crash_forever));
}

static noinline __noipa void kmd_crash_spin_here(void)
{
	preempt_disable();
	local_bh_disable();
	kmd_crash_say("spin");
	complete(&kmd_crash_spinning);
	while (READ_ONCE(kmd_crash_forever))
		cpu_relax();
	local_bh_enable();
	preempt_enable();
}

static int kmd_crash_spin_thread(void *arg)
{
	kmd_crash_spin_here();
	return 0;
}

static noinline __noipa int kmd_crash_cfi_target(int *p)
{
	return READ_ONCE(*p);
}

/* /sys/module/kmd_crash/parameters/kcfi: Y if the cfi trigger can crash this kernel */
static bool kcfi = IS_ENABLED(CONFIG_CFI_CLANG);
module_param(kcfi, bool, 0444);
MODULE_PARM_DESC(kcfi, "built with kCFI (CONFIG_CFI_CLANG), read only");

/* a prototype that differs from the target's: kCFI's type hashes differ */
static void (*kmd_crash_cfi_fn)(void *) = (void *)kmd_crash_cfi_target;

static noinline __noipa int kmd_crash_cfi_call(void)
{
	int v = 0;

	READ_ONCE(kmd_crash_cfi_fn)(&v);
	pr_err("cfi: the mistyped call returned: no kCFI\n");	/* and no tail call */
	return -EOPNOTSUPP;
}

static int kmd_crash_thread(int (*fn)(void *), const char *name, int cpu)
{
	struct task_struct *t;

	t = kthread_create(fn, NULL, "%s", name);
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, cpu);
	__module_get(THIS_MODULE);	/* the thread never returns */
	wake_up_process(t);
	return 0;
}

static int kmd_crash_trigger(const char *what)
{
	int cpu = raw_smp_processor_id();	/* the writer's: tests pin it */
	int ret;

	if (sysfs_streq(what, "null")) {
		kmd_crash_say("null");
		kmd_crash_null_deref(READ_ONCE(kmd_crash_nullptr));
		return -EAGAIN;
	}
	if (sysfs_streq(what, "bug-wq")) {
		__module_get(THIS_MODULE);
		schedule_work_on(cpu, &kmd_crash_work);
		return 0;
	}
	if (sysfs_streq(what, "panic-kthread"))
		return kmd_crash_thread(kmd_crash_panic_thread, "kmd_crash_panic", cpu);
	if (sysfs_streq(what, "softlockup"))
		return kmd_crash_thread(kmd_crash_lockup_thread, "kmd_crash_lockup", cpu);
	if (sysfs_streq(what, "warn")) {
		kmd_crash_say("warn");
		return kmd_crash_warn_here() ? -EAGAIN : -EINVAL;
	}
	if (sysfs_streq(what, "cfi")) {
		kmd_crash_say("cfi");
		return kmd_crash_cfi_call();
	}
	if (sysfs_streq(what, "spin")) {
		if (!cpu_online(KMD_CRASH_SPIN_CPU))
			return -ENODEV;
		if (completion_done(&kmd_crash_spinning))
			return -EBUSY;
		ret = kmd_crash_thread(kmd_crash_spin_thread, "kmd_crash_spin",
				       KMD_CRASH_SPIN_CPU);
		if (ret)
			return ret;
		if (!wait_for_completion_timeout(&kmd_crash_spinning, 10 * HZ))
			return -ETIMEDOUT;
		return 0;
	}
	return -EINVAL;
}

static ssize_t kmd_crash_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char *buf;
	int ret;

	buf = memdup_user_nul(ubuf, min_t(size_t, len, 32));
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = kmd_crash_trigger(buf);
	kfree(buf);
	return ret ? ret : len;
}

static const struct file_operations kmd_crash_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = kmd_crash_write,
};

static int __init kmd_crash_init(void)
{
	kmd_crash_dir = debugfs_create_dir("kmd_crash", NULL);
	debugfs_create_file("trigger", 0200, kmd_crash_dir, NULL, &kmd_crash_fops);
	return 0;
}

static void __exit kmd_crash_exit(void)
{
	debugfs_remove_recursive(kmd_crash_dir);
}

module_init(kmd_crash_init);
module_exit(kmd_crash_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kminidump test module: crash the kernel in known functions");
