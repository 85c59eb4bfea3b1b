// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump collect: a QEMU guest's minidump taken from the host when it
 * panics. Waits on QMP for GUEST_PANICKED (pvpanic), reads the locator and the
 * regions from the guest's shared RAM file (the path extract takes, output/
 * take.h), writes the core into a directory, restarts the guest, and loops.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cmd/cmd.h"
#include "format/kelf.h"
#include "input/locator_find.h"
#include "input/physmem.h"
#include "input/qmp.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"
#include "output/stream.h"
#include "output/take.h"

#define KMT_QMP_TIMEOUT_MS	10000	/* one command's answer */
#define KMT_DUMP_PREFIX		"kminidump-"
#define KMT_MAX_DUMPS		100000	/* files of ours looked at by the rotation */

enum kmt_then { KMT_THEN_RESET, KMT_THEN_RESUME, KMT_THEN_QUIT, KMT_THEN_PAUSE };
static const char *const kmt_then_names[] = { "reset", "resume", "quit", "pause" };

struct kmt_collect {
	struct kmt_qmp q;
	const char *qmp_path, *ram, *dir;
	char *ram_spec;			/* FILE@PHYSBASE */
	struct kmt_take_req req;
	struct kmt_stream_opts so;	/* --compress, --encrypt-to, -R */
	enum kmt_then then;
	uint64_t keep, max_bytes;
	double interval, timeout;
	bool once, json, set_action;
	bool on_reset;			/* also a guest reset (panic=N, no pvpanic) */
	bool reset_event;		/* this collection: a guest reset stopped the VM */
	unsigned int n, failed;
	double last;			/* kmt_now() of the previous collection */
};

static void kmt_collect_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s collect --qmp SOCKET --ram FILE[@PHYSBASE] [--locator PA | --scan] -o DIR\n"
		"           [--compress zstd] [--encrypt-to AGE1... | -R FILE]... [--then reset|quit|pause]\n"
		"           [--keep N] [--max-bytes SIZE] [--once] [--json]\n"
		"Wait for a QEMU guest's panic (pvpanic's GUEST_PANICKED on QMP), write its minidump\n"
		"from the guest's shared RAM file into DIR, then restart the guest and wait again.\n"
		"\n"
		"  -Q, --qmp SOCKET       QEMU's QMP unix socket (-qmp unix:SOCKET,server=on,wait=off;\n"
		"                         one of its own: QEMU serves one client per socket)\n"
		"  -r, --ram FILE[@BASE]  the guest's RAM (memory-backend-file,share=on,mem-path=FILE);\n"
		"                         BASE defaults to 0 on x86 and 0x40000000 on arm64 virt\n"
		"  -l, --locator PA       the kminidump_rmem buffer's physical address (no scan)\n"
		"  -S, --scan             find the locator by its magic on every page (the default)\n"
		"  -o, --output DIR       where the cores go, named kminidump-YYYYMMDD-HHMMSS.mmm.core\n"
		"                         (UTC; .zst, .age added), each written to a temporary and renamed\n"
		KMT_STREAM_HELP
		"  -t, --then ACTION      after a collection: reset (default: the guest boots again),\n"
		"                         quit (QEMU exits), pause (left as it is)\n"
		"  -k, --keep N           keep the N newest cores in DIR, remove older ones\n"
		"  -m, --max-bytes SIZE   keep DIR's cores under SIZE bytes in total (K, M, G suffixes)\n"
		"  -i, --interval SECS    note a crash loop when panics come faster (default 60)\n"
		"  -1, --once             stop after one collection\n"
		"  -T, --timeout SECS     give up waiting for a panic after SECS (default: never)\n"
		"      --no-set-action    do not set QEMU's panic action to pause over QMP (QEMU\n"
		"                         must then run with -action panic=pause)\n"
		"      --on-reset         also collect when the guest resets itself after a panic\n"
		"                         (panic=N; no pvpanic driver): QEMU's reboot action is set\n"
		"                         to stop it (-action reboot=shutdown,shutdown=pause)\n"
		"  -j, --json             one JSON object per collection on stdout\n"
		"  -f, --force            accept regions over 1 GiB and cores over 4 GiB\n"
		"  -q, --quiet            errors only\n"
		"  -v, --verbose          say more\n"
		"  -h, --help             this text\n",
		KMT_PROG);
}

static int kmt_parse_size(const char *s, uint64_t *v)
{
	char num[32];
	size_t n = strlen(s);
	unsigned int shift = 0;

	if (!n || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	}
	if (shift)
		num[n - 1] = 0;
	if (kmt_parse_u64(num, v) || *v > (UINT64_MAX >> shift))
		return -1;
	*v <<= shift;
	return 0;
}

static int kmt_parse_secs(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno || end == s || *end || !(*v >= 0) || *v > 1e7 ? -1 : 0;
}

/* ---- checks at connect time ---------------------------------------------------------- */

/* A pvpanic device among QEMU's devices (qom-list of the two containers -device uses). */
static int kmt_collect_pvpanic(struct kmt_collect *c)
{
	static const char *const dirs[] = { "/machine/peripheral-anon", "/machine/peripheral" };
	char args[96], type[64];
	size_t d;
	int r, i, n;

	for (d = 0; d < 2; d++) {
		snprintf(args, sizeof(args), "{\"path\": \"%s\"}", dirs[d]);
		if (kmt_qmp_cmd(&c->q, "qom-list", args, KMT_QMP_TIMEOUT_MS, true, &r)) {
			if (!*c->q.error)	/* not refused: the connection or the reply failed */
				return KMT_EXIT_QMP;
			continue;
		}
		n = kmt_jr_count(&c->q.j, r);
		for (i = 0; i < n; i++) {
			int e = kmt_jr_elem(&c->q.j, r, i);

			if (kmt_jr_str(&c->q.j, kmt_jr_get(&c->q.j, e, "type"), type, sizeof(type)) &&
			    !strncmp(type, "child<pvpanic", 13)) {
				kmt_verbose("QEMU has a %.*s device", (int)strlen(type) - 7, type + 6);
				return 0;
			}
		}
	}
	if (c->on_reset) {
		kmt_verbose("QEMU has no pvpanic device: a panic is seen as the guest's reset (--on-reset)");
		return 0;
	}
	kmt_err("QEMU has no pvpanic device: a panic would never reach the collector; add -device pvpanic (x86) or -device pvpanic-pci (arm64 virt) and the guest's pvpanic driver, or, for a guest kernel without one (Debian arm64), boot it with panic=1 and pass --on-reset");
	return KMT_EXIT_VMSETUP;
}

/*
 * QEMU's panic action cannot be read over QMP (there is set-action and no
 * query of it): set it to pause, which is what -action panic=pause would have
 * done. With --no-set-action the event's own action is checked instead.
 */
static int kmt_collect_action(struct kmt_collect *c)
{
	int r;

	if (!c->set_action) {
		kmt_info("QMP cannot tell QEMU's panic action: QEMU must run with -action panic=pause (checked when a panic comes)");
		return 0;
	}
	if (kmt_qmp_cmd(&c->q, "set-action", c->on_reset ?
			"{\"panic\": \"pause\", \"reboot\": \"shutdown\", \"shutdown\": \"pause\"}" :
			"{\"panic\": \"pause\"}", KMT_QMP_TIMEOUT_MS, true, &r)) {
		kmt_err("QEMU %s refused set-action (%s): start it with -action panic=pause (QEMU before 6.0: -no-shutdown), or pass --no-set-action",
			c->q.version, c->q.error);
		return KMT_EXIT_VMSETUP;
	}
	kmt_verbose("QEMU's panic action set to pause (QMP set-action; the flag is -action panic=pause)%s",
		    c->on_reset ? ", a guest reset stops it (-action reboot=shutdown,shutdown=pause)" : "");
	return 0;
}

/* Whether --ram is one of QEMU's memory backends, and shared (else it is not the guest's RAM). */
static int kmt_collect_memdev(struct kmt_collect *c)
{
	char *want = realpath(c->ram, NULL), id[64], path[PATH_MAX], args[160];
	int r, i, n, ret = 0;
	bool found = false;

	if (!want) {
		kmt_err("Can't open %s. %s", c->ram, strerror(errno));
		return KMT_EXIT_IO;
	}
	if (kmt_qmp_cmd(&c->q, "query-memdev", NULL, KMT_QMP_TIMEOUT_MS, false, &r)) {
		free(want);
		return KMT_EXIT_QMP;
	}
	n = kmt_jr_count(&c->q.j, r);
	for (i = 0; i < n && n <= 64 && !found; i++) {
		int e = kmt_jr_elem(&c->q.j, kmt_jr_path(&c->q.j, 0, "return", NULL), i), p;
		bool share = false;

		if (!kmt_jr_str(&c->q.j, kmt_jr_get(&c->q.j, e, "id"), id, sizeof(id)) || !*id ||
		    strpbrk(id, "\"\\/"))
			continue;
		if (kmt_jr_bool(&c->q.j, kmt_jr_get(&c->q.j, e, "share"), &share))
			share = false;
		snprintf(args, sizeof(args), "{\"path\": \"/objects/%s\", \"property\": \"mem-path\"}",
			 id);
		if (kmt_qmp_cmd(&c->q, "qom-get", args, KMT_QMP_TIMEOUT_MS, true, &p)) {
			if (!*c->q.error) {
				ret = KMT_EXIT_QMP;
				break;
			}
			continue;
		}
		if (!kmt_jr_str(&c->q.j, p, path, sizeof(path)))
			continue;
		{
			char *real = realpath(path, NULL);

			found = real && !strcmp(real, want);
			free(real);
		}
		if (found && !share) {
			kmt_err("QEMU's memory backend %s (mem-path %s) has share=off: the file does not hold the guest's RAM; use -object memory-backend-file,...,share=on",
				id, c->ram);
			ret = KMT_EXIT_VMSETUP;
		}
		/* the answers of the loop's qom-get replaced the query-memdev one: ask again */
		if (!found && i + 1 < n &&
		    kmt_qmp_cmd(&c->q, "query-memdev", NULL, KMT_QMP_TIMEOUT_MS, false, &r))
			ret = KMT_EXIT_QMP;
		if (ret)
			break;
	}
	if (!found && !ret)
		kmt_warn("%s is not the mem-path of any of QEMU's memory backends (query-memdev): is it this guest's RAM (-object memory-backend-file,share=on,mem-path=%s)?",
			 c->ram, c->ram);
	free(want);
	return ret;
}

/* --ram FILE without @BASE: where RAM starts on the guest's machine (query-target). */
static int kmt_collect_ram_spec(struct kmt_collect *c)
{
	const char *at = strrchr(c->ram_spec, '@');
	char arch[32];
	uint64_t base;
	int r;

	if (at) {
		c->ram = kmt_strdup(c->ram_spec);
		((char *)c->ram)[at - c->ram_spec] = 0;
		return 0;
	}
	c->ram = kmt_strdup(c->ram_spec);
	if (kmt_qmp_cmd(&c->q, "query-target", NULL, KMT_QMP_TIMEOUT_MS, false, &r))
		return KMT_EXIT_QMP;
	kmt_jr_str(&c->q.j, kmt_jr_get(&c->q.j, r, "arch"), arch, sizeof(arch));
	if (!strcmp(arch, "x86_64") || !strcmp(arch, "i386")) {
		base = 0;
	} else if (!strcmp(arch, "aarch64") || !strcmp(arch, "arm")) {
		base = 0x40000000;	/* QEMU virt */
	} else {
		kmt_err("--ram %s: give the guest's physical address of the file's first byte as FILE@PHYSBASE (QEMU's target is %s)",
			c->ram_spec, *arch ? arch : "unknown");
		return KMT_EXIT_USAGE;
	}
	free(c->ram_spec);
	c->ram_spec = kmt_malloc(strlen(c->ram) + 24);
	sprintf(c->ram_spec, "%s@0x%llx", c->ram, (unsigned long long)base);
	kmt_verbose("QEMU's target is %s: --ram %s", arch, c->ram_spec);
	return 0;
}

/* ---- one collection ------------------------------------------------------------------ */

static double kmt_wallclock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* DIR/kminidump-YYYYMMDD-HHMMSS.mmm[-N].core, a name not taken yet. */
static char *kmt_collect_name(const struct kmt_collect *c)
{
	struct timespec ts;
	struct tm tm;
	char stamp[40];
	char *p = kmt_malloc(strlen(c->dir) + 80);
	struct stat st;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (i = 0; i < 1000; i++) {
		sprintf(p, "%s/" KMT_DUMP_PREFIX "%s.%03ld%s%.0d.core%s%s", c->dir, stamp,
			ts.tv_nsec / 1000000, i ? "-" : "", i, c->so.zstd ? ".zst" : "",
			c->so.nrcpt ? ".age" : "");
		if (lstat(p, &st))
			break;
	}
	return p;
}

struct kmt_dump {
	char *name;
	uint64_t size;
};

static int kmt_dump_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kmt_dump *)a)->name, ((const struct kmt_dump *)b)->name);
}

/*
 * --keep and --max-bytes: our cores in DIR (regular files named kminidump-*.core*),
 * oldest first by their timestamped names, removed until both hold; the newest
 * one stays whatever its size. Each removal is logged and listed in @removed.
 */
static void kmt_collect_rotate(struct kmt_collect *c, char *removed, size_t rsize)
{
	struct kmt_dump *d = NULL;
	size_t n = 0, cap = 0, i;
	uint64_t total = 0;
	struct dirent *e;
	DIR *dir;

	removed[0] = 0;
	if (!c->keep && !c->max_bytes)
		return;
	dir = opendir(c->dir);
	if (!dir) {
		kmt_warn("Can't read %s to remove old cores. %s", c->dir, strerror(errno));
		return;
	}
	while ((e = readdir(dir)) && n < KMT_MAX_DUMPS) {
		struct stat st;
		char *p;

		if (strncmp(e->d_name, KMT_DUMP_PREFIX, strlen(KMT_DUMP_PREFIX)) ||
		    !strstr(e->d_name, ".core"))
			continue;
		p = kmt_malloc(strlen(c->dir) + strlen(e->d_name) + 2);
		sprintf(p, "%s/%s", c->dir, e->d_name);
		if (lstat(p, &st) || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			d = kmt_realloc(d, cap * sizeof(*d));
		}
		d[n].name = p;
		d[n++].size = st.st_size;
		total += st.st_size;
	}
	closedir(dir);
	if (n)
		qsort(d, n, sizeof(*d), kmt_dump_cmp);
	for (i = 0; i + 1 < n; i++) {
		bool over_n = c->keep && n - i > c->keep, over_b = c->max_bytes && total > c->max_bytes;
		size_t len = strlen(removed);

		if (!over_n && !over_b)
			break;
		if (unlink(d[i].name)) {
			kmt_warn("Can't remove %s. %s", d[i].name, strerror(errno));
			continue;
		}
		total -= d[i].size;
		if (over_n)
			kmt_info("removed %s (%llu bytes): --keep %llu", d[i].name,
				 (unsigned long long)d[i].size, (unsigned long long)c->keep);
		else
			kmt_info("removed %s (%llu bytes): over --max-bytes %llu in total", d[i].name,
				 (unsigned long long)d[i].size, (unsigned long long)c->max_bytes);
		if (len + strlen(d[i].name) + 4 < rsize)
			snprintf(removed + len, rsize - len, "%s%s", len ? " " : "", d[i].name);
	}
	if (n && c->max_bytes && total > c->max_bytes)
		kmt_warn("the newest core alone (%llu bytes) is over --max-bytes %llu: kept",
			 (unsigned long long)d[n - 1].size, (unsigned long long)c->max_bytes);
	for (i = 0; i < n; i++)
		free(d[i].name);
	free(d);
}

/* The guest after a collection, as --then says; 1 when the loop must end. */
static int kmt_collect_then(struct kmt_collect *c, double *secs)
{
	static const char *const reset_ev[] = { "RESET", NULL };
	struct kmt_qmp_event ev;
	double t = kmt_now();
	int r, ret = 0;

	switch (c->then) {
	case KMT_THEN_RESET:
		/* with reboot=shutdown QEMU would turn our reset into a shutdown too */
		if (c->on_reset)
			ret = kmt_qmp_cmd(&c->q, "set-action", "{\"reboot\": \"reset\"}",
					  KMT_QMP_TIMEOUT_MS, false, &r);
		if (!ret)
			ret = kmt_qmp_cmd(&c->q, "system_reset", NULL, KMT_QMP_TIMEOUT_MS, false, &r);
		/* cont is refused until the reset happened (QEMU's main loop does it) */
		if (!ret) {
			ret = kmt_qmp_wait_event(&c->q, reset_ev, KMT_QMP_TIMEOUT_MS, &ev);
			if (ret == 1)
				kmt_err("QEMU did not reset the guest within %d s", KMT_QMP_TIMEOUT_MS / 1000);
			if (ret == 1)
				ret = KMT_EXIT_QMP;
		}
		if (!ret)
			ret = kmt_qmp_cmd(&c->q, "cont", NULL, KMT_QMP_TIMEOUT_MS, false, &r);
		if (!ret && c->on_reset)
			ret = kmt_qmp_cmd(&c->q, "set-action", "{\"reboot\": \"shutdown\"}",
					  KMT_QMP_TIMEOUT_MS, false, &r);
		break;
	case KMT_THEN_RESUME:
		ret = kmt_qmp_cmd(&c->q, "cont", NULL, KMT_QMP_TIMEOUT_MS, false, &r);
		break;
	case KMT_THEN_QUIT:
		/* QEMU may close the socket before its answer: that is the point */
		if (kmt_qmp_cmd(&c->q, "quit", NULL, KMT_QMP_TIMEOUT_MS, true, &r) &&
		    *c->q.error)
			kmt_err("QEMU refused quit: %s", c->q.error);
		ret = 1;
		break;
	case KMT_THEN_PAUSE:
		break;
	}
	*secs = kmt_now() - t;
	return ret;
}

static void kmt_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch > 0x7e)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void kmt_collect_report(const struct kmt_collect *c, const char *file, int ret,
			       const struct kmt_take_res *res, double t_event, double t_then,
			       double total, const char *removed)
{
	/* zstd and age run inside the stream's writes: their time is taken out of "regions" */
	double t_zstd = res->st.t_zstd, t_age = res->st.t_age, t_sync = res->st.t_sync;
	double t_regions = res->t_regions + res->t_write - t_zstd - t_age - t_sync;
	char flags[40], zs[24] = "-", as[24] = "-", zj[24] = "null", aj[24] = "null";

	if (c->so.zstd) {
		snprintf(zs, sizeof(zs), "%.1f ms", t_zstd * 1e3);
		snprintf(zj, sizeof(zj), "%.3f", t_zstd * 1e3);
	}
	if (c->so.nrcpt) {
		snprintf(as, sizeof(as), "%.1f ms", t_age * 1e3);
		snprintf(aj, sizeof(aj), "%.3f", t_age * 1e3);
	}
	if (t_regions < 0)
		t_regions = 0;
	kmt_table_flags_str(res->flags, flags, sizeof(flags));
	if (c->json) {
		printf("{\"collection\": %u, \"file\": ", c->n);
		kmt_json_string(stdout, ret && ret != KMT_EXIT_PARTIAL ? "" : file);
		printf(", \"exit\": %d, \"bytes\": %llu, \"regions\": %zu, \"region_bytes\": %llu, \"kelf\": \"0x%llx\", \"flags\": \"%s\", \"gen\": %u, \"stable\": %s, \"partial\": %u, \"skipped\": %u",
		       ret, (unsigned long long)res->out_bytes, res->regions,
		       (unsigned long long)res->bytes, (unsigned long long)res->kelf_pa, flags,
		       res->gen, res->stable ? "true" : "false", res->partial, res->skipped);
		if (res->have_loc)
			printf(", \"locator\": \"0x%llx\", \"locator_state\": \"%s\"",
			       (unsigned long long)res->loc_pa,
			       kmd_locator_state_name(res->loc.state));
		printf(", \"core_bytes\": %llu, \"compressed_bytes\": %llu",
		       (unsigned long long)res->st.in, (unsigned long long)res->st.compressed);
		printf(", \"ms\": {\"event\": %.3f, \"table\": %.3f, \"regions\": %.3f, \"compress\": %s, \"encrypt\": %s, \"write\": %.3f, \"then\": %.3f, \"total\": %.3f}, \"then\": \"%s\", \"removed\": ",
		       t_event * 1e3, res->t_table * 1e3, t_regions * 1e3, zj, aj, t_sync * 1e3,
		       t_then * 1e3, total * 1e3, kmt_then_names[c->then]);
		kmt_json_string(stdout, removed);
		printf("}\n");
	} else if (!ret || ret == KMT_EXIT_PARTIAL) {
		printf("collected #%u %s: %llu bytes (core %llu), %zu regions (%llu bytes), table %s gen %u%s%s; event %.1f ms, table %.1f ms, regions %.1f ms, compress %s, encrypt %s, written %.1f ms, %s %.1f ms; total %.1f ms\n",
		       c->n, file, (unsigned long long)res->out_bytes,
		       (unsigned long long)res->st.in, res->regions,
		       (unsigned long long)res->bytes, flags, res->gen,
		       res->stable ? ", stable" : ", UNSTABLE", res->partial ? ", PARTIAL" : "",
		       t_event * 1e3, res->t_table * 1e3, t_regions * 1e3, zs, as,
		       t_sync * 1e3, kmt_then_names[c->then], t_then * 1e3, total * 1e3);
	} else {
		printf("collection #%u failed (exit %d, see above); %s %.1f ms\n", c->n, ret,
		       kmt_then_names[c->then], t_then * 1e3);
	}
	fflush(stdout);
}

/* One panic: the core, the rotation, --then. 1 when the loop ends (quit), else 0. */
static int kmt_collect_one(struct kmt_collect *c, const struct kmt_qmp_event *ev, int *last_ret)
{
	struct kmt_phys m = { 0 };
	struct kmt_take_res res = { 0 };
	char removed[1024];
	double t0 = kmt_now(), t_event = 0, t_then = 0;
	char *file = kmt_collect_name(c);
	int ret, end;

	if (ev && ev->qemu_time > 0) {
		/* QEMU stamped the event with its wall clock: how long it took to reach us */
		t_event = kmt_wallclock() - ev->qemu_time - (kmt_now() - ev->got);
		if (t_event < 0)
			t_event = 0;
	}
	c->n++;
	if (c->n > 1 && t0 - c->last < c->interval)
		kmt_warn("panic #%u %.1f s after the previous one (under --interval %.0f s): a crash loop? --keep/--max-bytes bound the disk, --then pause stops it",
			 c->n, t0 - c->last, c->interval);
	c->last = t0;
	c->req.out = file;
	c->req.so = &c->so;
	ret = kmt_phys_add_raw(&m, c->ram_spec);
	if (!ret)
		ret = kmt_phys_finish(&m);
	if (!ret)
		ret = kmt_take(&m, &c->req, &res);
	kmt_phys_free(&m);
	if (!ret && (res.partial || !res.stable))
		ret = KMT_EXIT_PARTIAL;
	if (!ret && res.have_loc && res.loc.state != KMD_LOC_ST_PANIC)
		kmt_warn("the locator says %s, not PANIC: the guest's panic did not reach kminidump (another panic path, or pvpanic ran first?)",
			 kmd_locator_state_name(res.loc.state));
	if (!ret && !(res.flags & KMD_TABLE_F_PANIC))
		kmt_warn("the table has no PANIC flag: the capture had not run when pvpanic fired");
	if (ret && ret != KMT_EXIT_PARTIAL)
		c->failed++;
	*last_ret = ret;
	kmt_collect_rotate(c, removed, sizeof(removed));
	/* a GUEST_PANICKED queued while we read is this panic's, not the next one's */
	kmt_qmp_drop_events(&c->q);
	end = kmt_collect_then(c, &t_then);
	kmt_collect_report(c, file, ret, &res, t_event, t_then, kmt_now() - t0 + t_event,
			   removed);
	free(file);
	if (end > 1) {	/* QMP broke while restarting the guest */
		*last_ret = end;
		return 1;
	}
	return end;
}

/*
 * --on-reset: the guest reset itself and QEMU stopped it (reboot=shutdown,
 * shutdown=pause). A panic if the locator says PANIC: collected like one;
 * otherwise an ordinary reboot, restarted without a core. -1 for "not a panic".
 */
static int kmt_collect_reset(struct kmt_collect *c, const struct kmt_qmp_event *ev,
			     int *last_ret)
{
	static const char *const stop_ev[] = { "STOP", NULL };
	struct kmt_qmp_event st;
	struct kmt_phys m = { 0 };
	struct kmt_locator loc;
	uint64_t at;
	double t;
	int ret, end;

	/* SHUTDOWN comes before the vCPUs are paused: read RAM once they are */
	ret = ev ? kmt_qmp_wait_event(&c->q, stop_ev, 2000, &st) : 0;
	if (ret > 1)
		return ret;
	ret = kmt_phys_add_raw(&m, c->ram_spec);
	if (!ret)
		ret = kmt_phys_finish(&m);
	if (!ret)
		ret = kmt_find_locator(&m, c->req.where == KMT_WHERE_LOCATOR, c->req.pa, &loc, &at);
	kmt_phys_free(&m);
	c->reset_event = true;
	if (!ret && loc.state == KMD_LOC_ST_PANIC) {
		end = kmt_collect_one(c, ev, last_ret);
		c->reset_event = false;
		return end;
	}
	kmt_info("the guest reset itself without a panic (locator %s): restarted, no core",
		 ret ? "unreadable" : kmd_locator_state_name(loc.state));
	end = c->then == KMT_THEN_PAUSE ? 0 : kmt_collect_then(c, &t);
	c->reset_event = false;
	return end ? end : -1;
}

/* The loop: events until --once, quit, the timeout or QEMU's end. */
static int kmt_collect_loop(struct kmt_collect *c, bool panicked_now, bool reset_now)
{
	static const char *const want[] = { "GUEST_PANICKED", "SHUTDOWN", NULL };
	struct kmt_qmp_event ev;
	int ret = 0, w;

	if (reset_now) {
		kmt_info("the guest is stopped (state shutdown) already: a reset after a panic?");
		w = kmt_collect_reset(c, NULL, &ret);
		if (w > 0 || (w == 0 && c->once))
			return ret;
	}
	if (panicked_now) {
		kmt_info("the guest is in state guest-panicked already: collecting it");
		if (kmt_collect_one(c, NULL, &ret) || c->once)
			return ret;
	}
	for (;;) {
		w = kmt_qmp_wait_event(&c->q, want, c->timeout > 0 ? (int)(c->timeout * 1000) : -1,
				       &ev);
		if (w == 1) {
			kmt_err("no panic within %.0f s (--timeout)", c->timeout);
			return c->n ? ret : KMT_EXIT_NOTFOUND;
		}
		if (w) {
			/* QEMU went away: the end of the VM, and of the loop */
			if (!c->once) {
				kmt_info("%u collections (%u failed); QEMU's QMP connection ended",
					 c->n, c->failed);
				return ret;
			}
			return KMT_EXIT_QMP;
		}
		if (!strcmp(ev.name, "SHUTDOWN") && c->on_reset && !strcmp(ev.reason, "guest-reset")) {
			int k = kmt_collect_reset(c, &ev, &ret);

			if (k < 0)
				continue;
			if (k || c->once)
				return ret;
			continue;
		}
		if (!strcmp(ev.name, "SHUTDOWN")) {
			kmt_info("QEMU reports a shutdown (%s)", *ev.reason ? ev.reason : "no reason");
			continue;
		}
		if (*ev.action && strcmp(ev.action, "pause")) {
			kmt_err("the guest panicked and QEMU's panic action was '%s', not pause: its RAM %s; start QEMU with -action panic=pause (or without --no-set-action)",
				ev.action, strcmp(ev.action, "poweroff") ?
				"keeps changing" : "is what QEMU left in the file");
			if (strcmp(ev.action, "poweroff"))
				return KMT_EXIT_VMSETUP;
			c->then = KMT_THEN_PAUSE;	/* QEMU is on its way out */
			kmt_collect_one(c, &ev, &ret);
			return KMT_EXIT_VMSETUP;
		}
		if (kmt_collect_one(c, &ev, &ret) || c->once)
			return ret;
	}
}

static int kmt_collect_start(struct kmt_collect *c)
{
	char status[32];
	struct stat st;
	bool panicked;
	int ret, r;

	if (stat(c->dir, &st) || !S_ISDIR(st.st_mode)) {
		kmt_err("-o %s: %s; give an existing directory for the cores", c->dir,
			errno && !stat(c->dir, &st) ? "not a directory" : "no such directory");
		return KMT_EXIT_USAGE;
	}
	ret = kmt_qmp_connect(&c->q, c->qmp_path, 2000);
	if (!ret)
		ret = kmt_qmp_cmd(&c->q, "query-status", NULL, KMT_QMP_TIMEOUT_MS, false, &r);
	if (ret)
		return ret;
	if (!kmt_jr_str(&c->q.j, kmt_jr_get(&c->q.j, r, "status"), status, sizeof(status))) {
		kmt_err("QMP socket %s: query-status has no status string", c->qmp_path);
		return KMT_EXIT_QMP;
	}
	panicked = !strcmp(status, "guest-panicked");
	ret = kmt_collect_ram_spec(c);
	if (!ret)
		ret = kmt_collect_pvpanic(c);
	if (!ret)
		ret = kmt_collect_action(c);
	if (!ret)
		ret = kmt_collect_memdev(c);
	if (ret)
		return ret;
	kmt_info("QEMU %s on %s: guest %s; waiting for its panic (cores into %s, then %s)",
		 c->q.version, c->qmp_path, status, c->dir, kmt_then_names[c->then]);
	return kmt_collect_loop(c, panicked, c->on_reset && !strcmp(status, "shutdown"));
}

int kmt_cmd_collect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "qmp", required_argument, NULL, 'Q' },
		{ "ram", required_argument, NULL, 'r' },
		{ "locator", required_argument, NULL, 'l' },
		{ "scan", no_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		{ "then", required_argument, NULL, 't' },
		{ "keep", required_argument, NULL, 'k' },
		{ "max-bytes", required_argument, NULL, 'm' },
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "no-set-action", no_argument, NULL, 'A' },
		{ "on-reset", no_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		KMT_STREAM_LONGOPTS,
		KMT_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct kmt_collect c = { .then = KMT_THEN_RESET, .interval = 60, .set_action = true };
	const char *loc_arg = NULL, *bad = NULL;
	bool scan = false;
	size_t i;
	int opt, ret = 0;

	c.q.fd = -1;
	c.req.where = KMT_WHERE_SCAN_LOCATOR;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "Q:r:l:So:t:k:m:i:1T:jfhVqv" KMT_STREAM_SHORTOPTS,
				  opts, NULL)) != -1) {
		int ex = -1;

		switch (opt) {
		case 'Q':
			c.qmp_path = optarg;
			break;
		case 'r':
			if (c.ram_spec)
				bad = "give one --ram (the guest's memory-backend-file)";
			free(c.ram_spec);
			c.ram_spec = kmt_strdup(optarg);
			break;
		case 'l':
			loc_arg = optarg;
			break;
		case 'S':
			scan = true;
			break;
		case 'o':
			c.dir = optarg;
			break;
		case 't':
			for (i = 0; i < 4 && strcmp(optarg, kmt_then_names[i]); i++)
				;
			if (i == 4)
				bad = "--then takes reset, quit or pause";
			c.then = (enum kmt_then)i;
			break;
		case 'k':
			if (kmt_parse_u64(optarg, &c.keep) || !c.keep)
				bad = "--keep takes a number of cores, 1 or more";
			break;
		case 'm':
			if (kmt_parse_size(optarg, &c.max_bytes) || !c.max_bytes)
				bad = "--max-bytes takes a size in bytes (K, M, G suffixes)";
			break;
		case 'i':
			if (kmt_parse_secs(optarg, &c.interval))
				bad = "--interval takes seconds";
			break;
		case 'T':
			/* at most 2e6 s (23 days): the wait is in int milliseconds */
			if (kmt_parse_secs(optarg, &c.timeout) || !c.timeout || c.timeout > 2e6)
				bad = "--timeout takes seconds, more than 0 and at most 2000000";
			break;
		case '1':
			c.once = true;
			break;
		case 'A':
			c.set_action = false;
			break;
		case 'E':
			c.on_reset = true;
			break;
		case 'j':
			c.json = true;
			break;
		case 'f':
			c.req.force = true;
			break;
		default:
			if (kmt_stream_opt(&c.so, opt, optarg, &ex)) {
				if (ex) {
					ret = ex;
					goto out;
				}
				break;
			}
			kmt_common_opt(opt, "collect", kmt_collect_usage, &ex);
			if (ex >= 0) {
				ret = ex;
				goto out;
			}
		}
	}
	if (!bad && optind < argc)
		bad = "unexpected arguments";
	if (!bad && (!c.qmp_path || !c.ram_spec || !c.dir))
		bad = "give --qmp SOCKET, --ram FILE[@PHYSBASE] and -o DIR";
	if (!bad && loc_arg && scan)
		bad = "give --locator PA or --scan, not both";
	if (!bad && loc_arg) {
		c.req.where = KMT_WHERE_LOCATOR;
		if (kmt_parse_u64(loc_arg, &c.req.pa))
			bad = "--locator: expected a physical address (hex 0x... or decimal)";
	}
	if (!bad && c.then == KMT_THEN_RESUME)
		bad = "--then resume: QEMU cannot resume a panicked guest (it needs a reset); use reset, quit or pause";
	if (bad) {
		kmt_err("collect: %s", bad);
		fprintf(stderr, "Try '%s collect --help'.\n", KMT_PROG);
		ret = KMT_EXIT_USAGE;
		goto out;
	}
	ret = kmt_collect_start(&c);
	if (!ret && c.failed)
		ret = KMT_EXIT_FAILURE;
out:
	kmt_qmp_close(&c.q);
	kmt_stream_opts_free(&c.so);
	free(c.ram_spec);
	free((char *)c.ram);
	return ret;
}
