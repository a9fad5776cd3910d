// SPDX-License-Identifier: GPL-2.0
/*
 * WaitGroup. The counter is an atomic; waiters (parked goroutines on
 * ->waiters, sleeping tasks on ->wq) are woken when it reaches zero.
 * ->lock orders a waiter's "count is not zero, add me" against the
 * waker's "count is zero, wake everyone": both hold it, so one of them
 * sees the other. A parked waiter's node lives on its own stack, so the
 * waker unlinks and unparks it under ->lock, and the waiter takes ->lock
 * again before its frame can go.
 */
#include <linux/sched.h>

#include <go3s/wg.h>

#include "bug.h"
#include "g.h"

struct wg_waiter {
	struct list_head node;
	struct go3s_g *g;
};

/**
 * go3s_wg_init - initialise a WaitGroup with a zero counter
 * @wg: the WaitGroup.
 *
 * Context: any context.
 */
void go3s_wg_init(struct go3s_wg *wg)
{
	if (GO3S_WARN_ONCE(!wg, "go3s: %s(NULL)\n", __func__))
		return;
	atomic_set(&wg->count, 0);
	spin_lock_init(&wg->lock);
	INIT_LIST_HEAD(&wg->waiters);
	init_waitqueue_head(&wg->wq);
}
EXPORT_SYMBOL_GO3S(go3s_wg_init);

static void wg_wake_all(struct go3s_wg *wg)
{
	struct wg_waiter *w, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&wg->lock, flags);
	list_for_each_entry_safe(w, tmp, &wg->waiters, node) {
		list_del_init(&w->node);
		go3s_unpark(w->g);
	}
	spin_unlock_irqrestore(&wg->lock, flags);
	wake_up_all(&wg->wq);
}

/**
 * go3s_wg_add - add @delta (may be negative) to the counter
 * @wg: the WaitGroup.
 * @delta: how much.
 *
 * Waiters are woken when the counter reaches zero.
 * Context: any context except NMI.
 * Return: 0; -EINVAL if the counter would go negative or @wg is NULL;
 * -EOVERFLOW if it would pass INT_MAX. All three are caller bugs: each
 * warns once, and the counter is left unchanged.
 */
int go3s_wg_add(struct go3s_wg *wg, int delta)
{
	int old;

	if (GO3S_WARN_ONCE(!wg, "go3s: %s on a NULL WaitGroup\n", __func__))
		return -EINVAL;
	old = atomic_read(&wg->count);
	do {
		if (GO3S_WARN_ONCE((long)old + delta < 0,
				   "go3s: %s: negative WaitGroup counter\n",
				   __func__))
			return -EINVAL;
		if (GO3S_WARN_ONCE((long)old + delta > INT_MAX,
				   "go3s: %s: WaitGroup counter overflow\n",
				   __func__))
			return -EOVERFLOW;
	} while (!atomic_try_cmpxchg(&wg->count, &old, old + delta));
	if (old + delta == 0)
		wg_wake_all(wg);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_wg_add);

/**
 * go3s_wg_done - decrement the counter by one
 * @wg: the WaitGroup.
 *
 * As go3s_wg_add(@wg, -1), which warns once if @wg is NULL or its counter
 * is already zero.
 * Context: any context except NMI (hard IRQ included).
 */
void go3s_wg_done(struct go3s_wg *wg)
{
	go3s_wg_add(wg, -1);
}
EXPORT_SYMBOL_GO3S(go3s_wg_done);

static int wg_park(struct go3s_wg *wg)
{
	struct wg_waiter w = { .g = go3s_self() };
	unsigned long flags;
	int ret = 0;

	while (atomic_read_acquire(&wg->count)) {
		spin_lock_irqsave(&wg->lock, flags);
		if (!atomic_read(&wg->count)) {
			spin_unlock_irqrestore(&wg->lock, flags);
			break;
		}
		go3s_park_prepare(GO3S_WAIT_WAITGROUP);
		list_add_tail(&w.node, &wg->waiters);
		spin_unlock_irqrestore(&wg->lock, flags);

		ret = go3s_park();

		spin_lock_irqsave(&wg->lock, flags);
		if (!list_empty(&w.node))
			list_del(&w.node);
		spin_unlock_irqrestore(&wg->lock, flags);
		if (ret)
			break;
	}
	return ret;
}

/**
 * go3s_wg_wait - wait until the counter is zero
 * @wg: the WaitGroup.
 *
 * A goroutine parks; any other task sleeps, killable.
 * Context: process context.
 * Return: 0 when the counter reached zero, -ERESTARTSYS if a sleeping task
 * was killed, -EDEADLK if a goroutine's switch was refused (see
 * <go3s/go.h>), -EINVAL for a NULL @wg (a caller bug: warns once).
 */
int go3s_wg_wait(struct go3s_wg *wg)
{
	if (GO3S_WARN_ONCE(!wg, "go3s: %s on a NULL WaitGroup\n", __func__))
		return -EINVAL;
	if (go3s_self())
		return wg_park(wg);
	return wait_event_killable(wg->wq, !atomic_read(&wg->count));
}
EXPORT_SYMBOL_GO3S(go3s_wg_wait);
