// SPDX-License-Identifier: GPL-2.0
/*
 * kmd-wr: write to a (debugfs) file in exactly one write(2) and report the
 * errno by name, so guest test cases can assert on it. The shell's echo gives
 * only a localized message, and may split or buffer its output.
 *
 *   kmd-wr [-n] FILE [DATA...]   write DATA joined by spaces, plus '\n' unless -n;
 *                                on failure print "kmd-wr: FILE: <message> (<ENAME>)"
 *                                to stderr and exit 1 (2 for usage errors)
 *   kmd-wr --strerror ENAME      print the C library message of ENAME
 *   kmd-wr --insmod FILE [PARAM...]
 *                                load the module FILE with one finit_module(2) (busybox
 *                                insmod tries init_module(2) again after a failure, so
 *                                a refused module's init runs, and logs, twice); errors
 *                                reported as for a write
 *   kmd-wr --errno ENAME         print the number of ENAME
 *   kmd-wr --cat [--rdwr] FILE   copy stdin to FILE (opened O_WRONLY, or O_RDWR) in
 *                                writes of up to 64 KiB, then close(2) it; an error
 *                                of a write or of the close is reported as above
 *                                (the shell's redirection drops close's errors)
 *
 * Freestanding (no libc; the cross toolchain has no static libc): built with
 * -nostdlib -static for x86_64 and aarch64 by the QEMU harness.
 */

typedef unsigned long size_t;
typedef long ssize_t;

#define O_RDONLY	0
#define O_WRONLY	1
#define O_RDWR		2
#define AT_FDCWD	-100

#if defined(__x86_64__)
#define NR_read		0
#define NR_write	1
#define NR_close	3
#define NR_openat	257
#define NR_finit_module	313
#define NR_exit		60
static long sys3(long n, long a, long b, long c)
{
	long ret;

	asm volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c)
		      : "rcx", "r11", "memory");
	return ret;
}
static long sys4(long n, long a, long b, long c, long d)
{
	register long r10 asm("r10") = d;
	long ret;

	asm volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
		      : "rcx", "r11", "memory");
	return ret;
}
asm(".text\n.global _start\n_start:\n"
    "	xor %rbp, %rbp\n"
    "	mov %rsp, %rdi\n"
    "	and $-16, %rsp\n"
    "	call kmd_main\n"
    "	hlt\n");
#elif defined(__aarch64__)
#define NR_read		63
#define NR_write	64
#define NR_close	57
#define NR_openat	56
#define NR_finit_module	273
#define NR_exit		93
static long sys4(long n, long a, long b, long c, long d)
{
	register long x8 asm("x8") = n;
	register long x0 asm("x0") = a;
	register long x1 asm("x1") = b;
	register long x2 asm("x2") = c;
	register long x3 asm("x3") = d;

	asm volatile ("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}
static long sys3(long n, long a, long b, long c)
{
	return sys4(n, a, b, c, 0);
}
asm(".text\n.global _start\n_start:\n"
    "	mov x0, sp\n"
    "	bl kmd_main\n"
    "	b .\n");
#else
#error "kmd-wr: unsupported architecture"
#endif

/* glibc's messages, so the shell's own error text can be matched too. */
static const struct {
	const char *name;
	int nr;
	const char *msg;
} kmd_errnos[] = {
	{ "EPERM", 1, "Operation not permitted" },
	{ "ENOENT", 2, "No such file or directory" },
	{ "ESRCH", 3, "No such process" },
	{ "EINTR", 4, "Interrupted system call" },
	{ "EIO", 5, "Input/output error" },
	{ "ENXIO", 6, "No such device or address" },
	{ "E2BIG", 7, "Argument list too long" },
	{ "ENOEXEC", 8, "Exec format error" },
	{ "EBADF", 9, "Bad file descriptor" },
	{ "EAGAIN", 11, "Resource temporarily unavailable" },
	{ "ENOMEM", 12, "Cannot allocate memory" },
	{ "EACCES", 13, "Permission denied" },
	{ "EFAULT", 14, "Bad address" },
	{ "EBUSY", 16, "Device or resource busy" },
	{ "EEXIST", 17, "File exists" },
	{ "EXDEV", 18, "Invalid cross-device link" },
	{ "ENODEV", 19, "No such device" },
	{ "ENOTDIR", 20, "Not a directory" },
	{ "EISDIR", 21, "Is a directory" },
	{ "EINVAL", 22, "Invalid argument" },
	{ "ENFILE", 23, "Too many open files in system" },
	{ "EMFILE", 24, "Too many open files" },
	{ "ENOTTY", 25, "Inappropriate ioctl for device" },
	{ "EFBIG", 27, "File too large" },
	{ "ENOSPC", 28, "No space left on device" },
	{ "ESPIPE", 29, "Illegal seek" },
	{ "EROFS", 30, "Read-only file system" },
	{ "EPIPE", 32, "Broken pipe" },
	{ "EDOM", 33, "Numerical argument out of domain" },
	{ "ERANGE", 34, "Numerical result out of range" },
	{ "EDEADLK", 35, "Resource deadlock avoided" },
	{ "ENAMETOOLONG", 36, "File name too long" },
	{ "ENOSYS", 38, "Function not implemented" },
	{ "ENOTEMPTY", 39, "Directory not empty" },
	{ "ELOOP", 40, "Too many levels of symbolic links" },
	{ "ENODATA", 61, "No data available" },
	{ "ETIME", 62, "Timer expired" },
	{ "EBADMSG", 74, "Bad message" },
	{ "EOVERFLOW", 75, "Value too large for defined data type" },
	{ "ENOTUNIQ", 76, "Name not unique on network" },
	{ "EILSEQ", 84, "Invalid or incomplete multibyte or wide character" },
	{ "EOPNOTSUPP", 95, "Operation not supported" },
	{ "EADDRINUSE", 98, "Address already in use" },
	{ "ETIMEDOUT", 110, "Connection timed out" },
	{ "EALREADY", 114, "Operation already in progress" },
	{ "EINPROGRESS", 115, "Operation now in progress" },
	{ "ECANCELED", 125, "Operation canceled" },
	{ "EPROBE_DEFER", 517, "Unknown error 517" },
	{ "ENOTSUPP", 524, "Unknown error 524" },
};
#define KMD_NERRNOS (sizeof(kmd_errnos) / sizeof(kmd_errnos[0]))

static size_t kmd_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static int kmd_streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void kmd_puts(int fd, const char *s)
{
	sys3(NR_write, fd, (long)s, kmd_strlen(s));
}

static void kmd_putnum(int fd, long v)
{
	char buf[24], *p = buf + sizeof(buf) - 1;

	*p = 0;
	if (v < 0)
		v = -v;
	do
		*--p = '0' + v % 10;
	while (v /= 10);
	kmd_puts(fd, p);
}

static __attribute__((noreturn)) void kmd_exit(int code)
{
	for (;;)
		sys3(NR_exit, code, 0, 0);
}

static __attribute__((noreturn)) void kmd_usage(void)
{
	kmd_puts(2, "usage: kmd-wr [-n] FILE [DATA...] | --strerror ENAME | --errno ENAME | --insmod FILE [PARAM...] | --cat [--rdwr] FILE\n");
	kmd_exit(2);
}

static int kmd_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < KMD_NERRNOS; i++)
		if (kmd_streq(kmd_errnos[i].name, name))
			return i;
	return -1;
}

static void kmd_report(const char *file, long err)
{
	unsigned int i;

	kmd_puts(2, "kmd-wr: ");
	kmd_puts(2, file);
	kmd_puts(2, ": ");
	for (i = 0; i < KMD_NERRNOS; i++) {
		if (kmd_errnos[i].nr == err) {
			kmd_puts(2, kmd_errnos[i].msg);
			kmd_puts(2, " (");
			kmd_puts(2, kmd_errnos[i].name);
			kmd_puts(2, ")\n");
			return;
		}
	}
	kmd_puts(2, "errno ");
	kmd_putnum(2, err);
	kmd_puts(2, " (E");
	kmd_putnum(2, err);
	kmd_puts(2, ")\n");
}

static char kmd_buf[65536];

/* the words joined by spaces into kmd_buf, NUL terminated (newline: and a '\n') */
static size_t kmd_join(int n, char **words, int newline)
{
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++) {
		size_t k = kmd_strlen(words[i]);

		if (len + k + 3 > sizeof(kmd_buf)) {
			kmd_puts(2, "kmd-wr: data too long\n");
			kmd_exit(2);
		}
		if (len)
			kmd_buf[len++] = ' ';
		while (*words[i])
			kmd_buf[len++] = *words[i]++;
	}
	if (newline)
		kmd_buf[len++] = '\n';
	kmd_buf[len] = 0;
	return len;
}

static __attribute__((noreturn)) void kmd_insmod(int n, char **argv)
{
	long fd, ret;

	fd = sys4(NR_openat, AT_FDCWD, (long)argv[0], O_RDONLY, 0);
	if (fd < 0) {
		kmd_report(argv[0], -fd);
		kmd_exit(1);
	}
	kmd_join(n - 1, argv + 1, 0);
	ret = sys3(NR_finit_module, fd, (long)kmd_buf, 0);
	if (ret < 0) {
		kmd_report(argv[0], -ret);
		kmd_exit(1);
	}
	kmd_exit(0);
}

static __attribute__((noreturn)) void kmd_cat(const char *file, int flags)
{
	long fd, n, ret;

	fd = sys4(NR_openat, AT_FDCWD, (long)file, flags, 0);
	if (fd < 0) {
		kmd_report(file, -fd);
		kmd_exit(1);
	}
	while ((n = sys3(NR_read, 0, (long)kmd_buf, sizeof(kmd_buf))) > 0) {
		ret = sys3(NR_write, fd, (long)kmd_buf, n);
		if (ret < 0) {
			kmd_report(file, -ret);
			kmd_exit(1);
		}
		if (ret != n) {
			kmd_puts(2, "kmd-wr: short write\n");
			kmd_exit(1);
		}
	}
	if (n < 0) {
		kmd_report("stdin", -n);
		kmd_exit(1);
	}
	ret = sys3(NR_close, fd, 0, 0);
	if (ret < 0) {
		kmd_report(file, -ret);
		kmd_exit(1);
	}
	kmd_exit(0);
}

__attribute__((used)) void kmd_main(long *sp)
{
	int argc = (int)sp[0], i = 1, newline = 1, e;
	char **argv = (char **)(sp + 1);
	const char *file;
	size_t len = 0;
	long fd, ret;

	if (argc == 3 && (kmd_streq(argv[1], "--strerror") || kmd_streq(argv[1], "--errno"))) {
		e = kmd_lookup(argv[2]);
		if (e < 0) {
			kmd_puts(2, "kmd-wr: unknown errno name\n");
			kmd_exit(2);
		}
		if (argv[1][2] == 's')
			kmd_puts(1, kmd_errnos[e].msg);
		else
			kmd_putnum(1, kmd_errnos[e].nr);
		kmd_puts(1, "\n");
		kmd_exit(0);
	}
	if (argc == 3 && kmd_streq(argv[1], "--cat"))
		kmd_cat(argv[2], O_WRONLY);
	if (argc == 4 && kmd_streq(argv[1], "--cat") && kmd_streq(argv[2], "--rdwr"))
		kmd_cat(argv[3], O_RDWR);
	if (argc >= 3 && kmd_streq(argv[1], "--insmod"))
		kmd_insmod(argc - 2, argv + 2);
	if (i < argc && kmd_streq(argv[i], "-n")) {
		newline = 0;
		i++;
	}
	if (i >= argc || argv[i][0] == '-')
		kmd_usage();
	file = argv[i++];
	len = kmd_join(argc - i, argv + i, newline);

	fd = sys4(NR_openat, AT_FDCWD, (long)file, O_WRONLY, 0);
	if (fd < 0) {
		kmd_report(file, -fd);
		kmd_exit(1);
	}
	ret = sys3(NR_write, fd, (long)kmd_buf, len);
	if (ret < 0) {
		kmd_report(file, -ret);
		kmd_exit(1);
	}
	if ((size_t)ret != len) {
		kmd_puts(2, "kmd-wr: short write\n");
		kmd_exit(1);
	}
	kmd_exit(0);
}
