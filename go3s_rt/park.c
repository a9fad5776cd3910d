// SPDX-License-Identifier: GPL-2.0
/*
 * Parking, timers and the checks made before every goroutine switch.
 *
 * A waiter does:
 *	go3s_park_prepare(reason);	  RUNNING -> PARKING
 *	<publish itself where a waker looks, under the waker's lock>
 *	go3s_park();			  switch; the M does PARKING -> PARKED
 * and a waker, having found it, calls go3s_unpark(), which turns PARKING
 * back into RUNNING (the switch then returns at once) or PARKED into
 * RUNNABLE and queues it. Both sides change ->state with a cmpxchg, a full
 * barrier: what the waker wrote before go3s_unpark() is visible to the
 * goroutine after go3s_park() returns.
 */
#include <kunit/visibility.h>
#include <linux/hrtimer.h>
#include <linux/lockdep.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>

#include "g.h"
#include "sched.h"
#include "trace.h"

static const char * const wait_reason_names[GO3S_WAIT_NR] = {
	[GO3S_WAIT_NONE]	= "",
	[GO3S_WAIT_SLEEP]	= "sleep",
	[GO3S_WAIT_WAITGROUP]	= "waitgroup",
	[GO3S_WAIT_CHAN_SEND]	= "chan send",
	[GO3S_WAIT_CHAN_RECV]	= "chan receive",
	[GO3S_WAIT_SELECT]	= "select",
	[GO3S_WAIT_TEST]	= "test",
	[GO3S_WAIT_FSM]		= "fsm event",
	[GO3S_WAIT_NET]		= "net I/O",
};

static const char * const state_names[GO3S_G_NR_STATES] = {
	[GO3S_G_FREE]		= "free",
	[GO3S_G_RUNNABLE]	= "runnable",
	[GO3S_G_RUNNING]	= "running",
	[GO3S_G_PARKING]	= "running",
	[GO3S_G_PARKED]		= "waiting",
};

const char *go3s_wait_reason_name(unsigned int reason)
{
	return reason < GO3S_WAIT_NR ? wait_reason_names[reason] : "?";
}

const char *go3s_g_state_name(unsigned int state)
{
	return state < GO3S_G_NR_STATES ? state_names[state] : "?";
}

/*
 * May @g switch now? No with a lock held (a spinlock disables preemption;
 * lockdep sees the others), in an RCU read-side section, with preemption,
 * softirqs or interrupts disabled: the next goroutine on this M would run
 * inside that section. Warns once per goroutine and counts every refusal.
 */
bool go3s_switch_allowed(struct go3s_g *g, const char *what)
{
	const char *why = NULL;

	if (irqs_disabled())
		why = "with interrupts disabled";
	else if (preempt_count())
		why = "with preemption disabled (a spinlock held?)";
	else if (rcu_preempt_depth())
		why = "inside an RCU read-side section";
#ifdef CONFIG_LOCKDEP
	else if (lockdep_depth(current))
		why = "while holding a lock";
#endif
	if (likely(!why))
		return true;

	go3s_stat_inc(refused);
	if (!(g->flags & GO3S_GF_WARNED)) {
		g->flags |= GO3S_GF_WARNED;
		WARN(1, "go3s: goroutine %llu (spawned at %pS) tried to %s %s; switch refused\n",
		     g->id, (void *)g->site, what, why);
	}
	return false;
}

/* Start parking the calling goroutine; see the top of this file. */
void go3s_park_prepare(enum go3s_wait_reason reason)
{
	struct go3s_g *g = go3s_self();

	g->wait_reason = reason;
	g->wait_since = ktime_get();
	go3s_g_set_state(g, GO3S_G_RUNNING, GO3S_G_PARKING);
}

/* Change of mind before go3s_park(): the goroutine keeps running. */
void go3s_park_cancel(void)
{
	struct go3s_g *g = go3s_self();

	atomic_set(&g->state, GO3S_G_RUNNING);
	g->wait_reason = GO3S_WAIT_NONE;
}

/*
 * Park until go3s_unpark(). Always switches away, also when woken between
 * go3s_park_prepare() and here. Returns 0 once woken (maybe spuriously:
 * callers re-check their condition), or -EDEADLK when the switch checks
 * refuse the switch (the goroutine was not parked).
 */
int go3s_park(void)
{
	struct go3s_g *g = go3s_self();

	if (!go3s_switch_allowed(g, "park")) {
		go3s_park_cancel();
		return -EDEADLK;
	}
	/*
	 * Switch even if woken already (Go's gopark always does): a wait
	 * that ends at once, a timer that has expired, is still a point
	 * where the goroutines queued behind this one run.
	 */
	go3s_switch_out(g, GO3S_ACT_PARK);
	g->wait_reason = GO3S_WAIT_NONE;
	return 0;
}

/*
 * Wake @g if it is parking or parked. Context: any context except NMI.
 * Returns true if this call woke it.
 */
bool go3s_unpark(struct go3s_g *g)
{
	int s = atomic_read(&g->state);

	for (;;) {
		if (s == GO3S_G_PARKING) {
			if (atomic_try_cmpxchg(&g->state, &s, GO3S_G_RUNNING))
				break;
		} else if (s == GO3S_G_PARKED) {
			if (atomic_try_cmpxchg(&g->state, &s, GO3S_G_RUNNABLE)) {
				trace_go3s_g_wake(g);
				go3s_ready(g);
				break;
			}
		} else {
			return false;
		}
	}
	go3s_stat_inc(unparks);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(go3s_unpark);

enum hrtimer_restart go3s_g_timer_fn(struct hrtimer *timer)
{
	go3s_unpark(container_of(timer, struct go3s_g, timer));
	return HRTIMER_NORESTART;
}

/**
 * go3s_sleep - sleep for at least @ns nanoseconds
 * @ns: how long; 0 just yields.
 *
 * A goroutine parks on an hrtimer (its worker runs other goroutines
 * meanwhile); any other task sleeps uninterruptibly.
 * Context: process context.
 * Return: 0, or -EDEADLK if the switch checks refused to park a goroutine
 * (it then did not sleep).
 */
int go3s_sleep(u64 ns)
{
	struct go3s_g *g = go3s_self();
	ktime_t t = ns_to_ktime(ns);

	if (!g) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		schedule_hrtimeout(&t, HRTIMER_MODE_REL);
		return 0;
	}
	if (!ns) {
		go3s_yield();
		return 0;
	}
	if (!go3s_switch_allowed(g, "sleep"))
		return -EDEADLK;
	/* go3s_park() may return early (a stray go3s_unpark()): park again. */
	t = ktime_add(ktime_get(), t);
	do {
		go3s_park_prepare(GO3S_WAIT_SLEEP);
		hrtimer_start(&g->timer, t, HRTIMER_MODE_ABS_HARD);
		if (go3s_park())
			break;
	} while (ktime_before(ktime_get(), t));
	hrtimer_cancel(&g->timer);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_sleep);
