// SPDX-License-Identifier: GPL-2.0
/* Messages on stderr, prefixed with the program's name, filtered by verbosity. */
#include <stdarg.h>
#include <stdio.h>
#include "lib/msg.h"

int kmt_verbosity = 1;

static void kmt_vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", KMT_PROG, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void kmt_err(const char *fmt, ...)
{
	va_list ap;

	if (kmt_verbosity < 0)
		return;
	va_start(ap, fmt);
	kmt_vmsg("", fmt, ap);
	va_end(ap);
}

void kmt_warn(const char *fmt, ...)
{
	va_list ap;

	if (kmt_verbosity < 1)
		return;
	va_start(ap, fmt);
	kmt_vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void kmt_info(const char *fmt, ...)
{
	va_list ap;

	if (kmt_verbosity < 1)
		return;
	va_start(ap, fmt);
	kmt_vmsg("", fmt, ap);
	va_end(ap);
}

void kmt_verbose(const char *fmt, ...)
{
	va_list ap;

	if (kmt_verbosity < 2)
		return;
	va_start(ap, fmt);
	kmt_vmsg("", fmt, ap);
	va_end(ap);
}
