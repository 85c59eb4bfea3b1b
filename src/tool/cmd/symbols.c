// SPDX-License-Identifier: GPL-2.0
/*
 * kminidump symbols: give the running kminidump.ko a symbol table (System.map or
 * /proc/kallsyms) for kernels whose kallsyms lacks data symbols. The module
 * parses lines as they come and commits the table when the file is closed
 * (src/core/symbols.c), then shows it in its status when read.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd/cmd.h"
#include "format/symtab.h"
#include "lib/exitcode.h"
#include "lib/file.h"
#include "lib/msg.h"
#include "lib/outfile.h"
#include "lib/util.h"

#define KMT_SYM_CHUNK	(64 * 1024)

static void kmt_symbols_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s symbols --system-map FILE | --kallsyms FILE [--all] [--release R]\n"
		"                  [--debugfs DIR | --install [DIR]]\n"
		"Load a symbol table into the running kminidump module, or install it as\n"
		"firmware for the module to load when it starts (under lockdown=integrity).\n"
		"\n"
		"  -s, --system-map FILE  the kernel's System.map\n"
		"  -k, --kallsyms FILE    a copy of /proc/kallsyms read as root\n"
		"  -a, --all              send every symbol (default: those kallsyms lacks\n"
		"                         without KALLSYMS_ALL: all outside _stext.._etext\n"
		"                         and _sinittext.._einittext, and init_task)\n"
		"  -r, --release R        the kernel release the table is of (default: from a\n"
		"                         System.map-R file name); the module refuses the\n"
		"                         table on another release\n"
		"  -D, --debugfs DIR      where debugfs is mounted (default /sys/kernel/debug)\n"
		"  -i, --install[=DIR]    write DIR/kminidump/symbols-R (default DIR:\n"
		"                         /lib/firmware) instead of loading it now\n"
		"  -q, --quiet            errors only\n"
		"  -v, --verbose          say more\n"
		"  -h, --help             this text\n",
		KMT_PROG);
}

/* Refuses tables the module would refuse, with a better message. */
static int kmt_symbols_check(const struct kmt_symtab *t, const char *src)
{
	bool init_task = false, nonzero = false;
	size_t i;

	for (i = 0; i < t->n; i++) {
		init_task |= !t->s[i].module && !strcmp(t->s[i].name, "init_task");
		nonzero |= t->s[i].addr != 0;
	}
	if (!nonzero) {
		kmt_err("%s: every address is 0; read /proc/kallsyms as root (kptr_restrict) or use System.map",
			src);
		return KMT_EXIT_FORMAT;
	}
	if (!init_task) {
		kmt_err("%s has no init_task: the module measures the KASLR offset with it", src);
		return KMT_EXIT_FORMAT;
	}
	return 0;
}

static int kmt_symbols_open(const char *debugfs, const char *path, int flags)
{
	char dir[4096];
	struct stat st;
	int fd = open(path, flags | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	snprintf(dir, sizeof(dir), "%s/kminidump", debugfs);
	kmt_err("Can't open %s. %s (%s)", path, strerror(errno),
		stat(debugfs, &st) ? "is debugfs mounted? mount -t debugfs none /sys/kernel/debug" :
		stat(dir, &st) ? "is kminidump.ko loaded, and debugfs mounted there?" :
		"are you root?");
	return -1;
}

/* "System.map-R" names release R (Debian's /boot and -dbg file names). */
static const char *kmt_symbols_release_of(const char *src)
{
	const char *b = strrchr(src, '/');

	b = b ? b + 1 : src;
	return !strncmp(b, "System.map-", 11) && b[11] ? b + 11 : NULL;
}

/* The table as the module reads it: "# release R", then one line a symbol. */
static int kmt_symbols_install(const struct kmt_symtab *t, bool all, const char *release,
			       const char *dir, size_t *sent)
{
	struct kmt_text_ranges text;
	char path[4096];
	struct kmt_out o;
	size_t i;
	FILE *f;
	int ret;

	if (!release) {
		kmt_err("--install: give --release R (the table's file is named after it)");
		return KMT_EXIT_USAGE;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/kminidump", dir) >= sizeof(path) ||
	    (mkdir(path, 0755) && errno != EEXIST)) {
		kmt_err("Can't create %s/kminidump. %s", dir, strerror(errno));
		return KMT_EXIT_IO;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/kminidump/symbols-%s", dir, release) >=
	    sizeof(path)) {
		kmt_err("--install %s: path too long", dir);
		return KMT_EXIT_USAGE;
	}
	ret = kmt_out_open(&o, path, NULL, 0);
	if (ret)
		return ret;
	f = kmt_out_stdio(&o);
	if (!f) {
		kmt_out_abort(&o);
		return KMT_EXIT_IO;
	}
	kmt_symtab_text_ranges(t, &text);
	fprintf(f, "# release %s\n", release);
	*sent = 0;
	for (i = 0; i < t->n; i++) {
		if (t->s[i].module || (!all && !kmt_sym_kallsyms_lacks(&text, &t->s[i])))
			continue;
		fprintf(f, "%llx %c %s\n", (unsigned long long)t->s[i].addr, t->s[i].type,
			t->s[i].name);
		++*sent;
	}
	ret = kmt_out_commit(&o);
	if (!ret && kmt_verbosity >= 1)
		printf("wrote %zu symbols to %s; the module loads them when it starts with symbols_firmware=1\n"
		       "(modprobe kminidump symbols_firmware=1, or 'options kminidump symbols_firmware=1' in /etc/modprobe.d/)\n",
		       *sent, path);
	return ret;
}

static int kmt_symbols_send(const struct kmt_symtab *t, bool all, const char *release,
			    const char *debugfs, const char *path, size_t *sent)
{
	char *buf = kmt_malloc(KMT_SYM_CHUNK + 600);
	size_t i, len = 0, line = 0;
	struct kmt_text_ranges text;
	int fd = kmt_symbols_open(debugfs, path, O_WRONLY), ret = 0;

	kmt_symtab_text_ranges(t, &text);
	*sent = 0;
	if (fd < 0) {
		free(buf);
		return KMT_EXIT_MODULE;
	}
	if (release)
		len = sprintf(buf, "# release %.200s\n", release);
	for (i = 0; i <= t->n && !ret; i++) {
		if (i == t->n || len >= KMT_SYM_CHUNK) {
			if (kmt_write_all(fd, buf, len)) {
				kmt_err("the module refused the table around line %zu: %s (its reason is in the kernel log)",
					line, strerror(errno));
				ret = KMT_EXIT_MODULE;
			}
			len = 0;
		}
		if (i == t->n || t->s[i].module || (!all && !kmt_sym_kallsyms_lacks(&text, &t->s[i])))
			continue;
		len += sprintf(buf + len, "%llx %c %s\n", (unsigned long long)t->s[i].addr,
			       t->s[i].type, t->s[i].name);
		line++;
	}
	if (close(fd) && !ret) {
		kmt_err("Can't write %s. %s", path, strerror(errno));
		ret = KMT_EXIT_MODULE;
	}
	free(buf);
	*sent = line;
	return ret;
}

static int kmt_symbols_status(const char *debugfs, const char *path, size_t sent)
{
	char buf[4096], want[64];
	size_t len = 0;
	ssize_t n;
	int fd = kmt_symbols_open(debugfs, path, O_RDONLY);

	if (fd < 0)
		return KMT_EXIT_MODULE;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kmt_err("Can't read %s. %s", path, strerror(errno));
			close(fd);
			return KMT_EXIT_MODULE;
		}
		len += n;
	}
	close(fd);
	buf[len] = 0;
	if (kmt_verbosity >= 1)
		fputs(buf, stdout);
	snprintf(want, sizeof(want), "table: %zu symbols", sent);
	if (!strstr(buf, want)) {
		kmt_err("the module did not take the table of %zu symbols (its status is above; its reason is in the kernel log)",
			sent);
		return KMT_EXIT_MODULE;
	}
	return 0;
}

int kmt_cmd_symbols(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "system-map", required_argument, NULL, 's' },
		{ "kallsyms", required_argument, NULL, 'k' },
		{ "all", no_argument, NULL, 'a' },
		{ "debugfs", required_argument, NULL, 'D' },
		{ "release", required_argument, NULL, 'r' },
		{ "install", optional_argument, NULL, 'i' },
		KMT_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	const char *src = NULL, *debugfs = "/sys/kernel/debug", *release = NULL, *install = NULL;
	struct kmt_symtab t;
	char path[4096];
	bool all = false;
	int opt, ret, nsrc = 0;
	bool nsrc_is_map = false;
	size_t sent;

	optind = 0;	/* glibc: restart scanning after main()'s getopt */
	while ((opt = getopt_long(argc, argv, "s:k:aD:r:i::hVqv", opts, NULL)) != -1) {
		int ex = -1;

		if (opt == 's' || opt == 'k') {
			src = optarg;
			nsrc_is_map = opt == 's';
			nsrc++;
		} else if (opt == 'a') {
			all = true;
		} else if (opt == 'D') {
			debugfs = optarg;
		} else if (opt == 'r') {
			release = optarg;
		} else if (opt == 'i') {
			install = optarg ? optarg : "/lib/firmware";
		} else if (kmt_common_opt(opt, "symbols", kmt_symbols_usage, &ex) && ex >= 0) {
			return ex;
		}
	}
	if (nsrc != 1 || optind < argc) {
		kmt_err("symbols: give one of --system-map FILE or --kallsyms FILE");
		fprintf(stderr, "Try '%s symbols --help'.\n", KMT_PROG);
		return KMT_EXIT_USAGE;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/kminidump/symbols", debugfs) >= sizeof(path)) {
		kmt_err("--debugfs %s: path too long", debugfs);
		return KMT_EXIT_USAGE;
	}
	if (release && (!*release || strpbrk(release, "/ \t\n"))) {
		kmt_err("--release '%s': a kernel release has no '/' or blanks", release);
		return KMT_EXIT_USAGE;
	}
	if (!release && nsrc_is_map)
		release = kmt_symbols_release_of(src);
	ret = kmt_symtab_load(&t, src);
	if (ret)
		return ret;
	ret = kmt_symbols_check(&t, src);
	if (!ret && install) {
		ret = kmt_symbols_install(&t, all, release, install, &sent);
		kmt_symtab_free(&t);
		return ret;
	}
	if (!ret)
		ret = kmt_symbols_send(&t, all, release, debugfs, path, &sent);
	if (!ret) {
		kmt_verbose("sent %zu of %zu symbols to %s", sent, t.n, path);
		ret = kmt_symbols_status(debugfs, path, sent);
	}
	kmt_symtab_free(&t);
	return ret;
}
