// SPDX-License-Identifier: GPL-2.0
/*
 * VMCOREINFO: the text in KELF's VMCOREINFO note that crash, drgn and
 * makedumpfile read (the kernel's own copy when it can be found, else a
 * synthesized one, plus the lines modules append), and the symbol resolver on
 * top of the others: kprobes, then this text's SYMBOL(name)=addr lines
 * (already relocated), then a loaded symbol table.
 */
#include <linux/kallsyms.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include "core.h"

/*
 * The VMCOREINFO text: a base (the kernel's own copy, or a synthesized one)
 * followed by the lines modules appended. Both are kept outside KELF so the
 * text can be rebuilt when a better base turns up.
 */
static char *vmci_base;		/* KMD_VMCOREINFO_ROOM bytes */
static size_t vmci_base_len;
static bool vmci_from_kernel;
static char *vmci_extra;		/* KMD_VMCOREINFO_ROOM bytes */
static size_t vmci_extra_len;
static size_t vmci_len;		/* bytes of text in KELF's note */

/*
 * Publish @len bytes of text into the note. The first byte is written last,
 * so a reader at any instant sees either the old text, an empty text, or the
 * new text, never a mix that parses.
 */
static void kmd_vmcoreinfo_publish(const char *text, size_t len)
{
	char *v = kmd.vmcoreinfo;

	if (len >= KMD_VMCOREINFO_ROOM)
		len = KMD_VMCOREINFO_ROOM - 1;
	WRITE_ONCE(v[0], 0);
	/* the text reads empty before its body changes ... */
	smp_wmb();
	if (len > 1)
		memcpy(v + 1, text + 1, len - 1);
	memset(v + len, 0, KMD_VMCOREINFO_ROOM - len);
	/* ... and whole again only once the body is complete */
	smp_wmb();
	if (len)
		WRITE_ONCE(v[0], text[0]);
	WRITE_ONCE(vmci_len, len);
}

static void kmd_vmcoreinfo_rebuild(void)
{
	char *buf = kmalloc(KMD_VMCOREINFO_ROOM, GFP_KERNEL);
	size_t n;

	if (!buf)
		return;
	n = min_t(size_t, vmci_base_len, KMD_VMCOREINFO_ROOM - 1);
	memcpy(buf, vmci_base, n);
	if (n + vmci_extra_len < KMD_VMCOREINFO_ROOM) {
		memcpy(buf + n, vmci_extra, vmci_extra_len);
		n += vmci_extra_len;
	}
	kmd_vmcoreinfo_publish(buf, n);
	kfree(buf);
}

/*
 * Find the kernel's own VMCOREINFO text (vmcoreinfo_data is not exported).
 * The addresses may come from a user-supplied symbol table: every read is
 * _nofault, and the text must look like VMCOREINFO before it is used.
 */
static bool kmd_vmcoreinfo_from_kernel(void)
{
	unsigned long data_addr, size_addr, data;
	bool ok;
	size_t size;
	char *buf;

	if (kmd_symbols_lookup("vmcoreinfo_data", &data_addr) ||
	    kmd_symbols_lookup("vmcoreinfo_size", &size_addr))
		return false;
	if (copy_from_kernel_nofault(&data, (void *)data_addr, sizeof(data)) ||
	    copy_from_kernel_nofault(&size, (void *)size_addr, sizeof(size)) ||
	    !data || size <= 10 || size >= KMD_VMCOREINFO_ROOM)
		return false;
	/* into a copy: vmci_base holds the synthesized text until this one is good */
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return false;
	ok = !copy_from_kernel_nofault(buf, (void *)data, size) &&
	     !strncmp(buf, "OSRELEASE=", 10) && !memchr(buf, 0, size);
	if (ok)
		memcpy(vmci_base, buf, size);
	kfree(buf);
	if (!ok)
		return false;
	vmci_base_len = size;
	/* vmcoreinfo_size need not end on a line; keep lines whole */
	if (vmci_base[size - 1] != '\n' && size + 1 < KMD_VMCOREINFO_ROOM)
		vmci_base[vmci_base_len++] = '\n';
	return true;
}

static void kmd_vmcoreinfo_synthesize(void)
{
	vmci_base_len = scnprintf(vmci_base, KMD_VMCOREINFO_ROOM,
				  "OSRELEASE=%s\nPAGESIZE=%lu\n",
				  init_uts_ns.name.release, PAGE_SIZE);
}

/* Called when a new symbol source appears: switch to the kernel's text if we can now. */
void kmd_vmcoreinfo_refresh(void)
{
	mutex_lock(&kmd.lock);
	if (!vmci_from_kernel) {
		vmci_from_kernel = kmd_vmcoreinfo_from_kernel();
		if (vmci_from_kernel) {
			pr_info("VMCOREINFO: using the kernel's copy (%zu bytes)\n", vmci_base_len);
			kmd_vmcoreinfo_rebuild();
		}
	}
	mutex_unlock(&kmd.lock);
}

size_t kmd_vmcoreinfo_len(void)
{
	return READ_ONCE(vmci_len);
}

/*
 * Append one line. In process context (table lock held) it is kept across
 * rebuilds. On the panic path (one CPU left) it goes straight into the note:
 * the line's first byte is written last, so the text stays whole at every instant.
 */
int kmd_vmcoreinfo_append_str(const char *line, bool atomic)
{
	size_t n = strlen(line), len = READ_ONCE(vmci_len);
	char *v = kmd.vmcoreinfo;

	if (!n || line[n - 1] != '\n' || strnchr(line, n - 1, '\n'))
		return -EINVAL;
	if (len + n >= KMD_VMCOREINFO_ROOM)
		return -ENOSPC;
	if (!atomic) {
		if (vmci_extra_len + n >= KMD_VMCOREINFO_ROOM)
			return -ENOSPC;
		memcpy(vmci_extra + vmci_extra_len, line, n);
		vmci_extra_len += n;
	}
	memcpy(v + len + 1, line + 1, n - 1);
	/* the line's first byte ends the text until the rest is in place */
	smp_wmb();
	WRITE_ONCE(v[len], line[0]);
	WRITE_ONCE(vmci_len, len + n);
	return 0;
}

int kminidump_vmcoreinfo_append(const char *fmt, ...)
{
	char line[256];
	va_list args;
	int ret;

	va_start(args, fmt);
	ret = vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	if (ret >= sizeof(line) - 1)
		return -E2BIG;
	if (!ret || line[ret - 1] != '\n')
		strcat(line, "\n");
	mutex_lock(&kmd.lock);
	ret = kmd_vmcoreinfo_append_str(line, false);
	mutex_unlock(&kmd.lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(kminidump_vmcoreinfo_append, KMD_NS);

int kminidump_vmcoreinfo_append_atomic(const char *fmt, ...)
{
	static char line[256];	/* the panic path runs on one CPU */
	va_list args;
	int ret;

	va_start(args, fmt);
	ret = vsnprintf(line, sizeof(line) - 1, fmt, args);
	va_end(args);
	if (ret >= sizeof(line) - 2)
		return -E2BIG;
	if (!ret || line[ret - 1] != '\n') {
		line[ret] = '\n';
		line[ret + 1] = 0;
		ret++;
	}
	/*
	 * One line: a newline inside (a panic message may hold one, and parts
	 * of some come from user input, such as a root= device name) would
	 * start a line of its own, a KEY=VALUE readers would take as ours
	 */
	strreplace(line, '\n', ' ');
	line[ret - 1] = '\n';
	return kmd_vmcoreinfo_append_str(line, true);
}
EXPORT_SYMBOL_NS_GPL(kminidump_vmcoreinfo_append_atomic, KMD_NS);

/* Copy the value of VMCOREINFO line @key ("SYMBOL(prb)", "OSRELEASE"...) into @buf. */
int kminidump_vmcoreinfo_value(const char *key, char *buf, size_t size)
{
	const char *v = kmd.vmcoreinfo, *end = v + READ_ONCE(vmci_len);
	size_t klen = strlen(key);

	if (!v)
		return -ENOENT;
	while (v < end) {
		const char *nl = strnchr(v, end - v, '\n');
		size_t n;

		if (!nl)
			break;
		if (nl - v > klen && !strncmp(v, key, klen) && v[klen] == '=') {
			n = nl - (v + klen + 1);
			if (n >= size)
				return -E2BIG;
			memcpy(buf, v + klen + 1, n);
			buf[n] = 0;
			return n;
		}
		v = nl + 1;
	}
	return -ENOENT;
}
EXPORT_SYMBOL_NS_GPL(kminidump_vmcoreinfo_value, KMD_NS);

/*
 * VMCOREINFO_SYMBOL_ARRAY() prints an array's address, but for mem_section
 * (SPARSEMEM_EXTREME: a pointer) it prints the pointer's value, the root
 * array. Those lines name something other than the symbol's address.
 */
static const char * const kmd_vmci_not_addresses[] = { "mem_section" };

static int kmd_lookup_vmcoreinfo(const char *name, unsigned long *addr)
{
	char key[KSYM_NAME_LEN + 8], val[24];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kmd_vmci_not_addresses); i++)
		if (!strcmp(name, kmd_vmci_not_addresses[i]))
			return -ENOENT;
	if (snprintf(key, sizeof(key), "SYMBOL(%s)", name) >= sizeof(key) ||
	    kminidump_vmcoreinfo_value(key, val, sizeof(val)) < 0)
		return -ENOENT;
	return kstrtoul(val, 16, addr) ? -ENOENT : 0;
}

/* Every resolver in turn; which one answered (enum kminidump_sym_source), or an errno. */
static int kmd_lookup_from(const char *name, unsigned long *addr)
{
	int ret;

	if (!name || !*name)
		return -EINVAL;
	if (!kmd_lookup_kprobe(name, addr))
		return KMINIDUMP_SYM_KALLSYMS;
	if (!kmd_lookup_vmcoreinfo(name, addr))
		return KMINIDUMP_SYM_VMCOREINFO;
	ret = kmd_lookup_table(name, addr);
	return ret ? ret : KMINIDUMP_SYM_TABLE;
}

int kmd_lookup(const char *name, unsigned long *addr)
{
	int ret = kmd_lookup_from(name, addr);

	return ret < 0 ? ret : 0;
}

int kminidump_lookup_symbol(const char *symbol, unsigned long *addr)
{
	return kmd_lookup(symbol, addr);
}
EXPORT_SYMBOL_NS_GPL(kminidump_lookup_symbol, KMD_NS);

int kminidump_lookup_symbol_from(const char *symbol, unsigned long *addr)
{
	return kmd_lookup_from(symbol, addr);
}
EXPORT_SYMBOL_NS_GPL(kminidump_lookup_symbol_from, KMD_NS);

int kmd_vmcoreinfo_init(void)
{
	vmci_base = kzalloc(KMD_VMCOREINFO_ROOM, GFP_KERNEL);
	vmci_extra = kzalloc(KMD_VMCOREINFO_ROOM, GFP_KERNEL);
	if (!vmci_base || !vmci_extra) {
		pr_err("VMCOREINFO: cannot allocate its %d-byte copies\n", 2 * KMD_VMCOREINFO_ROOM);
		kmd_vmcoreinfo_exit();
		return -ENOMEM;
	}
	vmci_from_kernel = kmd_vmcoreinfo_from_kernel() ||
			   kmd_vmcoreinfo_from_note(vmci_base, KMD_VMCOREINFO_ROOM, &vmci_base_len);
	if (!vmci_from_kernel) {
		unsigned long addr;

		/* data symbols resolve, vmcoreinfo_data does not: built without it (GKI) */
		if (!kmd_lookup("init_task", &addr))
			pr_warn("VMCOREINFO: the kernel has none (no CONFIG_VMCORE_INFO); synthesizing one (kminidump_kernel completes it)\n");
		else
			pr_warn("VMCOREINFO: the kernel's copy was not found; using a minimal one (load a symbol table: kminidump symbols)\n");
		kmd_vmcoreinfo_synthesize();
	}
	kmd_vmcoreinfo_rebuild();
	return 0;
}

void kmd_vmcoreinfo_exit(void)
{
	kfree(vmci_base);
	kfree(vmci_extra);
	vmci_base = NULL;
	vmci_extra = NULL;
	vmci_base_len = 0;
	vmci_extra_len = 0;
	vmci_len = 0;
	vmci_from_kernel = false;
}
