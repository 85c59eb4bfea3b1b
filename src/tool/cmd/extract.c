// SPDX-License-Identifier: GPL-2.0
/* kminidump extract: RAM images or an ELF dump -> the minidump core. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd/cmd.h"
#include "input/kelf_find.h"
#include "input/locator_find.h"
#include "input/physmem.h"
#include "input/smem.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"
#include "output/minicore.h"
#include "output/smemcore.h"
#include "output/stream.h"

static void kmt_extract_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s extract --ram FILE@PHYSBASE [--ram FILE@PHYSBASE ...] [WHERE] -o CORE\n"
		"       %s extract --dump DUMP.elf [WHERE] -o CORE\n"
		"       %s extract --ram FILE@PHYSBASE|--dump DUMP.elf --smem PA [--smem-size N] -o CORE\n"
		"WHERE: --kelf PA | --locator PA | --scan-locator (default: scan for KELF)\n"
		"Find the kminidump KELF header in guest RAM and write the ELF core it describes.\n"
		"With --smem, download the Qualcomm minidump table's APSS regions instead, as boot\n"
		"firmware does, and put them together by QDL's rules.\n"
		"\n"
		"  -r, --ram FILE@PHYSBASE  raw RAM image whose offset 0 is physical address PHYSBASE\n"
		"                           (hex 0x... or decimal); QEMU memory-backend-file, pmemsave\n"
		"  -d, --dump FILE          ELF dump with physical addresses (QEMU dump-guest-memory,\n"
		"                           a /proc/vmcore copy)\n"
		"  -k, --kelf PA            read the KELF header at this physical address (default: scan)\n"
		"  -s, --smem PA            SMEM starts at this physical address: walk item 602 ->\n"
		"                           APSS -> regions\n"
		"      --smem-size N        bytes of SMEM (default 0x200000; its last 4 KiB hold\n"
		"                           the partition table)\n"
		"  -l, --locator PA         read the kminidump_rmem locator at this physical address\n"
		"                           (its reserved buffer) and the KELF it names: no scan\n"
		"  -L, --scan-locator       find the locator by its magic on every page, then as -l\n"
		"  -o, --output CORE        the core to write (through a temporary file, renamed\n"
		"                           when complete)\n"
		KMT_STREAM_HELP
		"  -f, --force              accept regions over 1 GiB and cores over 4 GiB, use\n"
		"                           truncated dumps\n"
		"  -q, --quiet              errors only\n"
		"  -v, --verbose            say more\n"
		"  -h, --help               this text\n",
		KMT_PROG, KMT_PROG, KMT_PROG);
}

static int kmt_extract_smem(const struct kmt_phys *m, uint64_t pa, uint64_t size, bool force,
			    const char *out, const struct kmt_stream_opts *so, double t0)
{
	struct kmt_smem_table t;
	struct kmt_smem_result res;
	struct kmt_stream *o = NULL;
	int ret = kmt_smem_walk(m, pa, size, force, &t), r;

	if (!ret)
		ret = kmt_stream_open(&o, out, so, m->files, m->nfiles);
	if (ret) {
		kmt_smem_free(&t);
		return ret;
	}
	ret = kmt_smem_core_write(m, &t, force, o, &res);
	if (ret && ret != KMT_EXIT_PARTIAL) {
		kmt_stream_abort(o);
		kmt_smem_free(&t);
		return ret;
	}
	r = kmt_stream_commit(o, NULL);
	if (r) {
		kmt_smem_free(&t);
		return r;
	}
	kmt_info("read the APSS table at pa 0x%llx (TOC at pa 0x%llx): %zu regions downloaded, %u left out; %u PT_LOADs, %u without a region%s, %llu bytes of region data; wrote %s in %.3f s",
		 (unsigned long long)t.regions_pa, (unsigned long long)t.toc_pa, t.n, t.left_out,
		 res.loads, res.missing, res.qdl_differs ? " (QDL's minidump.elf would differ)" : "",
		 (unsigned long long)res.bytes, out, kmt_now() - t0);
	if (t.left_out && !ret)
		ret = KMT_EXIT_PARTIAL;
	kmt_smem_free(&t);
	return ret;
}

/* Tries of the generation rule (docs/format.md) on a table that changes while read. */
#define KMT_GEN_TRIES	5

/*
 * The table's {gen, writers} word as it is in the memory now (not the copy
 * taken when the KELF was found): a live RAM file may have changed since.
 */
static int kmt_gen_now(const struct kmt_phys *m, const struct kmt_found *f, uint32_t *gen)
{
	uint8_t w[4];
	int ret = kmt_phys_read(m, f->pa + f->k.table_off + offsetof(struct kmd_table, gen),
				w, sizeof(w));

	if (ret)
		return KMT_EXIT_MISSING;
	*gen = (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 | (uint32_t)w[3] << 24;
	return 0;
}

static int kmt_extract_output(const struct kmt_phys *m, const struct kmt_plan *p,
			      const char *out, const struct kmt_stream_opts *so,
			      struct kmt_stream_stats *st)
{
	struct kmt_stream *s;
	int ret = kmt_stream_open(&s, out, so, m->files, m->nfiles);

	if (ret)
		return ret;
	ret = kmt_extract_write(m, p, s);
	if (ret) {
		kmt_stream_abort(s);
		return ret;
	}
	return kmt_stream_commit(s, st);
}

/* The locator names KELF: where it is, and (when it was written) its table's generation. */
static int kmt_extract_locate(const struct kmt_phys *m, bool have_pa, uint64_t pa,
			      struct kmt_locator *loc, uint64_t *kelf_pa)
{
	uint64_t at = 0;
	int ret = kmt_find_locator(m, have_pa, pa, loc, &at);

	if (ret)
		return ret;
	if (loc->state == KMD_LOC_ST_GONE) {
		kmt_err("the locator at pa 0x%llx says kminidump_rmem was unloaded: its KELF pa 0x%llx is stale (--scan finds a KELF if one is left)",
			(unsigned long long)at, (unsigned long long)loc->kelf_pa);
		return KMT_EXIT_NOTFOUND;
	}
	kmt_verbose("locator at pa 0x%llx: %s, KELF at pa 0x%llx (0x%x bytes), table gen %u, boot %u of %s",
		    (unsigned long long)at, kmd_locator_state_name(loc->state),
		    (unsigned long long)loc->kelf_pa, loc->kelf_size, loc->table_gen,
		    loc->boot_seq, loc->release);
	*kelf_pa = loc->kelf_pa;
	return 0;
}

static int kmt_extract_check_locator(const struct kmt_locator *loc, const struct kmt_found *f)
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

int kmt_cmd_extract(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ram", required_argument, NULL, 'r' },
		{ "dump", required_argument, NULL, 'd' },
		{ "kelf", required_argument, NULL, 'k' },
		{ "locator", required_argument, NULL, 'l' },
		{ "scan-locator", no_argument, NULL, 'L' },
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "smem", required_argument, NULL, 's' },
		{ "smem-size", required_argument, NULL, 'S' },
		KMT_STREAM_LONGOPTS,
		KMT_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kmt_extract_opts o = { 0 };
	struct kmt_stream_opts so = { 0 };
	struct kmt_stream_stats st = { 0 };
	struct kmt_phys m = { 0 };
	struct kmt_found found = { 0 };
	struct kmt_plan plan = { 0 };
	const char *out = NULL, *kelf_arg = NULL, *smem_arg = NULL, *smem_size_arg = NULL;
	const char *loc_arg = NULL;
	struct kmt_locator loc;
	bool scan_loc = false;
	uint64_t kelf_pa = 0, smem_pa = 0, smem_size = KMT_SMEM_DEFAULT_SIZE, loc_pa = 0;
	double t0 = kmt_now();
	char **dumps = kmt_calloc(argc, sizeof(char *)), **rams = kmt_calloc(argc, sizeof(char *));
	size_t nd = 0, nr = 0, i;
	uint32_t gen_before = 0, gen_last = 0;
	bool stable = false;
	int opt, ret = 0, tries;

	optind = 0;	/* glibc: restart scanning after main()'s getopt */
	while ((opt = getopt_long(argc, argv, "r:d:k:l:Lo:s:fhVqv" KMT_STREAM_SHORTOPTS, opts, NULL)) != -1) {
		int ex = -1;

		switch (opt) {
		case 'r':
			rams[nr++] = optarg;
			break;
		case 'd':
			dumps[nd++] = optarg;
			break;
		case 'k':
			kelf_arg = optarg;
			break;
		case 'l':
			loc_arg = optarg;
			break;
		case 'L':
			scan_loc = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'f':
			o.force = true;
			break;
		case 's':
			smem_arg = optarg;
			break;
		case 'S':
			smem_size_arg = optarg;
			break;
		default:
			if (kmt_stream_opt(&so, opt, optarg, &ex)) {
				if (ex) {
					ret = ex;
					goto out;
				}
				break;
			}
			kmt_common_opt(opt, "extract", kmt_extract_usage, &ex);
			if (ex >= 0) {
				ret = ex;
				goto out;
			}
		}
	}
	if (optind < argc || !out || (!nr && !nd)) {
		kmt_err(optind < argc ? "extract: unexpected argument '%s'" :
			!out ? "extract: give the output core with -o CORE%s" :
			"extract: give the memory with --ram FILE@PHYSBASE or --dump FILE%s",
			optind < argc ? argv[optind] : "");
		fprintf(stderr, "Try '%s extract --help'.\n", KMT_PROG);
		ret = KMT_EXIT_USAGE;
		goto out;
	}
	if (kelf_arg && kmt_parse_u64(kelf_arg, &kelf_pa)) {
		kmt_err("--kelf %s: expected a physical address (hex 0x... or decimal)", kelf_arg);
		ret = KMT_EXIT_USAGE;
		goto out;
	}
	if (loc_arg && kmt_parse_u64(loc_arg, &loc_pa)) {
		kmt_err("--locator %s: expected a physical address (hex 0x... or decimal)", loc_arg);
		ret = KMT_EXIT_USAGE;
		goto out;
	}
	if ((smem_arg && kmt_parse_u64(smem_arg, &smem_pa)) ||
	    (smem_size_arg && kmt_parse_u64(smem_size_arg, &smem_size))) {
		kmt_err("--smem/--smem-size: expected a number (hex 0x... or decimal)");
		ret = KMT_EXIT_USAGE;
		goto out;
	}
	if (smem_arg && kelf_arg) {
		kmt_err("extract: --smem and --kelf exclude each other (the APSS table names KELF)");
		ret = KMT_EXIT_USAGE;
		goto out;
	}
	if (!!kelf_arg + !!loc_arg + scan_loc + !!smem_arg > 1) {
		kmt_err("extract: give one of --kelf, --locator, --scan-locator and --smem");
		ret = KMT_EXIT_USAGE;
		goto out;
	}
	for (i = 0; i < nr && !ret; i++)
		ret = kmt_phys_add_raw(&m, rams[i]);
	for (i = 0; i < nd && !ret; i++)
		ret = kmt_phys_add_elf(&m, dumps[i], o.force);
	if (!ret)
		ret = kmt_phys_finish(&m);
	if (!ret && smem_arg) {
		ret = kmt_extract_smem(&m, smem_pa, smem_size, o.force, out, &so, t0);
		goto out;
	}
	if (!ret && (loc_arg || scan_loc))
		ret = kmt_extract_locate(&m, loc_arg != NULL, loc_pa, &loc, &kelf_pa);
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
		}
		ret = kmt_find_kelf(&m, kelf_arg || loc_arg || scan_loc || tries, kelf_pa, &found);
		if (!ret && !tries)
			kelf_pa = found.pa;	/* the retries read the same table */
		if (!ret && (loc_arg || scan_loc))
			ret = kmt_extract_check_locator(&loc, &found);
		if (!ret)
			ret = kmt_extract_plan(&m, &found, &o, &plan);
		if (!ret)
			ret = kmt_extract_output(&m, &plan, out, &so, &st);
		if (!ret)
			ret = kmt_gen_now(&m, &found, &gen_after);
		if (ret)
			break;
		stable = !(found.k.gen & 1) && gen_after == found.k.gen;
		if (stable)
			break;
		kmt_verbose("table generation %u before, %u after reading (odd: a writer was inside): try %d of %d",
			    found.k.gen, gen_after, tries + 1, KMT_GEN_TRIES);
		gen_before = found.k.gen;
		gen_last = gen_after;
	}
	if (!ret && !stable) {
		/* the last picture once more, marked: KMINIDUMP_UNSTABLE in its VMCOREINFO */
		o.unstable = true;
		o.gen_before = gen_before;
		o.gen_after = gen_last;
		kmt_plan_free(&plan);
		memset(&plan, 0, sizeof(plan));
		ret = kmt_extract_plan(&m, &found, &o, &plan);
		if (!ret)
			ret = kmt_extract_output(&m, &plan, out, &so, &st);
	}
	if (!ret && !stable)
		kmt_warn("the table was being changed in each of %d reads (generation %u before, %u after the last): the core may mix two states of the table (docs/format.md)",
			 KMT_GEN_TRIES, gen_before, gen_last);
	if (!ret) {
		char flags[40], partial[64] = "";

		kmt_table_flags_str(found.k.flags, flags, sizeof(flags));
		if (plan.partial)
			snprintf(partial, sizeof(partial), ", %u left out (a partial core)",
				 plan.partial);
		kmt_info("read KELF at pa 0x%llx (%s): %zu regions, %llu bytes + %u bytes of header, %u skipped%s; wrote %s in %.3f s",
			 (unsigned long long)found.pa, flags, plan.n,
			 (unsigned long long)plan.bytes, found.k.kelf_size, plan.skipped, partial,
			 out, kmt_now() - t0);
		if (so.zstd || so.nrcpt)
			kmt_verbose("%s: core %llu bytes, %llu after zstd (%.3f s), %llu written%s (age %.3f s), fsync+rename %.3f s",
				    out, (unsigned long long)st.in,
				    (unsigned long long)st.compressed, st.t_zstd,
				    (unsigned long long)st.out, so.nrcpt ? " encrypted" : "",
				    st.t_age, st.t_sync);
		if (plan.partial || !stable)
			ret = KMT_EXIT_PARTIAL;
	}
out:
	kmt_plan_free(&plan);
	kmt_found_free(&found);
	kmt_phys_free(&m);
	kmt_stream_opts_free(&so);
	free(dumps);
	free(rams);
	return ret;
}
