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
#include "output/take.h"
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
	struct kmt_phys m = { 0 };
	struct kmt_take_req req = { 0 };
	struct kmt_take_res res;
	const char *out = NULL, *kelf_arg = NULL, *smem_arg = NULL, *smem_size_arg = NULL;
	const char *loc_arg = NULL;
	bool scan_loc = false;
	uint64_t kelf_pa = 0, smem_pa = 0, smem_size = KMT_SMEM_DEFAULT_SIZE, loc_pa = 0;
	double t0 = kmt_now();
	char **dumps = kmt_calloc(argc, sizeof(char *)), **rams = kmt_calloc(argc, sizeof(char *));
	size_t nd = 0, nr = 0, i;
	int opt, ret = 0;

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
	if (ret)
		goto out;
	req.where = kelf_arg ? KMT_WHERE_KELF : loc_arg ? KMT_WHERE_LOCATOR :
		    scan_loc ? KMT_WHERE_SCAN_LOCATOR : KMT_WHERE_SCAN;
	req.pa = kelf_arg ? kelf_pa : loc_pa;
	req.force = o.force;
	req.out = out;
	req.so = &so;
	ret = kmt_take(&m, &req, &res);
	if (!ret) {
		char flags[40], partial[64] = "";

		kmt_table_flags_str(res.flags, flags, sizeof(flags));
		if (res.partial)
			snprintf(partial, sizeof(partial), ", %u left out (a partial core)",
				 res.partial);
		kmt_info("read KELF at pa 0x%llx (%s): %zu regions, %llu bytes + %u bytes of header, %u skipped%s; wrote %s in %.3f s",
			 (unsigned long long)res.kelf_pa, flags, res.regions,
			 (unsigned long long)res.bytes, res.kelf_size, res.skipped, partial,
			 out, kmt_now() - t0);
		if (so.zstd || so.nrcpt)
			kmt_verbose("%s: core %llu bytes, %llu after zstd (%.3f s), %llu written%s (age %.3f s), fsync+rename %.3f s",
				    out, (unsigned long long)res.st.in,
				    (unsigned long long)res.st.compressed, res.st.t_zstd,
				    (unsigned long long)res.st.out, so.nrcpt ? " encrypted" : "",
				    res.st.t_age, res.st.t_sync);
		if (res.partial || !res.stable)
			ret = KMT_EXIT_PARTIAL;
	}
out:
	kmt_phys_free(&m);
	kmt_stream_opts_free(&so);
	free(dumps);
	free(rams);
	return ret;
}
