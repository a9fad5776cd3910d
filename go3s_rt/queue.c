// SPDX-License-Identifier: GPL-2.0
/*
 * The bounded MPMC queue; the concurrency contract is in <go3s/queue.h>.
 *
 * Cell i of the ring carries a sequence number. For the position pos that
 * maps to it (pos & mask):
 *   seq == pos		free: the producer claiming pos may fill it;
 *   seq == pos + 1	full: the consumer claiming pos may empty it;
 *   anything else	the cell belongs to another lap or is being worked
 *			on: the queue is full (producer) or empty (consumer)
 *			at this position, or our view of the index is stale.
 * A producer claims pos by advancing ->head with a cmpxchg, writes the
 * value, then releases seq = pos + 1. A consumer claims pos on ->tail,
 * reads the value, then releases seq = pos + size for the next lap.
 */
#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/log2.h>
#include <linux/slab.h>

#include <go3s/compat.h>
#include <go3s/queue.h>

#include "bug.h"

struct go3s_queue_cell {
	atomic_long_t seq;
	void *val;
};

struct go3s_queue {
	atomic_long_t head ____cacheline_aligned_in_smp;	/* producers */
	atomic_long_t tail ____cacheline_aligned_in_smp;	/* consumers */
	unsigned long mask ____cacheline_aligned_in_smp;	/* constant */
	struct go3s_queue_cell cells[];
};

/**
 * go3s_queue_new - create a queue
 * @size: capacity, rounded up to a power of two; 2 to %GO3S_QUEUE_MAX.
 * @gfp: allocation flags.
 *
 * Context: process context (may sleep with GFP_KERNEL).
 * Return: the queue, ERR_PTR(-EINVAL) for a bad size, ERR_PTR(-ENOMEM).
 */
struct go3s_queue *go3s_queue_new(unsigned int size, gfp_t gfp)
{
	struct go3s_queue *q;
	unsigned long i;

	if (size < 2 || size > GO3S_QUEUE_MAX)
		return ERR_PTR(-EINVAL);
	size = roundup_pow_of_two(size);
	q = kvzalloc(struct_size(q, cells, size), gfp);
	if (!q)
		return ERR_PTR(-ENOMEM);
	q->mask = size - 1;
	for (i = 0; i < size; i++)
		atomic_long_set(&q->cells[i].seq, i);
	return q;
}
EXPORT_SYMBOL_GO3S(go3s_queue_new);

/**
 * go3s_queue_free - free a queue
 * @q: the queue, or NULL. Values still queued are not touched.
 *
 * Context: process context, once nobody pushes or pops any more.
 */
void go3s_queue_free(struct go3s_queue *q)
{
	kvfree(q);
}
EXPORT_SYMBOL_GO3S(go3s_queue_free);

/**
 * go3s_queue_push - append a value
 * @q: the queue.
 * @val: any pointer-sized value, NULL included.
 *
 * Context: any context, NMI included.
 * Return: 0, -ENOSPC if the queue is full, -EINVAL for a NULL @q (a
 * caller bug: warns once).
 */
int go3s_queue_push(struct go3s_queue *q, void *val)
{
	struct go3s_queue_cell *cell;
	long pos, seq;

	if (GO3S_WARN_ONCE(!q, "go3s: %s on a NULL queue\n", __func__))
		return -EINVAL;
	pos = atomic_long_read(&q->head);
	for (;;) {
		cell = &q->cells[pos & q->mask];
		/* Pairs with the release in go3s_queue_pop(): cell emptied. */
		seq = atomic_long_read_acquire(&cell->seq);
		if (seq == pos) {
			if (atomic_long_try_cmpxchg_relaxed(&q->head, &pos, pos + 1))
				break;
			continue;	/* another producer took pos */
		}
		if (seq - pos < 0)
			return -ENOSPC;
		pos = atomic_long_read(&q->head);	/* we lag: catch up */
	}
	cell->val = val;
	/* Pairs with the acquire in go3s_queue_pop(): value written. */
	atomic_long_set_release(&cell->seq, pos + 1);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_queue_push);

/**
 * go3s_queue_pop - take the oldest value
 * @q: the queue.
 * @val: where to store it.
 *
 * Context: any context, NMI included.
 * Return: 0, -EAGAIN if the queue is empty, -EINVAL for a NULL @q or @val
 * (a caller bug: warns once).
 */
int go3s_queue_pop(struct go3s_queue *q, void **val)
{
	struct go3s_queue_cell *cell;
	long pos, seq;

	if (GO3S_WARN_ONCE(!q || !val, "go3s: %s(%p, %p)\n", __func__, q, val))
		return -EINVAL;
	pos = atomic_long_read(&q->tail);
	for (;;) {
		cell = &q->cells[pos & q->mask];
		/* Pairs with the release in go3s_queue_push(): value written. */
		seq = atomic_long_read_acquire(&cell->seq);
		if (seq == pos + 1) {
			if (atomic_long_try_cmpxchg_relaxed(&q->tail, &pos, pos + 1))
				break;
			continue;	/* another consumer took pos */
		}
		if (seq - (pos + 1) < 0)
			return -EAGAIN;
		pos = atomic_long_read(&q->tail);	/* we lag: catch up */
	}
	*val = cell->val;
	/* Pairs with the acquire in go3s_queue_push(): cell free again. */
	atomic_long_set_release(&cell->seq, pos + q->mask + 1);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_queue_pop);

/**
 * go3s_queue_len - number of values queued
 * @q: the queue.
 *
 * Context: any context. A snapshot, which may count pushes and pops
 * still in progress.
 * Return: the count, between 0 and the capacity; 0 for a NULL @q (a caller
 * bug: warns once).
 */
unsigned int go3s_queue_len(struct go3s_queue *q)
{
	long tail, head;

	if (GO3S_WARN_ONCE(!q, "go3s: %s(NULL)\n", __func__))
		return 0;
	tail = atomic_long_read(&q->tail);
	head = atomic_long_read(&q->head);
	return clamp(head - tail, 0L, (long)q->mask + 1);
}
EXPORT_SYMBOL_GO3S(go3s_queue_len);

/**
 * go3s_queue_size - capacity of the queue
 * @q: the queue.
 *
 * Context: any context.
 * Return: the capacity (the size given to go3s_queue_new(), rounded up);
 * 0 for a NULL @q (a caller bug: warns once).
 */
unsigned int go3s_queue_size(struct go3s_queue *q)
{
	if (GO3S_WARN_ONCE(!q, "go3s: %s(NULL)\n", __func__))
		return 0;
	return q->mask + 1;
}
EXPORT_SYMBOL_GO3S(go3s_queue_size);
