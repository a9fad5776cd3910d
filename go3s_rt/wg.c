// SPDX-License-Identifier: GPL-2.0
/*
 * WaitGroup. The counter is an atomic; waiters (parked goroutines and
 * sleeping tasks, one list) are woken when it reaches zero. ->lock orders
 * a waiter's "count is not zero, add me" against the waker's "count is
 * zero, wake everyone": both hold it, so one of them sees the other. A
 * waiter's node lives on its own stack, so the waker unlinks and wakes it
 * under ->lock, and the waiter takes ->lock again before its frame can go.
 * The counter reaches zero only under ->lock, and a waiter that saw zero
 * takes ->lock once before it returns: a WaitGroup may be freed as soon as
 * go3s_wg_wait() returns.
 *
 * go3s_wg_done() may run in hard IRQ, PREEMPT_RT included (a hard
 * hrtimer, an IRQF_NO_THREAD handler): ->lock is a raw spinlock, and under
 * it the waker only calls go3s_unpark() and wake_up_process(), which take
 * raw locks only. A wait queue would not do: its spinlock_t sleeps on RT.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include <go3s/wg.h>

#include "bug.h"
#include "g.h"

/* A parked goroutine (->g) or a sleeping task (->task, ->g NULL). */
struct wg_waiter {
	struct list_head node;
	struct go3s_g *g;
	struct task_struct *task;
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
	raw_spin_lock_init(&wg->lock);
	INIT_LIST_HEAD(&wg->waiters);
}
EXPORT_SYMBOL_GO3S(go3s_wg_init);

/* The counter would leave [0, INT_MAX]: a caller bug. */
static int wg_check(int old, int delta)
{
	if (GO3S_WARN_ONCE((long)old + delta < 0,
			   "go3s: go3s_wg_add: negative WaitGroup counter\n"))
		return -EINVAL;
	if (GO3S_WARN_ONCE((long)old + delta > INT_MAX,
			   "go3s: go3s_wg_add: WaitGroup counter overflow\n"))
		return -EOVERFLOW;
	return 0;
}

/*
 * The counter reaches zero only here, under ->lock, in the same hold that
 * wakes the waiters. A waiter that sees zero takes ->lock once before it
 * returns (wg_settle()), so the waker is done with the WaitGroup by then
 * and the waiter may free it, as Go's users do with a WaitGroup on the
 * stack.
 */
static int wg_add_to_zero(struct go3s_wg *wg, int delta)
{
	struct wg_waiter *w, *tmp;
	unsigned long flags;
	int old, ret = 0;

	raw_spin_lock_irqsave(&wg->lock, flags);
	old = atomic_read(&wg->count);
	do {
		ret = wg_check(old, delta);
		if (ret)
			goto out;
	} while (!atomic_try_cmpxchg(&wg->count, &old, old + delta));
	if (old + delta)
		goto out;	/* someone added meanwhile */
	list_for_each_entry_safe(w, tmp, &wg->waiters, node) {
		list_del_init(&w->node);
		if (w->g)
			go3s_unpark(w->g);
		else
			wake_up_process(w->task);
	}
out:
	raw_spin_unlock_irqrestore(&wg->lock, flags);
	return ret;
}

/* Wait out a waker still in wg_add_to_zero(): see there. */
static void wg_settle(struct go3s_wg *wg)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&wg->lock, flags);
	raw_spin_unlock_irqrestore(&wg->lock, flags);
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
	int old, ret;

	if (GO3S_WARN_ONCE(!wg, "go3s: %s on a NULL WaitGroup\n", __func__))
		return -EINVAL;
	old = atomic_read(&wg->count);
	do {
		ret = wg_check(old, delta);
		if (ret)
			return ret;
		if (old + delta == 0)
			return wg_add_to_zero(wg, delta);
	} while (!atomic_try_cmpxchg(&wg->count, &old, old + delta));
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

/* Unlink @w if the waker has not: then its frame may go. */
static void wg_unlink(struct go3s_wg *wg, struct wg_waiter *w)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&wg->lock, flags);
	if (!list_empty(&w->node))
		list_del(&w->node);
	raw_spin_unlock_irqrestore(&wg->lock, flags);
}

/* Link @w unless the count is zero already; false if it is. */
static bool wg_link(struct go3s_wg *wg, struct wg_waiter *w)
{
	unsigned long flags;
	bool linked = false;

	raw_spin_lock_irqsave(&wg->lock, flags);
	if (atomic_read(&wg->count)) {
		if (w->g)
			go3s_park_prepare(GO3S_WAIT_WAITGROUP);
		else
			set_current_state(TASK_KILLABLE);
		if (list_empty(&w->node))
			list_add_tail(&w->node, &wg->waiters);
		linked = true;
	}
	raw_spin_unlock_irqrestore(&wg->lock, flags);
	return linked;
}

static int wg_park(struct go3s_wg *wg)
{
	struct wg_waiter w = { .g = go3s_self() };
	int ret = 0;

	INIT_LIST_HEAD(&w.node);
	while (atomic_read_acquire(&wg->count)) {
		if (!wg_link(wg, &w))
			break;
		ret = go3s_park();
		wg_unlink(wg, &w);
		if (ret)
			return ret;
	}
	wg_settle(wg);
	return 0;
}

/* A task that is not a goroutine sleeps, killable, on the same list. */
static int wg_sleep(struct go3s_wg *wg)
{
	struct wg_waiter w = { .task = current };
	int ret = 0;

	INIT_LIST_HEAD(&w.node);
	while (atomic_read_acquire(&wg->count)) {
		if (fatal_signal_pending(current)) {
			ret = -ERESTARTSYS;
			break;
		}
		if (!wg_link(wg, &w))
			break;
		/* The waker's wake_up_process() sets TASK_RUNNING first. */
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	wg_unlink(wg, &w);
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
	return wg_sleep(wg);
}
EXPORT_SYMBOL_GO3S(go3s_wg_wait);
