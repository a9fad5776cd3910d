/* SPDX-License-Identifier: GPL-2.0 */
/*
 * go3s_queue: a bounded, lock-free, multi-producer multi-consumer FIFO of
 * pointer-sized values (after D. Vyukov's bounded MPMC queue: a ring of
 * cells, each with a sequence number saying whose turn it is).
 *
 * Concurrency contract:
 *   push, pop: any number of callers at once, from any context: task,
 *	softirq, hard IRQ and NMI. Neither ever waits for another caller: a
 *	cell another caller has claimed but not finished reads as full (for
 *	push) or empty (for pop), and the call returns -ENOSPC or -EAGAIN.
 *	So an NMI that interrupts a push on the same CPU cannot deadlock; it
 *	may see the queue as empty until the push completes.
 *   new, free: process context; free only once no one uses the queue.
 *   len: any context; a snapshot.
 * Cost: one cmpxchg on the producer index (enqueue) or the consumer index
 * (dequeue) when uncontended, plus a release store of the cell's sequence.
 * The two indices live on separate cache lines.
 *
 * FIFO: values come out in the order their pushes claimed cells. A pop
 * racing a push may miss an element whose push has not completed yet.
 *
 * Kernel-doc for the functions: go3s_rt/queue.c, rendered with
 * Documentation/channels.rst by make docs.
 */
#ifndef _GO3S_QUEUE_H
#define _GO3S_QUEUE_H

#include <linux/gfp.h>
#include <linux/bits.h>
#include <linux/types.h>

struct go3s_queue;

#define GO3S_QUEUE_MAX	BIT(24)

/**
 * DOC: Bad arguments
 *
 * go3s_queue_new() returns ERR_PTR(-EINVAL) for a size below 2 or above
 * %GO3S_QUEUE_MAX, ERR_PTR(-ENOMEM) when out of memory: never NULL. A
 * NULL queue is a caller bug: go3s_queue_push() and go3s_queue_pop() WARN
 * once and return -EINVAL (go3s_queue_pop() also for a NULL @val),
 * go3s_queue_len() and go3s_queue_size() WARN once and return 0, and
 * go3s_queue_free(NULL) does nothing and does not warn, like kfree(NULL).
 *
 * "WARNs once" means WARN_ON_ONCE()'s rule: once per check in go3s_rt for
 * as long as go3s_rt stays loaded (once per boot unless it is reloaded),
 * whoever calls; each of the four calls has its own check. A queue used
 * after go3s_queue_free() is freed memory: a caller bug the runtime
 * cannot detect.
 */

struct go3s_queue *go3s_queue_new(unsigned int size, gfp_t gfp);
void go3s_queue_free(struct go3s_queue *q);
int go3s_queue_push(struct go3s_queue *q, void *val);
int go3s_queue_pop(struct go3s_queue *q, void **val);
unsigned int go3s_queue_len(struct go3s_queue *q);
unsigned int go3s_queue_size(struct go3s_queue *q);

#endif /* _GO3S_QUEUE_H */
