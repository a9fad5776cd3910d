/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WaitGroup: wait for a collection of goroutines (or anything) to finish.
 * go3s_wg_add() before starting the work, go3s_wg_done() when each piece
 * ends (any context, hard IRQ included), go3s_wg_wait() until the counter
 * is zero: a goroutine parks, any other task sleeps (killable).
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
	struct list_head waiters;	/* parked goroutines (struct go3s_waiter) */
	wait_queue_head_t wq;		/* sleeping tasks */
};

void go3s_wg_init(struct go3s_wg *wg);
int go3s_wg_add(struct go3s_wg *wg, int delta);
void go3s_wg_done(struct go3s_wg *wg);
int go3s_wg_wait(struct go3s_wg *wg);

#endif /* _GO3S_WG_H */
