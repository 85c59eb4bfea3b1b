/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared setup of the libFuzzer targets: silence messages, give a sink for
 * output, and a writable copy of the input (libelf may touch its image).
 */
#ifndef _KMD_FUZZ_H
#define _KMD_FUZZ_H

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "tool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void kmd_fuzz_init(void)
{
	kmd_verbosity = -1;
}

static inline int kmd_fuzz_null_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}

static inline FILE *kmd_fuzz_null_file(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "w");
	return f;
}

static inline uint8_t *kmd_fuzz_copy(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);

	if (size)
		memcpy(p, data, size);
	return p;
}

#endif /* _KMD_FUZZ_H */
