// SPDX-License-Identifier: GPL-2.0
/*
 * The nodes of init_pid_ns's pid xarray: crash walks all of them at start-up
 * and drgn finds a task by pid through them. Those that existed at load are
 * captured then (crash_util.c); at panic the rows here take, first, every
 * node on the path from the root to the pid of each captured CPU's task (the
 * crashing one first), then whatever else a walk from the root finds. The
 * paths come first because a pid allocated after load (a task started since,
 * the shell that crashed) lives in a leaf the load did not see, and a plain
 * walk from the root fills the rows with the leaves of the low pids, which the
 * load captured already: at 16 CPUs the crashing task's leaf was left out and
 * drgn could not find the task (prog.thread(pid): address is not mapped).
 * Nodes the load put in rows are skipped: the rows here go to nodes made
 * since, all of which crash needs (it walks the whole tree at start-up and
 * stops at a node it cannot read). Nodes are read with
 * copy_from_kernel_nofault: a stopped CPU may have left the tree half
 * changed, a freed node may be unmapped (KFENCE).
 */
#include <linux/pid_namespace.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include "capture.h"

#define KMK_PID_NODES		6	/* nodes of the pid xarray, moved at panic */
#define KMK_PID_DEPTH		8	/* more than a 32-bit index needs (6 bits a level) */

static u32 kmk_pid_node_ids[KMK_PID_NODES];

/* Panic path: one CPU left; the nodes moved so far in this capture. */
static struct xa_node *kmk_pid_seen[KMK_PID_NODES];
static unsigned int kmk_pid_nseen;

/* Move @node into the next row unless it has one already; false: no row left. */
static bool kmk_pid_take(struct xa_node *node)
{
	/* pairs with kmk_add_pid_ns()'s release: the addresses before their count */
	unsigned int i, n = smp_load_acquire(&kmk_pid_ns_nnodes);

	/* in the load's rows (crash_util.c): whatever is at that address is dumped */
	for (i = 0; i < n && i < KMK_MAX_XA_NODES; i++)
		if (kmk_pid_ns_nodes[i] == (unsigned long)node)
			return true;
	for (i = 0; i < kmk_pid_nseen; i++)
		if (kmk_pid_seen[i] == node)
			return true;
	if (kmk_pid_nseen >= KMK_PID_NODES)
		return false;
	kmk_move(kmk_pid_node_ids[kmk_pid_nseen], node, sizeof(*node));
	kmk_pid_seen[kmk_pid_nseen++] = node;
	return true;
}

/* The entry in slot @i of @node, or NULL; its shift in @shift. */
static void *kmk_pid_slot(struct xa_node *node, unsigned int i, unsigned char *shift)
{
	void *entry;

	if (copy_from_kernel_nofault(shift, &node->shift, sizeof(*shift)) ||
	    copy_from_kernel_nofault(&entry, &node->slots[i], sizeof(entry)))
		return NULL;
	return entry;
}

/* Every node from the root down to the leaf that holds pid @nr. */
static void kmk_pid_path(pid_t nr)
{
	void *entry = READ_ONCE(init_pid_ns.idr.idr_rt.xa_head);
	unsigned int depth;
	unsigned char shift;

	for (depth = 0; depth < KMK_PID_DEPTH && xa_is_node(entry); depth++) {
		struct xa_node *node = xa_to_node(entry);

		if (copy_from_kernel_nofault(&shift, &node->shift, sizeof(shift)) ||
		    shift >= BITS_PER_LONG || !kmk_pid_take(node))
			return;
		/* an index above what the root covers is not in the tree */
		if (!depth && ((unsigned long)nr >> shift) > XA_CHUNK_MASK)
			return;
		if (!shift)
			return;
		entry = kmk_pid_slot(node, ((unsigned long)nr >> shift) & XA_CHUNK_MASK, &shift);
	}
}

/* The rows left: a walk from the root, depth first. */
static void kmk_pid_walk(void *entry, unsigned int depth)
{
	struct xa_node *node;
	unsigned char shift;
	unsigned int i;

	if (!xa_is_node(entry) || depth >= KMK_PID_DEPTH)
		return;
	node = xa_to_node(entry);
	if (copy_from_kernel_nofault(&shift, &node->shift, sizeof(shift)) ||
	    !kmk_pid_take(node) || !shift)
		return;
	for (i = 0; i < XA_CHUNK_SIZE && kmk_pid_nseen < KMK_PID_NODES; i++)
		kmk_pid_walk(kmk_pid_slot(node, i, &shift), depth + 1);
}

/* Panic path: one CPU left, after the CPUs' records are final. */
void kmk_pid_nodes_capture(void)
{
	unsigned int this = raw_smp_processor_id(), cpu;
	struct task_struct *t = kmk_recs[this].task;

	kmk_pid_nseen = 0;
	if (t)
		kmk_pid_path(t->pid);
	for_each_possible_cpu(cpu) {
		/* pairs with kmk_record()'s release, as in kmk_capture_all() */
		if (cpu == this || !kmk_rec_final(smp_load_acquire(&kmk_recs[cpu].how)))
			continue;
		t = kmk_recs[cpu].task;
		if (t && t->pid)	/* the idle tasks (pid 0) are in no xarray */
			kmk_pid_path(t->pid);
	}
	kmk_pid_walk(READ_ONCE(init_pid_ns.idr.idr_rt.xa_head), 0);
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
