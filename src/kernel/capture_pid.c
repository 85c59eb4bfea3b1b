// SPDX-License-Identifier: GPL-2.0
/*
 * The nodes of init_pid_ns's pid xarray: crash walks all of them at start-up
 * and drgn finds a task by pid through them. Those that existed at load are
 * captured then (crash_util.c); a walk at panic catches the ones added since,
 * root first.
 */
#include <linux/pid_namespace.h>
#include <linux/xarray.h>
#include "capture.h"

#define KMK_PID_NODES		6	/* nodes of the pid xarray, walked at panic */

static u32 kmk_pid_node_ids[KMK_PID_NODES];

static void kmk_capture_pid_nodes(void *entry, unsigned int depth, unsigned int *n)
{
	struct xa_node *node;
	unsigned int i;

	if (!xa_is_node(entry) || depth > 8 || *n >= KMK_PID_NODES)
		return;
	node = xa_to_node(entry);
	kmk_move(kmk_pid_node_ids[(*n)++], node, sizeof(*node));
	if (!node->shift)
		return;
	for (i = 0; i < XA_CHUNK_SIZE; i++)
		kmk_capture_pid_nodes(READ_ONCE(node->slots[i]), depth + 1, n);
}

/* Panic path: one CPU left. */
void kmk_pid_nodes_capture(void)
{
	unsigned int nodes = 0;

	kmk_capture_pid_nodes(READ_ONCE(init_pid_ns.idr.idr_rt.xa_head), 0, &nodes);
}

int kmk_pid_nodes_init(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < KMK_PID_NODES; i++)
		ret = kmk_reserve("ppidnode%u", i, -1, sizeof(struct xa_node),
				  &kmk_pid_node_ids[i]);
	return ret;
}

void kmk_pid_nodes_exit(void)
{
	kmk_release(kmk_pid_node_ids, KMK_PID_NODES);
}
