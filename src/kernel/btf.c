// SPDX-License-Identifier: GPL-2.0
/*
 * A small reader of the kernel's own BTF (what /sys/kernel/btf/vmlinux shows),
 * for the sizes and member offsets of structures no public header describes
 * (struct rq, the timekeeper wrappers, the printk ring when VMCOREINFO is
 * missing). It reads the blob in place between __start_BTF and __stop_BTF,
 * trusting nothing: every offset is bounds-checked.
 */
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <uapi/linux/btf.h>
#include "kernel.h"

static struct {
	const struct btf_header *hdr;
	const void *types;	/* type section */
	u32 types_len;
	const char *strs;	/* string section */
	u32 strs_len;
	u32 *offs;		/* type id -> offset in the type section */
	u32 nr;			/* ids 1..nr - 1 are valid */
} kbtf;

static u32 kbtf_type_size(const struct btf_type *t)
{
	u32 vlen = BTF_INFO_VLEN(t->info), sz = sizeof(*t);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return sz + sizeof(u32);
	case BTF_KIND_ARRAY:
		return sz + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return sz + vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return sz + vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return sz + vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return sz + vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return sz + vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return sz;
	default:
		return 0;	/* a kind this reader does not know: stop */
	}
}

static const struct btf_type *kbtf_type(u32 id)
{
	if (!id || id >= kbtf.nr)
		return NULL;
	return kbtf.types + kbtf.offs[id];
}

static const char *kbtf_name(const struct btf_type *t)
{
	return t->name_off < kbtf.strs_len ? kbtf.strs + t->name_off : "";
}

static bool kmk_btf_unreadable(unsigned long start, unsigned long stop)
{
	unsigned long a;
	u8 b;

	for (a = start; a < stop; a = (a | (PAGE_SIZE - 1)) + 1)
		if (copy_from_kernel_nofault(&b, (void *)a, 1))
			return true;
	return copy_from_kernel_nofault(&b, (void *)(stop - 1), 1);
}

int kmk_btf_init(void)
{
	unsigned long start, stop;
	const struct btf_header *h;
	u32 off, n, cap = 0;

	if (kminidump_lookup_symbol("__start_BTF", &start) ||
	    kminidump_lookup_symbol("__stop_BTF", &stop) || stop <= start)
		return -ENOENT;
	/*
	 * The bounds may come from a user-supplied symbol table: check that the
	 * whole blob is mapped (one _nofault read a page, and the last byte)
	 * before reading it in place, as /sys/kernel/btf/vmlinux would.
	 */
	if (stop - start > SZ_64M || kmk_btf_unreadable(start, stop))
		return -EFAULT;
	h = (const void *)start;
	if (stop - start < sizeof(*h) || h->magic != BTF_MAGIC || h->hdr_len > stop - start ||
	    (u64)h->hdr_len + h->type_off + h->type_len > stop - start ||
	    (u64)h->hdr_len + h->str_off + h->str_len > stop - start)
		return -EINVAL;
	kbtf.hdr = h;
	kbtf.types = (const void *)h + h->hdr_len + h->type_off;
	kbtf.types_len = h->type_len;
	kbtf.strs = (const void *)h + h->hdr_len + h->str_off;
	kbtf.strs_len = h->str_len;

	/* index every type once; ids start at 1 */
	for (off = 0, n = 1; off + sizeof(struct btf_type) <= kbtf.types_len; n++) {
		const struct btf_type *t = kbtf.types + off;
		u32 sz = kbtf_type_size(t);

		if (!sz || off + sz > kbtf.types_len)
			break;
		if (n >= cap) {
			u32 *offs;

			cap = cap ? cap * 2 : 65536;
			offs = kvmalloc_array(cap, sizeof(u32), GFP_KERNEL);
			if (!offs) {
				kmk_btf_exit();
				return -ENOMEM;
			}
			if (kbtf.offs)
				memcpy(offs, kbtf.offs, n * sizeof(u32));
			kvfree(kbtf.offs);
			kbtf.offs = offs;
		}
		kbtf.offs[n] = off;
		off += sz;
	}
	kbtf.nr = n;
	return kbtf.nr > 1 ? 0 : -EINVAL;
}

void kmk_btf_exit(void)
{
	kvfree(kbtf.offs);
	memset(&kbtf, 0, sizeof(kbtf));
}

/* Size in bytes of type @id, through typedefs, qualifiers and arrays. */
static s64 kbtf_resolve_size(u32 id)
{
	const struct btf_type *t;
	int depth;

	for (depth = 0; depth < 32; depth++) {
		t = kbtf_type(id);
		if (!t)
			return -ENOENT;
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FLOAT:
		case BTF_KIND_DATASEC:
			return t->size;
		case BTF_KIND_PTR:
			return sizeof(void *);
		case BTF_KIND_ARRAY: {
			const struct btf_array *a = (const void *)(t + 1);
			s64 elem = kbtf_resolve_size(a->type);

			return elem < 0 ? elem : elem * a->nelems;
		}
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_VAR:
			id = t->type;
			continue;
		default:
			return -EINVAL;
		}
	}
	return -ELOOP;
}

static u32 kbtf_find(const char *name, u32 kind)
{
	u32 id;

	for (id = 1; id < kbtf.nr; id++) {
		const struct btf_type *t = kbtf_type(id);

		if (BTF_INFO_KIND(t->info) == kind && !strcmp(kbtf_name(t), name))
			return id;
	}
	return 0;
}

/* what a public lookup returns: an answer is noted as the region's BTF source */
static s64 kbtf_answer(s64 n)
{
	if (n >= 0)
		kmk_sources_note(KMK_SRC_BTF);
	return n;
}

/* sizeof(struct @name), or a negative errno. */
s64 kmk_btf_struct_size(const char *name)
{
	u32 id;

	if (!kbtf.nr)
		return -ENOENT;
	id = kbtf_find(name, BTF_KIND_STRUCT);
	return kbtf_answer(id ? kbtf_resolve_size(id) : -ENOENT);
}

/* Size of variable @name (pahole describes per-CPU variables), or a negative errno. */
s64 kmk_btf_var_size(const char *name)
{
	u32 id;

	if (!kbtf.nr)
		return -ENOENT;
	id = kbtf_find(name, BTF_KIND_VAR);
	return kbtf_answer(id ? kbtf_resolve_size(id) : -ENOENT);
}

/* Offset of @member in struct/union type @id, looking into anonymous members too. */
static s64 kbtf_member_offset(u32 id, const char *member, int depth)
{
	const struct btf_member *m;
	const struct btf_type *t;
	u32 i;

	/* typedefs and qualifiers in front of an anonymous member's type */
	for (t = kbtf_type(id); t && depth < 32; t = kbtf_type(t->type), depth++) {
		u32 kind = BTF_INFO_KIND(t->info);

		if (kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION)
			break;
		if (kind != BTF_KIND_TYPEDEF && kind != BTF_KIND_CONST &&
		    kind != BTF_KIND_VOLATILE && kind != BTF_KIND_TYPE_TAG)
			return -ENOENT;
	}
	if (!t || depth >= 32)
		return -ENOENT;
	m = (const void *)(t + 1);
	for (i = 0; i < BTF_INFO_VLEN(t->info); i++) {
		u32 bits = BTF_INFO_KFLAG(t->info) ? m[i].offset & 0xffffff : m[i].offset;
		const char *name = m[i].name_off < kbtf.strs_len ? kbtf.strs + m[i].name_off : "";
		s64 inner;

		if (bits % 8)
			continue;	/* a bitfield: no byte offset */
		if (!strcmp(name, member))
			return bits / 8;
		if (!*name) {
			inner = kbtf_member_offset(m[i].type, member, depth + 1);
			if (inner >= 0)
				return bits / 8 + inner;
		}
	}
	return -ENOENT;
}

/* offsetof(struct @sname, @member), anonymous members included; negative errno if none. */
s64 kmk_btf_member_offset(const char *sname, const char *member)
{
	u32 id;

	if (!kbtf.nr)
		return -ENOENT;
	id = kbtf_find(sname, BTF_KIND_STRUCT);
	return kbtf_answer(id ? kbtf_member_offset(id, member, 0) : -ENOENT);
}

/*
 * Offset of per-CPU variable @name inside the per-CPU section, from the
 * ".data..percpu" DATASEC that pahole emits for every per-CPU variable.
 */
s64 kmk_btf_percpu_offset(const char *name)
{
	const struct btf_var_secinfo *v;
	const struct btf_type *sec;
	u32 id, i;

	if (!kbtf.nr)
		return -ENOENT;
	id = kbtf_find(".data..percpu", BTF_KIND_DATASEC);
	sec = kbtf_type(id);
	if (!sec)
		return -ENOENT;
	v = (const void *)(sec + 1);
	for (i = 0; i < BTF_INFO_VLEN(sec->info); i++) {
		const struct btf_type *var = kbtf_type(v[i].type);

		if (var && !strcmp(kbtf_name(var), name))
			return kbtf_answer(v[i].offset);
	}
	return -ENOENT;
}
