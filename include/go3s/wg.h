/* SPDX-License-Identifier: GPL-2.0 */
/*
 * WaitGroup: wait for a collection of goroutines (or anything) to finish.
 * go3s_wg_add() before starting the work, go3s_wg_done() when each piece
 * ends (any context, hard IRQ included), go3s_wg_wait() until the counter
 * is zero: a goroutine parks, any other task sleeps (killable).
 *
 * The counter is an int: from 0 to INT_MAX. A count that would go below
 * zero (an add, or one done too many) or past INT_MAX is a caller bug:
 * go3s_wg_add() returns -EINVAL or -EOVERFLOW, the counter stays as it
 * was, and the runtime WARNs once (see "Bad arguments").
 *
 * Kernel-doc for every function (context, each return value): go3s_rt/wg.c,
 * rendered with Documentation/goroutines.rst by make docs.
 */
#ifndef _GO3S_WG_H
#define _GO3S_WG_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>

struct go3s_wg {
	atomic_t count;
	raw_spinlock_t lock;		/* protects waiters; hard-IRQ safe */
	struct list_head waiters;	/* goroutines and tasks (private to wg.c) */
};

/**
 * DOC: Bad arguments
 *
 * All are caller bugs; each WARNs once and leaves the WaitGroup as it was:
 *  - go3s_wg_add() that would take the counter below 0 returns -EINVAL
 *    (Go panics), above INT_MAX -EOVERFLOW; go3s_wg_done() on a zero
 *    counter is go3s_wg_add(wg, -1): the same WARN, no return value.
 *  - a NULL @wg: go3s_wg_init() and go3s_wg_done() do nothing,
 *    go3s_wg_add() and go3s_wg_wait() return -EINVAL.
 *
 * "WARNs once" means WARN_ON_ONCE()'s rule: once per check in go3s_rt for
 * as long as go3s_rt stays loaded (once per boot unless it is reloaded),
 * whoever calls; later failures of the same check only return the errno.
 * A WaitGroup never initialised, or freed while in use, is a caller bug
 * the runtime cannot detect.
 */

void go3s_wg_init(struct go3s_wg *wg);
int go3s_wg_add(struct go3s_wg *wg, int delta);
void go3s_wg_done(struct go3s_wg *wg);
int go3s_wg_wait(struct go3s_wg *wg);

#endif /* _GO3S_WG_H */
