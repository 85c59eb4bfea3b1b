// SPDX-License-Identifier: GPL-2.0
/*
 * Raw RAM images as a physical memory source: QEMU memory-backend-file or
 * pmemsave output, file offset 0 at the physical address given as FILE@PHYSBASE.
 */
#include <stdlib.h>
#include <string.h>
#include "input/physmem.h"
#include "lib/exitcode.h"
#include "lib/msg.h"
#include "lib/util.h"

int kmt_phys_add_raw(struct kmt_phys *m, const char *spec)
{
	const char *at = strrchr(spec, '@');
	struct kmt_file *f;
	uint64_t base;
	char *path;
	int ret;

	if (!at || at == spec || kmt_parse_u64(at + 1, &base)) {
		kmt_err("--ram %s: expected FILE@PHYSBASE (PHYSBASE in hex 0x... or decimal)", spec);
		return KMT_EXIT_USAGE;
	}
	path = kmt_malloc(at - spec + 1);
	memcpy(path, spec, at - spec);
	path[at - spec] = 0;
	f = kmt_phys_new_file(m);
	ret = kmt_file_map(f, path);
	free(path);
	if (ret)
		return ret;
	if (!f->size) {
		kmt_err("%s is empty", f->path);
		return KMT_EXIT_FORMAT;
	}
	kmt_verbose("RAM image %s: %zu bytes at pa 0x%llx", f->path, f->size,
		    (unsigned long long)base);
	return kmt_phys_add_mem(m, base, f->data, f->size, f->path);
}
