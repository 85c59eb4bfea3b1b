/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exit codes of the kminidump host tool. This is the only place they are
 * defined; docs/kminidump.1 (DIAGNOSTICS) and docs/tool.md list them.
 */
#ifndef _KMT_EXITCODE_H
#define _KMT_EXITCODE_H

#define KMT_EXIT_OK		0	/* success (warnings may have been printed) */
#define KMT_EXIT_FAILURE	1	/* internal error: out of memory, unexpected libelf failure */
#define KMT_EXIT_USAGE		2	/* bad command line */
#define KMT_EXIT_IO		3	/* a file could not be opened, read or written */
#define KMT_EXIT_FORMAT		4	/* malformed input: bad magic, truncated, field out of range */
#define KMT_EXIT_NOTFOUND	5	/* no KELF header in RAM, no VMCOREINFO, missing key or symbol */
#define KMT_EXIT_MISSING	6	/* memory needed is not in the input (region outside RAM, VA not in core) */
#define KMT_EXIT_LIMIT		7	/* a size is beyond the sane limits (see --force) */
#define KMT_EXIT_MISMATCH	8	/* assemble: files and program headers disagree */
#define KMT_EXIT_MODULE		9	/* symbols: module not loaded, debugfs missing, table rejected */
#define KMT_EXIT_PARTIAL	10	/* extract: the core was written without some rows, or from a
					 * table that kept changing (see warnings) */
#define KMT_EXIT_QMP		11	/* collect: the QMP socket failed: cannot connect, closed, a
					 * garbled or oversized reply, a command QEMU refused, no answer */
#define KMT_EXIT_VMSETUP	12	/* collect: the VM cannot be collected as set up: no pvpanic
					 * device, a panic action that does not pause, a RAM file that is
					 * not the guest's shared memory */

#endif /* _KMT_EXITCODE_H */
