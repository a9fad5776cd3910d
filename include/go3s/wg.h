/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WaitGroup: wait for a collection of goroutines (or anything) to finish.
 * go3s_wg_add() before starting the work, go3s_wg_done() when each piece
 * ends (any context, hard IRQ included), go3s_wg_wait() until the counter
 * is zero: a goroutine parks, any other task sleeps (killable).
 *
 * A count that would go below zero (an add, or one done too many) is a
 * caller bug: go3s_wg_add() returns -EINVAL, the counter stays as it was,
 * and the runtime WARNs. That WARN is a WARN_ON_ONCE shared by every add
 * and done on every WaitGroup: the first such bug warns, later ones (until
 * go3s_rt is reloaded) only return the error.
 *
 * Kernel-doc for every function (context, each return value): go3s_rt/wg.c,
 * rendered with Documentation/goroutines.rst by make docs.
 */
#ifndef _GO3S_WG_H
#define _GO3S_WG_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

struct go3s_wg {
	atomic_t count;
	spinlock_t lock;		/* protects waiters */
	struct list_head waiters;	/* parked goroutines (on their stacks) */
	wait_queue_head_t wq;		/* sleeping tasks */
};

void go3s_wg_init(struct go3s_wg *wg);
int go3s_wg_add(struct go3s_wg *wg, int delta);
void go3s_wg_done(struct go3s_wg *wg);
int go3s_wg_wait(struct go3s_wg *wg);

#endif /* _GO3S_WG_H */
