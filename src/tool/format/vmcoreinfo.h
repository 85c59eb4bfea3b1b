/* SPDX-License-Identifier: GPL-2.0 */
/* VMCOREINFO text: "KEY=VALUE" lines, looked up by key. */
#ifndef _KMT_VMCOREINFO_H
#define _KMT_VMCOREINFO_H

#include <stddef.h>
#include <stdint.h>

struct kmt_vmci {
	const char *text;	/* not NUL-terminated; padding NULs are cut off */
	size_t len;
};

void kmt_vmci_init(struct kmt_vmci *v, const void *text, size_t len);
/* Value of @key (e.g. "SYMBOL(prb)"), or NULL; *vlen gets its length. */
const char *kmt_vmci_get(const struct kmt_vmci *v, const char *key, size_t *vlen);
/* Numeric value: base 16 for SYMBOL()/KERNELOFFSET, 10 for the rest. 0 or -1. */
int kmt_vmci_num(const struct kmt_vmci *v, const char *key, int base, uint64_t *out);
size_t kmt_vmci_lines(const struct kmt_vmci *v);

#endif /* _KMT_VMCOREINFO_H */
