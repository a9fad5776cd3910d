// SPDX-License-Identifier: GPL-2.0
/*
 * select, and blocking for every channel operation (a send or receive is
 * a select of one case).
 *
 * 1. Poll (go3s_select() with %GO3S_NOWAIT, and the try_ forms): visit
 *    the cases in a random order, each under its channel's lock, and
 *    complete the first that can go. The order is a fresh random
 *    permutation per call, so among ready cases each is chosen with equal
 *    probability and none starves (as in Go).
 * 2. Queue (any operation that may wait): visit them in such an order,
 *    completing one if it can go, else queueing a waiter on its channel,
 *    in the same lock hold. Partners claim the parker with a cmpxchg
 *    (chan.c), so at most one case happens.
 * 3. Wait: park the goroutine or sleep the task until claimed, the
 *    deadline passes or (tasks) a fatal signal; on the last two the owner
 *    claims its own parker as cancelled, racing any partner fairly: if
 *    the partner won, its case happened and is returned.
 * 4. Leave: the partner that claimed us unlinked that waiter and says
 *    when it is done with it (->handed); every other waiter still queued
 *    is unlinked under its channel's lock. A blocking send or receive
 *    that waits thus takes its channel's lock once.
 *
 * One channel lock at a time, never nested, so lockdep sees one class and
 * no ordering between channels.
 */
#include <linux/hrtimer.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "chan.h"
#include "g.h"
#include "latency.h"
#include "sched.h"
#include "trace.h"

/*
 * Per-CPU xorshift64* state for the poll order, seeded from the kernel's
 * RNG on first use. Read and written without protection: a select that
 * migrates or races an interrupt may reuse a state, which only repeats a
 * permutation; it cannot bias the choice among ready cases.
 */
static DEFINE_PER_CPU(u64, poll_rng);

static u64 poll_random(void)
{
	u64 x = raw_cpu_read(poll_rng);

	if (unlikely(!x))
		x = get_random_u64() | 1;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	raw_cpu_write(poll_rng, x);
	return x * 0x2545f4914f6cdd1dULL;
}

/* Fisher-Yates from one random draw, stepped by an LCG (Knuth MMIX). */
static void poll_order(u8 *order, unsigned int n)
{
	u64 r;
	unsigned int i, j;

	for (i = 0; i < n; i++)
		order[i] = i;
	if (n < 2)
		return;
	r = poll_random();
	for (i = n - 1; i > 0; i--) {
		j = (u32)(((r >> 32) * (i + 1)) >> 32);
		swap(order[i], order[j]);
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
	}
}

static int check_cases(struct go3s_select_case *cases, unsigned int n)
{
	unsigned int i;

	if (!cases || !n || n > GO3S_SELECT_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		struct go3s_select_case *c = &cases[i];

		if (c->dir != GO3S_CHAN_SEND && c->dir != GO3S_CHAN_RECV)
			return -EINVAL;
		if (c->ch && !go3s_chan_check(c->ch))
			return -EINVAL;
		if (c->ch && c->ch->elem_size && !c->elem)
			return -EINVAL;
	}
	return 0;
}

/*
 * Queue a waiter for each case, in @order, unless one completes first.
 * A queued waiter holds a reference on its channel (so does the caller,
 * until this returns). Sets *@queued to how many of @order were queued.
 */
static int enqueue_all(struct chan_waiter *ws, const u8 *order,
		       unsigned int n, unsigned int *queued)
{
	unsigned int i;
	int r = CHAN_NOT_READY;

	for (i = 0; i < n; i++) {
		struct chan_waiter *w = &ws[order[i]];
		struct go3s_chan *ch = w->c->ch;
		unsigned long flags;

		if (!ch)
			continue;
		raw_spin_lock_irqsave(&ch->lock, flags);
		r = __go3s_chan_match(ch, w);
		if (r == CHAN_NOT_READY) {
			refcount_inc(&ch->ref);
			list_add_tail(&w->node, w->c->dir == GO3S_CHAN_SEND ?
				      &ch->sendq : &ch->recvq);
			w->pk->published = true;
		}
		raw_spin_unlock_irqrestore(&ch->lock, flags);
		if (r != CHAN_NOT_READY)
			break;
	}
	*queued = i;
	return r;
}

/*
 * Unlink the queued waiters but @handed (the one a partner claimed and
 * unlinked, or NULL), and drop their references.
 */
static void unlink_all(struct chan_waiter *ws, const u8 *order,
		       unsigned int queued, struct chan_waiter *handed)
{
	unsigned int i;

	for (i = 0; i < queued; i++) {
		struct chan_waiter *w = &ws[order[i]];
		struct go3s_chan *ch = w->c->ch;
		unsigned long flags;

		if (!ch)
			continue;
		if (w != handed) {
			raw_spin_lock_irqsave(&ch->lock, flags);
			if (!list_empty(&w->node))
				list_del_init(&w->node);
			raw_spin_unlock_irqrestore(&ch->lock, flags);
		}
		go3s_chan_put(ch);
	}
}

/*
 * The partner that claimed @pk is still in wake() until it sets ->handed:
 * wait that out before the parker (on our stack) goes. The partner holds
 * its channel's raw lock with interrupts off meanwhile: a few instructions.
 */
static void wait_handed(struct chan_parker *pk)
{
	/* Pairs with smp_store_release() in wake(). */
	while (!smp_load_acquire(&pk->handed))
		cpu_relax();
}

/*
 * Wait until @pk is claimed. Returns 0 then, or -ETIMEDOUT, -EINTR or
 * -EDEADLK (the caller races the partner for the parker).
 */
static int parker_wait(struct chan_parker *pk, u8 reason, bool forever,
		       ktime_t deadline)
{
	struct go3s_g *g = pk->g;
	bool parked = false;
	int ret = 0;

	if (!g)
		might_sleep();
	else if (!forever)
		hrtimer_start(&g->timer, deadline, HRTIMER_MODE_ABS_HARD);
	for (;;) {
		if (g)
			go3s_park_prepare(reason);
		else
			set_current_state(TASK_KILLABLE);
		/*
		 * Publish PARKING/TASK_KILLABLE before reading ->done; pairs
		 * with the cmpxchg in claim() that precedes the partner's
		 * go3s_unpark()/wake_up_process(): one of us sees the other.
		 */
		smp_mb();
		if (atomic_read(&pk->done))
			break;
		if (!forever && ktime_after(ktime_get(), deadline)) {
			ret = -ETIMEDOUT;
			/*
			 * A goroutine whose deadline passed before it parked
			 * still lets the others run (Go parks for any timer).
			 */
			if (g && !parked) {
				go3s_park_cancel();
				go3s_yield();
			}
			break;
		}
		if (g) {
			parked = true;
			ret = go3s_park();
			if (ret)
				break;
		} else if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		} else if (forever) {
			schedule();
		} else {
			schedule_hrtimeout(&deadline, HRTIMER_MODE_ABS);
		}
	}
	if (g)
		go3s_park_cancel();
	else
		__set_current_state(TASK_RUNNING);
	if (g && !forever)
		hrtimer_cancel(&g->timer);
	return ret;
}

/*
 * Match @cases or wait for one (steps 2 to 4 above). @timeout is not
 * %GO3S_NOWAIT. The caller has checked the cases and the context, and
 * gives room for @n waiters and @n order bytes: a send or receive needs
 * one, and kernels zero every stack array (INIT_STACK_ALL_ZERO).
 */
int go3s_select_wait(struct go3s_select_case *cases, unsigned int n,
		     s64 timeout, struct chan_waiter *ws, u8 *order)
{
	struct chan_parker pk = { .cases = cases, .g = go3s_self(),
				  .task = current };
	u8 reason = GO3S_WAIT_SELECT;
	ktime_t deadline = 0;
	u64 gid = pk.g ? pk.g->id : 0;
	struct chan_waiter *handed;
	bool blocked = false;
	u64 t0 = 0;
	unsigned int i, queued;
	int r, ret;

	if (n == 1 && cases[0].dir == GO3S_CHAN_SEND)
		reason = GO3S_WAIT_CHAN_SEND;
	else if (n == 1)
		reason = GO3S_WAIT_CHAN_RECV;
	if (timeout > 0)
		deadline = ktime_add_ns(ktime_get(), timeout);
	poll_order(order, n);
	for (i = 0; i < n; i++) {
		ws[i].pk = &pk;
		ws[i].c = &cases[i];
		INIT_LIST_HEAD(&ws[i].node);
	}
	do {
		ret = 0;
		handed = NULL;
		atomic_set(&pk.done, 0);
		pk.handed = false;
		r = enqueue_all(ws, order, n, &queued);
		if (r == CHAN_NOT_READY) {
			if (!blocked) {
				blocked = true;
				t0 = go3s_lat_now_sampled(GO3S_LAT_CHAN);
				go3s_stat_inc(chan_blocks);
				trace_go3s_chan_block(cases[0].ch, n, gid);
			}
			if (pk.g && !go3s_switch_allowed(pk.g, "block on a channel"))
				ret = -EDEADLK;
			else
				ret = parker_wait(&pk, reason, timeout < 0,
						  deadline);
			/* Give up only if no partner claimed us meanwhile. */
			if (ret && atomic_cmpxchg(&pk.done, 0, PARKER_CANCELLED))
				ret = 0;
			if (!ret) {
				handed = &ws[atomic_read(&pk.done) - 1];
				wait_handed(&pk);
			}
		}
		unlink_all(ws, order, queued, handed);
	} while (r == CHAN_RESTART);
	if (!ret)
		ret = atomic_read(&pk.done) - 1;
	if (blocked) {
		go3s_lat_since(GO3S_LAT_CHAN, t0);
		trace_go3s_chan_unblock(cases[0].ch, ret, gid);
	}
	return ret;
}

/**
 * go3s_select - wait on several channel operations and do exactly one
 * @cases: the cases; a case with a NULL channel is never ready.
 * @n: how many, 1 to %GO3S_SELECT_MAX.
 * @timeout_ns: %GO3S_NOWAIT to return at once when nothing is ready (Go's
 *	default case), %GO3S_FOREVER (any negative value) to wait without
 *	limit, or a timeout in nanoseconds.
 *
 * Among the cases ready at once, one is chosen uniformly at random. The
 * chosen case's ->ok is set (see struct go3s_select_case); a send case on
 * a closed channel is ready and completes with ok == false.
 * Context: any context except NMI with %GO3S_NOWAIT; otherwise process
 * context (a goroutine parks, any other task sleeps, killable).
 * Return: the index of the case done; -EAGAIN if nothing was ready with
 * %GO3S_NOWAIT; -ETIMEDOUT; -EINTR (a task got a fatal signal); -EDEADLK
 * (a goroutine may not switch here); -EINVAL for NULL @cases, @n of 0 or
 * above %GO3S_SELECT_MAX, a bad direction, a released channel or a NULL
 * element of a case whose channel has elements; -EPERM when a blocking
 * select is called from interrupt context, or any select from NMI (a
 * caller bug, warns once).
 */
int go3s_select(struct go3s_select_case *cases, unsigned int n, s64 timeout_ns)
{
	struct chan_parker pk = { .done = ATOMIC_INIT(0), .cases = cases };
	struct chan_waiter w = { .pk = &pk };
	u8 order[GO3S_SELECT_MAX];
	unsigned int i;
	int ret;

	ret = check_cases(cases, n);
	if (ret)
		return ret;
	if (!go3s_chan_context_ok(timeout_ns))
		return -EPERM;
	if (n > 1)
		go3s_stat_inc(selects);
	if (timeout_ns) {
		struct chan_waiter ws[GO3S_SELECT_MAX];

		return go3s_select_wait(cases, n, timeout_ns, ws, order);
	}
	poll_order(order, n);
	for (i = 0; i < n; i++) {
		w.c = &cases[order[i]];
		if (w.c->ch && go3s_chan_match(&w) == CHAN_DONE)
			return order[i];
	}
	return -EAGAIN;
}
EXPORT_SYMBOL_GO3S(go3s_select);
