// SPDX-License-Identifier: GPL-2.0
/* The minidump out of physical memory into a file (output/take.h). */
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include "input/kelf_find.h"
#include "input/locator_find.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "output/take.h"

/* Tries of the generation rule (docs/format.md) on a table that changes while read. */
#define KMT_GEN_TRIES	5

/*
 * The table's {gen, writers} word as it is in the memory now (not the copy
 * taken when the KELF was found): a live RAM file may have changed since.
 */
static int kmt_gen_now(const struct kmt_phys *m, const struct kmt_found *f, uint32_t *gen)
{
	uint8_t w[4];
	int ret;

	/*
	 * A live RAM file is guest memory another CPU writes (KVM on an arm64
	 * host): every read of the table and regions before this read of gen,
	 * as a seqlock reader orders them (the kernel's stores are ordered
	 * with barriers on its side, docs/format.md)
	 */
	atomic_thread_fence(memory_order_acquire);
	ret = kmt_phys_read(m, f->pa + f->k.table_off + offsetof(struct kmd_table, gen),
			    w, sizeof(w));
	if (ret)
		return KMT_EXIT_MISSING;
	*gen = (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 | (uint32_t)w[3] << 24;
	return 0;
}

/*
 * The output stage: the ELF core through output/stream.h (zstd, age when
 * asked), a temporary file and a rename.
 */
static int kmt_take_output(const struct kmt_phys *m, const struct kmt_plan *p,
			   const struct kmt_take_req *r, struct kmt_take_res *res)
{
	static const struct kmt_stream_opts plain;
	struct kmt_stream *s;
	double t = kmt_now();
	int ret = kmt_stream_open(&s, r->out, r->so ? r->so : &plain, m->files, m->nfiles);

	if (ret)
		return ret;
	ret = kmt_extract_write(m, p, s);
	if (ret) {
		kmt_stream_abort(s);
		return ret;
	}
	res->t_regions += kmt_now() - t;
	memset(&res->st, 0, sizeof(res->st));
	t = kmt_now();
	ret = kmt_stream_commit(s, &res->st);
	res->t_write += kmt_now() - t;
	res->out_bytes = res->st.out;
	return ret;
}

/* The locator names KELF: where it is, and (when it was written) its table's generation. */
static int kmt_take_locate(const struct kmt_phys *m, const struct kmt_take_req *r,
			   struct kmt_take_res *res)
{
	struct kmt_locator *loc = &res->loc;
	uint64_t at = 0;
	int ret = kmt_find_locator(m, r->where == KMT_WHERE_LOCATOR, r->pa, loc, &at);

	if (ret)
		return ret;
	res->have_loc = true;
	res->loc_pa = at;
	if (loc->state == KMD_LOC_ST_GONE) {
		kmt_err("the locator at pa 0x%llx says kminidump_rmem was unloaded: its KELF pa 0x%llx is stale (--scan finds a KELF if one is left)",
			(unsigned long long)at, (unsigned long long)loc->kelf_pa);
		return KMT_EXIT_NOTFOUND;
	}
	kmt_verbose("locator at pa 0x%llx: %s, KELF at pa 0x%llx (0x%x bytes), table gen %u, boot %u of %s",
		    (unsigned long long)at, kmd_locator_state_name(loc->state),
		    (unsigned long long)loc->kelf_pa, loc->kelf_size, loc->table_gen,
		    loc->boot_seq, loc->release);
	res->kelf_pa = loc->kelf_pa;
	return 0;
}

static int kmt_take_check_locator(const struct kmt_locator *loc, const struct kmt_found *f)
{
	uint64_t toff = (uint64_t)(f->k.rows - f->k.data) - f->k.hdr_size;

	if (f->k.kelf_size != loc->kelf_size || toff != loc->table_off) {
		kmt_err("the locator and the KELF at pa 0x%llx disagree: kelf_size 0x%x vs 0x%x, table at +0x%x vs +0x%llx (a stale locator?)",
			(unsigned long long)f->pa, loc->kelf_size, f->k.kelf_size,
			loc->table_off, (unsigned long long)toff);
		return KMT_EXIT_FORMAT;
	}
	if (loc->state == KMD_LOC_ST_PANIC && !(f->k.flags & KMD_TABLE_F_PANIC))
		kmt_warn("the locator says PANIC but the table has no PANIC flag");
	return 0;
}

int kmt_take(const struct kmt_phys *m, const struct kmt_take_req *r, struct kmt_take_res *res)
{
	struct kmt_extract_opts o = { .force = r->force };
	struct kmt_found found = { 0 };
	struct kmt_plan plan = { 0 };
	bool use_loc = r->where == KMT_WHERE_LOCATOR || r->where == KMT_WHERE_SCAN_LOCATOR;
	uint32_t gen_before = 0, gen_last = 0;
	double t = kmt_now();
	int ret = 0, tries;

	memset(res, 0, sizeof(*res));
	res->kelf_pa = r->pa;
	if (use_loc)
		ret = kmt_take_locate(m, r, res);
	/*
	 * The generation rule: gen read with the KELF, every region read, gen
	 * read again; equal and even is one consistent picture. Otherwise
	 * retry; after KMT_GEN_TRIES the last core is kept and called unstable.
	 */
	for (tries = 0; !ret && tries < KMT_GEN_TRIES; tries++) {
		uint32_t gen_after = 0;

		if (tries) {
			kmt_plan_free(&plan);
			kmt_found_free(&found);
			memset(&plan, 0, sizeof(plan));
			memset(&found, 0, sizeof(found));
			usleep(1000 << tries);
			t = kmt_now();
		}
		ret = kmt_find_kelf(m, r->where != KMT_WHERE_SCAN || tries, res->kelf_pa, &found);
		/* the first gen (with the table) before any region is read */
		atomic_thread_fence(memory_order_acquire);
		if (!ret && !tries)
			res->kelf_pa = found.pa;	/* the retries read the same table */
		if (!ret && use_loc)
			ret = kmt_take_check_locator(&res->loc, &found);
		if (!ret)
			ret = kmt_extract_plan(m, &found, &o, &plan);
		res->t_table += kmt_now() - t;
		if (!ret)
			ret = kmt_take_output(m, &plan, r, res);
		if (!ret)
			ret = kmt_gen_now(m, &found, &gen_after);
		if (ret)
			break;
		res->stable = !(found.k.gen & 1) && gen_after == found.k.gen;
		res->gen_after = gen_after;
		if (res->stable)
			break;
		kmt_verbose("table generation %u before, %u after reading (odd: a writer was inside): try %d of %d",
			    found.k.gen, gen_after, tries + 1, KMT_GEN_TRIES);
		gen_before = found.k.gen;
		gen_last = gen_after;
	}
	res->tries = tries + (tries < KMT_GEN_TRIES);
	if (!ret && !res->stable) {
		/* the last picture once more, marked: KMINIDUMP_UNSTABLE in its VMCOREINFO */
		o.unstable = true;
		o.gen_before = gen_before;
		o.gen_after = gen_last;
		kmt_plan_free(&plan);
		memset(&plan, 0, sizeof(plan));
		ret = kmt_extract_plan(m, &found, &o, &plan);
		if (!ret)
			ret = kmt_take_output(m, &plan, r, res);
	}
	if (!ret && !res->stable)
		kmt_warn("the table was being changed in each of %d reads (generation %u before, %u after the last): the core may mix two states of the table (docs/format.md)",
			 KMT_GEN_TRIES, gen_before, gen_last);
	if (!ret) {
		res->kelf_size = found.k.kelf_size;
		res->flags = found.k.flags;
		res->gen = found.k.gen;
		res->regions = plan.n;
		res->skipped = plan.skipped;
		res->partial = plan.partial;
		res->bytes = plan.bytes;
	}
	kmt_plan_free(&plan);
	kmt_found_free(&found);
	return ret;
}
