// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/kminidump/: the table at a glance (regions), commands
 * (control) and the user symbol table (symbols). Root only: rows hold kernel
 * addresses.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "core.h"

static void kmd_flags_str(u32 state, u32 flags, char *buf)
{
	char *p = buf;

	if (flags & KMD_ROW_F_HEADER)
		*p++ = 'H';
	if (flags & KMD_ROW_F_MOVABLE)
		*p++ = 'M';
	if (flags & KMD_ROW_F_PANIC)
		*p++ = 'P';
	if (flags & KMD_ROW_F_BYPA)
		*p++ = 'A';
	if (flags & KMD_ROW_F_PARKED)
		*p++ = 'R';
	if (state == KMD_ROW_BUSY)
		*p++ = 'B';
	if (p == buf)
		*p++ = '-';
	*p = 0;
}

static int regions_show(struct seq_file *m, void *v)
{
	unsigned int i;

	seq_printf(m, "%4s %6s %-15s %-18s %-18s %10s %10s %-5s %s\n", "idx", "id",
		   "name", "va", "pa", "size", "room", "flags", "owner");
	mutex_lock(&kmd.lock);
	for (i = 0; i < kmd.capacity; i++) {
		const struct kmd_row *r = &kmd.rows[i];
		u32 state = le32_to_cpu(r->state);
		char flags[8];

		if (state == KMD_ROW_FREE)
			continue;
		kmd_flags_str(state, le32_to_cpu(r->flags), flags);
		/* the row holds 15 characters of the owner; the module knows them all */
		seq_printf(m, "%4u %6u %-15.15s 0x%016llx 0x%016llx %10llu %10llu %-5s %s\n",
			   i, le32_to_cpu(r->id), r->name, le64_to_cpu(r->va),
			   le64_to_cpu(r->pa), le64_to_cpu(r->size), le64_to_cpu(r->room),
			   flags, i == 0 ? KBUILD_MODNAME : kmd.slots[i].owner ?
			   module_name(kmd.slots[i].owner) : "user");
	}
	mutex_unlock(&kmd.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(regions);

static int kmd_parse_size(const char *s, size_t *size)
{
	unsigned long long v;

	if (!s || kstrtoull(s, 0, &v))
		return -EINVAL;
	*size = v;
	return v == *size ? 0 : -E2BIG;
}

/* add <symbol> <size> */
static int kmd_cmd_add(char *args)
{
	char *sym = strsep(&args, " "), *size_s = strsep(&args, " ");
	unsigned long addr;
	size_t size;
	int ret;

	if (!sym || !*sym || args) {
		pr_warn("control: usage: add <symbol> <size>\n");
		return -EINVAL;
	}
	if (!size_s) {
		pr_warn("control: add %s: give its size in bytes (kallsyms distances are not sizes)\n",
			sym);
		return -EINVAL;
	}
	if (kmd_parse_size(size_s, &size)) {
		pr_warn("control: add %s: bad size '%s'\n", sym, size_s);
		return -EINVAL;
	}
	ret = kmd_lookup(sym, &addr);
	if (ret) {
		pr_warn("control: add %s: symbol %s\n", sym,
			ret == -ENOTUNIQ ? "is ambiguous in the loaded table" : "not found");
		return ret;
	}
	mutex_lock(&kmd.lock);
	ret = kmd_add_va(NULL, 0, sym, addr, size, 0);
	mutex_unlock(&kmd.lock);
	return ret < 0 ? ret : 0;
}

/* add-va <hex va> <size> <name> */
static int kmd_cmd_add_va(char *args)
{
	char *va_s = strsep(&args, " "), *size_s = strsep(&args, " ");
	char *name = strsep(&args, " ");
	unsigned long va;
	size_t size;
	int ret;

	if (!va_s || !size_s || !name || args) {
		pr_warn("control: usage: add-va <hex va> <size> <name>\n");
		return -EINVAL;
	}
	if (kstrtoul(va_s, 16, &va)) {
		pr_warn("control: add-va: bad address '%s'\n", va_s);
		return -EINVAL;
	}
	if (kmd_parse_size(size_s, &size)) {
		pr_warn("control: add-va %s: bad size '%s'\n", name, size_s);
		return -EINVAL;
	}
	mutex_lock(&kmd.lock);
	ret = kmd_add_va(NULL, 0, name, va, size, 0);
	mutex_unlock(&kmd.lock);
	return ret < 0 ? ret : 0;
}

/*
 * del <name> | del id:<N>. A bare number is refused rather than guessed at:
 * names are never all digits, but "del 1025" could be a typo of either.
 */
static int kmd_cmd_del(char *args)
{
	bool by_id;
	u32 id;
	int ret;

	if (!args || !*args || strchr(args, ' ')) {
		pr_warn("control: usage: del <name> | del id:<N>\n");
		return -EINVAL;
	}
	by_id = !strncmp(args, "id:", 3);
	if (by_id) {
		if (kstrtou32(args + 3, 10, &id) || !id) {
			pr_warn("control: del %s: expected id:<decimal id>, as in regions\n",
				args);
			return -EINVAL;
		}
	} else if (!kstrtou32(args, 0, &id)) {
		pr_warn("control: del %s: a region id is written id:%s; names are not all digits\n",
			args, args);
		return -EINVAL;
	}
	mutex_lock(&kmd.lock);
	ret = by_id ? 0 : kmd_find_id_by_name_locked(args, &id);
	if (!ret)
		ret = kmd_del_locked(id);
	mutex_unlock(&kmd.lock);
	if (ret == -EPERM)
		pr_warn("control: del %s: the ELF header row cannot be removed\n", args);
	else if (ret)
		pr_warn("control: del %s: no such region\n", args);
	return ret;
}

static int kmd_cmd_unknown(const char *cmd)
{
	pr_warn("control: unknown command '%s' (add, add-va, del)\n", cmd);
	return -EINVAL;
}

static ssize_t control_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char *buf, *cmd, *args, *nl;
	int ret;

	if (len > 256) {
		pr_warn("control: command longer than 256 bytes\n");
		return -EINVAL;
	}
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	nl = strchr(buf, '\n');
	if (nl) {
		if (nl[1]) {
			pr_warn("control: one command per write\n");
			ret = -EINVAL;
			goto out;
		}
		*nl = 0;
	}
	args = strim(buf);
	cmd = strsep(&args, " ");
	if (args)
		args = skip_spaces(args);
	if (!strcmp(cmd, "add"))
		ret = kmd_cmd_add(args);
	else if (!strcmp(cmd, "add-va"))
		ret = kmd_cmd_add_va(args);
	else if (!strcmp(cmd, "del"))
		ret = kmd_cmd_del(args);
	else
		ret = kmd_cmd_unknown(cmd);
out:
	kfree(buf);
	return ret ? ret : len;
}

static const struct file_operations control_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = control_write,
};

static int symbols_show(struct seq_file *m, void *v)
{
	kmd_symbols_show(m);
	return 0;
}

/*
 * A table is written, then committed by close() (flush, whose error close()
 * returns) or by fsync(): never by release, whose value the VFS drops. Opened
 * O_RDWR, the status read and the table written share the file: the table
 * in progress lives in the seq_file's private pointer.
 */
static void **symbols_state(struct file *file)
{
	if (file->f_mode & FMODE_READ)
		return &((struct seq_file *)file->private_data)->private;
	return &file->private_data;
}

static int symbols_open(struct inode *inode, struct file *file)
{
	if (file->f_mode & FMODE_READ)
		return single_open(file, symbols_show, NULL);
	file->private_data = NULL;
	return nonseekable_open(inode, file);
}

static ssize_t symbols_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	int ret;

	ret = kmd_symbols_write(ubuf, len, symbols_state(file));
	return ret ? ret : len;
}

static int symbols_commit(struct file *file)
{
	void **state = symbols_state(file);
	int ret;

	if (!*state)
		return 0;	/* nothing written since the last commit */
	ret = kmd_symbols_commit(*state);	/* frees what it refuses */
	*state = NULL;
	/* a new symbol source may find the kernel's own VMCOREINFO */
	if (!ret)
		kmd_vmcoreinfo_refresh();
	return ret;
}

static int symbols_flush(struct file *file, fl_owner_t id)
{
	return symbols_commit(file);
}

static int symbols_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	return symbols_commit(file);
}

static int symbols_release(struct inode *inode, struct file *file)
{
	/*
	 * flush committed or freed the table and reported its error; only a file
	 * released without a flush (in flight in a unix socket) still holds one
	 */
	kmd_symbols_discard(*symbols_state(file));
	*symbols_state(file) = NULL;
	if (file->f_mode & FMODE_READ)
		return single_release(inode, file);
	return 0;
}

static const struct file_operations symbols_fops = {
	.owner = THIS_MODULE,
	.open = symbols_open,
	.read = seq_read,
	.write = symbols_write,
	.flush = symbols_flush,
	.fsync = symbols_fsync,
	.release = symbols_release,
};

void kmd_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("kminidump", NULL);

	if (IS_ERR(dir)) {
		pr_warn("debugfs unavailable (%pe): no /sys/kernel/debug/kminidump; the table still works\n",
			dir);
		return;
	}
	kmd.debugfs = dir;
	debugfs_create_file("regions", 0400, dir, NULL, &regions_fops);
	debugfs_create_file("control", 0200, dir, NULL, &control_fops);
	/*
	 * _unsafe: debugfs's full proxy has no flush or fsync, where a table is
	 * committed; this one installs symbols_fops itself. Safe here: the file
	 * holds a reference on this module (.owner) and is only removed at exit.
	 */
	debugfs_create_file_unsafe("symbols", 0600, dir, NULL, &symbols_fops);
	debugfs_create_file("core", 0400, dir, NULL, &kmd_core_fops);
}

void kmd_debugfs_exit(void)
{
	debugfs_remove_recursive(kmd.debugfs);
	kmd.debugfs = NULL;
}
