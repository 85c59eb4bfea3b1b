// SPDX-License-Identifier: GPL-2.0
/*
 * The lockless printk ring (Linux 5.10+), from VMCOREINFO alone:
 *   prb -> printk_ringbuffer { desc_ring, text_data_ring }
 *   desc_ring { count_bits, descs, infos, head_id, tail_id }
 *   text_data_ring { size_bits, data, head_lpos, tail_lpos }
 * A descriptor's state_var holds its id and, in the two top bits, its state.
 * Records go from tail_id to head_id; each line is printed the way
 * makedumpfile --dump-dmesg prints it, so the two outputs can be diffed.
 */
#include <ctype.h>
#include <stdlib.h>
#include "format/elfcore.h"
#include "format/printk.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

#define KMT_MAX_STRUCT		4096	/* no printk structure is near this */
#define KMT_MAX_RING_BITS	30

enum { DESC_RESERVED, DESC_COMMITTED, DESC_FINALIZED, DESC_REUSABLE };

struct kmt_prb {
	const struct kmt_core *c;
	unsigned int lsz;		/* sizeof(long) in the kernel */
	uint64_t id_mask;
	unsigned int flags_shift;
	/* from VMCOREINFO */
	uint64_t sym_prb, s_prb, o_desc_ring, o_text_ring;
	uint64_t o_count_bits, o_descs, o_infos, o_head_id, o_tail_id;
	uint64_t s_desc, o_state_var, o_blk_lpos, o_begin, o_next;
	uint64_t s_info, o_ts_nsec, o_text_len;
	uint64_t o_size_bits, o_data, o_counter;
	/* from the core */
	uint64_t descs, infos, data, count, size, head_id, tail_id;
};

static const struct {
	const char *key;
	size_t off;
} kmt_prb_keys[] = {
#define K(key, field)	{ key, offsetof(struct kmt_prb, field) }
	K("SIZE(printk_ringbuffer)", s_prb),
	K("OFFSET(printk_ringbuffer.desc_ring)", o_desc_ring),
	K("OFFSET(printk_ringbuffer.text_data_ring)", o_text_ring),
	K("OFFSET(prb_desc_ring.count_bits)", o_count_bits),
	K("OFFSET(prb_desc_ring.descs)", o_descs),
	K("OFFSET(prb_desc_ring.infos)", o_infos),
	K("OFFSET(prb_desc_ring.head_id)", o_head_id),
	K("OFFSET(prb_desc_ring.tail_id)", o_tail_id),
	K("SIZE(prb_desc)", s_desc),
	K("OFFSET(prb_desc.state_var)", o_state_var),
	K("OFFSET(prb_desc.text_blk_lpos)", o_blk_lpos),
	K("OFFSET(prb_data_blk_lpos.begin)", o_begin),
	K("OFFSET(prb_data_blk_lpos.next)", o_next),
	K("SIZE(printk_info)", s_info),
	K("OFFSET(printk_info.ts_nsec)", o_ts_nsec),
	K("OFFSET(printk_info.text_len)", o_text_len),
	K("OFFSET(prb_data_ring.size_bits)", o_size_bits),
	K("OFFSET(prb_data_ring.data)", o_data),
	K("OFFSET(atomic_long_t.counter)", o_counter),
#undef K
};

static uint64_t kmt_rd(const struct kmt_prb *r, const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[r->c->big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

static int kmt_prb_keys_get(struct kmt_prb *r, const struct kmt_vmci *v)
{
	uint64_t lsz;
	size_t i;
	int missing = 0;

	if (kmt_vmci_num(v, "SYMBOL(prb)", 16, &r->sym_prb)) {
		if (kmt_vmci_get(v, "SYMBOL(log_buf)", NULL))
			kmt_err("VMCOREINFO describes the pre-5.10 printk buffer (log_buf); only the lockless ring is supported");
		else
			kmt_err("VMCOREINFO has no SYMBOL(prb): no printk ring to read");
		return KMT_EXIT_NOTFOUND;
	}
	for (i = 0; i < sizeof(kmt_prb_keys) / sizeof(kmt_prb_keys[0]); i++) {
		uint64_t *dst = (uint64_t *)((char *)r + kmt_prb_keys[i].off);

		if (kmt_vmci_num(v, kmt_prb_keys[i].key, 10, dst)) {
			kmt_err("VMCOREINFO has no usable %s", kmt_prb_keys[i].key);
			missing++;
		} else if (*dst > KMT_MAX_STRUCT) {
			kmt_err("VMCOREINFO %s=%llu is out of range", kmt_prb_keys[i].key,
				(unsigned long long)*dst);
			missing++;
		}
	}
	if (kmt_vmci_num(v, "SIZE(atomic_long_t)", 10, &lsz) || (lsz != 4 && lsz != 8)) {
		kmt_err("VMCOREINFO has no usable SIZE(atomic_long_t) (4 or 8)");
		missing++;
	}
	if (missing)
		return KMT_EXIT_NOTFOUND;
	r->lsz = lsz;
	r->flags_shift = 8 * lsz - 2;
	r->id_mask = ~(3ULL << r->flags_shift) & (lsz == 8 ? ~0ULL : 0xffffffffULL);
	return 0;
}

/* Every field read must fit in the structure size VMCOREINFO gives. */
static int kmt_prb_check_layout(const struct kmt_prb *r)
{
	const uint64_t L = r->lsz;
	const struct {
		uint64_t end, size;
		const char *what;
	} f[] = {
		{ r->o_desc_ring + r->o_count_bits + 4, r->s_prb, "desc_ring.count_bits" },
		{ r->o_desc_ring + r->o_descs + L, r->s_prb, "desc_ring.descs" },
		{ r->o_desc_ring + r->o_infos + L, r->s_prb, "desc_ring.infos" },
		{ r->o_desc_ring + r->o_head_id + r->o_counter + L, r->s_prb, "desc_ring.head_id" },
		{ r->o_desc_ring + r->o_tail_id + r->o_counter + L, r->s_prb, "desc_ring.tail_id" },
		{ r->o_text_ring + r->o_size_bits + 4, r->s_prb, "text_data_ring.size_bits" },
		{ r->o_text_ring + r->o_data + L, r->s_prb, "text_data_ring.data" },
		{ r->o_state_var + r->o_counter + L, r->s_desc, "prb_desc.state_var" },
		{ r->o_blk_lpos + r->o_begin + L, r->s_desc, "prb_desc.text_blk_lpos.begin" },
		{ r->o_blk_lpos + r->o_next + L, r->s_desc, "prb_desc.text_blk_lpos.next" },
		{ r->o_ts_nsec + 8, r->s_info, "printk_info.ts_nsec" },
		{ r->o_text_len + 2, r->s_info, "printk_info.text_len" },
	};
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i].end > f[i].size) {
			kmt_err("VMCOREINFO puts %s outside its structure (%llu > %llu)", f[i].what,
				(unsigned long long)f[i].end, (unsigned long long)f[i].size);
			return KMT_EXIT_FORMAT;
		}
	}
	return 0;
}

static int kmt_prb_load(struct kmt_prb *r)
{
	uint8_t ptr[8], buf[KMT_MAX_STRUCT];
	const uint8_t *dr = buf + r->o_desc_ring, *tr = buf + r->o_text_ring;
	uint64_t prb, cbits, sbits, held;

	if (kmt_core_read_va(r->c, r->sym_prb, ptr, r->lsz)) {
		kmt_err("Can't read prb at 0x%llx: it is in no PT_LOAD of %s",
			(unsigned long long)r->sym_prb, r->c->path);
		return KMT_EXIT_MISSING;
	}
	prb = kmt_rd(r, ptr, r->lsz);
	if (kmt_core_read_va(r->c, prb, buf, r->s_prb)) {
		kmt_err("Can't read the printk_ringbuffer at 0x%llx: it is in no PT_LOAD of %s",
			(unsigned long long)prb, r->c->path);
		return KMT_EXIT_MISSING;
	}
	cbits = kmt_rd(r, dr + r->o_count_bits, 4);
	sbits = kmt_rd(r, tr + r->o_size_bits, 4);
	if (cbits > KMT_MAX_RING_BITS || sbits > KMT_MAX_RING_BITS || sbits < 3) {
		kmt_err("printk ring at 0x%llx has count_bits %llu, size_bits %llu: out of range",
			(unsigned long long)prb, (unsigned long long)cbits,
			(unsigned long long)sbits);
		return KMT_EXIT_FORMAT;
	}
	r->count = 1ULL << cbits;
	r->size = 1ULL << sbits;
	/*
	 * The walk reads one descriptor per id: a ring claiming more descriptors than
	 * the core could hold (count_bits 30 in an 8 KiB core) would loop for nothing.
	 */
	held = kmt_core_load_bytes(r->c, NULL);
	if (r->count > held / r->s_desc) {
		kmt_err("printk ring at 0x%llx has count_bits %llu: %llu descriptors of %llu bytes, more than the %llu bytes of %s's PT_LOADs",
			(unsigned long long)prb, (unsigned long long)cbits,
			(unsigned long long)r->count, (unsigned long long)r->s_desc,
			(unsigned long long)held, r->c->path);
		return KMT_EXIT_FORMAT;
	}
	r->descs = kmt_rd(r, dr + r->o_descs, r->lsz);
	r->infos = kmt_rd(r, dr + r->o_infos, r->lsz);
	r->data = kmt_rd(r, tr + r->o_data, r->lsz);
	r->head_id = kmt_rd(r, dr + r->o_head_id + r->o_counter, r->lsz);
	r->tail_id = kmt_rd(r, dr + r->o_tail_id + r->o_counter, r->lsz);
	kmt_verbose("printk ring at 0x%llx: %llu descriptors at 0x%llx, infos at 0x%llx, %llu bytes of text at 0x%llx, ids 0x%llx..0x%llx",
		    (unsigned long long)prb, (unsigned long long)r->count,
		    (unsigned long long)r->descs, (unsigned long long)r->infos,
		    (unsigned long long)r->size, (unsigned long long)r->data,
		    (unsigned long long)r->tail_id, (unsigned long long)r->head_id);
	return 0;
}

/* One record, formatted as makedumpfile's dump_record() does. */
static void kmt_print_record(FILE *out, uint64_t ts_nsec, const uint8_t *text, size_t len)
{
	char prefix[64];
	int indent;
	size_t i;

	indent = snprintf(prefix, sizeof(prefix), "[%5llu.%06llu] ",
			  (unsigned long long)(ts_nsec / 1000000000),
			  (unsigned long long)(ts_nsec % 1000000000 / 1000));
	fputs(prefix, out);
	for (i = 0; i < len; i++) {
		unsigned char ch = text[i];

		if (ch == '\n')
			fprintf(out, "\n%-*s", indent, "");
		else if (ch < 0x80 && (isprint(ch) || isspace(ch)))
			fputc(ch, out);
		else
			fprintf(out, "\\x%02x", ch);
	}
	fputc('\n', out);
}

enum { REC_PRINTED, REC_SKIPPED, REC_MISSING };

static int kmt_prb_record(const struct kmt_prb *r, uint64_t id, FILE *out)
{
	uint8_t desc[KMT_MAX_STRUCT], info[KMT_MAX_STRUCT], *text;
	uint64_t idx = id & (r->count - 1), sv, begin, next, ts;
	size_t text_len;

	if (kmt_core_read_va(r->c, r->descs + idx * r->s_desc, desc, r->s_desc))
		return REC_MISSING;
	sv = kmt_rd(r, desc + r->o_state_var + r->o_counter, r->lsz);
	if ((sv & r->id_mask) != id)
		return REC_SKIPPED;		/* desc_miss */
	switch ((sv >> r->flags_shift) & 3) {
	case DESC_COMMITTED:
	case DESC_FINALIZED:
		break;
	default:
		return REC_SKIPPED;		/* reserved or reusable */
	}
	begin = kmt_rd(r, desc + r->o_blk_lpos + r->o_begin, r->lsz) & (r->size - 1);
	next = kmt_rd(r, desc + r->o_blk_lpos + r->o_next, r->lsz) & (r->size - 1);
	if (begin == next)
		return REC_SKIPPED;		/* data-less block */
	if (kmt_core_read_va(r->c, r->infos + idx * r->s_info, info, r->s_info))
		return REC_MISSING;
	text_len = kmt_rd(r, info + r->o_text_len, 2);
	ts = kmt_rd(r, info + r->o_ts_nsec, 8);
	if (begin > next)
		begin = 0;			/* a wrapped block starts the ring */
	begin += r->lsz;			/* skip the block's id */
	if (next < begin)
		text_len = 0;
	else if (next - begin < text_len)
		text_len = next - begin;	/* truncated record */
	text = kmt_malloc(text_len);
	if (kmt_core_read_va(r->c, r->data + begin, text, text_len)) {
		free(text);
		return REC_MISSING;
	}
	kmt_print_record(out, ts, text, text_len);
	free(text);
	return REC_PRINTED;
}

int kmt_dmesg(const struct kmt_core *c, FILE *out)
{
	struct kmt_prb r = { .c = c };
	uint64_t n, id, i, tail;
	unsigned long cnt[3] = { 0 };
	int ret;

	if (!c->has_vmci) {
		kmt_err("%s has no VMCOREINFO note: the printk ring can't be found", c->path);
		return KMT_EXIT_NOTFOUND;
	}
	ret = kmt_prb_keys_get(&r, &c->vmci);
	if (!ret)
		ret = kmt_prb_check_layout(&r);
	if (!ret)
		ret = kmt_prb_load(&r);
	if (ret)
		return ret;
	tail = r.tail_id & r.id_mask;
	n = ((r.head_id - tail) & r.id_mask) + 1;
	if (n > r.count) {
		kmt_warn("tail_id 0x%llx and head_id 0x%llx are %llu records apart, more than the %llu descriptors: reading the last %llu",
			 (unsigned long long)r.tail_id, (unsigned long long)r.head_id,
			 (unsigned long long)n, (unsigned long long)r.count,
			 (unsigned long long)r.count);
		n = r.count;
		tail = (r.head_id - n + 1) & r.id_mask;
	}
	for (i = 0, id = tail; i < n; i++, id = (id + 1) & r.id_mask)
		cnt[kmt_prb_record(&r, id, out)]++;
	kmt_verbose("%lu records printed, %lu skipped (reusable, reserved or data-less), %lu unreadable",
		    cnt[REC_PRINTED], cnt[REC_SKIPPED], cnt[REC_MISSING]);
	if (cnt[REC_MISSING]) {
		kmt_warn("%lu records could not be read: their memory is not in %s",
			 cnt[REC_MISSING], c->path);
		return KMT_EXIT_MISSING;
	}
	return 0;
}
