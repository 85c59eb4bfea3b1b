/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared setup of the libFuzzer targets: silence messages, give a sink for
 * output, and a writable copy of the input (libelf may touch its image).
 */
#ifndef _KMT_FUZZ_H
#define _KMT_FUZZ_H

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "format/elfcore.h"
#include "format/kelf.h"
#include "format/mdset.h"
#include "format/printk.h"
#include "format/symtab.h"
#include "input/kelf_find.h"
#include "input/physmem.h"
#include "lib/bytes.h"
#include "lib/msg.h"
#include "output/info.h"
#include "output/minicore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void kmt_fuzz_init(void)
{
	kmt_verbosity = -1;
}

static inline int kmt_fuzz_null_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}

static inline FILE *kmt_fuzz_null_file(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

/* The core writer into /dev/null through the output stream (a device: written in place). */
static inline void kmt_fuzz_write_core(const struct kmt_phys *m, const struct kmt_plan *p)
{
	struct kmt_stream *s;

	if (kmt_stream_open(&s, "/dev/null", NULL, NULL, 0))
		return;
	if (kmt_extract_write(m, p, s))
		kmt_stream_abort(s);
	else
		kmt_stream_commit(s, NULL);
}

static inline uint8_t *kmt_fuzz_copy(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);

	if (size)
		memcpy(p, data, size);
	return p;
}

#endif /* _KMT_FUZZ_H */
